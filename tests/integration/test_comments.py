"""The comment form of CONTRACT.md ("The comment form" and its table of
cases), against a real folio on either front (FOLIO_FRONT=http|fcgi).

Most classes run with --min-submit-seconds 0 and --trusted-proxy 127.0.0.1,
each post from an address of its own (X-Forwarded-For), so that the
"too fast" rule and the rate limit are tested only where they are meant to be.
"""

import concurrent.futures
import html
import os
import re
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import harness
from comments_client import (comment_author, reply_link, CLOSED, DRAFT, DUPLICATE_MESSAGE, SUMMIT, ZEPPELIN,
                             CommentClient, cookies_set, fresh_address, make_id_list,
                             make_pending_list, make_token, pending_tag, sign, unique)

BASE_ARGS = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0"]
# The production setting (running.md): without it an article page carries the
# request's Host in its share links and is sent private, never shared.
BASE_URL_ARGS = ["--base-url", "http://localhost"]
ATOM = "{http://www.w3.org/2005/Atom}"


def comment_text(el):
    """A comment's text: the <div> among its own children (comment.html)."""
    return next(c for c in el.children if getattr(c, "tag", None) == "div")


class CommentFormTest(CommentClient, harness.FolioTestCase):
    server_args = BASE_ARGS + BASE_URL_ARGS + ["--comment-rate", "0"]

    # -- valid ---------------------------------------------------------------------------

    def test_valid_comment_is_stored_pending_and_answered_303(self):
        f = self.fields(url="https://jane.example.org/")
        r = self.post(SUMMIT, f, headers={"User-Agent": "TestBrowser/1.0"})
        cid = self.posted_id(r, SUMMIT)
        self.assertEqual(r.body, b"")
        row = self.row(cid)
        self.assertEqual(row["status"], "pending")
        self.assertEqual((row["author"], row["email"], row["url"], row["body"]),
                         (f["author"], f["email"], f["url"], f["comment"]))
        self.assertEqual(row["user_agent"], "TestBrowser/1.0")
        self.assertRegex(row["ip"], r"^198\.18\.")
        self.assertLessEqual(abs(row["created_at"] - time.time()), 5)
        self.assertEqual(row["parent_id"], None)

    def test_values_are_trimmed_and_line_ends_normalised(self):
        f = self.fields(author="  Spacey  ", email=" sp@example.org ",
                        comment="  first line\r\nsecond line\r\n\r\n")
        cid = self.posted_id(self.post(SUMMIT, f))
        row = self.row(cid)
        self.assertEqual((row["author"], row["email"], row["body"]),
                         ("Spacey", "sp@example.org", "first line\nsecond line"))

    def test_own_pending_comment_is_shown_only_to_its_author(self):
        f = self.fields()
        r = self.post(SUMMIT, f)
        cid = self.posted_id(r)
        cookie = self.pending_cookie(r)
        mine = self.article_page(SUMMIT, cookies=cookie)
        self.assertStatus(mine, 200)
        cc = (mine.header("Cache-Control") or "").replace(" ", "").lower()
        self.assertIn("private", cc.split(","))
        self.assertIn("no-store", cc.split(","))
        el = self.comment_element(mine.html(), cid)
        self.assertIsNotNone(el, "own pending comment not shown")
        self.assertIn("Your comment is awaiting moderation.", el.norm_text())
        self.assertIn(f["comment"], el.norm_text())
        # Anyone else: not there, and the page is the shared, cacheable one.
        theirs = self.article_page(SUMMIT)
        self.assertIsNone(self.comment_element(theirs.html(), cid))
        self.assertNotIn(f["comment"], theirs.text)
        self.assertNotIn("private", (theirs.header("Cache-Control") or ""))
        self.assertTrue(theirs.header("ETag"))
        # Another reader's cookie, or a forged one, shows nothing either.
        other = self.post(SUMMIT, self.fields())
        self.assertNotIn(f["comment"], self.article_page(
            SUMMIT, cookies=self.pending_cookie(other)).text)
        forged = "folio_pending=" + make_id_list(b"k" * 32, [cid])
        self.assertNotIn(f["comment"], self.article_page(SUMMIT, cookies=forged).text)

    def test_pending_cookie_lists_several_and_is_scoped(self):
        r1 = self.post(SUMMIT, self.fields())
        id1 = self.posted_id(r1)
        r2 = self.post(ZEPPELIN, self.fields(), cookies=self.pending_cookie(r1))
        id2 = self.posted_id(r2)
        value, attrs = cookies_set(r2)["folio_pending"]
        self.assertEqual(attrs.get("path"), "/")
        self.assertIn("httponly", attrs)
        self.assertEqual(str(attrs.get("samesite")).lower(), "lax")
        self.assertNotIn("secure", attrs)     # plain HTTP here
        self.assertTrue(86400 <= int(attrs.get("max-age")) <= 3 * 86400, attrs)
        cookie = "folio_pending=" + value
        self.assertIsNotNone(self.comment_element(
            self.article_page(SUMMIT, cookies=cookie).html(), id1))
        self.assertIsNotNone(self.comment_element(
            self.article_page(ZEPPELIN, cookies=cookie).html(), id2))

    def test_approved_comment_is_shown_to_everyone(self):
        f = self.fields(url="http://reader.example.net/blog")
        cid = self.posted_id(self.post(ZEPPELIN, f))
        before = self.article_page(ZEPPELIN)
        self.approve(cid)
        r = self.article_page(ZEPPELIN)
        self.assertNotEqual(r.header("ETag"), before.header("ETag"),
                            "ETag unchanged after a comment was approved")
        doc = r.html()
        el = self.comment_element(doc, cid)
        self.assertIsNotNone(el)
        self.assertTrue(el.is_inside(doc.find("section", id="comments")))
        self.assertNotIn("awaiting moderation", el.norm_text())
        link = [a for a in el.find_all("a") if a.get("href") == f["url"]]
        self.assertEqual(len(link), 1, "author not linked to their url")
        # noopener only matters beside target=_blank, which folio never writes
        self.assertEqual(set(link[0].get("rel").split()), {"nofollow", "ugc"})
        self.assertEqual(link[0].norm_text(), f["author"])
        self.assertNotIn(f["email"], r.text, "the email is shown to readers")
        reply = [a for a in el.find_all("a") if "replytocom=%d" % cid in (a.get("href") or "")]
        self.assertTrue(reply, "no reply link")
        self.assertTrue(reply[0].get("href").endswith("?replytocom=%d#respond" % cid))

    def test_comment_text_is_plain_text(self):
        text = ("First paragraph with <b>bold</b> & an URL https://example.org/x?a=1&b=2.\n"
                "Same paragraph, next line.\n\nSecond paragraph.")
        cid = self.posted_id(self.post(ZEPPELIN, self.fields(comment=text)))
        self.approve(cid)
        el = self.comment_element(self.article_page(ZEPPELIN).html(), cid)
        content = comment_text(el)
        paras = content.find_all("p")
        self.assertEqual(len(paras), 2)
        self.assertEqual(len(paras[0].find_all("br")), 1)
        self.assertEqual(paras[0].find_all("b"), [])
        self.assertIn("<b>bold</b> & an URL", paras[0].text())
        links = paras[0].find_all("a")
        self.assertEqual([a.get("href") for a in links], ["https://example.org/x?a=1&b=2"])
        self.assertEqual(set(links[0].get("rel").split()), {"nofollow", "ugc"})

    def test_more_links_than_max_links_is_held(self):
        text = unique("links") + " http://a.example/ https://b.example/ http://c.example/"
        cid = self.posted_id(self.post(SUMMIT, self.fields(comment=text)))
        self.assertEqual(self.status_of(cid), "pending")

    def test_url_scheme_in_any_case(self):
        cid = self.posted_id(self.post(SUMMIT, self.fields(url="HTTPS://Example.org/Path")))
        self.assertEqual(self.row(cid)["url"], "HTTPS://Example.org/Path")

    def test_unknown_fields_and_charset_are_accepted(self):
        f = self.fields(submit="Post Comment", comment_post_ID="3")
        self.posted_id(self.post(SUMMIT, f,
                                 content_type="application/x-www-form-urlencoded; charset=UTF-8"))
        self.posted_id(self.post(SUMMIT, self.fields(),
                                 content_type="Application/X-WWW-Form-URLEncoded"))

    def test_limits_are_inclusive(self):
        f = self.fields(author="a" * 100, comment="é" * 7990 + unique("")[-10:],
                        url="https://example.org/" + "p" * 180,
                        email="x" * 240 + "@example.org")
        self.assertEqual(len(f["url"]), 200)
        self.assertEqual(len(f["email"]), 252)
        cid = self.posted_id(self.post(SUMMIT, f))
        self.assertEqual(len(self.row(cid)["body"]), 8000)

    # -- a field invalid: 422, a message at each bad field, every value kept ----------

    INVALID = [
        ("author", {"author": ""}),
        ("author", {"author": "   "}),
        ("author", {"author": "n" * 101}),
        ("author", {"author": "bell\x07name"}),
        ("email", {"email": ""}),
        ("email", {"email": "not-an-email"}),
        ("email", {"email": "@example.org"}),
        ("email", {"email": "jane@"}),
        ("email", {"email": "a@b@example.org"}),
        ("email", {"email": "jane doe@example.org"}),
        ("email", {"email": "x" * 250 + "@example.org"}),
        ("url", {"url": "example.org"}),
        ("url", {"url": "ftp://example.org/"}),
        ("url", {"url": "javascript:alert(1)"}),
        ("url", {"url": "http://"}),
        ("url", {"url": "https://example.org/" + "p" * 181}),
        ("url", {"url": "https://exa mple.org/"}),
        ("comment", {"comment": ""}),
        ("comment", {"comment": " \r\n\t "}),
        ("comment", {"comment": "x" * 8001}),
        ("comment", {"comment": "escape \x1b[31m red"}),
    ]

    def test_each_invalid_field_is_422_with_message_and_values_kept(self):
        for field, over in self.INVALID:
            with self.subTest(field=field, value=repr(over[field])[:40]):
                f = self.fields(url="https://kept.example.org/", **{})
                f.update(over)
                r = self.post(SUMMIT, f)
                self.assertStatus(r, 422)
                self.assertFieldError(r, field)
                for other in ("author", "email", "url", "comment"):
                    if other != field:
                        self.assertNoFieldError(r, other)
                self.assertKept(r, f)
                self.assertTrue(self.form_message(r))
                self.assertEqual(self.rows_with_body(f["comment"]), [])
                self.assertNoLeak(r)

    def test_all_fields_invalid_at_once(self):
        f = {"author": "", "email": "nope", "url": "mailto:x@y", "comment": "", "hp": ""}
        r = self.post(SUMMIT, f)
        self.assertStatus(r, 422)
        for field in ("author", "email", "url", "comment"):
            self.assertFieldError(r, field)
        self.assertKept(r, f)
        # The refused page is the reader's own: never shared.
        self.assertIn("no-store", r.header("Cache-Control") or "")

    def test_kept_values_are_escaped(self):
        f = self.fields(author='Jo "the <b>" O\'Neil & `co`', email="bad",
                        url='https://x.example/"><script>alert(1)</script>',
                        comment='</textarea><script>alert(1)</script> & "quotes"')
        r = self.post(SUMMIT, f)
        self.assertStatus(r, 422)
        self.assertKept(r, f)
        self.assertEqual(harness.executable_scripts(r.html()), [])
        self.assertNotIn("<script>", r.text)

    # -- parents -------------------------------------------------------------------------

    def test_comment_parent_must_be_an_approved_comment_of_the_same_article(self):
        pending = self.posted_id(self.post(SUMMIT, self.fields()))
        elsewhere = self.posted_id(self.post(ZEPPELIN, self.fields()))
        self.approve(elsewhere)
        for parent in (str(pending), str(elsewhere), "999999", "abc", "-1", "1e3", "0x10",
                       " 1", "01"):
            with self.subTest(parent=parent):
                f = self.fields(comment_parent=parent)
                r = self.post(SUMMIT, f)
                self.assertStatus(r, 422)
                self.assertTrue(self.form_message(r))
                self.assertKept(r, f)
                self.assertEqual(self.rows_with_body(f["comment"]), [])
        for parent in ("0", ""):
            with self.subTest(parent=parent):
                cid = self.posted_id(self.post(SUMMIT, self.fields(comment_parent=parent)))
                self.assertIsNone(self.row(cid)["parent_id"])
        f = self.fields()
        del f["comment_parent"]
        self.assertIsNone(self.row(self.posted_id(self.post(SUMMIT, f)))["parent_id"])

    def test_reply_links_of_a_refused_forms_page_lead_to_the_reply_form(self):
        # Reply links are relative (?replytocom=N#respond); on the page a
        # refused comment gets back, they resolve against the form's address.
        parent = self.posted_id(self.post(ZEPPELIN, self.fields(author="Asked Again")))
        self.approve(parent)
        refused = self.post(ZEPPELIN, self.fields(email="not an email"))
        self.assertStatus(refused, 422)
        link = reply_link(self.comment_element(refused.html(), parent))
        href = urllib.parse.urljoin(self.server.path("/articles/%s/comments" % ZEPPELIN),
                                    link.get("href"))
        r = self.get(href.split("#")[0], base=False)
        self.assertStatus(r, 303)
        target = urllib.parse.urlsplit(r.header("Location"))
        self.assertEqual((target.path, target.query, target.fragment),
                         (self.server.path("/articles/" + ZEPPELIN), "replytocom=%d" % parent,
                          "respond"))
        page = self.get_ok(target.path + "?" + target.query, base=False)
        self.assertEqual(self.form_fields(page)["comment_parent"], str(parent))

    def test_replies_nest_under_their_parent(self):
        parent = self.posted_id(self.post(ZEPPELIN, self.fields(author="Parent Poster")))
        self.approve(parent)
        page = self.article_page(ZEPPELIN, query="?replytocom=%d" % parent)
        self.assertStatus(page, 200)
        form = self.form_fields(page)
        self.assertEqual(form["comment_parent"], str(parent))
        title = page.html().find("h3", id="reply-title").norm_text()
        self.assertIn("Leave a Reply to Parent Poster", title)
        cancel = page.html().find("a", id="cancel-comment-reply-link")
        self.assertIsNotNone(cancel)
        self.assertTrue(cancel.get("href").endswith("#respond"))
        # Each reply to the one before: five levels nest, the sixth stays at five.
        chain = [parent]
        for depth in range(2, 7):
            cid = self.posted_id(self.post(ZEPPELIN, self.fields(
                author="Level %d" % depth, comment_parent=str(chain[-1]))))
            self.assertEqual(self.row(cid)["parent_id"], chain[-1])
            self.approve(cid)
            chain.append(cid)
        doc = self.article_page(ZEPPELIN).html()
        els = [self.comment_element(doc, c) for c in chain]
        for i in range(1, 5):
            self.assertTrue(els[i].is_inside(els[i - 1]),
                            "comment %d not inside its parent" % chain[i])
        self.assertFalse(els[5].is_inside(els[4]), "a sixth level")
        self.assertTrue(els[5].is_inside(els[3]))
        # A reply link on an unknown comment sets up nothing.
        form = self.form_fields(self.article_page(ZEPPELIN, query="?replytocom=999999"))
        self.assertEqual(form["comment_parent"], "0")

    # -- the other rows of the table --------------------------------------------------------

    def test_unknown_or_draft_article_is_404(self):
        for slug in (DRAFT, "no-such-article"):
            with self.subTest(slug=slug):
                r = self.post(slug, self.fields(), token=None)
                self.assertStatus(r, 404)
                self.assertNoLeak(r)
        self.assertEqual(self.rows_with_body("never"), [])

    def test_closed_article_is_403_with_the_text_kept(self):
        f = self.fields(comment="My words <must> survive & stay",
                        url="https://kept.example.org/")
        r = self.post(CLOSED, f, token=self.token_for(SUMMIT))
        self.assertStatus(r, 403)
        area = r.html().find("textarea")
        self.assertIsNotNone(area, "text not kept:\n" + r.describe(3000))
        self.assertEqual(area.text(), f["comment"])
        self.assertIn("closed", self.form_message(r).lower())
        self.assertEqual(self.rows_with_body(f["comment"]), [])
        # In the form, as the contract says, every value with it; nothing
        # there to send it with, and the page is the reader's own.
        self.assertKept(r, f)
        form = r.html().find("form", id="commentform")
        self.assertIsNotNone(form.parent.find("p", class_="form-message"))
        self.assertEqual(form.find_all("button"), [])
        self.assertIn("no-store", r.header("Cache-Control") or "")
        # Everyone else sees a closed article without a form.
        page = self.article_page(CLOSED)
        self.assertIsNone(page.html().find("form", id="commentform"))
        self.assertIn("Comments are closed.", page.html().norm_text())

    def test_form_served_before_comments_closed_or_the_article_went(self):
        """A form in order is stored on the strength of the article its
        signed token names (comment_post.c); the store must then find the
        address still leading to it, published and open, as it writes."""
        for slug, change, status in ((ZEPPELIN, "comments_open = 0", 403),
                                     (SUMMIT, "status = 'draft'", 404)):
            with self.subTest(change=change):
                token = self.token_for(slug)
                with self.db() as conn:
                    before = conn.execute("SELECT comments_open, status FROM articles "
                                          "WHERE slug = ?", (slug,)).fetchone()
                    conn.execute("UPDATE articles SET %s WHERE slug = ?" % change, (slug,))
                try:
                    f = self.fields(comment=unique("Typed <before> & kept"))
                    r = self.post(slug, f, token=token)
                    self.assertStatus(r, status)
                    self.assertEqual(self.rows_with_body(f["comment"]), [])
                    if status == 403:
                        self.assertKept(r, f)
                finally:
                    with self.db() as conn:
                        conn.execute("UPDATE articles SET comments_open = ?, status = ? "
                                     "WHERE slug = ?",
                                     (before["comments_open"], before["status"], slug))
                # open again: the same form goes through
                self.posted_id(self.post(slug, self.fields(), token=token), slug)

    # -- a refused form: the reader lands at the form -------------------------------------

    def assertLandsAtTheForm(self, r):
        """The refused answer is the article with the message at the form, and
        the form's address carries #respond, which browsers keep across the
        POST, so the page opens at the form rather than at the headline."""
        doc = r.html()
        respond = doc.find("div", id="respond")
        self.assertIsNotNone(respond, r.describe(3000))
        message = doc.find("p", class_="form-message")
        self.assertIsNotNone(message, "no message")
        self.assertTrue(message.is_inside(respond), "the message is not at the form")
        form = doc.find("form", id="commentform")
        self.assertTrue(form.is_inside(respond))
        self.assertTrue(form.get("action").endswith("/comments#respond"), form.get("action"))
        for err in doc.find_all("span", class_="field-error"):
            self.assertTrue(err.is_inside(form))

    def test_refusals_land_at_the_form(self):
        self.assertLandsAtTheForm(self.post(SUMMIT, self.fields(email="nope")))
        self.assertLandsAtTheForm(self.post(SUMMIT, self.fields(), token="forged"))
        self.assertLandsAtTheForm(self.post(CLOSED, self.fields(),
                                            token=self.token_for(SUMMIT)))
        f = self.fields()
        self.posted_id(self.post(SUMMIT, f))
        dup = self.post(SUMMIT, f)
        self.assertStatus(dup, 409)
        self.assertLandsAtTheForm(dup)
        # The form on every article page posts to the same address.
        form = self.article_page(SUMMIT).html().find("form", id="commentform")
        self.assertEqual(form.get("action"), "/articles/%s/comments#respond" % SUMMIT)

    def test_get_of_the_form_address_leads_back_to_the_form(self):
        for method in ("GET", "HEAD"):
            with self.subTest(method=method):
                r = self.request(method, "/articles/%s/comments" % SUMMIT)
                self.assertStatus(r, 303)
                self.assertEqual(r.header("Location"), "/articles/%s#respond" % SUMMIT)
                self.assertEqual(r.body, b"")
        r = self.get("/articles/%s/comments?x=1" % CLOSED)
        self.assertStatus(r, 303)
        self.assertEqual(r.header("Location"), "/articles/%s#respond" % CLOSED)
        for slug in (DRAFT, "no-such-article"):
            with self.subTest(slug=slug):
                r = self.get("/articles/%s/comments" % slug)
                self.assertStatus(r, 404)
                self.assertNoLeak(r)
        for method in ("PUT", "DELETE", "PATCH"):
            with self.subTest(method=method):
                r = self.request(method, "/articles/%s/comments" % SUMMIT, body=b"")
                self.assertStatus(r, 405)
                allow = {m.strip() for m in (r.header("Allow") or "").split(",")}
                self.assertEqual(allow, {"GET", "HEAD", "POST"})

    def test_duplicate_is_409_with_the_text_kept(self):
        f = self.fields()
        self.posted_id(self.post(SUMMIT, f))
        again = dict(f, author="Someone Else")
        r = self.post(SUMMIT, again)
        self.assertStatus(r, 409)
        self.assertIn(DUPLICATE_MESSAGE, r.html().norm_text())
        self.assertKept(r, again)
        self.assertEqual(len(self.rows_with_body(f["comment"])), 1)
        # The same words from another email, or on another article, are no duplicate.
        self.posted_id(self.post(SUMMIT, dict(f, email="other@example.org")))
        self.posted_id(self.post(ZEPPELIN, f))

    def test_honeypot_is_stored_as_spam_and_answered_like_a_valid_comment(self):
        good = self.post(SUMMIT, self.fields())
        f = self.fields(hp="http://spam.example/")
        bad = self.post(SUMMIT, f)
        cid = self.posted_id(bad, SUMMIT)
        self.assertEqual(self.status_of(cid), "spam")
        self.assertEqual(bad.status, good.status)
        self.assertEqual(sorted(cookies_set(bad)), sorted(cookies_set(good)))
        self.assertEqual(sorted(k.lower() for k, _ in bad.header_items() if k.lower() != "date"),
                         sorted(k.lower() for k, _ in good.header_items() if k.lower() != "date"))
        self.assertEqual(bad.body, good.body)
        # Its sender sees it as awaiting moderation, exactly like a valid
        # comment (a bot cannot tell it was caught); nobody else sees it.
        page = self.article_page(SUMMIT, cookies=self.pending_cookie(bad))
        self.assertIn(f["comment"], page.text)
        self.assertIn("Your comment is awaiting moderation.", page.text)
        self.assertIn("private", page.header("Cache-Control") or "")
        self.assertNotIn(f["comment"], self.article_page(SUMMIT).text)

    def test_body_over_64_kib_is_413(self):
        f = self.fields(comment="x" * (64 * 1024))
        r = self.post(SUMMIT, f)
        self.assertStatus(r, 413)
        self.assertNoLeak(r)
        # Just under the limit is read (and here refused for its length).
        f = self.fields(comment="y" * 9000)
        body = urllib.parse.urlencode(f).encode()
        body += b"&pad=" + b"z" * (64 * 1024 - len(body) - 5 - 200)
        self.assertLessEqual(len(body), 64 * 1024)
        self.assertStatus(self.post(SUMMIT, f, body=body + b"&token=" +
                                    self.token_for(SUMMIT).encode()), 422)

    def test_body_over_1_mib_is_413(self):
        r = self.post(SUMMIT, body=b"comment=" + b"x" * (1024 * 1024 + 10), token=None)
        self.assertStatus(r, 413)

    def test_other_content_types_are_415(self):
        body = "author=a&email=a%40b&comment=hello"
        for ct in ("text/plain", "multipart/form-data; boundary=xyz", "application/json",
                   "application/x-www-form-urlencodedx", "", None):
            with self.subTest(content_type=ct):
                r = self.post(SUMMIT, body=body.encode(), content_type=ct, token=None)
                self.assertStatus(r, 415)
                self.assertNoLeak(r)

    def test_malformed_bodies_are_400_with_the_article_page(self):
        token = self.token_for(SUMMIT)
        base = "author=Jane&email=j%40example.org&token=" + token
        for name, tail in (("bad percent", "&comment=100%zz"),
                           ("truncated percent", "&comment=abc%4"),
                           ("invalid utf-8 in a name", "&com%C3%28ment=a"),
                           ("nul", "&comment=a%00b"),
                           ("nul in name", "&com%00ment=a"),
                           ("repeated field", "&comment=a&comment=b"),
                           ("repeated author", "&comment=a&author=b")):
            with self.subTest(case=name):
                r = self.post(SUMMIT, body=(base + tail).encode("latin-1"), token=None)
                self.assertStatus(r, 400)
                doc = r.html()
                self.assertIsNotNone(doc.find("h1"), "not the article page")
                self.assertIsNotNone(doc.find("form", id="commentform"))
                self.assertTrue(self.form_message(r), "no message")
                self.assertNoLeak(r)

    def test_invalid_utf8_is_422_with_the_text_kept_and_repaired(self):
        cases = (("comment", "invalid utf-8", b"Caf\xc3( au lait"),
                 ("comment", "overlong /", b"a\xc0\xafb"),
                 ("comment", "overlong NUL", b"a\xc0\x80b"),
                 ("comment", "surrogate", b"x\xed\xa0\x80y"),
                 ("comment", "truncated", b"euro \xe2\x82 sign"),
                 ("comment", "past U+10FFFF", b"\xf4\x90\x80\x80!"),
                 ("comment", "latin-1", b"caf\xe9"),
                 ("author", "latin-1 name", b"Jos\xe9"),
                 ("url", "latin-1 url", b"https://example.org/caf\xe9"))
        for field, name, raw in cases:
            for encoded in (True, False):
                with self.subTest(case=name, percent_encoded=encoded):
                    f = self.fields(url="https://kept.example.org/")
                    f[field] = "PLACEHOLDER"
                    f["token"] = self.token_for(SUMMIT)
                    value = urllib.parse.quote_from_bytes(raw).encode() if encoded else raw.replace(
                        b"&", b"%26").replace(b"+", b"%2B").replace(b" ", b"+")
                    body = urllib.parse.urlencode(f).encode().replace(b"PLACEHOLDER", value)
                    r = self.post(SUMMIT, body=body, token=None)
                    self.assertStatus(r, 422)
                    self.assertIn("could not be read", self.assertFieldError(r, field))
                    kept = dict(f, **{field: raw.decode("utf-8", "replace")})
                    self.assertIn("\ufffd", kept[field])
                    self.assertKept(r, kept)
                    for other in ("author", "email", "url", "comment"):
                        if other != field:
                            self.assertNoFieldError(r, other)
                    self.assertNoLeak(r)
        self.assertEqual(self.rows_with_body(raw.decode("utf-8", "replace")), [])

    def test_garbage_never_causes_a_server_error(self):
        token = self.token_for(SUMMIT)
        bodies = [b"", b"&", b"=", b"&&&==&", b"%", b"%%%%", b"+" * 1000,
                  b"comment", b"comment=", b"a=b=c=d", b"\xff\xfe\x00\x01",
                  b"x=" + b"%41" * 20000, b"&".join(b"f%d=1" % i for i in range(200)),
                  ("author=a&email=a%40b&comment=ok&comment_parent=99999999999999999999"
                   "&token=" + token).encode(),
                  ("author=a&email=a%40b&comment=ok&token=" + token + "x").encode(),
                  ("author=a&email=a%40b&comment=ok&token=" + "A" * 5000).encode()]
        for body in bodies:
            with self.subTest(body=body[:30]):
                r = self.post(SUMMIT, body=body, token=None)
                self.assertIn(r.status, (400, 413, 422), r.describe(500))
                self.assertNoLeak(r)

    # -- the token -------------------------------------------------------------------------

    def assertSendAgain(self, r, f, old_token):
        self.assertStatus(r, 422)
        self.assertIn("again", self.form_message(r).lower())
        self.assertKept(r, f)
        new = self.form_fields(r)["token"]
        self.assertTrue(new)
        self.assertNotEqual(new, old_token)
        self.assertEqual(self.rows_with_body(f["comment"]), [])
        return new

    def test_missing_forged_or_stale_token_is_422_asking_to_send_again(self):
        art = self.article_id(SUMMIT)
        now = time.time()
        wrong_key = b"not the server's secret, forged!"
        cases = {
            "missing": None,
            "empty": "",
            "garbage": "not-a-token",
            "wrong key": make_token(wrong_key, art, now - 60),
            "wrong key, expired": make_token(wrong_key, art, now - 25 * 3600),
            "another article": make_token(self.secret(), self.article_id(ZEPPELIN), now - 60),
            "expired (real key)": make_token(self.secret(), art, now - 24 * 3600 - 60),
            "from the future": make_token(self.secret(), art, now + 3600),
        }
        for name, token in cases.items():
            with self.subTest(token=name):
                f = self.fields()
                r = self.post(SUMMIT, f, token=token)
                new = self.assertSendAgain(r, f, token)
                # The fresh form works at once (min-submit-seconds is 0 here).
                self.posted_id(self.post(SUMMIT, f, token=new))
        # A genuine token a day old, less a minute, still works.
        self.posted_id(self.post(SUMMIT, self.fields(),
                                 token=make_token(self.secret(), art, now - 24 * 3600 + 60)))

    def test_a_token_tampered_with_is_refused(self):
        token = self.token_for(SUMMIT)
        for i in (0, len(token) // 2, len(token) - 1):
            bad = token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1:]
            with self.subTest(position=i):
                f = self.fields()
                self.assertSendAgain(self.post(SUMMIT, f, token=bad), f, bad)

    # -- counts and the feed -------------------------------------------------------------

    def test_counts_and_comment_feed_follow_approval(self):
        f = self.fields(author="Feed <Reader>", comment=unique("Feed me & <you>"))
        cid = self.posted_id(self.post(SUMMIT, f))
        feed = self.get("/articles/%s/comments.atom" % SUMMIT)
        self.assertNotIn(f["comment"].replace("&", "&amp;"), feed.text)
        with self.db() as conn:
            n = conn.execute("SELECT count(*) FROM comments WHERE status = 'approved' AND "
                             "article_id = ?", (self.article_id(SUMMIT),)).fetchone()[0]
        self.approve(cid)
        label = "1 Comment" if n == 0 else "%d Comments" % (n + 1)
        page = self.article_page(SUMMIT).html()
        self.assertIn(label, page.find("a", class_="comment-link").norm_text())
        index = self.get_ok("/").text
        self.assertIn(label, index)
        feed = self.get("/articles/%s/comments.atom" % SUMMIT)
        self.assertStatus(feed, 200)
        root = ET.fromstring(feed.body)
        entries = root.findall(ATOM + "entry")
        mine = [e for e in entries
                if e.find(ATOM + "id").text.endswith("#comment-%d" % cid)]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0].find(ATOM + "author/" + ATOM + "name").text, f["author"])
        content = mine[0].find(ATOM + "content").text
        self.assertIn("Feed me &amp; &lt;you&gt;", content)


