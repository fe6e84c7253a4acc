/* form: strict decoding of URLs, query strings, form bodies and cookies. */
#ifndef FOLIO_FORM_H
#define FOLIO_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define FORM_MAX_FIELDS 64

struct kv {
    const char *name;
    const char *value;
};

struct form {
    struct kv fields[FORM_MAX_FIELDS];
    size_t count;
    uint64_t repaired;      /* form_parse_repairing: bit i, field i was not valid UTF-8 */
};

enum form_error {
    FORM_OK = 0,
    FORM_BAD_ENCODING,   /* a '%' not followed by two hex digits */
    FORM_BAD_UTF8,
    FORM_NUL_BYTE,
    FORM_REPEATED,       /* the same field twice */
    FORM_TOO_MANY,
    FORM_NO_MEMORY,
};

/* A sentence for the reader, for an error other than FORM_OK. */
const char *form_error_message(enum form_error err);

/* Percent-decodes s[0..len) into out (at least len + 1 bytes); with
 * plus_is_space, '+' becomes ' '. Returns the decoded length, or -1 on bad
 * encoding. The result is NUL-terminated but may hold NUL bytes. */
long url_decode(const char *s, size_t len, char *out, bool plus_is_space);

bool utf8_valid(const char *s, size_t len);

/* Parses application/x-www-form-urlencoded text (a body or a query). Every
 * name and value is decoded, valid UTF-8 without NUL; a repeated name is an
 * error. Strings live in the arena. */
enum form_error form_parse(struct arena *a, const char *s, size_t len, struct form *out);

/* As form_parse, but a value that is not valid UTF-8 is kept, each invalid
 * sequence (an overlong form, a surrogate, a stray byte) replaced by U+FFFD,
 * and its field marked in `repaired`: for a form shown again with the reader's
 * text. Names must still be valid. */
enum form_error form_parse_repairing(struct arena *a, const char *s, size_t len,
                                     struct form *out);
/* True when form_parse_repairing replaced something in the field. */
bool form_repaired(const struct form *f, const char *name);

/* As form_parse, but the field named `repeatable` may come more than once
 * (a list of checkboxes); any other repeated name is still an error. */
enum form_error form_parse_multi(struct arena *a, const char *s, size_t len, struct form *out,
                                 const char *repeatable);
/* The values of every field named `name`, in order, at most max; the count. */
size_t form_get_all(const struct form *f, const char *name, const char **values, size_t max);

/* True when a Content-Type header value is application/x-www-form-urlencoded,
 * with or without parameters (any case, spaces around it). */
bool form_type_is_urlencoded(const char *content_type);

/* The value of a field, or NULL (the first, when it repeats). */
const char *form_get(const struct form *f, const char *name);

/* The value of cookie `name` in a Cookie header, or NULL (arena string). */
const char *cookie_get(struct arena *a, const char *header, const char *name);

#endif
