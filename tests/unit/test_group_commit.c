/* Unit tests: comments posted from many threads at once through the group
 * commit (each gets its own verdict and id, refusals and failures leave the
 * others alone), the per-article counts, and the change generation the page
 * cache reads. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/db.h"
#include "store/db_sqlite.h"
#include "store/group_commit.h"
#include "store/store.h"

#define THREADS 16      /* as many as the writers of a server at its defaults */
#define POSTS 40

static char db_path[] = "/tmp/folio-test-group-XXXXXX";
static int64_t article_id;

struct worker_result {
    int stored, duplicates, errors;
    int64_t ids[POSTS];
};

static void *poster(void *arg)
{
    struct worker_result *r = arg;
    char err[256];
    struct store *s = store_open(db_path, NULL, false, err, sizeof err);
    if (!s) {
        r->errors = POSTS;
        return NULL;
    }
    for (int i = 0; i < POSTS; i++) {
        char email[64], body[64];
        /* every fifth post repeats the one before it: a duplicate */
        int n = i % 5 == 4 ? i - 1 : i;
        snprintf(email, sizeof email, "t%p-%d@example.org", (void *)r, n);
        snprintf(body, sizeof body, "comment %d from %p", n, (void *)r);
        struct comment_post p = {
            .slug = "a",
            .c = { .article_id = article_id, .status = CS_PENDING, .author = "T",
                   .email = email, .url = "", .body = body, .ip = "192.0.2.1",
                   .user_agent = "", .created_at = (int64_t)time(NULL) },
        };
        struct comment_post_result res;
        if (store_comment_post(s, &p, &res) != STORE_OK)
            r->errors++;
        else if (res.verdict == COMMENT_STORED)
            r->ids[r->stored++] = res.id;
        else if (res.verdict == COMMENT_DUPLICATE)
            r->duplicates++;
        else
            r->errors++;
    }
    store_close(s);
    return NULL;
}

/* A write that fails after doing something: its savepoint is rolled back. */
static int failing_write(struct store *s, void *arg, bool *keep)
{
    (void)arg;
    struct comment_input c = { .article_id = article_id, .status = CS_PENDING, .author = "F",
                               .email = "fail@example.org", .url = "", .body = "never kept",
                               .ip = "", .user_agent = "", .created_at = 1 };
    int64_t id;
    store_comment_insert(s, &c, &id);
    *keep = false;
    return STORE_ERROR;
}

/* One batch of mixed writes: a gate holds the leader's first batch until
 * the others have queued behind it, so that they run as the next batch in
 * the order they queued (if the machine is slow to start them, they run in
 * other batches: the results must be the same). */
struct mixed {
    struct store *s;
    const char *body;
    int rc;                 /* the write's own: STORE_OK or STORE_ERROR */
    bool keep;
    bool reads_only;        /* refused before it changes anything */
    int result;             /* what group_write answered */
    int runs;               /* a batch runs its kept writes again after a
                             * refused one that changed rows */
};

static int mixed_write(struct store *s, void *arg, bool *keep)
{
    struct mixed *m = arg;
    struct comment_input c = { .article_id = article_id, .status = CS_PENDING, .author = "M",
                               .email = "mixed@example.org", .url = "", .body = m->body,
                               .ip = "", .user_agent = "", .created_at = 1 };
    int64_t id;
    m->runs++;
    if (!m->reads_only && store_comment_insert(s, &c, &id) != STORE_OK)
        return STORE_ERROR;
    *keep = m->keep;
    return m->rc;
}

static int gate_write(struct store *s, void *arg, bool *keep)
{
    (void)s;
    (void)arg;
    usleep(300 * 1000);
    *keep = false;
    return STORE_OK;
}

static void *mixed_thread(void *arg)
{
    struct mixed *m = arg;
    m->result = group_write(m->s, mixed_write, m);
    return NULL;
}

static void *gate_thread(void *arg)
{
    group_write(arg, gate_write, NULL);
    return NULL;
}

