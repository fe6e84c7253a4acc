"""The editors' tools in the queue (CONTRACT.md, "Editors' routes" and "JSON
API"): filter by article, search text, author and email, reply as the site,
edit a comment's text; each through the HTML admin (with its CSRF token) and
through the JSON API. Against a real folio on either front."""

import json
import re
import time
import unittest
import urllib.parse

import harness
from test_admin import AdminCase
from test_notify import NotifyTestCase

SUMMIT = "summit-talks-resume"          # published fixtures
ZEPPELIN = "zeppelin-returns"


class QueueToolsCase(AdminCase):
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = harness.run_folio(["token", "add", "queue-bot"], db=cls.server.db)
        if r.returncode != 0:
            raise RuntimeError("folio token add failed: %s%s" % (r.stdout, r.stderr))
        cls.token = r.stdout.strip()

    def setUp(self):
        self.session, self.csrf = self.make_session("ed")

    # -- helpers -------------------------------------------------------------------------

    def api(self, method, path, body=None, raw=None, content_type="application/json"):
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            raw = json.dumps(body).encode()
        if raw is not None:
            h["Content-Type"] = content_type
        return self.request(method, "/admin/api" + path, body=raw, headers=h)

    def json_of(self, r, status):
        self.assertStatus(r, status)
        self.assertEqual((r.header("Content-Type") or "").split(";")[0], "application/json")
        return json.loads(r.body)

    def assertApiError(self, r, status, field=None):
        doc = self.json_of(r, status)
        self.assertTrue(doc.get("error"), r.describe())
        self.assertEqual(doc.get("field"), field, r.describe())

    def queue(self, query=""):
        r = self.admin_get("/admin/" + query, self.session)
        self.assertStatus(r, 200)
        return r

    def queue_ids(self, page):
        return [int(li.id.split("-")[1]) for li in page.html().find_all("li", class_="admin-comment")]

    def row(self, cid):
        con = self.db()
        con.row_factory = __import__("sqlite3").Row
        return con.execute("SELECT * FROM comments WHERE id = ?", (cid,)).fetchone()

    def rows_count(self):
        return self.one("SELECT count(*) FROM comments")

    def public(self, slug):
        r = self.get("/articles/%s" % slug)
        self.assertStatus(r, 200)
        return r

    def word(self):
        return "w%d%d" % (int(time.time() * 1000) % 10**7, id(object()) % 1000)


