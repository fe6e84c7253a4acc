/* moderation: changing a comment's status or deleting it, each in one
 * transaction with its moderation_log row; the queue's views and the log. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/outbox.h"

static bool is_spam_or_trash(enum comment_status status)
{
    return status == CS_SPAM || status == CS_TRASH;
}

/* ---- changes ---- */

struct current {
    enum comment_status status;
    enum comment_status previous;   /* CS_NONE when none */
    int64_t article_id;
};

static void read_current_row(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    struct current *out = item;
    out->status = db_col_comment_status(st, 0);
    out->article_id = db_col_int(st, 1);
    out->previous = db_col_comment_status(st, 2);
}

static int read_current(struct store *s, int64_t id, struct current *out)
{
    struct db_query *st = db_stmt(s, STMT_MOD_GET);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, read_current_row, out, "reading a comment's status");
    if (rc != STORE_OK)
        return rc;
    return out->status != CS_NONE ? STORE_OK : db_error(s, "a comment has an unknown status");
}

int db_log_change(struct store *s, int64_t comment_id, int64_t article_id,
                  enum comment_status old_status, const char *what, const struct actor *who,
                  int64_t now)
{
    struct db_query *st = db_stmt(s, STMT_MOD_LOG);
    if (!st || !db_bind_int(st, ":now", now) || !db_bind_int(st, ":editor", who->editor_id) ||
        !db_bind_int(st, ":token", who->token_id) || !db_bind_text(st, ":actor", who->name) ||
        !db_bind_int(st, ":comment", comment_id) || !db_bind_int(st, ":article", article_id) ||
        !(old_status != CS_NONE ? db_bind_text(st, ":old", comment_status_name(old_status))
                                : db_bind_null(st, ":old")) ||
        !db_bind_text(st, ":new", what))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

/* The log's row; new_status CS_NONE: the comment was deleted. */
static int write_log(struct store *s, int64_t comment_id, const struct current *cur,
                     enum comment_status new_status, const struct actor *who, int64_t now)
{
    return db_log_change(s, comment_id, cur->article_id, cur->status,
                         new_status == CS_NONE ? "deleted" : comment_status_name(new_status),
                         who, now);
}

/* The change itself, inside a transaction someone else opened. */
static int set_status_in_tx(struct store *s, int64_t id, enum comment_status new_status,
                            const struct actor *who, struct current *cur)
{
    int rc = read_current(s, id, cur);
    if (rc != STORE_OK || cur->status == new_status)
        return rc;
    /* Into spam or trash: remember where it came from, for restore. */
    enum comment_status previous = CS_NONE;
    if (is_spam_or_trash(new_status))
        previous = is_spam_or_trash(cur->status) ? cur->previous : cur->status;
    int64_t now = (int64_t)time(NULL);
    struct db_query *st = db_stmt(s, STMT_MOD_SET);
    if (!st || !db_bind_text(st, ":status", comment_status_name(new_status)) ||
        !db_bind_int(st, ":now", now) ||
        !(previous != CS_NONE ? db_bind_text(st, ":previous", comment_status_name(previous))
                              : db_bind_null(st, ":previous")) ||
        !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK ||
        (rc = write_log(s, id, cur, new_status, who, now)) != STORE_OK)
        return rc;
    if (cur->status == CS_APPROVED || new_status == CS_APPROVED)
        rc = store_article_touch(s, cur->article_id);
    if (rc == STORE_OK && new_status == CS_APPROVED)
        rc = outbox_comment_approved(s, id, now);
    return rc;
}

static int delete_in_tx(struct store *s, int64_t id, const struct actor *who, bool guarded,
                        struct current *cur)
{
    int rc = read_current(s, id, cur);
    if (rc != STORE_OK)
        return rc;
    if (guarded && !is_spam_or_trash(cur->status))
        return STORE_CONFLICT;
    struct db_query *st = db_stmt(s, STMT_MOD_DELETE);
    if (!st || !db_bind_int(st, ":id", id) || (rc = db_exec_stmt(s, st)) != STORE_OK)
        return st ? rc : STORE_ERROR;
    if ((rc = write_log(s, id, cur, CS_NONE, who, (int64_t)time(NULL))) != STORE_OK)
        return rc;
    if (cur->status == CS_APPROVED)
        rc = store_article_touch(s, cur->article_id);
    return rc;
}

/* Opens a transaction unless the caller has one; returns whether it did,
 * or -1 when BEGIN failed. */
static int tx_open(struct store *s)
{
    if (db_in_transaction(s))
        return 0;
    return store_begin(s) == STORE_OK ? 1 : -1;
}

/* Ends a transaction tx_open opened: commits a success, rolls back the rest. */
static int tx_close(struct store *s, int opened, int rc)
{
    if (opened != 1)
        return rc;
    if (rc == STORE_OK)
        return store_commit(s) == STORE_OK ? STORE_OK : (store_rollback(s), STORE_ERROR);
    store_rollback(s);
    return rc;
}

int store_comment_set_status(struct store *s, int64_t id, enum comment_status new_status,
                             const struct actor *who, enum comment_status *old_status_out)
{
    if (new_status >= CS_COUNT)
        return STORE_CONFLICT;
    struct current cur = {0};
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    int rc = tx_close(s, opened, set_status_in_tx(s, id, new_status, who, &cur));
    if (old_status_out)
        *old_status_out = rc == STORE_OK ? cur.status : CS_NONE;
    return rc;
}

int store_comment_delete(struct store *s, int64_t id, const struct actor *who,
                         bool only_from_spam_or_trash)
{
    struct current cur = {0};
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    return tx_close(s, opened, delete_in_tx(s, id, who, only_from_spam_or_trash, &cur));
}

/* Where an action other than delete takes a comment that is in cur->status
 * now (CS_NONE: nowhere, it stays as it is). */
static enum comment_status action_target(enum comment_action action, const struct current *cur)
{
    switch (action) {
    case CA_APPROVE:
        return CS_APPROVED;
    case CA_SPAM:
        return CS_SPAM;
    case CA_TRASH:
        return CS_TRASH;
    case CA_UNAPPROVE:
        return cur->status == CS_APPROVED ? CS_PENDING : CS_NONE;
    case CA_RESTORE:
        if (!is_spam_or_trash(cur->status))
            return CS_NONE;
        return cur->previous != CS_NONE && !is_spam_or_trash(cur->previous) ? cur->previous
                                                                            : CS_PENDING;
    case CA_DELETE:
    case CA_COUNT:
        break;
    }
    return CS_NONE;
}

static int moderate_in_tx(struct store *s, int64_t id, enum comment_action action,
                          const struct actor *who, bool *changed)
{
    struct current cur = {0};
    if (action == CA_DELETE) {
        int rc = delete_in_tx(s, id, who, true, &cur);
        *changed = rc == STORE_OK;
        return rc;
    }
    int rc = read_current(s, id, &cur);
    if (rc != STORE_OK)
        return rc;
    enum comment_status target = action_target(action, &cur);
    if (target == CS_NONE || target == cur.status)
        return STORE_OK;
    *changed = true;
    return set_status_in_tx(s, id, target, who, &cur);
}

static int moderate_pending_in_tx(struct store *s, int64_t id, enum comment_action action,
                                  const struct actor *who, bool *changed)
{
    struct current cur = {0};
    int rc = read_current(s, id, &cur);
    if (rc != STORE_OK)
        return rc;
    if (cur.status != CS_PENDING)
        return STORE_CONFLICT;
    return moderate_in_tx(s, id, action, who, changed);
}

/* One action in a transaction (the caller's, or one of its own);
 * only_pending: none unless the comment is pending (STORE_CONFLICT). */
static int moderate(struct store *s, int64_t comment_id, enum comment_action action,
                    const struct actor *who, bool only_pending, bool *changed)
{
    *changed = false;
    if (action >= CA_COUNT)
        return STORE_CONFLICT;
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    int rc = tx_close(s, opened,
                      only_pending ? moderate_pending_in_tx(s, comment_id, action, who, changed)
                                   : moderate_in_tx(s, comment_id, action, who, changed));
    if (rc != STORE_OK)
        *changed = false;
    return rc;
}

int store_moderate(struct store *s, int64_t comment_id, enum comment_action action,
                   const struct actor *who, bool *changed)
{
    return moderate(s, comment_id, action, who, false, changed);
}

int store_moderate_pending(struct store *s, int64_t comment_id, enum comment_action action,
                           const struct actor *who, bool *changed)
{
    return moderate(s, comment_id, action, who, true, changed);
}

/* ---- an editor's reply and text edit ---- */

static int reply_in_tx(struct store *s, int64_t parent_id, const char *author, const char *body,
                       const struct actor *who, int64_t *id, bool *parent_approved)
{
    struct current cur = {0};
    int rc = read_current(s, parent_id, &cur);
    if (rc != STORE_OK)
        return rc;
    if (is_spam_or_trash(cur.status))
        return STORE_CONFLICT;
    if (cur.status == CS_PENDING) {
        if ((rc = set_status_in_tx(s, parent_id, CS_APPROVED, who, &cur)) != STORE_OK)
            return rc;
        *parent_approved = true;
    }
    int64_t now = (int64_t)time(NULL);
    struct db_query *st = db_stmt(s, STMT_MOD_REPLY_INSERT);
    if (!st || !db_bind_int(st, ":article", cur.article_id) ||
        !db_bind_int(st, ":parent", parent_id) || !db_bind_text(st, ":author", author) ||
        !db_bind_text(st, ":body", body) || !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK)
        return rc;
    *id = db_last_id(s);
    if ((rc = db_log_change(s, *id, cur.article_id, CS_NONE, comment_status_name(CS_APPROVED),
                            who, now)) != STORE_OK ||
        (rc = store_article_touch(s, cur.article_id)) != STORE_OK)
        return rc;
    /* stored approved: comment.approved, and comment.reply to the parent's subscriber */
    return outbox_comment_approved(s, *id, now);
}

int store_comment_site_reply(struct store *s, int64_t parent_id, const char *author,
                             const char *body, const struct actor *who, int64_t *id,
                             bool *parent_approved)
{
    *id = 0;
    *parent_approved = false;
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    int rc = tx_close(s, opened,
                      reply_in_tx(s, parent_id, author, body, who, id, parent_approved));
    if (rc != STORE_OK)
        *parent_approved = false;
    return rc;
}

static int set_text_in_tx(struct store *s, int64_t id, const char *body, const struct actor *who,
                          bool *changed)
{
    struct current cur = {0};
    int rc = read_current(s, id, &cur);
    if (rc != STORE_OK)
        return rc;
    struct db_query *st = db_stmt(s, STMT_MOD_SET_TEXT);
    if (!st || !db_bind_text(st, ":body", body) || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK || db_changes(s) == 0)
        return rc;
    *changed = true;
    if ((rc = db_log_change(s, id, cur.article_id, cur.status, "edited", who,
                            (int64_t)time(NULL))) != STORE_OK)
        return rc;
    /* the cached pages show the old text until the article moves on */
    return cur.status == CS_APPROVED ? store_article_touch(s, cur.article_id) : STORE_OK;
}

int store_comment_set_text(struct store *s, int64_t id, const char *body,
                           const struct actor *who, bool *changed)
{
    *changed = false;
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    int rc = tx_close(s, opened, set_text_in_tx(s, id, body, who, changed));
    if (rc != STORE_OK)
        *changed = false;
    return rc;
}

/* ---- the queue's views ---- */

static void read_counts(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    int64_t *counts = item;
    for (int i = 0; i < CS_COUNT; i++)
        counts[i] = db_col_int(st, i);
}

int store_comment_counts(struct store *s, int64_t counts[CS_COUNT])
{
    struct db_query *st = db_stmt(s, STMT_MOD_COUNTS);
    if (!st)
        return STORE_ERROR;
    for (int i = 0; i < CS_COUNT; i++)
        counts[i] = 0;
    return db_one_row(s, NULL, st, read_counts, counts, "counting comments") == STORE_OK
               ? STORE_OK
               : STORE_ERROR;
}

static void read_queue_item(struct arena *a, struct db_query *st, struct mod_comment *out)
{
    db_read_comment(a, st, &out->c);
    out->article_slug = db_col_text(a, st, COMMENT_COLUMN_COUNT);
    out->article_title = db_col_text(a, st, COMMENT_COLUMN_COUNT + 1);
    out->previous_status = db_col_comment_status(st, COMMENT_COLUMN_COUNT + 2);
    out->parent_author = db_col_text(a, st, COMMENT_COLUMN_COUNT + 3);
    out->parent_excerpt = db_col_text(a, st, COMMENT_COLUMN_COUNT + 4);
}

/* The log's new_status column holds a status's name or the event's. */
static enum log_event log_event_of(const char *what)
{
    static const char *const names[] = { [LOG_DELETED] = "deleted", [LOG_EDITED] = "edited",
                                         [LOG_WITHDRAWN] = "withdrawn" };
    for (size_t i = LOG_DELETED; what && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(what, names[i]) == 0)
            return (enum log_event)i;
    return LOG_STATUS;
}

static void read_log_entry(struct arena *a, struct db_query *st, struct modlog_entry *out)
{
    out->id = db_col_int(st, 0);
    out->at = db_col_int(st, 1);
    out->editor_id = db_col_int(st, 2);
    out->token_id = db_col_int(st, 3);
    out->actor = db_col_text(a, st, 4);
    out->comment_id = db_col_int(st, 5);
    out->article_id = db_col_int(st, 6);
    out->old_status = db_col_comment_status(st, 7);
    out->new_status = db_col_comment_status(st, 8);
    out->event = log_event_of(db_col_peek(st, 8));
    out->article_slug = db_col_text(a, st, 9);
    out->article_title = db_col_text(a, st, 10);
    out->comment_status = db_col_comment_status(st, 11);
}

/* One keyset page over ids, for either table. Rows are read by `read` into
 * an array of `size`-byte items; `id_of` gives an item's id. */
struct keyset {
    struct store *s;
    struct arena *a;
    enum stmt_id up, down;         /* the two statements */
    enum comment_status status;    /* bound as :status unless CS_ANY */
    size_t size;
    void (*read)(struct arena *, struct db_query *, void *);
    /* the queue's filter: :article when not 0, :like when not NULL */
    int64_t article_id;
    const char *like;
};

static struct db_query *keyset_stmt(const struct keyset *k, bool up, int64_t cursor, int limit)
{
    struct db_query *st = db_stmt(k->s, up ? k->up : k->down);
    if (!st || !db_bind_int(st, ":cursor", cursor) || !db_bind_int(st, ":limit", limit) ||
        (k->status != CS_ANY && !db_bind_text(st, ":status", comment_status_name(k->status))) ||
        (k->article_id && !db_bind_int(st, ":article", k->article_id)) ||
        (k->like && !db_bind_text(st, ":like", k->like)))
        return NULL;
    return st;
}

/* Reads up to `limit` rows into items (which holds limit + 1); returns the
 * count, or -1 on error. */
static long keyset_read(const struct keyset *k, bool up, int64_t cursor, int limit, char *items)
{
    struct db_query *st = keyset_stmt(k, up, cursor, limit);
    if (!st)
        return -1;
    long n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < limit)
        k->read(k->a, st, items + (size_t)n++ * k->size);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW) {
        db_error(k->s, "reading a page");
        return -1;
    }
    return n;
}

