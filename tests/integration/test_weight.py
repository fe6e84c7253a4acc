"""The article page's weight (issue 12, "A lighter page"): the bytes a
reader downloads for an article with 20 comments, HTML and every stylesheet
the page links, uncompressed, against a real folio on either front.

The article is bench/sample-article.md (a news story of about 500 words:
headings, a list, a "Read This:" link, three tags, a source) with the 20
approved comments bench/run gives it: five texts readers write (one to
three sentences, one with a line break, one with two paragraphs, one with
a link), ten names, every third author with a website, and seven replies,
up to three levels deep. It is the page the issue measured (33,805 bytes
then, 38,224 once the share metadata was added).
"""

import calendar
import os
import re
import sqlite3
import unittest

import harness
from comments_client import CLOSED, SUMMIT, ZEPPELIN, CommentClient

SAMPLE = os.path.join(harness.REPO, "bench", "sample-article.md")
SLUG = "bench-sample"

# The goal of issue 12: 25,000 bytes. Measured 24,962 on 30 September
# (docs/benchmarks.md, "Page weight").
BUDGET = 25_000

NAMES = ["Ruth Calloway", "Tom Hale", "Ines Okafor", "Priya Raman", "Sam Ortiz",
         "Hana Sato", "Olu Adeyemi", "Marta Nowak", "Jon Berg", "Ada Quist"]
TEXTS = [
    "Walked across at seven this morning. The new footway is a real improvement: "
    "two prams can pass without anyone stepping into the road.",
    "Agreed. I timed my commute on the bike: eleven minutes, down from thirty-five "
    "on the detour.\nI'll take it.",
    "61.4 million against 38. Somebody should explain that to the people who lost "
    "their jobs on the south bank while the bridge was shut.",
    "The review is due in the summer; the article says so. Let's see what it finds "
    "before we decide who to blame.\n\nStill, the storm was not the contractor's fault.",
    "Is the mooring mast really from the zeppelin years? My grandfather said it was "
    "put up for a film. Details at https://example.org/harbour-history if anyone knows.",
]
REPLIES = (1, 2, 6, 7, 8, 12, 15)     # each answers the comment before it
PUBLISHED = calendar.timegm((2026, 9, 30, 8, 0, 0))


def add_twenty_comments(db):
    """The comments bench/run's make_db adds to the sample article."""
    con = sqlite3.connect(db, timeout=30)
    try:
        aid = con.execute("SELECT id FROM articles WHERE slug = ?", (SLUG,)).fetchone()[0]
        # Dates are written in words, so the weight depends on them: pinned
        # to the longest ("30 September 2026"), the figure holds on any day.
        published = PUBLISHED
        con.execute("UPDATE articles SET published_at = ?, updated_at = ? WHERE id = ?",
                    (published, published, aid))
        ids = []
        for i in range(20):
            who = NAMES[i % len(NAMES)]
            cur = con.execute(
                "INSERT INTO comments (article_id, parent_id, status, author, email, url, body,"
                " ip, user_agent, created_at, status_changed_at) VALUES"
                " (?, ?, 'approved', ?, ?, ?, ?, '192.0.2.1', 'test', ?, ?)",
                (aid, ids[i - 1] if i in REPLIES else None, who,
                 who.split()[0].lower() + "@example.org",
                 "https://example.org/~%d" % i if i % 3 == 0 else "",
                 TEXTS[i % len(TEXTS)], published + 60 * (i + 1), published + 60 * (i + 1)))
            ids.append(cur.lastrowid)
        con.execute("UPDATE articles SET version = version + 1 WHERE id = ?", (aid,))
        con.commit()
    finally:
        con.close()