class QueueFilterTest(QueueToolsCase):

    def test_filter_by_article(self):
        mark = self.word()
        here = [self.insert_comment(slug=SUMMIT, body="%s on summit %d" % (mark, i))
                for i in range(3)]
        there = self.insert_comment(slug=ZEPPELIN, body="%s on zeppelin" % mark)
        page = self.queue("?article=" + SUMMIT)
        ids = self.queue_ids(page)
        for cid in here:
            self.assertIn(cid, ids)
        self.assertNotIn(there, ids)
        for cid in ids:
            self.assertEqual(self.one("SELECT a.slug FROM comments c JOIN articles a ON "
                                      "a.id = c.article_id WHERE c.id = ?", cid), SUMMIT)
        self.assertIn("Only comments on", page.html().norm_text())
        # the tabs keep the filter, with the status
        tabs = [a.get("href") for a in page.html().find("nav", class_="admin-views").find_all("a")]
        self.assertTrue(all("article=" + SUMMIT in t for t in tabs), tabs)
        # every comment links to its article's view
        li = page.html().find(id="comment-%d" % here[0])
        links = {a.norm_text(): a.get("href") for a in li.find_all("a")}
        self.assertIn("article=" + SUMMIT, links["Only this article"])

    def test_unknown_article_and_bad_search(self):
        self.assertStatus(self.admin_get("/admin/?article=no-such-article", self.session), 404)
        self.assertStatus(self.admin_get("/admin/?q=" + "x" * 201, self.session), 400)
        self.assertStatus(self.admin_get("/admin/?article=" + "x" * 201, self.session), 400)

    def test_search_text_author_and_email_any_case(self):
        mark = self.word()
        by_text = self.insert_comment(body="The %s is in the text" % mark.upper())
        by_author = self.insert_comment(author="Author %s" % mark)
        by_email = self.insert_comment(email="%s@example.net" % mark)
        other = self.insert_comment(body="nothing to see")
        ids = self.queue_ids(self.queue("?q=" + mark))
        self.assertEqual(sorted(ids), sorted([by_text, by_author, by_email]))
        self.assertNotIn(other, ids)

    def test_wildcards_are_plain_characters(self):
        mark = self.word()
        pct = self.insert_comment(body="%s 100%% sure" % mark)
        self.insert_comment(body="%s 100 percent sure" % mark)
        under = self.insert_comment(body="%s snake_case" % mark)
        self.insert_comment(body="%s snakeXcase" % mark)
        self.assertEqual(self.queue_ids(self.queue("?q=" + urllib.parse.quote("100%"))), [pct])
        self.assertEqual(self.queue_ids(self.queue("?q=" + urllib.parse.quote("e_c"))), [under])
        back = self.insert_comment(body="%s back\\slash" % mark)
        self.assertEqual(self.queue_ids(self.queue("?q=" + urllib.parse.quote("k\\s"))), [back])

    def test_search_with_status_and_keyset_paging(self):
        mark = self.word()
        ids = [self.insert_comment(slug=ZEPPELIN, body="%s page %d" % (mark, i))
               for i in range(55)]
        self.insert_comment(slug=ZEPPELIN, body="%s approved" % mark, status="approved")
        self.insert_comment(slug=SUMMIT, body="%s elsewhere" % mark)
        query = "?article=%s&q=%s" % (ZEPPELIN, mark)
        first = self.queue(query)
        self.assertEqual(self.queue_ids(first), ids[:50])
        nxt = first.html().find("a", rel="next").get("href")
        self.assertIn("q=" + mark, nxt)
        self.assertIn("article=" + ZEPPELIN, nxt)
        second = self.admin_get(urllib.parse.urlsplit(nxt).path[len(self.server.path("")):] +
                                "?" + urllib.parse.urlsplit(nxt).query, self.session)
        self.assertEqual(self.queue_ids(second), ids[50:])
        prev = second.html().find("a", rel="prev").get("href")
        self.assertIn("q=" + mark, prev)
        approved = self.queue(query + "&status=approved")
        self.assertEqual(len(self.queue_ids(approved)), 1)

    def test_actions_go_back_to_the_filtered_view(self):
        mark = self.word()
        cid = self.insert_comment(slug=SUMMIT, body="%s act" % mark)
        page = self.queue("?article=%s&q=%s" % (SUMMIT, mark))
        ret = page.html().find("input", name="return").get("value")
        r = self.act(self.session, self.csrf, "approve", [cid], ret=ret)
        self.assertStatus(r, 303)
        loc = urllib.parse.urlsplit(self.location(r))
        q = urllib.parse.parse_qs(loc.query)
        self.assertEqual((q.get("article"), q.get("q")), ([SUMMIT], [mark]))


