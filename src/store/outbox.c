/* outbox: notifications written with the change that causes them (sql/014),
 * claimed under a lease by the delivery worker (src/notify/), and the
 * commenters' subscriptions that decide who is mailed. */
#include "store/outbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <sodium.h>

static atomic_uint channel_mask;

void store_notify_channels(unsigned mask)
{
    atomic_store(&channel_mask, mask);
}

unsigned store_notify_channel_mask(void)
{
    return atomic_load(&channel_mask);
}

/* ---- writing events (inside the caller's transaction) ---- */

static int add_row(struct store *s, const char *event, const char *channel, int64_t comment_id,
                   int64_t subscriber_of, int64_t now)
{
    unsigned char raw[16];
    char event_id[2 * sizeof raw + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(event_id, sizeof event_id, raw, sizeof raw);
    struct db_query *st = db_stmt(s, STMT_OUTBOX_ADD);
    if (!st || !db_bind_text(st, ":event_id", event_id) || !db_bind_text(st, ":event", event) ||
        !db_bind_text(st, ":channel", channel) || !db_bind_int(st, ":comment", comment_id) ||
        !db_bind_int(st, ":subscriber_of", subscriber_of) || !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc == STORE_OK)
        db_note_outbox_write(s);
    return rc;
}

static bool enabled(unsigned channel)
{
    return (store_notify_channel_mask() & channel) != 0;
}

int outbox_comment_held(struct store *s, int64_t comment_id, int64_t now)
{
    int rc = STORE_OK;
    if (enabled(NOTIFY_WEBHOOK))
        rc = add_row(s, "comment.held", "webhook", comment_id, 0, now);
    if (rc == STORE_OK && enabled(NOTIFY_EDITOR_MAIL))
        rc = add_row(s, "comment.held", "mail", comment_id, 0, now);
    return rc;
}

/* Whether comment_id has a confirmed, live subscriber other than the
 * author of comment `by` (0: anyone). */
static int subscriber_live(struct store *s, int64_t comment_id, int64_t by, bool *live)
{
    struct db_query *st = db_stmt(s, STMT_SUBSCRIPTION_LIVE);
    if (!st || !db_bind_int(st, ":comment", comment_id) || !db_bind_int(st, ":by", by))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, NULL, NULL, "reading a subscription");
    *live = rc == STORE_OK;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

static int reply_events(struct store *s, int64_t comment_id, int64_t now)
{
    int64_t parent = 0;
    struct db_query *st = db_stmt(s, STMT_OUTBOX_PARENT_OF);
    if (!st || !db_bind_int(st, ":id", comment_id))
        return STORE_ERROR;
    int rc = db_one_int(s, st, &parent, "reading a comment's parent");
    if (rc != STORE_OK || parent == 0)
        return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
    bool live = false;
    if ((rc = subscriber_live(s, parent, comment_id, &live)) != STORE_OK || !live)
        return rc;
    if (enabled(NOTIFY_WEBHOOK))
        rc = add_row(s, "comment.reply", "webhook", comment_id, 0, now);
    if (rc == STORE_OK && enabled(NOTIFY_READER_MAIL))
        rc = add_row(s, "comment.reply", "mail", comment_id, parent, now);
    return rc;
}

int outbox_comment_approved(struct store *s, int64_t comment_id, int64_t now)
{
    int rc = STORE_OK;
    if (enabled(NOTIFY_WEBHOOK))
        rc = add_row(s, "comment.approved", "webhook", comment_id, 0, now);
    bool live = false;
    if (rc == STORE_OK && enabled(NOTIFY_READER_MAIL) &&
        (rc = subscriber_live(s, comment_id, 0, &live)) == STORE_OK && live)
        rc = add_row(s, "comment.approved", "mail", comment_id, comment_id, now);
    if (rc == STORE_OK)
        rc = reply_events(s, comment_id, now);
    return rc;
}

int outbox_subscribe(struct store *s, int64_t comment_id, const char *email,
                     const char *link_base, int64_t now)
{
    if (!enabled(NOTIFY_READER_MAIL))
        return STORE_OK;
    struct db_query *st = db_stmt(s, STMT_SUBSCRIPTION_ADD);
    if (!st || !db_bind_int(st, ":comment", comment_id) || !db_bind_text(st, ":email", email) ||
        !db_bind_text(st, ":link_base", link_base ? link_base : "") ||
        !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc == STORE_OK)
        rc = add_row(s, "subscription.confirm", "mail", comment_id, comment_id, now);
    return rc;
}

/* ---- waking the worker ---- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint64_t generation;
} wake = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

void store_outbox_wake(void)
{
    pthread_mutex_lock(&wake.lock);
    wake.generation++;
    pthread_cond_broadcast(&wake.changed);
    pthread_mutex_unlock(&wake.lock);
}

void store_outbox_wait(uint64_t *seen, long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&wake.lock);
    while (wake.generation == *seen &&
           pthread_cond_timedwait(&wake.changed, &wake.lock, &until) == 0) {
    }
    *seen = wake.generation;
    pthread_mutex_unlock(&wake.lock);
}

/* ---- the worker's side ---- */

static void read_item(struct arena *a, struct db_query *st, void *item)
{
    struct outbox_item *out = item;
    out->row = db_col_int(st, 0);
    out->event_id = db_col_text(a, st, 1);
    out->event = db_col_text(a, st, 2);
    out->channel = db_col_text(a, st, 3);
    out->comment_id = db_col_int(st, 4);
    out->subscriber_of = db_col_int(st, 5);
    out->created_at = db_col_int(st, 6);
    out->attempts = db_col_int(st, 7);
}

int store_outbox_connection(struct store *s)
{
    struct db_query *st = db_stmt(s, STMT_OUTBOX_RELAXED);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}

int store_outbox_claim(struct store *s, struct arena *a, const char *worker, int64_t now,
                       int64_t until, struct outbox_item *out)
{
    struct db_query *st = db_stmt(s, STMT_OUTBOX_CLAIM);
    if (!st || !db_bind_text(st, ":worker", worker) || !db_bind_int(st, ":until", until) ||
        !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_item, out, "claiming a notification");
}

static int end_claim(struct store *s, enum stmt_id id, int64_t row, const char *worker,
                     int64_t at, const char *error)
{
    struct db_query *st = db_stmt(s, id);
    if (!st || !db_bind_int(st, ":id", row) || !db_bind_text(st, ":worker", worker) ||
        !(id == STMT_OUTBOX_RETRY ? db_bind_int(st, ":next", at) : db_bind_int(st, ":now", at)) ||
        (error && !db_bind_text(st, ":error", error)))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_outbox_delivered(struct store *s, int64_t row, const char *worker, int64_t now)
{
    return end_claim(s, STMT_OUTBOX_DELIVERED, row, worker, now, NULL);
}

int store_outbox_retry(struct store *s, int64_t row, const char *worker, int64_t next,
                       const char *error)
{
    return end_claim(s, STMT_OUTBOX_RETRY, row, worker, next, error);
}

int store_outbox_failed(struct store *s, int64_t row, const char *worker, int64_t now,
                        const char *error)
{
    return end_claim(s, STMT_OUTBOX_FAILED, row, worker, now, error);
}

int store_outbox_next_due(struct store *s, int64_t *at)
{
    struct db_query *st = db_stmt(s, STMT_OUTBOX_NEXT_DUE);
    *at = 0;
    return st ? db_one_int(s, st, at, "reading the outbox") : STORE_ERROR;
}

/* ---- subscriptions ---- */

static void read_subscription(struct arena *a, struct db_query *st, void *item)
{
    struct subscription *out = item;
    out->email = db_col_text(a, st, 0);
    out->created_at = db_col_int(st, 1);
    out->confirmed_at = db_col_int(st, 2);
    out->ended_at = db_col_int(st, 3);
    out->link_base = db_col_text(a, st, 4);
}

int store_subscription_get(struct store *s, struct arena *a, int64_t comment_id,
                           struct subscription *out)
{
    struct db_query *st = db_stmt(s, STMT_SUBSCRIPTION_GET);
    if (!st || !db_bind_int(st, ":comment", comment_id))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_subscription, out, "reading a subscription");
}

/* Runs an UPDATE of one subscription; *changed when it changed a row,
 * STORE_NOT_FOUND when there is no subscription at all. */
static int change_subscription(struct store *s, enum stmt_id id, int64_t comment_id,
                               bool *changed)
{
    *changed = false;
    struct db_query *st = db_stmt(s, id);
    if (!st || !db_bind_int(st, ":comment", comment_id) ||
        !db_bind_int(st, ":now", (int64_t)time(NULL)))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc != STORE_OK)
        return rc;
    *changed = db_changes(s) > 0;
    if (*changed)
        return STORE_OK;
    struct subscription sub;
    struct arena scratch = {0};
    rc = store_subscription_get(s, &scratch, comment_id, &sub);
    arena_free(&scratch);
    return rc;
}

int store_subscription_confirm(struct store *s, int64_t comment_id, bool *changed)
{
    return change_subscription(s, STMT_SUBSCRIPTION_CONFIRM, comment_id, changed);
}

int store_subscription_end(struct store *s, int64_t comment_id, bool *changed)
{
    return change_subscription(s, STMT_SUBSCRIPTION_END, comment_id, changed);
}
