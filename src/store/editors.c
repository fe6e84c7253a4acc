/* editors: editors' accounts, their sign-in sessions and failed sign-ins. */
#include <string.h>
#include <time.h>

#include "store/db.h"

/* A session seen within this many seconds is not written back again. */
#define SESSION_TOUCH_SECONDS 60

static int64_t now_seconds(void)
{
    return (int64_t)time(NULL);
}

/* ---- editors ---- */

int store_editor_add(struct store *s, const char *name, const char *password_hash)
{
    struct db_query *st = db_stmt(s, STMT_EDITOR_ADD);
    if (!st || !db_bind_text(st, ":name", name) || !db_bind_text(st, ":hash", password_hash) ||
        !db_bind_int(st, ":now", now_seconds()))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

static int run_by_name(struct store *s, enum stmt_id id, const char *name)
{
    struct db_query *st = db_stmt(s, id);
    if (!st || !db_bind_text(st, ":name", name))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_editor_set_password(struct store *s, const char *name, const char *password_hash)
{
    if (store_begin(s) != STORE_OK)
        return STORE_ERROR;
    struct db_query *st = db_stmt(s, STMT_EDITOR_SET_PASSWORD);
    int rc = STORE_ERROR;
    if (st && db_bind_text(st, ":name", name) && db_bind_text(st, ":hash", password_hash) &&
        db_bind_int(st, ":now", now_seconds()))
        rc = db_exec_stmt(s, st);
    if (rc == STORE_OK && db_changes(s) == 0)
        rc = STORE_NOT_FOUND;
    /* A new password ends every session signed in with the old one. */
    if (rc == STORE_OK)
        rc = run_by_name(s, STMT_EDITOR_END_SESSIONS, name);
    if (rc == STORE_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int store_editor_rehash(struct store *s, int64_t editor_id, const char *old_hash,
                        const char *new_hash)
{
    struct db_query *st = db_stmt(s, STMT_EDITOR_REHASH);
    if (!st || !db_bind_int(st, ":id", editor_id) || !db_bind_text(st, ":old", old_hash) ||
        !db_bind_text(st, ":new", new_hash))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_editor_delete(struct store *s, const char *name)
{
    int rc = run_by_name(s, STMT_EDITOR_DELETE, name);
    if (rc != STORE_OK)
        return rc;
    return db_changes(s) ? STORE_OK : STORE_NOT_FOUND;
}

static void read_editor(struct arena *a, struct db_query *st, struct editor *out)
{
    out->id = db_col_int(st, 0);
    out->name = db_col_text(a, st, 1);
    out->password_hash = db_col_text(a, st, 2);
    out->created_at = db_col_int(st, 3);
    out->password_changed_at = db_col_int(st, 4);
    out->sessions = db_col_int(st, 5);
}

static void read_editor_row(struct arena *a, struct db_query *st, void *item)
{
    read_editor(a, st, item);
}

int store_editor_by_name(struct store *s, struct arena *a, const char *name, struct editor *out)
{
    struct db_query *st = db_stmt(s, STMT_EDITOR_BY_NAME);
    if (!st || !db_bind_text(st, ":name", name))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_editor_row, out, "reading an editor");
}

static bool bind_session_limits(struct db_query *st, int64_t now)
{
    return db_bind_int(st, ":idle", now - SESSION_IDLE_SECONDS) &&
           db_bind_int(st, ":oldest", now - SESSION_MAX_SECONDS);
}

int store_editors(struct store *s, struct arena *a, struct editor_list *out)
{
    struct db_query *st = db_stmt(s, STMT_EDITOR_LIST);
    if (!st || !bind_session_limits(st, now_seconds()))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_editor_row, &items, &out->count,
                        "listing editors");
    out->items = items;
    return rc;
}

/* ---- sessions ---- */

int store_session_create(struct store *s, int64_t editor_id,
                         const unsigned char token_hash[SESSION_HASH_BYTES],
                         const char *csrf_token, int64_t *id)
{
    int64_t now = now_seconds();
    struct db_query *purge = db_stmt(s, STMT_SESSION_PURGE);
    if (!purge || !bind_session_limits(purge, now) || db_exec_stmt(s, purge) != STORE_OK)
        return STORE_ERROR;
    struct db_query *st = db_stmt(s, STMT_SESSION_CREATE);
    if (!st || !db_bind_blob(st, ":hash", token_hash, SESSION_HASH_BYTES) ||
        !db_bind_int(st, ":editor", editor_id) || !db_bind_text(st, ":csrf", csrf_token) ||
        !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc == STORE_OK)
        *id = db_last_id(s);
    return rc;
}

static int session_touch(struct store *s, int64_t id, int64_t now)
{
    struct db_query *st = db_stmt(s, STMT_SESSION_TOUCH);
    if (!st || !db_bind_int(st, ":id", id) || !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

struct found_session {
    struct session *session;
    int64_t last_seen;
};

static void read_session(struct arena *a, struct db_query *st, void *item)
{
    struct found_session *f = item;
    f->session->id = db_col_int(st, 0);
    f->session->editor_id = db_col_int(st, 1);
    f->session->editor_name = db_col_text(a, st, 2);
    f->session->csrf_token = db_col_text(a, st, 3);
    f->last_seen = db_col_int(st, 4);
}

int store_session_find(struct store *s, struct arena *a,
                       const unsigned char token_hash[SESSION_HASH_BYTES], struct session *out)
{
    int64_t now = now_seconds();
    struct db_query *st = db_stmt(s, STMT_SESSION_FIND);
    if (!st || !db_bind_blob(st, ":hash", token_hash, SESSION_HASH_BYTES) ||
        !bind_session_limits(st, now))
        return STORE_ERROR;
    struct found_session found = { out, 0 };
    int rc = db_one_row(s, a, st, read_session, &found, "reading a session");
    if (rc != STORE_OK)
        return rc;
    /* A failed touch is logged and does not end the session. */
    if (now - found.last_seen >= SESSION_TOUCH_SECONDS)
        session_touch(s, out->id, now);
    return STORE_OK;
}

int store_session_delete(struct store *s, int64_t id)
{
    struct db_query *st = db_stmt(s, STMT_SESSION_DELETE);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

/* ---- failed sign-ins ---- */

int store_login_failure_add(struct store *s, const char *name, const char *ip)
{
    int64_t now = now_seconds();
    struct db_query *prune = db_stmt(s, STMT_LOGIN_FAILURE_PRUNE);
    if (!prune || !db_bind_int(prune, ":since", now - LOGIN_WINDOW_SECONDS) ||
        db_exec_stmt(s, prune) != STORE_OK)
        return STORE_ERROR;
    struct db_query *st = db_stmt(s, STMT_LOGIN_FAILURE_ADD);
    if (!st || !db_bind_text(st, ":name", name) || !db_bind_text(st, ":ip", ip) ||
        !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

/* The time of the LOGIN_MAX_FAILURES-th newest failure from one address
 * in the window, or 0 when there are fewer. */
static int nth_failure_from(struct store *s, const char *ip, int64_t now, int64_t *at)
{
    struct db_query *st = db_stmt(s, STMT_LOGIN_FAILURE_NTH_IP);
    if (!st || !db_bind_text(st, ":ip", ip) ||
        !db_bind_int(st, ":since", now - LOGIN_WINDOW_SECONDS) ||
        !db_bind_int(st, ":nth", LOGIN_MAX_FAILURES - 1))
        return STORE_ERROR;
    *at = 0;
    return db_one_int(s, st, at, "reading sign-ins") == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

static void read_name_failures(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    struct login_state *out = item;
    out->name_failures = db_col_int(st, 0);
    out->name_last_failure = db_col_int(st, 1);
}

static int name_failures(struct store *s, const char *name, int64_t now,
                         struct login_state *out)
{
    struct db_query *st = db_stmt(s, STMT_LOGIN_FAILURE_NAME_SUMMARY);
    if (!st || !db_bind_text(st, ":name", name) ||
        !db_bind_int(st, ":since", now - LOGIN_WINDOW_SECONDS))
        return STORE_ERROR;
    /* an aggregate: always one row */
    return db_one_row(s, NULL, st, read_name_failures, out, "reading sign-ins") == STORE_OK
               ? STORE_OK
               : STORE_ERROR;
}

int store_login_state(struct store *s, const char *name, const char *ip,
                      struct login_state *out)
{
    int64_t now = now_seconds(), nth;
    *out = (struct login_state){0};
    if (nth_failure_from(s, ip, now, &nth) != STORE_OK ||
        name_failures(s, name, now, out) != STORE_OK)
        return STORE_ERROR;
    out->address_locked_until = nth ? nth + LOGIN_WINDOW_SECONDS : 0;
    return STORE_OK;
}

int store_login_failures_clear(struct store *s, const char *name, const char *ip,
                               int64_t *forgotten)
{
    struct db_query *st = db_stmt(s, ip ? STMT_LOGIN_FAILURE_CLEAR_PAIR : STMT_LOGIN_FAILURE_CLEAR);
    if (!st || !db_bind_text(st, ":name", name) || (ip && !db_bind_text(st, ":ip", ip)))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (forgotten)
        *forgotten = rc == STORE_OK ? db_changes(s) : 0;
    return rc;
}
