"""The JSON API of CONTRACT.md ("JSON API") and `folio token`, against a real
folio (FOLIO_FRONT=http: folio serve; FOLIO_FRONT=fcgi: folio fcgi behind nginx)."""

import datetime
import json
import re
import sqlite3
import time
import unittest

import harness

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
COMMENT_KEYS = {"id", "article", "parent", "author", "email", "url", "body", "status",
                "created_at", "ip", "by_site"}
ARTICLE_KEYS = {"id", "slug", "title", "author", "body", "body_html", "tags", "source",
                "summary", "image", "image_alt",
                "status", "published_at", "updated_at", "comments_open", "comment_counts"}
STATUSES = ("pending", "approved", "spam", "trash")
SUMMIT = "summit-talks-resume"      # a published fixture, comments open
DRAFT = "budget-draft-leak"         # a draft fixture


class ApiCase(harness.FolioTestCase):
    """A server with the fixtures and one token, `token`, named "ci-bot"."""

    token_name = "ci-bot"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = harness.run_folio(["token", "add", cls.token_name], db=cls.server.db)
        if r.returncode != 0:
            raise RuntimeError("folio token add failed: %s%s" % (r.stdout, r.stderr))
        cls.token = r.stdout.strip()

    # -- talking JSON -------------------------------------------------------

    def api(self, method, path, body=None, token=None, headers=None, raw_body=None):
        """A request under /admin/api; body (a Python value) is sent as JSON."""
        hdrs = {"Authorization": "Bearer " + (token or self.token)}
        if body is not None:
            raw_body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        return self.request(method, "/admin/api" + path, body=raw_body, headers=hdrs)

    def json_of(self, r, status):
        self.assertStatus(r, status)
        ct = (r.header("Content-Type") or "").split(";")[0].strip().lower()
        self.assertEqual(ct, "application/json", r.describe(300))
        self.assertEqual((r.header("Cache-Control") or "").lower(), "no-store", r.describe(300))
        try:
            return json.loads(r.body)
        except ValueError:
            self.fail("not JSON:\n" + r.describe())

    def assertError(self, r, status, field=None):
        doc = self.json_of(r, status)
        self.assertIsInstance(doc.get("error"), str, r.describe())
        self.assertTrue(doc["error"], r.describe())
        self.assertEqual(set(doc) - {"error", "field"}, set(), r.describe())
        if field is None:
            self.assertNotIn("field", doc, r.describe())
        else:
            self.assertEqual(doc.get("field"), field, r.describe())
        self.assertNoLeak(r)
        return doc

    def assertUnauthorized(self, r):
        self.assertError(r, 401)
        self.assertTrue((r.header("WWW-Authenticate") or "").startswith("Bearer"),
                        r.describe(300))

    # -- the database, directly ---------------------------------------------

    def db(self):
        con = harness.database(self.server, timeout=10)
        if not harness.on_postgres():
            con.execute("PRAGMA foreign_keys = ON")
        return con

    def query(self, sql, *args):
        con = self.db()
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def article_id(self, slug):
        return self.query("SELECT id FROM articles WHERE slug = ?", slug)[0][0]

    def insert_comments(self, slug, n, status="pending", parent=None, body="Comment %d"):
        """Inserts n comments on an article; returns their ids in order."""
        aid = self.article_id(slug)
        now = int(time.time())
        con = self.db()
        ids = []
        try:
            with con:
                for i in range(n):
                    cur = con.execute(
                        "INSERT INTO comments (article_id, parent_id, status, author, email,"
                        " url, body, ip, user_agent, created_at, status_changed_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
                        (aid, parent, status, "Reader %d" % i, "r%d@example.org" % i,
                         "https://example.org/%d" % i, body % i, "192.0.2.%d" % (i % 250 + 1),
                         now - n + i, now - n + i))
                    ids.append(cur.lastrowid)
        finally:
            con.close()
        return ids

    def comment_status(self, cid):
        rows = self.query("SELECT status FROM comments WHERE id = ?", cid)
        return rows[0][0] if rows else None

    def assertComment(self, c):
        self.assertEqual(set(c), COMMENT_KEYS, c)
        self.assertIsInstance(c["id"], int)
        self.assertEqual(set(c["article"]), {"slug", "title"}, c)
        self.assertTrue(c["parent"] is None or isinstance(c["parent"], int), c)
        for k in ("author", "email", "url", "body", "ip"):
            self.assertIsInstance(c[k], str, k)
        self.assertIn(c["status"], STATUSES)
        self.assertRegex(c["created_at"], RFC3339_UTC)

    def assertArticle(self, a):
        self.assertEqual(set(a), ARTICLE_KEYS, a)
        self.assertIsInstance(a["id"], int)
        self.assertIsInstance(a["tags"], list)
        self.assertTrue(all(isinstance(t, str) for t in a["tags"]), a["tags"])
        self.assertIn(a["status"], ("draft", "published"))
        self.assertRegex(a["published_at"], RFC3339_UTC)
        self.assertRegex(a["updated_at"], RFC3339_UTC)
        self.assertIsInstance(a["comments_open"], bool)
        self.assertEqual(set(a["comment_counts"]), set(STATUSES))
        self.assertTrue(all(isinstance(v, int) for v in a["comment_counts"].values()))

    def article_slugs_on_index(self):
        r = self.get_ok("/")
        return harness.article_slugs_linked(self.server, r.html())


