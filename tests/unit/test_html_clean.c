/* Unit tests: the HTML cleaner (html_clean.c) and the WXR reader (wxr.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/html_clean.h"
#include "core/wxr.h"

static char *clean(const char *html)
{
    struct buf b = {0};
    CHECK(html_clean_post(&b, html, strlen(html)));
    char *s = strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static char *text(const char *html)
{
    struct buf b = {0};
    CHECK(html_to_text(&b, html, strlen(html)));
    char *s = strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

#define CLEAN(in, want)                                                                      \
    do {                                                                                     \
        char *got = clean(in);                                                               \
        CHECK_STR(got, want);                                                                \
        char *again = clean(got);  /* cleaning what was cleaned changes nothing */           \
        CHECK_STR(again, got);                                                               \
        free(again);                                                                         \
        free(got);                                                                           \
    } while (0)

#define TEXT(in, want)                                                                       \
    do {                                                                                     \
        char *got = text(in);                                                                \
        CHECK_STR(got, want);                                                                \
        free(got);                                                                           \
    } while (0)

static void allow_list(void)
{
    CLEAN("<p>a <strong>b</strong> <em>c</em></p>", "<p>a <strong>b</strong> <em>c</em></p>");
    CLEAN("<p onclick=\"x()\" style=\"color:red\" class=\"k\">a</p>", "<p>a</p>");
    CLEAN("<script>alert(1)</script><p>a</p>", "<p>a</p>");
    CLEAN("<style>p{}</style><iframe src=\"https://e.example/\"></iframe><p>a</p>", "<p>a</p>");
    CLEAN("<p><a href=\"javascript:alert(1)\">x</a></p>", "<p>x</p>");
    CLEAN("<p><a href=\" JAVA\tSCRIPT:alert(1)\">x</a></p>", "<p>x</p>");
    CLEAN("<p><a href=\"java&#x0A;script:alert(1)\">x</a></p>", "<p>x</p>");
    CLEAN("<p><a href=\"data:text/html,x\">x</a></p>", "<p>x</p>");
    CLEAN("<p><a href=\"https://e.example/?a=1&amp;b=2\" title='t\"'>x</a></p>",
          "<p><a href=\"https://e.example/?a=1&amp;b=2\" title=\"t&quot;\">x</a></p>");
    CLEAN("<p><a href=\"/local#frag\">x</a> <a href=\"mailto:a@b.example\">m</a></p>",
          "<p><a href=\"/local#frag\">x</a> <a href=\"mailto:a@b.example\">m</a></p>");
    CLEAN("<img src=\"https://e.example/i.jpg\" alt=\"A\" width=\"10\" height=\"x\" onerror=\"y\">",
          "<p><img src=\"https://e.example/i.jpg\" alt=\"A\" width=\"10\"></p>");
    CLEAN("<p><img src=\"/relative.jpg\"><img src=\"javascript:x\">ok</p>", "<p>ok</p>");
    CLEAN("<h1>Big</h1><h3>Small</h3>", "<h2>Big</h2>\n<h3>Small</h3>");
    CLEAN("<div><section><p>in</p></section></div><span>s</span>", "<p>in</p>\n<p>s</p>");
    CLEAN("<svg><a href=\"https://e.example/\">s</a></svg><math><mi>x</mi></math><p>a</p>",
          "<p>a</p>");
    CLEAN("<table><tr><td colspan=\"2\" rowspan=\"a\">c</td></tr></table>",
          "<table><tbody><tr><td colspan=\"2\">c</td></tr></tbody></table>");
    CLEAN("<p>1 &lt; 2 &amp; &quot;q&quot;</p>", "<p>1 &lt; 2 &amp; &quot;q&quot;</p>");
    CLEAN("<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->", "<p>a</p>");
    CLEAN("", "");
}

static void classic_editor(void)
{
    CLEAN("one\ntwo\n\nthree", "<p>one<br> two</p>\n<p>three</p>");
    CLEAN("<pre>a\n\nb</pre>\n\nafter", "<pre>a\n\nb</pre>\n<p>after</p>");
    CLEAN("[caption id=\"x\" width=\"3\"]<img src=\"https://e.example/i.jpg\" alt=\"i\"> Cap[/caption]",
          "<figure><img src=\"https://e.example/i.jpg\" alt=\"i\"><figcaption>Cap</figcaption></figure>");
    CLEAN("before [gallery ids=\"1,2\"] after [embed]https://v.example/1[/embed]",
          "<p>before  after https://v.example/1</p>");
    CLEAN("a footnote [1] and [sic] stay", "<p>a footnote [1] and [sic] stay</p>");
}

