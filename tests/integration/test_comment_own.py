"""A commenter's own pending comment (CONTRACT.md, "What the commenter can do
afterwards"): Edit and Withdraw from the browser that sent it, within
--edit-minutes, while it is pending; nobody else, and nothing afterwards.
Against a real folio on either front (FOLIO_FRONT=http|fcgi)."""

import os
import shutil
import sqlite3
import tempfile
import time
import unittest
import urllib.parse

import harness
from test_admin import AdminCase
from comments_client import (SUMMIT, ZEPPELIN, CommentClient, DUPLICATE_MESSAGE, FORM_TYPE,
                             fresh_address, make_pending_list, pending_tag, sign, unique)

BASE_ARGS = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
             "--comment-rate", "0"]


class OwnClient(CommentClient):
    """The commenter's side: posting, and the edit and withdraw forms."""

    def post_own(self, slug=SUMMIT, **over):
        """Posts a comment; returns (id, the browser's cookie header, fields)."""
        f = self.fields(**over)
        r = self.post(slug, f)
        return self.posted_id(r), self.pending_cookie(r), f

    def own_path(self, slug, cid, what):
        return "/articles/%s/comments/%d/%s" % (slug, cid, what)

    def own_get(self, slug, cid, what, cookie=None):
        return self.get(self.own_path(slug, cid, what),
                        headers={"Cookie": cookie} if cookie else None)

    def own_post(self, slug, cid, what, fields, cookie=None, addr=None):
        h = {"Content-Type": FORM_TYPE, "X-Forwarded-For": addr or fresh_address()}
        if cookie:
            h["Cookie"] = cookie
        return self.request("POST", self.own_path(slug, cid, what),
                            body=urllib.parse.urlencode(fields).encode(), headers=h)

    def edit_token(self, slug, cid, cookie):
        r = self.own_get(slug, cid, "edit", cookie)
        self.assertStatus(r, 200)
        return self.form_fields(r)["token"]

    def withdraw_token(self, slug, cid, cookie):
        r = self.own_get(slug, cid, "withdraw", cookie)
        self.assertStatus(r, 200)
        form = r.html().find("form", id="withdrawform")
        self.assertIsNotNone(form, r.describe(3000))
        return form.find("input", name="token").get("value")

    def edit(self, slug, cid, cookie, token=True, **fields):
        if token is True:
            token = self.edit_token(slug, cid, cookie)
        if token is not None:
            fields["token"] = token
        return self.own_post(slug, cid, "edit", fields, cookie)

    def withdraw(self, slug, cid, cookie, token=True):
        if token is True:
            token = self.withdraw_token(slug, cid, cookie)
        return self.own_post(slug, cid, "withdraw", {"token": token} if token else {}, cookie)

    def log_rows(self, cid):
        with self.db() as conn:
            return conn.execute("SELECT * FROM moderation_log WHERE comment_id = ? ORDER BY id",
                                (cid,)).fetchall()

    def controls(self, page, cid):
        """The Edit and Withdraw links shown with comment cid: {text: href}."""
        el = self.comment_element(page.html(), cid)
        if el is None:
            return {}
        box = el.find("p", class_="comment-own-actions")
        return {a.norm_text(): a.get("href") for a in box.find_all("a")} if box else {}

    def set_row(self, cid, **values):
        conn = sqlite3.connect(self.server.db, timeout=30)
        try:
            with conn:
                for k, v in values.items():
                    conn.execute("UPDATE comments SET %s = ? WHERE id = ?" % k, (v, cid))
        finally:
            conn.close()

    def cookie_for(self, cid, created_at, email, key=None):
        """A folio_pending cookie signed with the server's key for this
        comment, as it would be after posting at created_at."""
        key = key or self.secret()
        return "folio_pending=" + make_pending_list(
            key, [(cid, pending_tag(key, cid, created_at, email))])

    def snapshot(self, cid):
        r = self.row(cid)
        return None if r is None else dict(r)

    def assertNothingChanges(self, cid, cookie, status, slug=SUMMIT):
        """Edit and withdraw, by GET and POST, each answer `status` and leave
        the comment and the log as they were."""
        before, log = self.snapshot(cid), len(self.log_rows(cid))
        for what in ("edit", "withdraw"):
            g = self.own_get(slug, cid, what, cookie)
            self.assertStatus(g, status, "GET %s" % what)
            self.assertNoLeak(g)
            p = self.own_post(slug, cid, what, {"author": "Mallory", "url": "",
                                                "comment": "changed " + unique(),
                                                "token": "x"}, cookie)
            self.assertStatus(p, status, "POST %s" % what)
            self.assertEqual(self.snapshot(cid), before)
        self.assertEqual(len(self.log_rows(cid)), log)


