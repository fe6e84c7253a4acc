"""What other sites and machines read from folio (CONTRACT.md, "Comment
pages, sharing, feeds for machines"): the canonical link, Open Graph,
Twitter card and JSON-LD NewsArticle of an article page, with every value
escaped for where it stands, against a real folio on either front.
"""

import datetime
import json
import os
import re
import subprocess
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import harness

NASTY = "nasty-title"
PICTURED = "pictured"
# quotes of both kinds, markup, an ampersand, the end of a script block, a
# comment opener and the line separator U+2028 JavaScript once refused
NASTY_TITLE = "He said \"stop\" & 'go' <b>now</b> </script><!-- \u2028done"
BASE_URL = "http://news.example"


def article_file(slug, title, body, extra=""):
    return ("---\ntitle: %s\nslug: %s\nauthor: Ann O'Hara <ann>\ndate: 2026-03-10T09:00:00Z\n"
            "tags: Law & Order, </script>\nstatus: published\n%s---\n%s\n"
            % (title, slug, extra, body))


class MetadataTest(harness.FolioTestCase):
    server_args = ["--base-url", BASE_URL]

    @classmethod
    def make_fixtures(cls, tmpdir):
        path = os.path.join(tmpdir, NASTY + ".md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(article_file(NASTY, NASTY_TITLE,
                                 "First paragraph with *emphasis* & \"quotes\" in it.\n\n"
                                 "Second paragraph, not in the description."))
        pictured = os.path.join(tmpdir, PICTURED + ".md")
        with open(pictured, "w", encoding="utf-8") as f:
            f.write(article_file(PICTURED, "A pictured story", "The body's own paragraph.",
                                 "summary: A summary of <its> \"own\" & more\n"
                                 "image: /static/lead.jpg\nimage_alt: Boats & \"ferries\"\n"))
        return [path, pictured]

    def page(self):
        r = self.get_ok("/articles/" + NASTY)
        return r, r.html()

    def meta(self, doc, key):
        """Every content of <meta property=key> or <meta name=key>."""
        return [m.get("content") for m in doc.find_all("meta")
                if key in (m.get("property"), m.get("name"))]

    def test_canonical_and_open_graph(self):
        r, doc = self.page()
        url = BASE_URL + "/articles/" + NASTY
        canonical = [l.get("href") for l in doc.find_all("link") if l.get("rel") == "canonical"]
        self.assertEqual(canonical, [url])
        self.assertEqual(self.meta(doc, "og:type"), ["article"])
        self.assertEqual(self.meta(doc, "og:title"), [NASTY_TITLE])
        self.assertEqual(self.meta(doc, "og:url"), [url])
        self.assertEqual(self.meta(doc, "og:site_name"), self.meta(doc, "og:site_name")[:1])
        self.assertEqual(self.meta(doc, "og:description"),
                         ['First paragraph with emphasis & "quotes" in it.'])
        self.assertEqual(self.meta(doc, "description"), self.meta(doc, "og:description"))
        self.assertEqual(self.meta(doc, "article:published_time"), ["2026-03-10T09:00:00Z"])
        self.assertEqual(len(self.meta(doc, "article:modified_time")), 1)
        self.assertEqual(self.meta(doc, "article:author"), ["Ann O'Hara <ann>"])
        self.assertEqual(self.meta(doc, "article:tag"), ["Law & Order", "</script>"])
        self.assertEqual(self.meta(doc, "og:image"), [], "no image, no og:image")
        self.assertEqual(self.meta(doc, "twitter:card"), ["summary"])
        # The card takes its title, description and image from Open Graph,
        # as X documents: the page does not carry them a second time.
        for key in ("twitter:title", "twitter:description", "twitter:image"):
            self.assertEqual(self.meta(doc, key), [], key)

    def test_json_ld_news_article(self):
        r, doc = self.page()
        blocks = [s for s in doc.find_all("script") if s.get("type") == "application/ld+json"]
        self.assertEqual(len(blocks), 1, r.describe())
        raw = blocks[0].text()
        # nothing inside the block can end it or open a comment
        head = r.text.split("</head>")[0]
        self.assertEqual(head.count("</script"), 1, "only the block's own end tag")
        self.assertNotIn("<!--", raw)
        self.assertNotIn("\u2028", raw)
        ld = json.loads(raw)
        self.assertEqual(ld["@context"], "https://schema.org")
        self.assertEqual(ld["@type"], "NewsArticle")
        self.assertEqual(ld["headline"], NASTY_TITLE)
        self.assertEqual(ld["datePublished"], "2026-03-10T09:00:00Z")
        self.assertRegex(ld["dateModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(ld["author"], {"@type": "Person", "name": "Ann O'Hara <ann>"})
        self.assertEqual(ld["publisher"]["@type"], "Organization")
        self.assertEqual(ld["publisher"]["name"], self.meta(doc, "og:site_name")[0])
        # the page's canonical link names the page; the block does not repeat it
        self.assertNotIn("mainEntityOfPage", ld)

    def test_share_links_carry_the_address_and_the_title(self):
        r, doc = self.page()
        url = BASE_URL + "/articles/" + NASTY
        links = {a.norm_text(): a.get("href")
                 for a in doc.find("nav", class_="share").find_all("a")}
        self.assertEqual(sorted(links), ["Email", "Facebook", "LinkedIn", "X / Twitter"])

        def query(href):
            return urllib.parse.parse_qs(urllib.parse.urlsplit(href).query, strict_parsing=True)
        x = links["X / Twitter"]
        self.assertTrue(x.startswith("https://x.com/intent/tweet?"), x)
        self.assertEqual(query(x), {"url": [url], "text": [NASTY_TITLE]})
        self.assertTrue(links["Facebook"].startswith("https://www.facebook.com/sharer/"))
        self.assertEqual(query(links["Facebook"]), {"u": [url]})
        self.assertTrue(links["LinkedIn"].startswith("https://www.linkedin.com/sharing/"))
        self.assertEqual(query(links["LinkedIn"]), {"url": [url]})
        self.assertTrue(links["Email"].startswith("mailto:?"))
        self.assertEqual(query(links["Email"]), {"subject": [NASTY_TITLE], "body": [url]})
        # the address keeps its '/' and ':' (RFC 3986 allows them in a query);
        # the title's '&', '#', '+' and spaces are encoded
        self.assertIn("url=%s&text=" % url, x)
        self.assertNotIn(" ", x)

    def test_summary_and_image(self):
        r = self.get_ok("/articles/" + PICTURED)
        doc = r.html()
        self.assertEqual(self.meta(doc, "og:description"), ['A summary of <its> "own" & more'])
        self.assertEqual(self.meta(doc, "og:image"), [BASE_URL + "/static/lead.jpg"])
        self.assertEqual(self.meta(doc, "og:image:alt"), ['Boats & "ferries"'])
        self.assertEqual(self.meta(doc, "twitter:card"), ["summary_large_image"])
        ld = json.loads(doc.find("script", type="application/ld+json").text())
        self.assertEqual(ld["image"], [BASE_URL + "/static/lead.jpg"])
        self.assertNotIn("description", ld, "the description is in <meta> already")
        figure = doc.find("figure", class_="story-image")
        self.assertIsNotNone(figure, r.describe())
        img = figure.find("img")
        self.assertEqual(img.get("src"), "/static/lead.jpg")
        self.assertEqual(img.get("alt"), 'Boats & "ferries"')
        # sized before it loads: the page does not shift
        self.assertTrue(img.get("width") and img.get("height"))
        self.assertIsNone(self.get_ok("/articles/" + NASTY).html().find("figure"))

    def test_title_text_never_becomes_markup(self):
        r, doc = self.page()
        self.assertEqual(doc.find("h1").text(), NASTY_TITLE)
        self.assertEqual([b for b in doc.find_all("b") if b.text() == "now"], [])

    def test_csp_still_forbids_inline_script(self):
        r, _ = self.page()
        csp = r.header("Content-Security-Policy") or ""
        script_src = re.search(r"script-src ([^;]*)", csp)
        self.assertIsNotNone(script_src, csp)
        self.assertEqual(script_src.group(1).strip(), "'self'")


class ArticleFieldsApiTest(harness.FolioTestCase):
    """summary, image and image_alt through the JSON API (PUT and GET)."""
    fixtures = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = harness.run_folio(["token", "add", "sharing"], db=cls.server.db)
        cls.token = r.stdout.strip()

    def put(self, slug, body):
        return self.request("PUT", "/admin/api/articles/" + slug, body=json.dumps(body).encode(),
                            headers={"Authorization": "Bearer " + self.token,
                                     "Content-Type": "application/json"})

    def test_round_trip(self):
        fields = {"summary": "Short & sweet", "image": "https://img.example/a.jpg",
                  "image_alt": "A harbour at dawn"}
        r = self.put("api-pictured", dict(fields, title="T", body="Body.", status="published"))
        self.assertStatus(r, 201)
        got = json.loads(self.request("GET", "/admin/api/articles/api-pictured", headers={
            "Authorization": "Bearer " + self.token}).body)
        for k, v in fields.items():
            self.assertEqual(got[k], v)
        doc = self.get_ok("/articles/api-pictured").html()
        self.assertEqual(doc.find("figure").find("img").get("src"), fields["image"])
        # sent back as GET gave it
        self.assertStatus(self.put("api-pictured", got), 200)

    def test_refused(self):
        for field, body in (
                ("image", {"image": "javascript:alert(1)", "image_alt": "x"}),
                ("image", {"image": "//evil.example/a.jpg", "image_alt": "x"}),
                ("image", {"image": "/a b.jpg", "image_alt": "x"}),
                ("image_alt", {"image": "/static/a.jpg"}),
                ("summary", {"summary": "two\nlines"}),
                ("summary", {"summary": 5})):
            r = self.put("api-refused", dict(body, title="T", body="B"))
            self.assertStatus(r, 422, body)
            self.assertEqual(json.loads(r.body).get("field"), field, body)

    def test_summary_defaults_to_the_first_paragraph(self):
        self.assertStatus(self.put("api-plain", {"title": "Plain", "status": "published",
                                                 "body": "One *two*.\n\nThree."}), 201)
        doc = self.get_ok("/articles/api-plain").html()
        self.assertEqual([m.get("content") for m in doc.find_all("meta")
                          if m.get("property") == "og:description"], ["One two."])
        long = " ".join(["word%d" % i for i in range(60)])
        self.assertStatus(self.put("api-long", {"title": "Long", "status": "published",
                                                "body": long + "\n\nNext."}), 201)
        doc = self.get_ok("/articles/api-long").html()
        cut = [m.get("content") for m in doc.find_all("meta") if m.get("name") == "description"]
        self.assertEqual(len(cut), 1)
        self.assertLessEqual(len(cut[0]), 161, cut[0])
        self.assertTrue(long.startswith(cut[0].rstrip("\u2026")), cut[0])


SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# The sitemaps.org and Google News XSDs cannot be fetched offline: these are
# written from the protocols' text (tests/xsd/*.xsd say how).
XSD_DIR = os.path.join(harness.REPO, "tests", "xsd")
SCHEMAS = {SM + "urlset": "sitemap.xsd", SM + "sitemapindex": "siteindex.xsd"}


# A urlset with no <url>: what folio answers while nothing is published, or
# (/news-sitemap.xml) nothing was in the last 2 days. The sitemaps.org schema
# does not take it (sitemap.xsd of 2008-03-26 declares <url> with
# maxOccurs="unbounded" and no minOccurs, so at least one), but it is what
# Google asks for: its news sitemap guide says to drop articles after two
# days even if that leaves the sitemap empty, which "will not cause any
# problems" (Search Console shows an "Empty Sitemap" warning, to check it
# was meant). A 404 instead would be a fetch error. So the empty answer is
# asserted byte for byte, and every other one is validated.
EMPTY_URLSET = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"%s>\n'
                '</urlset>\n')
NEWS_XMLNS = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def check_xml(test, body):
    """Well-formed, namespaces right, and valid against tests/xsd (a urlset
    with the news extension against sitemap.xsd with the news schema); an
    empty urlset is the exact document above instead (see EMPTY_URLSET)."""
    root = ET.fromstring(body)
    if root.tag == SM + "urlset" and len(root) == 0:
        test.assertIn(body.decode(), (EMPTY_URLSET % "", EMPTY_URLSET % NEWS_XMLNS))
        lint = subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                               os.path.join(XSD_DIR, "sitemap.xsd"), "-"],
                              input=body, capture_output=True)
        test.assertNotEqual(lint.returncode, 0, "tests/xsd/sitemap.xsd takes an empty urlset, "
                            "which the sitemaps.org schema does not")
        return root
    schema = SCHEMAS.get(root.tag)
    test.assertIsNotNone(schema, "unexpected root %s" % root.tag)
    if root.tag == SM + "urlset" and root.find(".//" + NEWS + "news") is not None:
        schema = "news-urlset.xsd"
    lint = subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                           os.path.join(XSD_DIR, schema), "-"],
                          input=body, capture_output=True)
    test.assertEqual(lint.returncode, 0, lint.stderr.decode(errors="replace")[:2000])
    return root


