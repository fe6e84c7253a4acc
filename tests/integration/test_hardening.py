"""Holes found by attacking the running server (issue 9), each closed and
kept closed: symlinks under www/static, partials that include themselves,
links built from the Host header (nginx's micro-cache: test_fronts.py). Runs on either front
(FOLIO_FRONT=http|fcgi); on fcgi, folio itself serves /static/ here (the
test's nginx passes it on) so that folio's answer is the one tested."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

SECRET = "not-for-readers-7c1e"


class OwnWwwServer(harness.FolioServer):
    """A copy of www/ in the server's temporary directory, with symlinks
    planted in www/static: a linked directory (lnk -> outside/) and a linked
    file (secret.txt -> outside/secret.txt). /static/ goes to folio."""

    def __init__(self, **kw):
        super().__init__(**kw)
        src = self.www
        self.www = os.path.join(self.tmp, "www")
        shutil.copytree(src, self.www)
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside)
        with open(os.path.join(outside, "secret.txt"), "w") as f:
            f.write(SECRET + "\n")
        static = os.path.join(self.www, "static")
        os.symlink(outside, os.path.join(static, "lnk"))
        os.symlink(os.path.join(outside, "secret.txt"), os.path.join(static, "secret.txt"))
        os.makedirs(os.path.join(static, "sub"))
        with open(os.path.join(static, "sub", "real.txt"), "w") as f:
            f.write("a real file\n")

    def www_args(self):
        return ["--www", self.www]

    def nginx_conf(self):
        conf, n = re.subn(r"\n\s*location [^\n]*/static/ \{[^}]*\}", "", super().nginx_conf())
        assert n == 1, "the harness's nginx.conf changed shape"
        return conf


class StaticSymlinkTest(harness.FolioTestCase):
    server_class = OwnWwwServer
    fixtures = []

    def test_a_file_in_a_subdirectory_is_served(self):
        r = self.get("/static/sub/real.txt")
        self.assertStatus(r, 200)
        self.assertEqual(r.text, "a real file\n")

    def test_a_symlinked_directory_is_not_followed(self):
        for path in ("/static/lnk/secret.txt", "/static/lnk/", "/static/lnk"):
            r = self.get(path)
            self.assertStatus(r, 404, "GET %s" % path)
            self.assertNotIn(SECRET, r.text)

    def test_a_symlinked_file_is_not_followed(self):
        r = self.get("/static/secret.txt")
        self.assertStatus(r, 404)
        self.assertNotIn(SECRET, r.text)
        r = self.request("HEAD", "/static/secret.txt")
        self.assertStatus(r, 404)


EVIL = "evil.example"
HOST_PATHS = ("/feed.atom", "/articles/summit-talks-resume/comments.atom",
              "/articles/summit-talks-resume")


class HostAssertions:
    def get_with_host(self, path, host):
        return self.raw("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                        % (self.server.path(path), host))

    def assertNormalReadersNeverSee(self, path, host):
        for _ in range(3):
            r = self.get(path)
            self.assertStatus(r, 200, "GET %s" % path)
            self.assertNotIn(host, r.text, "GET %s after a request with Host: %s" % (path, host))


class HostWithoutBaseUrlTest(HostAssertions, harness.FolioTestCase):
    """Without --base-url, absolute links carry the request's Host: every
    answer that holds one is private, and the next reader never sees it."""

    def test_an_answer_made_with_the_host_is_private(self):
        for path in HOST_PATHS:
            r = self.get_with_host(path, EVIL)
            self.assertStatus(r, 200, "GET %s" % path)
            self.assertIn("http://%s/" % EVIL, r.text)
            cc = r.header("Cache-Control") or ""
            self.assertIn("private", cc, "GET %s with Host: %s" % (path, EVIL))
            self.assertIsNone(r.header("X-Accel-Expires"))
            self.assertNormalReadersNeverSee(path, EVIL)

    def test_list_pages_link_relatively_and_stay_shareable(self):
        r = self.get_with_host("/", EVIL)
        self.assertStatus(r, 200)
        self.assertNotIn(EVIL, r.text)
        self.assertNotIn("private", r.header("Cache-Control") or "")


class HostWithBaseUrlTest(HostAssertions, harness.FolioTestCase):
    """With --base-url no link comes from the request."""
    server_args = ["--base-url", "https://news.example.org"]

    def test_the_host_header_is_never_used(self):
        for path in HOST_PATHS:
            for host in (EVIL, "news.example.org:6666"):
                r = self.get_with_host(path, host)
                self.assertStatus(r, 200, "GET %s" % path)
                self.assertNotIn(host, r.text)
                self.assertIn("https://news.example.org/", r.text)
                self.assertNotIn("private", r.header("Cache-Control") or "")
                self.assertNormalReadersNeverSee(path, host)


class RecursivePartialTest(unittest.TestCase):
    """A partial that includes itself outside any {{#section}} once hung the
    render; now the server refuses to start, naming the file."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="folio-it-partials-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.www = os.path.join(self.tmp, "www")
        shutil.copytree(harness.www_dir(), self.www)
        self.db = os.path.join(self.tmp, "folio.db")

    def server_refuses(self, templates, *names):
        for fname, text in templates.items():
            with open(os.path.join(self.www, "templates", fname), "w") as f:
                f.write(text)
        front = harness.front_from_env()
        args = (["serve", "--listen", "127.0.0.1:%d" % harness.free_port()] if front == "http"
                else ["fcgi", "--socket", os.path.join(self.tmp, "folio.sock")])
        r = harness.run_folio(args + ["--www", self.www], db=self.db, timeout=10)
        self.assertEqual(r.returncode, 1, "folio %s started with %s\n%s"
                         % (args[0], templates, r.stderr))
        named = [n for n in names if os.path.join(self.www, "templates", n) in r.stderr]
        self.assertTrue(named, "the message names none of %s:\n%s" % (names, r.stderr))
        self.assertIn("includes itself", r.stderr)

    def test_a_partial_including_itself_twice(self):
        self.server_refuses({"a.html": "x{{>a}}{{>a}}"}, "a.html")

    def test_two_partials_including_each_other(self):
        self.server_refuses({"a.html": "{{>b}}", "b.html": "b{{^none}}{{>a}}{{/none}}"},
                            "a.html", "b.html")


if __name__ == "__main__":
    unittest.main()
