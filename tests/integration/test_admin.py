"""The editors' area (CONTRACT.md, "Editors' routes", and `folio user`):
sign-in, sessions, CSRF, lockout, the moderation queue, its actions, the log.

Sessions for the access matrix are made straight in the database (the cookie
is 32 random bytes in base64url; the database keeps their BLAKE2b-256 hash,
libsodium's crypto_generichash), so that only the tests about signing in pay
for Argon2id.
"""

import base64
import concurrent.futures
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
import unittest
import urllib.parse

import harness

PASSWORD = "correct horse battery staple"
HOUR = 3600
ADMIN_GETS = ["/admin/", "/admin/?status=approved", "/admin/?status=spam",
              "/admin/?status=trash", "/admin/log"]
ADMIN_POSTS = ["/admin/comments", "/admin/logout"]


def add_editor(db, name, password=PASSWORD):
    r = harness.run_folio(["user", "add", name], db=db, input=password + "\n")
    assert r.returncode == 0, "folio user add %s: %s%s" % (name, r.stdout, r.stderr)


def form_body(fields):
    """Urlencodes a list of (name, value) pairs (names may repeat)."""
    return urllib.parse.urlencode(fields).encode()


FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


class AdminCase(harness.FolioTestCase):
    """Helpers over the server's database and the admin area."""

    # -- the database --------------------------------------------------------

    def db(self):
        con = harness.database(self.server, timeout=10)
        self.addCleanup(con.close)
        return con

    def one(self, sql, *args):
        con = self.db()
        row = con.execute(sql, args).fetchone()
        return row[0] if row and len(row) == 1 else row

    def execute(self, sql, *args):
        con = self.db()
        with con:
            cur = con.execute(sql, args)
        return cur.lastrowid

    def article_id(self, slug="harbour-bridge-reopens"):
        return self.one("SELECT id FROM articles WHERE slug = ?", slug)

    def insert_comment(self, status="pending", slug="harbour-bridge-reopens", body=None,
                       author="Reader", email="reader@example.com", previous=None, at=None):
        at = at or int(time.time())
        return self.execute(
            "INSERT INTO comments (article_id, status, author, email, url, body, ip, "
            "created_at, status_changed_at, previous_status) VALUES (?,?,?,?,?,?,?,?,?,?)",
            self.article_id(slug), status, author, email, "https://reader.example/",
            body or "A comment %s" % secrets.token_hex(4), "192.0.2.7", at, at, previous)

    def status_of(self, comment_id):
        return self.one("SELECT status FROM comments WHERE id = ?", comment_id)

    def log_rows(self, comment_id=None):
        sql = ("SELECT actor, editor_id, token_id, comment_id, article_id, old_status, "
               "new_status FROM moderation_log")
        con = self.db()
        if comment_id is None:
            return con.execute(sql + " ORDER BY id").fetchall()
        return con.execute(sql + " WHERE comment_id = ? ORDER BY id", (comment_id,)).fetchall()

    def editor_id(self, name):
        return self.one("SELECT id FROM editors WHERE name = ?", name)

    def ensure_editor(self, name):
        if self.editor_id(name) is None:
            add_editor(self.server.db, name)
        return self.editor_id(name)

    def make_session(self, name="editor", created_ago=0, idle=0):
        """A session straight in the database: (cookie value, csrf token)."""
        editor = self.ensure_editor(name)
        raw = secrets.token_bytes(32)
        cookie = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        csrf = secrets.token_urlsafe(32)
        now = int(time.time())
        self.execute("INSERT INTO sessions (token_hash, editor_id, csrf_token, created_at, "
                     "last_seen_at) VALUES (?,?,?,?,?)",
                     hashlib.blake2b(raw, digest_size=32).digest(), editor, csrf,
                     now - created_ago, now - idle)
        return cookie, csrf

    # -- requests ------------------------------------------------------------

    def cookie_header(self, cookie, extra=None):
        h = dict(extra or {})
        if cookie:
            h["Cookie"] = "folio_session=%s" % cookie
        return h

    def admin_get(self, path, cookie=None, headers=None):
        return self.get(path, headers=self.cookie_header(cookie, headers))

    def admin_post(self, path, fields, cookie=None, headers=None):
        h = self.cookie_header(cookie, headers)
        h.setdefault("Content-Type", FORM_TYPE["Content-Type"])
        return self.request("POST", path, body=form_body(fields), headers=h)

    def login_form(self):
        """What a browser gets from GET /admin/login: (its folio_login cookie,
        the form's login_token)."""
        r = self.get("/admin/login")
        self.assertStatus(r, 200)
        token = r.html().find("input", name="login_token")
        self.assertIsNotNone(token, "no login_token in the login form")
        return self.cookie_value(r, "folio_login"), token.get("value")

    def login(self, name, password=PASSWORD, next=None, address=None, device=None):
        """Signs in as a browser does: the login page first, then the form
        with its token. `device`: a folio_device cookie to send."""
        browser, token = self.login_form()
        fields = [("login_token", token), ("username", name), ("password", password)]
        if next is not None:
            fields.append(("next", next))
        cookies = "folio_login=" + browser + ("; folio_device=" + device if device else "")
        headers = {"Cookie": cookies}
        if address:
            headers["X-Forwarded-For"] = address
        return self.admin_post("/admin/login", fields, headers=headers)

    def cookie_value(self, resp, name):
        for c in resp.set_cookies:
            m = re.match(re.escape(name) + r"=([^;]*)", c)
            if m and m.group(1):
                return m.group(1)
        self.fail("no %s cookie in:\n%s" % (name, resp.describe()))

    def session_cookie(self, resp):
        return self.cookie_value(resp, "folio_session")

    def csrf_of(self, cookie):
        r = self.admin_get("/admin/", cookie)
        self.assertStatus(r, 200)
        inp = r.html().find("input", name="csrf_token")
        self.assertIsNotNone(inp, "no csrf_token in the queue page")
        return inp.get("value")

    def act(self, cookie, csrf, action, ids, ret=None):
        fields = [("csrf_token", csrf), ("action", action)] + [("id", str(i)) for i in ids]
        if ret is not None:
            fields.append(("return", ret))
        return self.admin_post("/admin/comments", fields, cookie)

    def location(self, resp):
        return resp.header("Location") or ""

    def follow(self, resp, cookie):
        """Follows an action's 303 as a browser does: with the session and
        the cookies the 303 set (the flash)."""
        jar = ["folio_session=" + cookie] + [c.split(";")[0] for c in resp.set_cookies]
        return self.get(self.location(resp), headers={"Cookie": "; ".join(jar)}, base=False)

    def flash_of(self, page):
        status = page.html().find(role="status")
        return status.norm_text() if status else None

    def assertRedirectsTo(self, resp, path):
        self.assertStatus(resp, 303)
        self.assertEqual(urllib.parse.urlsplit(self.location(resp)).path,
                         self.server.path(path), resp.describe())

    def assertToLogin(self, resp, next_path=None):
        self.assertStatus(resp, 303)
        u = urllib.parse.urlsplit(self.location(resp))
        self.assertEqual(u.path, self.server.path("/admin/login"), resp.describe())
        if next_path is not None:
            self.assertEqual(urllib.parse.parse_qs(u.query).get("next"), [next_path])

    def assertAdminHeaders(self, resp):
        self.assertEqual(resp.header("Cache-Control"), "no-store", resp.describe())