static bool keyset_any(const struct keyset *k, bool up, int64_t cursor)
{
    struct db_query *st = keyset_stmt(k, up, cursor, 1);
    bool any = st && db_step(st) == DB_ROW;
    if (st)
        db_reset(st);
    return any;
}

static void reverse_items(char *items, size_t n, size_t size, char *tmp)
{
    for (size_t i = 0; i < n / 2; i++) {
        char *x = items + i * size, *y = items + (n - 1 - i) * size;
        memcpy(tmp, x, size);
        memcpy(x, y, size);
        memcpy(y, tmp, size);
    }
}

/* Fills one page in display order (ascending ids when `ascending`).
 * `after`: the page that follows the item with that id; `before`: the page
 * that precedes it; neither: the first page. */
static int keyset_page(const struct keyset *k, bool ascending, int64_t after, int64_t before,
                       int limit, void **items_out, size_t *count, bool *has_prev,
                       bool *has_next)
{
    char *items = arena_alloc(k->a, (size_t)(limit + 2) * k->size);
    if (!items)
        return STORE_ERROR;
    bool backward = before > 0 && after == 0;
    int64_t cursor = backward ? before : after > 0 ? after : ascending ? 0 : INT64_MAX;
    /* Forward in display order is up the ids when ascending. */
    bool up = backward ? !ascending : ascending;
    long n = keyset_read(k, up, cursor, limit + 1, items);
    if (n < 0)
        return STORE_ERROR;
    bool more = n > limit;
    size_t got = more ? (size_t)limit : (size_t)n;
    bool beyond_cursor = (after > 0 || backward) && keyset_any(k, !up, up ? cursor + 1 : cursor - 1);
    if (backward) {
        reverse_items(items, got, k->size, items + (size_t)(limit + 1) * k->size);
        *has_prev = more;
        *has_next = beyond_cursor;
    } else {
        *has_prev = beyond_cursor;
        *has_next = more;
    }
    *items_out = items;
    *count = got;
    return STORE_OK;
}

