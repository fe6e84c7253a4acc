"""The readers' routes of CONTRACT.md, against a real folio (FOLIO_FRONT=http:
folio serve; FOLIO_FRONT=fcgi: folio fcgi behind nginx)."""

import concurrent.futures
import datetime
import email.utils
import os
import re
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import harness

ATOM = "{http://www.w3.org/2005/Atom}"
FIX = harness.fixture_articles()
PUBLISHED = sorted((s for s, m in FIX.items() if m.get("status") == "published"),
                   key=lambda s: FIX[s]["date"], reverse=True)
DRAFTS = [s for s, m in FIX.items() if m.get("status") != "published"]
SUMMIT = "summit-talks-resume"       # tags North Korea, diplomacy; Markdown features
ZEPPELIN = "zeppelin-returns"        # the only published article with "zeppelin"
DRAFT = "budget-draft-leak"          # a draft tagged North Korea, mentions zeppelin
CLOSED = "harbour-bridge-reopens"    # comments: closed, the newest

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
# Headers that legitimately differ between two answers, or between GET and HEAD.
VOLATILE = {"date", "connection", "keep-alive", "transfer-encoding", "content-length",
            "expires", "set-cookie"}


def parse_time(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


class ReaderAssertions:
    """Assertions shared by the classes below (mixed into FolioTestCase)."""

    def assertHtmlHeaders(self, r):
        ct = (r.header("Content-Type") or "").replace(" ", "").lower()
        self.assertEqual(ct, "text/html;charset=utf-8", r.describe(300))
        self.assertEqual((r.header("X-Content-Type-Options") or "").strip().lower(),
                         "nosniff", r.describe(300))
        csps = r.headers.get_all("Content-Security-Policy") or []
        self.assertTrue(csps, "no Content-Security-Policy:\n" + r.describe(300))
        directives = {}
        for csp in csps:
            for d in csp.split(";"):
                parts = d.strip().split()
                if parts:
                    directives.setdefault(parts[0].lower(), []).append(
                        [p.lower() for p in parts[1:]])
        script = directives.get("script-src") or directives.get("default-src")
        self.assertTrue(script, "CSP has neither script-src nor default-src: %s" % csps)
        self.assertTrue(any("'unsafe-inline'" not in s for s in script),
                        "CSP allows inline script: %s" % csps)
        self.assertEqual((r.header("Referrer-Policy") or "").strip().lower(),
                         "strict-origin-when-cross-origin", r.describe(300))
        xfo = (r.header("X-Frame-Options") or "").strip().upper()
        fa = directives.get("frame-ancestors", [])
        self.assertTrue(xfo == "DENY" or ["'none'"] in fa,
                        "framing not forbidden (X-Frame-Options %r, frame-ancestors %r)"
                        % (xfo, fa))

    def assertListsExactly(self, path, slugs, ordered=True):
        r = self.get_ok(path)
        self.assertHtmlHeaders(r)
        doc = r.html()
        found = harness.article_slugs_linked(self.server, doc.find("main") or doc)
        if ordered:
            self.assertEqual(found, list(slugs), "articles linked from %s" % path)
        else:
            self.assertEqual(sorted(found), sorted(slugs), "articles linked from %s" % path)
        return r

    def parse_atom(self, r):
        self.assertStatus(r, 200)
        ct = (r.header("Content-Type") or "").split(";")[0].strip().lower()
        self.assertEqual(ct, "application/atom+xml", r.describe(200))
        try:
            root = ET.fromstring(r.body)
        except ET.ParseError as e:
            self.fail("feed is not well-formed XML (%s):\n%s" % (e, r.text[:3000]))
        self.assertEqual(root.tag, ATOM + "feed")
        for req in ("id", "title", "updated"):
            self.assertIsNotNone(root.find(ATOM + req), "feed has no <%s>" % req)
        return root

    def entry_link(self, entry):
        for link in entry.findall(ATOM + "link"):
            if link.get("rel", "alternate") == "alternate":
                return link.get("href")
        return None

    def resolve(self, page_path, href):
        """Absolute URL of a link found on page_path."""
        return urllib.parse.urljoin(self.server.url(page_path), href)

    def internal_links(self, page_path, root):
        """(attribute, value, absolute url) of every link of the page into
        this site: href, src, action."""
        out = []
        for el in root.iter():
            for attr in ("href", "src", "action"):
                v = el.get(attr)
                if v is None or v.startswith(("#", "mailto:", "javascript:", "data:")):
                    continue
                absu = self.resolve(page_path, v)
                u = urllib.parse.urlsplit(absu)
                if u.scheme in ("http", "https") and u.hostname in ("127.0.0.1", "localhost"):
                    out.append((el.tag, attr, v, absu))
        return out

    def check_links_work(self, page_path):
        """Every link (a/link/img/script, not forms) on the page into the
        site answers 200."""
        r = self.get_ok(page_path)
        seen = set()
        for tag, attr, v, absu in self.internal_links(self.server.path(page_path), r.html()):
            if attr == "action":
                continue
            u = urllib.parse.urlsplit(absu)
            target = u.path + ("?" + u.query if u.query else "")
            if target in seen:
                continue
            seen.add(target)
            with self.subTest(link=v, on=page_path):
                lr = self.server.request("GET", target, base=False)
                self.assertStatus(lr, 200, "<%s %s=%r> on %s" % (tag, attr, v, page_path))
        self.assertTrue(seen, "no internal links on %s" % page_path)


class ReadersTest(ReaderAssertions, harness.FolioTestCase):
    """The fixtures in fixtures/: 3 published, 1 draft."""

    # -- / -------------------------------------------------------------------

    def test_index_lists_published_newest_first(self):
        r = self.assertListsExactly("/", PUBLISHED)
        text = r.html().norm_text()
        for slug in PUBLISHED:
            self.assertIn(FIX[slug]["title"], text)
        self.assertNotIn(FIX[DRAFT]["title"], text)
        self.assertNotIn(DRAFT, r.text)

    def test_index_page_1_is_the_first_page(self):
        self.assertListsExactly("/?page=1", PUBLISHED)

    def test_index_bad_page_numbers_are_400(self):
        for q in ("0", "abc", "-1", "1x", "1.5", "%201"):
            with self.subTest(page=q):
                r = self.get("/?page=" + q)
                self.assertStatus(r, 400, "GET /?page=%s" % q)
                self.assertHtmlHeaders(r)
                self.assertNoLeak(r)

    def test_index_huge_page_number_is_not_a_server_error(self):
        r = self.get("/?page=99999999999999999999999999")
        self.assertStatus(r, (200, 400, 404))

    # -- /articles/{slug} --------------------------------------------------------

    def test_article_page(self):
        m = FIX[SUMMIT]
        r = self.get_ok("/articles/" + SUMMIT)
        self.assertHtmlHeaders(r)
        doc = r.html()
        h1 = doc.find_all("h1")
        self.assertTrue(any(h.norm_text() == m["title"] for h in h1),
                        "no <h1> with the title; h1s: %r" % [h.norm_text() for h in h1])
        text = doc.norm_text()
        self.assertIn(m["author"], text)
        times = [t.get("datetime") for t in doc.find_all("time", datetime=True)]
        self.assertTrue(times, "no <time datetime=...>")
        for t in times:
            self.assertRegex(t, RFC3339)
        self.assertIn(parse_time(m["date"]), [parse_time(t) for t in times])
        self.assertRegex(text, r"Source:\s*" + re.escape(m["source"]))

    def test_article_body_is_rendered_markdown(self):
        doc = self.get_ok("/articles/" + SUMMIT).html()
        self.assertIn("surprising", [e.norm_text() for e in doc.find_all("em")])
        self.assertIn("constructive", [e.norm_text() for e in doc.find_all("strong")])
        self.assertIn(("https://example.org/communique", "the joint communique"), doc.links())
        items = [li.norm_text() for li in doc.find_all("li")]
        for item in ("Sanctions relief", "Family reunions", "A hotline between the capitals"):
            self.assertIn(item, items)
        paras = [p.norm_text() for p in doc.find_all("p")]
        self.assertTrue(any(p.startswith("Negotiators met again on Tuesday") for p in paras),
                        paras)
        # "&" and "<" in the text are text, escaped in the source.
        self.assertIn("Tom & Jerry < 3 is not a headline.", paras)

    def test_article_raw_html_is_not_html(self):
        r = self.get_ok("/articles/" + SUMMIT)
        doc = r.html()
        self.assertNotIn("<script>alert(1)</script>", r.text)
        for s in doc.find_all("script"):
            self.assertNotIn("alert", s.text(), "inline script made it into the page")
        for el in doc.iter():
            for attr in el.attrs:
                self.assertFalse(attr.startswith("on"),
                                 "event handler attribute %s=%r on <%s>"
                                 % (attr, el.attrs[attr], el.tag))
        self.assertFalse(any(img.get("src") == "x" for img in doc.find_all("img")),
                         "the raw <img> from the Markdown is an element")
        self.assertNotRegex(r.text, r"(?i)<img[^>]*onerror")

    def test_article_tags_link_to_tag_pages(self):
        doc = self.get_ok("/articles/" + SUMMIT).html()
        links = {(harness.site_path(self.server, h), t) for h, t in doc.links()}
        self.assertIn(("/tags/north-korea", "North Korea"), links)
        self.assertIn(("/tags/diplomacy", "diplomacy"), links)

    def test_article_comments_and_reply_form(self):
        doc = self.get_ok("/articles/" + SUMMIT).html()
        section = doc.find("section", id="comments")
        self.assertIsNotNone(section, 'no <section id="comments">')
        respond = doc.find("div", id="respond")
        self.assertIsNotNone(respond, 'no <div id="respond">')
        order = list(doc.iter())
        self.assertLess(order.index(section), order.index(respond),
                        "#respond comes before #comments")
        h3 = doc.find("h3", id="reply-title")
        self.assertIsNotNone(h3, 'no <h3 id="reply-title">')
        self.assertTrue(h3.norm_text().startswith("Leave a Reply"), h3.norm_text())
        self.assertTrue(h3.is_inside(respond))
        form = doc.find("form", id="commentform")
        self.assertIsNotNone(form, 'no <form id="commentform">')
        self.assertEqual((form.get("method") or "").lower(), "post")
        self.assertTrue(form.is_inside(respond))
        action = urllib.parse.urlsplit(self.resolve("/articles/" + SUMMIT,
                                                    form.get("action") or ""))
        self.assertEqual(action.path, "/articles/%s/comments" % SUMMIT)
        names = {el.get("name") for el in form.iter() if el.tag in ("input", "textarea")}
        for field in ("author", "email", "url", "comment", "comment_parent", "hp"):
            self.assertIn(field, names, "comment form lacks %r" % field)
        textarea = form.find("textarea")
        self.assertEqual(textarea.get("name"), "comment")

    def test_article_without_comments_has_none(self):
        doc = self.get_ok("/articles/" + SUMMIT).html()
        section = doc.find("section", id="comments")
        ids = [e.id for e in section.iter() if e.id and re.match(r"comment-\d+$", e.id)]
        self.assertEqual(ids, [])

    def test_closed_article_is_shown(self):
        r = self.get_ok("/articles/" + CLOSED)
        self.assertHtmlHeaders(r)
        self.assertIn(FIX[CLOSED]["title"], [h.norm_text() for h in r.html().find_all("h1")])

    def test_draft_is_404(self):
        r = self.get("/articles/" + DRAFT)
        self.assertStatus(r, 404)
        self.assertHtmlHeaders(r)
        self.assertNotIn(FIX[DRAFT]["title"], r.text)
        self.assertNotIn("This draft must never be shown", r.text)
        self.assertNoLeak(r)

    def test_unknown_article_is_404(self):
        for slug in ("no-such-article", "UPPER", "a%20b", "x'y", "summit-talks-resume.md",
                     "summit-talks-resume/extra"):
            with self.subTest(slug=slug):
                r = self.get("/articles/" + slug)
                self.assertStatus(r, (404, 400))
                self.assertNoLeak(r)
        r = self.get("/articles/no-such-article")
        self.assertStatus(r, 404)
        self.assertHtmlHeaders(r)

    def test_unknown_route_is_404(self):
        r = self.get("/no/such/page")
        self.assertStatus(r, 404)
        self.assertHtmlHeaders(r)
        self.assertNoLeak(r)

    def test_index_and_article_links_work(self):
        self.check_links_work("/")
        self.check_links_work("/articles/" + SUMMIT)

    # -- /tags/{tag} ----------------------------------------------------------------

    def test_tag_page_lists_tagged_published_articles(self):
        r = self.assertListsExactly("/tags/north-korea", [SUMMIT])
        self.assertIn("North Korea", r.html().norm_text())
        self.assertNotIn(FIX[DRAFT]["title"], r.text)

    def test_tag_page_with_several_articles_is_newest_first(self):
        # "city": harbour-bridge-reopens (03-14) and zeppelin-returns (03-12)
        self.assertListsExactly("/tags/city", [CLOSED, ZEPPELIN])

    def test_tag_page_bad_page_is_400(self):
        self.assertStatus(self.get("/tags/city?page=0"), 400)
        self.assertListsExactly("/tags/city?page=1", [CLOSED, ZEPPELIN])

    def test_unknown_tag(self):
        r = self.get("/tags/no-such-tag")
        self.assertStatus(r, (200, 404))
        self.assertHtmlHeaders(r)
        self.assertEqual(harness.article_slugs_linked(self.server, r.html()), [])
        # A tag only drafts carry is no tag to readers: 404, as if unknown.
        r = self.get("/tags/budget")
        self.assertStatus(r, 404)
        self.assertHtmlHeaders(r)
        self.assertEqual(harness.article_slugs_linked(self.server, r.html()), [])
        self.assertNotIn("budget", r.html().find("main").norm_text().lower())

    def test_tag_page_heading_names_the_tag_once(self):
        r = self.get_ok("/tags/north-korea")
        doc = r.html()
        self.assertEqual(doc.find("h1").norm_text(), "Articles tagged North Korea")
        self.assertNotIn("Tagged:", doc.norm_text())
        self.assertEqual(doc.find("title").norm_text(), "Articles tagged North Korea – folio")

    # -- <title>: the page's own title, then the site's name ----------------------------

    def test_titles_carry_the_site_name(self):
        cases = {"/": "folio",
                 "/articles/" + SUMMIT: FIX[SUMMIT]["title"] + " – folio",
                 "/search?q=zeppelin": "Search: zeppelin – folio",
                 "/search": "Search – folio"}
        for path, want in cases.items():
            with self.subTest(path=path):
                self.assertEqual(self.get_ok(path).html().find("title").norm_text(), want)
        r = self.get("/articles/no-such-article")
        self.assertStatus(r, 404)
        self.assertTrue(r.html().find("title").norm_text().endswith(" – folio"))

    # -- /search -------------------------------------------------------------------------

    def test_search_finds_published_article(self):
        for q in ("zeppelin", "ZEPPELIN", "Zeppelin"):
            with self.subTest(q=q):
                r = self.assertListsExactly("/search?q=" + q, [ZEPPELIN])
                self.assertIn(FIX[ZEPPELIN]["title"], r.html().norm_text())

    def test_search_matches_title_words(self):
        self.assertListsExactly("/search?q=geneva", [SUMMIT])
        self.assertListsExactly("/search?q=harbour+bridge", [CLOSED])

    def test_search_without_match(self):
        self.assertListsExactly("/search?q=xylophonist", [])

    def test_search_empty(self):
        for path in ("/search", "/search?q=", "/search?q=+++"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertStatus(r, 200)
                self.assertHtmlHeaders(r)

    def test_search_odd_characters(self):
        for q in ('"', "*", "AND(", "NEAR(", ")", "'", "-", "^", "a:b", "zeppelin OR",
                  "OR", '"zeppelin', "zeppelin*", "{}", "%", "\\", "é", "😀", "NOT"):
            with self.subTest(q=q):
                r = self.get("/search?q=" + urllib.parse.quote(q, safe=""))
                self.assertStatus(r, (200, 400))
                self.assertHtmlHeaders(r)
                self.assertNoLeak(r)
                self.assertNotIn(DRAFT, r.text)

    def test_search_query_is_escaped(self):
        q = '<script>alert(3)</script>"><b>bold</b>'
        r = self.get("/search?q=" + urllib.parse.quote(q, safe=""))
        self.assertStatus(r, (200, 400))
        doc = r.html()
        for s in doc.find_all("script"):
            self.assertNotIn("alert(3)", s.text())
        self.assertFalse([b for b in doc.find_all("b") if b.norm_text() == "bold"],
                         "the query was written as HTML")

    def test_search_input_is_never_an_fts_syntax_error(self):
        for q in ('"', '""', '"""', "*", "**", "a*b", "AND", "OR", "NOT", "NEAR", "NEAR(a b)",
                  "(", ")", "a OR", "-zeppelin", "+zeppelin", "^zeppelin", "title:zeppelin",
                  "{title}: x", "zeppelin \"", "'zeppelin'", "zep\"pelin", "a:", ":", "-",
                  "\u00a0", "zeppelin\t\tnorth", "a " * 40, "€ £ ¥", "ﬁ", "x" * 199):
            with self.subTest(q=q[:30]):
                r = self.get("/search?q=" + urllib.parse.quote(q, safe=""))
                self.assertStatus(r, 200)
                self.assertNoLeak(r)
                self.assertNotIn(DRAFT, r.text)

    def test_search_leaves_drafts_out(self):
        r = self.get_ok("/search?q=draft+budget")
        self.assertEqual(harness.article_slugs_linked(self.server, r.html()), [])
        self.assertNotIn("This draft must never be shown", r.text)

    # -- /feed.atom ----------------------------------------------------------------------

    def test_feed(self):
        r = self.get("/feed.atom")
        root = self.parse_atom(r)
        entries = root.findall(ATOM + "entry")
        self.assertEqual(len(entries), len(PUBLISHED), r.text[:3000])
        titles = [e.findtext(ATOM + "title") for e in entries]
        self.assertEqual(titles, [FIX[s]["title"] for s in PUBLISHED])
        self.assertNotIn(FIX[DRAFT]["title"], r.text)
        for e, slug in zip(entries, PUBLISHED):
            for req in ("id", "updated"):
                self.assertTrue((e.findtext(ATOM + req) or "").strip(),
                                "entry %s has no <%s>" % (slug, req))
            self.assertRegex(e.findtext(ATOM + "updated").strip(), RFC3339)
            href = self.entry_link(e)
            self.assertIsNotNone(href, "entry %s has no link" % slug)
            u = urllib.parse.urlsplit(href)
            self.assertIn(u.scheme, ("http", "https"), "feed link not absolute: %s" % href)
            self.assertEqual(u.hostname, "127.0.0.1", href)
            if self.server.front == "http":
                self.assertEqual(u.port, self.server.port, href)
            self.assertEqual(u.path, "/articles/" + slug)

    def test_comments_feed(self):
        root = self.parse_atom(self.get("/articles/%s/comments.atom" % SUMMIT))
        self.assertEqual(root.findall(ATOM + "entry"), [])
        self.assertStatus(self.get("/articles/%s/comments.atom" % DRAFT), 404)
        self.assertStatus(self.get("/articles/no-such-article/comments.atom"), 404)

    # -- /healthz, /static -------------------------------------------------------------------

    def test_healthz(self):
        r = self.get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.body.strip(), b"ok")

    def test_static_file(self):
        r = self.get("/static/folio.css")
        self.assertStatus(r, 200)
        self.assertEqual((r.header("Content-Type") or "").split(";")[0].strip(), "text/css")
        with open(os.path.join(harness.www_dir(), "static", "folio.css"), "rb") as f:
            self.assertEqual(r.body, f.read())

    def test_static_missing_file_is_404(self):
        self.assertStatus(self.get("/static/no-such-file.css"), 404)

    def test_static_traversal(self):
        for target in ("/static/../../etc/passwd",
                       "/static/%2e%2e/%2e%2e/etc/passwd",
                       "/static/..%2f..%2fetc/passwd",
                       "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                       "/static/....//....//etc/passwd",
                       "/static/../../../../../../../../etc/passwd",
                       "/static/..\\..\\etc\\passwd",
                       "/static/%00../../etc/passwd"):
            with self.subTest(target=target):
                r = self.raw_request("GET", target)
                self.assertIn(r.status, (400, 403, 404), r.describe(500))
                self.assertNotIn(b"root:", r.raw)
                self.assertNotIn(b"/bin/", r.raw)

    # -- methods -------------------------------------------------------------------------

    def assertHeadLikeGet(self, path):
        g = self.raw_request("GET", path)
        h = self.raw_request("HEAD", path)
        self.assertEqual(h.status, g.status, "HEAD %s" % path)
        self.assertEqual(h.after_headers, b"", "HEAD %s sent a body" % path)
        self.assertTrue(g.body, "GET %s has no body" % path)

        def named(resp):
            out = {}
            for k, v in resp.headers.items():
                out.setdefault(k.lower(), []).append(v)
            return out
        gh, hh = named(g), named(h)
        self.assertEqual(sorted(k for k in gh if k not in VOLATILE - {"set-cookie"}),
                         sorted(k for k in hh if k not in VOLATILE - {"set-cookie"}),
                         "HEAD %s and GET have different headers" % path)
        for k in gh:
            if k not in VOLATILE:
                self.assertEqual(gh[k], hh[k], "header %s differs, HEAD vs GET %s" % (k, path))
        if "content-length" in hh and "content-length" in gh:
            self.assertEqual(hh["content-length"], gh["content-length"],
                             "HEAD %s Content-Length" % path)

    def test_head(self):
        for path in ("/", "/articles/" + SUMMIT, "/healthz", "/tags/north-korea",
                     "/feed.atom"):
            with self.subTest(path=path):
                self.assertHeadLikeGet(path)

    def test_head_404(self):
        h = self.raw_request("HEAD", "/articles/no-such-article")
        self.assertEqual(h.status, 404)
        self.assertEqual(h.after_headers, b"")

    def assert405(self, method, path, body=None):
        r = self.request(method, path, body=body)
        self.assertStatus(r, 405, "%s %s" % (method, path))
        allow = r.header("Allow")
        self.assertIsNotNone(allow, "405 without Allow")
        methods = {m.strip().upper() for m in allow.split(",")}
        self.assertIn("GET", methods)
        self.assertIn("HEAD", methods)
        self.assertNotIn(method, methods)
        self.assertHtmlHeaders(r)
        self.assertNoLeak(r)
        return r

    def test_other_methods_are_405(self):
        self.assert405("DELETE", "/")
        self.assert405("PUT", "/articles/x", body=b"x")
        self.assert405("PUT", "/articles/" + SUMMIT, body=b"x")
        self.assert405("POST", "/", body={"a": "b"})
        self.assert405("PATCH", "/healthz", body=b"")
        self.assert405("DELETE", "/feed.atom")

    def test_concurrent_requests(self):
        paths = ["/", "/articles/" + SUMMIT, "/tags/city", "/search?q=zeppelin",
                 "/feed.atom", "/healthz", "/static/folio.css", "/articles/" + ZEPPELIN] * 5
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda p: (p, self.get(p)), paths))
        for path, r in results:
            self.assertStatus(r, 200, "GET %s (concurrent)" % path)
        bodies = {}
        for path, r in results:
            if path in ("/", "/feed.atom", "/tags/city"):
                bodies.setdefault(path, set()).add(r.body)
        for path, b in bodies.items():
            self.assertEqual(len(b), 1, "%s answered differently under concurrency" % path)

    # -- headers -------------------------------------------------------------------------

    def test_html_headers(self):
        for path in ("/", "/?page=1", "/articles/" + SUMMIT, "/tags/north-korea",
                     "/search?q=zeppelin", "/search"):
            with self.subTest(path=path):
                self.assertHtmlHeaders(self.get_ok(path))

    def test_error_pages_are_html_with_headers(self):
        for path in ("/articles/no-such-article", "/?page=0"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertGreaterEqual(r.status, 400)
                self.assertHtmlHeaders(r)
                self.assertTrue(r.html().find("body") or r.html().find("p"),
                                "error page without content")

    # -- caching --------------------------------------------------------------------------

    CACHED = ("/", "/articles/" + SUMMIT, "/tags/north-korea", "/feed.atom")

    def test_etag_and_last_modified(self):
        for path in self.CACHED:
            with self.subTest(path=path):
                r = self.get_ok(path)
                etag = r.header("ETag")
                self.assertTrue(etag, "no ETag on %s" % path)
                self.assertRegex(etag, r'^(W/)?"[^"]*"$')
                lm = r.header("Last-Modified")
                self.assertTrue(lm, "no Last-Modified on %s" % path)
                self.assertIsNotNone(email.utils.parsedate_to_datetime(lm))
                self.assertEqual(self.get_ok(path).header("ETag"), etag,
                                 "ETag of %s changes between two GETs" % path)

    def test_conditional_get(self):
        for path in self.CACHED:
            with self.subTest(path=path):
                r = self.get_ok(path)
                etag, lm = r.header("ETag"), r.header("Last-Modified")
                self.assertTrue(etag and lm, r.describe(0))
                c = self.raw_request("GET", path, {"If-None-Match": etag})
                self.assertEqual(c.status, 304, "If-None-Match: %s\n%s" % (etag, c.describe()))
                self.assertEqual(c.after_headers, b"", "304 with a body")
                c = self.raw_request("GET", path, {"If-None-Match": '"x", ' + etag})
                self.assertEqual(c.status, 304, "If-None-Match list\n" + c.describe())
                c = self.raw_request("GET", path, {"If-Modified-Since": lm})
                self.assertEqual(c.status, 304, "If-Modified-Since: %s\n%s" % (lm, c.describe()))
                self.assertEqual(c.after_headers, b"", "304 with a body")
                c = self.get(path, headers={"If-None-Match": '"not-the-etag"'})
                self.assertStatus(c, 200)
                self.assertTrue(c.body)
                # If-None-Match decides when present (RFC 9110 13.2.2).
                c = self.get(path, headers={"If-None-Match": '"not-the-etag"',
                                            "If-Modified-Since": lm})
                self.assertStatus(c, 200)
                c = self.get(path, headers={"If-Modified-Since":
                                            "Mon, 01 Jan 2001 00:00:00 GMT"})
                self.assertStatus(c, 200)

    # -- malformed requests ---------------------------------------------------------------

    def test_bad_percent_encoding_is_400(self):
        for target in ("/articles/%zz", "/articles/%", "/articles/%4", "/tags/%zz",
                       "/articles/%zz/comments.atom"):
            with self.subTest(target=target):
                r = self.raw_request("GET", target)
                self.assertEqual(r.status, 400, r.describe(500))

    def test_nul_in_path(self):
        r = self.raw_request("GET", "/articles/abc%00def")
        self.assertIn(r.status, (400, 404), r.describe(500))

    def test_overlong_url(self):
        for target in ("/articles/" + "a" * 20000, "/search?q=" + "a" * 20000):
            with self.subTest(target=target[:20]):
                r = self.raw_request("GET", target)
                self.assertIn(r.status, (400, 414), r.describe(500))
        self.assertStatus(self.get("/healthz"), 200)


class SearchStemmingTest(ReaderAssertions, harness.FolioTestCase):
    """English stemming (FTS5 porter over unicode61, sql/007; PostgreSQL's
    'english'), a prefix for the last word typed, and diacritics folded
    (unicode61's remove_diacritics; PostgreSQL's unaccent, sql/pg/018)."""

    ARTICLES = {
        "bridge-repairs": ("Harbour bridge reopens after two years of repairs",
                           "The old bridge carried its first cars at dawn."),
        "night-ferry": ("Night ferry back on the water",
                        "A ferry crosses the bay again after midnight."),
        "city-budget": ("Council passes the city budget",
                        "Councillors voted late; the budgets of three departments grew."),
        "quay-cafe": ("Café on the quay opens its doors",
                      "The crème brûlée is on the menu; a naive visitor asked for jam."),
    }

    @classmethod
    def make_fixtures(cls, tmpdir):
        paths = []
        for i, (slug, (title, body)) in enumerate(sorted(cls.ARTICLES.items())):
            p = os.path.join(tmpdir, slug + ".md")
            with open(p, "w", encoding="utf-8") as f:
                f.write("---\ntitle: %s\nslug: %s\ndate: 2026-02-%02dT12:00:00Z\n"
                        "status: published\n---\n%s\n" % (title, slug, i + 1, body))
            paths.append(p)
        return paths

    def found(self, q):
        r = self.get("/search?q=" + urllib.parse.quote(q, safe=""))
        self.assertStatus(r, 200)
        return sorted(set(harness.article_slugs_linked(self.server, r.html())))

    def test_word_forms_find_each_other(self):
        for q, want in (("repair", ["bridge-repairs"]), ("repairs", ["bridge-repairs"]),
                        ("repaired", ["bridge-repairs"]), ("bridges", ["bridge-repairs"]),
                        ("ferries", ["night-ferry"]), ("ferry", ["night-ferry"]),
                        ("budget", ["city-budget"]), ("budgets", ["city-budget"]),
                        ("Harbour BRIDGES", ["bridge-repairs"])):
            with self.subTest(q=q):
                self.assertEqual(self.found(q), want)

    def test_diacritics_do_not_matter(self):
        for q, want in (("cafe", ["quay-cafe"]), ("café", ["quay-cafe"]),
                        ("CAFÉ", ["quay-cafe"]), ("creme brulee", ["quay-cafe"]),
                        ("crème brûlée", ["quay-cafe"]), ("naïve", ["quay-cafe"]),
                        ("brûl", ["quay-cafe"]), ("caf", ["quay-cafe"]),
                        ("cafés", ["quay-cafe"])):
            with self.subTest(q=q):
                self.assertEqual(self.found(q), want)

    def test_the_last_word_is_a_prefix(self):
        for q, want in (("repai", ["bridge-repairs"]), ("fer", ["night-ferry"]),
                        ("bridge repai", ["bridge-repairs"]), ("counc", ["city-budget"]),
                        ("repai bridge", []), ("xyzzy", [])):
            with self.subTest(q=q):
                self.assertEqual(self.found(q), want)


class BasePathTest(ReaderAssertions, harness.FolioTestCase):
    """--base-path /news: the site lives under /news/ and every link says so."""
    base_path = "/news"

    def assertLinksUnderBase(self, path):
        r = self.get_ok(path)
        links = self.internal_links(self.server.path(path), r.html())
        self.assertTrue(links, "no internal links on %s" % path)
        for tag, attr, v, absu in links:
            p = urllib.parse.urlsplit(absu).path
            self.assertTrue(p.startswith("/news/") or p == "/news",
                            "<%s %s=%r> on /news%s leaves /news/" % (tag, attr, v, path))
        return r

    def test_index(self):
        self.assertListsExactly("/", PUBLISHED)
        self.assertLinksUnderBase("/")

    def test_article(self):
        r = self.assertLinksUnderBase("/articles/" + SUMMIT)
        doc = r.html()
        self.assertIn(FIX[SUMMIT]["title"], [h.norm_text() for h in doc.find_all("h1")])
        form = doc.find("form", id="commentform")
        self.assertIsNotNone(form)
        action = urllib.parse.urlsplit(self.resolve("/news/articles/" + SUMMIT,
                                                    form.get("action") or ""))
        self.assertEqual(action.path, "/news/articles/%s/comments" % SUMMIT)
        self.assertStatus(self.get("/articles/" + DRAFT), 404)

    def test_tag_and_search(self):
        self.assertListsExactly("/tags/north-korea", [SUMMIT])
        self.assertLinksUnderBase("/tags/north-korea")
        self.assertListsExactly("/search?q=zeppelin", [ZEPPELIN])
        self.assertLinksUnderBase("/search?q=zeppelin")

    def test_links_work(self):
        self.check_links_work("/")
        self.check_links_work("/articles/" + SUMMIT)

    def test_feed_links(self):
        root = self.parse_atom(self.get("/feed.atom"))
        entries = root.findall(ATOM + "entry")
        self.assertEqual(len(entries), len(PUBLISHED))
        for e, slug in zip(entries, PUBLISHED):
            self.assertEqual(urllib.parse.urlsplit(self.entry_link(e)).path,
                             "/news/articles/" + slug)

    def test_static_and_healthz(self):
        r = self.get("/static/folio.css")
        self.assertStatus(r, 200)
        self.assertEqual((r.header("Content-Type") or "").split(";")[0].strip(), "text/css")
        r = self.get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.body.strip(), b"ok")


