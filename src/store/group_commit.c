/* group_commit: writes from several request threads committed together.
 *
 * With synchronous = FULL every commit waits for the disk (an fsync of the
 * WAL), a millisecond or more, and SQLite takes one writer at a time, so
 * comments one by one could never pass the disk's fsync rate. Here writes
 * that arrive together share one transaction (one that fails or is refused
 * leaves the others alone: see "a batch's transaction") and one commit,
 * and each writer learns its own result. Nobody
 * hears "done" before the commit that holds their write is on disk: the
 * durability of one commit per write, at the cost of one fsync per batch.
 *
 * On SQLite the batches run on one connection kept for them (the
 * committer), in a pipeline of two stages:
 *   - the writers themselves run their writes, one thread at a time, in the
 *     committer's open transaction: whoever arrives while nobody runs takes
 *     everything queued and runs it;
 *   - a thread of the committer's own commits that transaction, which with
 *     synchronous = NORMAL writes it to the WAL and returns, then syncs the
 *     WAL (fdatasync) and only then answers its writers.
 * So the next batch's writes run while the last one's sync waits for the
 * disk, where before each waited for the other: one sync at a time, each
 * covering one commit of everything that was run meanwhile.
 *
 * What other connections see: a batch is visible to readers from its
 * COMMIT, a sync's length (under a millisecond here) before it is on disk.
 * A power cut in that moment loses it, and only it (the WAL is recovered up
 * to its first unsynced frame), and none of its writers has been answered.
 * The notification worker is woken only after the sync (db_sync_log).
 *
 * On PostgreSQL the server syncs each commit and keeps the pages, so the
 * first writer to arrive leads: it runs everything queued on its own
 * connection, commits, and wakes the writers; those that arrive meanwhile
 * form the next batch. Across hosts each host's batches queue for the
 * database's write lock (db_pgsql.c), one commit per batch. The same is
 * done on SQLite when the committer cannot be opened. */
#include "store/group_commit.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <string.h>

#include "core/log.h"
#include "core/thread.h"

/* A writer that cannot run at once sleeps on a semaphore of its own, and
 * what wakes it is said by whoever posts it, so it need not look again:
 *   - "your turn": posted, with `called` set, to the first writer queued,
 *     while nobody else may run (a writer called runs everything queued,
 *     its own write first, then sleeps again for its answer);
 *   - its answer: posted once, after rc is final, outside gc.lock.
 * A writer is thus woken once for its answer (twice when called), and
 * never wakes only to wait for gc.lock. With a condition for each writer,
 * signalled under the lock, the woken writers queued for the lock the
 * signaller still held: 4.9 futex calls a comment (strace -c, folio fcgi
 * posting), 2.3 now. A semaphore, unlike a condition, may be posted after
 * its waiter has been let go (sem_post is safe against a sem_destroy after
 * the sem_wait it ends). */
struct job {
    group_write_fn fn;
    void *arg;
    int rc;
    bool kept;              /* run, and its changes are in the transaction */
    bool called;            /* posted its turn to run (set before the post) */
    sem_t wake;
    struct job *next;
};

/* One batch's transaction, as its writes join it. */
struct batch {
    struct store *s;
    struct job *jobs, **tail;
    bool open;              /* a transaction is open */
    bool any_kept;          /* a write in it is to be committed */
    bool savepoints;        /* each write after the first kept one in a savepoint */
};

static struct {
    pthread_mutex_t lock;   /* guards everything here and in `committer` */
    struct job *head, **tail;   /* queued, not yet run */
    bool called;            /* the first queued has been posted its turn */
    pthread_cond_t idle;    /* a batch was committed (for close_committer) */
    bool leading;           /* PostgreSQL: a leader is running a batch */
} gc = { PTHREAD_MUTEX_INITIALIZER, NULL, &gc.head, false, PTHREAD_COND_INITIALIZER, false };

/* The connection the batches run on, with SQLite. SQLite drops a
 * connection's whole page cache when another connection has committed since
 * it last read (the WAL does not say which pages changed), so batches run
 * on their writers' own connections read their pages again from the files,
 * about twelve a comment. On one connection kept for the batches, the pages
 * they write stay cached. Opened on the first write, for the database the
 * writer's connection has open, and opened again if that changes (a test
 * process may open another). */
