/* page_cache: rendered public pages kept in memory, checked against the
 * database's version numbers before every serve (see page_cache.h). */
#define _GNU_SOURCE     /* memmem, timegm */
#include "core/page_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/signed.h"
#include "core/text.h"
#include "store/store.h"

#define CACHE_BUCKETS 1024
#define CACHE_MAX_ENTRIES 1000
#define CACHE_MAX_BYTES (8u * 1024 * 1024)  /* bodies and keys; keeps RSS small */
#define CACHE_MAX_PAGE (512u * 1024)          /* larger pages are not kept */
#define TOKEN_MAX 128

struct entry {
    struct entry *next;         /* in its bucket */
    uint64_t hash;
    char *key;
    int64_t version;
    int64_t article_id;         /* whose form token the body carries; 0: none */
    bool from_host;             /* links made from the Host (part of the key) */
    time_t valid_until;         /* the footer's year, and the ETag, change at New Year */
    time_t last_modified;
    char *content_type;
    size_t header_count;
    char *names[RESP_MAX_HEADERS], *values[RESP_MAX_HEADERS];
    const char *etag;           /* one of values[] */
    char *body;
    size_t body_len;
    size_t token_off, token_len;
    int64_t token_second;       /* the token last put in, and for which second */
    char token[TOKEN_MAX];
    uint64_t last_used;
    uint64_t checked_epoch;     /* last found current in this epoch */
    size_t bytes;
};