static void read_queue_any(struct arena *a, struct db_query *st, void *item)
{
    read_queue_item(a, st, item);
}

static void read_log_any(struct arena *a, struct db_query *st, void *item)
{
    read_log_entry(a, st, item);
}

/* The statements for a view of the queue: the whole status, one
 * article's (perhaps searched), or the whole status searched. */
static bool queue_keyset(struct keyset *k, const struct comment_filter *f)
{
    bool search = f && f->text && *f->text;
    if (f && f->article_id) {
        k->up = STMT_MOD_ARTICLE_UP;
        k->down = STMT_MOD_ARTICLE_DOWN;
        k->article_id = f->article_id;
    } else if (search) {
        k->up = STMT_MOD_SEARCH_UP;
        k->down = STMT_MOD_SEARCH_DOWN;
    }
    if (k->up != STMT_MOD_PAGE_UP)
        k->like = db_like_pattern(k->a, search ? f->text : NULL);
    return k->up == STMT_MOD_PAGE_UP || k->like;
}

int store_comments_by_status(struct store *s, struct arena *a, enum comment_status status,
                             const struct comment_filter *filter, int64_t after,
                             int64_t before, int limit, struct mod_comment_page *out)
{
    if (status >= CS_COUNT)
        return STORE_NOT_FOUND;
    struct keyset k = { s, a, STMT_MOD_PAGE_UP, STMT_MOD_PAGE_DOWN, status,
                        sizeof(struct mod_comment), read_queue_any, 0, NULL };
    if (!queue_keyset(&k, filter))
        return STORE_ERROR;
    /* The queue is worked oldest first; the other views show the newest first. */
    bool ascending = status == CS_PENDING;
    void *items;
    int rc = keyset_page(&k, ascending, after, before, limit, &items, &out->count,
                         &out->has_prev, &out->has_next);
    out->items = items;
    return rc;
}

