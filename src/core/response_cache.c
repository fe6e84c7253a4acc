/* response_cache: rendered responses kept in memory, served while the
 * caller's version says they are current (see response_cache.h). */
#include "core/response_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kept_page.h"
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
    /* What is served, held by the entry and by each response sent from it.
     * A new form token makes a new page: one being sent never changes. */
    struct kept_page *page;
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
    kept_page_release(e->page);
    free(e->key);
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

/* Puts the fresh part for `now` into e's page, when it has one that is
 * older: into a copy, since responses still being sent hold the old page.
 * Called with the lock held. */
static bool refresh(struct ctx *c, struct entry *e, time_t now)
{
    struct fresh_part *f = &e->fresh;
    if (!f->len || f->second == (int64_t)now)
        return true;
    const char *v = f->make(c, f->owner, now);
    if (!v || strlen(v) != f->len)
        return false;
    struct kept_page *page = kept_page_copy(e->page);
    if (!page)
        return false;
    memcpy(page->body + f->off, v, f->len);
    kept_page_release(e->page);
    e->page = page;
    f->second = (int64_t)now;
    return true;
}

/* Fills c->resp from e: the response holds e's page, and its content type
 * and headers point into it. Called with the lock held. */
static bool serve_entry(struct ctx *c, struct entry *e, time_t now)
{
    struct response *resp = c->resp;
    if (!refresh(c, e, now))
        return false;
    struct kept_page *page = e->page;
    for (size_t i = 0; i < page->header_count; i++)
        resp_header(resp, page->names[i], page->values[i]);
    buf_reset(&resp->body);
    kept_page_release(resp->kept);
    resp->kept = kept_page_hold(page);
    resp->content_type = page->content_type;
    resp->cacheable = true;
    resp->from_host = e->from_host;
    resp->last_modified = e->last_modified;
    return true;
}

bool response_cache_serve(struct ctx *c, const char *key, int64_t version, uint64_t epoch,
                          bool fast)
{
    if (!response_cache_enabled())
        return false;
    uint64_t hash = hash_fnv1a(key, strlen(key));
    time_t now = time(NULL);
    bool hit = false;
    pthread_mutex_lock(&cache.lock);
    struct entry *e = find(key, hash);
    bool current = e && now < e->valid_until &&
                   (fast ? epoch && e->checked_epoch == epoch : e->version == version);
    if (current) {
        hit = serve_entry(c, e, now);
        e->last_used = ++cache.tick;
        if (!fast && e->checked_epoch < epoch)
            e->checked_epoch = epoch;
    }
    pthread_mutex_unlock(&cache.lock);
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

/* An entry for c->resp under key; NULL when out of memory. */
static struct entry *entry_from_response(const struct response *resp, const char *key)
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = strdup(key);
    e->page = kept_page_make(resp);
    if (!e->key || !e->page) {
        entry_free(e);
        return NULL;
    }
    e->hash = hash_fnv1a(key, strlen(key));
    e->last_modified = resp->last_modified;
    e->from_host = resp->from_host;
    e->bytes = sizeof *e + e->page->bytes + strlen(e->key);
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