class ReplyAndEditTest(QueueToolsCase):

    def comment_page(self, cid, ret=None):
        path = "/admin/comments/%d" % cid + ("?return=" + urllib.parse.quote(ret) if ret else "")
        r = self.admin_get(path, self.session)
        self.assertStatus(r, 200)
        return r

    def post_form(self, cid, what, fields, csrf=True):
        data = dict(fields)
        if csrf:
            data["csrf_token"] = self.csrf
        return self.admin_post("/admin/comments/%d/%s" % (cid, what), list(data.items()),
                               self.session)

    def test_reply_from_the_queue_is_the_sites(self):
        parent = self.insert_comment(slug=SUMMIT, body="Is the summit on? " + self.word())
        page = self.comment_page(parent, ret="status=pending")
        self.assertIsNotNone(page.html().find("form", id="reply"))
        self.assertIn("Approve and reply", page.text)
        before = self.rows_count()
        text = "Yes, on Thursday. " + self.word()
        r = self.post_form(parent, "reply", {"reply": text, "return": "q=x"})
        self.assertStatus(r, 303)
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlsplit(self.location(r)).query),
                         {"q": ["x"]})
        self.assertEqual(self.rows_count(), before + 1)
        reply = self.one("SELECT id FROM comments WHERE body = ?", text)
        row = self.row(reply)
        self.assertEqual((row["status"], row["by_site"], row["author"], row["parent_id"],
                          row["email"]), ("approved", 1, "ed", parent, ""))
        self.assertEqual(self.status_of(parent), "approved")     # approved with it
        log = [(r[0], r[1], r[5], r[6]) for r in self.log_rows(parent) + self.log_rows(reply)]
        ed = self.editor_id("ed")
        self.assertEqual(log, [("ed", ed, "pending", "approved"), ("ed", ed, None, "approved")])
        # the flash on the way back
        self.assertIn("approved and your reply posted", self.flash_of(self.follow(r, self.session)))
        # readers see it, marked as the site's
        el = self.public(SUMMIT).html().find(id="comment-%d" % reply)
        self.assertIsNotNone(el)
        self.assertIn("by-site", el.get("class"))
        self.assertEqual(el.find("span", class_="comment-badge").norm_text(), "Staff")
        self.assertIn(text, el.norm_text())
        parent_el = self.public(SUMMIT).html().find(id="comment-%d" % parent)
        self.assertIsNone(parent_el.find("footer").find("span", class_="comment-badge"))

    def test_reply_refusals_change_nothing(self):
        spam = self.insert_comment(status="spam")
        pending = self.insert_comment()
        before = self.rows_count()
        r = self.post_form(spam, "reply", {"reply": "no " + self.word()})
        self.assertStatus(r, 409)
        self.assertIn("no ", r.html().find("textarea", id="reply-text").text())
        r = self.post_form(pending, "reply", {"reply": "   "})
        self.assertStatus(r, 422)
        self.assertTrue(r.html().find(id="reply-error").norm_text())
        r = self.post_form(pending, "reply", {"reply": "x" * 8001})
        self.assertStatus(r, 422)
        self.assertEqual(r.html().find("textarea", id="reply-text").text(), "x" * 8001)
        r = self.post_form(pending, "reply", {"reply": "no csrf"}, csrf=False)
        self.assertStatus(r, 403)
        r = self.post_form(pending, "reply", {"reply": "bad csrf", "csrf_token": "x"}, csrf=False)
        self.assertStatus(r, 403)
        self.assertStatus(self.post_form(999999, "reply", {"reply": "none"}), 404)
        self.assertEqual(self.rows_count(), before)
        self.assertEqual(self.status_of(pending), "pending")
        # without a session
        r = self.admin_post("/admin/comments/%d/reply" % pending,
                            [("reply", "x"), ("csrf_token", self.csrf)])
        self.assertStatus(r, 403)
        self.assertEqual(self.rows_count(), before)

    def test_edit_text_is_logged_and_shows_at_once(self):
        cid = self.insert_comment(slug=ZEPPELIN, status="approved", body="Teh typo " + self.word())
        self.public(ZEPPELIN)       # the shared page, now in the cache
        self.public(ZEPPELIN)
        page = self.comment_page(cid)
        self.assertEqual(page.html().find("textarea", id="text").text(), self.row(cid)["body"])
        fixed = "The typo, fixed " + self.word()
        r = self.post_form(cid, "edit", {"text": fixed + "\r\n"})
        self.assertStatus(r, 303)
        self.assertEqual(self.row(cid)["body"], fixed)
        log = self.log_rows(cid)
        self.assertEqual([(l[0], l[1], l[5], l[6]) for l in log],
                         [("ed", self.editor_id("ed"), "approved", "edited")])
        self.assertIn(fixed, self.public(ZEPPELIN).text)
        self.assertIn("text was changed", self.flash_of(self.follow(r, self.session)))
        # the log page says so
        logpage = self.admin_get("/admin/log", self.session)
        row = [tr.norm_text() for tr in logpage.html().find_all("tr") if "#%d" % cid in tr.norm_text()]
        self.assertIn("text edited (approved)", row[0])
        # the same text again: nothing changes, nothing logged
        self.assertStatus(self.post_form(cid, "edit", {"text": fixed}), 303)
        self.assertEqual(len(self.log_rows(cid)), 1)

    def test_edit_refusals_change_nothing(self):
        cid = self.insert_comment(body="Original " + self.word())
        body = self.row(cid)["body"]
        r = self.post_form(cid, "edit", {"text": ""})
        self.assertStatus(r, 422)
        r = self.post_form(cid, "edit", {"text": "bad\x01control"})
        self.assertStatus(r, 422)
        self.assertEqual(r.html().find("textarea", id="text").text(), "bad\x01control")
        self.assertStatus(self.post_form(cid, "edit", {"text": "no csrf"}, csrf=False), 403)
        self.assertStatus(self.post_form(999999, "edit", {"text": "none"}), 404)
        self.assertEqual(self.row(cid)["body"], body)
        self.assertEqual(self.log_rows(cid), [])

    def test_queue_links_to_the_comment_page(self):
        mark = self.word()
        cid = self.insert_comment(body=mark)
        li = self.queue("?q=" + mark).html().find(id="comment-%d" % cid)
        links = {a.norm_text(): a.get("href") for a in li.find_all("a")}
        edit = urllib.parse.urlsplit(links["Edit text"])
        self.assertEqual(edit.path, self.server.path("/admin/comments/%d" % cid))
        self.assertEqual(urllib.parse.parse_qs(edit.query)["return"], ["q=" + mark])
        page = self.admin_get("/admin/comments/%d?%s" % (cid, edit.query), self.session)
        self.assertEqual(page.html().find("input", name="return").get("value"), "q=" + mark)
        self.assertToLogin(self.get("/admin/comments/%d" % cid))