class PagingTest(ReaderAssertions, harness.FolioTestCase):
    """23 published articles (and a newer draft): 20 a page."""
    COUNT = 23

    @classmethod
    def make_fixtures(cls, tmpdir):
        paths = []
        for i in range(1, cls.COUNT + 1):
            p = os.path.join(tmpdir, "bulk-%02d.md" % i)
            with open(p, "w") as f:
                f.write("---\ntitle: Bulk story number %d\nslug: bulk-%02d\n"
                        "date: 2026-01-%02dT12:00:00Z\ntags: Bulk\nstatus: published\n---\n"
                        "Story %d of the bulk set.\n" % (i, i, i, i))
            paths.append(p)
        p = os.path.join(tmpdir, "bulk-draft.md")
        with open(p, "w") as f:
            f.write("---\ntitle: Bulk draft\nslug: bulk-draft\ndate: 2026-02-01T12:00:00Z\n"
                    "tags: Bulk\nstatus: draft\n---\nDraft.\n")
        paths.append(p)
        return paths

    NEWEST = ["bulk-%02d" % i for i in range(23, 0, -1)]

    def test_first_page(self):
        r = self.assertListsExactly("/", self.NEWEST[:20])
        self.assertListsExactly("/?page=1", self.NEWEST[:20])
        nexts = [h for h, _ in r.html().links()
                 if urllib.parse.parse_qs(urllib.parse.urlsplit(
                     self.resolve("/", h)).query).get("page") == ["2"]]
        self.assertTrue(nexts, "page 1 has no link to page 2")
        self.assertEqual(urllib.parse.urlsplit(self.resolve("/", nexts[0])).path, "/")

    def test_second_page(self):
        r = self.assertListsExactly("/?page=2", self.NEWEST[20:])
        self.assertFalse([h for h, _ in r.html().links() if "page=3" in h],
                         "the last page links to a page 3")

    def test_tag_pages(self):
        r = self.assertListsExactly("/tags/bulk", self.NEWEST[:20])
        nexts = [h for h, _ in r.html().links()
                 if urllib.parse.parse_qs(urllib.parse.urlsplit(
                     self.resolve("/tags/bulk", h)).query).get("page") == ["2"]]
        self.assertTrue(nexts, "tag page 1 has no link to page 2")
        self.assertEqual(urllib.parse.urlsplit(self.resolve("/tags/bulk", nexts[0])).path,
                         "/tags/bulk")
        self.assertListsExactly("/tags/bulk?page=2", self.NEWEST[20:])

    def test_feed_has_20_newest(self):
        root = self.parse_atom(self.get("/feed.atom"))
        slugs = [urllib.parse.urlsplit(self.entry_link(e)).path.rsplit("/", 1)[-1]
                 for e in root.findall(ATOM + "entry")]
        self.assertEqual(slugs, self.NEWEST[:20])


