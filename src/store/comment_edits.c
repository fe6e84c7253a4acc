/* comment_edits: a commenter's own changes to their pending comment (edit,
 * withdraw), each in one transaction with its moderation_log row. */
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/outbox.h"

/* The comment as the cookie names it. */
struct own_row {
    enum comment_status status;
    int64_t article_id;
    const char *email, *author;
};

static void read_own_row(struct arena *a, struct db_query *st, void *item)
{
    struct own_row *out = item;
    out->status = db_col_comment_status(st, 0);
    out->article_id = db_col_int(st, 1);
    out->email = db_col_text(a, st, 2);
    out->author = db_col_text(a, st, 3);
}

/* The row, when it is still pending: STORE_OK with *out OWN_CHANGED; else
 * *out says why not (gone, moderated). */
static int read_pending(struct store *s, struct arena *a, int64_t id, int64_t created_at,
                        struct own_row *row, enum own_change *out)
{
    struct db_query *st = db_stmt(s, STMT_OWN_GET);
    if (!st || !db_bind_int(st, ":id", id) || !db_bind_int(st, ":created", created_at))
        return STORE_ERROR;
    int rc = db_one_row(s, a, st, read_own_row, row, "reading a commenter's comment");
    *out = rc == STORE_NOT_FOUND ? OWN_GONE
           : row->status == CS_PENDING ? OWN_CHANGED
                                       : OWN_MODERATED;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

/* The commenter, as the log names them: no editor, no token. */
static int log_by_author(struct store *s, int64_t id, const struct own_row *row,
                         const char *author, const char *what)
{
    struct actor who = { .name = author };
    return db_log_change(s, id, row->article_id, row->status, what, &who, (int64_t)time(NULL));
}

static int is_duplicate(struct store *s, const struct own_edit *in, const struct own_row *row,
                        bool *dup)
{
    struct db_query *st = db_stmt(s, STMT_OWN_DUPLICATE);
    if (!st || !db_bind_int(st, ":article", row->article_id) ||
        !db_bind_text(st, ":email", row->email) || !db_bind_text(st, ":body", in->body) ||
        !db_bind_int(st, ":id", in->id))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, NULL, NULL, "checking a comment");
    *dup = rc == STORE_OK;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

/* --moderation first: the same author and email have an approved comment. */
static int commenter_known(struct store *s, const char *author, const char *email, bool *known)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_KNOWN);
    if (!st || !db_bind_text(st, ":author", author) || !db_bind_text(st, ":email", email))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, NULL, NULL, "checking a commenter");
    *known = rc == STORE_OK;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

static int update_row(struct store *s, const struct own_edit *in, enum comment_status status)
{
    struct db_query *st = db_stmt(s, STMT_OWN_UPDATE);
    if (!st || !db_bind_text(st, ":author", in->author) || !db_bind_text(st, ":url", in->url) ||
        !db_bind_text(st, ":body", in->body) || !db_bind_text(st, ":status", comment_status_name(status)) ||
        !db_bind_int(st, ":now", (int64_t)time(NULL)) || !db_bind_int(st, ":id", in->id))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

static int edit_in_tx(struct store *s, struct arena *a, const struct own_edit *in,
                      enum own_change *out, enum comment_status *status_out)
{
    struct own_row row = {0};
    bool dup = false, known = false;
    int rc = read_pending(s, a, in->id, in->created_at, &row, out);
    if (rc != STORE_OK || *out != OWN_CHANGED)
        return rc;
    if ((rc = is_duplicate(s, in, &row, &dup)) != STORE_OK || dup) {
        *out = dup ? OWN_DUPLICATE : *out;
        return rc;
    }
    bool may_approve = in->approve_known && in->status == CS_PENDING;
    if (may_approve && (rc = commenter_known(s, in->author, row.email, &known)) != STORE_OK)
        return rc;
    enum comment_status status = known ? CS_APPROVED : in->status;
    if (status != CS_PENDING && status != CS_SPAM && status != CS_APPROVED)
        return STORE_ERROR;
    if ((rc = update_row(s, in, status)) != STORE_OK ||
        (rc = log_by_author(s, in->id, &row, in->author, "edited")) != STORE_OK)
        return rc;
    *status_out = status;
    if (!known)
        return STORE_OK;
    /* approved as a new comment would be, with the same events */
    if ((rc = store_article_touch(s, row.article_id)) != STORE_OK)
        return rc;
    return outbox_comment_approved(s, in->id, (int64_t)time(NULL));
}

static int withdraw_in_tx(struct store *s, struct arena *a, int64_t id, int64_t created_at,
                          enum own_change *out)
{
    struct own_row row = {0};
    int rc = read_pending(s, a, id, created_at, &row, out);
    if (rc != STORE_OK || *out != OWN_CHANGED)
        return rc;
    struct db_query *st = db_stmt(s, STMT_MOD_DELETE);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK)
        return rc;
    return log_by_author(s, id, &row, row.author, "withdrawn");
}

/* Ends the change's transaction: committed when it changed something,
 * rolled back otherwise. */
static int in_transaction(struct store *s, int rc_of_change, enum own_change out)
{
    if (rc_of_change == STORE_OK && out == OWN_CHANGED)
        return store_commit(s) == STORE_OK ? STORE_OK : (store_rollback(s), STORE_ERROR);
    store_rollback(s);
    return rc_of_change;
}

int store_comment_own_edit(struct store *s, struct arena *a, const struct own_edit *in,
                           enum own_change *out, enum comment_status *status_out)
{
    *out = OWN_GONE;
    *status_out = CS_PENDING;
    if (store_begin(s) != STORE_OK)
        return STORE_ERROR;
    int rc = edit_in_tx(s, a, in, out, status_out);
    return in_transaction(s, rc, *out);
}

int store_comment_withdraw(struct store *s, struct arena *a, int64_t id, int64_t created_at,
                           enum own_change *out)
{
    *out = OWN_GONE;
    if (store_begin(s) != STORE_OK)
        return STORE_ERROR;
    int rc = withdraw_in_tx(s, a, id, created_at, out);
    return in_transaction(s, rc, *out);
}