class OwnCommentTest(OwnClient, AdminCase):
    server_args = BASE_ARGS + ["--edit-minutes", "15"]

    # -- what the page shows ---------------------------------------------------------------

    def test_own_pending_comment_has_edit_and_withdraw_for_that_browser_only(self):
        cid, cookie, f = self.post_own()
        mine = self.article_page(SUMMIT, cookies=cookie)
        self.assertStatus(mine, 200)
        links = self.controls(mine, cid)
        self.assertEqual(links, {
            "Edit": self.server.path(self.own_path(SUMMIT, cid, "edit")),
            "Withdraw": self.server.path(self.own_path(SUMMIT, cid, "withdraw"))})
        cc = (mine.header("Cache-Control") or "").replace(" ", "").split(",")
        self.assertIn("no-store", cc)
        self.assertIn("private", cc)
        # Everyone else: the shared page, twice (the second from the page cache).
        for _ in range(2):
            theirs = self.article_page(SUMMIT)
            self.assertNotIn("comment-own-actions", theirs.text)
            self.assertNotIn(self.own_path(SUMMIT, cid, "edit"), theirs.text)
        # Another reader with a pending comment of their own: only their own controls.
        other, other_cookie, _ = self.post_own()
        page = self.article_page(SUMMIT, cookies=other_cookie)
        self.assertEqual(self.controls(page, cid), {})
        self.assertIn("Edit", self.controls(page, other))

    def test_edit_page_is_prefilled_and_private(self):
        cid, cookie, f = self.post_own(url="https://jane.example.org/")
        r = self.own_get(SUMMIT, cid, "edit", cookie)
        self.assertStatus(r, 200)
        self.assertIn("no-store", r.header("Cache-Control") or "")
        got = self.form_fields(r)
        self.assertEqual((got["comment"], got["author"], got["url"]),
                         (f["comment"], f["author"], f["url"]))
        self.assertTrue(got["token"])
        self.assertIn(f["email"], r.text)   # shown to its owner, not editable

    # -- edit --------------------------------------------------------------------------------

    def test_edit_changes_the_comment_and_the_log_says_so(self):
        cid, cookie, f = self.post_own()
        new = unique("Second thoughts")
        r = self.edit(SUMMIT, cid, cookie, author="Jane R.", url="https://jr.example.org/",
                      comment=new + "\r\n\r\nwith a paragraph")
        self.assertStatus(r, 303)
        self.assertTrue((r.header("Location") or "").endswith(
            "/articles/%s#comment-%d" % (SUMMIT, cid)))
        row = self.row(cid)
        self.assertEqual((row["author"], row["url"], row["body"], row["email"], row["status"]),
                         ("Jane R.", "https://jr.example.org/", new + "\n\nwith a paragraph",
                          f["email"], "pending"))
        log = self.log_rows(cid)
        self.assertEqual([(l["new_status"], l["old_status"], l["actor"], l["editor_id"],
                           l["token_id"]) for l in log],
                         [("edited", "pending", "Jane R.", None, None)])
        page = self.article_page(SUMMIT, cookies=cookie)
        self.assertIn(new, self.comment_element(page.html(), cid).norm_text())
        self.assertIn("Edit", self.controls(page, cid))   # still theirs to change

    def test_edit_goes_through_the_form_checks_and_keeps_the_text(self):
        cid, cookie, f = self.post_own()
        before = self.snapshot(cid)
        cases = [
            ({"author": "", "url": "", "comment": "kept text " + unique()}, "author"),
            ({"author": "Jane", "url": "ftp://x.example", "comment": "kept " + unique()}, "url"),
            ({"author": "Jane", "url": "", "comment": "x" * 8001}, "comment"),
            ({"author": "Jane", "url": "", "comment": "   "}, "comment"),
            ({"author": "Jane\x01", "url": "", "comment": "ctl " + unique()}, "author"),
        ]
        for fields, bad in cases:
            with self.subTest(bad=bad, fields=str(fields)[:60]):
                r = self.edit(SUMMIT, cid, cookie, **fields)
                self.assertStatus(r, 422)
                self.assertFieldError(r, bad)
                got = self.form_fields(r)
                self.assertEqual(got["comment"], fields["comment"])
                self.assertEqual(got["author"], fields["author"])
                self.assertTrue(got["token"], "a refused edit can be sent again")
                self.assertEqual(self.snapshot(cid), before)
        self.assertEqual(self.log_rows(cid), [])

    def test_edit_with_bytes_that_are_not_utf8_comes_back_repaired(self):
        cid, cookie, _ = self.post_own()
        before = self.snapshot(cid)
        token = self.edit_token(SUMMIT, cid, cookie)
        body = b"author=Jane&url=&comment=caf%E9+" + unique().encode() + b"&token=" + \
            token.encode()
        r = self.request("POST", self.own_path(SUMMIT, cid, "edit"), body=body,
                         headers={"Content-Type": FORM_TYPE, "Cookie": cookie})
        self.assertStatus(r, 422)
        self.assertIn("\ufffd", self.form_fields(r)["comment"])
        self.assertFieldError(r, "comment")
        self.assertEqual(self.snapshot(cid), before)

    def test_edit_into_a_duplicate_is_refused_with_the_text_kept(self):
        email = "dup+%s@example.org" % unique("d").replace(" ", "-")
        first, _, f1 = self.post_own(email=email)
        cid, cookie, _ = self.post_own(email=email)
        before = self.snapshot(cid)
        r = self.edit(SUMMIT, cid, cookie, author="Jane", url="", comment=f1["comment"])
        self.assertStatus(r, 409)
        self.assertIn(DUPLICATE_MESSAGE, self.form_message(r))
        self.assertEqual(self.form_fields(r)["comment"], f1["comment"])
        self.assertEqual(self.snapshot(cid), before)

    def test_edit_and_withdraw_without_the_form_token_change_nothing(self):
        cid, cookie, _ = self.post_own()
        other, other_cookie, _ = self.post_own()
        before = self.snapshot(cid)
        foreign = self.edit_token(SUMMIT, other, other_cookie)   # genuine, for another comment
        for token in (None, "", "forged", foreign, self.token_for(SUMMIT)):
            with self.subTest(token=token):
                r = self.edit(SUMMIT, cid, cookie, token=token, author="X", url="",
                              comment="csrf " + unique())
                self.assertStatus(r, 403)
                self.assertEqual(self.snapshot(cid), before)
                r = self.withdraw(SUMMIT, cid, cookie, token=token)
                self.assertStatus(r, 403)
                self.assertEqual(self.snapshot(cid), before)
        self.assertEqual(self.log_rows(cid), [])

    # -- withdraw ----------------------------------------------------------------------------

    def test_withdraw_confirms_then_deletes_and_logs_it_as_the_author(self):
        cid, cookie, f = self.post_own()
        confirm = self.own_get(SUMMIT, cid, "withdraw", cookie)
        self.assertStatus(confirm, 200)
        self.assertIn(f["comment"], confirm.html().norm_text())
        self.assertIsNotNone(self.status_of(cid), "a GET changes nothing")
        r = self.withdraw(SUMMIT, cid, cookie)
        self.assertStatus(r, 200)
        self.assertIn("withdrawn", r.html().norm_text())
        self.assertIsNone(self.row(cid))
        log = self.log_rows(cid)
        self.assertEqual([(l["old_status"], l["new_status"], l["actor"], l["editor_id"],
                           l["token_id"]) for l in log],
                         [("pending", "withdrawn", f["author"], None, None)])
        page = self.article_page(SUMMIT, cookies=cookie)
        self.assertIsNone(self.comment_element(page.html(), cid))
        # Again: nothing there any more.
        again = self.own_post(SUMMIT, cid, "withdraw", {"token": "x"}, cookie)
        self.assertStatus(again, 404)
        self.assertEqual(len(self.log_rows(cid)), 1)

    def test_the_editors_log_names_the_author(self):
        cid, cookie, f = self.post_own(author="Author %s" % unique("a").split()[-1])
        self.assertStatus(self.edit(SUMMIT, cid, cookie, author=f["author"], url="",
                                    comment="edited " + unique()), 303)
        self.assertStatus(self.withdraw(SUMMIT, cid, cookie), 200)
        session, _ = self.make_session("editor")
        page = self.admin_get("/admin/log", session)
        self.assertStatus(page, 200)
        rows = [tr.norm_text() for tr in page.html().find_all("tr")
                if "#%d" % cid in tr.norm_text()]
        self.assertEqual(len(rows), 2, page.describe(4000))
        withdrawn, edited = rows     # newest first
        self.assertIn(f["author"] + " (the comment's author)", withdrawn)
        self.assertIn("pending → withdrawn", withdrawn)
        self.assertIn("text edited (pending)", edited)
        self.assertIn("(the comment's author)", edited)

    # -- the access matrix -------------------------------------------------------------------

    def test_another_browser_cannot(self):
        cid, cookie, f = self.post_own()
        self.assertNothingChanges(cid, None, 403)
        r = self.own_get(SUMMIT, cid, "edit")
        self.assertNotIn(f["comment"], r.text)
        self.assertNotIn(f["email"], r.text)

    def test_a_forged_or_altered_cookie_cannot(self):
        cid, cookie, f = self.post_own()
        value = cookie.split("=", 1)[1]
        flipped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
        wrong_key = make_pending_list(b"k" * 32, [(cid, 1)])
        created = self.row(cid)["created_at"]
        wrong_tag = self.cookie_for(cid, created, "someone@example.org")
        for bad in ("folio_pending=" + flipped, "folio_pending=" + wrong_key, wrong_tag,
                    "folio_pending=garbage"):
            with self.subTest(cookie=bad[:40]):
                self.assertNothingChanges(cid, bad, 403)

    def test_another_comments_cookie_cannot(self):
        cid, cookie, _ = self.post_own()
        other, other_cookie, _ = self.post_own()
        # the other comment's cookie, and this cookie with the id in the address altered
        self.assertNothingChanges(cid, other_cookie, 403)
        self.assertNothingChanges(other, cookie, 403)

    def test_the_wrong_article_is_not_found(self):
        cid, cookie, _ = self.post_own(slug=SUMMIT)
        self.assertNothingChanges(cid, cookie, 404, slug=ZEPPELIN)
        self.assertNothingChanges(cid, cookie, 404, slug="no-such-article")

    def test_after_the_window_the_controls_go_and_nothing_changes(self):
        cid, cookie, f = self.post_own()
        old = int(time.time()) - 16 * 60
        self.set_row(cid, created_at=old)
        late = self.cookie_for(cid, old, f["email"])
        page = self.article_page(SUMMIT, cookies=late)
        self.assertIsNotNone(self.comment_element(page.html(), cid), "still shown as pending")
        self.assertEqual(self.controls(page, cid), {})
        self.assertNothingChanges(cid, late, 403)
        # The refusal still gives back what they typed.
        r = self.own_post(SUMMIT, cid, "edit", {"author": "Jane", "url": "",
                                                "comment": "too late text"}, late)
        self.assertEqual(self.form_fields(r)["comment"], "too late text")
        self.assertIn("passed", self.form_message(r))

    def test_once_moderated_the_controls_go_and_nothing_changes(self):
        for status in ("approved", "spam", "trash"):
            with self.subTest(status=status):
                cid, cookie, _ = self.post_own()
                self.set_row(cid, status=status)
                page = self.article_page(SUMMIT, cookies=cookie)
                self.assertEqual(self.controls(page, cid), {})
                self.assertNothingChanges(cid, cookie, 409)

    def test_approved_between_the_form_and_the_post(self):
        cid, cookie, _ = self.post_own()
        token = self.edit_token(SUMMIT, cid, cookie)
        wtoken = self.withdraw_token(SUMMIT, cid, cookie)
        self.approve(cid)
        before = self.snapshot(cid)
        r = self.edit(SUMMIT, cid, cookie, token=token, author="X", url="",
                      comment="late " + unique())
        self.assertStatus(r, 409)
        self.assertStatus(self.withdraw(SUMMIT, cid, cookie, token=wtoken), 409)
        self.assertEqual(self.snapshot(cid), before)


