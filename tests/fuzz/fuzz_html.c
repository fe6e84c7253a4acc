/* fuzz_html: libFuzzer target for the HTML cleaner (html_clean.c). Aborts
 * when cleaned output holds a tag or attribute outside the allow-list, a
 * URL with another scheme, or when the text forms break their promises. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/html_clean.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {
    "p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sup", "sub",
    "small", "mark", "abbr", "blockquote", "q", "cite", "code", "pre", "kbd", "ul", "ol", "li",
    "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "img", "table",
    "caption", "thead", "tbody", "tfoot", "tr", "th", "td", NULL,
};
static const char *const attrs[] = {
    "href", "title", "src", "alt", "width", "height", "start", "colspan", "rowspan", NULL,
};

static bool listed(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && strncmp(*list, s, len) == 0)
            return true;
    return false;
}

static size_t name_len(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
        n++;
    return n;
}

/* The cleaner writes tags as <name attr="value"...>, values escaped; this
 * reads them back and checks each against the allow-list. */
static void check_markup(const char *html)
{
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *t = p + 1 + (p[1] == '/');
        size_t n = name_len(t);
        if (!listed(tags, t, n))
            abort();
        const char *q = t + n;
        while (*q == ' ') {
            size_t an = name_len(q + 1);
            if (!listed(attrs, q + 1, an) || q[1 + an] != '=' || q[2 + an] != '"')
                abort();
            const char *v = q + 3 + an, *end = strchr(v, '"');
            if (!end)
                abort();
            bool url = (an == 4 && strncmp(q + 1, "href", 4) == 0) ||
                       (an == 3 && strncmp(q + 1, "src", 3) == 0);
            size_t scheme = strcspn(v, ":/?#\"");
            if (url && v[scheme] == ':' && strncasecmp(v, "http:", 5) != 0 &&
                strncasecmp(v, "https:", 6) != 0 && strncasecmp(v, "mailto:", 7) != 0)
                abort();
            if (memchr(v, '<', (size_t)(end - v)) || memchr(v, '>', (size_t)(end - v)))
                abort();
            q = end + 1;
        }
        if (*q != '>')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct buf out = {0};
    if (html_clean_post(&out, s, size))
        check_markup(buf_cstr(&out));
    buf_free(&out);
    if (html_to_text(&out, s, size)) {
        const char *t = buf_cstr(&out);
        size_t n = strlen(t);
        if (n && (t[0] == '\n' || t[0] == ' ' || t[n - 1] == '\n' || t[n - 1] == ' ' ||
                  strstr(t, "\n\n\n")))
            abort();
    }
    buf_free(&out);
    if (html_to_line(&out, s, size) && strchr(buf_cstr(&out), '\n'))
        abort();
    buf_free(&out);
    return 0;
}