class SavedDetailsTest(CommentClient, harness.FolioTestCase):
    """"Save my name, email, and website in this browser..." """
    server_args = BASE_ARGS + BASE_URL_ARGS + ["--comment-rate", "0"]

    def test_checkbox_is_unchecked_by_default(self):
        form = self.form_fields(self.article_page(SUMMIT))
        self.assertIs(form["wp-comment-cookies-consent"], False)
        label = self.article_page(SUMMIT).html().find("label", for_="wp-comment-cookies-consent")
        self.assertEqual(label.norm_text(), "Save my name, email, and website in this browser "
                                            "for the next time I comment.")

    def test_ticked_saves_and_prefills(self):
        f = self.fields(author="Zoë d'Arc & Co", url="https://zoe.example.org/?a=1&b=2",
                        **{"wp-comment-cookies-consent": "yes"})
        r = self.post(SUMMIT, f)
        self.posted_id(r)
        set_ = cookies_set(r)
        for name in ("comment_author", "comment_author_email", "comment_author_url"):
            self.assertIn(name, set_)
            value, attrs = set_[name]
            self.assertEqual(attrs.get("path"), "/")
            self.assertIn("httponly", attrs)
            self.assertEqual(str(attrs.get("samesite")).lower(), "lax")
            self.assertGreaterEqual(int(attrs.get("max-age")), 300 * 86400)
            self.assertNotRegex(value, r"[\s;,\"\\]")
        self.assertEqual(urllib.parse.unquote(set_["comment_author"][0]), f["author"])
        jar = "; ".join("%s=%s" % (k, v[0]) for k, v in set_.items()
                        if k.startswith("comment_author"))
        page = self.article_page(SUMMIT, cookies=jar)
        self.assertStatus(page, 200)
        form = self.form_fields(page)
        self.assertEqual((form["author"], form["email"], form["url"]),
                         (f["author"], f["email"], f["url"]))
        self.assertEqual(form["comment"], "")
        self.assertIs(form["wp-comment-cookies-consent"], True)
        self.assertIn("no-store", page.header("Cache-Control") or "")
        self.assertIn("private", page.header("Cache-Control") or "")
        # Unticked next time: the saved details are forgotten.
        r = self.post(SUMMIT, self.fields(), cookies=jar)
        self.posted_id(r)
        set_ = cookies_set(r)
        for name in ("comment_author", "comment_author_email", "comment_author_url"):
            value, attrs = set_[name]
            self.assertEqual((value, attrs.get("max-age")), ("", "0"), name)

    def test_unticked_without_saved_details_sets_none(self):
        r = self.post(SUMMIT, self.fields())
        self.posted_id(r)
        self.assertEqual([k for k in cookies_set(r) if k.startswith("comment_author")], [])

    def test_bad_saved_cookies_are_ignored(self):
        for jar in ("comment_author=%zz", "comment_author=a%00b", "comment_author=%C3%28",
                    "comment_author_email=not-an-email", "comment_author_url=javascript:x",
                    "comment_author=" + "a" * 500):
            with self.subTest(jar=jar[:40]):
                page = self.article_page(SUMMIT, cookies=jar)
                self.assertStatus(page, 200)
                form = self.form_fields(page)
                self.assertEqual((form["author"], form["email"], form["url"]), ("", "", ""))
                self.assertNotIn("private", page.header("Cache-Control") or "")


