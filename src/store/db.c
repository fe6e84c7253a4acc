/* db: the neutral side of the store's database access. Statements come
 * from statements.h, are prepared once per connection by its driver
 * (driver.h), and are read through the functions here whatever the
 * engine. */
#include "store/driver.h"
#include "store/outbox.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"

#include <sodium.h>

const char *const db_statement_sql[STMT_COUNT] = {
#define STMT(name, sql) [STMT_##name] = sql,
#include "store/statements.h"
#undef STMT
};

const char *const db_statement_name[STMT_COUNT] = {
#define STMT(name, sql) [STMT_##name] = #name,
#include "store/statements.h"
#undef STMT
};

/* ---- opening: the driver is chosen here, once ---- */

bool db_is_uri(const char *where)
{
    return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

struct store *store_open(const char *where, const char *sql_dir, bool create, char *err,
                         size_t errlen)
{
    const struct db_driver *drv = db_is_uri(where) ? &db_pgsql_driver : &db_sqlite_driver;
    return drv->open(where, sql_dir, create, err, errlen);
}

const char *db_where(struct store *s)
{
    return s->where;
}

bool db_defer_sync(struct store *s)
{
    s->sync_deferred = s->drv->defer_sync && s->drv->defer_sync(s);
    return s->sync_deferred;
}

int db_sync_log(struct store *s)
{
    int rc = s->drv->sync_log ? s->drv->sync_log(s) : STORE_OK;
    if (s->outbox_unsynced) {
        s->outbox_unsynced = false;
        store_outbox_wake();
    }
    return rc;
}

bool db_keeps_pages_per_connection(struct store *s)
{
    return s->drv == &db_sqlite_driver;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        if (s->stmts[i])
            s->drv->finalize(s->stmts[i]);
    s->drv->close(s);
}

/* ---- statements ---- */

struct db_query *db_stmt(struct store *s, enum stmt_id id)
{
    assert(id >= 0 && id < STMT_COUNT);
    struct db_query *q = s->stmts[id];
    if (q) {
        /* The slot holds what it was prepared for: a cache indexed wrongly
         * would run another statement with this one's bindings. */
        assert(q->id == id);
        s->drv->clear(q);
        return q;
    }
    q = s->drv->prepare(s, id);
    s->stmts[id] = q;
    return q;
}

static int param_index(struct db_query *q, const char *name)
{
    int i = q->s->drv->param(q, name);
    if (i == 0)
        log_error("statement %s has no parameter %s", db_statement_name[q->id], name);
    return i;
}

bool db_has_param(struct db_query *q, const char *name)
{
    return q->s->drv->param(q, name) != 0;
}

static bool bind(struct db_query *q, const char *name, const struct db_value *v)
{
    int i = param_index(q, name);
    return i && q->s->drv->bind(q, i, v);
}

bool db_bind_text(struct db_query *q, const char *name, const char *value)
{
    return bind(q, name, &(struct db_value){ .kind = DBV_TEXT, .text = value ? value : "" });
}

bool db_bind_int(struct db_query *q, const char *name, int64_t value)
{
    return bind(q, name, &(struct db_value){ .kind = DBV_INT, .integer = value });
}

bool db_bind_blob(struct db_query *q, const char *name, const void *data, int len)
{
    return bind(q, name, &(struct db_value){ .kind = DBV_BLOB, .blob = data, .len = len });
}

bool db_bind_null(struct db_query *q, const char *name)
{
    return bind(q, name, &(struct db_value){ .kind = DBV_NULL });
}

enum db_step db_step(struct db_query *q) { return q->s->drv->step(q); }
void db_reset(struct db_query *q) { q->s->drv->reset(q); }
int64_t db_col_int(struct db_query *q, int col) { return q->s->drv->col_int(q, col); }

const char *db_col_peek(struct db_query *q, int col)
{
    size_t len;
    return q->s->drv->col_text(q, col, &len);
}

const char *db_col_text(struct arena *a, struct db_query *q, int col)
{
    size_t len = 0;
    const char *t = q->s->drv->col_text(q, col, &len);
    return t ? arena_strndup(a, t, len) : "";
}

const void *db_col_blob(struct db_query *q, int col, size_t *len)
{
    return q->s->drv->col_blob(q, col, len);
}

int64_t db_changes(struct store *s) { return s->drv->changes(s); }

int64_t db_total_changes(struct store *s)
{
    return s->drv->total_changes ? s->drv->total_changes(s) : -1;
}
int64_t db_last_id(struct store *s) { return s->drv->last_id(s); }
bool db_in_transaction(struct store *s) { return s->drv->in_transaction(s); }

enum article_status db_col_article_status(struct db_query *q, int col)
{
    enum article_status status;
    return article_status_parse(db_col_peek(q, col), &status) ? status : AS_DRAFT;
}

enum comment_status db_col_comment_status(struct db_query *q, int col)
{
    enum comment_status status;
    return comment_status_parse(db_col_peek(q, col), &status) ? status : CS_NONE;
}

/* ---- reading rows ---- */

void db_read_comment(struct arena *a, struct db_query *q, struct comment *out)
{
    out->id = db_col_int(q, 0);
    out->article_id = db_col_int(q, 1);
    out->parent_id = db_col_int(q, 2);
    out->status = db_col_comment_status(q, 3);
    out->author = db_col_text(a, q, 4);
    out->email = db_col_text(a, q, 5);
    out->url = db_col_text(a, q, 6);
    out->body = db_col_text(a, q, 7);
    out->ip = db_col_text(a, q, 8);
    out->user_agent = db_col_text(a, q, 9);
    out->created_at = db_col_int(q, 10);
    out->by_site = db_col_int(q, 11) != 0;
}

int db_collect(struct store *s, struct arena *a, struct db_query *q, size_t size, size_t max,
               db_row_reader read, void **items, size_t *count, const char *what)
{
    size_t cap = max ? max : 16, n = 0;
    char *array = arena_alloc(a, cap * size);
    enum db_step rc = DB_DONE;
    while (array && (max == 0 || n < max) && (rc = db_step(q)) == DB_ROW) {
        if (n == cap) {
            char *bigger = arena_alloc(a, cap * 2 * size);
            if (bigger)
                memcpy(bigger, array, cap * size);
            array = bigger;
            cap *= 2;
            if (!array)
                break;
        }
        read(a, q, array + n++ * size);
    }
    db_reset(q);
    *items = array;
    *count = array ? n : 0;
    if (!array)
        return STORE_ERROR;
    if (rc != DB_DONE && rc != DB_ROW)
        return db_error(s, what);
    return STORE_OK;
}

int db_one_row(struct store *s, struct arena *a, struct db_query *q, db_row_reader read,
               void *item, const char *what)
{
    enum db_step rc = db_step(q);
    if (rc == DB_ROW && read)
        read(a, q, item);
    db_reset(q);
    if (rc == DB_ROW)
        return STORE_OK;
    return rc == DB_DONE ? STORE_NOT_FOUND : db_error(s, what);
}

static void read_int(struct arena *a, struct db_query *q, void *item)
{
    (void)a;
    *(int64_t *)item = db_col_int(q, 0);
}

int db_one_int(struct store *s, struct db_query *q, int64_t *out, const char *what)
{
    return db_one_row(s, NULL, q, read_int, out, what);
}

static void read_text(struct arena *a, struct db_query *q, void *item)
{
    *(const char **)item = db_col_text(a, q, 0);
}

const char *db_like_pattern(struct arena *a, const char *text)
{
    if (!text || !*text)
        return "";
    size_t len = strlen(text);
    char *out = arena_alloc(a, 2 * len + 3);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '%';
    for (const char *t = text; *t; t++) {
        if (*t == '%' || *t == '_' || *t == '\\')
            *p++ = '\\';
        *p++ = *t;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

int db_one_text(struct store *s, struct arena *a, struct db_query *q, const char **out,
                const char *what)
{
    return db_one_row(s, a, q, read_text, out, what);
}

int db_error(struct store *s, const char *what)
{
    log_error("database %s: %s: %s", s->where, what, s->drv->errmsg(s));
    return STORE_ERROR;
}

int db_exec_stmt(struct store *s, struct db_query *q)
{
    enum db_step rc = db_step(q);
    db_reset(q);
    if (rc == DB_DONE || rc == DB_ROW)
        return STORE_OK;
    if (rc == DB_CONSTRAINT)
        return STORE_CONFLICT;
    return db_error(s, "statement failed");
}

/* ---- transactions and the database as a whole ---- */

int store_begin(struct store *s) { return s->drv->begin(s); }

void db_note_outbox_write(struct store *s) { s->outbox_written = true; }

int store_commit(struct store *s)
{
    int rc = s->drv->exec(s, "COMMIT");
    if (rc == STORE_OK && s->outbox_written) {
        s->outbox_written = false;
        if (s->sync_deferred)
            s->outbox_unsynced = true;
        else
            store_outbox_wake();
    }
    return rc;
}

void store_rollback(struct store *s)
{
    s->outbox_written = false;
    if (s->drv->in_transaction(s))
        s->drv->exec(s, "ROLLBACK");
}

const char *store_lost(struct store *s, bool now) { return s->drv->lost(s, now); }
void store_pin_file(struct store *s) { s->drv->pin_file(s); }
bool store_unavailable(struct store *s) { return s->drv->unavailable(s); }
const char *store_health(struct store *s) { return s->drv->health(s); }
bool store_read_only(struct store *s) { return s->drv->read_only(s); }

int store_backup(struct store *s, const char *dest_path, char *err, size_t errlen)
{
    return s->drv->backup(s, dest_path, err, errlen);
}

uint64_t store_generation(struct store *s) { return s->drv->generation(s); }

bool store_ping(struct store *s)
{
    struct db_query *q = db_stmt(s, STMT_SETTINGS_PING);
    return q && db_one_row(s, NULL, q, NULL, NULL, "reading settings") == STORE_OK;
}

/* ---- the server's secret, one for every host of the site ---- */

struct secret {
    unsigned char *out;
    bool found;         /* a secret of 32 bytes was there */
};

static void read_secret(struct arena *a, struct db_query *q, void *item)
{
    (void)a;
    struct secret *secret = item;
    size_t len = 0;
    const void *blob = db_col_blob(q, 0, &len);
    secret->found = blob && len == 32;
    if (secret->found)
        memcpy(secret->out, blob, 32);
}

static int stored_secret(struct store *s, unsigned char out[32], bool *found)
{
    struct secret secret = { out, false };
    struct db_query *get = db_stmt(s, STMT_SETTINGS_SECRET);
    if (!get || db_one_row(s, NULL, get, read_secret, &secret, "reading the server secret") ==
                    STORE_ERROR)
        return STORE_ERROR;
    *found = secret.found;
    return STORE_OK;
}

int store_secret(struct store *s, unsigned char out[32])
{
    bool found = false;
    if (stored_secret(s, out, &found) != STORE_OK)
        return STORE_ERROR;
    if (found)
        return STORE_OK;
    unsigned char fresh[32];
    randombytes_buf(fresh, sizeof fresh);
    struct db_query *put = db_stmt(s, STMT_SETTINGS_SECRET_ADD);
    if (!put || !db_bind_blob(put, ":v", fresh, 32) || db_exec_stmt(s, put) != STORE_OK ||
        stored_secret(s, out, &found) != STORE_OK)
        return STORE_ERROR;
    return found ? STORE_OK : db_error(s, "reading the server secret");
}

/* ---- migrations ---- */

static int migration_cmp(const void *a, const void *b)
{
    return ((const struct migration *)a)->number - ((const struct migration *)b)->number;
}

void db_migrations_free(struct migration *list, int count)
{
    for (int i = 0; list && i < count; i++)
        free(list[i].path);
    free(list);
}

/* Appends sql_dir/name to *list (grown as needed); false when out of memory. */
static bool migration_add(struct migration **list, int *count, int *cap, const char *sql_dir,
                          const char *name)
{
    if (*count == *cap) {
        int bigger = *cap ? *cap * 2 : 16;
        struct migration *grown = realloc(*list, (size_t)bigger * sizeof **list);
        if (!grown)
            return false;
        *list = grown;
        *cap = bigger;
    }
    size_t size = strlen(sql_dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (!path)
        return false;
    snprintf(path, size, "%s/%s", sql_dir, name);
    (*list)[(*count)++] = (struct migration){ .number = atoi(name), .path = path };
    return true;
}

/* Numbers are assigned ahead of time and may land out of order, so a gap
 * is allowed; a number used twice is not. */
int db_list_migrations(const char *sql_dir, struct migration **out, char *err, size_t errlen)
{
    *out = NULL;
    DIR *d = opendir(sql_dir);
    if (!d) {
        snprintf(err, errlen, "schema directory %s: %s", sql_dir, strerror(errno));
        return -1;
    }
    int count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (len < 8 || strcmp(name + len - 4, ".sql") != 0 || name[0] < '0' || name[0] > '9')
            continue;
        if (!migration_add(out, &count, &cap, sql_dir, name)) {
            closedir(d);
            snprintf(err, errlen, "schema directory %s: out of memory", sql_dir);
            return -1;
        }
    }
    closedir(d);
    if (count == 0)
        return 0;
    struct migration *list = *out;
    qsort(list, (size_t)count, sizeof *list, migration_cmp);
    for (int i = 0; i < count; i++) {
        if (list[i].number < 1 || (i > 0 && list[i].number == list[i - 1].number)) {
            snprintf(err, errlen, "schema directory %s: migration number %d of %s is %s",
                     sql_dir, list[i].number, list[i].path,
                     list[i].number < 1 ? "invalid" : "used twice");
            db_migrations_free(list, count);
            *out = NULL;
            return -1;
        }
    }
    return count;
}
