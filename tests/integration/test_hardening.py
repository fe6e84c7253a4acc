"""Holes found by attacking the running server (issue 9), each closed and
kept closed: symlinks under www/static, partials that include themselves,
links built from the Host header. Runs on either front
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