class TooFastTest(CommentClient, harness.FolioTestCase):
    """The default --min-submit-seconds 3."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--comment-rate", "0"]

    def test_too_fast_is_422_and_the_same_form_works_later(self):
        served = time.time()
        token = self.token_for(SUMMIT)
        f = self.fields()
        r = self.post(SUMMIT, f, token=token)
        self.assertStatus(r, 422)
        self.assertIn("again", self.form_message(r).lower())
        self.assertKept(r, f)
        self.assertEqual(self.rows_with_body(f["comment"]), [])
        new = self.form_fields(r)["token"]
        time.sleep(max(0.0, served + 4.1 - time.time()))
        # The wait counts from the first showing of the form.
        self.posted_id(self.post(SUMMIT, f, token=new))


class ReturnedFormTest(CommentClient, harness.FolioTestCase):
    """A form that came back once (any refusal) is not held to
    --min-submit-seconds again: the reader who fixes it at once is heard."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--comment-rate", "0",
                   "--min-submit-seconds", "3"]

    def test_a_refused_form_fixed_at_once_is_taken(self):
        served = time.time()
        token = self.token_for(SUMMIT)
        time.sleep(max(0.0, served + 3.2 - time.time()))
        f = self.fields(email="not-an-email")
        r = self.post(SUMMIT, f, token=token)
        self.assertStatus(r, 422)
        self.assertFieldError(r, "email")
        # Fixed within a second of the refusal: taken.
        f["email"] = "fixed@example.org"
        self.posted_id(self.post(SUMMIT, f, token=self.form_fields(r)["token"]))

    def test_a_form_refused_as_too_fast_then_sent_again_at_once_is_taken(self):
        f = self.fields()
        r = self.post(SUMMIT, f)     # fetched and sent at once: too fast
        self.assertStatus(r, 422)
        self.assertIn("sooner", self.form_message(r))
        self.posted_id(self.post(SUMMIT, f, token=self.form_fields(r)["token"]))

    def test_every_refusal_returns_a_returned_form(self):
        f = self.fields()
        first = self.post(SUMMIT, dict(f, author=""))
        self.assertStatus(first, 422)
        token = self.form_fields(first)["token"]
        self.posted_id(self.post(SUMMIT, f, token=token))
        dup = self.post(SUMMIT, f, token=token)
        self.assertStatus(dup, 409)
        g = dict(f, comment=unique("after a duplicate"))
        self.posted_id(self.post(SUMMIT, g, token=self.form_fields(dup)["token"]))

    def test_a_fresh_form_is_still_held_to_the_clock(self):
        self.assertIn("sooner", self.form_message(self.post(SUMMIT, self.fields())))
        # A form that was never ours (no token, a forged one) comes back fresh:
        # anything can send one, so the clock starts then.
        for token in (None, "forged"):
            with self.subTest(token=token):
                f = self.fields()
                r = self.post(SUMMIT, f, token=token)
                self.assertStatus(r, 422)
                again = self.post(SUMMIT, f, token=self.form_fields(r)["token"])
                self.assertStatus(again, 422)
                self.assertIn("sooner", self.form_message(again))

    def test_the_returned_mark_cannot_be_forged(self):
        art = self.article_id(SUMMIT)
        now = time.time()
        payload = struct.pack(">qq", art, int(now)) + b"\x01"
        for name, token in (("wrong key", sign(b"k" * 32, "form-token", payload)),
                            ("mark added to a real token",
                             self.token_for(SUMMIT) + "AQ"),
                            ("other mark", sign(self.secret(), "form-token",
                                                payload[:-1] + b"\x02"))):
            with self.subTest(token=name):
                r = self.post(SUMMIT, self.fields(), token=token)
                self.assertStatus(r, 422)
                self.assertIn("again", self.form_message(r).lower())
        # The server's own returned token for another article is refused too.
        other = sign(self.secret(), "form-token",
                     struct.pack(">qq", self.article_id(ZEPPELIN), int(now)) + b"\x01")
        self.assertStatus(self.post(SUMMIT, self.fields(), token=other), 422)
        mine = sign(self.secret(), "form-token", payload)
        self.posted_id(self.post(SUMMIT, self.fields(), token=mine))