class ApiQueueToolsTest(QueueToolsCase):

    def test_list_by_article_and_search(self):
        mark = self.word()
        a = self.insert_comment(slug=SUMMIT, body="%s one" % mark)
        b = self.insert_comment(slug=ZEPPELIN, body="%s two" % mark)
        c = self.insert_comment(slug=SUMMIT, author="%s author" % mark, status="spam")
        doc = self.json_of(self.api("GET", "/comments?q=" + mark), 200)
        self.assertEqual([x["id"] for x in doc["comments"]], [a, b, c])
        doc = self.json_of(self.api("GET", "/comments?q=%s&article=%s" % (mark, SUMMIT)), 200)
        self.assertEqual([x["id"] for x in doc["comments"]], [a, c])
        doc = self.json_of(self.api("GET", "/comments?q=%s&article=%s&status=spam"
                                    % (mark, SUMMIT)), 200)
        self.assertEqual([x["id"] for x in doc["comments"]], [c])
        doc = self.json_of(self.api("GET", "/comments?q=%s&limit=1" % mark), 200)
        self.assertEqual(doc["next_after"], a)
        doc = self.json_of(self.api("GET", "/comments?q=%s&limit=1&after=%d" % (mark, a)), 200)
        self.assertEqual([x["id"] for x in doc["comments"]], [b])
        doc = self.json_of(self.api("GET", "/comments?q=" + urllib.parse.quote("%")), 200)
        self.assertTrue(all("%" in x["body"] + x["author"] + x["email"]
                            for x in doc["comments"]))
        self.assertApiError(self.api("GET", "/comments?article=no-such"), 400, "article")
        self.assertApiError(self.api("GET", "/comments?q=" + "x" * 201), 400, "q")

    def test_reply(self):
        parent = self.insert_comment(slug=SUMMIT, status="approved")
        before = self.rows_count()
        r = self.api("POST", "/comments/%d/replies" % parent, {"body": "Thanks! " + self.word()})
        doc = self.json_of(r, 201)
        self.assertEqual((doc["parent"], doc["status"], doc["author"], doc["by_site"],
                          doc["article"]["slug"]), (parent, "approved", "queue-bot", True, SUMMIT))
        self.assertTrue((r.header("Location") or "").endswith("/admin/api/comments/%d" % doc["id"]))
        self.assertEqual(self.rows_count(), before + 1)
        log = self.log_rows(doc["id"])
        self.assertEqual([(l[0], l[1] is None, l[2] is not None, l[5], l[6]) for l in log],
                         [("queue-bot", True, True, None, "approved")])
        named = self.json_of(self.api("POST", "/comments/%d/replies" % parent,
                                      {"body": "Signed " + self.word(), "author": "The Desk"}), 201)
        self.assertEqual(named["author"], "The Desk")
        self.assertIn("comment-badge", self.public(SUMMIT).text)

    def test_reply_errors(self):
        spam = self.insert_comment(status="spam")
        ok = self.insert_comment()
        before = self.rows_count()
        self.assertApiError(self.api("POST", "/comments/%d/replies" % spam, {"body": "x"}), 409)
        self.assertApiError(self.api("POST", "/comments/999999/replies", {"body": "x"}), 404)
        for body, field in [({}, "body"), ({"body": ""}, "body"), ({"body": 3}, "body"),
                            ({"body": "x" * 8001}, "body"), ({"body": "x", "author": ""}, "author"),
                            ({"body": "x", "status": "spam"}, "status")]:
            with self.subTest(body=str(body)[:40]):
                self.assertApiError(self.api("POST", "/comments/%d/replies" % ok, body), 422,
                                    field)
        self.assertApiError(self.api("POST", "/comments/%d/replies" % ok, raw=b"{"), 400)
        self.assertApiError(self.api("POST", "/comments/%d/replies" % ok, raw=b"{}",
                                     content_type="text/plain"), 415)
        self.assertEqual(self.rows_count(), before)
        self.assertEqual(self.status_of(ok), "pending")

    def test_patch_body(self):
        cid = self.insert_comment(status="approved", slug=ZEPPELIN, body="Old " + self.word())
        self.public(ZEPPELIN)
        new = "New " + self.word()
        doc = self.json_of(self.api("PATCH", "/comments/%d" % cid, {"body": new}), 200)
        self.assertEqual((doc["body"], doc["status"]), (new, "approved"))
        self.assertIn(new, self.public(ZEPPELIN).text)
        log = self.log_rows(cid)
        self.assertEqual([(l[0], l[2] is not None, l[5], l[6]) for l in log],
                         [("queue-bot", True, "approved", "edited")])
        both = self.json_of(self.api("PATCH", "/comments/%d" % cid,
                                     {"body": new + " again", "status": "trash"}), 200)
        self.assertEqual((both["body"], both["status"]), (new + " again", "trash"))
        self.assertApiError(self.api("PATCH", "/comments/%d" % cid, {"body": ""}), 422, "body")
        self.assertApiError(self.api("PATCH", "/comments/%d" % cid,
                                     {"body": "fine", "status": "nope"}), 422, "status")
        self.assertEqual(self.row(cid)["body"], new + " again")     # nothing of a refused PATCH
        self.assertApiError(self.api("PATCH", "/comments/999999", {"body": "x"}), 404)


class SiteReplyEventsTest(NotifyTestCase):
    """The site's reply is an approved comment like any other: the webhook
    hears of it (and of the comment it approved on the way)."""

    def test_reply_and_its_approval_are_posted(self):
        cid, _ = self.post_comment()
        self.receiver.wait_for("comment.held", cid)
        r = self.request("POST", "/admin/api/comments/%d/replies" % cid,
                         body=json.dumps({"body": "Noted, thank you."}).encode(),
                         headers={"Authorization": "Bearer " + self.api_token(),
                                  "Content-Type": "application/json"})
        self.assertStatus(r, 201)
        reply = json.loads(r.body)["id"]
        self.assertEqual(self.receiver.wait_for("comment.approved", cid)[0]["json"]
                         ["comment"]["status"], "approved")
        ev = self.receiver.wait_for("comment.approved", reply)[0]
        self.assertTrue(ev["signature_ok"])
        self.assertEqual((ev["json"]["comment"]["by_site"], ev["json"]["comment"]["parent"]),
                         (True, cid))


if __name__ == "__main__":
    unittest.main()