class PageWeightTest(harness.FolioTestCase):
    fixtures = [SAMPLE]
    server_args = ["--base-url", "http://news.example"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_twenty_comments(cls.server.db)

    def stylesheets(self, doc):
        return [l.get("href") for l in doc.find_all("link")
                if "stylesheet" in (l.get("rel") or "").split()]

    def test_the_page_with_20_comments_and_its_css_fit_the_budget(self):
        page = self.get_ok("/articles/" + SLUG)
        doc = page.html()
        comments = [e for e in doc.find("section", id="comments").iter()
                    if e.id and re.match(r"comment-\d+$", e.id)]
        self.assertEqual(len(comments), 20, "not the 20-comment page")
        sheets = self.stylesheets(doc)
        self.assertTrue(sheets, "the page links no stylesheet")
        css = 0
        for href in sheets:
            r = self.get_ok(href, base=False)
            self.assertTrue((r.header("Content-Type") or "").startswith("text/css"), href)
            css += len(r.body)
        total = len(page.body) + css
        print("\n[weight] %s front: %d bytes of HTML + %d of CSS (%s) = %d"
              % (self.server.front, len(page.body), css, ", ".join(sheets), total))
        self.assertLessEqual(total, BUDGET,
                             "the article page weighs %d bytes (HTML %d + CSS %d), over %d"
                             % (total, len(page.body), css, BUDGET))

    def test_lists_css_is_linked_by_the_other_pages_not_by_articles(self):
        for path in ("/", "/search?q=bridge", "/no-such-page"):
            r = self.request("GET", path)
            self.assertIn("/static/lists.css", self.stylesheets(r.html()), path)
        self.assertEqual([s for s in self.stylesheets(self.get_ok("/articles/" + SLUG).html())
                          if s.endswith("lists.css")], [])


class StatesStylesheetTest(CommentClient, harness.FolioTestCase):
    """states.css holds the rules for what the usual article page does not
    show; header.html links it (after folio.css) exactly when the page shows
    one of those: a held comment with Edit and Withdraw, an editor's reply,
    links between pages of comments, a reply's Cancel link, closed comments,
    a form sent back; and on the commenter's edit and withdraw pages."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0", "--comments-per-page", "3", "--edit-minutes", "30"]

    def sheets(self, resp):
        self.assertIn(resp.status, (200, 404, 422), resp.describe())
        return [l.get("href") for l in resp.html().find_all("link")
                if "stylesheet" in (l.get("rel") or "").split()]

    def assertStates(self, resp, linked, what):
        sheets = self.sheets(resp)
        self.assertEqual(sheets[0], "/static/folio.css", what)
        self.assertEqual("/static/states.css" in sheets, linked,
                         "%s: %s" % (what, ", ".join(sheets)))
        if linked:
            self.assertEqual(sheets[-1], "/static/states.css", "%s: not last" % what)

    def add_approved(self, slug, n, by_site=0):
        ids = []
        with self.db() as conn:
            aid = conn.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()[0]
            for i in range(n):
                cur = conn.execute(
                    "INSERT INTO comments (article_id, parent_id, status, author, email, url,"
                    " body, ip, user_agent, created_at, status_changed_at, by_site) VALUES"
                    " (?, NULL, 'approved', 'Ann', 'ann@example.org', '', 'Text.',"
                    " '192.0.2.1', 't', ?, ?, ?) RETURNING id",
                    (aid, 1_700_000_000 + i, 1_700_000_000 + i, by_site))
                ids.append(cur.fetchone()[0])
            conn.execute("UPDATE articles SET version = version + 1 WHERE id = ?", (aid,))
            conn.commit()
        return ids

    def test_linked_only_when_the_page_shows_a_state_it_styles(self):
        usual = self.add_approved(SUMMIT, 2)
        self.assertStates(self.article_page(SUMMIT), False, "the usual page")
        for path in ("/", "/search?q=summit", "/no-such-page"):
            self.assertStates(self.request("GET", path), False, path)
        self.add_approved(ZEPPELIN, 4)
        self.assertStates(self.article_page(ZEPPELIN), True, "page 1 of 2 of comments")
        self.assertStates(self.get("/articles/%s/comment-page-2" % ZEPPELIN), True, "page 2")
        self.assertStates(self.article_page(SUMMIT, query="?replytocom=%d" % usual[0]), True,
                          "a reply form (Cancel reply)")
        self.assertStates(self.article_page(CLOSED), True, "closed comments")
        refused = self.post(SUMMIT, self.fields(email="not an address"))
        self.assertStatus(refused, 422)
        self.assertIsNotNone(refused.html().find(class_="field-error"))
        self.assertStates(refused, True, "a refused form")
        held = self.post(SUMMIT, self.fields())
        cid = self.posted_id(held)
        cookie = self.pending_cookie(held)
        page = self.article_page(SUMMIT, cookies=cookie)
        self.assertIsNotNone(page.html().find(class_="comment-own-actions"))
        self.assertStates(page, True, "the reader's own held comment")
        for action in ("edit", "withdraw"):
            r = self.get("/articles/%s/comments/%d/%s" % (SUMMIT, cid, action),
                         headers={"Cookie": cookie})
            self.assertStates(r, True, "the %s page" % action)
        self.assertStates(self.article_page(SUMMIT), False, "the usual page, still")
        self.add_approved(SUMMIT, 1, by_site=1)
        self.assertStates(self.article_page(SUMMIT), True, "an editor's reply (Staff)")
        r = self.get_ok("/static/states.css")
        self.assertTrue((r.header("Content-Type") or "").startswith("text/css"))


if __name__ == "__main__":
    unittest.main()