class RateLimitTest(CommentClient, harness.FolioTestCase):
    server_args = BASE_ARGS + ["--comment-rate", "2"]

    def test_third_comment_in_ten_minutes_is_429_with_retry_after(self):
        addr = fresh_address()
        for _ in range(2):
            self.posted_id(self.post(SUMMIT, self.fields(), addr=addr))
        # A refused post is no stored comment: it does not count.
        self.assertStatus(self.post(SUMMIT, self.fields(email="bad"), addr=addr), 422)
        f = self.fields()
        r = self.post(SUMMIT, f, addr=addr)
        self.assertStatus(r, 429)
        retry = int(r.header("Retry-After"))
        self.assertTrue(590 <= retry <= 600, retry)
        self.assertKept(r, f)
        self.assertTrue(self.form_message(r))
        CommentFormTest.assertLandsAtTheForm(self, r)
        self.assertEqual(self.rows_with_body(f["comment"]), [])
        # Another address is not limited.
        self.posted_id(self.post(SUMMIT, self.fields(), addr=fresh_address()))
        # When the oldest is 590 s old, it leaves the window in about 10 s...
        with self.db() as conn:
            conn.execute("UPDATE comments SET created_at = created_at - 590 WHERE ip = ? AND "
                         "id = (SELECT min(id) FROM comments WHERE ip = ?)", (addr, addr))
        r = self.post(SUMMIT, f, addr=addr)
        self.assertStatus(r, 429)
        self.assertTrue(1 <= int(r.header("Retry-After")) <= 12, r.header("Retry-After"))
        # ...and once it has, one more may be stored.
        with self.db() as conn:
            conn.execute("UPDATE comments SET created_at = created_at - 20 WHERE ip = ? AND "
                         "id = (SELECT min(id) FROM comments WHERE ip = ?)", (addr, addr))
        self.posted_id(self.post(SUMMIT, f, addr=addr))

    def test_x_forwarded_for_is_believed_only_from_the_trusted_proxy(self):
        # Here the proxy is trusted: the last X-Forwarded-For entry counts.
        addr = fresh_address()
        cid = self.posted_id(self.post(SUMMIT, self.fields(), addr="203.0.113.9, " + addr))
        self.assertEqual(self.row(cid)["ip"], addr)