class AccessTest(AdminCase):
    """Who may do what: every admin route, with every kind of missing or dead
    session and every kind of bad CSRF token; nothing changes."""

    def snapshot(self):
        con = self.db()
        return (con.execute("SELECT id, status FROM comments ORDER BY id").fetchall(),
                con.execute("SELECT count(*) FROM moderation_log").fetchone()[0],
                con.execute("SELECT id FROM sessions ORDER BY id").fetchall())

    def dead_sessions(self):
        """(label, cookie, csrf) for sessions that must not let anyone in."""
        idle, idle_csrf = self.make_session(idle=12 * HOUR + 5)
        old, old_csrf = self.make_session(created_ago=7 * 24 * HOUR + 5)
        out, out_csrf = self.make_session()
        r = self.admin_post("/admin/logout", [("csrf_token", out_csrf)], out)
        self.assertRedirectsTo(r, "/admin/login")
        gone, gone_csrf = self.make_session(name="temp-editor")
        harness.run_folio(["user", "del", "temp-editor"], db=self.server.db)
        return [("no cookie", None, "x"), ("garbage cookie", "not-a-session", "x"),
                ("unknown token", base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode(),
                 "x"),
                ("idle for 12 hours", idle, idle_csrf), ("older than 7 days", old, old_csrf),
                ("logged out", out, out_csrf), ("editor deleted", gone, gone_csrf)]

    def test_dead_sessions_get_redirected_and_post_refused(self):
        cid = self.insert_comment()
        for label, cookie, csrf in self.dead_sessions():
            before = self.snapshot()
            for path in ADMIN_GETS:
                with self.subTest(session=label, path=path):
                    r = self.admin_get(path, cookie)
                    self.assertToLogin(r, None if path == "/admin/" else path)
                    self.assertAdminHeaders(r)
            for path in ADMIN_POSTS:
                with self.subTest(session=label, path=path):
                    r = self.admin_post(path, [("csrf_token", csrf), ("action", "approve"),
                                               ("id", str(cid))], cookie)
                    self.assertStatus(r, 403)
                    self.assertAdminHeaders(r)
                    self.assertIn("<html", r.text)
            self.assertEqual(self.snapshot(), before, label)
        self.assertEqual(self.status_of(cid), "pending")

    def test_dead_cookie_is_cleared(self):
        idle, _ = self.make_session(idle=13 * HOUR)
        r = self.admin_get("/admin/", idle)
        self.assertToLogin(r)
        self.assertTrue(any(c.startswith("folio_session=;") and "Max-Age=0" in c
                            for c in r.set_cookies), r.describe())

    def test_live_session_sees_every_page(self):
        cookie, _ = self.make_session()
        for path in ADMIN_GETS:
            with self.subTest(path=path):
                r = self.admin_get(path, cookie)
                self.assertStatus(r, 200)
                self.assertAdminHeaders(r)
                self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
                self.assertNoLeak(r)

    def test_head_is_like_get(self):
        cookie, _ = self.make_session()
        r = self.request("HEAD", "/admin/", headers=self.cookie_header(cookie))
        self.assertStatus(r, 200)
        self.assertEqual(r.body, b"")
        self.assertToLogin(self.request("HEAD", "/admin/log"), "/admin/log")

    def test_bad_csrf_changes_nothing(self):
        cookie, csrf = self.make_session()
        _, other_csrf = self.make_session(name="other-editor")
        cid = self.insert_comment()
        before = self.snapshot()
        cases = [("missing", None), ("empty", ""), ("wrong", "x" * len(csrf)),
                 ("another session's", other_csrf), ("one character short", csrf[:-1]),
                 ("with a suffix", csrf + "A")]
        for label, token in cases:
            for path in ADMIN_POSTS:
                with self.subTest(token=label, path=path):
                    fields = [("action", "approve"), ("id", str(cid))]
                    if token is not None:
                        fields.insert(0, ("csrf_token", token))
                    r = self.admin_post(path, fields, cookie)
                    self.assertStatus(r, 403)
        self.assertEqual(self.snapshot(), before)
        # The session is still alive and its own token works.
        r = self.act(cookie, csrf, "approve", [cid])
        self.assertStatus(r, 303)
        self.assertEqual(self.status_of(cid), "approved")

    def test_csrf_in_the_query_is_not_enough(self):
        cookie, csrf = self.make_session()
        cid = self.insert_comment()
        r = self.admin_post("/admin/comments?csrf_token=" + csrf,
                            [("action", "approve"), ("id", str(cid))], cookie)
        self.assertStatus(r, 403)
        self.assertEqual(self.status_of(cid), "pending")

    def test_every_form_carries_the_token(self):
        cookie, csrf = self.make_session()
        self.insert_comment()
        for path in ADMIN_GETS:
            root = self.admin_get(path, cookie).html()
            for form in root.find_all("form", method="post"):
                tokens = [i.get("value") for i in form.find_all("input", name="csrf_token")]
                with self.subTest(path=path, action=form.get("action")):
                    self.assertEqual(tokens, [csrf])

    def test_wrong_content_type_and_malformed_bodies(self):
        cookie, csrf = self.make_session()
        cid = self.insert_comment()
        body = form_body([("csrf_token", csrf), ("action", "approve"), ("id", str(cid))])
        for ctype, want in (("text/plain", 415), ("application/json", 415),
                            ("multipart/form-data; boundary=x", 415)):
            with self.subTest(ctype=ctype):
                r = self.request("POST", "/admin/comments", body=body,
                                 headers=self.cookie_header(cookie, {"Content-Type": ctype}))
                self.assertStatus(r, want)
        bad = [b"csrf_token=%zz", b"csrf_token=" + csrf.encode() + b"&action=approve&action=spam&id=1",
               b"csrf_token=" + csrf.encode() + b"&action=%ff&id=1",
               b"csrf_token=" + csrf.encode() + b"&csrf_token=" + csrf.encode()]
        for b in bad:
            with self.subTest(body=b):
                r = self.request("POST", "/admin/comments", body=b,
                                 headers=self.cookie_header(cookie, FORM_TYPE))
                self.assertStatus(r, 400)
                self.assertNoLeak(r)
        r = self.request("POST", "/admin/comments", body=b"a=" + b"x" * 70000,
                         headers=self.cookie_header(cookie, FORM_TYPE))
        self.assertStatus(r, 413)
        self.assertEqual(self.status_of(cid), "pending")

    def test_bad_actions_and_ids(self):
        cookie, csrf = self.make_session()
        cid = self.insert_comment()
        for action in ("", "publish", "APPROVE", "approve "):
            with self.subTest(action=action):
                r = self.act(cookie, csrf, action, [cid])
                self.assertStatus(r, 400)
        for bad_id in ("abc", "0", "-1", "1e3", "99999999999999999999", ""):
            with self.subTest(id=bad_id):
                r = self.act(cookie, csrf, "spam", [bad_id])
                self.assertStatus(r, 303)
        self.assertEqual(self.status_of(cid), "pending")

    def test_bad_view_parameters(self):
        cookie, _ = self.make_session()
        for q in ("?status=bogus", "?status=APPROVED", "?after=abc", "?before=-3",
                  "?after=0", "?after=99999999999999999999", "?status=%ff"):
            with self.subTest(q=q):
                r = self.admin_get("/admin/" + q, cookie)
                self.assertStatus(r, 400)
                self.assertNoLeak(r)
        for q in ("?after=x", "?before=0"):
            with self.subTest(log=q):
                self.assertStatus(self.admin_get("/admin/log" + q, cookie), 400)
        # Unknown flash values are ignored, never echoed.
        r = self.admin_get("/admin/?done=<script>&n=abc", cookie)
        self.assertStatus(r, 200)
        self.assertNotIn("<script>", r.text)

    def test_methods(self):
        cookie, _ = self.make_session()
        for method, path in (("PUT", "/admin/"), ("DELETE", "/admin/log"),
                             ("GET", "/admin/comments"), ("PATCH", "/admin/login")):
            with self.subTest(method=method, path=path):
                r = self.request(method, path, headers=self.cookie_header(cookie))
                self.assertStatus(r, 405)
                self.assertTrue(r.header("Allow"))

    def test_admin_without_slash(self):
        self.assertRedirectsTo(self.get("/admin"), "/admin/")