class SitemapTest(harness.FolioTestCase):
    """/sitemap.xml, /news-sitemap.xml, /robots.txt, each checked by xmllint
    against the schemas in tests/xsd (written from the protocols' text; the
    official XSDs are not available offline), and the structure asserted."""
    server_args = ["--base-url", BASE_URL]

    @classmethod
    def make_fixtures(cls, tmpdir):
        fresh = os.path.join(tmpdir, "fresh-news.md")
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(fresh, "w", encoding="utf-8") as f:
            f.write("---\ntitle: Fresh & <new>\nslug: fresh-news\ndate: %s\n"
                    "status: published\n---\nJust in.\n" % now)
        return harness.fixture_paths() + [fresh]

    def xml(self, path):
        r = self.get_ok(path)
        self.assertEqual(r.header("Content-Type"), "application/xml; charset=utf-8")
        return r, check_xml(self, r.body)

    def published_slugs(self):
        conn = self.db()
        try:
            return {row[0] for row in conn.execute(
                "SELECT slug FROM articles WHERE status = 'published'")}
        finally:
            conn.close()

    def db(self):
        return harness.database(self.server)

    def test_sitemap_lists_every_published_article_with_lastmod(self):
        r, root = self.xml("/sitemap.xml")
        self.assertEqual(root.tag, SM + "urlset")
        locs = []
        for url in root:
            self.assertEqual(url.tag, SM + "url")
            self.assertEqual([child.tag for child in url], [SM + "loc", SM + "lastmod"])
            locs.append(url.find(SM + "loc").text)
            self.assertRegex(url.find(SM + "lastmod").text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(sorted(locs),
                         sorted(BASE_URL + "/articles/" + s for s in self.published_slugs()))
        self.assertNotIn(BASE_URL + "/articles/budget-draft-leak", locs)
        # cached: validators, and a 304 for the same ETag
        self.assertTrue(r.header("ETag") and r.header("Last-Modified"))
        again = self.get("/sitemap.xml", headers={"If-None-Match": r.header("ETag")})
        self.assertStatus(again, 304)
        self.assertStatus(self.get("/sitemap-1.xml"), 404)   # one file: no parts

    def test_news_sitemap_has_the_last_two_days(self):
        r, root = self.xml("/news-sitemap.xml")
        self.assertEqual(root.tag, SM + "urlset")
        urls = list(root)
        self.assertEqual([u.find(SM + "loc").text for u in urls],
                         [BASE_URL + "/articles/fresh-news"])
        news = urls[0].find(NEWS + "news")
        pub = news.find(NEWS + "publication")
        self.assertTrue(pub.find(NEWS + "name").text)
        self.assertEqual(pub.find(NEWS + "language").text, "en")
        self.assertEqual(news.find(NEWS + "title").text, "Fresh & <new>")
        self.assertRegex(news.find(NEWS + "publication_date").text, r"^\d{4}-\d\d-\d\dT")

    def test_robots(self):
        r = self.get_ok("/robots.txt")
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        lines = r.text.splitlines()
        self.assertIn("User-agent: *", lines)
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Disallow: /search", lines)
        self.assertIn("Sitemap: " + BASE_URL + "/sitemap.xml", lines)
        self.assertIn("Sitemap: " + BASE_URL + "/news-sitemap.xml", lines)


class EmptySitemapsTest(harness.FolioTestCase):
    """Nothing published in the last 2 days (the fixtures are older): the
    news sitemap is an empty urlset, still 200 and cached by ETag; with
    nothing published at all, so is /sitemap.xml. robots.txt names both
    either way, as the sitemaps fill up as soon as something is published."""
    server_args = ["--base-url", BASE_URL]

    def xml(self, path):
        r = self.get_ok(path)
        self.assertEqual(r.header("Content-Type"), "application/xml; charset=utf-8")
        return r, check_xml(self, r.body)

    def test_no_recent_news_is_an_empty_news_sitemap(self):
        r, root = self.xml("/news-sitemap.xml")
        self.assertEqual((root.tag, len(root)), (SM + "urlset", 0))
        self.assertEqual(r.body.decode(), EMPTY_URLSET % NEWS_XMLNS)
        self.assertStatus(self.get("/news-sitemap.xml",
                                   headers={"If-None-Match": r.header("ETag")}), 304)
        _, full = self.xml("/sitemap.xml")
        self.assertGreater(len(full), 0)      # the older articles are in it

    def test_nothing_published_is_an_empty_sitemap(self):
        conn = harness.database(self.server)
        try:
            published = [row[0] for row in conn.execute(
                "SELECT id FROM articles WHERE status = 'published'")]
            conn.execute("UPDATE articles SET status = 'draft' WHERE status = 'published'")
            conn.commit()
        finally:
            conn.close()
        try:
            for path in ("/sitemap.xml", "/news-sitemap.xml"):
                r, root = self.xml(path)
                self.assertEqual(len(root), 0, path)
            self.assertEqual(self.get_ok("/sitemap.xml").body.decode(), EMPTY_URLSET % "")
            robots = self.get_ok("/robots.txt").text.splitlines()
            self.assertIn("Sitemap: " + BASE_URL + "/news-sitemap.xml", robots)
        finally:
            conn = harness.database(self.server)
            try:
                for aid in published:
                    conn.execute("UPDATE articles SET status = 'published' WHERE id = ?", (aid,))
                conn.commit()
            finally:
                conn.close()


class SitemapIndexTest(harness.FolioTestCase):
    """Past 50,000 published articles /sitemap.xml is an index of parts, each
    a range of 50,000 article ids. The rows go straight into the database
    (one transaction) while the server runs: the page cache sees the change."""
    server_args = ["--base-url", BASE_URL]
    fixtures = []
    ARTICLES = 50_020

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        con = harness.database(cls.server)
        with con:   # one statement, which SQLite and PostgreSQL both read
            con.execute(
                "INSERT INTO articles (slug, title, author, body, body_html, tags, source, status, "
                "published_at, updated_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                "SELECT i + 1 FROM n WHERE i < ?) SELECT 'bulk-' || i, 'T', 'A', 'b', "
                "'<p>b</p>', '', '', CASE WHEN i % 10000 = 5 THEN 'draft' ELSE 'published' END, "
                "1767225600, 1767225600 + i FROM n", (cls.ARTICLES,))
        cls.published = {row[0]: row[1] for row in con.execute(
            "SELECT id, slug FROM articles WHERE status = 'published'")}
        con.close()

    def xml(self, path):
        r = self.get_ok(path)
        self.assertEqual(r.header("Content-Type"), "application/xml; charset=utf-8")
        return r, check_xml(self, r.body)

    def test_index_of_parts_by_id(self):
        self.assertGreater(len(self.published), 50_000)
        r, root = self.xml("/sitemap.xml")
        self.assertEqual(root.tag, SM + "sitemapindex")
        locs = [s.find(SM + "loc").text for s in root]
        self.assertEqual(locs, [BASE_URL + "/sitemap-1.xml", BASE_URL + "/sitemap-2.xml"])
        for s in root:
            self.assertRegex(s.find(SM + "lastmod").text, r"^\d{4}-\d\d-\d\dT")
        self.assertStatus(self.get("/sitemap.xml", headers={"If-None-Match": r.header("ETag")}),
                          304)
        seen = []
        for n, (lo, hi) in ((1, (0, 50_000)), (2, (50_000, 100_000))):
            _, part = self.xml("/sitemap-%d.xml" % n)
            slugs = [u.find(SM + "loc").text.rsplit("/", 1)[1] for u in part]
            want = [self.published[i] for i in sorted(self.published) if lo < i <= hi]
            self.assertEqual(slugs, want, "part %d" % n)
            seen += slugs
        self.assertEqual(sorted(seen), sorted(self.published.values()), "each article once")
        for bad in ("/sitemap-3.xml", "/sitemap-0.xml", "/sitemap-x.xml", "/sitemap-1.xm"):
            self.assertStatus(self.get(bad), 404, bad)

    def test_an_empty_range_is_left_out(self):
        def parts():
            _, root = self.xml("/sitemap.xml")
            return [s.find(SM + "loc").text.rsplit("/", 1)[1] for s in root]
        con = harness.database(self.server)
        with con:
            # a new article far beyond: part 5 (ids 200,001-250,000); 3 and 4 hold none
            con.execute("INSERT INTO articles (id, slug, title, author, body, body_html, tags, "
                        "source, status, published_at, updated_at) VALUES (200001, 'far-away', "
                        "'Far', 'A', 'b', '<p>b</p>', '', '', 'published', 1767225600, "
                        "1767225600)")
        con.close()
        try:
            # made beside the server: at once on SQLite, within a second on PostgreSQL
            harness.eventually(lambda: "sitemap-5.xml" in parts())
            self.assertEqual(parts(), ["sitemap-1.xml", "sitemap-2.xml", "sitemap-5.xml"])
            self.assertStatus(self.get("/sitemap-3.xml"), 404)
            _, part = self.xml("/sitemap-5.xml")
            self.assertEqual([u.find(SM + "loc").text for u in part],
                             [BASE_URL + "/articles/far-away"])
        finally:
            con = harness.database(self.server)
            with con:
                con.execute("DELETE FROM articles WHERE id = 200001")
            con.close()
            self.assertTrue(harness.eventually(lambda: "sitemap-5.xml" not in parts()))


if __name__ == "__main__":
    unittest.main()
