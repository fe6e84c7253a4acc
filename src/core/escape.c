/* escape: output escaping by context. */
#include "core/escape.h"

#include <string.h>

/* One table serves text and attributes: escaping the quotes and the backtick
 * in text is harmless, and it makes the two impossible to mix up badly. */
static const char *html_entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '`': return "&#96;";
    default: return NULL;
    }
}

static void esc_html(struct buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *ent = html_entity((unsigned char)s[i]);
        if (!ent)
            continue;
        buf_append(out, s + start, i - start);
        buf_puts(out, ent);
        start = i + 1;
    }
    buf_append(out, s + start, len - start);
}

void esc_html_text(struct buf *out, const char *s, size_t len)
{
    esc_html(out, s, len);
}

void esc_html_attr(struct buf *out, const char *s, size_t len)
{
    esc_html(out, s, len);
}

void esc_xml_text(struct buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            esc_html(out, s + start, i - start);
            start = i + 1;
        }
    }
    esc_html(out, s + start, len - start);
}

static void esc_url(struct buf *out, const char *s, size_t len, const char *also)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
            (c && strchr(also, c))) {
            buf_putc(out, (char)c);
        } else {
            char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
            buf_append(out, enc, 3);
        }
    }
}

void esc_url_component(struct buf *out, const char *s, size_t len)
{
    esc_url(out, s, len, "");
}

void esc_url_query_value(struct buf *out, const char *s, size_t len)
{
    esc_url(out, s, len, "/:");
}

void esc_json_script(struct buf *out, const char *json, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)json[i];
        const char *esc = c == '<' ? "\\u003c" : c == '>' ? "\\u003e"
                        : c == '&' ? "\\u0026" : NULL;
        size_t skip = 1;
        /* U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8 */
        if (!esc && c == 0xE2 && i + 2 < len && (unsigned char)json[i + 1] == 0x80) {
            unsigned char last = (unsigned char)json[i + 2];
            esc = last == 0xA8 ? "\\u2028" : last == 0xA9 ? "\\u2029" : NULL;
            skip = 3;
        }
        if (!esc)
            continue;
        buf_append(out, json + start, i - start);
        buf_puts(out, esc);
        start = i + skip;
        i += skip - 1;
    }
    buf_append(out, json + start, len - start);
}
