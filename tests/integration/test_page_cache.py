"""folio's in-memory page cache (src/pages/page_cache.c), against a real folio
on either front: repeated views are served from memory, yet never stale,
also when another process changes the database (at once on SQLite; on
PostgreSQL once its notification has come, within a second, and never
stale after that); the form token stays
fresh; readers with cookies of their own get their own page.
"""

import http.client
import re
import socket
import time
import unittest

import harness
from comments_client import SUMMIT, ZEPPELIN, CommentClient

TOKEN = re.compile(rb'name="token" value="[^"]*"')


def without_token(body):
    return TOKEN.sub(b'name="token" value=""', body)


class PageCacheTest(CommentClient, harness.FolioTestCase):
    # --base-url: the production setting, under which article pages are shared
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0", "--base-url", "http://localhost"]

    def other_process(self, sql, *args):
        """A change made by another process, as `folio article import`, the
        JSON API of another folio or an editor elsewhere would make it; it
        moves Zeppelin's version on. On PostgreSQL it returns once the
        server has heard of it (within a second: harness.change_beside);
        on SQLite at once, and everything below asserts it shows at once."""
        def change():
            conn = self.db()
            try:
                with conn:
                    conn.execute(sql, args)
            finally:
                conn.close()
        harness.change_beside(self.server, change, ZEPPELIN)

    def views(self, path, n=3, **kw):
        return [self.get_ok(path, **kw) for _ in range(n)]

    def test_repeated_views_are_the_same_page_with_a_fresh_token(self):
        first = self.get_ok("/articles/" + SUMMIT)
        time.sleep(1.1)
        later = self.views("/articles/" + SUMMIT)[-1]
        self.assertEqual(without_token(first.body), without_token(later.body))
        self.assertNotEqual(TOKEN.search(first.body).group(0), TOKEN.search(later.body).group(0),
                            "the form token must be made afresh each second")
        self.assertEqual(first.header("ETag"), later.header("ETag"))
        # the token served from memory is a good one
        fields = self.fields()
        fields["token"] = self.form_fields(later)["token"]
        self.posted_id(self.post(SUMMIT, fields, token=None))

    def test_a_change_by_another_process_shows_at_once(self):
        for path in ("/articles/" + ZEPPELIN, "/", "/tags/transport"):
            self.views(path)
        for n in range(3):
            title = "Zeppelin title, edition %d" % n
            self.other_process("UPDATE articles SET title = ?, version = version + 1 "
                               "WHERE slug = ?", title, ZEPPELIN)
            for path in ("/articles/" + ZEPPELIN, "/", "/tags/transport"):
                for r in self.views(path, 2):
                    self.assertIn(title, r.text, "%s is stale after edition %d" % (path, n))

    def test_an_approval_elsewhere_shows_at_once(self):
        cid = self.posted_id(self.post(SUMMIT))
        for r in self.views("/articles/" + SUMMIT):
            self.assertNotIn('id="comment-%d"' % cid, r.text)
        self.approve(cid)
        for r in self.views("/articles/" + SUMMIT):
            self.assertIn('id="comment-%d"' % cid, r.text)

    def test_the_commenter_sees_their_own_page_and_others_the_shared_one(self):
        self.views("/articles/" + SUMMIT)
        r = self.post(SUMMIT)
        cid = self.posted_id(r)
        mine = self.pending_cookie(r)
        for _ in range(2):
            own = self.article_page(SUMMIT, cookies=mine)
            self.assertStatus(own, 200)
            self.assertIn('id="comment-%d"' % cid, own.text)
            self.assertIn("private", own.header("Cache-Control") or "")
            shared = self.article_page(SUMMIT)
            self.assertNotIn('id="comment-%d"' % cid, shared.text)
            # shared: revalidated every time, never private
            self.assertEqual(shared.header("Cache-Control"), "no-cache")

    def test_conditional_get_and_head_from_memory(self):
        r = self.views("/articles/" + ZEPPELIN)[-1]
        etag = r.header("ETag")
        self.assertTrue(etag)
        for _ in range(2):
            nm = self.get("/articles/" + ZEPPELIN, headers={"If-None-Match": etag})
            self.assertStatus(nm, 304)
            self.assertEqual(nm.body, b"")
        head = self.request("HEAD", "/articles/" + ZEPPELIN)
        self.assertStatus(head, 200)
        self.assertEqual(head.body, b"")
        self.assertEqual(head.header("ETag"), etag)
        index = self.views("/")[-1]
        nm = self.get("/", headers={"If-None-Match": index.header("ETag")})
        self.assertStatus(nm, 304)
        self.other_process("UPDATE articles SET title = 'Renamed for the ETag test', "
                           "version = version + 1 WHERE slug = ?", ZEPPELIN)
        changed = self.get("/", headers={"If-None-Match": index.header("ETag")})
        self.assertStatus(changed, 200)
        self.assertIn("Renamed for the ETag test", changed.text)
        self.assertNotEqual(changed.header("ETag"), index.header("ETag"))

    def head_of(self, r):
        """The response's headers as a sorted list, without Date (the
        transports' own) and with the body's length checked."""
        if r.status == 200 and r.body:
            self.assertEqual(int(r.header("Content-Length")), len(r.body))
        return sorted((k.lower(), v) for k, v in r.header_items() if k.lower() != "date")

    def test_every_view_carries_the_head_of_the_first(self):
        """The first view is rendered, the others come from memory (folio
        serve sends a response object made once per kept page): every one,
        GET or HEAD, on fresh connections or kept-alive ones, across a new
        form token and a new edition, has the head a rendered page has."""
        path = "/articles/" + ZEPPELIN
        for edition in range(2):
            first = self.get_ok(path)
            want = self.head_of(first)
            self.assertIn(("cache-control", "no-cache"), want)
            self.assertTrue(first.header("ETag") and first.header("Last-Modified"))
            for r in self.views(path, 3):
                self.assertEqual(self.head_of(r), want)
                self.assertEqual(without_token(r.body), without_token(first.body))
            head = self.request("HEAD", path)
            self.assertEqual(self.head_of(head), want)
            self.assertEqual(head.body, b"")
            time.sleep(1.1)     # a new token: a new page, a new response object
            later = self.get_ok(path)
            self.assertEqual(self.head_of(later), want)
            self.assertNotEqual(TOKEN.search(later.body).group(0),
                                TOKEN.search(first.body).group(0))
            conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
            try:        # one kept-alive connection, several views
                for _ in range(3):
                    conn.request("GET", self.server.path(path))
                    r = conn.getresponse()
                    body = r.read()
                    self.assertEqual(r.status, 200)
                    self.assertEqual(sorted((k.lower(), v) for k, v in r.getheaders()
                                            if k.lower() not in ("date", "connection",
                                                                 "keep-alive")),
                                     [kv for kv in want if kv[0] not in ("connection",
                                                                         "keep-alive")])
                    self.assertEqual(int(r.getheader("Content-Length")), len(body))
                    self.assertEqual(without_token(body), without_token(first.body))
            finally:
                conn.close()
            self.other_process("UPDATE articles SET title = ?, version = version + 1 "
                               "WHERE slug = ?", "Zeppelin, head test %d" % edition, ZEPPELIN)
            renamed = self.get_ok(path)
            self.assertIn("Zeppelin, head test %d" % edition, renamed.text)


