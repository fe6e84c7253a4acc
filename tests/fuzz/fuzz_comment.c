/* fuzz_comment: libFuzzer target for the comment text formatter and the
 * comment form's validators and key lists. Aborts when the formatter's
 * output holds markup other than its own <p>, <br> and <a href> links. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/comment_format.h"
#include "core/validate.h"
#include "core/wordlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* An <a> the formatter writes: href="http(s)://..." with no quote inside,
 * then its own rel. Returns the length of the opening tag, or 0. */
static size_t link_tag(const char *s)
{
    static const char rel[] = "\" rel=\"nofollow ugc\">";
    if (!starts(s, "<a href=\""))
        return 0;
    const char *v = s + 9;
    if (strncasecmp(v, "http://", 7) != 0 && strncasecmp(v, "https://", 8) != 0)
        return 0;
    const char *q = strchr(v, '"');
    if (!q || !starts(q, rel) || memchr(v, '<', (size_t)(q - v)) || memchr(v, '>', (size_t)(q - v)))
        return 0;
    return (size_t)(q - s) + sizeof rel - 1;
}

/* The length of the formatter's own tag at s, or 0. */
static size_t own_tag(const char *s)
{
    static const char *const own[] = { "<p>", "</p>", "<br>", "</a>" };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (starts(s, own[i]))
            return strlen(own[i]);
    return link_tag(s);
}

/* Outside the formatter's own tags no byte of markup may stand raw. */
static void check_markup(const char *html)
{
    for (const char *p = html; *p;) {
        if (*p == '>' || *p == '"' || *p == '\'' || *p == '`')
            abort();
        size_t n = *p == '<' ? own_tag(p) : 1;
        if (n == 0)
            abort();
        p += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct buf out = {0};
    comment_format(&out, s, size);
    (void)comment_count_links(s, size);
    if (!out.failed && memchr(s, '\0', size) == NULL)
        check_markup(buf_cstr(&out));
    buf_free(&out);
    char *z = malloc(size + 1);
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    (void)email_valid(z);
    if (http_url_valid(z) && strncasecmp(z, "http", 4) != 0)
        abort();
    (void)text_is_clean(z, true);
    size_t half = size / 2;
    struct word_list *keys = word_list_parse(z, half);
    (void)word_list_match(keys, z + half);
    word_list_free(keys);
    free(z);
    return 0;
}
