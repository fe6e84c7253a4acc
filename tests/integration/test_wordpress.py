"""Moving in from WordPress (CONTRACT.md, "Moving in and out, privacy"):
`folio import wordpress`, the imported site as readers see it, the old
addresses, against a real folio on either front. Every number is counted
from the fixture itself with Python's XML parser, never written down."""

import collections
import os
import re
import shutil
import tempfile
import unittest
import xml.etree.ElementTree as ET

import json
import time

import comments_client
import harness

WXR_DIR = os.path.join(harness.FIXTURES_DIR, "wxr")
HARBOUR = os.path.join(WXR_DIR, "harbour-news-https.xml")
QUAY = os.path.join(WXR_DIR, "old-blog-http-1.0.xml")
MALFORMED = os.path.join(WXR_DIR, "malformed.xml")

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
POST_STATUS = {"publish": "published", "draft": "draft", "pending": "draft",
               "private": "draft", "future": "draft"}
COMMENT_STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash",
                  "post-trashed": "trash"}


def wp_namespace(path):
    """The wp namespace the file declares (http or https, 1.0 to 1.2)."""
    with open(path, encoding="utf-8") as f:
        m = re.search(r'xmlns:wp="(https?://wordpress\.org/export/1\.[012]/)"', f.read())
    return "{%s}" % m.group(1)


class Export:
    """What a WXR file holds, read with Python's own XML parser."""

    def __init__(self, path):
        wp = wp_namespace(path)
        self.root = ET.parse(path).getroot()
        channel = self.root.find("channel")
        self.site = (channel.findtext(wp + "base_site_url") or channel.findtext("link")).strip()
        authors = {a.findtext(wp + "author_login"): a.findtext(wp + "author_display_name")
                   for a in channel.findall(wp + "author")}
        self.posts, self.comments = [], []
        self.skipped_posts = collections.Counter()
        self.skipped_comments = collections.Counter()
        for item in channel.findall("item"):
            post = {
                "id": int(item.findtext(wp + "post_id")),
                "title": item.findtext("title") or "",
                "link": item.findtext("link") or "",
                "type": item.findtext(wp + "post_type") or "post",
                "wp_status": item.findtext(wp + "status") or "",
                "name": item.findtext(wp + "post_name") or "",
                "author": authors.get(item.findtext(DC + "creator"), item.findtext(DC + "creator")),
                "open": (item.findtext(wp + "comment_status") or "") != "closed",
                "content": item.findtext(CONTENT + "encoded") or "",
                "tags": [c.text for c in item.findall("category")
                         if c.text != "Uncategorized"],
            }
            imported = post["type"] == "post" and post["wp_status"] in POST_STATUS
            if imported:
                post["status"] = POST_STATUS[post["wp_status"]]
                self.posts.append(post)
            else:
                self.skipped_posts[post["type"] if post["type"] != "post"
                                   else post["wp_status"]] += 1
            for c in item.findall(wp + "comment"):
                ctype = c.findtext(wp + "comment_type") or ""
                if ctype not in ("", "comment"):
                    self.skipped_comments[ctype] += 1
                    continue
                if not imported:
                    self.skipped_comments["on skipped posts"] += 1
                    continue
                self.comments.append({
                    "id": int(c.findtext(wp + "comment_id")),
                    "post": post["id"],
                    "parent": int(c.findtext(wp + "comment_parent") or 0),
                    "author": c.findtext(wp + "comment_author"),
                    "email": c.findtext(wp + "comment_author_email") or "",
                    "ip": c.findtext(wp + "comment_author_IP") or "",
                    "date_gmt": c.findtext(wp + "comment_date_gmt"),
                    "content": c.findtext(wp + "comment_content"),
                    "status": COMMENT_STATUS[c.findtext(wp + "comment_approved")],
                })

    def post(self, wp_id):
        return next(p for p in self.posts if p["id"] == wp_id)

    def comment(self, wp_id):
        return next(c for c in self.comments if c["id"] == wp_id)


def summary_numbers(line):
    """{"created": 3, "approved": 5, ...} from a summary line."""
    return {k.strip(): int(v) for k, v in re.findall(r"([a-z_ ]+?) (\d+)", line)}


