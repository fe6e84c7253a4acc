/* Unit tests: migrations, the refusal of a newer database, articles and tags. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"

static char db_path[] = "/tmp/folio-test-store-XXXXXX";

static int user_version(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;
    sqlite3_open(db_path, &db);
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void set_user_version(int v)
{
    sqlite3 *db;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
    sqlite3_open(db_path, &db);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

int main(void)
{
    int fd = mkstemp(db_path);
    CHECK(fd >= 0);
    close(fd);
    unlink(db_path);
    char err[1024];
    const char *sql_dir = FOLIO_SOURCE_DIR "/sql";

    /* Without create, a missing database is an error naming it. */
    CHECK(store_open(db_path, sql_dir, false, err, sizeof err) == NULL);
    CHECK(strstr(err, db_path) != NULL);

    struct store *s = store_open(db_path, sql_dir, true, err, sizeof err);
    CHECK(s != NULL);
    int version = user_version();
    CHECK(version >= 1);

    struct article_input in = { .slug = "north", .title = "Talks in the north",
                                .author = "A", .body = "zeppelin *over* the sea",
                                .body_html = "<p>x</p>", .tags = "North Korea, Diplomacy",
                                .source = "Desk", .status = AS_PUBLISHED,
                                .published_at = 1000, .comments_open = true };
    bool created = false;
    CHECK(store_article_save(s, &in, &created) == STORE_OK && created);
    in.title = "Talks resume in the north";
    CHECK(store_article_save(s, &in, &created) == STORE_OK && !created);

    struct arena a = {0};
    struct article art;
    CHECK(store_article_by_slug(s, &a, "north", true, &art) == STORE_OK);
    CHECK_STR(art.title, "Talks resume in the north");
    CHECK(art.version == 2);
    const char *name;
    CHECK(store_tag_name(s, &a, "north-korea", &name) == STORE_OK);
    CHECK_STR(name, "North Korea");
    struct article_list list;
    CHECK(store_articles_published(s, &a, "diplomacy", 0, 20, &list) == STORE_OK &&
          list.count == 1);
    CHECK(store_articles_search(s, &a, "zeppelin", 20, &list) == STORE_OK && list.count == 1);
    /* FTS syntax typed by a reader is searched as words, never an error */
    CHECK(store_articles_search(s, &a, "\"AND( * NEAR", 20, &list) == STORE_OK);
    CHECK(store_articles_search(s, &a, "   ", 20, &list) == STORE_OK && list.count == 0);

    in.status = AS_DRAFT;
    CHECK(store_article_save(s, &in, &created) == STORE_OK);
    CHECK(store_article_by_slug(s, &a, "north", true, &art) == STORE_NOT_FOUND);
    CHECK(store_article_by_slug(s, &a, "north", false, &art) == STORE_OK);
    store_close(s);

    /* Opening again applies nothing new; a newer database is refused. */
    s = store_open(db_path, sql_dir, true, err, sizeof err);
    CHECK(s != NULL && user_version() == version);
    store_close(s);
    set_user_version(999);
    CHECK(store_open(db_path, sql_dir, true, err, sizeof err) == NULL);
    CHECK(strstr(err, "newer") != NULL && strstr(err, db_path) != NULL);

    arena_free(&a);
    char path[128];
    unlink(db_path);
    snprintf(path, sizeof path, "%s-wal", db_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db_path);
    unlink(path);
    return check_result("test_store");
}
