"""Helpers for the comment tests: fetching the form and its token, posting,
reading Set-Cookie, looking into the database, approving as an editor would,
forging tokens. Mixed into harness.FolioTestCase subclasses."""

import base64
import hashlib
import hmac
import itertools
import os
import re
import struct
import time
import urllib.parse

import harness

FORM_TYPE = "application/x-www-form-urlencoded"
SUMMIT = "summit-talks-resume"        # published, comments open
ZEPPELIN = "zeppelin-returns"         # published, comments open (the default)
CLOSED = "harbour-bridge-reopens"     # published, comments closed
DRAFT = "budget-draft-leak"           # a draft
DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you've already said that!"

_seq = itertools.count(1)


def unique(prefix="comment"):
    """A string no other test uses (texts must differ, or they are duplicates)."""
    return "%s %d-%d-%d" % (prefix, os.getpid(), int(time.time() * 1000) % 10**7, next(_seq))


def own_children(el, tag):
    """The elements named tag among el's own children."""
    return [c for c in el.children if getattr(c, "tag", None) == tag]


def comment_author(el):
    """A comment's author (comment.html): the first element of its <footer>,
    a link to their website or a <b>; the usual comment carries no class."""
    footer = own_children(el, "footer")[0]
    return next(c for c in footer.children if getattr(c, "tag", None))


def reply_link(el):
    """A comment's reply link: the <a> in the <p> among its own children
    (a held comment has none; its notes are classed <p>s before its text)."""
    return own_children(el, "p")[-1].find("a")