def summary_line(out, label):
    lines = [l for l in out.splitlines() if l.startswith(label + ":")]
    if len(lines) != 1:
        raise AssertionError("no single '%s:' line in:\n%s" % (label, out))
    return lines[0][len(label) + 1:]


def rows(db, sql, *args):
    """The rows of a query on the database `db` (a file or, on PostgreSQL,
    a URI), as tuples."""
    con = harness.database(db)
    try:
        return [tuple(r) for r in con.execute(sql, args).fetchall()]
    finally:
        con.close()


class ImportingServer(harness.FolioServer):
    """A folio whose database holds the two fixture exports before it starts
    (as a site moving in would run it)."""

    def prepare_db(self):
        super().prepare_db()
        self.first = harness.run_folio(["import", "wordpress", HARBOUR], db=self.db)
        self.first_quay = harness.run_folio(["import", "wordpress", QUAY], db=self.db)


class ImportedSite(harness.FolioTestCase):
    """A server whose database holds the two fixture exports, imported once."""

    fixtures = []

    @classmethod
    def setUpClass(cls):
        cls.harbour = Export(HARBOUR)
        cls.quay = Export(QUAY)
        cls.server = ImportingServer(front=cls.front, fixtures=[], server_args=cls.server_args,
                                     name=cls.__name__)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.first, cls.first_quay = cls.server.first, cls.server.first_quay

    def slug_of(self, site, wp_id):
        r = rows(self.server.db, "SELECT a.slug FROM wp_posts m JOIN articles a "
                 "ON a.id = m.article_id WHERE m.site = ? AND m.wp_id = ?", site, wp_id)
        self.assertEqual(len(r), 1, "post %s of %s was not imported" % (wp_id, site))
        return r[0][0]

    def comment_row(self, site, wp_id):
        r = rows(self.server.db, "SELECT c.id, c.status, c.author, c.email, c.ip, c.created_at, "
                 "c.body, coalesce(c.parent_id, 0), c.article_id FROM wp_comments m "
                 "JOIN comments c ON c.id = m.comment_id WHERE m.site = ? AND m.wp_id = ?",
                 site, wp_id)
        self.assertEqual(len(r), 1, "comment %s of %s was not imported" % (wp_id, site))
        return r[0]


