/* kept_page: a rendered response kept in memory to be served again: its
 * content type, headers and body in one block. Once made it is never
 * written to, so a front end can send its body from where it is, without a
 * copy, while other threads serve it too or the cache moves on to a newer
 * page. The cache that keeps it and every response being sent from it each
 * hold it; the last to let go frees it. */
#ifndef FOLIO_KEPT_PAGE_H
#define FOLIO_KEPT_PAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/http.h"

struct kept_page {
    atomic_uint holders;
    /* A front end's own form of the page, made from it on first use (folio
     * serve: a response object with its headers, sent again and again) and
     * freed with it: the one member set after the page is shared, once,
     * by kept_page_attach. */
    _Atomic(void *) front;
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
/* One holder fewer: the last frees it (and its front object, through the
 * function given to kept_page_front_free). NULL is nothing. */
void kept_page_release(struct kept_page *p);

/* The front object attached to p, or NULL. */
void *kept_page_front(struct kept_page *p);
/* Attaches obj to p unless another thread attached one first: true when
 * obj is now p's (freed with it), false when the caller keeps obj. */
bool kept_page_attach(struct kept_page *p, void *obj);
/* How front objects are freed; set once, before any is attached. */
void kept_page_front_free(void (*fn)(void *obj));

#endif
