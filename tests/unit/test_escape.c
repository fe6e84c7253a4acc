/* Unit tests: escaping by context, and the comment formatter. */
#include "check.h"
#include "core/comment_format.h"
#include "core/escape.h"

static const char *text(void (*fn)(struct buf *, const char *, size_t), const char *in,
                        struct buf *b)
{
    buf_reset(b);
    fn(b, in, strlen(in));
    return buf_cstr(b);
}

static const char *formatted(const char *in, struct buf *b)
{
    buf_reset(b);
    comment_format(b, in, strlen(in));
    return buf_cstr(b);
}

int main(void)
{
    struct buf b = {0};
    CHECK_STR(text(esc_html_text, "<a href=\"x\">&'`</a>", &b),
              "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&#96;&lt;/a&gt;");
    CHECK_STR(text(esc_html_attr, "\" onmouseover='x'", &b),
              "&quot; onmouseover=&#39;x&#39;");
    CHECK_STR(text(esc_xml_text, "a\x01" "b\tc\n<d>\x1f", &b), "ab\tc\n&lt;d&gt;");
    CHECK_STR(text(esc_url_component, "a b&c=d/é~", &b), "a%20b%26c%3Dd%2F%C3%A9~");
    CHECK_STR(text(esc_url_query_value, "https://x.example/a b?c=d&e#f/é~:", &b),
              "https://x.example/a%20b%3Fc%3Dd%26e%23f/%C3%A9~:");
    /* U+2028, U+2029 escaped; U+2026 (E2 80 A6) kept */
    CHECK_STR(text(esc_json_script,
                   "{\"t\":\"</script><!--&\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa6\"}", &b),
              "{\"t\":\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029"
              "\xe2\x80\xa6\"}");

    CHECK_STR(formatted("hello", &b), "<p>hello</p>");
    CHECK_STR(formatted("one\ntwo\n\nthree", &b), "<p>one<br>two</p><p>three</p>");
    CHECK_STR(formatted("a\r\nb", &b), "<p>a<br>b</p>");
    CHECK_STR(formatted("<script>alert(1)</script>", &b),
              "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    CHECK_STR(formatted("see https://example.com/a?b=1&c=2.", &b),
              "<p>see <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc\">https://example.com/a?b=1&amp;c=2</a>.</p>");
    CHECK_STR(formatted("javascript:alert(1) http://x\"onmouseover=1", &b),
              "<p>javascript:alert(1) <a href=\"http://x\" rel=\"nofollow ugc\">"
              "http://x</a>&quot;onmouseover=1</p>");
    CHECK_STR(formatted("xhttp://not.a.link", &b), "<p>xhttp://not.a.link</p>");
    CHECK_STR(formatted("\n\n  \n", &b), "");
    CHECK(comment_count_links("a http://x.y b https://z.w c http://", 36) == 2);
    CHECK(comment_count_links("no links", 8) == 0);
    buf_free(&b);
    return check_result("test_escape");
}