class ImportTest(ImportedSite):
    server_args = ["--retain-addresses", "-1"]     # the fixture's addresses are old
    def test_summary_counts_what_the_file_holds(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)
        out, x = self.first.stdout, self.harbour
        self.assertEqual(summary_line(out, "site").strip(), x.site)
        arts = summary_numbers(summary_line(out, "articles"))
        self.assertEqual(arts, {"created": len(x.posts), "updated": 0, "unchanged": 0})
        com = summary_numbers(summary_line(out, "comments"))
        by_status = collections.Counter(c["status"] for c in x.comments)
        self.assertEqual(com["created"], len(x.comments))
        for status in ("approved", "pending", "spam", "trash"):
            self.assertEqual(com[status], by_status[status], status)
        self.assertEqual(summary_numbers(summary_line(out, "skipped posts")), dict(x.skipped_posts))
        self.assertEqual(summary_numbers(summary_line(out, "skipped comments")),
                         dict(x.skipped_comments))
        # every kind the contract names is among them
        for kind in ("page", "attachment", "nav_menu_item"):
            self.assertIn(kind, x.skipped_posts)
        for kind in ("pingback", "trackback", "note"):
            self.assertIn(kind, x.skipped_comments)

    def test_posts_become_articles(self):
        for p in self.harbour.posts:
            slug = self.slug_of(self.harbour.site, p["id"])
            r = rows(self.server.db, "SELECT status, author, comments_open, body_format, tags "
                     "FROM articles WHERE slug = ?", slug)[0]
            self.assertEqual(r[0], p["status"], slug)
            self.assertEqual(r[1], p["author"], slug)
            self.assertEqual(bool(r[2]), p["open"], slug)
            self.assertEqual(r[3], "html", slug)
            self.assertEqual([t.strip() for t in r[4].split(",") if t.strip()], p["tags"], slug)
            if p["name"] and "%" not in p["name"]:
                self.assertEqual(slug, p["name"])

    def test_comments_keep_every_field(self):
        x = self.harbour
        for c in x.comments:
            cid, status, author, email, ip, created, body, parent, art = \
                self.comment_row(x.site, c["id"])
            self.assertEqual(status, c["status"], c["id"])
            self.assertEqual(email, c["email"])
            self.assertEqual(ip, c["ip"])
            y, mo, d, h, mi, s = map(int, re.split(r"[- :]", c["date_gmt"]))
            import calendar
            self.assertEqual(created, calendar.timegm((y, mo, d, h, mi, s)))
            self.assertEqual(art, rows(self.server.db, "SELECT id FROM articles WHERE slug = ?",
                                       self.slug_of(x.site, c["post"]))[0][0])
            if c["parent"]:
                self.assertEqual(parent, self.comment_row(x.site, c["parent"])[0],
                                 "comment %s lost its thread" % c["id"])
            else:
                self.assertEqual(parent, 0)
            self.assertNotIn("<", body, "comment HTML must become plain text")

    def test_split_cdata_is_joined(self):
        joined = [c for c in self.harbour.comments if "]]>" in c["content"]]
        self.assertTrue(joined, "the fixture holds a comment with ]]> split over two CDATA")
        for c in joined:
            body = self.comment_row(self.harbour.site, c["id"])[6]
            self.assertIn("]]>", body)

    def test_second_import_changes_nothing(self):
        snapshot = lambda: (rows(self.server.db, "SELECT * FROM articles ORDER BY id"),
                            rows(self.server.db, "SELECT * FROM comments ORDER BY id"),
                            rows(self.server.db, "SELECT * FROM article_tags ORDER BY 1, 2"),
                            rows(self.server.db, "SELECT * FROM old_addresses ORDER BY 1"))
        before = snapshot()
        again = harness.run_folio(["import", "wordpress", HARBOUR], db=self.server.db)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(snapshot(), before)
        arts = summary_numbers(summary_line(again.stdout, "articles"))
        self.assertEqual(arts, {"created": 0, "updated": 0, "unchanged": len(self.harbour.posts)})
        com = summary_numbers(summary_line(again.stdout, "comments"))
        self.assertEqual(com["created"], 0)
        self.assertEqual(com["already imported"], len(self.harbour.comments))

    def test_http_namespace_wxr_1_0(self):
        self.assertEqual(self.first_quay.returncode, 0, self.first_quay.stderr)
        x = self.quay
        self.assertTrue(wp_namespace(QUAY).startswith("{http://"))
        self.assertTrue(wp_namespace(HARBOUR).startswith("{https://"))
        com = summary_numbers(summary_line(self.first_quay.stdout, "comments"))
        self.assertEqual(com["created"], len(x.comments))
        for p in x.posts:
            slug = self.slug_of(x.site, p["id"])
            tags = rows(self.server.db, "SELECT tags FROM articles WHERE slug = ?", slug)[0][0]
            self.assertEqual([t.strip() for t in tags.split(",")], p["tags"])
        replies = [c for c in x.comments if c["parent"]]
        self.assertTrue(replies)
        for c in replies:
            self.assertEqual(self.comment_row(x.site, c["id"])[7],
                             self.comment_row(x.site, c["parent"])[0])