int store_modlog_page(struct store *s, struct arena *a, int64_t after, int64_t before,
                      int limit, struct modlog_page *out)
{
    struct keyset k = { s, a, STMT_MOD_LOG_UP, STMT_MOD_LOG_DOWN, CS_ANY, sizeof(struct modlog_entry),
                        read_log_any, 0, NULL };
    void *items;
    int rc = keyset_page(&k, false, after, before, limit, &items, &out->count, &out->has_prev,
                         &out->has_next);
    out->items = items;
    return rc;
}

/* ---- undo ---- */

int store_modlog_last_id(struct store *s, int64_t *id)
{
    struct db_query *st = db_stmt(s, STMT_MOD_LAST_LOG_ID);
    if (!st)
        return STORE_ERROR;
    *id = 0;
    return db_one_int(s, st, id, "reading the log") == STORE_OK ? STORE_OK : STORE_ERROR;
}

struct undo_row {
    int64_t comment_id;
    enum comment_status old_status, new_status;   /* CS_NONE when not a status */
    bool latest;
};

static void read_undo_row(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    struct undo_row *r = item;
    r->comment_id = db_col_int(st, 0);
    r->old_status = db_col_comment_status(st, 1);
    r->new_status = db_col_comment_status(st, 2);
    r->latest = db_col_int(st, 3) != 0;
}