class DemoSiteTest(ReaderAssertions, harness.FolioTestCase):
    """folio init --demo: a few articles shaped like a news page, with comments."""
    demo = True
    fixtures = []

    def articles(self):
        return harness.article_slugs_linked(self.server, self.get_ok("/").html())

    def test_front_page_lists_two_or_three(self):
        slugs = self.articles()
        self.assertGreaterEqual(len(slugs), 2)
        self.assertLessEqual(len(slugs), 3)

    def test_articles_shaped_like_news(self):
        slugs = self.articles()
        read_this = 0
        for slug in slugs:
            with self.subTest(slug=slug):
                r = self.get_ok("/articles/" + slug)
                self.assertHtmlHeaders(r)
                doc = r.html()
                self.assertTrue(doc.find("h1") and doc.find("h1").norm_text())
                self.assertTrue(doc.find_all("time", datetime=True))
                text = doc.norm_text()
                self.assertIn("Source:", text)
                tag_links = [h for h, _ in doc.links()
                             if (harness.site_path(self.server, h) or "").startswith("/tags/")]
                self.assertTrue(tag_links, "no tags on " + slug)
                if "Read This:" in text:
                    others = [s for s in harness.article_slugs_linked(self.server, doc)
                              if s != slug]
                    self.assertTrue(others, '"Read This:" without a link to another article')
                    read_this += 1
                self.check_links_work("/articles/" + slug)
        self.assertGreaterEqual(read_this, 1, 'no demo article has a "Read This:" link')

    def comment_elements(self, doc):
        section = doc.find("section", id="comments")
        self.assertIsNotNone(section)
        return [e for e in section.iter() if e.id and re.match(r"comment-\d+$", e.id)]

    def test_comments_nested_with_reply_links(self):
        nested = 0
        total = 0
        for slug in self.articles():
            doc = self.get_ok("/articles/" + slug).html()
            comments = self.comment_elements(doc)
            total += len(comments)
            for c in comments:
                cid = c.id.split("-", 1)[1]
                if any(a.id and re.match(r"comment-\d+$", a.id) for a in c.ancestors()):
                    nested += 1
                replies = []
                for h, _ in c.links():
                    u = urllib.parse.urlsplit(h)
                    if urllib.parse.parse_qs(u.query).get("replytocom") == [cid]:
                        replies.append(u)
                self.assertTrue(replies, "comment %s has no ?replytocom=%s link" % (cid, cid))
                self.assertEqual(replies[0].fragment, "respond")
            if comments:
                feed = self.parse_atom(self.get("/articles/%s/comments.atom" % slug))
                self.assertEqual(len(feed.findall(ATOM + "entry")), len(comments))
        self.assertGreater(total, 0, "the demo has no approved comments")
        self.assertGreater(nested, 0, "no demo comment is a reply nested in its parent")

    def test_reply_link_works_without_javascript(self):
        for slug in self.articles():
            doc = self.get_ok("/articles/" + slug).html()
            comments = self.comment_elements(doc)
            if not comments:
                continue
            cid = comments[0].id.split("-", 1)[1]
            r = self.get_ok("/articles/%s?replytocom=%s" % (slug, cid))
            form = r.html().find("form", id="commentform")
            self.assertIsNotNone(form)
            parent = [el for el in form.find_all("input") if el.get("name") == "comment_parent"]
            self.assertTrue(parent, "no comment_parent input")
            self.assertEqual(parent[0].get("value"), cid)
            return
        self.fail("no demo article with comments")


