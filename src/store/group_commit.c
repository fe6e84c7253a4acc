/* group_commit: writes from several request threads committed together.
 *
 * With synchronous = FULL every commit waits for the disk (an fsync of the
 * WAL), a millisecond or more, and SQLite takes one writer at a time, so
 * comments one by one could never pass the disk's fsync rate. Here the
 * first thread to arrive becomes the leader: it opens one transaction on its
 * own connection, runs every write that has queued up meanwhile (each in a
 * savepoint of its own, so one that fails or is refused leaves the others
 * alone), commits once, and wakes the writers, each of which learns its own
 * result. Nobody hears "done" before the commit that holds their write is
 * on disk: the durability of one commit per write, at the cost of one fsync
 * per batch. The threads that arrive while a leader commits form the next
 * batch. */
#include "store/group_commit.h"

#include <pthread.h>
#include <stdbool.h>

struct job {
    group_write_fn fn;
    void *arg;
    int rc;
    bool done;
    struct job *next;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job *head, **tail;
    bool leading;           /* a leader is running a batch */
} gc = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, &gc.head, false };

static int step_stmt(struct store *s, enum stmt_id id)
{
    struct db_query *st = db_stmt(s, id);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}

/* Runs the batch in one transaction on s; sets every job's rc. */
static void run_batch(struct store *s, struct job *batch)
{
    if (store_begin(s) != STORE_OK) {
        for (struct job *j = batch; j; j = j->next)
            j->rc = STORE_ERROR;
        return;
    }
    bool any_kept = false;
    for (struct job *j = batch; j; j = j->next) {
        if (!db_in_transaction(s)) {    /* SQLite rolled the whole thing back */
            j->rc = STORE_ERROR;
            continue;
        }
        if (step_stmt(s, STMT_GROUP_SAVEPOINT) != STORE_OK) {
            j->rc = STORE_ERROR;
            continue;
        }
        bool keep = false;
        j->rc = j->fn(s, j->arg, &keep);
        if (j->rc == STORE_OK && keep) {
            any_kept = true;
            j->rc = step_stmt(s, STMT_GROUP_RELEASE);
        } else if (db_in_transaction(s)) {
            step_stmt(s, STMT_GROUP_ROLLBACK_TO);
            step_stmt(s, STMT_GROUP_RELEASE);
        }
    }
    /* Whatever the batch did is durable only once COMMIT returns. */
    bool committed;
    if (!db_in_transaction(s)) {
        committed = false;
    } else if (any_kept) {
        committed = store_commit(s) == STORE_OK;
    } else {
        store_rollback(s);      /* nothing to keep: no need to wait for the disk */
        committed = true;
    }
    if (!committed) {
        store_rollback(s);
        for (struct job *j = batch; j; j = j->next)
            j->rc = STORE_ERROR;
    }
}

int group_write(struct store *s, group_write_fn fn, void *arg)
{
    struct job me = { .fn = fn, .arg = arg, .rc = STORE_ERROR };
    pthread_mutex_lock(&gc.lock);
    *gc.tail = &me;
    gc.tail = &me.next;
    while (!me.done) {
        if (gc.leading) {
            pthread_cond_wait(&gc.wake, &gc.lock);
            continue;
        }
        /* Lead: take everything queued, ours included. */
        gc.leading = true;
        struct job *batch = gc.head;
        gc.head = NULL;
        gc.tail = &gc.head;
        pthread_mutex_unlock(&gc.lock);
        run_batch(s, batch);
        pthread_mutex_lock(&gc.lock);
        for (struct job *j = batch, *next; j; j = next) {
            next = j->next;     /* j may be gone once done is seen */
            j->done = true;
        }
        gc.leading = false;
        pthread_cond_broadcast(&gc.wake);
    }
    pthread_mutex_unlock(&gc.lock);
    return me.rc;
}