class NoEditTest(OwnClient, harness.FolioTestCase):
    """--edit-minutes 0: nobody may change a comment once sent."""
    server_args = BASE_ARGS + ["--edit-minutes", "0"]

    def test_no_controls_and_refused(self):
        cid, cookie, _ = self.post_own()
        page = self.article_page(SUMMIT, cookies=cookie)
        self.assertIsNotNone(self.comment_element(page.html(), cid))
        self.assertEqual(self.controls(page, cid), {})
        self.assertNothingChanges(cid, cookie, 403)


class EditKeysTest(OwnClient, harness.FolioTestCase):
    """An edit meets the key lists and --moderation first as a new comment does."""

    @classmethod
    def setUpClass(cls):
        cls.keys_dir = tempfile.mkdtemp(prefix="folio-keys-")
        cls.addClassCleanup(shutil.rmtree, cls.keys_dir, True)
        mod = os.path.join(cls.keys_dir, "moderation.txt")
        bad = os.path.join(cls.keys_dir, "disallowed.txt")
        with open(mod, "w") as f:
            f.write("hold-me\n")
        with open(bad, "w") as f:
            f.write("casino bonus\n")
        cls.server_args = BASE_ARGS + ["--moderation", "first", "--moderation-keys", mod,
                                       "--disallowed-keys", bad]
        super().setUpClass()

    def known_commenter(self):
        who = {"author": "Known %s" % unique("k").split()[-1],
               "email": "known+%s@example.org" % unique("k").split()[-1]}
        cid = self.posted_id(self.post(SUMMIT, self.fields(comment="hold-me " + unique(),
                                                           **who)))
        self.approve(cid)
        return who

    def test_a_disallowed_word_sends_the_edit_to_spam(self):
        cid, cookie, _ = self.post_own(comment="hold-me " + unique())
        r = self.edit(SUMMIT, cid, cookie, author="Jane", url="",
                      comment="casino bonus " + unique())
        self.assertStatus(r, 303)     # answered like any edit
        self.assertEqual(self.status_of(cid), "spam")
        self.assertEqual(self.row(cid)["previous_status"], "pending")

    def test_a_moderation_word_keeps_a_known_commenter_held(self):
        who = self.known_commenter()
        cid, cookie, _ = self.post_own(comment="hold-me " + unique(), **who)
        self.assertEqual(self.status_of(cid), "pending")
        r = self.edit(SUMMIT, cid, cookie, author=who["author"], url="",
                      comment="still hold-me " + unique())
        self.assertStatus(r, 303)
        self.assertEqual(self.status_of(cid), "pending")

    def test_a_known_commenter_without_the_word_is_approved_as_a_new_comment_would_be(self):
        who = self.known_commenter()
        cid, cookie, _ = self.post_own(comment="hold-me " + unique(), **who)
        r = self.edit(SUMMIT, cid, cookie, author=who["author"], url="",
                      comment="fine now " + unique())
        self.assertStatus(r, 303)
        self.assertEqual(self.status_of(cid), "approved")
        self.assertIn("fine now", self.article_page(SUMMIT).text)


if __name__ == "__main__":
    unittest.main()
