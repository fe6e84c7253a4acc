"""Comment pages (CONTRACT.md, "Comment pages, sharing, feeds for machines",
and --comments-per-page): an article's threads, oldest first, a run of them
per page at /articles/{slug}/comment-page-{n}; the links between the pages;
reply links, the commenter's own held comment, the comment feed and the
moderation queue pointing at the page that holds the thread; 404s; and the
page cache and ETags kept per page. Against a real folio on either front.

Each test has its own article with 12 threads (a comment and one reply
each) at 5 threads a page: pages of 5, 5 and 2 threads.
"""

import os
import random
import re
import time
import unittest
import urllib.parse

import harness
from comments_client import CommentClient, reply_link, unique
from test_admin import AdminCase

# What an approval does to the article, in SQL both databases take (the
# time now as both parameters).
TOUCH = ("UPDATE articles SET version = version + 1, updated_at = "
         "CASE WHEN updated_at + 1 > ? THEN updated_at + 1 ELSE ? END ")

PER_PAGE = 5
THREADS = 12
SLUGS = ["pages-order", "pages-links", "pages-reply", "pages-pending", "pages-feed",
         "pages-cache", "pages-moderation", "pages-queue", "pages-edit", "pages-random", "pages-old",
         "pages-top"]


def article_files(tmpdir, slugs):
    paths = []
    for slug in slugs:
        path = os.path.join(tmpdir, slug + ".md")
        with open(path, "w", encoding="utf-8") as f:
            f.write("---\ntitle: A long discussion (%s)\nslug: %s\nauthor: Desk\n"
                    "date: 2026-03-10T09:00:00Z\nstatus: published\n---\nThe story.\n"
                    % (slug, slug))
        paths.append(path)
    return paths


class PagesCase(AdminCase, CommentClient):
    server_args = ["--comments-per-page", str(PER_PAGE), "--trusted-proxy", "127.0.0.1",
                   "--min-submit-seconds", "0", "--comment-rate", "0"]
    slugs = SLUGS

    @classmethod
    def make_fixtures(cls, tmpdir):
        return article_files(tmpdir, cls.slugs)

    # -- data ---------------------------------------------------------------------

    def add(self, slug, parent=None, status="approved", author="Reader"):
        """A comment stored as the form and an editor would leave it; the
        article marked changed, as an approval does."""
        con = harness.database(self.server)
        try:
            with con:
                aid = con.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()[0]
                now = int(time.time())
                cur = con.execute(
                    "INSERT INTO comments (article_id, parent_id, status, author, email, body, "
                    "created_at, status_changed_at) VALUES (?,?,?,?,?,?,?,?)",
                    (aid, parent, status, author, "r@example.org", unique("said"), now, now))
                con.execute(TOUCH + "WHERE id = ?", (now, now, aid))
                return cur.lastrowid
        finally:
            con.close()

    def set_status(self, comment_id, status):
        """As an editor elsewhere would (another host, on PostgreSQL:
        returns once this one shows it, harness.change_beside)."""
        def change():
            con = harness.database(self.server)
            try:
                with con:
                    now = int(time.time())
                    con.execute("UPDATE comments SET status = ? WHERE id = ?",
                                (status, comment_id))
                    con.execute(TOUCH + "WHERE id = (SELECT article_id FROM comments "
                                "WHERE id = ?)", (now, now, comment_id))
            finally:
                con.close()
        with harness.database(self.server) as con:
            slug = con.execute("SELECT a.slug FROM articles a JOIN comments c ON "
                               "c.article_id = a.id WHERE c.id = ?", (comment_id,)).fetchone()[0]
        harness.change_beside(self.server, change, slug)

    def threads(self, slug, n=THREADS):
        """n threads of a comment and its reply: [(first, reply), ...], oldest first."""
        out = []
        for i in range(n):
            first = self.add(slug, author="Thread %d" % (i + 1))
            out.append((first, self.add(slug, parent=first, author="Reply %d" % (i + 1))))
        return out

    # -- reading pages --------------------------------------------------------------

    def page_path(self, slug, n):
        return "/articles/%s" % slug if n == 1 else "/articles/%s/comment-page-%d" % (slug, n)

    def comment_ids(self, doc):
        """The ids of the comments shown, in document order."""
        section = doc.find("section", id="comments")
        return [int(el.id[len("comment-"):]) for el in section.iter()
                if el.tag == "article" and (el.id or "").startswith("comment-")]

    def nav_links(self, doc, rel):
        return {site_href for site_href in
                (harness.site_path(self.server, a.get("href"))
                 for a in doc.find_all("a") if a.get("rel") == rel)}

    def canonical(self, doc):
        return [l.get("href") for l in doc.find_all("link") if l.get("rel") == "canonical"]