class LoginTest(AdminCase):
    """Signing in and out, cookies, `next`, lockout, password changes.
    --trusted-proxy lets each test sign in from addresses of its own."""
    server_args = ["--trusted-proxy", "127.0.0.1"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_editor(cls.server.db, "alice")

    def addr(self):
        return "198.51.100.%d" % secrets.randbelow(250)

    def test_login_form(self):
        r = self.get("/admin/login")
        self.assertStatus(r, 200)
        self.assertAdminHeaders(r)
        form = r.html().find("form", method="post")
        self.assertEqual(form.get("action"), self.server.path("/admin/login"))
        self.assertIsNotNone(form.find("input", name="username"))
        self.assertEqual(form.find("input", name="password").get("type"), "password")

    def test_right_password_signs_in(self):
        r = self.login("alice", address=self.addr())
        self.assertRedirectsTo(r, "/admin/")
        cookie = self.session_cookie(r)
        self.assertEqual(len(base64.urlsafe_b64decode(cookie + "=")), 32)
        # Only the hash is stored.
        self.assertIsNone(self.one("SELECT id FROM sessions WHERE token_hash = ?",
                                   cookie.encode()))
        raw = base64.urlsafe_b64decode(cookie + "=")
        self.assertIsNotNone(self.one("SELECT id FROM sessions WHERE token_hash = ?",
                                      hashlib.blake2b(raw, digest_size=32).digest()))
        page = self.admin_get("/admin/", cookie)
        self.assertStatus(page, 200)
        self.assertIn("alice", page.html().find("header").norm_text())

    def test_cookie_flags(self):
        r = self.login("alice", address=self.addr())
        cookies = [c for c in r.set_cookies if c.startswith("folio_session=")]
        self.assertEqual(len(cookies), 1, r.describe())
        attrs = [a.strip() for a in cookies[0].split(";")[1:]]
        low = [a.lower() for a in attrs]
        self.assertIn("httponly", low)
        self.assertIn("samesite=strict", low)
        self.assertIn("Path=%s" % self.server.path("/admin"), attrs)
        self.assertNotIn("secure", low, "Secure over plain HTTP")

    def test_wrong_name_or_password_same_answer(self):
        a = self.login("alice", "wrong password!", address=self.addr())
        b = self.login("nobody-at-all", PASSWORD, address=self.addr())
        for r in (a, b):
            self.assertStatus(r, 401)
            self.assertFalse([c for c in r.set_cookies if re.match(r"folio_session=[^;]", c)])
            self.assertAdminHeaders(r)
        msg = lambda r: r.html().find(role="alert").norm_text()
        self.assertEqual(msg(a), msg(b))
        self.assertIn("wrong", msg(a).lower())
        # The form comes back with the name, never the password.
        self.assertEqual(a.html().find("input", name="username").get("value"), "alice")
        self.assertNotIn("wrong password!", a.text)

    def test_empty_and_odd_fields(self):
        for fields in ([("username", "alice")], [("password", PASSWORD)], [],
                       [("username", ""), ("password", "")],
                       [("username", "a" * 500), ("password", PASSWORD)]):
            with self.subTest(fields=[f[0] for f in fields]):
                browser, token = self.login_form()
                r = self.admin_post("/admin/login", [("login_token", token)] + fields,
                                    headers={"X-Forwarded-For": self.addr(),
                                             "Cookie": "folio_login=" + browser})
                self.assertStatus(r, 401)
        r = self.request("POST", "/admin/login", body=b"username=alice",
                         headers={"Content-Type": "text/plain"})
        self.assertStatus(r, 415)

    def test_next_is_honoured_under_admin(self):
        r = self.login("alice", next="/admin/log?after=3", address=self.addr())
        self.assertStatus(r, 303)
        self.assertEqual(self.location(r), self.server.path("/admin/log?after=3"))

    def test_no_open_redirect(self):
        bad = ["https://evil.example", "//evil.example", "/\\evil", "/admin/../x",
               "/admin/%2e%2e/x", "/admin//evil.example", "/adminx", "javascript:alert(1)",
               "/admin/\r\nSet-Cookie: x=y", "http:/evil.example", "/admin\\..\\x",
               "/admin/./log", "/admin/login", " /admin/"]
        cookie, _ = self.make_session("alice")
        for next_value in bad:
            with self.subTest(next=next_value):
                r = self.admin_get("/admin/login?next=" + urllib.parse.quote(next_value, safe=""),
                                   cookie)
                self.assertStatus(r, 303)
                self.assertEqual(self.location(r), self.server.path("/admin/"))
        # and after a real sign-in, for two of them
        for next_value in ("https://evil.example", "//evil.example"):
            r = self.login("alice", next=next_value, address=self.addr())
            self.assertStatus(r, 303)
            self.assertEqual(self.location(r), self.server.path("/admin/"))

    def test_login_page_keeps_next(self):
        r = self.get("/admin/log?after=12")
        self.assertToLogin(r, "/admin/log?after=12")
        page = self.get(urllib.parse.urlsplit(self.location(r)).path + "?" +
                        urllib.parse.urlsplit(self.location(r)).query, base=False)
        self.assertStatus(page, 200)
        self.assertEqual(page.html().find("input", name="next").get("value"),
                         "/admin/log?after=12")
        bad = self.get("/admin/login?next=" + urllib.parse.quote("//evil.example", safe=""))
        self.assertIsNone(bad.html().find("input", name="next"))

    def test_logout_ends_the_session(self):
        r = self.login("alice", address=self.addr())
        cookie = self.session_cookie(r)
        csrf = self.csrf_of(cookie)
        r = self.admin_post("/admin/logout", [("csrf_token", csrf)], cookie)
        self.assertRedirectsTo(r, "/admin/login")
        self.assertTrue(any(c.startswith("folio_session=;") for c in r.set_cookies))
        self.assertToLogin(self.admin_get("/admin/", cookie))
        self.assertIsNone(self.one("SELECT id FROM sessions WHERE csrf_token = ?", csrf))

    def test_password_change_ends_sessions(self):
        add_editor(self.server.db, "carol")
        r = self.login("carol", address=self.addr())
        cookie = self.session_cookie(r)
        other, _ = self.make_session("carol")
        keep, _ = self.make_session("alice")
        p = harness.run_folio(["user", "passwd", "carol"], db=self.server.db,
                              input="a brand new password\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertToLogin(self.admin_get("/admin/", cookie))
        self.assertToLogin(self.admin_get("/admin/", other))
        self.assertStatus(self.admin_get("/admin/", keep), 200)
        self.assertStatus(self.login("carol", address=self.addr()), 401)
        self.assertStatus(self.login("carol", "a brand new password", address=self.addr()), 303)

    def test_signed_in_session_expires(self):
        r = self.login("alice", address=self.addr())
        cookie = self.session_cookie(r)
        csrf = self.csrf_of(cookie)
        sid = self.one("SELECT id FROM sessions WHERE csrf_token = ?", csrf)
        cid = self.insert_comment()
        for column, ago in (("last_seen_at", 12 * HOUR + 1), ("created_at", 7 * 24 * HOUR + 1)):
            with self.subTest(column=column):
                now = int(time.time())
                self.execute("UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id = ?",
                             now - (ago if column == "created_at" else HOUR),
                             now - (ago if column == "last_seen_at" else 0), sid)
                self.assertToLogin(self.admin_get("/admin/log", cookie), "/admin/log")
                r = self.act(cookie, csrf, "approve", [cid])
                self.assertStatus(r, 403)
                self.assertEqual(self.status_of(cid), "pending")
        # Just inside both limits it is alive again.
        now = int(time.time())
        self.execute("UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id = ?",
                     now - 7 * 24 * HOUR + 60, now - 12 * HOUR + 60, sid)
        self.assertStatus(self.admin_get("/admin/", cookie), 200)

    def test_idle_session_is_renewed_by_use(self):
        cookie, _ = self.make_session("alice", idle=11 * HOUR)
        self.assertStatus(self.admin_get("/admin/", cookie), 200)
        seen = self.one("SELECT last_seen_at FROM sessions ORDER BY id DESC LIMIT 1")
        self.assertGreater(seen, time.time() - 120)

    def assertRefused(self, r, at_most):
        """429, no session, a Retry-After of at most `at_most` seconds."""
        self.assertStatus(r, 429)
        self.assertAdminHeaders(r)
        retry = int(r.header("Retry-After"))
        self.assertTrue(0 < retry <= at_most, retry)
        self.assertFalse([c for c in r.set_cookies if re.match(r"folio_session=[^;]", c)])
        self.assertIn("try again", r.html().find(role="alert").norm_text().lower())
        return retry

    def device_of(self, name):
        """The folio_device cookie a right sign-in as `name` leaves."""
        return self.cookie_value(self.login(name, address=self.addr()), "folio_device")

    def test_name_guessed_from_many_addresses_is_throttled_not_locked(self):
        add_editor(self.server.db, "locky")
        device = self.device_of("locky")
        for i in range(5):
            r = self.login("locky", "wrong %d" % i, address="203.0.113.%d" % (i + 1))
            self.assertStatus(r, 401, "failure %d" % (i + 1))
        # A sixth address is slowed down, right password or not...
        for password in (PASSWORD, "wrong again"):
            self.assertRefused(self.login("locky", password, address="203.0.113.99"), 60)
        # ...but the editor, from a browser they signed in with, gets in at once,
        # from any address.
        self.assertRedirectsTo(self.login("locky", device=device, address="203.0.113.98"),
                               "/admin/")
        # Another editor's browser cookie is no way in for this name.
        self.assertRefused(self.login("locky", device=self.device_of("alice"),
                                      address="203.0.113.97"), 60)
        # Other names from other addresses are not slowed.
        self.assertStatus(self.login("alice", address="203.0.113.100"), 303)
        # Names are kept only as a hash: a password typed as a name is not stored.
        self.assertIsNone(self.one("SELECT id FROM login_failures WHERE name = 'locky'"))
        # A minute after the last failure one more guess is checked, then the
        # throttle holds again: one guess a minute.
        self.execute("UPDATE login_failures SET at = at - 61")
        self.assertStatus(self.login("locky", "wrong 6", address="203.0.113.96"), 401)
        self.assertRefused(self.login("locky", address="203.0.113.95"), 60)
        self.execute("UPDATE login_failures SET at = at - 61")
        self.assertRedirectsTo(self.login("locky", address="203.0.113.94"), "/admin/")
        # Once the window has passed, nothing holds.
        self.execute("UPDATE login_failures SET at = at - 15 * 60 - 1")
        self.assertStatus(self.login("locky", address="203.0.113.101"), 303)

    def test_name_from_one_address_is_locked_there(self):
        add_editor(self.server.db, "pair")
        device = self.device_of("pair")
        where = "203.0.113.120"
        for i in range(5):
            self.assertStatus(self.login("pair", "wrong %d" % i, address=where), 401)
        # Locked from that address for the window, even with the right
        # password and the editor's own browser cookie...
        retry = self.assertRefused(self.login("pair", device=device, address=where), 15 * 60)
        self.assertGreater(retry, 60)
        # ...while the editor gets in from their browser elsewhere.
        self.assertStatus(self.login("pair", device=device, address="203.0.113.121"), 303)
        self.execute("UPDATE login_failures SET at = at - 901 WHERE ip = ?", where)
        self.assertStatus(self.login("pair", address=where), 303)

    def test_right_password_forgives_only_its_own_address(self):
        add_editor(self.server.db, "forgiven")
        for i in range(3):
            self.assertStatus(self.login("forgiven", "bad", address="203.0.113.130"), 401)
        self.assertStatus(self.login("forgiven", "bad", address="203.0.113.131"), 401)
        self.assertStatus(self.login("forgiven", address="203.0.113.130"), 303)
        self.assertEqual(self.one("SELECT count(*) FROM login_failures WHERE ip = ?",
                                  "203.0.113.130"), 0)
        self.assertEqual(self.one("SELECT count(*) FROM login_failures WHERE ip = ?",
                                  "203.0.113.131"), 1)

    def lock_out(self, name, where):
        for i in range(5):
            self.assertStatus(self.login(name, "wrong %d" % i, address=where), 401)
        self.assertRefused(self.login(name, address=where), 15 * 60)

    def test_unlock_lifts_the_lock(self):
        add_editor(self.server.db, "unlockme")
        self.lock_out("unlockme", "203.0.113.140")
        r = harness.run_folio(["user", "unlock", "unlockme"], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("5 failed sign-ins forgotten", r.stdout)
        self.assertStatus(self.login("unlockme", address="203.0.113.140"), 303)

    def test_passwd_lifts_the_lock(self):
        add_editor(self.server.db, "newpass")
        self.lock_out("newpass", "203.0.113.141")
        for i in range(5):   # and the throttle from many addresses
            self.login("newpass", "wrong", address="203.0.113.%d" % (150 + i))
        r = harness.run_folio(["user", "passwd", "newpass"], db=self.server.db,
                              input="another good password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertStatus(self.login("newpass", "another good password",
                                     address="203.0.113.141"), 303)

    def test_old_hash_is_replaced_at_sign_in(self):
        # PASSWORD hashed at other limits (m = 8 KiB, t = 1), as an older
        # folio or another tool may have stored it.
        old = ("$argon2id$v=19$m=8,t=1,p=1$LOXxlX116oKuWVjNW+p0pg$"
               "mCDVU+QX3G3lTWwYmYWtd1mEZf+bez0J1oliY3jgktc")
        self.execute("INSERT INTO editors (name, password_hash, created_at, "
                     "password_changed_at) VALUES ('oldhash', ?, 0, 0)", old)
        self.assertStatus(self.login("oldhash", address=self.addr()), 303)
        new = self.one("SELECT password_hash FROM editors WHERE name = 'oldhash'")
        self.assertTrue(new.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), new)
        self.assertEqual(self.one("SELECT password_changed_at FROM editors "
                                  "WHERE name = 'oldhash'"), 0)
        self.assertStatus(self.login("oldhash", address=self.addr()), 303)
        self.assertStatus(self.login("oldhash", "wrong", address=self.addr()), 401)
        self.assertEqual(self.one("SELECT password_hash FROM editors WHERE name = 'oldhash'"),
                         new)

    def test_login_form_carries_a_token_of_its_own(self):
        r = self.get("/admin/login")
        token = r.html().find("form", method="post").find("input", name="login_token")
        self.assertEqual(token.get("type"), "hidden")
        self.assertTrue(token.get("value"))
        cookie = [c for c in r.set_cookies if c.startswith("folio_login=")]
        self.assertEqual(len(cookie), 1, r.describe())
        attrs = [a.strip().lower() for a in cookie[0].split(";")[1:]]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        # A browser that has its cookie keeps it; each form gets a token.
        again = self.get("/admin/login", headers={"Cookie": cookie[0].split(";")[0]})
        self.assertFalse([c for c in again.set_cookies if c.startswith("folio_login=")])
        self.assertTrue(again.html().find("input", name="login_token").get("value"))

    def test_sign_in_without_a_valid_token_is_refused_and_not_counted(self):
        add_editor(self.server.db, "csrfed")
        where = "203.0.113.160"
        browser, token = self.login_form()
        other_browser, other_token = self.login_form()
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        cases = [("no token, no cookie", None, None),
                 ("a token without its cookie", token, None),
                 ("a cookie without a token", None, browser),
                 ("another browser's token", other_token, browser),
                 ("a forged token", forged, browser),
                 ("an empty token", "", browser)]
        for label, tok, cookie in cases * 2:
            for password in (PASSWORD, "wrong password"):
                with self.subTest(case=label, password=password):
                    fields = [("username", "csrfed"), ("password", password)]
                    if tok is not None:
                        fields.insert(0, ("login_token", tok))
                    headers = {"X-Forwarded-For": where}
                    if cookie:
                        headers["Cookie"] = "folio_login=" + cookie
                    r = self.admin_post("/admin/login", fields, headers=headers)
                    self.assertStatus(r, 403)
                    self.assertAdminHeaders(r)
                    self.assertFalse([c for c in r.set_cookies
                                      if re.match(r"folio_session=[^;]", c)])
                    # the form again, with a token that works, and the name kept
                    self.assertTrue(r.html().find("input", name="login_token").get("value"))
                    self.assertEqual(r.html().find("input", name="username").get("value"),
                                     "csrfed")
        self.assertEqual(self.one("SELECT count(*) FROM login_failures WHERE ip = ?", where), 0)
        # The token in the query string is not the form's.
        r = self.admin_post("/admin/login?login_token=" + urllib.parse.quote(token),
                            [("username", "csrfed"), ("password", PASSWORD)],
                            headers={"Cookie": "folio_login=" + browser})
        self.assertStatus(r, 403)
        # Twenty-four refused forms later the address is not locked.
        self.assertStatus(self.login("csrfed", address=where), 303)

    def test_lockout_by_address(self):
        where = "203.0.113.200"
        for i in range(5):
            r = self.login("stranger%d" % i, "whatever", address=where)
            self.assertStatus(r, 401)
        r = self.login("alice", address=where)
        self.assertStatus(r, 429)
        self.assertTrue(r.header("Retry-After"))
        self.assertStatus(self.login("alice", address="203.0.113.201"), 303)
        self.execute("UPDATE login_failures SET at = at - 901 WHERE ip = ?", where)
        self.assertStatus(self.login("alice", address=where), 303)

    def test_parallel_guesses_cannot_pass_the_lockout(self):
        # Twelve wrong passwords at once from one address: one check runs at
        # a time, the others are asked to try again (503), so no more than
        # five are ever checked before the lockout (429) holds.
        add_editor(self.server.db, "rushed")
        where = "203.0.113.150"
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            first = list(pool.map(lambda i: self.login("rushed", "guess %d" % i, address=where),
                                  range(12)))
        statuses = [r.status for r in first]
        self.assertTrue(set(statuses) <= {401, 503}, statuses)
        for r in first:
            if r.status == 503:
                self.assertEqual(r.header("Retry-After"), "1")
        checked = statuses.count(401)
        self.assertLessEqual(checked, 5)
        for _ in range(20):
            if checked == 5:
                break
            r = self.login("rushed", "guess again", address=where)
            self.assertIn(r.status, (401, 503), r.describe())
            checked += r.status == 401
        self.assertEqual(self.one("SELECT count(*) FROM login_failures WHERE ip = ?", where), 5)
        self.assertStatus(self.login("rushed", address=where), 429)

    def test_four_failures_do_not_lock(self):
        add_editor(self.server.db, "nearly")
        for i in range(4):
            self.assertStatus(self.login("nearly", "bad", address="203.0.113.%d" % (50 + i)), 401)
        self.assertStatus(self.login("nearly", address="203.0.113.60"), 303)


class ModerationTest(AdminCase):
    """Each action, its log row, the article page, the messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_editor(cls.server.db, "mod")

    def setUp(self):
        self.cookie, self.csrf = self.make_session("mod")

    def article_page(self, slug="harbour-bridge-reopens"):
        r = self.get("/articles/" + slug)
        self.assertStatus(r, 200)
        return r

    def test_queue_shows_everything_escaped(self):
        cid = self.insert_comment(body="<b>bold</b> & <script>x()</script>\n\nsecond",
                                  author="<i>Eve</i>")
        r = self.admin_get("/admin/", self.cookie)
        self.assertStatus(r, 200)
        item = r.html().find(id="comment-%d" % cid)
        self.assertIsNotNone(item, "comment not in the queue")
        text = item.norm_text()
        for want in ("<i>Eve</i>", "reader@example.com", "https://reader.example/",
                     "192.0.2.7", "<b>bold</b> & <script>x()</script>", "second",
                     "Harbour bridge"):
            self.assertIn(want, text)
        self.assertNotIn("<script>x()", r.text)
        self.assertIsNotNone(item.find("input", type="checkbox", name="id", value=str(cid)))
        self.assertIsNotNone(item.find("time"))
        buttons = [b.get("value") for b in item.find_all("button")]
        self.assertEqual(buttons, ["approve", "spam", "trash"])
        self.assertTrue(any(h.endswith("/articles/harbour-bridge-reopens")
                            for h, _ in item.links()))

    def test_counts_and_views(self):
        ids = {s: self.insert_comment(status=s) for s in ("pending", "approved", "spam", "trash")}
        r = self.admin_get("/admin/", self.cookie)
        root = r.html()
        nav = root.find("nav", class_="admin-views")
        con = self.db()
        counts = dict(con.execute("SELECT status, count(*) FROM comments GROUP BY status"))
        text = nav.norm_text()
        for label, status in (("Pending", "pending"), ("Approved", "approved"),
                              ("Spam", "spam"), ("Trash", "trash")):
            self.assertIn("%s %d" % (label, counts.get(status, 0)), text)
        hrefs = [h for h, _ in nav.links()]
        for status in ("approved", "spam", "trash"):
            self.assertIn(self.server.path("/admin/?status=" + status), hrefs)
            page = self.admin_get("/admin/?status=" + status, self.cookie).html()
            self.assertIsNotNone(page.find(id="comment-%d" % ids[status]))
            self.assertIsNone(page.find(id="comment-%d" % ids["pending"]))

    def test_approve_shows_on_the_article_at_once(self):
        cid = self.insert_comment(body="Approve me please")
        before = self.article_page()
        self.assertNotIn("Approve me please", before.text)
        r = self.act(self.cookie, self.csrf, "approve", [cid])
        self.assertStatus(r, 303)
        after = self.article_page()
        self.assertIsNotNone(after.html().find(id="comment-%d" % cid))
        self.assertNotEqual(before.header("ETag"), after.header("ETag"))
        # A conditional GET with the old ETag gets the new page.
        r = self.get("/articles/harbour-bridge-reopens",
                     headers={"If-None-Match": before.header("ETag") or '"x"'})
        self.assertStatus(r, 200)
        # unapprove takes it off again
        self.assertStatus(self.act(self.cookie, self.csrf, "unapprove", [cid]), 303)
        self.assertEqual(self.status_of(cid), "pending")
        self.assertIsNone(self.article_page().html().find(id="comment-%d" % cid))

    def test_each_action_and_its_log(self):
        eid = self.editor_id("mod")
        aid = self.article_id()
        cid = self.insert_comment()
        steps = [("approve", "pending", "approved"), ("unapprove", "approved", "pending"),
                 ("spam", "pending", "spam"), ("restore", "spam", "pending"),
                 ("approve", "pending", "approved"), ("trash", "approved", "trash"),
                 ("restore", "trash", "approved"), ("spam", "approved", "spam"),
                 ("trash", "spam", "trash"), ("restore", "trash", "approved"),
                 ("trash", "approved", "trash"), ("delete", "trash", "deleted")]
        for action, old, new in steps:
            with self.subTest(action=action, old=old):
                self.assertEqual(self.status_of(cid), old)
                r = self.act(self.cookie, self.csrf, action, [cid], ret="")
                self.assertStatus(r, 303)
                self.assertEqual(self.status_of(cid), None if new == "deleted" else new)
                last = self.log_rows(cid)[-1]
                self.assertEqual(last, ("mod", eid, None, cid, aid, old, new))
        self.assertEqual(len(self.log_rows(cid)), len(steps))
        # The log page shows them, newest first.
        page = self.admin_get("/admin/log", self.cookie).html()
        rows = [tr for tr in page.find_all("tr") if tr.id]
        first = rows[0].norm_text()
        self.assertIn("mod", first)
        self.assertIn("#%d" % cid, first)
        self.assertIn("trash", first)
        self.assertIn("deleted", first)

    def test_restore_without_previous_goes_to_pending(self):
        cid = self.insert_comment(status="spam")
        self.act(self.cookie, self.csrf, "restore", [cid])
        self.assertEqual(self.status_of(cid), "pending")

    def test_delete_only_from_spam_or_trash(self):
        for status in ("pending", "approved"):
            cid = self.insert_comment(status=status)
            n = len(self.log_rows())
            r = self.act(self.cookie, self.csrf, "delete", [cid], ret="")
            self.assertStatus(r, 303)
            self.assertEqual(self.status_of(cid), status)
            self.assertEqual(len(self.log_rows()), n)
            flash = self.follow(r, self.cookie)
            msg = flash.html().find(role="status").norm_text()
            self.assertIn("not deleted", msg)
            self.assertIn("spam or trash", msg)

    def test_bulk_action_and_message(self):
        ids = [self.insert_comment() for _ in range(3)]
        other = self.insert_comment()
        r = self.act(self.cookie, self.csrf, "approve", ids, ret="")
        self.assertStatus(r, 303)
        for i in ids:
            self.assertEqual(self.status_of(i), "approved")
        self.assertEqual(self.status_of(other), "pending")
        page = self.follow(r, self.cookie)
        self.assertStatus(page, 200)
        self.assertEqual(page.html().find(role="status").norm_text(), "3 comments approved.")
        one = self.act(self.cookie, self.csrf, "spam", [other], ret="")
        page = self.follow(one, self.cookie)
        self.assertEqual(page.html().find(role="status").norm_text(),
                         "1 comment marked as spam.")

    def test_bulk_mixed_outcomes(self):
        a = self.insert_comment(status="trash")
        b = self.insert_comment(status="pending")
        r = self.act(self.cookie, self.csrf, "delete", [a, b, 987654321], ret="status=trash")
        self.assertStatus(r, 303)
        self.assertIsNone(self.status_of(a))
        self.assertEqual(self.status_of(b), "pending")
        page = self.follow(r, self.cookie)
        msg = page.html().find(role="status").norm_text()
        self.assertIn("1 comment deleted permanently.", msg)
        self.assertIn("1 comment was not deleted", msg)
        self.assertIn("1 comment no longer exists", msg)

    def test_no_ids_ticked(self):
        r = self.act(self.cookie, self.csrf, "approve", [], ret="status=spam")
        self.assertStatus(r, 303)
        page = self.follow(r, self.cookie)
        self.assertIn("Tick at least one comment", page.html().find(role="status").norm_text())

    def test_back_to_the_view_it_came_from(self):
        cid = self.insert_comment(status="spam")
        r = self.act(self.cookie, self.csrf, "trash", [cid], ret="status=spam&after=5")
        self.assertStatus(r, 303)
        u = urllib.parse.urlsplit(self.location(r))
        self.assertEqual(u.path, self.server.path("/admin/"))
        q = urllib.parse.parse_qs(u.query)
        self.assertEqual(q, {"status": ["spam"], "after": ["5"]})
        self.assertEqual(self.flash_of(self.follow(r, self.cookie)), "1 comment moved to the trash.")
        for ret in ("https://evil.example/", "//evil.example", "status=x", "status=spam&a=%0d",
                    "/\\evil", "after=-1"):
            with self.subTest(ret=ret):
                cid = self.insert_comment()
                r = self.act(self.cookie, self.csrf, "spam", [cid], ret=ret)
                self.assertStatus(r, 303)
                loc = self.location(r)
                self.assertTrue(loc.startswith(self.server.path("/admin/")), loc)
                self.assertNotIn("evil", loc)

    def test_queue_forms_post_back_with_their_view(self):
        self.insert_comment(status="spam")
        page = self.admin_get("/admin/?status=spam", self.cookie).html()
        for form in page.find_all("form", method="post"):
            if form.get("action") != self.server.path("/admin/comments"):
                continue
            ret = form.find("input", name="return")
            self.assertEqual(ret.get("value"), "status=spam")

    def test_approved_comment_log_link(self):
        cid = self.insert_comment()
        self.act(self.cookie, self.csrf, "approve", [cid])
        page = self.admin_get("/admin/log", self.cookie).html()
        hrefs = [h for h, _ in page.links()]
        self.assertIn(self.server.path("/articles/harbour-bridge-reopens#comment-%d" % cid), hrefs)


class FlashUndoTest(AdminCase):
    """The message after an action is shown once; the last action can be
    undone, from the log's previous statuses, in one transaction."""

    def setUp(self):
        self.cookie, self.csrf = self.make_session("undoer")

    def undo_form(self, page):
        for form in page.html().find_all("form", method="post"):
            button = form.find("button", value="undo")
            if button:
                return form
        return None

    def undo(self, page, cookie=None, csrf=None):
        form = self.undo_form(page)
        self.assertIsNotNone(form, "no Undo after the action:\n%s" % page.describe())
        fields = [(i.get("name"), i.get("value")) for i in form.find_all("input")]
        if csrf:
            fields = [(n, csrf if n == "csrf_token" else v) for n, v in fields]
        fields.append(("action", "undo"))
        return self.admin_post("/admin/comments", fields, cookie or self.cookie)

    def test_message_is_shown_once(self):
        cid = self.insert_comment()
        r = self.act(self.cookie, self.csrf, "approve", [cid], ret="status=pending")
        self.assertRedirectsTo(r, "/admin/")
        self.assertNotIn("done=", self.location(r))
        page = self.follow(r, self.cookie)
        self.assertEqual(self.flash_of(page), "1 comment approved.")
        self.assertTrue([c for c in page.set_cookies
                         if c.startswith("folio_flash=;") and "Max-Age=0" in c], page.describe())
        # A reload (the browser has dropped the cookie) shows no message.
        again = self.get(self.location(r), headers=self.cookie_header(self.cookie), base=False)
        self.assertStatus(again, 200)
        self.assertIsNone(self.flash_of(again))
        # The old address style says nothing either.
        old = self.admin_get("/admin/?done=approve&n=3", self.cookie)
        self.assertIsNone(self.flash_of(old))
        # A flash cookie is worth nothing to another session.
        other, _ = self.make_session("other-undoer")
        stolen = self.follow(r, other)
        self.assertIsNone(self.flash_of(stolen))

    def test_undo_puts_back_the_last_action(self):
        a = self.insert_comment(status="pending")
        b = self.insert_comment(status="approved", body="Shown until spammed")
        c = self.insert_comment(status="trash", previous="approved")
        r = self.act(self.cookie, self.csrf, "spam", [a, b, c])
        self.assertEqual([self.status_of(i) for i in (a, b, c)], ["spam"] * 3)
        page = self.follow(r, self.cookie)
        self.assertEqual(self.flash_of(page), "3 comments marked as spam.")
        logged = len(self.log_rows())
        u = self.undo(page)
        self.assertRedirectsTo(u, "/admin/")
        self.assertEqual([self.status_of(i) for i in (a, b, c)],
                         ["pending", "approved", "trash"])
        eid = self.editor_id("undoer")
        rows = self.log_rows()[logged:]
        self.assertEqual(sorted(rows), sorted([
            ("undoer", eid, None, a, self.article_id(), "spam", "pending"),
            ("undoer", eid, None, b, self.article_id(), "spam", "approved"),
            ("undoer", eid, None, c, self.article_id(), "spam", "trash")]))
        # restore still knows where the trashed one came from
        self.act(self.cookie, self.csrf, "restore", [c])
        self.assertEqual(self.status_of(c), "approved")
        # the approved one is back on the article
        self.assertIsNotNone(self.get("/articles/harbour-bridge-reopens").html()
                             .find(id="comment-%d" % b))
        done = self.follow(u, self.cookie)
        self.assertEqual(self.flash_of(done), "3 comments put back as they were.")
        self.assertIsNone(self.undo_form(done), "an undo of the undo")
        # Sending the same Undo again changes nothing.
        again = self.undo(page)
        self.assertStatus(again, 303)
        self.assertEqual([self.status_of(i) for i in (a, b)], ["pending", "approved"])
        self.assertIn("Nothing was undone", self.flash_of(self.follow(again, self.cookie)))

    def test_undo_leaves_what_changed_since(self):
        a, b = self.insert_comment(), self.insert_comment()
        page = self.follow(self.act(self.cookie, self.csrf, "approve", [a, b]), self.cookie)
        other, other_csrf = self.make_session("second-editor")
        self.act(other, other_csrf, "trash", [b])
        u = self.undo(page)
        self.assertEqual(self.status_of(a), "pending")
        self.assertEqual(self.status_of(b), "trash")
        self.assertEqual(self.flash_of(self.follow(u, self.cookie)),
                         "1 comment put back as it was. 1 comment was changed again since "
                         "and was left as it is.")

    def test_undo_is_the_sessions_own(self):
        a = self.insert_comment()
        page = self.follow(self.act(self.cookie, self.csrf, "trash", [a]), self.cookie)
        other, other_csrf = self.make_session("third-editor")
        before = len(self.log_rows())
        r = self.undo(page, cookie=other, csrf=other_csrf)
        self.assertStatus(r, 400)
        r = self.undo(page, csrf="x" * len(self.csrf))
        self.assertStatus(r, 403)
        self.assertEqual(self.status_of(a), "trash")
        self.assertEqual(len(self.log_rows()), before)

    def test_no_undo_for_delete_or_nothing_changed(self):
        a = self.insert_comment(status="spam")
        page = self.follow(self.act(self.cookie, self.csrf, "delete", [a], ret="status=spam"),
                           self.cookie)
        self.assertEqual(self.flash_of(page), "1 comment deleted permanently.")
        self.assertIsNone(self.undo_form(page))
        b = self.insert_comment(status="approved")
        page = self.follow(self.act(self.cookie, self.csrf, "approve", [b]), self.cookie)
        self.assertEqual(self.flash_of(page), "No comment changed.")
        self.assertIsNone(self.undo_form(page))


def focusables(root):
    """The elements Tab stops at, in document order (no positive tabindex
    is used in the admin area)."""
    out = []
    for n in root.iter():
        if n.tag is None or n.get("tabindex") == "-1" or "disabled" in n.attrs:
            continue
        if ((n.tag == "a" and "href" in n.attrs) or n.tag in ("button", "select", "textarea")
                or (n.tag == "input" and n.get("type") != "hidden")):
            out.append(n)
    return out


class QueueScreenTest(AdminCase):
    """Moderating 50 comments from one screen: tick all, the first Approve a
    tab stop away, replies shown with their parent, no script needed."""
    COUNT = 55

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        con = harness.database(cls.server, timeout=10)
        aid = con.execute("SELECT id FROM articles WHERE slug = 'zeppelin-returns'").fetchone()[0]
        now = int(time.time())
        with con:
            con.executemany(
                "INSERT INTO comments (article_id, status, author, email, body, ip, created_at, "
                "status_changed_at) VALUES (?, 'pending', ?, 'q@example.com', ?, '192.0.2.9', ?, ?)",
                [(aid, "Q%d" % i, "queued %d" % i, now - 5000 + i, now) for i in range(cls.COUNT)])
        con.close()

    def setUp(self):
        self.cookie, self.csrf = self.make_session("screen")

    def pending_ids(self):
        return [r[0] for r in self.db().execute(
            "SELECT id FROM comments WHERE status = 'pending' ORDER BY id")]

    def test_tick_all_on_this_page_without_script(self):
        page = self.admin_get("/admin/", self.cookie).html()
        link = [a for a in page.find_all("a") if a.norm_text() == "Tick all on this page"]
        self.assertEqual(len(link), 1)
        ticked = self.get(link[0].get("href"), headers=self.cookie_header(self.cookie),
                          base=False)
        self.assertStatus(ticked, 200)
        root = ticked.html()
        boxes = root.find_all("input", type="checkbox", form="bulk")
        self.assertEqual(len(boxes), 50)
        self.assertTrue(all("checked" in b.attrs for b in boxes))
        self.assertTrue([a for a in root.find_all("a") if a.norm_text() == "Untick all"])
        # What the browser sends for the bar's Approve: the bar's fields and
        # every ticked box.
        bulk = root.find("form", id="bulk")
        fields = [(i.get("name"), i.get("value")) for i in bulk.find_all("input")]
        fields += [("id", b.get("value")) for b in boxes] + [("action", "approve")]
        first_fifty = self.pending_ids()[:50]
        r = self.admin_post("/admin/comments", fields, self.cookie)
        self.assertRedirectsTo(r, "/admin/")
        self.assertEqual(self.flash_of(self.follow(r, self.cookie)), "50 comments approved.")
        self.assertEqual([self.status_of(i) for i in first_fifty], ["approved"] * 50)
        # and back to the queue, for the other tests
        self.act(self.cookie, self.csrf, "unapprove", first_fifty)
        self.assertEqual([self.status_of(i) for i in first_fifty], ["pending"] * 50)

    def test_tick_all_keeps_the_view(self):
        self.insert_comment(status="spam")
        page = self.admin_get("/admin/?status=spam", self.cookie).html()
        href = [a.get("href") for a in page.find_all("a")
                if a.norm_text() == "Tick all on this page"][0]
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        self.assertEqual(q, {"status": ["spam"], "tick": ["all"]})

    def test_first_approve_is_two_tab_stops_away(self):
        root = self.admin_get("/admin/", self.cookie).html()
        stops = focusables(root)
        skip = stops[0]
        self.assertEqual(skip.tag, "a")
        self.assertTrue(skip.get("href").startswith("#"), skip.get("href"))
        target = root.find(id=skip.get("href")[1:])
        self.assertIsNotNone(target, "the skip link leads nowhere")
        after = [n for n in stops if n.is_inside(target)]
        first = root.find("li", class_="admin-comment")
        self.assertTrue(after[0].tag == "button" and after[0].get("value") == "approve"
                        and after[0].is_inside(first), after[0])
        # In each row the buttons come before the rest.
        row_stops = [n for n in stops if n.is_inside(first)]
        self.assertEqual([n.get("value") for n in row_stops[:3]], ["approve", "spam", "trash"])

    def test_works_without_script_and_the_script_is_optional(self):
        r = self.admin_get("/admin/", self.cookie)
        scripts = r.html().find_all("script")
        self.assertTrue(all(s.get("src") for s in scripts), "inline script")
        for s in scripts:
            js = self.get(s.get("src"), base=False)
            self.assertStatus(js, 200)
            self.assertIn("javascript", js.header("Content-Type"))
            self.assertLess(len(js.body), 4096, "keep the script small")

    def test_a_reply_shows_its_parent_in_context(self):
        long_text = "First line of the parent\n" + "word " * 40 + "END-NOT-SHOWN"
        parent = self.insert_comment(status="approved", author="Parent <Person>",
                                     body=long_text)
        reply = self.insert_comment(body="I disagree")
        self.execute("UPDATE comments SET parent_id = ? WHERE id = ?", parent, reply)
        page = self.admin_get("/admin/?status=pending&after=%d" % (reply - 1), self.cookie)
        item = page.html().find(id="comment-%d" % reply)
        link = item.find("a", class_="admin-parent")
        self.assertIsNotNone(link, item.norm_text())
        self.assertEqual(link.get("href"),
                         self.server.path("/articles/harbour-bridge-reopens#comment-%d" % parent))
        self.assertIn("Parent <Person>", link.norm_text())
        self.assertIn("#%d" % parent, link.norm_text())
        excerpt = item.find("q").norm_text()
        self.assertTrue(excerpt.startswith("First line of the parent word word"), excerpt)
        self.assertTrue(excerpt.endswith("\u2026"), excerpt)
        self.assertNotIn("END-NOT-SHOWN", item.norm_text())
        self.assertNotIn("\n", item.find("q").text())
        self.assertNotIn("<Person>", page.text)
        # The link leads to the comment on the article page.
        article = self.get("/articles/harbour-bridge-reopens")
        self.assertIsNotNone(article.html().find(id="comment-%d" % parent))


class PagingTest(AdminCase):
    """Keyset paging: 120 pending comments in 50s, no duplicates, no gaps."""
    COUNT = 120

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        con = harness.database(cls.server, timeout=10)
        aid = con.execute("SELECT id FROM articles WHERE slug = 'zeppelin-returns'").fetchone()[0]
        now = int(time.time())
        with con:
            for status in ("pending", "approved"):
                con.executemany(
                    "INSERT INTO comments (article_id, status, author, email, body, ip, "
                    "created_at, status_changed_at) VALUES (?,?,?,?,?,?,?,?)",
                    [(aid, status, "P%d" % i, "p@example.com", "%s %d" % (status, i),
                      "192.0.2.1", now - 1000 + i, now) for i in range(cls.COUNT)])
        con.close()

    def setUp(self):
        self.cookie, self.csrf = self.make_session("pager")

    def ids_on(self, path):
        r = self.get(path, headers=self.cookie_header(self.cookie), base=False)
        self.assertStatus(r, 200)
        root = r.html()
        ids = [int(li.id.split("-")[1]) for li in root.find_all("li", class_="admin-comment")]
        prev = root.find("a", rel="prev")
        nxt = root.find("a", rel="next")
        return ids, prev.get("href") if prev else None, nxt.get("href") if nxt else None

    def walk(self, start):
        pages, path = [], self.server.path(start)
        while path:
            ids, _, path = self.ids_on(path)
            pages.append(ids)
            self.assertLessEqual(len(pages), 10, "paging does not end")
        return pages

    def expected(self, status):
        con = self.db()
        return [r[0] for r in con.execute("SELECT id FROM comments WHERE status = ? ORDER BY id",
                                          (status,))]

    def test_queue_forward_and_back(self):
        want = self.expected("pending")
        pages = self.walk("/admin/")
        self.assertEqual([len(p) for p in pages][:2], [50, 50])
        flat = [i for p in pages for i in p]
        self.assertEqual(flat, want, "oldest first, each once")
        # and back from the last page
        last_path = None
        path = self.server.path("/admin/")
        while path:
            last_path = path
            _, _, path = self.ids_on(path)
        back, path = [], last_path
        while path:
            ids, path, _ = self.ids_on(path)
            back.insert(0, ids)
        self.assertEqual([i for p in back for i in p], want)
        first_ids, prev, _ = self.ids_on(self.server.path("/admin/"))
        self.assertIsNone(prev)

    def test_approved_view_newest_first(self):
        want = list(reversed(self.expected("approved")))
        flat = [i for p in self.walk("/admin/?status=approved") for i in p]
        self.assertEqual(flat, want)

    def test_acting_on_a_page_keeps_the_next_page_whole(self):
        ids, _, nxt = self.ids_on(self.server.path("/admin/"))
        second, _, _ = self.ids_on(nxt)
        r = self.act(self.cookie, self.csrf, "trash", ids[:5], ret="")
        self.assertStatus(r, 303)
        again, _, _ = self.ids_on(nxt)
        self.assertEqual(again, second)
        self.act(self.cookie, self.csrf, "restore", ids[:5])

    def test_log_paging(self):
        ids = self.expected("pending")[:60]
        for chunk in (ids[:30], ids[30:]):
            self.assertStatus(self.act(self.cookie, self.csrf, "spam", chunk), 303)
            self.assertStatus(self.act(self.cookie, self.csrf, "restore", chunk), 303)
        con = self.db()
        want = [r[0] for r in con.execute("SELECT id FROM moderation_log ORDER BY id DESC")]
        got, path = [], self.server.path("/admin/log")
        while path:
            r = self.get(path, headers=self.cookie_header(self.cookie), base=False)
            root = r.html()
            got += [int(tr.id.split("-")[1]) for tr in root.find_all("tr") if tr.id]
            nxt = root.find("a", rel="next")
            path = nxt.get("href") if nxt else None
        self.assertEqual(got, want)


class BasePathTest(AdminCase):
    """--base-path /news: cookie path, redirects and next carry the prefix."""
    base_path = "/news"
    server_args = ["--trusted-proxy", "127.0.0.1"]

    def test_redirects_and_cookie_path(self):
        add_editor(self.server.db, "bp")
        r = self.get("/admin/log")
        self.assertToLogin(r, "/admin/log")
        r = self.login("bp", next="/admin/log", address="192.0.2.50")
        self.assertEqual(self.location(r), "/news/admin/log")
        cookie = [c for c in r.set_cookies if c.startswith("folio_session=")][0]
        self.assertIn("Path=/news/admin", cookie)
        value = self.session_cookie(r)
        page = self.admin_get("/admin/", value)
        self.assertStatus(page, 200)
        for form in page.html().find_all("form", method="post"):
            self.assertTrue(form.get("action").startswith("/news/admin/"))


class SecureCookieTest(AdminCase):
    """Over HTTPS (nginx sends HTTPS=on) the cookie is Secure. The test's
    nginx sets HTTPS from a request header, standing in for a TLS listener."""
    server_args = ["--trusted-proxy", "127.0.0.1"]

    @classmethod
    def setUpClass(cls):
        if harness.front_from_env() != "fcgi":
            raise unittest.SkipTest("HTTPS comes from nginx: the fcgi front")
        original = harness.FolioServer.nginx_conf

        def conf(server):
            text = original(server)
            text = text.replace("fastcgi_param HTTPS $https if_not_empty;",
                                "fastcgi_param HTTPS $folio_test_https if_not_empty;")
            return text.replace("http {", "http {\n    map $http_x_test_https $folio_test_https"
                                " { default $https; on on; }", 1)
        harness.FolioServer.nginx_conf = conf
        try:
            super().setUpClass()
        finally:
            harness.FolioServer.nginx_conf = original

    def test_secure_over_https_only(self):
        add_editor(self.server.db, "sec")
        browser, token = self.login_form()
        fields = [("login_token", token), ("username", "sec"), ("password", PASSWORD)]
        r = self.admin_post("/admin/login", fields,
                            headers={"X-Test-HTTPS": "on", "X-Forwarded-For": "192.0.2.60",
                                     "Cookie": "folio_login=" + browser})
        self.assertStatus(r, 303)
        cookie = [c for c in r.set_cookies if c.startswith("folio_session=")][0]
        self.assertIn("secure", [a.strip().lower() for a in cookie.split(";")])
        r = self.admin_post("/admin/login", fields,
                            headers={"X-Forwarded-For": "192.0.2.61",
                                     "Cookie": "folio_login=" + browser})
        cookie = [c for c in r.set_cookies if c.startswith("folio_session=")][0]
        self.assertNotIn("secure", [a.strip().lower() for a in cookie.split(";")])


@unittest.skipIf(harness.front_from_env() == "fcgi", "the command line has no front end")
class UserCliTest(unittest.TestCase):
    """folio user add|passwd|del|list."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="folio-user-")
        cls.db = os.path.join(cls.tmp, "site.db")
        r = harness.run_folio(["init"], db=cls.db)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def folio(self, *args, input=None):
        return harness.run_folio(list(args), db=self.db, input=input)

    def hash_of(self, name):
        con = sqlite3.connect(self.db)
        try:
            row = con.execute("SELECT password_hash FROM editors WHERE name = ?", (name,)).fetchone()
            return row[0] if row else None
        finally:
            con.close()

    def test_add_list_passwd_del(self):
        r = self.folio("user", "add", "dora", input="first password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("first password", r.stdout + r.stderr)
        h = self.hash_of("dora")
        self.assertTrue(h.startswith("$argon2id$"), h)
        m = re.search(r"m=(\d+),t=(\d+)", h)
        # OWASP's Argon2id for sign-in forms (docs/editors.md)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (19456, 2), h)
        self.assertNotIn("first password", h)
        listing = self.folio("user", "list")
        self.assertEqual(listing.returncode, 0)
        self.assertRegex(listing.stdout, r"(?m)^dora\s")
        self.assertEqual(self.folio("user", "add", "dora", input="other password\n").returncode, 1)
        r = self.folio("user", "passwd", "dora", input="second password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(self.hash_of("dora"), h)
        self.assertEqual(self.folio("user", "del", "dora").returncode, 0)
        self.assertIsNone(self.hash_of("dora"))
        self.assertNotRegex(self.folio("user", "list").stdout, r"(?m)^dora\s")
        self.assertEqual(self.folio("user", "del", "dora").returncode, 1)
        self.assertEqual(self.folio("user", "passwd", "dora", input="x" * 10 + "\n").returncode, 1)

    def test_password_never_from_the_command_line(self):
        for args in (["user", "add", "eve", "hunter2hunter2"],
                     ["user", "add", "eve", "--password", "hunter2hunter2"],
                     ["user", "add", "eve", "--password=hunter2hunter2"],
                     ["user", "passwd", "eve", "hunter2hunter2"]):
            with self.subTest(args=args):
                r = self.folio(*args, input="")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIsNone(self.hash_of("eve"))
        r = self.folio("user", "add", "eve", "hunter2hunter2", input="")
        self.assertNotIn("hunter2hunter2", r.stderr)

    def test_short_or_missing_password(self):
        r = self.folio("user", "add", "frank", input="short\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("8", r.stderr)
        self.assertEqual(self.folio("user", "add", "frank", input="").returncode, 1)
        self.assertIsNone(self.hash_of("frank"))

    def test_unlock(self):
        self.assertEqual(self.folio("user", "add", "gina", input="long enough password\n")
                         .returncode, 0)
        con = sqlite3.connect(self.db)
        with con:   # failures are counted under a hash of the name (see LoginTest)
            con.execute("INSERT INTO login_failures (name, ip, at) VALUES ('other', '192.0.2.1', "
                        "strftime('%s', 'now'))")
        con.close()
        r = self.folio("user", "unlock", "gina")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gina may sign in again (0 failed sign-ins forgotten)", r.stdout)
        r = self.folio("user", "unlock", "nobody-here")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no editor is named nobody-here", r.stderr)
        self.assertEqual(self.folio("user", "unlock").returncode, 2)
        self.assertEqual(self.folio("user", "unlock", "gina", "extra").returncode, 2)
        self.assertIn("unlock", self.folio("user", "--help").stdout)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT count(*) FROM login_failures").fetchone()[0], 1)
        con.close()

    def test_bad_names_and_usage(self):
        for args in (["user"], ["user", "add"], ["user", "frob", "x"],
                     ["user", "add", "bad name"], ["user", "add", "x" * 65],
                     ["user", "add", "a/b"], ["user", "list", "extra"]):
            with self.subTest(args=args):
                self.assertEqual(self.folio(*args, input="long enough password\n").returncode, 2)
        r = self.folio("user", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("stdin", r.stdout)


if __name__ == "__main__":
    unittest.main()
