/* page_cache: rendered public pages (articles, the front page, tag pages)
 * kept in memory and served again to readers without cookies of folio's,
 * never stale: every copy remembers the version number of what it shows (the
 * article's `version`, or the site's for lists, both kept in the database
 * and so also changed by other processes) and is served only while one
 * indexed lookup still finds that number. The article page's form token,
 * which changes every second, is put in fresh on each serve. The pages decide
 * what is kept and for whom (page_cache.c); core/response_cache.c keeps it. */
#ifndef FOLIO_PAGE_CACHE_H
#define FOLIO_PAGE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/handler.h"

/* What a handler got from page_cache_lookup, to give back to page_cache_store. */
struct page_slot {
    bool usable;            /* the request may be served from, and stored in, the cache */
    const char *key;
    int64_t version;        /* of what the page shows, read before rendering */
    uint64_t epoch;         /* the cache's epoch, read before the version */
    int64_t article_id;     /* article pages: whose form token the page carries */
};

/* The article page at /articles/{slug} with page `page` of its comments
 * (each page its own entry, all with the article's version): true when
 * c->resp was filled from the cache (the handler returns 200). Otherwise
 * fills *slot for the store. */
bool page_cache_article(struct ctx *c, const char *slug, int64_t page, struct page_slot *slot);
/* A list page (/, /tags/{tag}, with ?page=N): the same. */
bool page_cache_list(struct ctx *c, struct page_slot *slot);
/* Keeps the response the handler just rendered, when it may be shared.
 * Also sets the ETag a list page is served with, cached or not. */
void page_cache_store(struct ctx *c, const struct page_slot *slot, int status);

#endif