def fresh_address():
    """A client address of its own (believed via X-Forwarded-For from the
    trusted proxy 127.0.0.1), so rate limits of one test never touch another."""
    n = next(_seq)
    return "198.18.%d.%d" % ((n // 250) % 250, n % 250 + 1)


def parse_set_cookie(value):
    """'name=value; Path=/; HttpOnly' -> (name, value, {attr-lower: value-or-True})."""
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), val.strip(), attrs


def cookies_set(resp):
    """name -> (value, attrs) for every Set-Cookie of a response."""
    out = {}
    for sc in resp.set_cookies:
        name, val, attrs = parse_set_cookie(sc)
        out[name] = (val, attrs)
    return out


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(key, purpose, payload):
    """What the server's sign_encode makes: base64url(payload || HMAC-SHA-512-256)."""
    mac = hmac.new(key, purpose.encode() + b"\0" + payload, hashlib.sha512).digest()[:32]
    return b64url(payload + mac)


def make_token(key, article_id, issued):
    return sign(key, "form-token", struct.pack(">qq", article_id, int(issued)))


def make_id_list(key, ids, signed_at=None):
    """The folio_pending cookie as it was before each entry carried a tag:
    bare ids (no longer believed)."""
    payload = struct.pack(">q", int(signed_at or time.time()))
    payload += b"".join(struct.pack(">q", i) for i in ids)
    return sign(key, "pending-ids", payload)


def pending_tag(key, comment_id, created_at, email):
    """What the server's pending_tag makes: keyed BLAKE2b-128 of the id, the
    time and the email, first 8 bytes."""
    h = hashlib.blake2b(struct.pack(">qq", comment_id, created_at) + email.encode(),
                        digest_size=16, key=key)
    return struct.unpack(">Q", h.digest()[:8])[0]


def make_pending_list(key, entries, signed_at=None):
    """The folio_pending cookie: entries are (id, tag) pairs."""
    payload = struct.pack(">q", int(signed_at or time.time()))
    payload += b"".join(struct.pack(">qQ", i, tag) for i, tag in entries)
    return sign(key, "pending-comments", payload)


class CommentClient:
    """Mixin for harness.FolioTestCase: the comment form as a browser uses it."""

    # -- the page and its form ----------------------------------------------------------

    def article_page(self, slug, cookies=None, query=""):
        headers = {"Cookie": cookies} if cookies else None
        return self.get("/articles/%s%s" % (slug, query), headers=headers)

    def form_fields(self, resp):
        """The comment form's controls: name -> value (textarea: its text;
        checkbox: True/False)."""
        doc = resp.html()
        form = doc.find("form", id="commentform")
        self.assertIsNotNone(form, "no comment form:\n" + resp.describe(3000))
        out = {}
        for el in form.iter():
            name = el.get("name")
            if not name:
                continue
            if el.tag == "textarea":
                out[name] = el.text()
            elif el.tag == "input" and el.get("type") == "checkbox":
                out[name] = "checked" in el.attrs
            elif el.tag == "input":
                out[name] = el.get("value", "")
        return out

    def token_for(self, slug, cookies=None):
        r = self.article_page(slug, cookies)
        self.assertStatus(r, 200)
        token = self.form_fields(r).get("token")
        self.assertTrue(token, "the form has no token")
        return token

    # -- posting ------------------------------------------------------------------------

    def fields(self, **over):
        """A valid comment's fields (a unique text and email), with overrides."""
        f = {"author": "Jane Reader", "email": "jane+%d@example.org" % next(_seq),
             "url": "", "comment": unique("A thoughtful comment"), "comment_parent": "0",
             "hp": ""}
        f.update(over)
        return f

    def post(self, slug, fields=None, token=True, addr=None, cookies=None, headers=None,
             body=None, content_type=FORM_TYPE):
        """POSTs the form. token=True fetches a fresh one first, a string is
        sent as it is, None sends none. Returns the Response."""
        fields = dict(self.fields() if fields is None else fields)
        if token is True:
            token = self.token_for(slug)
        if token is not None and "token" not in fields:
            fields["token"] = token
        h = {"X-Forwarded-For": addr or fresh_address()}
        if content_type is not None:
            h["Content-Type"] = content_type
        if cookies:
            h["Cookie"] = cookies
        h.update(headers or {})
        if body is None:
            body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", "/articles/%s/comments" % slug, body=body, headers=h)

    def posted_id(self, resp, slug=None):
        """The comment id of a 303 answer's Location (#comment-ID)."""
        self.assertStatus(resp, 303)
        loc = resp.header("Location") or ""
        m = re.search(r"#comment-(\d+)$", loc)
        self.assertTrue(m, "Location %r has no #comment-ID" % loc)
        if slug:
            self.assertEqual(urllib.parse.urlsplit(loc).path,
                             self.server.path("/articles/%s" % slug))
        return int(m.group(1))

    def pending_cookie(self, resp):
        c = cookies_set(resp).get("folio_pending")
        self.assertIsNotNone(c, "no folio_pending cookie:\n" + resp.describe(0))
        return "folio_pending=" + c[0]

    # -- the database -------------------------------------------------------------------

    def db(self):
        return harness.database(self.server, rows_by_name=True)

    def row(self, comment_id):
        with self.db() as conn:
            return conn.execute("SELECT * FROM comments WHERE id = ?", (comment_id,)).fetchone()

    def status_of(self, comment_id):
        r = self.row(comment_id)
        return r["status"] if r else None

    def rows_with_body(self, body):
        with self.db() as conn:
            return conn.execute("SELECT * FROM comments WHERE body = ?", (body,)).fetchall()

    def article_id(self, slug):
        with self.db() as conn:
            return conn.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()[0]

    def secret(self):
        hex_of = "encode(value, 'hex')" if harness.on_postgres() else "hex(value)"
        with self.db() as conn:
            return bytes.fromhex(conn.execute("SELECT %s FROM settings WHERE key = 'secret'"
                                              % hex_of).fetchone()[0])

    def approve(self, *ids):
        """What the admin area does: approve, and mark the article changed
        (version and updated_at), which is what page caches key on. Made
        beside the server, as another host would: it returns once the
        server shows it (harness.change_beside), at once on SQLite."""
        def change():
            conn = self.db()
            try:
                with conn:
                    for i in ids:
                        conn.execute("UPDATE comments SET status = 'approved' WHERE id = ?",
                                     (i,))
                        now = int(time.time())
                        conn.execute("UPDATE articles SET version = version + 1, "
                                     "updated_at = CASE WHEN updated_at + 1 > ? "
                                     "THEN updated_at + 1 ELSE ? END "
                                     "WHERE id = (SELECT article_id FROM comments WHERE id = ?)",
                                     (now, now, i))
            finally:
                conn.close()
        if not ids:
            return
        with self.db() as conn:
            slug = conn.execute("SELECT a.slug FROM articles a JOIN comments c "
                                "ON c.article_id = a.id WHERE c.id = ?", (ids[-1],)).fetchone()[0]
        harness.change_beside(self.server, change, slug)

    # -- assertions ---------------------------------------------------------------------

    def assertFieldError(self, resp, field):
        doc = resp.html()
        err = doc.find(id="%s-error" % field)
        self.assertIsNotNone(err, "no message at %s:\n%s" % (field, resp.describe(4000)))
        self.assertTrue(err.norm_text(), "empty message at %s" % field)
        return err.norm_text()

    def assertNoFieldError(self, resp, field):
        self.assertIsNone(resp.html().find(id="%s-error" % field),
                          "unexpected message at %s" % field)

    def assertKept(self, resp, fields, names=("author", "email", "url", "comment")):
        """Every value typed is in the form again, exactly."""
        got = self.form_fields(resp)
        for name in names:
            if name in fields:
                self.assertEqual(got.get(name), fields[name], "%s not kept" % name)

    def form_message(self, resp):
        el = resp.html().find("p", class_="form-message")
        return el.norm_text() if el is not None else ""

    def comment_element(self, doc, comment_id):
        return doc.find(id="comment-%d" % comment_id)