class ReadersSeeTheImportTest(ImportedSite):
    def page(self, wp_id, export=None):
        x = export or self.harbour
        return self.get_ok("/articles/" + self.slug_of(x.site, wp_id))

    def test_published_posts_are_pages_drafts_are_not(self):
        for p in self.harbour.posts:
            r = self.get("/articles/" + self.slug_of(self.harbour.site, p["id"]))
            self.assertStatus(r, 200 if p["status"] == "published" else 404, p["title"])

    def test_only_approved_comments_show_threaded(self):
        x = self.harbour
        for p in x.posts:
            if p["status"] != "published":
                continue
            doc = self.page(p["id"]).html()
            for c in (c for c in x.comments if c["post"] == p["id"]):
                cid = self.comment_row(x.site, c["id"])[0]
                node = doc.find(id="comment-%d" % cid)
                if c["status"] != "approved":
                    self.assertIsNone(node, "comment %s is %s" % (c["id"], c["status"]))
                    continue
                self.assertIsNotNone(node, "approved comment %s not shown" % c["id"])
                if c["parent"] and x.comment(c["parent"])["status"] == "approved":
                    parent = doc.find(id="comment-%d" % self.comment_row(x.site, c["parent"])[0])
                    self.assertTrue(node.is_inside(parent), "reply %s not in its parent" % c["id"])

    def test_block_markers_and_shortcodes_do_not_show(self):
        for p in self.harbour.posts:
            if p["status"] != "published":
                continue
            text = self.page(p["id"]).text
            self.assertNotIn("wp:paragraph", text)
            self.assertNotIn("[caption", text)
            self.assertNotIn("[/caption]", text)
            self.assertNotIn("[gallery", text)
        wall = next(p for p in self.harbour.posts if "[caption" in p["content"])
        doc = self.page(wall["id"]).html()
        body = doc.find(class_="story-body")
        caption = re.search(r"/>\s*([^\[<]+)\[/caption\]", wall["content"]).group(1).strip()
        self.assertEqual(body.find("figcaption").norm_text(), caption)
        self.assertIsNotNone(body.find("figure").find("img"))

    def test_classic_editor_blank_lines_are_paragraphs(self):
        classic = next(p for p in self.harbour.posts
                       if "<!-- wp:" not in p["content"] and "[caption" in p["content"])
        body = self.page(classic["id"]).html().find(class_="story-body")
        first = classic["content"].split("\n\n")[0].split("\n")
        para = body.find("p")
        self.assertEqual(para.norm_text(), " ".join(s.strip() for s in first))
        self.assertIsNotNone(para.find("br"), "a single line break stays one")
        pre = body.find("pre")
        self.assertIn("\n\n", pre.text(), "a blank line inside <pre> stays")

    def test_xss_corpus_is_inert(self):
        hostile = [p for p in self.harbour.posts if "xss-" in p["content"]]
        self.assertTrue(hostile)
        for p in hostile:
            r = self.page(p["id"])
            doc = r.html()
            imported = [doc.find(class_="story-body")] + [
                c for el in doc.find("section", id="comments").iter()
                if re.match(r"comment-\d+$", el.attrs.get("id") or "")
                for c in el.children if getattr(c, "tag", None) == "div"]
            for part in imported:
                for node in part.iter():
                    self.assertNotIn(node.tag, ("script", "iframe", "object", "embed", "svg",
                                                "math", "style", "form", "input", "button"))
            self.assertEqual(harness.executable_scripts(doc), [])
            for node in doc.iter():
                for name, value in node.attrs.items():
                    self.assertFalse(name.lower().startswith("on"), (node.tag, name, value))
                    v = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                    self.assertFalse(v.startswith("javascript:") or v.startswith("data:"),
                                     (node.tag, name, value))
            self.assertNotIn("xss-", r.text, "hostile markup must leave nothing behind")
            self.assertIn("Safe", doc.find(class_="story-body").norm_text())

    def test_comments_closed_stay_closed(self):
        closed = [p for p in self.harbour.posts if not p["open"] and p["status"] == "published"]
        self.assertTrue(closed)
        for p in closed:
            doc = self.page(p["id"]).html()
            self.assertIsNone(doc.find("form", id="commentform"))