static struct {
    struct store *s;
    bool failed_logged;
    bool pipelined;         /* its thread runs, and s's commits are synced by it */
    bool stopping;
    pthread_t tid;
    pthread_cond_t work;    /* to its thread: writes were run, or stop */
    struct batch open;      /* run in s's open transaction, not committed yet */
    bool running;           /* a writer is running writes on s */
    bool committing;        /* the thread is committing on s */
    bool commit_wanted;     /* the thread waits for the running writer */
    bool busy;              /* the thread has a batch it has not answered */
} committer = { .work = PTHREAD_COND_INITIALIZER };

static int step_stmt(struct store *s, enum stmt_id id)
{
    struct db_query *st = db_stmt(s, id);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}

/* ---- a batch's transaction ----
 *
 * A write refused or failed must leave the batch's other writes alone.
 * Most are refused before they change anything (a duplicate, an article
 * closed meanwhile: the checks read first), and SQLite undoes a failed
 * statement by itself, so on SQLite a write runs without a savepoint and
 * the batch only looks whether it changed rows (db_total_changes): if it
 * did and is not kept, the transaction is rolled back and the writes kept
 * so far run again, from then on each in a savepoint. A savepoint for every
 * write cost a tenth of a comment's CPU time: SQLite copies each page a
 * write changes into a journal of the savepoint's own.
 *
 * Each statement is a round trip to a PostgreSQL server, where the driver
 * cannot count changed rows, so there the batch spends as few as it can:
 * while nothing is kept yet, a write runs without a savepoint (refused or
 * failed, the transaction, which holds nothing else, is rolled back and
 * begun again for the next); after that, each write opens a savepoint of
 * its own inside the last one's and leaves it open when it is kept (COMMIT
 * releases them all), and only a write that is not kept rolls back to its
 * savepoint and releases it. A comment alone in its batch thus costs its
 * own statements, BEGIN and COMMIT. */

static void batch_init(struct batch *b, struct store *s)
{
    *b = (struct batch){ .s = s, .savepoints = db_total_changes(s) < 0 };
    b->tail = &b->jobs;
}

static void run_write(struct batch *b, struct job *j);

/* A write changed rows and is not kept, and nothing but a new transaction
 * can undo it: the one open is rolled back and the writes kept in it run
 * again, in savepoints from now on. */
static void run_kept_again(struct batch *b)
{
    store_rollback(b->s);
    b->open = b->any_kept = false;
    b->savepoints = true;
    for (struct job *k = b->jobs; k; k = k->next) {
        if (k->kept) {
            k->kept = false;
            run_write(b, k);
        }
    }
}

/* Runs j in b's transaction, beginning one if none is open; sets j->rc. */
static void run_write(struct batch *b, struct job *j)
{
    struct store *s = b->s;
    j->rc = STORE_ERROR;
    if (b->open && !b->any_kept && !db_in_transaction(s)) {
        store_rollback(s);          /* SQLite ended it: nothing was in it */
        b->open = false;
    }
    if (!b->open) {
        if (store_begin(s) != STORE_OK)
            return;
        b->open = true;
    }
    if (!db_in_transaction(s))      /* SQLite rolled back what was kept */
        return;
    bool nested = b->any_kept && b->savepoints;
    if (nested && step_stmt(s, STMT_GROUP_SAVEPOINT) != STORE_OK)
        return;
    int64_t changes = db_total_changes(s);
    bool keep = false;
    j->rc = j->fn(s, j->arg, &keep);
    if (j->rc == STORE_OK && keep) {
        b->any_kept = j->kept = true;
    } else if (!b->any_kept) {
        store_rollback(s);          /* nothing else in it */
        b->open = false;
    } else if (!db_in_transaction(s)) {
        ;                           /* SQLite rolled back what was kept: all fail */
    } else if (nested) {
        step_stmt(s, STMT_GROUP_ROLLBACK_TO);
        step_stmt(s, STMT_GROUP_RELEASE);
    } else if (db_total_changes(s) != changes) {
        run_kept_again(b);
    }
}

/* Adds the writes of `list` to b's, to be answered with them. gc.lock
 * held (the committer's thread looks at the open batch's list while a
 * writer runs its writes). */
static void add_writes(struct batch *b, struct job *list)
{
    *b->tail = list;
    while (*b->tail)
        b->tail = &(*b->tail)->next;
}

