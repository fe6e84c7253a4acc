/* versions: the cheap numbers the page cache checks before it serves a
 * rendered page again: an article's version and the site's (sql/003). The
 * change generation that says when to ask is the driver's (driver.h). */
#include "store/db.h"

#include <string.h>

static void read_id_version(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    int64_t *pair = item;
    pair[0] = db_col_int(st, 0);
    pair[1] = db_col_int(st, 1);
}

int store_article_version(struct store *s, const char *slug, int64_t *id, int64_t *version)
{
    struct db_query *st = db_stmt(s, STMT_VERSION_ARTICLE);
    if (!st || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    int64_t pair[2];
    int rc = db_one_row(s, NULL, st, read_id_version, pair, "reading an article's version");
    if (rc == STORE_OK) {
        *id = pair[0];
        *version = pair[1];
    }
    return rc;
}

int store_article_post_target(struct store *s, const char *slug, int64_t *id,
                              bool *comments_open)
{
    struct db_query *st = db_stmt(s, STMT_VERSION_POST_TARGET);
    if (!st || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    int64_t pair[2];
    int rc = db_one_row(s, NULL, st, read_id_version, pair, "reading an article");
    if (rc == STORE_OK) {
        *id = pair[0];
        *comments_open = pair[1] != 0;
    }
    return rc;
}

/* The one number statement `id` selects, into *out. */
static int read_number(struct store *s, enum stmt_id id, const char *what, int64_t *out)
{
    struct db_query *st = db_stmt(s, id);
    if (!st)
        return STORE_ERROR;
    return db_one_int(s, st, out, what);
}

int store_site_version(struct store *s, int64_t *version)
{
    return read_number(s, STMT_VERSION_SITE, "reading the site's version", version);
}

int store_site_changed_at(struct store *s, int64_t *t)
{
    return read_number(s, STMT_VERSION_SITE_CHANGED, "reading when the site changed", t);
}
