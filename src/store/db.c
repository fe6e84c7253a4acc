/* db: opening the database, migrations, and the statement cache. */
#include "store/db.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/file.h"
#include "core/log.h"

#define BUSY_TIMEOUT_MS 5000
#define MAX_MIGRATIONS 999

sqlite3_stmt *db_stmt(struct store *s, int slot, const char *sql)
{
    sqlite3_stmt *st = s->stmts[slot];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("database %s: cannot prepare statement %d: %s", s->path, slot,
                  sqlite3_errmsg(s->db));
        return NULL;
    }
    s->stmts[slot] = st;
    return st;
}

static int param_index(sqlite3_stmt *st, const char *name)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i == 0)
        log_error("statement has no parameter %s: %s", name, sqlite3_sql(st));
    return i;
}

bool db_bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
    int i = param_index(st, name);
    return i && sqlite3_bind_text(st, i, value ? value : "", -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

bool db_bind_int(sqlite3_stmt *st, const char *name, int64_t value)
{
    int i = param_index(st, name);
    return i && sqlite3_bind_int64(st, i, value) == SQLITE_OK;
}

bool db_bind_blob(sqlite3_stmt *st, const char *name, const void *data, int len)
{
    int i = param_index(st, name);
    return i && sqlite3_bind_blob(st, i, data, len, SQLITE_TRANSIENT) == SQLITE_OK;
}

bool db_bind_null(sqlite3_stmt *st, const char *name)
{
    int i = param_index(st, name);
    return i && sqlite3_bind_null(st, i) == SQLITE_OK;
}

const char *db_col_text(struct arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return "";
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

void db_read_comment(struct arena *a, sqlite3_stmt *st, struct comment *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->article_id = sqlite3_column_int64(st, 1);
    out->parent_id = sqlite3_column_int64(st, 2);
    out->status = db_col_text(a, st, 3);
    out->author = db_col_text(a, st, 4);
    out->email = db_col_text(a, st, 5);
    out->url = db_col_text(a, st, 6);
    out->body = db_col_text(a, st, 7);
    out->ip = db_col_text(a, st, 8);
    out->user_agent = db_col_text(a, st, 9);
    out->created_at = sqlite3_column_int64(st, 10);
}

int db_collect(struct store *s, struct arena *a, sqlite3_stmt *st, size_t size, size_t max,
               db_row_reader read, void **items, size_t *count, const char *what)
{
    size_t cap = max ? max : 16, n = 0;
    char *array = arena_alloc(a, cap * size);
    int rc = SQLITE_DONE;
    while (array && (max == 0 || n < max) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            char *bigger = arena_alloc(a, cap * 2 * size);
            if (bigger)
                memcpy(bigger, array, cap * size);
            array = bigger;
            cap *= 2;
            if (!array)
                break;
        }
        read(a, st, array + n++ * size);
    }
    sqlite3_reset(st);
    *items = array;
    *count = array ? n : 0;
    if (!array)
        return STORE_ERROR;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_error(s, what);
    return STORE_OK;
}

int db_error(struct store *s, const char *what)
{
    log_error("database %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return STORE_ERROR;
}

int db_exec_stmt(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_CONSTRAINT)
        return STORE_CONFLICT;
    return db_error(s, "statement failed");
}

static int exec_sql(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("database %s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return STORE_ERROR;
    }
    return STORE_OK;
}

int store_begin(struct store *s) { return exec_sql(s, "BEGIN IMMEDIATE"); }
int store_commit(struct store *s) { return exec_sql(s, "COMMIT"); }

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- migrations ---- */

struct migration {
    int number;
    char path[4096];
};

static int migration_cmp(const void *a, const void *b)
{
    return ((const struct migration *)a)->number - ((const struct migration *)b)->number;
}

/* Lists sql_dir/NNN_*.sql in order. Returns the count, or -1 with err set. */
static int list_migrations(const char *sql_dir, struct migration *out, int max, char *err,
                           size_t errlen)
{
    DIR *d = opendir(sql_dir);
    if (!d) {
        snprintf(err, errlen, "schema directory %s: %s", sql_dir, strerror(errno));
        return -1;
    }
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (len < 8 || strcmp(name + len - 4, ".sql") != 0 || name[0] < '0' || name[0] > '9')
            continue;
        if (count == max)
            break;
        out[count].number = atoi(name);
        snprintf(out[count].path, sizeof out[count].path, "%s/%s", sql_dir, name);
        count++;
    }
    closedir(d);
    qsort(out, (size_t)count, sizeof *out, migration_cmp);
    for (int i = 0; i < count; i++) {
        if (out[i].number != i + 1) {
            snprintf(err, errlen, "schema directory %s: migration %d is missing before %s",
                     sql_dir, i + 1, out[i].path);
            return -1;
        }
    }
    return count;
}