/* Runs the writes of `list`, added to b. Without gc.lock. */
static void run_writes(struct batch *b, struct job *list)
{
    for (struct job *j = list; j; j = j->next)
        run_write(b, j);
}

static void fail_all(struct job *jobs)
{
    for (struct job *j = jobs; j; j = j->next)
        j->rc = STORE_ERROR;
}

/* Ends b's transaction: commits what was kept. True when that wrote
 * something (durable now, or once synced where the connection defers its
 * syncs); what could not be committed fails every write. Without gc.lock. */
static bool end_batch(struct batch *b)
{
    struct store *s = b->s;
    bool committed, wrote = false;
    if (!b->open) {
        committed = true;       /* closed only while nothing was kept */
    } else if (!db_in_transaction(s)) {
        committed = !b->any_kept;
    } else if (b->any_kept) {
        committed = wrote = store_commit(s) == STORE_OK;
    } else {
        store_rollback(s);      /* nothing to keep: no need to wait for the disk */
        committed = true;
    }
    if (!committed) {
        store_rollback(s);
        fail_all(b->jobs);
    }
    return wrote;
}

/* Everything queued, taken off the queue. gc.lock held. */
static struct job *take_queue(void)
{
    struct job *list = gc.head;
    gc.head = NULL;
    gc.tail = &gc.head;
    return list;
}

/* Tells each writer of `jobs` but `self` its result, which is final.
 * Without gc.lock: a writer may return as soon as it is posted. */
static void answer(struct job *jobs, const struct job *self)
{
    struct job *next;
    for (struct job *j = jobs; j; j = next) {
        next = j->next;         /* (j may be gone once posted) */
        if (j != self)
            sem_post(&j->wake);
    }
}

/* Posts the first writer queued its turn to run (or lead) the queue, if
 * there is one and none has been called yet. gc.lock held. */
static void call_next(void)
{
    if (gc.head && !gc.called) {
        gc.called = true;
        gc.head->called = true;
        sem_post(&gc.head->wake);
    }
}

/* ---- the pipeline (SQLite) ---- */

/* The committer's thread: commits what the writers have run, syncs it,
 * answers them; one batch at a time. */
static void *committer_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&gc.lock);
    for (;;) {
        /* (a writer called to run is about to use the connection too) */
        while (!committer.open.jobs || committer.running || gc.called) {
            if (committer.stopping && !committer.open.jobs && !committer.running && !gc.called)
                goto stop;
            committer.commit_wanted = committer.open.jobs != NULL;
            pthread_cond_wait(&committer.work, &gc.lock);
        }
        committer.commit_wanted = false;
        committer.committing = committer.busy = true;
        struct batch b = committer.open;
        batch_init(&committer.open, committer.s);
        pthread_mutex_unlock(&gc.lock);
        bool wrote = end_batch(&b);
        pthread_mutex_lock(&gc.lock);
        committer.committing = false;
        call_next();            /* queued meanwhile: they run during the sync */
        pthread_mutex_unlock(&gc.lock);
        if (wrote && db_sync_log(b.s) != STORE_OK)
            fail_all(b.jobs);
        answer(b.jobs, NULL);
        pthread_mutex_lock(&gc.lock);
        committer.busy = false;
        pthread_cond_broadcast(&gc.idle);
    }
stop:
    pthread_mutex_unlock(&gc.lock);
    return NULL;
}

/* Makes the committer's commits wait for its thread's sync, and starts
 * that thread. False (and each commit syncs itself) when either cannot be
 * done. gc.lock held. */
static bool start_pipeline(void)
{
    batch_init(&committer.open, committer.s);
    committer.stopping = false;
    if (thread_start_quiet(&committer.tid, committer_main, NULL) != 0) {
        log_error("group commit: cannot start the committer's thread; each batch waits "
                  "for the disk on its own");
        return false;
    }
    if (!db_defer_sync(committer.s)) {
        committer.stopping = true;
        pthread_cond_signal(&committer.work);
        pthread_mutex_unlock(&gc.lock);
        pthread_join(committer.tid, NULL);
        pthread_mutex_lock(&gc.lock);
        return false;
    }
    return true;
}

/* Closes the committer once everything queued for it is answered. gc.lock
 * held; released while waiting. */