class OldAddressesTest(ImportedSite):
    def assertMoved(self, path, slug):
        r = self.get(path)
        self.assertStatus(r, 301, path)
        self.assertTrue(r.header("Location").endswith(self.server.path("/articles/" + slug)),
                        r.describe(300))

    def test_permalinks_and_query_ids_answer_301(self):
        for x in (self.harbour, self.quay):
            for p in x.posts:
                slug = self.slug_of(x.site, p["id"])
                if p["status"] != "published":
                    self.assertNotEqual(self.get("/?p=%d" % p["id"]).status, 301)
                    continue
                self.assertMoved("/?p=%d" % p["id"], slug)
                path = re.sub(r"^https?://[^/]+", "", p["link"])
                if "?" not in path:
                    self.assertMoved(path, slug)
                    self.assertMoved(path.rstrip("/"), slug)

    def test_skipped_items_are_not_redirected(self):
        x = self.harbour
        root = x.root.find("channel")
        wp = wp_namespace(HARBOUR)
        for item in root.findall("item"):
            if (item.findtext(wp + "post_type") or "post") == "post":
                continue
            path = re.sub(r"^https?://[^/]+", "", item.findtext("link"))
            self.assertStatus(self.get(path), 404, path)

    def test_front_page_without_p_is_the_list(self):
        self.get_ok("/")
        self.get_ok("/?p=999999")


ARTICLE_FIELDS = "a.slug, a.title, a.author, a.body_html, a.tags, a.status, a.published_at, " \
                 "a.comments_open"
COMMENT_FIELDS = ("SELECT a.slug, c.status, c.author, c.email, c.url, c.ip, c.created_at, c.body, "
                  "coalesce((SELECT p.created_at || ' ' || p.author FROM comments p "
                  "WHERE p.id = c.parent_id), '') FROM comments c JOIN articles a "
                  "ON a.id = c.article_id ORDER BY 1, 7, 3, 8")


class ExportTest(ImportedSite):
    """folio export wordpress: WXR 1.2 that folio re-imports to the same site."""

    def site_rows(self, db):
        return (rows(db, "SELECT %s FROM articles a ORDER BY a.slug" % ARTICLE_FIELDS),
                rows(db, COMMENT_FIELDS))

    def test_round_trip_gives_the_same_articles_and_comments(self):
        tmp = tempfile.mkdtemp(prefix="folio-wp-rt-")
        self.addCleanup(shutil.rmtree, tmp, True)
        out = os.path.join(tmp, "export.xml")
        r = harness.run_folio(["export", "wordpress", "--output", out,
                               "--base-url", "https://folio.example"], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        wxr = Export(out)       # Python's parser reads it: well-formed, WXR 1.2
        self.assertEqual(wxr.root.find("channel").findtext(wp_namespace(out) + "wxr_version"),
                         "1.2")
        (articles, comments) = self.site_rows(self.server.db)
        self.assertEqual(len(wxr.posts), len(articles))
        self.assertEqual(len(wxr.comments), len(comments))
        fresh = harness.scratch_database(self, tmp, "again")
        r = harness.run_folio(["import", "wordpress", out], db=fresh)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.site_rows(fresh), self.site_rows(self.server.db))

    def test_export_to_stdout_and_through_the_api(self):
        r = harness.run_folio(["export", "wordpress"], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("<?xml"))
        ET.fromstring(r.stdout.encode())
        token = harness.run_folio(["token", "add", "exporter"], db=self.server.db).stdout.strip()
        api = self.get("/admin/api/export/wordpress",
                       headers={"Authorization": "Bearer " + token})
        self.assertStatus(api, 200)
        self.assertTrue(api.header("Content-Type").startswith("application/xml"))
        doc = ET.fromstring(api.body)
        self.assertEqual(len(doc.find("channel").findall("item")),
                         rows(self.server.db, "SELECT count(*) FROM articles")[0][0])
        self.assertStatus(self.get("/admin/api/export/wordpress"), 401)


