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

/* Each name table reads back what it prints, and nothing else. */
static void check_name_tables(void)
{
    for (int i = 0; i < CS_COUNT; i++) {
        enum comment_status cs = CS_NONE;
        CHECK(comment_status_parse(comment_status_name((enum comment_status)i), &cs) &&
              (int)cs == i);
    }
    for (int i = 0; i < CA_COUNT; i++) {
        enum comment_action ca = CA_COUNT;
        CHECK(comment_action_parse(comment_action_name((enum comment_action)i), &ca) &&
              (int)ca == i);
    }
    for (int i = 0; i < AS_COUNT; i++) {
        enum article_status as = AS_ANY;
        CHECK(article_status_parse(article_status_name((enum article_status)i), &as) &&
              (int)as == i);
    }
    enum comment_status cs;
    enum article_status as;
    CHECK(!comment_status_parse("", &cs) && !comment_status_parse("deleted", &cs) &&
          !comment_status_parse("Approved", &cs) && !comment_status_parse(NULL, &cs));
    CHECK(!article_status_parse("", &as) && !article_status_parse("publish", &as));
    CHECK_STR(comment_status_name(CS_NONE), "");
    CHECK_STR(comment_status_name(CS_ANY), "");
    CHECK_STR(article_status_name(AS_ANY), "");
}

/* The listings' filters: one status, every status (the _ANY values), and
 * CS_NONE, which is no filter and lists nothing. */
static void check_status_filters(struct store *s, struct arena *a, int64_t article_id)
{
    struct comment_input c = { .article_id = article_id, .status = CS_SPAM, .author = "R",
                               .email = "r@example.org", .url = "", .body = "one",
                               .ip = "192.0.2.1", .user_agent = "", .created_at = 1000 };
    int64_t spam, pending;
    CHECK(store_comment_insert(s, &c, &spam) == STORE_OK);
    c.status = CS_PENDING;
    c.body = "two";
    CHECK(store_comment_insert(s, &c, &pending) == STORE_OK);
    struct comment_view_list views;
    CHECK(store_comments_page(s, a, CS_ANY, NULL, 0, 10, &views) == STORE_OK && views.count == 2);
    CHECK(store_comments_page(s, a, CS_SPAM, NULL, 0, 10, &views) == STORE_OK && views.count == 1 &&
          views.items[0].c.id == spam && views.items[0].c.status == CS_SPAM);
    CHECK(store_comments_page(s, a, CS_NONE, NULL, 0, 10, &views) == STORE_NOT_FOUND);
    struct article_list articles;
    CHECK(store_articles_page(s, a, AS_ANY, 0, 10, &articles) == STORE_OK &&
          articles.count == 1);
    CHECK(store_articles_page(s, a, AS_PUBLISHED, 0, 10, &articles) == STORE_OK &&
          articles.count == 0);

    /* moderation speaks in the enums, and the log reads back as them */
    struct actor who = { .editor_id = 0, .token_id = 0, .name = "test" };
    enum comment_status old = CS_NONE;
    bool changed = false;
    CHECK(store_comment_set_status(s, pending, CS_TRASH, &who, &old) == STORE_OK &&
          old == CS_PENDING);
    CHECK(store_comment_set_status(s, pending, CS_NONE, &who, &old) == STORE_CONFLICT);
    struct mod_comment_page queue;
    CHECK(store_comments_by_status(s, a, CS_TRASH, NULL, 0, 0, 10, &queue) == STORE_OK &&
          queue.count == 1 && queue.items[0].previous_status == CS_PENDING);
    CHECK(store_moderate(s, pending, CA_RESTORE, &who, &changed) == STORE_OK && changed);
    CHECK(store_moderate(s, spam, CA_DELETE, &who, &changed) == STORE_OK && changed);
    struct modlog_page log;
    CHECK(store_modlog_page(s, a, 0, 0, 10, &log) == STORE_OK && log.count == 3);
    CHECK(log.items[0].old_status == CS_SPAM && log.items[0].new_status == CS_NONE &&
          log.items[0].comment_status == CS_NONE);
    CHECK(log.items[1].old_status == CS_TRASH && log.items[1].new_status == CS_PENDING &&
          log.items[1].comment_status == CS_PENDING);
    CHECK(store_comments_by_status(s, a, CS_PENDING, NULL, 0, 0, 10, &queue) == STORE_OK &&
          queue.count == 1 && queue.items[0].previous_status == CS_NONE);
    CHECK(store_comments_by_status(s, a, CS_ANY, NULL, 0, 0, 10, &queue) == STORE_NOT_FOUND);
}

int main(void)
{
    check_name_tables();
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
    CHECK(art.status == AS_DRAFT);
    check_status_filters(s, &a, art.id);
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
