#!/usr/bin/env python3
"""gen_wxr.py: writes a WordPress export (WXR 1.2) of about SIZE bytes, for
timing `folio import wordpress` and watching its memory on a large file.

    bench/gen_wxr.py OUT.xml [SIZE]      SIZE like 1G, 200M, 50000000; default 1G

The posts alternate block-editor and classic-editor bodies (paragraphs,
headings, lists, links, an image, a caption shortcode, now and then a
hostile script or event attribute); each has 0-12 comments in every status,
some of them replies, and now and then a pingback. Deterministic (seeded)."""

import random
import sys

WORDS = ("harbour ferry council repairs storm pier wall boat market tide crane fog "
         "morning evening timetable summer winter north south lifeboat appeal crew "
         "quay gulls weather report week year people town paper news street bridge").split()


def size_arg(s):
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    return int(float(s[:-1]) * units[s[-1].upper()]) if s[-1].upper() in units else int(s)


def sentence(rng, n=None):
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(6, 18))]
    return " ".join(words).capitalize() + "."


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def block_body(rng, pid):
    parts = []
    for i in range(rng.randint(3, 8)):
        parts.append("<!-- wp:paragraph -->\n<p>%s <strong>%s</strong> %s</p>\n<!-- /wp:paragraph -->"
                     % (sentence(rng), rng.choice(WORDS), sentence(rng)))
        if i == 1:
            parts.append('<!-- wp:heading -->\n<h2 class="wp-block-heading">%s</h2>\n<!-- /wp:heading -->'
                         % sentence(rng, 4))
        if i == 2:
            parts.append('<!-- wp:image {"id":%d} -->\n<figure class="wp-block-image"><img src="https://bench.example/wp-content/uploads/%d.jpg" alt="%s"/></figure>\n<!-- /wp:image -->'
                         % (pid, pid, rng.choice(WORDS)))
    if pid % 97 == 0:
        parts.append("<p onclick=\"alert(1)\">x<script>alert(2)</script></p>")
    return "\n\n".join(parts)


def classic_body(rng, pid):
    paras = [sentence(rng) + "\n" + sentence(rng) for _ in range(rng.randint(3, 8))]
    paras.insert(1, '[caption id="attachment_%d" width="300"]<img src="https://bench.example/%d.jpg" alt="a" /> %s[/caption]'
                 % (pid, pid, sentence(rng, 5)))
    paras.append("<ul>\n<li>%s</li>\n<li><a href=\"https://bench.example/%d\">%s</a></li>\n</ul>"
                 % (sentence(rng, 5), pid, rng.choice(WORDS)))
    return "\n\n".join(paras)


STATUSES = ["1"] * 12 + ["0", "0", "spam", "trash", "post-trashed"]


def comment(rng, cid, parent, ctype=""):
    return """		<wp:comment>
			<wp:comment_id>%d</wp:comment_id>
			<wp:comment_author>%s</wp:comment_author>
			<wp:comment_author_email>reader%d@bench.example</wp:comment_author_email>
			<wp:comment_author_url>https://reader%d.example/</wp:comment_author_url>
			<wp:comment_author_IP>192.0.2.%d</wp:comment_author_IP>
			<wp:comment_date>2024-0%d-1%d 1%d:%02d:00</wp:comment_date>
			<wp:comment_date_gmt>2024-0%d-1%d 0%d:%02d:00</wp:comment_date_gmt>
			<wp:comment_content>%s</wp:comment_content>
			<wp:comment_approved>%s</wp:comment_approved>
			<wp:comment_type>%s</wp:comment_type>
			<wp:comment_parent>%d</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>
""" % (cid, cdata("Reader %d" % (cid % 5000)), cid % 5000, cid % 5000, cid % 250,
       1 + cid % 9, cid % 10, cid % 10, cid % 60, 1 + cid % 9, cid % 10, cid % 10, cid % 60,
       cdata(sentence(rng) + "\n\n" + sentence(rng) + " <a href=\"https://x.example/\">link</a>"),
       cdata(rng.choice(STATUSES)), cdata(ctype), parent)


def item(rng, pid, cid):
    body = block_body(rng, pid) if pid % 2 else classic_body(rng, pid)
    out = ["""	<item>
		<title>%s</title>
		<link>https://bench.example/2024/%02d/post-%d/</link>
		<dc:creator>%s</dc:creator>
		<content:encoded>%s</content:encoded>
		<wp:post_id>%d</wp:post_id>
		<wp:post_date>2024-%02d-%02d 10:00:00</wp:post_date>
		<wp:post_date_gmt>2024-%02d-%02d 09:00:00</wp:post_date_gmt>
		<wp:comment_status>%s</wp:comment_status>
		<wp:post_name>post-%d</wp:post_name>
		<wp:status>%s</wp:status>
		<wp:post_type>post</wp:post_type>
		<category domain="category" nicename="c%d"><![CDATA[Section %d]]></category>
		<category domain="post_tag" nicename="%s"><![CDATA[%s]]></category>
""" % (cdata(sentence(rng, 7)), 1 + pid % 12, pid, cdata("author%d" % (pid % 7)), cdata(body),
       pid, 1 + pid % 12, 1 + pid % 28, 1 + pid % 12, 1 + pid % 28,
       cdata("closed" if pid % 11 == 0 else "open"), pid,
       cdata("draft" if pid % 23 == 0 else "publish"), pid % 9, pid % 9,
       WORDS[pid % len(WORDS)], WORDS[pid % len(WORDS)])]
    first = cid
    for k in range(rng.randint(0, 12)):
        parent = rng.choice([0, 0, 0, first + rng.randint(0, max(0, k - 1))]) if k else 0
        out.append(comment(rng, cid, parent if parent != cid else 0,
                           "pingback" if k == 5 else "comment"))
        cid += 1
    out.append("\t</item>\n")
    return "".join(out), cid


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    target = size_arg(sys.argv[2]) if len(sys.argv) > 2 else 10**9
    rng = random.Random(20240506)
    written = 0
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        head = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Bench</title>
	<link>https://bench.example</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://bench.example</wp:base_site_url>
"""
        f.write(head)
        written += len(head)
        pid, cid = 1, 1
        while written < target:
            text, cid = item(rng, pid, cid)
            f.write(text)
            written += len(text)
            pid += 1
        f.write("</channel>\n</rss>\n")
    print("%s: %d posts, %d comments, %d bytes" % (sys.argv[1], pid - 1, cid - 1, written))


if __name__ == "__main__":
    main()
