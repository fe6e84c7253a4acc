/* comment_format: readers' comment text to HTML. */
#include "core/comment_format.h"

#include <string.h>
#include <strings.h>

#include "core/escape.h"

/* Length of an http(s) URL starting at s, or 0 when none starts there.
 * A URL ends at white space or at a character that cannot stand in one
 * unescaped; trailing punctuation belongs to the sentence, not the URL. */
static size_t url_length(const char *s, size_t len)
{
    size_t scheme;
    if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
        scheme = 8;
    else if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
        scheme = 7;
    else
        return 0;
    size_t n = scheme;
    while (n < len) {
        unsigned char c = (unsigned char)s[n];
        if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '\'' || c == '`' || c == 0x7f)
            break;
        n++;
    }
    while (n > scheme && strchr(".,;:!?)]}", s[n - 1]))
        n--;
    return n > scheme ? n : 0;
}

static bool starts_word(const char *text, size_t i)
{
    return i == 0 || !((text[i - 1] >= 'a' && text[i - 1] <= 'z') ||
                       (text[i - 1] >= 'A' && text[i - 1] <= 'Z'));
}

size_t comment_count_links(const char *text, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        size_t n = starts_word(text, i) ? url_length(text + i, len - i) : 0;
        if (n) {
            count++;
            i += n - 1;
        }
    }
    return count;
}

/* One paragraph's text: escaped, newlines as <br>, URLs as links. */
static void format_paragraph(struct buf *out, const char *text, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        size_t n = starts_word(text, i) ? url_length(text + i, len - i) : 0;
        if (n == 0 && text[i] != '\n')
            continue;
        esc_html_text(out, text + start, i - start);
        if (n) {
            buf_puts(out, "<a href=\"");
            esc_html_attr(out, text + i, n);
            buf_puts(out, "\" rel=\"nofollow ugc\">");
            esc_html_text(out, text + i, n);
            buf_puts(out, "</a>");
            i += n - 1;
        } else {
            buf_puts(out, "<br>");
        }
        start = i + 1;
    }
    esc_html_text(out, text + start, len - start);
}

void comment_format(struct buf *out, const char *text, size_t len)
{
    /* Work on a copy with \r\n and lone \r turned into \n. */
    struct buf norm = {0};
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r') {
            buf_putc(&norm, '\n');
            if (i + 1 < len && text[i + 1] == '\n')
                i++;
        } else {
            buf_putc(&norm, text[i]);
        }
    }
    const char *s = norm.data ? norm.data : "";
    size_t n = norm.len, i = 0;
    while (i < n) {
        while (i < n && (s[i] == '\n' || s[i] == ' ' || s[i] == '\t'))
            i++;    /* blank lines between paragraphs */
        if (i >= n)
            break;
        size_t end = i;
        while (end < n) {
            const char *nl = memchr(s + end, '\n', n - end);
            if (!nl) {
                end = n;
                break;
            }
            size_t j = (size_t)(nl - s) + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
            if (j >= n || s[j] == '\n') {
                end = (size_t)(nl - s);
                break;
            }
            end = (size_t)(nl - s) + 1;
        }
        size_t plen = end - i;
        while (plen && (s[i + plen - 1] == '\n' || s[i + plen - 1] == ' '))
            plen--;
        buf_puts(out, "<p>");
        format_paragraph(out, s + i, plen);
        buf_puts(out, "</p>");
        i = end;
    }
    buf_free(&norm);
}