static struct {
    pthread_mutex_t lock;
    struct entry *buckets[CACHE_BUCKETS];
    size_t count, bytes;
    uint64_t tick, hits, misses;
    uint64_t epoch;                             /* see current_epoch */
    unsigned char stamp[STORE_STAMP_BYTES];
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool enabled;

/* FOLIO_PAGE_CACHE=0 turns the cache off (the benchmark measures the
 * queries that way). */
static void init(void)
{
    const char *v = getenv("FOLIO_PAGE_CACHE");
    enabled = !v || !(strcmp(v, "0") == 0 || strcmp(v, "off") == 0);
}

/* A request everyone may share the answer to: GET or HEAD, and no cookie
 * that makes the page the reader's own (pending comments, saved details)
 * or an editor's. */
static bool shareable(struct ctx *c)
{
    pthread_once(&once, init);
    if (!enabled)
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

static struct entry *find(const char *key, uint64_t hash)
{
    for (struct entry *e = cache.buckets[hash % CACHE_BUCKETS]; e; e = e->next)
        if (e->hash == hash && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void entry_free(struct entry *e)
{
    for (size_t i = 0; i < e->header_count; i++) {
        free(e->names[i]);
        free(e->values[i]);
    }
    free(e->content_type);
    free(e->key);
    free(e->body);
    free(e);
}

/* Unlinks e from its bucket and the totals; the caller frees it. */
static void unlink_entry(struct entry *e)
{
    struct entry **p = &cache.buckets[e->hash % CACHE_BUCKETS];
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    cache.count--;
    cache.bytes -= e->bytes;
}

/* The least recently served entry (only on a store, which is rare). */
static struct entry *oldest(void)
{
    struct entry *best = NULL;
    for (size_t i = 0; i < CACHE_BUCKETS; i++)
        for (struct entry *e = cache.buckets[i]; e; e = e->next)
            if (!best || e->last_used < best->last_used)
                best = e;
    return best;
}

/* Fills c->resp from e. Called with the lock held. */
static bool serve_entry(struct ctx *c, struct entry *e, time_t now)
{
    struct response *resp = c->resp;
    const char *token = NULL;
    if (e->token_len) {
        if (e->token_second != (int64_t)now) {
            const char *t = form_token_make(c->arena, c->app->secret, e->article_id, now);
            if (!t || strlen(t) != e->token_len)
                return false;
            memcpy(e->token, t, e->token_len);
            e->token_second = (int64_t)now;
        }
        token = e->token;
    }
    buf_reset(&resp->body);
    /* A matching conditional GET gets a 304 from the core: no body needed,
     * only its length, which a 304's Content-Length must give if any. */
    const char *inm = req_header(c->req, "if-none-match");
    resp->full_length = e->body_len;
    if (!(inm && e->etag && strcmp(inm, e->etag) == 0)) {
        if (!buf_reserve(&resp->body, e->body_len + 1))
            return false;
        if (token) {
            buf_append(&resp->body, e->body, e->token_off);
            buf_append(&resp->body, token, e->token_len);
            buf_append(&resp->body, e->body + e->token_off + e->token_len,
                       e->body_len - e->token_off - e->token_len);
        } else {
            buf_append(&resp->body, e->body, e->body_len);
        }
    }
    for (size_t i = 0; i < e->header_count; i++)
        resp_header(resp, arena_strdup(c->arena, e->names[i]),
                    arena_strdup(c->arena, e->values[i]));
    resp->content_type = arena_strdup(c->arena, e->content_type);
    resp->cacheable = true;
    resp->from_host = e->from_host;
    resp->last_modified = e->last_modified;
    return !resp->body.failed && resp->content_type;
}

/* Serves the entry for slot->key when it may be: with `fast`, when it was
 * last found current in this very epoch (nothing committed since); else
 * when its version is slot->version, which then marks it current in the
 * epoch slot->epoch. Counts a miss only for the final attempt. */
static bool serve(struct ctx *c, struct page_slot *slot, bool fast)
{
    uint64_t hash = hash_fnv1a(slot->key, strlen(slot->key));
    time_t now = time(NULL);
    bool hit = false, tried = false;
    struct response *resp = c->resp;
    size_t headers_before = resp->header_count;
    pthread_mutex_lock(&cache.lock);
    struct entry *e = find(slot->key, hash);
    bool current = e && now < e->valid_until &&
                   (fast ? slot->epoch && e->checked_epoch == slot->epoch
                         : e->version == slot->version);
    if (current) {
        tried = true;
        hit = serve_entry(c, e, now);
        e->last_used = ++cache.tick;
        if (!fast && e->checked_epoch < slot->epoch)
            e->checked_epoch = slot->epoch;
    }
    if (hit)
        cache.hits++;
    else if (!fast)
        cache.misses++;
    pthread_mutex_unlock(&cache.lock);
    if (tried && !hit) {
        /* whatever serve_entry began, the handler starts afresh */
        buf_reset(&resp->body);
        resp->header_count = headers_before;
        resp->cacheable = false;
        resp->from_host = false;
        resp->last_modified = 0;
        resp->content_type = NULL;
    }
    return hit;
}

/* The current epoch: a number that moves on whenever the database's change
 * stamp differs from the one seen last, so that an entry found current in
 * an epoch stays current, without asking the database, for as long as the
 * epoch lasts. 0: no stamp to read (every serve then asks). */
static uint64_t current_epoch(struct ctx *c)
{
    unsigned char stamp[STORE_STAMP_BYTES];
    if (!store_change_stamp(c->store, stamp))
        return 0;
    pthread_mutex_lock(&cache.lock);
    if (!cache.epoch || memcmp(stamp, cache.stamp, sizeof stamp) != 0) {
        memcpy(cache.stamp, stamp, sizeof stamp);
        cache.epoch++;
    }
    uint64_t epoch = cache.epoch;
    pthread_mutex_unlock(&cache.lock);
    return epoch;
}

bool page_cache_article(struct ctx *c, const char *slug, struct page_slot *slot)
{
    memset(slot, 0, sizeof *slot);
    if (!shareable(c) || c->req->query[0])
        return false;
    slot->key = make_key(c, 'A', slug, "");
    if (!slot->key)
        return false;
    /* The epoch is read before the version: a commit in between moves the
     * epoch on, so the entry is asked about again. */
    slot->epoch = current_epoch(c);
    if (serve(c, slot, true))
        return true;
    int64_t id, version;
    if (store_article_version(c->store, slug, &id, &version) != STORE_OK)
        return false;   /* unknown, a draft, or an error: the handler says which */
    slot->version = version;
    slot->article_id = id;
    slot->usable = true;
    return serve(c, slot, false);
}

bool page_cache_list(struct ctx *c, struct page_slot *slot)
{
    memset(slot, 0, sizeof *slot);
    if (!shareable(c) || !plain_page_query(c->req->query))
        return false;
    slot->key = make_key(c, 'L', c->req->path, c->req->query);
    if (!slot->key)
        return false;
    slot->epoch = current_epoch(c);
    if (serve(c, slot, true))
        return true;
    int64_t version;
    if (store_site_version(c->store, &version) != STORE_OK)
        return false;
    slot->version = version;
    slot->usable = true;
    return serve(c, slot, false);
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
                       time_t now, struct entry *e)
{
    for (int64_t t = (int64_t)now; t >= (int64_t)now - 2; t--) {
        const char *tok = form_token_make(c->arena, c->app->secret, slot->article_id, t);
        size_t len = tok ? strlen(tok) : 0;
        if (!len || len >= TOKEN_MAX)
            return false;
        const char *p = memmem(body->data, body->len, tok, len);
        if (p) {
            /* exactly once, or splicing would leave a stale copy */
            if (memmem(p + len, body->len - (size_t)(p - body->data) - len, tok, len))
                return false;
            e->token_off = (size_t)(p - body->data);
            e->token_len = len;
            memcpy(e->token, tok, len);
            e->token_second = t;
            return true;
        }
    }
    /* a page without the comment form (comments closed) has no token */
    return !memmem(body->data, body->len, "name=\"token\"", 12);
}

void page_cache_store(struct ctx *c, const struct page_slot *slot, int status)
{
    struct response *resp = c->resp;
    if (!slot->usable || status != 200 || !resp->cacheable || resp->body.failed ||
        resp->file_path || !resp->body.data || resp->body.len > CACHE_MAX_PAGE)
        return;
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, "Set-Cookie") == 0 ||
            strcasecmp(resp->headers[i].name, "Cache-Control") == 0)
            return;
    /* A list page's ETag is the core's hash of its body: made here once,
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
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return;
    if (slot->article_id && !find_token(c, slot, &resp->body, now, e)) {
        free(e);
        return;
    }
    e->key = strdup(slot->key);
    e->hash = hash_fnv1a(slot->key, strlen(slot->key));
    e->version = slot->version;
    e->checked_epoch = slot->epoch;
    e->article_id = e->token_len ? slot->article_id : 0;
    e->valid_until = next_year(now);
    e->last_modified = resp->last_modified;
    e->from_host = resp->from_host;
    e->content_type = strdup(resp->content_type ? resp->content_type : "text/html; charset=utf-8");
    e->body = malloc(resp->body.len);
    e->body_len = resp->body.len;
    bool ok = e->key && e->content_type && e->body;
    if (ok)
        memcpy(e->body, resp->body.data, resp->body.len);
    for (size_t i = 0; ok && i < resp->header_count; i++) {
        e->names[i] = strdup(resp->headers[i].name);
        e->values[i] = strdup(resp->headers[i].value);
        e->header_count = i + 1;
        ok = e->names[i] && e->values[i];
        if (ok && strcmp(e->names[i], "ETag") == 0)
            e->etag = e->values[i];
    }
    if (!ok) {
        entry_free(e);
        return;
    }
    e->bytes = sizeof *e + e->body_len + strlen(e->key);
    pthread_mutex_lock(&cache.lock);
    struct entry *old = find(e->key, e->hash);
    if (old) {
        unlink_entry(old);
        entry_free(old);
    }
    while (cache.count > 0 &&
           (cache.count >= CACHE_MAX_ENTRIES || cache.bytes + e->bytes > CACHE_MAX_BYTES)) {
        struct entry *victim = oldest();
        unlink_entry(victim);
        entry_free(victim);
    }
    e->last_used = ++cache.tick;
    struct entry **bucket = &cache.buckets[e->hash % CACHE_BUCKETS];
    e->next = *bucket;
    *bucket = e;
    cache.count++;
    cache.bytes += e->bytes;
    pthread_mutex_unlock(&cache.lock);
}

void page_cache_stats(struct page_cache_stats *out)
{
    pthread_mutex_lock(&cache.lock);
    out->entries = cache.count;
    out->bytes = cache.bytes;
    out->hits = cache.hits;
    out->misses = cache.misses;
    pthread_mutex_unlock(&cache.lock);
}
