/* form: strict decoding of URLs, query strings, form bodies and cookies. */
#include "core/form.h"

#include <string.h>
#include <strings.h>

const char *form_error_message(enum form_error err)
{
    switch (err) {
    case FORM_OK: return "ok";
    case FORM_BAD_ENCODING: return "The request holds a malformed percent-encoding.";
    case FORM_BAD_UTF8: return "The request holds text that is not valid UTF-8.";
    case FORM_NUL_BYTE: return "The request holds a NUL byte.";
    case FORM_REPEATED: return "The request names the same field twice.";
    case FORM_TOO_MANY: return "The request holds too many fields.";
    case FORM_NO_MEMORY: return "The server is out of memory.";
    }
    return "The request is malformed.";
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long url_decode(const char *s, size_t len, char *out, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return (long)o;
}

bool utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned int cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n >= len - i)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* overlong forms, surrogates and values past U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += n + 1;
    }
    return true;
}

/* The length of the valid UTF-8 sequence at s[0..len), or, when it is not
 * one, the negated length of its maximal subpart (at least 1): the lead
 * byte and the continuation bytes that could still have followed it. One
 * U+FFFD replaces each maximal subpart, as the WHATWG decoder does. */
static long utf8_sequence(const unsigned char *s, size_t len)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return -1;
    /* The second byte's range rules out overlong forms, surrogates and
     * values past U+10FFFF. */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    size_t k = 1;
    for (; k <= need && k < len; k++) {
        if (s[k] < lo || s[k] > hi)
            break;
        lo = 0x80;
        hi = 0xBF;
    }
    return k == need + 1 ? (long)k : -(long)k;
}

/* s[0..len) with each invalid sequence as U+FFFD, NUL-terminated, in the
 * arena (at most three bytes out for each byte in). */
static char *utf8_repair(struct arena *a, const char *s, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    char *out = arena_alloc(a, len * 3 + 1);
    if (!out)
        return NULL;
    const unsigned char *in = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        long n = utf8_sequence(in + i, len - i);
        if (n > 0) {
            memcpy(out + o, in + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        } else {
            memcpy(out + o, replacement, 3);
            o += 3;
            i += (size_t)-n;
        }
    }
    out[o] = '\0';
    return out;
}

/* Decodes one name or value. With repair, text that is not UTF-8 is
 * repaired (*repaired set) instead of refused. */
static enum form_error decode_part(struct arena *a, const char *s, size_t len, bool repair,
                                   const char **out, bool *repaired)
{
    char *d = arena_alloc(a, len + 1);
    if (!d)
        return FORM_NO_MEMORY;
    long n = url_decode(s, len, d, true);
    if (n < 0)
        return FORM_BAD_ENCODING;
    if (memchr(d, '\0', (size_t)n))
        return FORM_NUL_BYTE;
    if (!utf8_valid(d, (size_t)n)) {
        if (!repair)
            return FORM_BAD_UTF8;
        d = utf8_repair(a, d, (size_t)n);
        if (!d)
            return FORM_NO_MEMORY;
        *repaired = true;
    }
    *out = d;
    return FORM_OK;
}

static enum form_error parse_fields(struct arena *a, const char *s, size_t len,
                                    struct form *out, const char *repeatable, bool repair);

enum form_error form_parse(struct arena *a, const char *s, size_t len, struct form *out)
{
    return parse_fields(a, s, len, out, NULL, false);
}

enum form_error form_parse_repairing(struct arena *a, const char *s, size_t len,
                                     struct form *out)
{
    return parse_fields(a, s, len, out, NULL, true);
}

_Static_assert(FORM_MAX_FIELDS <= 64, "one bit of form.repaired for each field");

bool form_repaired(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return (f->repaired >> i) & 1;
    return false;
}

enum form_error form_parse_multi(struct arena *a, const char *s, size_t len, struct form *out,
                                 const char *repeatable)
{
    return parse_fields(a, s, len, out, repeatable, false);
}

size_t form_get_all(const struct form *f, const char *name, const char **values, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count && n < max; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            values[n++] = f->fields[i].value;
    return n;
}

static enum form_error parse_fields(struct arena *a, const char *s, size_t len,
                                    struct form *out, const char *repeatable, bool repair)
{
    out->count = 0;
    out->repaired = 0;
    size_t i = 0;
    while (i < len) {
        const char *pair = s + i;
        const char *amp = memchr(pair, '&', len - i);
        size_t pair_len = amp ? (size_t)(amp - pair) : len - i;
        i += pair_len + 1;
        if (pair_len == 0)
            continue;
        const char *eq = memchr(pair, '=', pair_len);
        size_t name_len = eq ? (size_t)(eq - pair) : pair_len;
        const char *name, *value = "";
        bool name_repaired = false, repaired = false;
        enum form_error err = decode_part(a, pair, name_len, false, &name, &name_repaired);
        if (err == FORM_OK && eq)
            err = decode_part(a, eq + 1, pair_len - name_len - 1, repair, &value, &repaired);
        if (err != FORM_OK)
            return err;
        if ((!repeatable || strcmp(name, repeatable) != 0) && form_get(out, name))
            return FORM_REPEATED;
        if (out->count == FORM_MAX_FIELDS)
            return FORM_TOO_MANY;
        out->fields[out->count].name = name;
        out->fields[out->count].value = value;
        if (repaired)
            out->repaired |= UINT64_C(1) << out->count;
        out->count++;
    }
    return FORM_OK;
}

bool form_type_is_urlencoded(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    ct += sizeof want - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

const char *cookie_get(struct arena *a, const char *header, const char *name)
{
    if (!header)
        return NULL;
    size_t name_len = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *end = strchr(p, ';');
        size_t item_len = end ? (size_t)(end - p) : strlen(p);
        if (item_len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            const char *v = p + name_len + 1;
            size_t vlen = item_len - name_len - 1;
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            return arena_strndup(a, v, vlen);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return NULL;
}
