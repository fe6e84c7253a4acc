/* response_cache: rendered responses kept in memory under a key, each with
 * the version number of what it shows, served again only while the caller
 * says that version is still current. It knows nothing of what the pages
 * are: which requests may share an answer, how keys and versions are made
 * and which part of a body changes every second belong to the pages that
 * use it (pages/page_cache.c).
 *
 * Epochs spare the version lookups: the caller hands in a number that every
 * change of the data moves on (the store's change generation), and an entry
 * found current during one epoch is served without asking again until the
 * number moves. */
#ifndef FOLIO_RESPONSE_CACHE_H
#define FOLIO_RESPONSE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/handler.h"

#define RESPONSE_CACHE_FRESH_MAX 128

/* False when FOLIO_PAGE_CACHE=0 (or off) in the environment: nothing is
 * served or kept (the benchmark measures the queries that way). */
bool response_cache_enabled(void);

/* A part of a kept body that is made anew for each second it is served in
 * (the comment form's token): `make` returns the value for `owner` at
 * `now`, always of the same length, or NULL. */
typedef const char *(*fresh_part_fn)(struct ctx *c, int64_t owner, time_t now);
struct fresh_part {
    size_t off, len;        /* where it is in the body; len 0: none */
    int64_t owner;          /* handed to make */
    int64_t second;         /* when the value in the body was made */
    fresh_part_fn make;
};

/* Fills c->resp from the entry under key when it is current: with `fast`,
 * when it was found current in `epoch` (nonzero) already; otherwise when
 * its version is `version`, which then marks it current in `epoch`. False
 * leaves c->resp as it was. */
bool response_cache_serve(struct ctx *c, const char *key, int64_t version, uint64_t epoch,
                          bool fast);

/* Keeps c->resp (a 200 with a body, no Set-Cookie, no Cache-Control of its
 * own, at most 512 KiB) under key until `valid_until`, with `fresh` (NULL
 * when the body has no part that changes). Replaces an older entry under
 * the same key and evicts the least recently served ones to stay within
 * 1,000 entries and 8 MiB. */
void response_cache_keep(struct ctx *c, const char *key, int64_t version, uint64_t epoch,
                         time_t valid_until, const struct fresh_part *fresh);

#endif
