/* group_commit: writes from several request threads committed together.
 *
 * With synchronous = FULL every commit waits for the disk (an fsync of the
 * WAL), a millisecond or more, and SQLite takes one writer at a time, so
 * comments one by one could never pass the disk's fsync rate. Here the
 * first thread to arrive becomes the leader: it opens one transaction on its
 * own connection, runs every write that has queued up meanwhile (each but
 * the first kept in a savepoint of its own, so one that fails or is refused
 * leaves the others alone), commits once, and wakes the writers, each of
 * which learns its own result. Nobody hears "done" before the commit that holds their write is
 * on disk: the durability of one commit per write, at the cost of one fsync
 * per batch. The threads that arrive while a leader commits form the next
 * batch. On PostgreSQL the same holds across hosts: each host's batches
 * queue for the database's write lock (db_pgsql.c), one commit per batch.
 *
 * On SQLite every batch runs on one connection kept for it (the committer
 * below), whichever thread leads. */
#include "store/group_commit.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "core/log.h"

/* Each writer waits on a condition of its own, so that a batch's end wakes
 * the writers it answered and the next leader, not every writer waiting:
 * with one condition for all, each batch woke all sixteen, and the ones still
 * queued went back to sleep (~20 futex calls a comment). */
struct job {
    group_write_fn fn;
    void *arg;
    int rc;
    bool done;
    pthread_cond_t wake;
    struct job *next;
};

static struct {
    pthread_mutex_t lock;
    struct job *head, **tail;
    bool leading;           /* a leader is running a batch */
} gc = { PTHREAD_MUTEX_INITIALIZER, NULL, &gc.head, false };

/* The connection the batches run on. SQLite drops a connection's whole page
 * cache when another connection has committed since it last read (the WAL
 * does not say which pages changed), so a batch run on the leader's own
 * connection read its pages again from the files, about twelve a comment,
 * since the last batch was another thread's. On one connection kept for the
 * batches, the pages they write stay cached. It is used by the leader
 * only, one at a time; opened by the first, for the database the leader's
 * connection has open, and opened again if that changes (a test process may
 * open another). On PostgreSQL a batch runs on the leader's connection: the
 * server keeps the pages. */
static struct {
    struct store *s;
    bool failed_logged;
} committer;

static struct store *batch_connection(struct store *own)
{
    if (!db_keeps_pages_per_connection(own))
        return own;
    if (committer.s && strcmp(db_where(committer.s), db_where(own)) != 0) {
        store_close(committer.s);
        committer.s = NULL;
    }
    if (!committer.s) {
        char err[512];
        committer.s = store_open(db_where(own), NULL, false, err, sizeof err);
        if (!committer.s) {
            if (!committer.failed_logged)
                log_error("group commit: %s; comments are written on the connection of the "
                          "thread that posts them instead", err);
            committer.failed_logged = true;
            return own;
        }
    }
    return committer.s;
}

void store_group_commit_close(void)
{
    pthread_mutex_lock(&gc.lock);
    store_close(committer.s);
    committer.s = NULL;
    pthread_mutex_unlock(&gc.lock);
}

static int step_stmt(struct store *s, enum stmt_id id)
{
    struct db_query *st = db_stmt(s, id);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}

/* Runs the batch in one transaction on s; sets every job's rc.
 *
 * Each statement is a round trip to a PostgreSQL server, and the batch's
 * statements run one after another while its writers wait, so the batch
 * spends as few as it can: while nothing is kept yet, a write runs without
 * a savepoint (refused or failed, the transaction, which holds nothing
 * else, is rolled back and begun again for the next); after that, each
 * write opens a savepoint of its own inside the last one's and leaves it
 * open when it is kept (COMMIT releases them all), and only a write that
 * is not kept rolls back to its savepoint and releases it. A comment alone
 * in its batch thus costs its own statements, BEGIN and COMMIT. */
static void run_batch(struct store *s, struct job *batch)
{
    if (store_begin(s) != STORE_OK) {
        for (struct job *j = batch; j; j = j->next)
            j->rc = STORE_ERROR;
        return;
    }
    bool open = true, any_kept = false;
    for (struct job *j = batch; j; j = j->next) {
        j->rc = STORE_ERROR;
        if (open && !any_kept && !db_in_transaction(s)) {
            store_rollback(s);          /* SQLite ended it: nothing was in it */
            open = false;
        }
        if (!open) {
            if (store_begin(s) != STORE_OK)
                continue;
            open = true;
        }
        if (!db_in_transaction(s))      /* SQLite rolled back what was kept */
            continue;
        bool nested = any_kept;
        if (nested && step_stmt(s, STMT_GROUP_SAVEPOINT) != STORE_OK)
            continue;
        bool keep = false;
        j->rc = j->fn(s, j->arg, &keep);
        if (j->rc == STORE_OK && keep) {
            any_kept = true;
        } else if (!nested) {
            store_rollback(s);          /* nothing else in it */
            open = false;
        } else if (db_in_transaction(s)) {
            step_stmt(s, STMT_GROUP_ROLLBACK_TO);
            step_stmt(s, STMT_GROUP_RELEASE);
        }
    }
    /* Whatever the batch did is durable only once COMMIT returns. */
    bool committed;
    if (!open) {
        committed = true;       /* closed only while nothing was kept */
    } else if (!db_in_transaction(s)) {
        committed = !any_kept;
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
    pthread_cond_init(&me.wake, NULL);
    pthread_mutex_lock(&gc.lock);
    *gc.tail = &me;
    gc.tail = &me.next;
    while (!me.done) {
        if (gc.leading) {
            pthread_cond_wait(&me.wake, &gc.lock);
            continue;
        }
        /* Lead: take everything queued, ours included. */
        gc.leading = true;
        struct job *batch = gc.head;
        gc.head = NULL;
        gc.tail = &gc.head;
        pthread_mutex_unlock(&gc.lock);
        run_batch(batch_connection(s), batch);
        pthread_mutex_lock(&gc.lock);
        /* (each j stays valid while the lock is held: its writer cannot
         * see done before it is released) */
        for (struct job *j = batch; j; j = j->next) {
            j->done = true;
            pthread_cond_signal(&j->wake);
        }
        gc.leading = false;
        if (gc.head)            /* queued meanwhile: its first leads next */
            pthread_cond_signal(&gc.head->wake);
    }
    pthread_mutex_unlock(&gc.lock);
    pthread_cond_destroy(&me.wake);
    return me.rc;
}