class UntrustedProxyTest(CommentClient, harness.FolioTestCase):
    server_args = ["--min-submit-seconds", "0", "--comment-rate", "1"]

    def test_x_forwarded_for_is_ignored_without_trusted_proxy(self):
        self.posted_id(self.post(SUMMIT, self.fields(), addr="198.51.100.1"))
        r = self.post(SUMMIT, self.fields(), addr="198.51.100.2")
        self.assertStatus(r, 429)
        with self.db() as conn:
            ips = {r[0] for r in conn.execute("SELECT ip FROM comments")}
        self.assertEqual(ips, {"127.0.0.1"})


class ModerationFirstTest(CommentClient, harness.FolioTestCase):
    server_args = BASE_ARGS + ["--comment-rate", "0", "--moderation", "first",
                               "--max-links", "2"]

    def test_known_commenter_is_approved_at_once(self):
        who = {"author": "Regular Reader", "email": "regular@example.org"}
        first = self.posted_id(self.post(SUMMIT, self.fields(**who)))
        self.assertEqual(self.status_of(first), "pending")
        self.approve(first)
        with self.db() as conn:
            before = conn.execute("SELECT version, updated_at FROM articles WHERE slug = ?",
                                  (ZEPPELIN,)).fetchone()
        etag = self.article_page(ZEPPELIN).header("ETag")
        f = self.fields(**who)
        r = self.post(ZEPPELIN, f)
        cid = self.posted_id(r, ZEPPELIN)
        self.assertEqual(self.status_of(cid), "approved")
        self.assertNotIn("folio_pending", cookies_set(r))
        with self.db() as conn:
            after = conn.execute("SELECT version, updated_at FROM articles WHERE slug = ?",
                                 (ZEPPELIN,)).fetchone()
        self.assertGreater(after["version"], before["version"])
        page = self.article_page(ZEPPELIN)
        self.assertNotEqual(page.header("ETag"), etag)
        self.assertIsNotNone(self.comment_element(page.html(), cid))
        # The email's case does not matter; up to max-links links are fine.
        two = unique("two links") + " https://a.example/ https://b.example/"
        cid = self.posted_id(self.post(SUMMIT, self.fields(
            author=who["author"], email=who["email"].upper(), comment=two)))
        self.assertEqual(self.status_of(cid), "approved")

    def test_known_commenter_with_too_many_links_is_held(self):
        who = {"author": "Linky Reader", "email": "linky@example.org"}
        self.approve(self.posted_id(self.post(SUMMIT, self.fields(**who))))
        text = unique("three") + " https://a.example/ https://b.example/ http://c.example/"
        cid = self.posted_id(self.post(SUMMIT, self.fields(comment=text, **who)))
        self.assertEqual(self.status_of(cid), "pending")

    def test_same_email_other_name_is_not_known(self):
        self.approve(self.posted_id(self.post(SUMMIT, self.fields(
            author="Real Name", email="shared@example.org"))))
        for who in ({"author": "Other Name", "email": "shared@example.org"},
                    {"author": "Real Name", "email": "other@example.org"}):
            cid = self.posted_id(self.post(SUMMIT, self.fields(**who)))
            self.assertEqual(self.status_of(cid), "pending", who)

    def test_spam_and_pending_are_not_known(self):
        who = {"author": "Spammy Reader", "email": "spammy@example.org"}
        self.posted_id(self.post(SUMMIT, self.fields(hp="x", **who)))
        self.posted_id(self.post(SUMMIT, self.fields(**who)))
        cid = self.posted_id(self.post(SUMMIT, self.fields(**who)))
        self.assertEqual(self.status_of(cid), "pending")


