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

#define VIEW_COLUMNS                                                                        \
    "c.id, c.article_id, coalesce(c.parent_id, 0), c.status, c.author, c.email, c.url, "    \
    "c.body, c.ip, c.user_agent, c.created_at, a.slug, a.title "

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

static void read_view(struct arena *a, sqlite3_stmt *st, struct comment_view *out)
{
    struct comment *c = &out->c;
    c->id = sqlite3_column_int64(st, 0);
    c->article_id = sqlite3_column_int64(st, 1);
    c->parent_id = sqlite3_column_int64(st, 2);
    c->status = db_col_text(a, st, 3);
    c->author = db_col_text(a, st, 4);
    c->email = db_col_text(a, st, 5);
    c->url = db_col_text(a, st, 6);
    c->body = db_col_text(a, st, 7);
    c->ip = db_col_text(a, st, 8);
    c->user_agent = db_col_text(a, st, 9);
    c->created_at = sqlite3_column_int64(st, 10);
    out->article_slug = db_col_text(a, st, 11);
    out->article_title = db_col_text(a, st, 12);
}

int store_comments_page(struct store *s, struct arena *a, const char *status, int64_t after_id,
                        int limit, struct comment_view_list *out)
{
    out->count = 0;
    out->items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof *out->items);
    sqlite3_stmt *st = stmt(s, CQ_PAGE);
    if (!out->items || !st || !db_bind_text(st, ":status", status ? status : "") ||
        !db_bind_int(st, ":after", after_id) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->count < (size_t)limit)
        read_view(a, st, &out->items[out->count++]);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_error(s, "reading comments");
    return STORE_OK;
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
