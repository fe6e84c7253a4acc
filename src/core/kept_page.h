/* kept_page: a rendered response kept in memory to be served again: its
 * content type, headers and body in one block. Once made it is never
 * written to, so a front end can send its body from where it is, without a
 * copy, while other threads serve it too or the cache moves on to a newer
 * page. The cache that keeps it and every response being sent from it each
 * hold it; the last to let go frees it. */
#ifndef FOLIO_KEPT_PAGE_H
#define FOLIO_KEPT_PAGE_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/http.h"

struct kept_page {
    atomic_uint holders;
    const char *content_type;
    size_t header_count;
    const char *names[RESP_MAX_HEADERS], *values[RESP_MAX_HEADERS];
    char *body;         /* written only by its maker, before anyone else holds it */
    size_t body_len;
    size_t bytes;       /* the whole block */
    char text[];        /* the body, then the strings */
};

/* A page of resp's content type (text/html when none), headers and body,
 * held once by the caller; NULL when out of memory. */
struct kept_page *kept_page_make(const struct response *resp);
/* A copy of p held once by the caller, whose body the caller may change
 * before it lets anyone else hold it; NULL when out of memory. */
struct kept_page *kept_page_copy(const struct kept_page *p);
/* One more holder; returns p. */
struct kept_page *kept_page_hold(struct kept_page *p);
/* One holder fewer: the last frees it. NULL is nothing. */
void kept_page_release(struct kept_page *p);

#endif
