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
#include "store/group_commit.h"
#include "store/store.h"

#define THREADS 8
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

    /* a failing write keeps nothing, and reports its failure */
    CHECK(group_write(s, failing_write, NULL) == STORE_ERROR);
    CHECK(count("SELECT count(*) FROM comments WHERE body = 'never kept'") == 0);

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

    store_close(s);
    unlink(db_path);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", db_path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", db_path);
    unlink(aux);
    return check_result("test_group_commit");
}