class KeysTest(CommentClient, harness.FolioTestCase):
    """--moderation-keys and --disallowed-keys, under --moderation first so
    that "held" differs from what a known commenter would get."""

    @classmethod
    def setUpClass(cls):
        cls.keys_dir = tempfile.mkdtemp(prefix="folio-keys-")
        cls.addClassCleanup(shutil.rmtree, cls.keys_dir, True)
        mod = os.path.join(cls.keys_dir, "moderation.txt")
        bad = os.path.join(cls.keys_dir, "disallowed.txt")
        with open(mod, "w") as f:
            f.write("hold-me\n\n  Second Opinion  \r\n198.18.250.\n")
        with open(bad, "w") as f:
            f.write("casino bonus\nspam-domain.example\n203.0.113.66\n")
        cls.server_args = BASE_ARGS + ["--comment-rate", "0", "--moderation", "first",
                                       "--moderation-keys", mod, "--disallowed-keys", bad]
        super().setUpClass()

    def known(self, author="Known Person", email=None):
        """A commenter with an approved comment (approved in the database, so
        that keys in their name or email do not stand in the way)."""
        who = {"author": author,
               "email": email or "known-%s@example.org" % unique("k").split()[-1]}
        self.approve(self.posted_id(self.post(SUMMIT, self.fields(**who))))
        return who

    def test_moderation_keys_hold_in_any_field(self):
        cases = [("author", self.known(author="Please HOLD-ME"), {}, None),
                 ("email", self.known(email="x-%s@Hold-Me.example" % unique("e").split()[-1]),
                  {}, None),
                 ("url", self.known(), {"url": "https://hold-me.example/"}, None),
                 ("comment", self.known(), {"comment": unique("I want a second opinion")},
                  None),
                 ("address", self.known(), {}, "198.18.250.7")]
        for field, who, over, addr in cases:
            with self.subTest(field=field):
                f = self.fields(**who)
                f.update(over)
                cid = self.posted_id(self.post(SUMMIT, f, addr=addr))
                self.assertEqual(self.status_of(cid), "pending")
        # Control: a known commenter without a key is approved at once.
        who = self.known()
        cid = self.posted_id(self.post(SUMMIT, self.fields(**who)))
        self.assertEqual(self.status_of(cid), "approved")

    def test_disallowed_keys_go_to_spam_answered_like_valid(self):
        cases = [({"author": "Casino Bonus King"}, None),
                 ({"email": "me@SPAM-domain.example"}, None),
                 ({"url": "http://spam-domain.example/win"}, None),
                 ({"comment": unique("Get your CASINO BONUS")}, None),
                 ({}, "203.0.113.66")]
        for over, addr in cases:
            with self.subTest(over=over, addr=addr):
                who = self.known()
                f = self.fields(**who)
                f.update(over)
                r = self.post(SUMMIT, f, addr=addr)
                cid = self.posted_id(r, SUMMIT)
                self.assertIn("folio_pending", cookies_set(r))
                self.assertEqual(self.status_of(cid), "spam")

    def test_unreadable_key_file_stops_the_server(self):
        r = harness.run_folio(["serve", "--listen", "127.0.0.1:1", "--moderation-keys",
                               os.path.join(self.keys_dir, "missing.txt")], db=self.server.db)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("missing.txt", r.stderr)
        self.assertIn("No such file", r.stderr)


class BasePathCommentsTest(CommentClient, harness.FolioTestCase):
    base_path = "/news"
    server_args = BASE_ARGS + ["--comment-rate", "0"]

    def test_links_and_cookies_carry_the_base_path(self):
        page = self.article_page(SUMMIT)
        action = page.html().find("form", id="commentform").get("action")
        self.assertEqual(action, "/news/articles/%s/comments#respond" % SUMMIT)
        back = self.get("/articles/%s/comments" % SUMMIT)
        self.assertStatus(back, 303)
        self.assertEqual(back.header("Location"), "/news/articles/%s#respond" % SUMMIT)
        r = self.post(SUMMIT, self.fields(**{"wp-comment-cookies-consent": "yes"}))
        cid = self.posted_id(r)
        self.assertEqual(r.header("Location"), "/news/articles/%s#comment-%d" % (SUMMIT, cid))
        for name, (_, attrs) in cookies_set(r).items():
            self.assertEqual(attrs.get("path"), "/news/", name)
        page = self.article_page(SUMMIT, cookies=self.pending_cookie(r))
        self.assertIsNotNone(self.comment_element(page.html(), cid))


# Script and event-handler tags, attribute break-outs with each quote, URLs
# with javascript:/data: in mixed case, with entities and embedded white
# space, closing-tag tricks, comments, CDATA, encodings.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>",
    "`><script>alert(1)</script>",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "` onmouseover=`alert(1)",
    "\" autofocus onfocus=alert(1) x=\"",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " \x01javascript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DaTa:text/html,<script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</TEXTAREA ><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\" jAvAsCrIpT:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "https://example.org/\"onmouseover=\"alert(1)",
    "https://example.org/'><script>alert(1)</script>",
    "http://example.org/`onmouseover=alert(1)`",
    "https://example.org/<script>alert(1)</script>",
    "HTTPS://example.org/x\"><img/src/onerror=alert(1)>",
    "http://x.example/ javascript:alert(1)",
    "<style>*{display:none}</style>",
    "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<math><mtext></p><script>alert(1)</script>",
    "<object data=\"data:text/html,<script>alert(1)</script>\">",
    "<<script>script>alert(1)<</script>/script>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "\u2028\u2029<script>alert(1)</script>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
    "<form action=\"https://evil.example/\"><button>go</button></form>",
]
# Attributes whose values come from the template alone (digits aside).
FIXED_VALUE_ATTRS = ("class", "rel", "type", "name", "method", "role", "tabindex",
                     "autocomplete", "target", "http-equiv", "for", "aria-hidden")
URL_ATTRS = ("href", "src", "action", "formaction", "data", "content", "poster", "background")


def compact(s):
    return re.sub(r"\s+", " ", s).strip()


def url_scheme_text(value):
    """What a browser would see as the start of a URL: unescaped (once more,
    to be strict), control characters and white space removed, lower case."""
    v = html.unescape(value)
    return re.sub(r"[\x00-\x20\x7f\u2028\u2029]+", "", v).lower()


def markup_shape(doc):
    """(tags and attribute names, fixed attribute values, ids) of a page."""
    names, values, ids = {}, {}, set()
    for el in doc.iter():
        if el.tag is None:
            continue
        names.setdefault(el.tag, set()).update(el.attrs)
        for a in FIXED_VALUE_ATTRS:
            if a in el.attrs:
                values.setdefault((el.tag, a), set()).add(re.sub(r"\d+", "N", el.attrs[a]))
        if "id" in el.attrs:
            ids.add(re.sub(r"\d+", "N", el.attrs["id"]))
    return names, values, ids


