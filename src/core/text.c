/* text: slugs, dates, decimal numbers, excerpts, trimming. */
#include "core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t slugify_into(char *out, const char *s)
{
    size_t o = 0;
    bool pending_hyphen = false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) && c < 0x80) {
            if (pending_hyphen && o > 0)
                out[o++] = '-';
            pending_hyphen = false;
            out[o++] = (char)tolower(c);
        } else {
            pending_hyphen = true;
        }
    }
    out[o] = '\0';
    return o;
}

char *slugify(struct arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) + 1);
    if (out)
        slugify_into(out, s);
    return out;
}

char *slugify_dup(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    if (out)
        slugify_into(out, s);
    return out;
}

bool slug_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 200 || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

void format_rfc3339(int64_t t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void format_human_date(int64_t t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outlen, "%-d %B %Y", &tm);
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool parse_rfc3339(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return false;
    const char *p = s + 10;
    long offset = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
            !digits(p + 7, 2, &sec))
            return false;
        p += 9;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
                om > 59)
                return false;
            offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
            p += 6;
        } else {
            return false;
        }
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1970)
        return false;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return false;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                     .tm_hour = h, .tm_min = mi, .tm_sec = sec > 59 ? 59 : sec };
    *out = (int64_t)timegm(&tm) - offset;
    return true;
}

/* Drops Markdown punctuation that would read oddly in plain text, and the
 * targets of links: "[text](url)" becomes "text". */
static void strip_markup(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == ']' && p[1] == '(') {
            char *close = strchr(p, ')');
            if (close) {
                p = close;
                continue;
            }
        }
        if (strchr("*_#>`[]", *p))
            continue;
        *o++ = (*p == '\n' || *p == '\t') ? ' ' : *p;
    }
    *o = '\0';
}

char *markdown_excerpt(struct arena *a, const char *md, size_t max_chars)
{
    while (*md == '\n' || *md == '\r' || *md == ' ')
        md++;
    const char *end = strstr(md, "\n\n");
    size_t len = end ? (size_t)(end - md) : strlen(md);
    char *s = arena_strndup(a, md, len);
    if (!s)
        return NULL;
    strip_markup(s);
    len = strlen(s);
    if (len <= max_chars)
        return s;
    size_t cut = max_chars;
    while (cut > max_chars / 2 && s[cut] != ' ')
        cut--;
    /* never cut inside a UTF-8 sequence */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return arena_printf(a, "%.*s\xe2\x80\xa6", (int)cut, s);
}

char *trim_copy(struct arena *a, const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    return arena_strndup(a, s, len);
}

bool tags_each(const char *tags, tag_fn each, void *ctx)
{
    for (const char *p = tags ? tags : ""; *p;) {
        size_t len = strcspn(p, ",");
        size_t start = 0, end = len;
        while (start < end && p[start] == ' ')
            start++;
        while (end > start && p[end - 1] == ' ')
            end--;
        if (end > start) {
            char *name = strndup(p + start, end - start);
            bool go_on = name && each(name, ctx);
            free(name);
            if (!go_on)
                return false;
        }
        p += len + (p[len] == ',');
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

uint64_t hash_fnv1a(const char *data, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
    return h;
}

size_t format_decimal(unsigned long long n, char out[static DECIMAL_MAX])
{
    size_t len = 1;
    for (unsigned long long rest = n / 10; rest > 0; rest /= 10)
        len++;
    for (size_t at = len; at > 0; n /= 10)
        out[--at] = (char)('0' + n % 10);
    return len;
}
