/* comment_queries: comments as the JSON API shows them, with their article. */
#include "store/db.h"

static void read_view(struct arena *a, struct db_query *st, void *item)
{
    struct comment_view *out = item;
    db_read_comment(a, st, &out->c);
    out->article_slug = db_col_text(a, st, COMMENT_COLUMN_COUNT);
    out->article_title = db_col_text(a, st, COMMENT_COLUMN_COUNT + 1);
}

int store_comments_page(struct store *s, struct arena *a, enum comment_status status,
                        const struct comment_filter *filter, int64_t after_id, int limit,
                        struct comment_view_list *out)
{
    out->count = 0;
    out->items = NULL;
    if (status >= CS_COUNT && status != CS_ANY)
        return STORE_NOT_FOUND;
    struct db_query *st = db_stmt(s, STMT_COMMENT_VIEW_PAGE);
    const char *name = status == CS_ANY ? "" : comment_status_name(status); /* '': any */
    const char *like = db_like_pattern(a, filter ? filter->text : NULL);
    if (!st || !like || !db_bind_text(st, ":status", name) || !db_bind_text(st, ":like", like) ||
        !db_bind_int(st, ":article", filter ? filter->article_id : 0) ||
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
    struct db_query *st = db_stmt(s, STMT_COMMENT_VIEW_BY_ID);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_view, out, "reading a comment");
}