class XssTest(CommentClient, harness.FolioTestCase):
    """None of XSS_PAYLOADS, in author, url or comment, yields an element, an
    attribute or a URL of its own: on the article page once approved, and in
    the form shown again after a refusal."""
    server_args = BASE_ARGS + ["--comment-rate", "0"]
    SLUG = SUMMIT

    def setUp(self):
        if not hasattr(type(self), "shape"):
            type(self).shape = self.template_shape()

    def template_shape(self):
        """Everything the templates themselves produce around comments: an
        approved comment with a url and a link, a reply, the own-pending
        marker, a reply form, and a refused form with every field message."""
        parent = self.posted_id(self.post(self.SLUG, self.fields(
            url="https://shape.example/", comment=unique("see https://a.example/x\n\nnext"))))
        self.approve(parent)
        reply = self.posted_id(self.post(self.SLUG, self.fields(comment_parent=str(parent))))
        self.approve(reply)
        own = self.post(self.SLUG, self.fields())
        pages = [self.article_page(self.SLUG, cookies=self.pending_cookie(own),
                                   query="?replytocom=%d" % parent),
                 self.post(self.SLUG, {"author": "", "email": "x", "url": "x", "comment": "",
                                       "wp-comment-cookies-consent": "yes"}),
                 self.post(self.SLUG, self.fields(), token="forged")]
        names, values, ids = {}, {}, set()
        for page in pages:
            n, v, i = markup_shape(page.html())
            for k, attrs in n.items():
                names.setdefault(k, set()).update(attrs)
            for k, vals in v.items():
                values.setdefault(k, set()).update(vals)
            ids |= i
        return names, values, ids

    def assertNothingForeign(self, resp):
        names, values, ids = self.shape
        doc = resp.html()
        for el in doc.iter():
            if el.tag is None:
                continue
            where = "%r in\n%s" % (el, resp.describe(0))
            self.assertIn(el.tag, names, "an element of its own: " + where)
            for attr, value in el.attrs.items():
                self.assertIn(attr, names[el.tag], "an attribute of its own: " + where)
                self.assertFalse(attr.startswith("on"), where)
                if attr in FIXED_VALUE_ATTRS:
                    self.assertIn(re.sub(r"\d+", "N", value), values.get((el.tag, attr), ()),
                                  "a value of its own for %s: %s" % (attr, where))
                if attr == "id":
                    self.assertIn(re.sub(r"\d+", "N", value), ids, where)
                if attr in URL_ATTRS:
                    u = url_scheme_text(value)
                    for bad in ("javascript:", "data:", "vbscript:"):
                        self.assertFalse(u.startswith(bad), "a %s URL: %s" % (bad, where))
                    if attr == "href" and el.tag == "a":
                        self.assertRegex(u, r"^(#|/|\?replytocom=\d+#respond$|https?://|mailto:)", where)
        self.assertEqual(harness.executable_scripts(doc), [])
        self.assertNotRegex(resp.text, harness.SCRIPT_BUT_JSON_LD)

    @staticmethod
    def as_url(p):
        """The payload as a website when the form would take it, else a plain one."""
        ok = re.match(r"(?i)^https?://[^\s/?#]", p) and len(p) <= 200 and \
            not re.search(r"[\x00-\x20\x7f]", p)
        return p if ok else "https://plain.example/"

    def test_payloads_on_the_article_page_after_approval(self):
        self.assertGreaterEqual(len(XSS_PAYLOADS), 30)
        posted = {}
        for p in XSS_PAYLOADS:
            p = re.sub(r"[\x00-\x08\x0b-\x1f]", "", p)   # the form refuses controls
            f = self.fields(author=p[:100], url=self.as_url(p), comment=p)
            r = self.post(self.SLUG, f)
            posted[self.posted_id(r)] = f
        self.approve(*posted)
        page = self.article_page(self.SLUG)
        self.assertStatus(page, 200)
        self.assertNothingForeign(page)
        doc = page.html()
        for cid, f in posted.items():
            with self.subTest(payload=f["comment"]):
                el = self.comment_element(doc, cid)
                self.assertIsNotNone(el)
                author = comment_author(el)
                self.assertEqual(compact(author.text()), compact(f["author"]))
                links = author.find_all("a")
                self.assertEqual([a.get("href") for a in links], [f["url"]])
                content = comment_text(el)
                self.assertEqual(compact(content.text()), compact(f["comment"]))
                for a in content.find_all("a"):
                    self.assertEqual(a.get("href"), a.text(), "a link that is not its text")
                    self.assertRegex(a.get("href").lower(), r"^https?://")
        # The comment feed stays well-formed XML with all of them in it.
        feed = self.get("/articles/%s/comments.atom" % self.SLUG)
        self.assertStatus(feed, 200)
        ET.fromstring(feed.body)

    def test_payloads_in_the_form_shown_again(self):
        for p in XSS_PAYLOADS:
            with self.subTest(payload=p):
                f = self.fields(author=p[:100], url=p, comment=p, email="not an email")
                r = self.post(self.SLUG, f)
                self.assertStatus(r, 422)
                self.assertNothingForeign(r)
                self.assertKept(r, f)
                # and with a forged token (the "send again" form)
                f = self.fields(author=p[:100], url=self.as_url(p), comment=p)
                r = self.post(self.SLUG, f, token="x" + p)
                self.assertStatus(r, 422)
                self.assertNothingForeign(r)
                self.assertKept(r, f)

    def test_payloads_in_saved_details_cookies(self):
        for p in XSS_PAYLOADS[:12]:
            with self.subTest(payload=p):
                jar = "comment_author=" + urllib.parse.quote(p[:100], safe="")
                r = self.article_page(self.SLUG, cookies=jar)
                self.assertStatus(r, 200)
                self.assertNothingForeign(r)


class ConcurrentPostsTest(CommentClient, harness.FolioTestCase):
    server_args = BASE_ARGS + ["--comment-rate", "0"]
    THREADS = 16
    EACH = 25

    def test_many_clients_at_once_lose_nothing(self):
        token = self.token_for(SUMMIT)
        marker = unique("concurrent")

        def client(n):
            statuses = []
            for i in range(self.EACH):
                f = self.fields(comment="%s %d/%d" % (marker, n, i))
                statuses.append(self.post(SUMMIT, f, token=token).status)
            return statuses

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(self.THREADS) as pool:
            results = [s for r in pool.map(client, range(self.THREADS)) for s in r]
        elapsed = time.monotonic() - started
        with self.db() as conn:
            stored = conn.execute("SELECT count(*) FROM comments WHERE body LIKE ?",
                                  (marker + " %",)).fetchone()[0]
        ok = results.count(303)
        sys.stderr.write("\n[concurrency %s] %d posts from %d clients: %d stored in %.2f s "
                         "(%.0f/s)\n" % (self.server.front, len(results), self.THREADS, ok,
                                        elapsed, ok / elapsed))
        self.assertEqual([s for s in results if s >= 500], [])
        self.assertEqual(ok, len(results), "statuses: %s" % sorted(set(results)))
        self.assertEqual(stored, ok)

    def test_racing_duplicates_store_one(self):
        token = self.token_for(SUMMIT)
        f = self.fields()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: self.post(SUMMIT, f, token=token).status,
                                    range(8)))
        self.assertEqual(results.count(303), 1, results)
        self.assertEqual(results.count(409), 7, results)
        self.assertEqual(len(self.rows_with_body(f["comment"])), 1)


class RacingRateLimitTest(CommentClient, harness.FolioTestCase):
    server_args = BASE_ARGS + ["--comment-rate", "3"]

    def test_concurrent_posts_cannot_slip_past_the_rate(self):
        token = self.token_for(SUMMIT)
        addr = fresh_address()
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            results = list(pool.map(
                lambda _: self.post(SUMMIT, self.fields(), token=token, addr=addr).status,
                range(10)))
        self.assertEqual(results.count(303), 3, results)
        self.assertEqual(results.count(429), 7, results)


EDITOR_PASSWORD = "a long editor password for the tests"