class PrivacyTest(ImportedSite, comments_client.CommentClient):
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--retain-addresses", "-1"]

    def api(self, method, path, body=None):
        if not hasattr(type(self), "token"):
            type(self).token = harness.run_folio(["token", "add", "privacy"],
                                                 db=self.server.db).stdout.strip()
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        return self.request(method, "/admin/api" + path, body=body, headers=headers)

    def test_export_lists_every_comment_of_the_email(self):
        c = next(c for c in self.harbour.comments if c["status"] == "spam")
        r = harness.run_folio(["privacy", "export", c["email"].upper()], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        want = [x for x in self.harbour.comments if x["email"].lower() == c["email"].lower()]
        self.assertEqual(len(doc["comments"]), len(want))
        got = doc["comments"][0]
        self.assertEqual(got["status"], "spam")
        self.assertEqual(got["ip"], c["ip"])
        self.assertEqual(got["email"], c["email"])
        self.assertEqual(set(got), {"id", "article", "parent", "author", "email", "url", "body",
                                    "status", "created_at", "ip", "user_agent"})
        api = self.api("GET", "/privacy?email=" + c["email"])
        self.assertStatus(api, 200)
        self.assertEqual(json.loads(api.body)["comments"], doc["comments"])
        self.assertStatus(self.api("GET", "/privacy?email=nobody"), 422)

    def test_erase_keeps_the_text_and_anonymises_the_rest(self):
        c = next(c for c in self.harbour.comments
                 if c["status"] == "approved" and c["parent"] == 0)
        cid = self.comment_row(self.harbour.site, c["id"])[0]
        slug = self.slug_of(self.harbour.site, c["post"])
        self.assertIn(c["author"], self.get_ok("/articles/" + slug).text)
        r = harness.run_folio(["privacy", "erase", c["email"]], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        n = sum(1 for x in self.harbour.comments if x["email"] == c["email"])
        self.assertIn("%d comment" % n, r.stdout)
        row = rows(self.server.db, "SELECT author, email, url, ip, user_agent, body, status "
                   "FROM comments WHERE id = ?", cid)[0]
        self.assertEqual(row[:5], ("Anonymous", "", "", "", ""))
        self.assertTrue(row[5])
        self.assertEqual(row[6], "approved")
        page = self.get_ok("/articles/" + slug).html()
        node = page.find(id="comment-%d" % cid)
        self.assertIn("Anonymous", node.norm_text())
        self.assertNotIn(c["author"], page.norm_text())

    def test_erase_through_the_api(self):
        c = next(c for c in self.harbour.comments if c["status"] == "pending")
        r = self.api("POST", "/privacy/erase", {"email": c["email"]})
        self.assertStatus(r, 200)
        self.assertEqual(json.loads(r.body), {"erased": 1})
        self.assertEqual(json.loads(self.api("GET", "/privacy?email=" + c["email"]).body)
                         ["comments"], [])
        self.assertStatus(self.api("POST", "/privacy/erase", {"email": ""}), 422)
        self.assertStatus(self.request("POST", "/admin/api/privacy/erase", body=b"{}",
                                       headers={"Content-Type": "application/json"}), 401)

    def test_usage(self):
        self.assertEqual(harness.run_folio(["privacy", "export"], db=self.server.db).returncode, 2)
        self.assertEqual(harness.run_folio(["privacy", "erase", "x"],
                                           db=self.server.db).returncode, 2)


class RetentionTest(ImportedSite, comments_client.CommentClient):
    """--retain-addresses 30 (the default): the running server blanks the
    addresses of comments older than that, by itself."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "2"]

    def test_old_addresses_go_new_ones_stay_and_the_rate_limit_holds(self):
        old = [c for c in self.harbour.comments if c["ip"]]
        self.assertTrue(old)
        slug = self.slug_of(self.harbour.site, self.harbour.posts[0]["id"])
        addr = comments_client.fresh_address()
        first = self.post(slug, addr=addr)
        self.assertStatus(first, 303)
        new_id = self.posted_id(first)
        deadline = time.time() + 10
        while time.time() < deadline:
            left = rows(self.server.db, "SELECT count(*) FROM comments WHERE ip <> '' "
                        "AND created_at < ?", int(time.time()) - 30 * 86400)[0][0]
            if left == 0:
                break
            self.get("/")
            time.sleep(0.2)
        self.assertEqual(left, 0, "old addresses were not blanked by the server")
        self.assertEqual(rows(self.server.db, "SELECT ip FROM comments WHERE id = ?", new_id)[0][0],
                         addr)
        self.assertStatus(self.post(slug, addr=addr), 303)
        self.assertStatus(self.post(slug, addr=addr), 429)


class NoAddressesKeptTest(ImportedSite, comments_client.CommentClient):
    """--retain-addresses 0: the address is never stored, and the rate limit
    still counts a client's comments."""
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "2", "--retain-addresses", "0"]

    def test_address_never_stored_rate_limit_holds(self):
        slug = self.slug_of(self.harbour.site, self.harbour.posts[0]["id"])
        addr = comments_client.fresh_address()
        r = self.post(slug, addr=addr, headers={"User-Agent": "TestBrowser/1.0"})
        cid = self.posted_id(r)
        ip, agent = rows(self.server.db, "SELECT ip, user_agent FROM comments WHERE id = ?",
                         cid)[0]
        self.assertNotIn(addr, ip)
        self.assertEqual(agent, "")
        self.assertStatus(self.post(slug, addr=addr), 303)
        self.assertStatus(self.post(slug, addr=addr), 429)
        self.assertStatus(self.post(slug, addr=comments_client.fresh_address()), 303)


class RefusedImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="folio-wp-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.db = os.path.join(self.tmp, "site.db")

    def test_malformed_file_names_its_line_and_stores_nothing(self):
        with open(MALFORMED, encoding="utf-8") as f:
            bad_line = next(i for i, l in enumerate(f, 1) if "</itm>" in l)
        r = harness.run_folio(["import", "wordpress", MALFORMED], db=self.db)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("line %d" % bad_line, r.stderr)
        self.assertIn("nothing was imported", r.stderr)
        self.assertEqual(rows(self.db, "SELECT count(*) FROM articles")[0][0], 0)
        self.assertEqual(rows(self.db, "SELECT count(*) FROM old_addresses")[0][0], 0)

    def test_not_an_export(self):
        path = os.path.join(self.tmp, "feed.xml")
        with open(path, "w") as f:
            f.write('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>'
                    '<item><title>y</title></item></channel></rss>\n')
        r = harness.run_folio(["import", "wordpress", path], db=self.db)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a WordPress export", r.stderr)

    def test_items_without_ids_are_skipped_not_merged(self):
        path = os.path.join(self.tmp, "ids.xml")
        with open(path, "w") as f:
            f.write('<?xml version="1.0"?>\n<rss xmlns:wp="https://wordpress.org/export/1.1/">'
                    '<channel><wp:wxr_version>1.1</wp:wxr_version>'
                    '<item><title>A</title><post_id xmlns="https://wordpress.org/export/1.1/">2'
                    '</post_id><wp:status>publish</wp:status></item>'
                    '<item><title>B</title><wp:status>publish</wp:status></item>'
                    '<item><title>C</title><wp:status>publish</wp:status></item>'
                    '</channel></rss>\n')
        r = harness.run_folio(["import", "wordpress", path], db=self.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(summary_numbers(summary_line(r.stdout, "skipped posts")),
                         {"no post_id": 2})
        self.assertEqual(rows(self.db, "SELECT title FROM articles"), [("A",)])

    def test_dry_run_stores_nothing_and_counts_the_same(self):
        dry = harness.run_folio(["import", "wordpress", HARBOUR, "--dry-run"], db=self.db)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("dry run", dry.stdout)
        self.assertEqual(rows(self.db, "SELECT count(*) FROM articles")[0][0], 0)
        self.assertEqual(rows(self.db, "SELECT count(*) FROM comments")[0][0], 0)
        real = harness.run_folio(["import", "wordpress", HARBOUR], db=self.db)
        for label in ("articles", "comments", "skipped posts", "skipped comments"):
            self.assertEqual(summary_line(dry.stdout, label), summary_line(real.stdout, label))

    def test_usage(self):
        r = harness.run_folio(["import", "wordpress"], db=self.db)
        self.assertEqual(r.returncode, 2)
        r = harness.run_folio(["import", "blogger", HARBOUR], db=self.db)
        self.assertEqual(r.returncode, 2)
        r = harness.run_folio(["import", "wordpress", os.path.join(self.tmp, "none.xml")],
                              db=self.db)
        self.assertEqual(r.returncode, 1)
        self.assertIn("none.xml", r.stderr)

    def test_quiet_when_not_a_terminal(self):
        r = harness.run_folio(["import", "wordpress", HARBOUR], db=self.db)
        self.assertNotIn("\r", r.stderr + r.stdout)
        self.assertEqual(r.stderr, "")


if __name__ == "__main__":
    unittest.main()
