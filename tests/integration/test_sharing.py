"""What other sites and machines read from folio (CONTRACT.md, "Comment
pages, sharing, feeds for machines"): the canonical link, Open Graph,
Twitter card and JSON-LD NewsArticle of an article page, with every value
escaped for where it stands, against a real folio on either front.
"""

import json
import os
import re
import unittest

import harness

NASTY = "nasty-title"
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
        return [path]

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
        self.assertEqual(self.meta(doc, "twitter:title"), [NASTY_TITLE])

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
        self.assertEqual(ld["mainEntityOfPage"], BASE_URL + "/articles/" + NASTY)

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


if __name__ == "__main__":
    unittest.main()