class CommentIdsTest(CommentClient, harness.FolioTestCase):
    """Issue 9, hole 1: a comment id is never given to another comment, and
    the folio_pending cookie names a comment by more than its id."""
    server_args = BASE_ARGS + ["--comment-rate", "0"]
    EDITOR = "id-editor"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = harness.run_folio(["user", "add", cls.EDITOR], db=cls.server.db,
                              input=EDITOR_PASSWORD + "\n")
        assert r.returncode == 0, r.stderr

    # -- the editor, through the admin pages as a browser uses them ------------------------

    def sign_in(self):
        """(session cookie header, csrf token), after the login form."""
        page = self.get("/admin/login")
        form = page.html().find("form")
        fields = {i.get("name"): i.get("value", "") for i in form.find_all("input")
                  if i.get("type") == "hidden" and i.get("name")}
        fields.update(username=self.EDITOR, password=EDITOR_PASSWORD)
        # the form's login_token is bound to the login page's cookie
        browser = "; ".join(c.split(";")[0] for c in page.set_cookies)
        r = self.request("POST", "/admin/login", body=urllib.parse.urlencode(fields).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "X-Forwarded-For": fresh_address(), "Cookie": browser},
                         timeout=60)     # the password hash is slow by design
        self.assertStatus(r, 303)
        session = [c for c in r.set_cookies if c.startswith("folio_session=")]
        self.assertTrue(session, r.describe())
        cookie = session[0].split(";")[0]
        queue = self.get("/admin/", headers={"Cookie": cookie})
        csrf = queue.html().find("input", name="csrf_token").get("value")
        return cookie, csrf

    def moderate(self, session, action, cid):
        cookie, csrf = session
        body = urllib.parse.urlencode([("csrf_token", csrf), ("action", action),
                                       ("id", str(cid))]).encode()
        r = self.request("POST", "/admin/comments", body=body,
                         headers={"Cookie": cookie,
                                  "Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 303)

    def newest_id(self):
        with self.db() as conn:
            return conn.execute("SELECT max(id) FROM comments").fetchone()[0]

    # -- the repro of the issue ----------------------------------------------------------

    def test_a_deleted_comments_id_never_shows_another_readers_comment(self):
        a_fields = self.fields(author="Reader A", comment=unique("Words of A"))
        a = self.post(SUMMIT, a_fields)
        a_id = self.posted_id(a)
        a_cookie = self.pending_cookie(a)
        self.assertEqual(self.newest_id(), a_id)
        # An editor deletes A's comment, the usual way with spam.
        session = self.sign_in()
        self.moderate(session, "spam", a_id)
        self.moderate(session, "delete", a_id)
        self.assertIsNone(self.row(a_id))
        # B posts next: a phone number, awaiting moderation.
        b_fields = self.fields(author="Reader B", comment=unique("Call me on 555 0199"))
        b_id = self.posted_id(self.post(SUMMIT, b_fields))
        self.assertGreater(b_id, a_id, "the deleted comment's id was given again")
        # A's next view shows nothing of B's.
        page = self.article_page(SUMMIT, cookies=a_cookie)
        self.assertStatus(page, 200)
        self.assertNotIn(b_fields["comment"], page.text)
        self.assertNotIn("Reader B", page.text)
        self.assertNotIn("awaiting moderation", page.text)
        # The log's line for the deletion links to no comment (B's least of all).
        self.moderate(session, "approve", b_id)
        log = self.get("/admin/log", headers={"Cookie": session[0]})
        self.assertStatus(log, 200)
        rows = [tr for tr in log.html().find_all("tr")
                if "#%d" % a_id in tr.norm_text().split() and "deleted" in tr.norm_text()]
        self.assertEqual(len(rows), 1, log.describe(4000))
        for href, _ in rows[0].links():
            self.assertNotIn("comment-%d" % b_id, href)
            self.assertNotRegex(href, r"comment-%d$|after=%d$" % (a_id, a_id - 1))

    def test_a_cookie_entry_must_match_the_comment_under_its_id(self):
        b_fields = self.fields(author="Reader B", comment=unique("Private words of B"))
        b = self.post(SUMMIT, b_fields)
        b_id = self.posted_id(b)
        row = self.row(b_id)
        key = self.secret()
        # B's own cookie, and one made as the server makes it, show the comment ...
        self.assertIn(b_fields["comment"],
                      self.article_page(SUMMIT, cookies=self.pending_cookie(b)).text)
        right = make_pending_list(key, [(b_id, pending_tag(key, b_id, row["created_at"],
                                                            row["email"]))])
        self.assertIn(b_fields["comment"],
                      self.article_page(SUMMIT, cookies="folio_pending=" + right).text)
        # ... but an entry for that id made for another comment (A's, which had
        # it before) does not, even signed with the server's own key.
        for name, value in (
                ("other email", make_pending_list(key, [(b_id, pending_tag(
                    key, b_id, row["created_at"], "a@example.org"))])),
                ("other time", make_pending_list(key, [(b_id, pending_tag(
                    key, b_id, row["created_at"] - 60, row["email"]))])),
                ("no tag", make_pending_list(key, [(b_id, 0)])),
                ("bare ids, as before", make_id_list(key, [b_id]))):
            with self.subTest(cookie=name):
                page = self.article_page(SUMMIT, cookies="folio_pending=" + value)
                self.assertStatus(page, 200)
                self.assertNotIn(b_fields["comment"], page.text)

    def test_the_cookie_keeps_earlier_comments_when_one_is_added(self):
        r1 = self.post(SUMMIT, self.fields())
        r2 = self.post(ZEPPELIN, self.fields(), cookies=self.pending_cookie(r1))
        cookie = self.pending_cookie(r2)
        for slug, r in ((SUMMIT, r1), (ZEPPELIN, r2)):
            el = self.comment_element(self.article_page(slug, cookies=cookie).html(),
                                      self.posted_id(r))
            self.assertIsNotNone(el)
            self.assertIn("awaiting moderation", el.norm_text())


@harness.sqlite_only("migrates an old SQLite database")
class CommentIdsMigrationTest(unittest.TestCase):
    """sql/008 on a database made by an older folio: every row, thread and
    count kept; ids go on after the highest ever used, a deleted one's too;
    the counts' triggers of sql/002 and sql/005 still count."""

    SQL = os.path.join(harness.REPO, "sql")

    def old_database(self, path):
        conn = sqlite3.connect(path)
        for name in sorted(os.listdir(self.SQL)):
            if name.endswith(".sql") and int(name[:3]) <= 7:
                with open(os.path.join(self.SQL, name)) as f:
                    conn.executescript(f.read())
        conn.executescript("""
            PRAGMA user_version = 7;
            INSERT INTO articles (id, slug, title, status, published_at, updated_at)
            VALUES (1, 'one', 'One', 'published', 1, 1), (2, 'two', 'Two', 'draft', 1, 1);
            INSERT INTO comments (id, article_id, parent_id, status, author, email, body,
                                  created_at, status_changed_at)
            VALUES (1, 1, NULL, 'approved', 'P', 'p@x.org', 'parent', 10, 10),
                   (2, 1, 1, 'pending', 'R', 'r@x.org', 'reply', 11, 11),
                   (3, 2, NULL, 'spam', 'S', 's@x.org', 'spam', 12, 12),
                   (4, 1, 9, 'trash', 'T', 't@x.org', 'orphan reply', 13, 13),
                   (5, 1, NULL, 'pending', 'D', 'd@x.org', 'deleted later', 14, 14);
            DELETE FROM comments WHERE id = 5;
            INSERT INTO moderation_log (at, actor, comment_id, article_id, old_status,
                                        new_status)
            VALUES (15, 'ed', 5, 1, 'pending', 'deleted');
        """)
        conn.commit()
        conn.close()

    def test_old_database_is_migrated_keeping_everything(self):
        tmp = tempfile.mkdtemp(prefix="folio-it-ids-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        db = os.path.join(tmp, "old.db")
        self.old_database(db)
        r = harness.run_folio(["init"], db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        conn = sqlite3.connect(db)
        self.addCleanup(conn.close)
        conn.execute("PRAGMA foreign_keys = ON")
        q = lambda sql, *a: conn.execute(sql, a).fetchall()
        self.assertGreaterEqual(q("PRAGMA user_version")[0][0], 8)
        self.assertIn("AUTOINCREMENT", q("SELECT sql FROM sqlite_master "
                                         "WHERE name = 'comments'")[0][0].upper())
        self.assertEqual(q("SELECT id, parent_id, status, body FROM comments ORDER BY id"),
                         [(1, None, "approved", "parent"), (2, 1, "pending", "reply"),
                          (3, None, "spam", "spam"), (4, None, "trash", "orphan reply")])
        names = {n for (n,) in q("SELECT name FROM sqlite_master WHERE tbl_name = 'comments' "
                                 "AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%'")}
        # (sql/020 made comments_by_article partial, as comments_approved_by_date,
        # and merged comments_by_email into comments_by_email_any)
        self.assertTrue({"comments_approved_by_date", "comments_by_status",
                         "comments_by_email_any", "comments_by_ip", "comments_by_parent",
                         "comments_by_commenter",
                         "comment_counts_insert", "comment_counts_delete",
                         "comment_counts_update", "article_comment_counts_insert",
                         "article_comment_counts_delete",
                         "article_comment_counts_update"} <= names, names)
        self.assertEqual(q("PRAGMA foreign_key_check"), [])
        self.assertEqual(q("PRAGMA integrity_check"), [("ok",)])
        counts = lambda: (dict(q("SELECT status, n FROM comment_counts")),
                          q("SELECT * FROM article_comment_counts ORDER BY article_id"))
        self.assertEqual(counts(), ({"pending": 1, "approved": 1, "spam": 1, "trash": 1},
                                    [(1, 1, 1, 0, 1), (2, 0, 0, 1, 0)]))
        # A new comment takes an id above the deleted #5; the triggers count.
        with conn:
            conn.execute("INSERT INTO comments (article_id, status, author, email, body, "
                         "created_at, status_changed_at) "
                         "VALUES (1, 'pending', 'N', 'n@x.org', 'new', 20, 20)")
        self.assertEqual(q("SELECT max(id) FROM comments")[0][0], 6)
        with conn:
            conn.execute("UPDATE comments SET status = 'approved' WHERE id = 2")
            conn.execute("DELETE FROM comments WHERE id = 1")
        self.assertEqual(q("SELECT parent_id FROM comments WHERE id = 2"), [(None,)])
        self.assertEqual(counts(), ({"pending": 1, "approved": 1, "spam": 1, "trash": 1},
                                    [(1, 1, 1, 0, 1), (2, 0, 0, 1, 0)]))
        # Deleting the newest comment does not free its id.
        with conn:
            conn.execute("DELETE FROM comments WHERE id = 6")
            conn.execute("INSERT INTO comments (article_id, status, author, email, body, "
                         "created_at, status_changed_at) "
                         "VALUES (1, 'pending', 'M', 'm@x.org', 'newer', 21, 21)")
        self.assertEqual(q("SELECT max(id) FROM comments")[0][0], 7)
        # An article's deletion still takes its comments with it.
        with conn:
            conn.execute("DELETE FROM articles WHERE id = 2")
        self.assertEqual(q("SELECT count(*) FROM comments WHERE article_id = 2"), [(0,)])


if __name__ == "__main__":
    unittest.main()