static int user_version(struct store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* Applies each migration newer than the database's user_version in a
 * transaction of its own that also records the new version. */
static int migrate(struct store *s, const char *sql_dir, char *err, size_t errlen)
{
    static struct migration list[MAX_MIGRATIONS];   /* large; runs once, before threads */
    int count = list_migrations(sql_dir, list, MAX_MIGRATIONS, err, errlen);
    if (count < 0)
        return -1;
    int current = user_version(s);
    if (current < 0) {
        snprintf(err, errlen, "database %s: %s", s->path, sqlite3_errmsg(s->db));
        return -1;
    }
    if (current > count) {
        snprintf(err, errlen,
                 "database %s has schema version %d, newer than this folio knows (%d); "
                 "use a newer folio",
                 s->path, current, count);
        return -1;
    }
    for (int i = current; i < count; i++) {
        char why[256];
        char *sql = file_read_text(list[i].path, why, sizeof why);
        if (!sql) {
            snprintf(err, errlen, "migration %s: %s", list[i].path, why);
            return -1;
        }
        char version_sql[64];
        snprintf(version_sql, sizeof version_sql, "PRAGMA user_version = %d", list[i].number);
        char *msg = NULL;
        bool ok = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(s->db, version_sql, NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) == SQLITE_OK;
        free(sql);
        if (!ok) {
            snprintf(err, errlen, "migration %s: %s", list[i].path,
                     msg ? msg : sqlite3_errmsg(s->db));
            sqlite3_free(msg);
            store_rollback(s);
            return -1;
        }
    }
    return 0;
}

struct store *store_open(const char *path, const char *sql_dir, bool create, char *err,
                         size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->path = path;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 0);
    char *msg = NULL;
    /* WAL lets readers go on while a comment is written; synchronous FULL
     * makes every commit durable before the 303 is sent. */
    if (sqlite3_exec(s->db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "database %s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        goto fail;
    }
    if (sql_dir && migrate(s, sql_dir, err, errlen) != 0)
        goto fail;
    return s;
fail:
    store_close(s);
    return NULL;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STMT_SLOTS; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

bool store_ping(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, STMT_BASE_SETTINGS + 0, "SELECT count(*) FROM settings");
    if (!st)
        return false;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW;
}

int64_t store_data_version(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, STMT_BASE_SETTINGS + 1, "PRAGMA data_version");
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

int store_secret(struct store *s, unsigned char out[32])
{
    sqlite3_stmt *get = db_stmt(s, STMT_BASE_SETTINGS + 2,
                                "SELECT value FROM settings WHERE key = 'secret'");
    if (!get)
        return STORE_ERROR;
    if (sqlite3_step(get) == SQLITE_ROW && sqlite3_column_bytes(get, 0) == 32) {
        memcpy(out, sqlite3_column_blob(get, 0), 32);
        sqlite3_reset(get);
        return STORE_OK;
    }
    sqlite3_reset(get);
    unsigned char fresh[32];
    randombytes_buf(fresh, sizeof fresh);
    /* INSERT OR IGNORE: when two processes start at once, the first wins
     * and the second reads the winner's secret back. */
    sqlite3_stmt *put = db_stmt(s, STMT_BASE_SETTINGS + 3,
                                "INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', :v)");
    if (!put || !db_bind_blob(put, ":v", fresh, 32) || db_exec_stmt(s, put) != STORE_OK)
        return STORE_ERROR;
    get = db_stmt(s, STMT_BASE_SETTINGS + 2, "SELECT value FROM settings WHERE key = 'secret'");
    if (!get || sqlite3_step(get) != SQLITE_ROW || sqlite3_column_bytes(get, 0) != 32) {
        if (get)
            sqlite3_reset(get);
        return db_error(s, "reading the server secret");
    }
    memcpy(out, sqlite3_column_blob(get, 0), 32);
    sqlite3_reset(get);
    return STORE_OK;
}

int store_backup(struct store *s, const char *dest_path, char *err, size_t errlen)
{
    sqlite3 *dest;
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", dest_path, dest ? sqlite3_errmsg(dest) : "cannot open");
        sqlite3_close(dest);
        return STORE_ERROR;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        /* Copy in steps so writers are not held off for long. */
        do {
            rc = sqlite3_backup_step(b, 256);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep(20);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", dest_path, sqlite3_errmsg(dest));
        sqlite3_close(dest);
        return STORE_ERROR;
    }
    sqlite3_close(dest);
    return STORE_OK;
}