class CommentPagesTest(PagesCase):

    def test_pages_hold_whole_threads_oldest_first(self):
        slug = "pages-order"
        threads = self.threads(slug)
        seen = []
        for n, first, last in ((1, 0, 5), (2, 5, 10), (3, 10, 12)):
            doc = self.get_ok(self.page_path(slug, n)).html()
            want = [cid for t in threads[first:last] for cid in t]
            self.assertEqual(self.comment_ids(doc), want, "page %d" % n)
            for top, reply in threads[first:last]:
                # the reply inside its parent's element, on the same page
                self.assertTrue(doc.find(id="comment-%d" % reply)
                                .is_inside(doc.find(id="comment-%d" % top)))
            seen += want
        self.assertEqual(seen, [cid for t in threads for cid in t], "each comment once")
        # the count in the heading is the article's, on every page
        for n in (1, 2, 3):
            self.assertIn("24 Comments", self.get_ok(self.page_path(slug, n)).html().norm_text())

    def test_links_between_pages(self):
        slug = "pages-links"
        self.threads(slug)
        one, two, three = (self.get_ok(self.page_path(slug, n)).html() for n in (1, 2, 3))
        p = lambda n: self.server.path(self.page_path(slug, n))
        self.assertEqual(self.nav_links(one, "prev"), set())
        self.assertEqual(self.nav_links(one, "next"), {p(2)})
        self.assertEqual(self.nav_links(two, "prev"), {p(1)})
        self.assertEqual(self.nav_links(two, "next"), {p(3)})
        self.assertEqual(self.nav_links(three, "prev"), {p(2)})
        self.assertEqual(self.nav_links(three, "next"), set())
        self.assertIn("Page 2 of 3", two.norm_text())
        # each later page is its own canonical address; the article's og:url stays
        for n, doc in ((1, one), (2, two), (3, three)):
            (href,) = self.canonical(doc)
            self.assertEqual(urllib.parse.urlsplit(href).path, p(n))
            og = [m.get("content") for m in doc.find_all("meta")
                  if m.get("property") == "og:url"]
            self.assertEqual([urllib.parse.urlsplit(u).path for u in og], [p(1)])

    def test_page_one_is_the_article_and_others_are_404(self):
        slug = "pages-links"
        if not self.get_ok(self.page_path(slug, 1)).html().find(id="comments"):
            self.fail("no comments section")
        r = self.get("/articles/%s/comment-page-1" % slug)
        self.assertStatus(r, 301)
        self.assertEqual(urllib.parse.urlsplit(r.header("Location")).path,
                         self.server.path("/articles/" + slug))
        for bad in ("comment-page-4", "comment-page-0", "comment-page-02", "comment-page-x",
                    "comment-page-", "comment-page--2", "comment-page-2x",
                    "comment-page-99999999999999999999", "comment-page-2/"):
            r = self.get("/articles/%s/%s" % (slug, bad))
            self.assertStatus(r, 404, bad)
            self.assertNoLeak(r)
        self.assertStatus(self.get("/articles/no-such-story/comment-page-2"), 404)
        self.assertStatus(self.get("/articles/no-such-story/comment-page-1"), 404)

    def test_a_wordpress_comment_page_goes_to_the_same_page(self):
        slug = "pages-old"
        self.threads(slug)
        con = harness.database(self.server)
        with con:     # what folio import wordpress records for the post's permalink
            con.execute("INSERT INTO old_addresses (path, article_id) SELECT "
                        "'/2019/04/a-long-discussion', id FROM articles WHERE slug = ? "
                        "ON CONFLICT DO NOTHING", (slug,))
        con.close()
        for old, new in (("/2019/04/a-long-discussion/comment-page-2/", 2),
                         ("/2019/04/a-long-discussion/comment-page-3", 3),
                         ("/2019/04/a-long-discussion/comment-page-1/", 1),
                         ("/2019/04/a-long-discussion/comment-page-9/", 1)):
            r = self.get(old)
            self.assertStatus(r, 301, old)
            self.assertEqual(urllib.parse.urlsplit(r.header("Location")).path,
                             self.server.path(self.page_path(slug, new)), old)
        for other in ("/2019/04/a-long-discussion/comment-page-x/",
                      "/2019/04/other-story/comment-page-2/", "/comment-page-2"):
            self.assertStatus(self.get(other), 404, other)

    def test_reply_links_land_on_the_page_of_the_thread(self):
        slug = "pages-reply"
        threads = self.threads(slug)
        top, reply = threads[6]                     # thread 7: page 2
        doc = self.get_ok(self.page_path(slug, 2)).html()
        link = reply_link(doc.find(id="comment-%d" % reply))
        href = urllib.parse.urljoin(self.server.path(self.page_path(slug, 2)), link.get("href"))
        self.assertEqual(href, self.server.path(
            "/articles/%s/comment-page-2?replytocom=%d#respond" % (slug, reply)))
        r = self.get_ok(href.split("#")[0], base=False)
        self.assertEqual(self.form_fields(r)["comment_parent"], str(reply))
        self.assertIn("Leave a Reply to Reply 7", r.html().find(id="reply-title").norm_text())
        # an old link (or a hand-made one) to another page goes to the thread's
        r = self.get("/articles/%s?replytocom=%d" % (slug, threads[11][0]))
        self.assertStatus(r, 302)
        self.assertEqual(r.header("Location"), self.server.path(
            "/articles/%s/comment-page-3?replytocom=%d#respond" % (slug, threads[11][0])))
        # a comment of another article, or none, changes nothing
        other = self.add("pages-links")
        for q in ("?replytocom=%d" % other, "?replytocom=999999", "?replytocom=x"):
            r = self.get("/articles/%s/comment-page-2%s" % (slug, q))
            self.assertStatus(r, 200, q)
            self.assertEqual(self.form_fields(r)["comment_parent"], "0")
        # a refused reply is shown again beside the comment it answers
        fields = self.fields(comment_parent=str(top), email="not an email")
        r = self.post(slug, fields)
        self.assertStatus(r, 422)
        self.assertEqual(self.form_fields(r)["comment_parent"], str(top))
        self.assertIsNotNone(r.html().find(id="comment-%d" % top))

    def test_own_pending_comment_lands_on_the_page_of_its_thread(self):
        slug = "pages-pending"
        threads = self.threads(slug)
        top, _ = threads[7]                         # thread 8: page 2
        r = self.post(slug, self.fields(comment_parent=str(top)))
        new = self.posted_id(r)
        self.assertEqual(r.header("Location"), self.server.path(
            "/articles/%s/comment-page-2#comment-%d" % (slug, new)))
        cookie = self.pending_cookie(r)
        page = self.article_page(slug + "/comment-page-2", cookies=cookie)
        self.assertStatus(page, 200)
        doc = page.html()
        mine = doc.find(id="comment-%d" % new)
        self.assertIsNotNone(mine, "the held reply is not on its thread's page")
        self.assertTrue(mine.is_inside(doc.find(id="comment-%d" % top)))
        self.assertIn("awaiting moderation", mine.norm_text())
        self.assertIn("no-store", page.header("Cache-Control", ""))
        for n in (1, 3):
            other = self.get(self.page_path(slug, n), headers={"Cookie": cookie}).html()
            self.assertIsNone(other.find(id="comment-%d" % new), "page %d" % n)
        # nobody else sees it
        self.assertIsNone(self.get_ok(self.page_path(slug, 2)).html()
                          .find(id="comment-%d" % new))
        # a new thread, held: at the end of the last page
        r = self.post(slug, self.fields(), cookies=cookie)
        newer = self.posted_id(r)
        self.assertEqual(r.header("Location"), self.server.path(
            "/articles/%s/comment-page-3#comment-%d" % (slug, newer)))
        doc = self.get(self.page_path(slug, 3), headers={"Cookie": self.pending_cookie(r)}).html()
        self.assertEqual(self.comment_ids(doc)[-1], newer)

    def test_editing_ones_own_comment_returns_to_the_page_of_its_thread(self):
        slug = "pages-edit"
        threads = self.threads(slug)
        r = self.post(slug, self.fields(comment_parent=str(threads[5][1])))   # thread 6: page 2
        new, cookie = self.posted_id(r), self.pending_cookie(r)
        own = "/articles/%s/comments/%d/edit" % (slug, new)
        form = self.get(own, headers={"Cookie": cookie})
        self.assertStatus(form, 200)
        back = self.server.path("/articles/%s/comment-page-2#comment-%d" % (slug, new))
        self.assertIn(back, [a.get("href") for a in form.html().find_all("a")])
        fields = self.form_fields(form)
        fields["comment"] = unique("Edited")
        r = self.request("POST", own, body=urllib.parse.urlencode(fields).encode(),
                         headers={"Cookie": cookie, "X-Forwarded-For": "192.0.2.40",
                                  "Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 303)
        self.assertEqual(r.header("Location"), back)

    def test_comment_feed_links_to_the_page_of_each_comment(self):
        slug = "pages-feed"
        threads = self.threads(slug)
        r = self.get_ok("/articles/%s/comments.atom" % slug)
        links = dict(re.findall(r'<id>[^<]*#comment-(\d+)</id>\s*<link rel="alternate" '
                                r'href="([^"]+)"', r.text))
        self.assertEqual(len(links), 2 * THREADS)
        for i, (top, reply) in enumerate(threads):
            page = i // PER_PAGE + 1
            for cid in (top, reply):
                url = urllib.parse.urlsplit(links[str(cid)])
                self.assertEqual(url.path, self.server.path(self.page_path(slug, page)))
                self.assertEqual(url.fragment, "comment-%d" % cid)

    def changed(self, path, etag):
        """The response for path when it no longer matches etag, else None."""
        r = self.get(path, headers={"If-None-Match": etag})
        return r if r.status != 304 else None

    def test_cache_and_etags_per_page(self):
        slug = "pages-cache"
        threads = self.threads(slug)
        tags = {}
        for n in (1, 2, 3):
            a = self.get_ok(self.page_path(slug, n))
            b = self.get_ok(self.page_path(slug, n))
            self.assertEqual(a.header("ETag"), b.header("ETag"))
            self.assertEqual(self.comment_ids(a.html()), self.comment_ids(b.html()))
            tags[n] = a.header("ETag")
        self.assertEqual(len(set(tags.values())), 3, "each page its own ETag")
        r = self.get(self.page_path(slug, 2), headers={"If-None-Match": tags[2]})
        self.assertStatus(r, 304)
        r = self.get(self.page_path(slug, 3), headers={"If-None-Match": tags[2]})
        self.assertStatus(r, 200)
        # a reply approved in thread 7 shows on page 2 at once, and every
        # page (whose heading counts the comments) changes
        # (on PostgreSQL a write beside the server reaches it by NOTIFY,
        # within a second: harness.eventually)
        new = self.add(slug, parent=threads[6][0])
        r = harness.eventually(lambda: self.changed(self.page_path(slug, 2), tags[2]))
        self.assertIsNotNone(r, "page 2 still answers 304 for its old ETag")
        self.assertStatus(r, 200)
        self.assertIn(new, self.comment_ids(r.html()))
        for n in (1, 3):
            self.assertStatus(self.get(self.page_path(slug, n),
                                       headers={"If-None-Match": tags[n]}), 200)
        # three more threads: a fourth page, and page 3 links to it
        self.assertStatus(self.get(self.page_path(slug, 4)), 404)
        for _ in range(4):
            self.add(slug)
        four = self.get_ok(self.page_path(slug, 4))
        self.assertEqual(len(self.comment_ids(four.html())), 1)
        self.assertEqual(self.nav_links(self.get_ok(self.page_path(slug, 3)).html(), "next"),
                         {self.server.path(self.page_path(slug, 4))})

    def test_moderation_moves_threads_between_pages(self):
        slug = "pages-moderation"
        threads = self.threads(slug)
        # thread 3's first comment trashed: its reply stands alone, in its place
        self.set_status(threads[2][0], "trash")
        one = self.comment_ids(self.get_ok(self.page_path(slug, 1)).html())
        self.assertEqual(one, [c for t in threads[:2] for c in t] + [threads[2][1]] +
                         [c for t in threads[3:5] for c in t])
        # thread 1 gone entirely: every later thread moves up one
        self.set_status(threads[0][0], "spam")
        self.set_status(threads[0][1], "spam")
        pages = [self.comment_ids(self.get_ok(self.page_path(slug, n)).html()) for n in (1, 2, 3)]
        order = [threads[1][0], threads[1][1], threads[2][1]] + \
            [c for t in threads[3:] for c in t]
        self.assertEqual(pages[0] + pages[1] + pages[2], order)
        self.assertEqual(pages[2], [c for t in threads[11:] for c in t])
        # put back: as it was
        for cid in (threads[0][0], threads[0][1], threads[2][0]):
            self.set_status(cid, "approved")
        self.assertEqual(self.comment_ids(self.get_ok(self.page_path(slug, 3)).html()),
                         [c for t in threads[10:] for c in t])
        # a deleted first comment: its reply begins a thread of its own
        def delete():
            con = harness.database(self.server)
            with con:
                if not harness.on_postgres():
                    con.execute("PRAGMA foreign_keys = ON")
                con.execute("DELETE FROM comments WHERE id = ?", (threads[11][0],))
                con.execute("UPDATE articles SET version = version + 1 WHERE slug = ?", (slug,))
            con.close()
        harness.change_beside(self.server, delete, slug)
        self.assertEqual(self.comment_ids(self.get_ok(self.page_path(slug, 3)).html()),
                         [c for t in threads[10:11] for c in t] + [threads[11][1]])

    def test_queue_links_to_the_page_of_the_thread(self):
        slug = "pages-queue"
        threads = self.threads(slug)
        held = self.add(slug, parent=threads[10][1], status="pending")   # thread 11: page 3
        cookie, _ = self.make_session()
        r = self.admin_get("/admin/", cookie)
        self.assertStatus(r, 200)
        item = r.html().find(id="comment-%d" % held)
        self.assertIsNotNone(item, r.describe(3000))
        hrefs = [a.get("href") for a in item.find_all("a")]
        self.assertIn(self.server.path("/articles/%s/comment-page-3" % slug), hrefs)
        self.assertIn(self.server.path("/articles/%s/comment-page-3#comment-%d"
                                       % (slug, threads[10][1])), hrefs)


class ThreadsUnderModerationTest(PagesCase):
    """Whatever happens to an article's comments (statuses changing every
    way, parents deleted or joined later as the WordPress import does, new
    replies), the marks and counts sql/016 keeps equal what they would be
    counted afresh, and the pages hold exactly the threads they should."""
    slugs = ["pages-random"]

    STATUSES = ("approved", "approved", "pending", "spam", "trash")

    def expected(self, con, aid):
        rows = {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT id, parent_id, status FROM comments WHERE article_id = ?", (aid,))}
        roots = sorted(i for i, (p, st) in rows.items()
                       if st == "approved" and (p is None or rows.get(p, (0, ""))[1] != "approved"))
        children = {}
        for i, (p, st) in rows.items():
            if st == "approved" and p is not None:
                children.setdefault(p, []).append(i)
        pages = []
        for k in range(0, len(roots), PER_PAGE):
            shown, todo = set(), list(roots[k:k + PER_PAGE])
            while todo:
                i = todo.pop()
                shown.add(i)
                if rows[i][1] == "approved":
                    todo += children.get(i, [])
            pages.append(shown)
        return roots, pages or [set()]

    def check(self, con, aid):
        roots, pages = self.expected(con, aid)
        marked = [r[0] for r in con.execute("SELECT id FROM comments WHERE article_id = ? "
                                            "AND thread_root = 1 ORDER BY id", (aid,))]
        self.assertEqual(marked, roots)
        blocks = {r[0]: r[1] for r in con.execute(
            "SELECT block, threads FROM comment_thread_blocks WHERE article_id = ? "
            "AND threads <> 0", (aid,))}
        want = {}
        for r in roots:
            want[r // 1024] = want.get(r // 1024, 0) + 1
        self.assertEqual(blocks, want)
        return pages

    def test_marks_counts_and_pages_stay_right(self):
        slug = "pages-random"
        rnd = random.Random(12)
        con = harness.database(self.server)
        if not harness.on_postgres():
            con.execute("PRAGMA foreign_keys = ON")
        self.addCleanup(con.close)
        aid = con.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()[0]
        ids, t = [], int(time.time())

        def insert(parent):
            nonlocal t
            t += 1
            cur = con.execute(
                "INSERT INTO comments (article_id, parent_id, status, author, email, body, "
                "created_at, status_changed_at) VALUES (?,?,?,?,?,?,?,?)",
                (aid, parent, rnd.choice(self.STATUSES), "R", "r@example.org", unique("x"), t, t))
            ids.append(cur.lastrowid)

        with con:
            for _ in range(40):
                insert(rnd.choice(ids) if ids and rnd.random() < 0.6 else None)
        self.check(con, aid)
        for step in range(300):
            op = rnd.random()
            with con:
                if op < 0.5:
                    con.execute("UPDATE comments SET status = ? WHERE id = ?",
                                (rnd.choice(self.STATUSES), rnd.choice(ids)))
                elif op < 0.65:
                    insert(rnd.choice(ids) if rnd.random() < 0.7 else None)
                elif op < 0.8:      # a parent joined, or let go, afterwards
                    child = rnd.choice(ids)
                    earlier = [i for i in ids if i < child]
                    con.execute("UPDATE comments SET parent_id = ? WHERE id = ?",
                                (rnd.choice(earlier) if earlier and rnd.random() < 0.8 else None,
                                 child))
                elif len(ids) > 10:
                    gone = ids.pop(rnd.randrange(len(ids)))
                    con.execute("DELETE FROM comments WHERE id = ?", (gone,))
                con.execute("UPDATE articles SET version = version + 1 WHERE id = ?", (aid,))
            pages = self.check(con, aid)
            if step % 50 == 49:
                for n, want in enumerate(pages, 1):
                    got = self.comment_ids(self.get_ok(self.page_path(slug, n)).html())
                    self.assertEqual(set(got), want, "page %d at step %d" % (n, step))
                    self.assertEqual(len(got), len(want))
                self.assertStatus(self.get(self.page_path(slug, len(pages) + 1)), 404)


class AllOnOnePageTest(PagesCase):
    """--comments-per-page 0: every thread on the article's page."""
    server_args = ["--comments-per-page", "0"]
    slugs = ["pages-top"]

    def test_all_threads_on_the_article_page(self):
        slug = "pages-top"
        threads = self.threads(slug, 60)
        doc = self.get_ok(self.page_path(slug, 1)).html()
        self.assertEqual(self.comment_ids(doc), [c for t in threads for c in t])
        self.assertEqual(self.nav_links(doc, "next"), set())
        self.assertIsNone(doc.find("nav", class_="comment-navigation"))
        self.assertStatus(self.get(self.page_path(slug, 2)), 404)


class DefaultPerPageTest(PagesCase):
    """The default: 50 threads a page."""
    server_args = []
    slugs = ["pages-top"]

    def test_fifty_threads_a_page(self):
        slug = "pages-top"
        threads = self.threads(slug, 51)
        one = self.get_ok(self.page_path(slug, 1)).html()
        self.assertEqual(self.comment_ids(one), [c for t in threads[:50] for c in t])
        two = self.get_ok(self.page_path(slug, 2)).html()
        self.assertEqual(self.comment_ids(two), list(threads[50]))


if __name__ == "__main__":
    unittest.main()
