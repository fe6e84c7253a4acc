/* comment_queries: comments as the JSON API shows them, with their article. */
#include "store/db.h"

enum {
    CQ_PAGE,
    CQ_BY_ID,
    CQ_COUNT_,
};

/* tokens.c holds the first 8 slots of the range. */
#define CQ_BASE (STMT_BASE_TOKENS + 8)
_Static_assert(CQ_BASE + CQ_COUNT_ <= STMT_SLOTS, "statement slots");

#define VIEW_COLUMNS COMMENT_COLUMNS ", a.slug, a.title "

static const char *const cq_sql[] = {
    /* Keyset paging by id: one status, or all for ''. */
    [CQ_PAGE] = "SELECT " VIEW_COLUMNS "FROM comments c JOIN articles a ON a.id = c.article_id "
                "WHERE c.id > :after AND (:status = '' OR c.status = :status) "
                "ORDER BY c.id LIMIT :limit",
    [CQ_BY_ID] = "SELECT " VIEW_COLUMNS "FROM comments c JOIN articles a ON a.id = c.article_id "
                 "WHERE c.id = :id",
};

static sqlite3_stmt *stmt(struct store *s, int id)
{
    return db_stmt(s, CQ_BASE + id, cq_sql[id]);
}

static void read_view(struct arena *a, sqlite3_stmt *st, void *item)
{
    struct comment_view *out = item;
    db_read_comment(a, st, &out->c);
    out->article_slug = db_col_text(a, st, COMMENT_COLUMN_COUNT);
    out->article_title = db_col_text(a, st, COMMENT_COLUMN_COUNT + 1);
}

int store_comments_page(struct store *s, struct arena *a, const char *status, int64_t after_id,
                        int limit, struct comment_view_list *out)
{
    out->count = 0;
    out->items = NULL;
    sqlite3_stmt *st = stmt(s, CQ_PAGE);
    if (!st || !db_bind_text(st, ":status", status ? status : "") ||
        !db_bind_int(st, ":after", after_id) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, limit > 0 ? (size_t)limit : 1, read_view,
                        &items, &out->count, "reading comments");
    out->items = items;
    return rc;
}

int store_comment_view(struct store *s, struct arena *a, int64_t id, struct comment_view *out)
{
    sqlite3_stmt *st = stmt(s, CQ_BY_ID);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_view(a, st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : db_error(s, "reading a comment");
}