if __name__ == "__main__":
    unittest.main()


class ListChangesTest(ReaderAssertions, harness.FolioTestCase):
    """Unpublishing an article changes the lists without a newer article on
    them: their Last-Modified must move all the same, or a reader sending
    only If-Modified-Since would keep a list that still shows it."""

    LISTS = ("/", "/tags/city", "/feed.atom")

    def test_unpublishing_moves_last_modified_of_the_lists(self):
        before = {p: self.get_ok(p) for p in self.LISTS}
        for p, r in before.items():
            self.assertIn(ZEPPELIN, r.text, p)
        time.sleep(1.1)     # HTTP dates count whole seconds
        with open(os.path.join(harness.FIXTURES_DIR, ZEPPELIN + ".md"), encoding="utf-8") as f:
            text = f.read().replace("status: published", "status: draft")
        path = os.path.join(self.server.tmp, "unpublish.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r = harness.run_folio(["article", "import", path], db=self.server.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        for p, old in before.items():
            with self.subTest(path=p):
                c = self.get(p, headers={"If-Modified-Since": old.header("Last-Modified")})
                self.assertStatus(c, 200)
                self.assertNotIn(ZEPPELIN, c.text)
                self.assertNotEqual(c.header("Last-Modified"), old.header("Last-Modified"))
