/* json: small helpers over jansson for the API's answers. */
#ifndef FOLIO_JSON_H
#define FOLIO_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* {"error": message} into out. */
void json_error_body(struct buf *out, const char *message);
/* {"error": message, "field": field} into out (field NULL: no "field"). */
void json_error_field_body(struct buf *out, const char *message, const char *field);

/* Appends v as compact JSON and a newline; false when that failed. */
bool json_write(struct buf *out, const json_t *v);

/* A new string holding t as RFC 3339 in UTC ("2026-03-14T08:30:00Z"). */
json_t *json_time(int64_t t);
/* A new string; "" for NULL. Invalid UTF-8 (never stored by folio, but a
 * database edited by hand may hold it) becomes NULL, so callers see a failure
 * instead of a crash. */
json_t *json_text(const char *s);

/* Sets obj[key] = value, taking the reference; a NULL obj or value (a failed
 * allocation) makes *ok false, so many calls can be checked once. */
void json_put(json_t *obj, const char *key, json_t *value, bool *ok);

enum json_parse {
    JSON_PARSED = 0,
    JSON_MALFORMED,         /* not JSON (or duplicate keys, or too deep) */
    JSON_NOT_OBJECT,        /* JSON, but not an object at the top */
};

/* Parses a request body that must be one JSON object. Duplicate keys,
 * NUL characters and invalid UTF-8 are refused. On failure *out is NULL
 * and err (when not NULL) holds jansson's reason. */
enum json_parse json_parse_object(const char *data, size_t len, json_t **out, char *err,
                                  size_t errlen);

#endif