static void comments_as_text(void)
{
    TEXT("<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree");
    TEXT("plain\n\nparagraphs\nkept", "plain\n\nparagraphs\nkept");
    TEXT("see <a href=\"https://e.example/x\">this</a>", "see this (https://e.example/x)");
    TEXT("<a href=\"https://e.example/x\">https://e.example/x</a>", "https://e.example/x");
    TEXT("<a href=\"javascript:x\">js</a> &amp; <script>alert(1)</script>", "js &");
    TEXT("   ", "");
    struct buf b = {0};
    CHECK(html_to_line(&b, "<b>A</b>\n  title &amp; more", 27));
    CHECK_STR(buf_cstr(&b), "A title & more");
    buf_free(&b);
}

struct seen {
    int posts, comments;
    char site[64], content[64], ctext[64], tags[64];
};

static int on_site(void *ctx, const char *site)
{
    snprintf(((struct seen *)ctx)->site, 64, "%s", site);
    return 0;
}

static int on_post(void *ctx, const struct wxr_post *p)
{
    struct seen *s = ctx;
    s->posts++;
    snprintf(s->content, 64, "%s", p->content);
    snprintf(s->tags, 64, "%s", p->tags);
    return 0;
}

static int on_comment(void *ctx, const struct wxr_comment *c)
{
    struct seen *s = ctx;
    s->comments++;
    snprintf(s->ctext, 64, "%s", c->content);
    return 0;
}

static void wxr_reader(void)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"https://wordpress.org/export/1.2/\" "
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
        "<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://s.example</wp:base_site_url>"
        "<item><wp:post_id>1</wp:post_id><content:encoded><![CDATA[a ]]]]><![CDATA[> b]]></content:encoded>"
        "<category domain=\"category\" nicename=\"uncategorized\"><![CDATA[Uncategorized]]></category>"
        "<category domain=\"category\" nicename=\"x\"><![CDATA[X, Y]]></category>"
        "<category domain=\"post_tag\" nicename=\"x\"><![CDATA[X, Y]]></category>"
        "<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_content><![CDATA[c]]></wp:comment_content>"
        "<wp:commentmeta><wp:meta_key>k</wp:meta_key></wp:commentmeta></wp:comment>"
        "</item></channel></rss>";
    struct seen s = {0};
    struct wxr_handler h = { .ctx = &s, .site = on_site, .post = on_post, .comment = on_comment };
    char err[256];
    CHECK(wxr_read(NULL, doc, sizeof doc - 1, &h, err, sizeof err) == 0);
    CHECK(s.posts == 1 && s.comments == 1);
    CHECK_STR(s.site, "https://s.example");
    CHECK_STR(s.content, "a ]]> b");
    CHECK_STR(s.tags, "X  Y");
    CHECK_STR(s.ctext, "c");

    static const char bad[] = "<?xml version=\"1.0\"?>\n<rss>\n<channel>\n</chanel></rss>";
    memset(&s, 0, sizeof s);
    CHECK(wxr_read(NULL, bad, sizeof bad - 1, &h, err, sizeof err) == -1);
    CHECK(strncmp(err, "line 4:", 7) == 0);
    static const char v9[] = "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>"
                             "<wp:wxr_version>9.0</wp:wxr_version></channel></rss>";
    CHECK(wxr_read(NULL, v9, sizeof v9 - 1, &h, err, sizeof err) == -1);
    CHECK(strstr(err, "9.0") != NULL);
    int64_t t;
    CHECK(wxr_parse_date("2024-05-06 08:30:00", &t) && t == 1714984200);
    CHECK(!wxr_parse_date("0000-00-00 00:00:00", &t));
    CHECK(!wxr_parse_date("", &t));
}

int main(void)
{
    allow_list();
    classic_editor();
    comments_as_text();
    wxr_reader();
    return check_result("test_html_clean");
}
