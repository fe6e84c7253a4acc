"""folio's in-memory page cache (src/pages/page_cache.c), against a real folio
on either front: repeated views are served from memory, yet never stale,
also when another process changes the database; the form token stays
fresh; readers with cookies of their own get their own page.
"""

import re
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
        JSON API of another folio or an editor elsewhere would make it."""
        conn = self.db()
        try:
            with conn:
                conn.execute(sql, args)
        finally:
            conn.close()

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