/* PRAGMA synchronous of s: 1 is NORMAL, 2 FULL. */
static int synchronous_of(struct store *s)
{
    sqlite3_stmt *st;
    int level = -1;
    if (sqlite3_prepare_v2(db_sqlite_handle(s), "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        level = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return level;
}

/* One comment through the group commit on s: its verdict. */
static int post_one(struct store *s, const char *body)
{
    struct comment_post p = {
        .slug = "a",
        .c = { .article_id = article_id, .status = CS_PENDING, .author = "P",
               .email = "one@example.org", .url = "", .body = body, .ip = "192.0.2.2",
               .user_agent = "", .created_at = (int64_t)time(NULL) },
    };
    struct comment_post_result res;
    if (store_comment_post(s, &p, &res) != STORE_OK)
        return -1;
    return (int)res.verdict;
}

static int64_t count(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t n = -1;
    sqlite3_open(db_path, &db);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

int main(void)
{
    int fd = mkstemp(db_path);
    CHECK(fd >= 0);
    close(fd);
    unlink(db_path);
    char err[1024];
    struct store *s = store_open(db_path, FOLIO_SOURCE_DIR "/sql", true, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return check_result("test_group_commit");
    struct article_input in = { .slug = "a", .title = "A", .author = "", .body = "b",
                                .body_html = "<p>b</p>", .tags = "", .source = "",
                                .status = AS_PUBLISHED, .published_at = 1000,
                                .comments_open = true };
    bool created;
    CHECK(store_article_save(s, &in, &created) == STORE_OK);
    int64_t version;
    CHECK(store_article_version(s, "a", &article_id, &version) == STORE_OK);

    /* the change generation stands still while nothing commits, and is the
     * process's: another connection reads the same number */
    uint64_t before = store_generation(s), after;
    CHECK(before != 0 && store_generation(s) == before);
    struct store *second = store_open(db_path, FOLIO_SOURCE_DIR "/sql", false, err, sizeof err);
    CHECK(second && store_generation(second) == before);
    store_close(second);

    struct worker_result results[THREADS] = {0};
    pthread_t tids[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&tids[i], NULL, poster, &results[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(tids[i], NULL);

    int stored = 0, duplicates = 0, errors = 0;
    for (int i = 0; i < THREADS; i++) {
        stored += results[i].stored;
        duplicates += results[i].duplicates;
        errors += results[i].errors;
    }
    CHECK(errors == 0);
    CHECK(stored == THREADS * POSTS * 4 / 5);
    CHECK(duplicates == THREADS * POSTS / 5);
    CHECK(count("SELECT count(*) FROM comments") == stored);
    CHECK(count("SELECT count(DISTINCT id) FROM comments") == stored);
    /* every id handed out is the row's own */
    int64_t id_sum = 0;
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < results[i].stored; j++)
            id_sum += results[i].ids[j];
    CHECK(count("SELECT sum(id) FROM comments") == id_sum);
    CHECK(count("SELECT pending FROM article_comment_counts WHERE article_id = 1") == stored);

    /* the slug must lead to the article, published and open, as it is written */
    {
        struct comment_post p = {
            .slug = "a",
            .c = { .article_id = article_id + 1, .status = CS_PENDING, .author = "T",
                   .email = "target@example.org", .url = "", .body = "never stored",
                   .ip = "192.0.2.1", .user_agent = "", .created_at = (int64_t)time(NULL) },
        };
        struct comment_post_result res;
        CHECK(store_comment_post(s, &p, &res) == STORE_OK && res.verdict == COMMENT_NO_TARGET);
        p.slug = "no-such-slug";
        p.c.article_id = article_id;
        CHECK(store_comment_post(s, &p, &res) == STORE_OK && res.verdict == COMMENT_NO_TARGET);
        CHECK(count("SELECT count(*) FROM comments WHERE body = 'never stored'") == 0);
        p.slug = "a";
        p.per_page = 50;
        CHECK(store_comment_post(s, &p, &res) == STORE_OK && res.verdict == COMMENT_STORED &&
              res.page == 1);
        CHECK(count("SELECT count(*) FROM comments WHERE body = 'never stored'") == 1);
        stored++;
    }

    /* a failing write keeps nothing, and reports its failure */
    CHECK(group_write(s, failing_write, NULL) == STORE_ERROR);
    CHECK(count("SELECT count(*) FROM comments WHERE body = 'never kept'") == 0);

    /* a batch whose first write fails, then kept, refused, failed and kept
     * ones: each keeps exactly what it should, whatever its place (on
     * SQLite, those not kept that changed rows make the batch run its kept
     * writes again, in savepoints; one refused before it changes anything
     * does not) */
    {
        struct mixed m[] = {
            { .body = "mixed failed first", .rc = STORE_ERROR, .keep = false },
            { .body = "mixed kept 1", .rc = STORE_OK, .keep = true },
            { .body = "mixed refused unwritten", .rc = STORE_OK, .keep = false,
              .reads_only = true },
            { .body = "mixed refused", .rc = STORE_OK, .keep = false },
            { .body = "mixed failed", .rc = STORE_ERROR, .keep = false },
            { .body = "mixed kept 2", .rc = STORE_OK, .keep = true },
        };
        enum { N = sizeof m / sizeof m[0] };
        struct store *conns[N + 1];
        pthread_t gate, t[N];
        for (int i = 0; i <= N; i++)
            conns[i] = store_open(db_path, NULL, false, err, sizeof err);
        for (int i = 0; i <= N; i++)
            CHECK(conns[i] != NULL);
        pthread_create(&gate, NULL, gate_thread, conns[N]);
        usleep(50 * 1000);
        for (int i = 0; i < N; i++) {
            m[i].s = conns[i];
            pthread_create(&t[i], NULL, mixed_thread, &m[i]);
            usleep(20 * 1000);
        }
        for (int i = 0; i < N; i++)
            pthread_join(t[i], NULL);
        pthread_join(gate, NULL);
        for (int i = 0; i <= N; i++)
            store_close(conns[i]);
        for (int i = 0; i < N; i++)
            CHECK(m[i].result == m[i].rc);
        /* a write not kept is never run again; a kept one at most once more
         * (no batch holds more than one kept write before "mixed refused"
         * undoes itself: "mixed kept 1", in the same batch or not) */
        for (int i = 0; i < N; i++)
            CHECK(m[i].runs == 1 || (m[i].keep && m[i].runs == 2));
        CHECK(m[5].runs == 1);
        CHECK(count("SELECT count(*) FROM comments WHERE body LIKE 'mixed kept %'") == 2);
        CHECK(count("SELECT count(*) FROM comments WHERE body LIKE 'mixed%'") == 2);
        CHECK(count("SELECT pending FROM article_comment_counts WHERE article_id = 1") ==
              stored + 2);
    }

    /* any commit, from any connection, moves the generation on */
    after = store_generation(s);
    CHECK(after > before);
    before = after;
    sqlite3 *other;
    sqlite3_open(db_path, &other);
    sqlite3_exec(other, "UPDATE articles SET title = 'B'", NULL, NULL, NULL);
    sqlite3_close(other);
    after = store_generation(s);
    CHECK(after > before);
    int64_t site_before, site_after;
    CHECK(store_site_version(s, &site_after) == STORE_OK);
    site_before = site_after;
    sqlite3_open(db_path, &other);
    sqlite3_exec(other, "UPDATE articles SET version = version + 1", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK(store_site_version(s, &site_after) == STORE_OK && site_after > site_before);

    /* Every connection syncs each commit itself, but the batches': its
     * commits are synced by its own thread (db_sync_log) before anyone is
     * answered. A connection told to defer its syncs says so. */
    CHECK(synchronous_of(s) == 2);
    {
        struct store *d = store_open(db_path, NULL, false, err, sizeof err);
        CHECK(d != NULL);
        if (!d)
            return check_result("test_group_commit");
        CHECK(synchronous_of(d) == 2);
        CHECK(db_defer_sync(d));
        CHECK(synchronous_of(d) == 1);
        CHECK(db_sync_log(d) == STORE_OK);
        store_close(d);
    }

    /* The batches' connection closed (a server's end) and opened again by
     * the next write; a write for another database closes it and opens one
     * on that database, and the next write for the first goes back there:
     * each comment lands in its own database. */
    store_group_commit_close();
    CHECK(post_one(s, "after a close") == COMMENT_STORED);
    CHECK(count("SELECT count(*) FROM comments WHERE body = 'after a close'") == 1);
    {
        char other_path[] = "/tmp/folio-test-group-other-XXXXXX";
        int ofd = mkstemp(other_path);
        CHECK(ofd >= 0);
        close(ofd);
        unlink(other_path);
        struct store *o = store_open(other_path, FOLIO_SOURCE_DIR "/sql", true, err, sizeof err);
        CHECK(o != NULL);
        if (!o)
            return check_result("test_group_commit");
        bool ocreated;
        int64_t other_id, other_version;
        CHECK(store_article_save(o, &in, &ocreated) == STORE_OK);
        CHECK(store_article_version(o, "a", &other_id, &other_version) == STORE_OK &&
              other_id == article_id);
        CHECK(post_one(o, "on the other database") == COMMENT_STORED);
        CHECK(post_one(s, "back on the first") == COMMENT_STORED);
        CHECK(count("SELECT count(*) FROM comments WHERE body = 'back on the first'") == 1);
        CHECK(count("SELECT count(*) FROM comments WHERE body = 'on the other database'") == 0);
        store_close(o);
        store_group_commit_close();
        for (const char *suffix = ""; suffix; suffix = *suffix ? NULL : "-wal") {
            char f[96];
            snprintf(f, sizeof f, "%s%s", other_path, suffix);
            unlink(f);
        }
        char shm[96];
        snprintf(shm, sizeof shm, "%s-shm", other_path);
        unlink(shm);
    }

    store_close(s);
    store_group_commit_close();     /* the batches' connection, as a server's end does */
    unlink(db_path);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", db_path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", db_path);
    unlink(aux);
    return check_result("test_group_commit");
}