static void close_committer(void)
{
    while (gc.head || gc.leading || committer.running || committer.open.jobs || committer.busy)
        pthread_cond_wait(&gc.idle, &gc.lock);     /* (a queued writer is called) */
    if (committer.pipelined) {
        committer.stopping = true;
        pthread_cond_signal(&committer.work);
        pthread_mutex_unlock(&gc.lock);
        pthread_join(committer.tid, NULL);
        pthread_mutex_lock(&gc.lock);
        committer.pipelined = false;
    }
    store_close(committer.s);
    committer.s = NULL;
}

/* The connection for the next batch: the committer, or (PostgreSQL, or a
 * committer that cannot be opened) the writer's own. gc.lock held. */
static struct store *batch_connection(struct store *own)
{
    if (!db_keeps_pages_per_connection(own))
        return own;
    if (committer.s && strcmp(db_where(committer.s), db_where(own)) != 0)
        close_committer();
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
        committer.pipelined = start_pipeline();
    }
    return committer.s;
}

void store_group_commit_close(void)
{
    pthread_mutex_lock(&gc.lock);
    if (committer.s)
        close_committer();
    pthread_mutex_unlock(&gc.lock);
}

/* Runs everything queued in the committer's open transaction, then hands
 * it to the committer's thread. gc.lock held on entry, released on return. */
static void run_queue(void)
{
    committer.running = true;
    gc.called = false;
    struct job *list = take_queue();
    add_writes(&committer.open, list);
    pthread_mutex_unlock(&gc.lock);
    run_writes(&committer.open, list);
    pthread_mutex_lock(&gc.lock);
    committer.running = false;
    /* While the committer syncs, the next writes run meanwhile; else it
     * commits these first, and calls the next writer after that. */
    if (committer.busy && !committer.commit_wanted)
        call_next();
    pthread_mutex_unlock(&gc.lock);
    pthread_cond_signal(&committer.work);
}

/* Whether a writer may run the queue now: nobody runs or commits on the
 * committer, its thread is not waiting to, and no writer has been called. */
static bool may_run(void)
{
    return !committer.running && !committer.committing && !committer.commit_wanted &&
           !gc.called;
}

/* me queued. gc.lock held; released on return. */
static void pipelined_write(struct job *me)
{
    bool run = may_run();
    if (run)
        run_queue();
    else
        pthread_mutex_unlock(&gc.lock);
    sem_wait(&me->wake);
    if (!run && me->called) {   /* our turn: our write is still queued */
        pthread_mutex_lock(&gc.lock);
        run_queue();
        sem_wait(&me->wake);    /* the answer */
    }
}

/* ---- a leader for each batch (PostgreSQL) ---- */

/* Runs everything queued (me first) on s, commits, answers. gc.lock held;
 * released on return. */
static void lead(struct store *s, struct job *me)
{
    gc.leading = true;
    gc.called = false;
    struct batch b;
    batch_init(&b, s);
    struct job *list = take_queue();
    add_writes(&b, list);
    pthread_mutex_unlock(&gc.lock);
    run_writes(&b, list);
    end_batch(&b);
    pthread_mutex_lock(&gc.lock);
    gc.leading = false;
    call_next();                /* queued meanwhile: its first leads next */
    pthread_cond_broadcast(&gc.idle);
    pthread_mutex_unlock(&gc.lock);
    answer(b.jobs, me);
}

/* me queued. gc.lock held; released on return. */
static void led_write(struct store *s, struct job *me)
{
    if (!gc.leading && !gc.called) {
        lead(s, me);
        return;
    }
    pthread_mutex_unlock(&gc.lock);
    sem_wait(&me->wake);
    if (me->called) {           /* our turn: our write is still queued */
        pthread_mutex_lock(&gc.lock);
        lead(s, me);
    }
}

int group_write(struct store *s, group_write_fn fn, void *arg)
{
    struct job me = { .fn = fn, .arg = arg, .rc = STORE_ERROR };
    if (sem_init(&me.wake, 0, 0) != 0)
        return STORE_ERROR;
    pthread_mutex_lock(&gc.lock);
    struct store *conn = batch_connection(s);
    *gc.tail = &me;
    gc.tail = &me.next;
    if (conn == committer.s && committer.pipelined)
        pipelined_write(&me);
    else
        led_write(conn, &me);
    sem_destroy(&me.wake);
    return me.rc;
}
