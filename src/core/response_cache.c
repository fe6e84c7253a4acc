/* response_cache: rendered responses kept in memory, served while the
 * caller's version says they are current (see response_cache.h). */
#include "core/response_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

#define CACHE_BUCKETS 1024
#define CACHE_MAX_ENTRIES 1000
#define CACHE_MAX_BYTES (8u * 1024 * 1024)  /* bodies and keys; keeps RSS small */
#define CACHE_MAX_PAGE (512u * 1024)          /* larger pages are not kept */

struct entry {
    struct entry *next;         /* in its bucket */
    uint64_t hash;
    char *key;
    int64_t version;
    bool from_host;             /* links made from the Host (which the key holds) */
    time_t valid_until;
    time_t last_modified;
    char *content_type;
    size_t header_count;
    char *names[RESP_MAX_HEADERS], *values[RESP_MAX_HEADERS];
    const char *etag;           /* one of values[] */
    char *body;                 /* the fresh part, when there is one, is kept current in it */
    size_t body_len;
    struct fresh_part fresh;
    uint64_t last_used;
    uint64_t checked_epoch;     /* last found current in this epoch */
    size_t bytes;
};

static struct {
    pthread_mutex_t lock;
    struct entry *buckets[CACHE_BUCKETS];
    size_t count, bytes;
    uint64_t tick;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool enabled;

static void init(void)
{
    const char *v = getenv("FOLIO_PAGE_CACHE");
    enabled = !v || !(strcmp(v, "0") == 0 || strcmp(v, "off") == 0);
}

bool response_cache_enabled(void)
{
    pthread_once(&once, init);
    return enabled;
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

/* The least recently served entry (only on a keep, which is rare). */
static struct entry *oldest(void)
{
    struct entry *best = NULL;
    for (size_t i = 0; i < CACHE_BUCKETS; i++)
        for (struct entry *e = cache.buckets[i]; e; e = e->next)
            if (!best || e->last_used < best->last_used)
                best = e;
    return best;
}

/* Puts the fresh part for `now` into e's body, when it has one that is
 * older. Called with the lock held. */
static bool refresh(struct ctx *c, struct entry *e, time_t now)
{
    struct fresh_part *f = &e->fresh;
    if (!f->len || f->second == (int64_t)now)
        return true;
    const char *v = f->make(c, f->owner, now);
    if (!v || strlen(v) != f->len)
        return false;
    memcpy(e->body + f->off, v, f->len);
    f->second = (int64_t)now;
    return true;
}

/* Fills c->resp from e. Called with the lock held. */
static bool serve_entry(struct ctx *c, struct entry *e, time_t now)
{
    struct response *resp = c->resp;
    if (!refresh(c, e, now))
        return false;
    buf_reset(&resp->body);
    /* A matching conditional GET gets a 304 from the router: no body needed,
     * only its length, which a 304's Content-Length must give if any. */
    const char *inm = req_header(c->req, "if-none-match");
    resp->full_length = e->body_len;
    if (!(inm && e->etag && strcmp(inm, e->etag) == 0))
        buf_append(&resp->body, e->body, e->body_len);
    for (size_t i = 0; i < e->header_count; i++)
        resp_header(resp, arena_strdup(c->arena, e->names[i]),
                    arena_strdup(c->arena, e->values[i]));
    resp->content_type = arena_strdup(c->arena, e->content_type);
    resp->cacheable = true;
    resp->from_host = e->from_host;
    resp->last_modified = e->last_modified;
    return !resp->body.failed && resp->content_type;
}

/* Undoes whatever a failed serve_entry began: the handler starts afresh. */
static void clear_response(struct response *resp, size_t headers_before)
{
    buf_reset(&resp->body);
    resp->header_count = headers_before;
    resp->cacheable = false;
    resp->from_host = false;
    resp->last_modified = 0;
    resp->content_type = NULL;
}

bool response_cache_serve(struct ctx *c, const char *key, int64_t version, uint64_t epoch,
                          bool fast)
{
    if (!response_cache_enabled())
        return false;
    uint64_t hash = hash_fnv1a(key, strlen(key));
    time_t now = time(NULL);
    bool hit = false, tried = false;
    size_t headers_before = c->resp->header_count;
    pthread_mutex_lock(&cache.lock);
    struct entry *e = find(key, hash);
    bool current = e && now < e->valid_until &&
                   (fast ? epoch && e->checked_epoch == epoch : e->version == version);
    if (current) {
        tried = true;
        hit = serve_entry(c, e, now);
        e->last_used = ++cache.tick;
        if (!fast && e->checked_epoch < epoch)
            e->checked_epoch = epoch;
    }
    pthread_mutex_unlock(&cache.lock);
    if (tried && !hit)
        clear_response(c->resp, headers_before);
    return hit;
}

/* Whether the response may be kept at all. */
static bool keepable(const struct response *resp)
{
    if (resp->status != 200 || !resp->cacheable || resp->body.failed || resp->file_path ||
        !resp->body.data || resp->body.len > CACHE_MAX_PAGE)
        return false;
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, "Set-Cookie") == 0 ||
            strcasecmp(resp->headers[i].name, "Cache-Control") == 0)
            return false;
    return true;
}

/* A heap copy of c->resp under key; NULL when out of memory. */
static struct entry *entry_from_response(const struct response *resp, const char *key)
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = strdup(key);
    e->hash = hash_fnv1a(key, strlen(key));
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
        return NULL;
    }
    e->bytes = sizeof *e + e->body_len + strlen(e->key);
    return e;
}

void response_cache_keep(struct ctx *c, const char *key, int64_t version, uint64_t epoch,
                         time_t valid_until, const struct fresh_part *fresh)
{
    struct response *resp = c->resp;
    if (!response_cache_enabled() || !keepable(resp))
        return;
    if (fresh && fresh->len && (fresh->off + fresh->len > resp->body.len || !fresh->make))
        return;
    struct entry *e = entry_from_response(resp, key);
    if (!e)
        return;
    e->version = version;
    e->checked_epoch = epoch;
    e->valid_until = valid_until;
    if (fresh)
        e->fresh = *fresh;
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