/* Puts one comment back, when nothing has changed it since its row. */
static int undo_one(struct store *s, const struct undo_row *r, const struct actor *who,
                    struct undo_result *out)
{
    struct current cur = {0};
    int rc = r->latest && r->old_status != CS_NONE && r->new_status != CS_NONE
                 ? read_current(s, r->comment_id, &cur)
                 : STORE_NOT_FOUND;
    if (rc == STORE_OK && cur.status == r->new_status)
        rc = set_status_in_tx(s, r->comment_id, r->old_status, who, &cur);
    else if (rc == STORE_OK || rc == STORE_NOT_FOUND)
        rc = STORE_CONFLICT;
    out->undone += rc == STORE_OK;
    out->skipped += rc == STORE_CONFLICT;
    return rc == STORE_CONFLICT ? STORE_OK : rc;
}

static int undo_in_tx(struct store *s, struct arena *a, int64_t from, int64_t to,
                      const struct actor *who, struct undo_result *out)
{
    struct db_query *st = db_stmt(s, STMT_MOD_UNDO_ROWS);
    if (!st || !db_bind_int(st, ":from", from) || !db_bind_int(st, ":to", to) ||
        !db_bind_int(st, ":editor", who->editor_id))
        return STORE_ERROR;
    void *items;
    size_t count;
    /* Read them all first: putting back writes new rows into the log. */
    int rc = db_collect(s, a, st, sizeof(struct undo_row), 0, read_undo_row, &items, &count,
                        "reading an action to undo");
    for (size_t i = 0; rc == STORE_OK && i < count; i++)
        rc = undo_one(s, (struct undo_row *)items + i, who, out);
    return rc;
}

int store_moderation_undo(struct store *s, struct arena *a, int64_t from, int64_t to,
                          const struct actor *who, struct undo_result *out)
{
    *out = (struct undo_result){0};
    int opened = tx_open(s);
    if (opened < 0)
        return STORE_ERROR;
    int rc = tx_close(s, opened, undo_in_tx(s, a, from, to, who, out));
    if (rc != STORE_OK)
        *out = (struct undo_result){0};
    return rc;
}
