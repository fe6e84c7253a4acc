/* versions: the cheap numbers the page cache checks before it serves a
 * rendered page again: an article's version, and the site's (sql/003). */
#include "store/db.h"

enum {
    V_ARTICLE,
    V_SITE,
    V_COUNT_,
};
_Static_assert(STMT_BASE_VERSIONS + V_COUNT_ <= STMT_SLOTS, "statement slots");

static const char *const version_sql[] = {
    [V_ARTICLE] = "SELECT id, version FROM articles WHERE slug = :slug AND status = 'published'",
    [V_SITE] = "SELECT n FROM site_version WHERE id = 1",
};

static sqlite3_stmt *stmt(struct store *s, int id)
{
    return db_stmt(s, STMT_BASE_VERSIONS + id, version_sql[id]);
}

int store_article_version(struct store *s, const char *slug, int64_t *id, int64_t *version)
{
    sqlite3_stmt *st = stmt(s, V_ARTICLE);
    if (!st || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : db_error(s, "reading an article's version");
}

int store_site_version(struct store *s, int64_t *version)
{
    sqlite3_stmt *st = stmt(s, V_SITE);
    if (!st)
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : db_error(s, "reading the site's version");
}