# Every route, with a body where it takes one.
ROUTES = [
    ("GET", "/comments", None),
    ("GET", "/comments/1", None),
    ("PATCH", "/comments/1", {"status": "spam"}),
    ("DELETE", "/comments/1", None),
    ("GET", "/articles", None),
    ("GET", "/articles/" + SUMMIT, None),
    ("PUT", "/articles/" + SUMMIT, {"title": "Changed without a token"}),
    ("PUT", "/articles/new-without-token", {"title": "Made without a token"}),
    ("DELETE", "/articles/" + SUMMIT, None),
]


class AccessTest(ApiCase):
    """No token, a bad one, a revoked one: 401 with WWW-Authenticate, and
    nothing changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = harness.run_folio(["token", "add", "to-revoke"], db=cls.server.db)
        cls.revoked = r.stdout.strip()
        tid = [l.split()[0] for l in
               harness.run_folio(["token", "list"], db=cls.server.db).stdout.splitlines()
               if l.rstrip().endswith("to-revoke")][0]
        r = harness.run_folio(["token", "revoke", tid], db=cls.server.db)
        assert r.returncode == 0, r.stderr

    def setUp(self):
        if not self.query("SELECT 1 FROM comments WHERE id = 1"):
            self.insert_comments(SUMMIT, 1)

    def snapshot(self):
        return (self.query("SELECT * FROM articles ORDER BY id"),
                self.query("SELECT * FROM comments ORDER BY id"),
                self.query("SELECT count(*) FROM moderation_log"))

    def refused_everywhere(self, headers):
        before = self.snapshot()
        for method, path, body in ROUTES:
            with self.subTest(method=method, path=path, headers=headers):
                raw = json.dumps(body).encode() if body is not None else None
                hdrs = dict(headers)
                if raw is not None:
                    hdrs["Content-Type"] = "application/json"
                r = self.request(method, "/admin/api" + path, body=raw, headers=hdrs)
                self.assertUnauthorized(r)
        self.assertEqual(self.snapshot(), before, "a refused request changed something")

    def test_no_token(self):
        self.refused_everywhere({})

    def test_bad_tokens(self):
        for value in ("Bearer folio_not-a-real-token", "Bearer " + self.token + "x",
                      "Bearer " + self.token[:-1], "Bearer", "Bearer ", "bearer",
                      "Basic " + self.token, self.token, "Bearer %s %s" % (self.token, "y"),
                      "Bearer " + "A" * 5000):
            self.refused_everywhere({"Authorization": value})

    def test_revoked_token(self):
        self.refused_everywhere({"Authorization": "Bearer " + self.revoked})

    def test_good_token_is_let_in(self):
        self.json_of(self.api("GET", "/comments"), 200)
        # The scheme is case-insensitive (RFC 7235).
        r = self.request("GET", "/admin/api/articles",
                         headers={"Authorization": "bearer  " + self.token})
        self.json_of(r, 200)

    def test_last_used_is_recorded(self):
        self.json_of(self.api("GET", "/articles"), 200)
        rows = self.query("SELECT last_used_at FROM api_tokens WHERE name = ?", self.token_name)
        self.assertIsNotNone(rows[0][0])
        self.assertLessEqual(abs(rows[0][0] - time.time()), 120)
        out = self.folio("token", "list").stdout
        line = [l for l in out.splitlines() if l.rstrip().endswith(self.token_name)][0]
        self.assertEqual(len(re.findall(r"\d{4}-\d\d-\d\dT", line)), 2, out)

    def test_unauthorized_before_too_large(self):
        r = self.request("PUT", "/admin/api/articles/x", body=b"x" * (1024 * 1024 + 10),
                         headers={"Content-Type": "application/json"})
        self.assertUnauthorized(r)


class ErrorsTest(ApiCase):
    """Status codes and error shapes of bodies, paths and query strings."""

    def put(self, body, slug="error-test", **kw):
        return self.api("PUT", "/articles/" + slug, body=body, **kw)

    def test_unsupported_media_type(self):
        good = json.dumps({"title": "T"}).encode()
        for ct in (None, "text/plain", "application/x-www-form-urlencoded",
                   "application/jsonx", "json"):
            with self.subTest(content_type=ct):
                r = self.api("PUT", "/articles/media-type", raw_body=good,
                             headers={"Content-Type": ct})
                self.assertError(r, 415)
                r = self.api("PATCH", "/comments/1", raw_body=b'{"status":"spam"}',
                             headers={"Content-Type": ct})
                self.assertError(r, 415)
        r = self.api("PUT", "/articles/media-type", raw_body=good,
                     headers={"Content-Type": "Application/JSON; charset=utf-8"})
        self.json_of(r, 201)

    def test_malformed(self):
        bodies = [b"", b" ", b"{", b'{"title": "T"', b"{'title': 'T'}", b'{"title": "T",}',
                  b'{"title": "T"} {}', b"[1, 2]", b'"just a string"', b"null", b"42",
                  b'{"title": "T", "title": "U"}', b'{"title": "\\u0000"}',
                  b'{"title": "\xff\xfe"}', b"[" * 100000, b'{"a":' * 5000 + b"1" + b"}" * 5000,
                  b'{"title": "T", "comments_open": tru}']
        for body in bodies:
            with self.subTest(body=body[:40]):
                r = self.api("PUT", "/articles/malformed", raw_body=body,
                             headers={"Content-Type": "application/json"})
                self.assertError(r, 400)
        self.assertEqual(self.query("SELECT 1 FROM articles WHERE slug = 'malformed'"), [])

    def test_too_large(self):
        body = json.dumps({"title": "Big", "body": "x" * (1024 * 1024)}).encode()
        self.assertGreater(len(body), 1024 * 1024)
        r = self.api("PUT", "/articles/too-large", raw_body=body,
                     headers={"Content-Type": "application/json"})
        self.assertError(r, 413)
        self.assertEqual(self.query("SELECT 1 FROM articles WHERE slug = 'too-large'"), [])
        # Just under the limit is fine.
        body = json.dumps({"title": "Big", "body": "y" * (1024 * 1024 - 100)}).encode()
        self.assertLessEqual(len(body), 1024 * 1024)
        r = self.api("PUT", "/articles/nearly-too-large", raw_body=body,
                     headers={"Content-Type": "application/json"})
        self.json_of(r, 201)

    def test_put_bad_fields(self):
        cases = [
            ({}, "title"),
            ({"title": None}, "title"),
            ({"title": 7}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "two\nlines"}, "title"),
            ({"title": "x" * 301}, "title"),
            ({"title": "T", "author": 1}, "author"),
            ({"title": "T", "author": ["a"]}, "author"),
            ({"title": "T", "body": {"md": "x"}}, "body"),
            ({"title": "T", "body": None}, "body"),
            ({"title": "T", "tags": "a, b"}, "tags"),
            ({"title": "T", "tags": [1]}, "tags"),
            ({"title": "T", "tags": ["ok", None]}, "tags"),
            ({"title": "T", "tags": ["a,b"]}, "tags"),
            ({"title": "T", "tags": [""]}, "tags"),
            ({"title": "T", "tags": ["!!!"]}, "tags"),
            ({"title": "T", "tags": ["t%d" % i for i in range(51)]}, "tags"),
            ({"title": "T", "source": False}, "source"),
            ({"title": "T", "status": "live"}, "status"),
            ({"title": "T", "status": "Published"}, "status"),
            ({"title": "T", "status": None}, "status"),
            ({"title": "T", "published_at": "yesterday"}, "published_at"),
            ({"title": "T", "published_at": "2026-02-30T10:00:00Z"}, "published_at"),
            ({"title": "T", "published_at": 1767225600}, "published_at"),
            ({"title": "T", "comments_open": "yes"}, "comments_open"),
            ({"title": "T", "comments_open": 1}, "comments_open"),
            ({"title": "T", "comments_open": None}, "comments_open"),
            ({"title": "T", "slug": "another-slug"}, "slug"),
            ({"title": "T", "colour": "red"}, "colour"),
            ({"title": "T", "comments_open": 10 ** 30}, None),   # too big: malformed
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:60]):
                r = self.put(body, slug="bad-fields")
                if field is None:
                    self.assertError(r, 400)
                else:
                    self.assertError(r, 422, field)
        self.assertEqual(self.query("SELECT 1 FROM articles WHERE slug = 'bad-fields'"), [])

    def test_put_bad_slug(self):
        for slug in ("Upper", "-lead", "trail-", "under_score", "sp%20ace", "caf%C3%A9",
                     "x" * 201):
            with self.subTest(slug=slug):
                self.assertError(self.put({"title": "T"}, slug=slug), 422, "slug")

    def test_patch_bad_fields(self):
        cid = self.insert_comments(SUMMIT, 1)[0]
        for body, field in [({}, "status"), ({"status": "deleted"}, "status"),
                            ({"status": "APPROVED"}, "status"), ({"status": None}, "status"),
                            ({"status": 1}, "status"), ({"status": ["spam"]}, "status"),
                            ({"status": "spam", "author": "edited"}, "author"),
                            ({"status": "spam", "body": ""}, "body"),
                            ({"body": 7}, "body")]:
            with self.subTest(body=body):
                self.assertError(self.api("PATCH", "/comments/%d" % cid, body), 422, field)
        self.assertEqual(self.comment_status(cid), "pending")

    def test_not_found(self):
        for method, path, body in [
                ("GET", "/comments/999999", None), ("GET", "/comments/0", None),
                ("GET", "/comments/-1", None), ("GET", "/comments/abc", None),
                ("GET", "/comments/99999999999999999999999", None),
                ("PATCH", "/comments/999999", {"status": "spam"}),
                ("DELETE", "/comments/999999", None),
                ("GET", "/articles/no-such-article", None),
                ("GET", "/articles/NOT-A-SLUG", None),
                ("DELETE", "/articles/no-such-article", None),
                ("GET", "/nothing-here", None), ("GET", "/", None), ("GET", "", None),
                ("GET", "/comments/1/extra", None), ("POST", "/nothing", None)]:
            with self.subTest(method=method, path=path):
                self.assertError(self.api(method, path, body), 404)

    def test_method_not_allowed(self):
        for method, path, allowed in [("POST", "/comments", {"GET"}),
                                      ("PUT", "/comments/1", {"GET", "PATCH", "DELETE"}),
                                      ("POST", "/articles", {"GET"}),
                                      ("PATCH", "/articles/" + SUMMIT, {"GET", "PUT", "DELETE"})]:
            with self.subTest(method=method, path=path):
                r = self.api(method, path)
                self.assertError(r, 405)
                got = {m.strip() for m in (r.header("Allow") or "").split(",")} - {"HEAD"}
                self.assertEqual(got, allowed)

    def test_bad_query(self):
        for query, field in [("status=published", "status"), ("status=", "status"),
                             ("limit=0", "limit"), ("limit=201", "limit"), ("limit=-1", "limit"),
                             ("limit=ten", "limit"), ("limit=99999999999999999999", "limit"),
                             ("after=-5", "after"), ("after=x", "after"),
                             ("after=1.5", "after")]:
            with self.subTest(query=query):
                self.assertError(self.api("GET", "/comments?" + query), 400, field)
        self.assertError(self.api("GET", "/articles?status=pending"), 400, "status")
        self.assertError(self.api("GET", "/comments?status=spam&status=trash"), 400)
        self.assertError(self.api("GET", "/comments?status=%zz"), 400)

    def test_head(self):
        r = self.api("HEAD", "/articles")
        self.assertStatus(r, 200)
        self.assertEqual(r.body, b"")


class CommentsTest(ApiCase):
    """Listing, reading, moderating and deleting comments."""

    def test_get_one(self):
        parent = self.insert_comments(SUMMIT, 1, status="approved")[0]
        cid = self.insert_comments(SUMMIT, 1, parent=parent, body="Re: <b>%d</b> & more")[0]
        c = self.json_of(self.api("GET", "/comments/%d" % cid), 200)
        self.assertComment(c)
        self.assertEqual(c["id"], cid)
        self.assertEqual(c["parent"], parent)
        self.assertEqual(c["article"], {"slug": SUMMIT, "title": "Summit talks resume in Geneva"})
        self.assertEqual(c["body"], "Re: <b>0</b> & more")
        self.assertEqual((c["author"], c["email"], c["url"], c["ip"], c["status"]),
                         ("Reader 0", "r0@example.org", "https://example.org/0", "192.0.2.1",
                          "pending"))
        top = self.json_of(self.api("GET", "/comments/%d" % parent), 200)
        self.assertIsNone(top["parent"])
        created = datetime.datetime.fromisoformat(c["created_at"].replace("Z", "+00:00"))
        self.assertLess(abs(created.timestamp() - time.time()), 120)

    def test_list_filters_by_status(self):
        made = {s: self.insert_comments(SUMMIT, 3, status=s) for s in STATUSES}
        for s in STATUSES:
            doc = self.json_of(self.api("GET", "/comments?status=%s&limit=200" % s), 200)
            self.assertEqual(set(doc), {"comments", "next_after"})
            for c in doc["comments"]:
                self.assertComment(c)
                self.assertEqual(c["status"], s)
            ids = [c["id"] for c in doc["comments"]]
            self.assertTrue(set(made[s]) <= set(ids))
            self.assertEqual(ids, sorted(ids), "oldest first")
        doc = self.json_of(self.api("GET", "/comments?limit=200"), 200)
        all_ids = {c["id"] for c in doc["comments"]}
        self.assertTrue(set(sum(made.values(), [])) <= all_ids, "no status: every status")

    def test_patch_moderates_and_logs(self):
        cid = self.insert_comments(SUMMIT, 1, body="Approve me %d, please")[0]
        page = self.get_ok("/articles/" + SUMMIT).text
        self.assertNotIn("Approve me 0, please", page)
        c = self.json_of(self.api("PATCH", "/comments/%d" % cid, {"status": "approved"}), 200)
        self.assertComment(c)
        self.assertEqual((c["id"], c["status"]), (cid, "approved"))
        self.assertEqual(self.comment_status(cid), "approved")
        doc = self.get_ok("/articles/" + SUMMIT).html()
        self.assertIsNotNone(doc.find(id="comment-%d" % cid), "approved comment not shown")
        tid = self.query("SELECT id FROM api_tokens WHERE name = ?", self.token_name)[0][0]
        log = self.query("SELECT actor, token_id, editor_id, old_status, new_status, article_id"
                         " FROM moderation_log WHERE comment_id = ? ORDER BY id", cid)
        self.assertEqual(log, [(self.token_name, tid, None, "pending", "approved",
                                self.article_id(SUMMIT))])
        for status in ("spam", "trash", "pending"):
            c = self.json_of(self.api("PATCH", "/comments/%d" % cid, {"status": status}), 200)
            self.assertEqual(c["status"], status)
        log = self.query("SELECT old_status, new_status FROM moderation_log"
                         " WHERE comment_id = ? ORDER BY id", cid)
        self.assertEqual(log, [("pending", "approved"), ("approved", "spam"), ("spam", "trash"),
                               ("trash", "pending")])
        self.assertNotIn("Approve me 0, please", self.get_ok("/articles/" + SUMMIT).text)

    def test_delete(self):
        ids = self.insert_comments(SUMMIT, 2, status="approved")
        child = self.insert_comments(SUMMIT, 1, parent=ids[0])[0]
        r = self.api("DELETE", "/comments/%d" % ids[0])
        self.assertStatus(r, 204)
        self.assertEqual(r.body, b"")
        self.assertIsNone(self.comment_status(ids[0]))
        self.assertError(self.api("GET", "/comments/%d" % ids[0]), 404)
        self.assertError(self.api("DELETE", "/comments/%d" % ids[0]), 404)
        self.assertEqual(self.comment_status(ids[1]), "approved")
        # A reply outlives its deleted parent, as a top-level comment.
        self.assertIsNone(self.json_of(self.api("GET", "/comments/%d" % child), 200)["parent"])
        log = self.query("SELECT actor, old_status, new_status FROM moderation_log"
                         " WHERE comment_id = ?", ids[0])
        self.assertEqual(log, [(self.token_name, "approved", "deleted")])
        # From any status: the API's DELETE is not limited to spam and trash.
        for status in STATUSES:
            cid = self.insert_comments(SUMMIT, 1, status=status)[0]
            self.assertStatus(self.api("DELETE", "/comments/%d" % cid), 204)
            self.assertIsNone(self.comment_status(cid))


class PagingTest(ApiCase):
    """Keyset paging: every comment once, in order, whatever the page size."""

    fixtures = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = {}

    def setUp(self):
        if not type(self).ids:
            ids = type(self).ids
            ids["pending"] = self.insert_comments(SUMMIT, 137, status="pending")
            ids["spam"] = self.insert_comments("zeppelin-returns", 61, status="spam")
            ids["pending"] += self.insert_comments("zeppelin-returns", 20, status="pending")

    def walk(self, path, key, limit):
        seen, after, pages = [], None, 0
        while True:
            q = "limit=%d" % limit + ("&after=%d" % after if after is not None else "")
            doc = self.json_of(self.api("GET", path + ("&" if "?" in path else "?") + q), 200)
            items = doc[key]
            pages += 1
            self.assertLessEqual(len(items), limit)
            seen += [i["id"] for i in items]
            if doc["next_after"] is None:
                break
            self.assertEqual(len(items), limit, "a short page must be the last")
            self.assertEqual(doc["next_after"], items[-1]["id"])
            after = doc["next_after"]
            self.assertLess(pages, 1000)
        return seen

    def test_comments_pages(self):
        for status in ("pending", "spam"):
            want = sorted(self.ids[status])
            for limit in (1, 7, 50, 157, 200):
                with self.subTest(status=status, limit=limit):
                    got = self.walk("/comments?status=" + status, "comments", limit)
                    self.assertEqual(got, want, "duplicates or gaps")
        every = self.walk("/comments", "comments", 33)
        self.assertEqual(every, sorted(self.ids["pending"] + self.ids["spam"]))

    def test_default_limit(self):
        doc = self.json_of(self.api("GET", "/comments?status=pending"), 200)
        self.assertEqual(len(doc["comments"]), 50)
        self.assertEqual(doc["next_after"], doc["comments"][-1]["id"])
        doc = self.json_of(self.api("GET", "/comments?status=trash"), 200)
        self.assertEqual(doc, {"comments": [], "next_after": None})

    def test_exact_fit_has_no_next(self):
        n = len(self.ids["spam"])
        doc = self.json_of(self.api("GET", "/comments?status=spam&limit=%d" % n), 200)
        self.assertEqual(len(doc["comments"]), n)
        self.assertIsNone(doc["next_after"])

    def test_articles_pages(self):
        for i in range(12):
            self.json_of(self.api("PUT", "/articles/paged-%02d" % i,
                                  {"title": "Paged %d" % i,
                                   "status": "published" if i % 3 else "draft"}), (200, 201))
        want_all = [r[0] for r in self.query("SELECT id FROM articles ORDER BY id")]
        for limit in (1, 5, 200):
            self.assertEqual(self.walk("/articles", "articles", limit), want_all)
        for status in ("draft", "published"):
            want = [r[0] for r in self.query("SELECT id FROM articles WHERE status = ?"
                                             " ORDER BY id", status)]
            self.assertEqual(self.walk("/articles?status=" + status, "articles", 4), want)


class ArticlesTest(ApiCase):
    """Reading, creating, replacing, publishing, unpublishing, deleting."""

    def put(self, slug, body, status):
        return self.json_of(self.api("PUT", "/articles/" + slug, body), status)

    def test_get_one(self):
        self.insert_comments(SUMMIT, 2, status="spam")
        a = self.json_of(self.api("GET", "/articles/" + SUMMIT), 200)
        self.assertArticle(a)
        self.assertEqual((a["slug"], a["title"], a["author"], a["source"], a["status"]),
                         (SUMMIT, "Summit talks resume in Geneva", "Jane Doe", "Wire Services",
                          "published"))
        self.assertEqual(a["tags"], ["North Korea", "diplomacy"])
        self.assertEqual(a["published_at"], "2026-03-10T09:00:00Z")
        self.assertTrue(a["comments_open"])
        self.assertGreaterEqual(a["comment_counts"]["spam"], 2)
        self.assertIn("<strong>constructive</strong>", a["body_html"])
        self.assertIn("**constructive**", a["body"])
        d = self.json_of(self.api("GET", "/articles/" + DRAFT), 200)
        self.assertEqual(d["status"], "draft")

    def test_list_filters_by_status(self):
        for status in ("draft", "published"):
            doc = self.json_of(self.api("GET", "/articles?status=" + status), 200)
            self.assertEqual(set(doc), {"articles", "next_after"})
            self.assertTrue(doc["articles"])
            for a in doc["articles"]:
                self.assertArticle(a)
                self.assertEqual(a["status"], status)

    def test_create_publish_unpublish_delete(self):
        slug = "api-made-article"
        body = {"title": "Made through the API", "author": "Script", "source": "Robots",
                "body": "Hello *world*.\n\n<script>alert(1)</script>\n\n<b>bold</b> "
                        "[x](javascript:alert(2))",
                "tags": ["Robots", " North Korea ", "robots"],
                "status": "draft", "published_at": "2026-04-01T12:00:00+02:00",
                "comments_open": False}
        r = self.api("PUT", "/articles/" + slug, body)
        a = self.json_of(r, 201)
        self.assertTrue((r.header("Location") or "").endswith("/admin/api/articles/" + slug))
        self.assertArticle(a)
        self.assertEqual((a["slug"], a["title"], a["author"], a["source"], a["status"]),
                         (slug, body["title"], "Script", "Robots", "draft"))
        self.assertEqual(a["tags"], ["Robots", "North Korea"])
        self.assertEqual(a["published_at"], "2026-04-01T10:00:00Z")
        self.assertFalse(a["comments_open"])
        self.assertEqual(a["body"], body["body"])
        self.assertIn("<em>world</em>", a["body_html"])
        for bad in ("<script", "<b>", "javascript:"):
            self.assertNotIn(bad, a["body_html"])
        self.assertEqual(a["comment_counts"], {s: 0 for s in STATUSES})
        self.assertNotIn(slug, self.article_slugs_on_index())
        self.assertStatus(self.get("/articles/" + slug), 404)

        # Publish: the whole article again, as GET gave it, with a new status.
        a["status"] = "published"
        a = self.put(slug, a, 200)
        self.assertEqual(a["status"], "published")
        self.assertEqual(a["published_at"], "2026-04-01T10:00:00Z", "date kept on replace")
        self.assertIn(slug, self.article_slugs_on_index())
        page = self.get_ok("/articles/" + slug)
        self.assertIn("Made through the API", page.text)
        self.assertNotIn("<script>alert(1)", page.text)
        self.assertIn(slug, self.get_ok("/tags/north-korea").text)

        cids = self.insert_comments(slug, 3, status="approved")
        self.assertEqual(self.json_of(self.api("GET", "/articles/" + slug), 200)
                         ["comment_counts"]["approved"], 3)

        # Unpublish.
        a = self.put(slug, {"title": "Made through the API", "status": "draft"}, 200)
        self.assertEqual(a["status"], "draft")
        self.assertEqual((a["author"], a["tags"], a["body"]), ("", [], ""), "PUT replaces")
        self.assertNotIn(slug, self.article_slugs_on_index())
        self.assertStatus(self.get("/articles/" + slug), 404)

        # Delete, with its comments.
        r = self.api("DELETE", "/articles/" + slug)
        self.assertStatus(r, 204)
        self.assertEqual(r.body, b"")
        self.assertError(self.api("GET", "/articles/" + slug), 404)
        self.assertEqual(self.query("SELECT count(*) FROM comments WHERE id IN (?, ?, ?)",
                                    *cids), [(0,)])
        self.assertError(self.api("GET", "/comments/%d" % cids[0]), 404)
        self.assertError(self.api("DELETE", "/articles/" + slug), 404)

    def test_defaults_of_a_new_article(self):
        before = time.time()
        a = self.put("minimal-article", {"title": "  Minimal  "}, 201)
        self.assertEqual((a["title"], a["author"], a["body"], a["tags"], a["source"],
                          a["status"], a["comments_open"]),
                         ("Minimal", "", "", [], "", "draft", True))
        t = datetime.datetime.fromisoformat(a["published_at"].replace("Z", "+00:00"))
        self.assertLess(abs(t.timestamp() - before), 120)

    def test_publishing_a_draft_without_a_date_dates_it_now(self):
        self.put("dated-later", {"title": "Dated later", "published_at": "2020-01-01"}, 201)
        a = self.put("dated-later", {"title": "Dated later", "status": "published"}, 200)
        t = datetime.datetime.fromisoformat(a["published_at"].replace("Z", "+00:00"))
        self.assertLess(abs(t.timestamp() - time.time()), 120)

    def test_replace_keeps_comments_and_id(self):
        old = self.json_of(self.api("GET", "/articles/zeppelin-returns"), 200)
        cid = self.insert_comments("zeppelin-returns", 1, status="approved")[0]
        new = dict(old, title="Airships are back", body="New *text*")
        a = self.put("zeppelin-returns", new, 200)
        self.assertEqual(a["id"], old["id"])
        self.assertEqual(a["title"], "Airships are back")
        self.assertEqual(a["body_html"], "<p>New <em>text</em></p>\n")
        self.assertEqual(a["published_at"], old["published_at"])
        self.assertEqual(self.comment_status(cid), "approved")
        self.assertIn("Airships are back", self.get_ok("/articles/zeppelin-returns").text)

    def test_unicode_round_trip(self):
        body = {"title": "Zürich – “Quotes” 🚀", "author": "Łukasz", "tags": ["Köln"],
                "body": "Grüße\n"}
        a = self.put("unicode-article", body, 201)
        for k in ("title", "author", "body", "tags"):
            self.assertEqual(a[k], body[k])


class TokenCliTest(harness.FolioTestCase):
    """`folio token add|list|revoke` (CONTRACT.md, "Command line")."""

    fixtures = []

    def test_add_list_revoke(self):
        r = self.folio("token", "add", "deploy script")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, "the token alone on one line: %r" % r.stdout)
        token = lines[0]
        self.assertRegex(token, r"^[A-Za-z0-9_-]{40,}$")
        r2 = self.folio("token", "add", "deploy script")
        self.assertNotEqual(r2.stdout.strip(), token)

        # Only a hash is stored.
        con = harness.database(self.server)
        try:
            rows = con.execute("SELECT * FROM api_tokens").fetchall()
        finally:
            con.close()
        self.assertEqual(len(rows), 2)
        for row in rows:
            for value in row:
                if isinstance(value, (str, bytes)):
                    text = value if isinstance(value, str) else value.decode("latin-1")
                    self.assertNotIn(token, text)
                    self.assertNotIn(token[-20:], text)

        out = self.folio("token", "list").stdout
        self.assertRegex(out, r"(?m)^\s*1\b.*deploy script")
        self.assertRegex(out, r"(?m)^\s*2\b.*deploy script")
        self.assertNotIn(token, out)

        r = self.request("GET", "/admin/api/articles",
                         headers={"Authorization": "Bearer " + token})
        self.assertStatus(r, 200)
        r = self.folio("token", "revoke", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.request("GET", "/admin/api/articles",
                         headers={"Authorization": "Bearer " + token})
        self.assertStatus(r, 401)
        line = [l for l in self.folio("token", "list").stdout.splitlines()
                if re.match(r"\s*1\b", l)][0]
        self.assertEqual(len(re.findall(r"\d{4}-\d\d-\d\dT", line)), 3, line)
        self.assertEqual(self.folio("token", "revoke", "1").returncode, 0, "again: harmless")

    def test_errors(self):
        r = self.folio("token", "revoke", "999")
        self.assertEqual(r.returncode, 1)
        self.assertIn("999", r.stderr)
        for args in (["token"], ["token", "add"], ["token", "add", "a", "b"],
                     ["token", "list", "x"], ["token", "revoke"], ["token", "revoke", "x"],
                     ["token", "revoke", "0"], ["token", "frobnicate"],
                     ["token", "add", "x", "--bogus"], ["token", "add", ""],
                     ["token", "add", "two\nlines"]):
            with self.subTest(args=args):
                r = self.folio(*args)
                self.assertEqual(r.returncode, 2, "%s: %s%s" % (args, r.stdout, r.stderr))
                self.assertTrue(r.stderr.strip())
                self.assertEqual(r.stdout, "")
        r = self.folio("token", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("revoke", r.stdout)


if __name__ == "__main__":
    unittest.main()
