/* comment_pages: an article's comments as threads, and the pages that hold
 * them, found by index at any size (sql/016 explains the counts). */
#include "core/buf.h"
#include "store/db.h"

#define BLOCK_IDS 1024      /* ids per row of comment_thread_blocks (sql/016) */

int store_thread_count(struct store *s, int64_t article_id, int64_t *count)
{
    struct db_query *st = db_stmt(s, STMT_THREAD_COUNT);
    if (!st || !db_bind_int(st, ":article", article_id))
        return STORE_ERROR;
    return db_one_int(s, st, count, "counting threads");
}

/* The block that holds the n-th thread (its counts added up in order),
 * then the thread within the block: fewer than BLOCK_IDS entries of
 * comment_threads are stepped over. */
int store_thread_start(struct store *s, int64_t article_id, int64_t n, int64_t *id)
{
    if (n < 1)
        return STORE_NOT_FOUND;
    struct db_query *st = db_stmt(s, STMT_THREAD_BLOCKS);
    if (!st || !db_bind_int(st, ":article", article_id))
        return STORE_ERROR;
    int64_t before = 0, block = -1;
    enum db_step step;
    while ((step = db_step(st)) == DB_ROW) {
        int64_t threads = db_col_int(st, 1);
        if (before + threads >= n) {
            block = db_col_int(st, 0);
            break;
        }
        before += threads;
    }
    int rc = step == DB_ROW || step == DB_DONE ? STORE_OK : db_error(s, "finding a thread");
    db_reset(st);
    if (rc != STORE_OK)
        return rc;
    if (block < 0)
        return STORE_NOT_FOUND;
    st = db_stmt(s, STMT_THREAD_IN_BLOCK);
    if (!st || !db_bind_int(st, ":article", article_id) || !db_bind_int(st, ":block", block) ||
        !db_bind_int(st, ":skip", n - before - 1))
        return STORE_ERROR;
    return db_one_int(s, st, id, "finding a thread");
}

static void read_page_row(struct arena *a, struct db_query *st, void *item)
{
    db_read_comment(a, st, item);
}

int store_comments_for_page(struct store *s, struct arena *a, int64_t article_id,
                            int64_t from, int64_t to, const int64_t *own, size_t own_count,
                            struct comment_list *out)
{
    out->items = NULL;
    out->count = 0;
    struct buf ids = {0};
    buf_putc(&ids, '[');
    for (size_t i = 0; i < own_count; i++)
        buf_printf(&ids, "%s%lld", i ? "," : "", (long long)own[i]);
    buf_putc(&ids, ']');
    struct db_query *st = db_stmt(s, STMT_COMMENT_PAGE);
    bool ok = st && !ids.failed && db_bind_int(st, ":article", article_id) &&
              db_bind_int(st, ":from", from) && db_bind_int(st, ":to", to) &&
              db_bind_text(st, ":own", buf_cstr(&ids));
    buf_free(&ids);
    if (!ok)
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_page_row, &items, &out->count,
                        "reading a page of comments");
    out->items = items;
    return rc;
}

struct place {
    int64_t article_id;
    bool in_thread;         /* the comment is in a thread; else shown on its own */
    int64_t before;         /* threads before its thread, or before it */
};

static void read_place(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    struct place *p = item;
    p->article_id = db_col_int(st, 0);
    p->in_thread = db_col_int(st, 1) != 0;
    p->before = db_col_int(st, 2);
}

int store_comment_page(struct store *s, int64_t id, int per_page, int64_t *article_id,
                       int64_t *page)
{
    struct place p;
    struct db_query *st = db_stmt(s, STMT_COMMENT_PLACE_TOP);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, read_place, &p, "placing a comment");
    if (rc == STORE_NOT_FOUND) {    /* a reply, or no such comment */
        st = db_stmt(s, STMT_COMMENT_PLACE);
        if (!st || !db_bind_int(st, ":id", id))
            return STORE_ERROR;
        rc = db_one_row(s, NULL, st, read_place, &p, "placing a comment");
    }
    if (rc != STORE_OK)
        return rc;
    *article_id = p.article_id;
    if (per_page <= 0)
        *page = 1;
    else if (p.in_thread)       /* thread number before + 1 */
        *page = p.before / per_page + 1;
    else                        /* at the end of the page with the thread before it */
        *page = p.before ? (p.before - 1) / per_page + 1 : 1;
    return STORE_OK;
}