def read_some(sock, least):
    """At least `least` bytes from sock (fewer only at its end)."""
    data = b""
    while len(data) < least:
        chunk = sock.recv(least - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_to_end(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def split_response(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict((k.strip().lower(), v.strip()) for k, _, v in
                   (line.partition(":") for line in lines[1:]))
    return lines[0], headers, body


class PageInFlightTest(CommentClient, harness.FolioTestCase):
    """A page read slowly is sent whole and unchanged while the cache moves
    on: a new form token (every second) and new editions of the article
    replace the kept page under it. folio serve sends a kept page from
    where the cache keeps it, without a copy.

    On loopback Linux grows the server's send buffer to megabytes, so the
    kernel may take the whole page at once and nothing is left in folio to
    change; tests/unit/test_response_cache.c holds a page past the cache's
    changes deterministically."""
    # every comment on the one page, to make it large
    server_args = ["--base-url", "http://localhost", "--comments-per-page", "0"]
    READERS = 4

    def make_page_large(self):
        """Some 200 KB of approved comments: more than the sockets' buffers
        hold, so that most of the page waits in the server for the reader."""
        conn = self.db()
        try:
            with conn:
                aid, published = conn.execute(
                    "SELECT id, published_at FROM articles WHERE slug = ?",
                    (ZEPPELIN,)).fetchone()
                for i in range(400):
                    conn.execute(
                        "INSERT INTO comments (article_id, status, author, email, body,"
                        " created_at, status_changed_at) VALUES (?, 'approved', ?, ?, ?, ?, ?)",
                        (aid, "Reader %d" % i, "r%d@example.org" % i,
                         ("Comment %d. " % i) + "The harbour was busy all week. " * 14,
                         published + i + 1, published + i + 1))
                conn.execute("UPDATE articles SET version = version + 1 WHERE id = ?", (aid,))
        finally:
            conn.close()

    def slow_reader(self, path):
        """A connection whose GET is answered but hardly read: a 4 KiB
        receive buffer, and only the first 4 KiB taken."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(harness.REQUEST_TIMEOUT)
        s.connect((self.server.host, self.server.port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                   % (path, self.server.host_header)).encode())
        return s, read_some(s, 4096)

    def move_the_cache_on(self, path):
        """A new form token, then new editions of the article, each served
        (and so kept) in place of the last."""
        time.sleep(1.1)
        self.get_ok(path)
        for n in range(3):
            self.other_process_edit("Zeppelin, edition %d" % n)
            for _ in range(3):
                self.assertIn("Zeppelin, edition %d" % n, self.get_ok(path).text)

    def other_process_edit(self, title):
        def change():
            conn = self.db()
            try:
                with conn:
                    conn.execute("UPDATE articles SET title = ?, version = version + 1 "
                                 "WHERE slug = ?", (title, ZEPPELIN))
            finally:
                conn.close()
        harness.change_beside(self.server, change, ZEPPELIN)

    def test_a_page_being_sent_is_not_changed_by_what_comes_after(self):
        path = "/articles/" + ZEPPELIN
        self.make_page_large()
        self.assertGreater(len(self.get_ok(path).body), 150000)
        # just after a second starts, so that all of these share its token
        time.sleep(1 - time.time() % 1 + 0.05)
        readers = [self.slow_reader(path) for _ in range(self.READERS)]
        same_second = self.get_ok(path)
        self.move_the_cache_on(path)
        for i, (s, start) in enumerate(readers):
            try:
                status, headers, body = split_response(start + read_to_end(s))
            finally:
                s.close()
            self.assertIn(" 200 ", status)
            self.assertEqual(len(body), int(headers["content-length"]),
                             "reader %d: the page did not arrive whole" % i)
            self.assertTrue(body.rstrip().endswith(b"</html>"), "reader %d" % i)
            if headers.get("date") == same_second.header("Date"):
                self.assertTrue(body == same_second.body,
                                "reader %d: the page changed while it was being sent" % i)
            else:   # a second boundary came between them after all: token aside
                self.assertTrue(without_token(body) == without_token(same_second.body),
                                "reader %d: the page changed while it was being sent" % i)


class PageCacheHostTest(harness.FolioTestCase):
    """Without --base-url an article page's absolute links carry the Host
    each reader sent: folio's cache keeps one copy per Host, and the page is
    private, so no shared cache in front mixes them up either."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0"]

    def test_links_follow_the_host_each_reader_used(self):
        if self.server.front == "fcgi":
            self.skipTest("nginx's stock fastcgi_params sends HTTP_HOST as $host")
        for host in ("one.example", "two.example", "one.example"):
            r = self.raw(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                          % (self.server.path("/articles/" + ZEPPELIN), host)).encode())
            self.assertStatus(r, 200)
            self.assertIn("http://%s/articles/%s" % (host, ZEPPELIN), r.text)
            other = "two.example" if host == "one.example" else "one.example"
            self.assertNotIn(other, r.text)
            self.assertIn("private", r.header("Cache-Control") or "")


if __name__ == "__main__":
    unittest.main()
