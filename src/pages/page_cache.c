/* page_cache: the readers' pages kept in memory (core/response_cache.c),
 * with what only the pages know: which requests may share an answer, the
 * keys, the versions the store keeps, the form token that changes every
 * second, and the footer's year. */
#define _GNU_SOURCE     /* memmem, timegm */
#include "pages/page_cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/response_cache.h"
#include "core/signed.h"
#include "core/text.h"
#include "store/store.h"

#define TOKEN_MAX RESPONSE_CACHE_FRESH_MAX

/* A request everyone may share the answer to: GET or HEAD, and no cookie
 * that makes the page the reader's own (pending comments, saved details)
 * or an editor's. */
static bool shareable(struct ctx *c)
{
    if (!response_cache_enabled())
        return false;
    const char *m = c->req->method;
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
        return false;
    const char *cookie = req_header(c->req, "cookie");
    return !cookie || (!strstr(cookie, "folio_pending") && !strstr(cookie, "comment_author") &&
                       !strstr(cookie, "folio_session"));
}

/* "" or "page=N": the only queries list pages are kept for, so that
 * made-up queries cannot fill the cache. */
static bool plain_page_query(const char *q)
{
    if (!*q)
        return true;
    if (strncmp(q, "page=", 5) != 0 || q[5] < '1' || q[5] > '9')
        return false;
    size_t n = strspn(q + 5, "0123456789");
    return n <= 6 && q[5 + n] == '\0';
}

/* The key: everything a shareable page's bytes depend on besides the
 * database. Links are made from --base-url, or from the scheme and the Host
 * header (see absolute_url), so those are part of it, as given. */
static const char *make_key(struct ctx *c, char kind, const char *path, const char *query)
{
    const char *host = c->app->cfg.base_url[0] ? "" : req_header(c->req, "host");
    const char *parts[] = { host ? host : "", path, query };
    size_t len = 4;
    for (size_t i = 0; i < 3; i++)
        len += strlen(parts[i]) + 1;
    char *key = arena_alloc(c->arena, len);
    if (!key)
        return NULL;
    char *p = key;
    *p++ = kind;
    *p++ = c->req->https ? 's' : 'h';
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]);
        *p++ = '\n';
        memcpy(p, parts[i], n);
        p += n;
    }
    *p = '\0';
    return key;
}

/* The comment form's token for an article at a given second. */
static const char *fresh_token(struct ctx *c, int64_t article_id, time_t now)
{
    return form_token_make(c->arena, c->app->secret, article_id, now);
}

bool page_cache_article(struct ctx *c, const char *slug, int64_t page, struct page_slot *slot)
{
    memset(slot, 0, sizeof *slot);
    if (!shareable(c) || c->req->query[0])
        return false;
    const char *which = page > 1 ? arena_printf(c->arena, "comment-page-%lld", (long long)page)
                                 : "";
    slot->key = which ? make_key(c, 'A', slug, which) : NULL;
    if (!slot->key)
        return false;
    /* The epoch (the store's change generation; 0 when it cannot tell, and
     * every serve then asks for the version) is read before the version: a
     * commit in between moves it on, so the entry is asked about again. */
    slot->epoch = store_generation(c->store);
    if (response_cache_serve(c, slot->key, 0, slot->epoch, true))
        return true;
    int64_t id, version;
    if (store_article_version(c->store, slug, &id, &version) != STORE_OK)
        return false;   /* unknown, a draft, or an error: the handler says which */
    slot->version = version;
    slot->article_id = id;
    slot->usable = true;
    return response_cache_serve(c, slot->key, slot->version, slot->epoch, false);
}

bool page_cache_list(struct ctx *c, struct page_slot *slot)
{
    memset(slot, 0, sizeof *slot);
    if (!shareable(c) || !plain_page_query(c->req->query))
        return false;
    slot->key = make_key(c, 'L', c->req->path, c->req->query);
    if (!slot->key)
        return false;
    slot->epoch = store_generation(c->store);
    if (response_cache_serve(c, slot->key, 0, slot->epoch, true))
        return true;
    int64_t version;
    if (store_site_version(c->store, &version) != STORE_OK)
        return false;
    slot->version = version;
    slot->usable = true;
    return response_cache_serve(c, slot->key, slot->version, slot->epoch, false);
}

/* Midnight UTC at the start of next year. */
static time_t next_year(time_t now)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    struct tm ny = { .tm_year = tm.tm_year + 1, .tm_mday = 1 };
    return timegm(&ny);
}

/* Where the form token is in the body the handler rendered: it was made
 * this second or just before. False when the page carries a token that
 * cannot be found (it is then not kept). */
static bool find_token(struct ctx *c, const struct page_slot *slot, const struct buf *body,
                       time_t now, struct fresh_part *out)
{
    for (int64_t t = (int64_t)now; t >= (int64_t)now - 2; t--) {
        const char *tok = fresh_token(c, slot->article_id, t);
        size_t len = tok ? strlen(tok) : 0;
        if (!len || len >= TOKEN_MAX)
            return false;
        const char *p = memmem(body->data, body->len, tok, len);
        if (p) {
            /* exactly once, or refreshing would leave a stale copy */
            if (memmem(p + len, body->len - (size_t)(p - body->data) - len, tok, len))
                return false;
            *out = (struct fresh_part){ .off = (size_t)(p - body->data), .len = len,
                                        .owner = slot->article_id, .second = t,
                                        .make = fresh_token };
            return true;
        }
    }
    /* a page without the comment form (comments closed) has no token */
    return !memmem(body->data, body->len, "name=\"token\"", 12);
}

void page_cache_store(struct ctx *c, const struct page_slot *slot, int status)
{
    struct response *resp = c->resp;
    if (!slot->usable || status != 200 || !resp->body.data)
        return;
    /* A list page's ETag is the router's hash of its body: made here once,
     * so a page served from the cache is not hashed on every request. */
    if (!resp_header_get(resp, "ETag")) {
        const char *etag = arena_printf(c->arena, "\"%016llx\"",
                                        (unsigned long long)hash_fnv1a(resp->body.data,
                                                                       resp->body.len));
        if (!etag)
            return;
        resp_header(resp, "ETag", etag);
    }
    time_t now = time(NULL);
    struct fresh_part token = { 0 };
    if (slot->article_id && !find_token(c, slot, &resp->body, now, &token))
        return;
    /* the footer's year, and with it the ETag, change at New Year */
    response_cache_keep(c, slot->key, slot->version, slot->epoch, next_year(now), &token);
}
