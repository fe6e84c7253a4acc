/* text: small text utilities shared by handlers, the CLI, the store and the
 * front ends: slugs, dates, decimal numbers, excerpts, trimming. */
#ifndef FOLIO_TEXT_H
#define FOLIO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* Lower-case ASCII letters and digits; every run of other characters
 * becomes one hyphen; no hyphen at either end. ("North Korea" → "north-korea") */
char *slugify(struct arena *a, const char *s);
/* Like slugify, into a malloc'd string (for code without an arena). */
char *slugify_dup(const char *s);

/* A slug is 1-200 of [a-z0-9-], not starting or ending with '-'. */
bool slug_valid(const char *s);

/* "2026-03-14T08:30:00Z" */
void format_rfc3339(int64_t t, char *out, size_t outlen);
/* "14 March 2026" */
void format_human_date(int64_t t, char *out, size_t outlen);
/* Parses RFC 3339 ("2026-03-14T08:30:00Z", "...+02:00", fractions allowed)
 * or a plain date "2026-03-14". Returns false when it is not one. */
bool parse_rfc3339(const char *s, int64_t *out);

/* A plain-text excerpt of Markdown: the first paragraph, markup removed,
 * cut at a word boundary near max_chars. */
char *markdown_excerpt(struct arena *a, const char *markdown, size_t max_chars);

/* Copies s without leading and trailing white space into the arena. */
char *trim_copy(struct arena *a, const char *s);

/* Calls each(name, ctx) for every tag of a stored list ("a, b"): the items
 * between commas, trimmed of spaces, as NUL-terminated heap copies that
 * each may keep for the call only; empty items are skipped. Stops at the
 * first false from each, or when memory runs out, and returns false then. */
typedef bool (*tag_fn)(const char *name, void *ctx);
bool tags_each(const char *tags, tag_fn each, void *ctx);
/* The number of Unicode code points in valid UTF-8. */
size_t utf8_length(const char *s);
/* FNV-1a: a cheap, stable 64-bit hash (ETags, cache keys); not for secrets. */
uint64_t hash_fnv1a(const char *data, size_t len);

/* Room for any unsigned long long in decimal (20 digits). */
#define DECIMAL_MAX 20
/* n in decimal into out, without a NUL and without snprintf's cost (a
 * third of an access log line's, most of a response head's); returns the
 * number of digits. */
size_t format_decimal(unsigned long long n, char out[static DECIMAL_MAX]);

#endif
