/* db: opening the database, migrations, and the statement cache. */
#include "store/db.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "core/file.h"
#include "core/log.h"

#define BUSY_TIMEOUT_MS 5000
#define INTEGRITY_EVERY_SECONDS 600

/* Below, with store_lost. */
static void note_error(struct store *s);
static void mark_lost(const char *path, const char *why);
static const char *pinned_problem(const struct store *s, enum store_file state);

static const char *const statement_sql[STMT_COUNT] = {
#define STMT(name, sql) [STMT_##name] = sql,
#include "store/statements.h"
#undef STMT
};

static const char *const statement_name[STMT_COUNT] = {
#define STMT(name, sql) [STMT_##name] = #name,
#include "store/statements.h"
#undef STMT
};

sqlite3_stmt *db_stmt(struct store *s, enum stmt_id id)
{
    assert(id >= 0 && id < STMT_COUNT);
    sqlite3_stmt *st = s->stmts[id];
    if (st) {
        /* The slot holds what it was prepared from: a cache indexed wrongly
         * would run another statement with this one's bindings. */
        assert(strcmp(sqlite3_sql(st), statement_sql[id]) == 0);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        log_error("database %s: cannot prepare statement %s: %s", s->path, statement_name[id],
                  sqlite3_errmsg(s->db));
        return NULL;
    }
    s->stmts[id] = st;
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

enum article_status db_col_article_status(sqlite3_stmt *st, int col)
{
    enum article_status status;
    const char *name = (const char *)sqlite3_column_text(st, col);
    return article_status_parse(name, &status) ? status : AS_DRAFT;
}

enum comment_status db_col_comment_status(sqlite3_stmt *st, int col)
{
    enum comment_status status;
    const char *name = (const char *)sqlite3_column_text(st, col);
    return comment_status_parse(name, &status) ? status : CS_NONE;
}

void db_read_comment(struct arena *a, sqlite3_stmt *st, struct comment *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->article_id = sqlite3_column_int64(st, 1);
    out->parent_id = sqlite3_column_int64(st, 2);
    out->status = db_col_comment_status(st, 3);
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

int db_one_row(struct store *s, struct arena *a, sqlite3_stmt *st, db_row_reader read,
               void *item, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && read)
        read(a, st, item);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : db_error(s, what);
}

static void read_int(struct arena *a, sqlite3_stmt *st, void *item)
{
    (void)a;
    *(int64_t *)item = sqlite3_column_int64(st, 0);
}

int db_one_int(struct store *s, sqlite3_stmt *st, int64_t *out, const char *what)
{
    return db_one_row(s, NULL, st, read_int, out, what);
}

static void read_text(struct arena *a, sqlite3_stmt *st, void *item)
{
    *(const char **)item = db_col_text(a, st, 0);
}

int db_one_text(struct store *s, struct arena *a, sqlite3_stmt *st, const char **out,
                const char *what)
{
    return db_one_row(s, a, st, read_text, out, what);
}

int db_error(struct store *s, const char *what)
{
    log_error("database %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    note_error(s);
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
        note_error(s);
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* A write goes nowhere useful once the file is gone: SQLite would commit it
 * to the unlinked file, and the reader would be told it was kept. */
int store_begin(struct store *s)
{
    if (store_lost(s, true))
        return STORE_ERROR;
    return exec_sql(s, "BEGIN IMMEDIATE");
}
int store_commit(struct store *s) { return exec_sql(s, "COMMIT"); }

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- migrations ---- */

struct migration {
    int number;
    bool applied;       /* the database holds it already */
    char *path;
};

static int migration_cmp(const void *a, const void *b)
{
    return ((const struct migration *)a)->number - ((const struct migration *)b)->number;
}

static void migrations_free(struct migration *list, int count)
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

/* Lists sql_dir/NNN_*.sql in order into *out (free with migrations_free).
 * Numbers are assigned ahead of time and may land out of order, so a gap is
 * allowed; a number used twice is not. Returns the count, or -1 with err set. */
static int list_migrations(const char *sql_dir, struct migration **out, char *err, size_t errlen)
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
            migrations_free(list, count);
            *out = NULL;
            return -1;
        }
    }
    return count;
}

static int user_version(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, STMT_SCHEMA_VERSION);
    int64_t v = -1;
    if (!st || db_one_int(s, st, &v, "reading the schema version") != STORE_OK)
        return -1;
    return (int)v;
}

static bool record_migration(struct store *s, int number)
{
    sqlite3_stmt *st = db_stmt(s, STMT_MIGRATION_RECORD);
    if (!st || !db_bind_int(st, ":number", number))
        return false;
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return ok;
}

/* Which migrations a database holds: schema_migrations, one row each. A
 * database from before that table holds every migration up to its
 * user_version; they are recorded first. */
static int applied_migrations(struct store *s, struct migration *list, int count, int current,
                              char *err, size_t errlen)
{
    sqlite3_stmt *create = db_stmt(s, STMT_MIGRATIONS_CREATE);
    bool ok = create && sqlite3_step(create) == SQLITE_DONE;
    if (create)
        sqlite3_reset(create);
    sqlite3_stmt *empty = ok ? db_stmt(s, STMT_MIGRATIONS_NONE) : NULL;
    ok = empty && sqlite3_step(empty) == SQLITE_ROW;
    bool backfill = ok && sqlite3_column_int(empty, 0) != 0;
    if (empty)
        sqlite3_reset(empty);
    for (int i = 0; ok && backfill && i < count && list[i].number <= current; i++)
        ok = record_migration(s, list[i].number);
    for (int i = 0; ok && i < count; i++) {
        sqlite3_stmt *has = db_stmt(s, STMT_MIGRATION_APPLIED);
        int rc = has && db_bind_int(has, ":number", list[i].number) ? sqlite3_step(has)
                                                                    : SQLITE_ERROR;
        ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
        list[i].applied = rc == SQLITE_ROW;
        if (has)
            sqlite3_reset(has);
    }
    if (!ok)
        snprintf(err, errlen, "database %s: %s", s->path, sqlite3_errmsg(s->db));
    return ok ? 0 : -1;
}

/* Applies each migration the database does not hold yet, in order, in a
 * transaction of its own that also records it (schema_migrations, and the
 * highest number in PRAGMA user_version). */
static int apply_migrations(struct store *s, struct migration *list, int count, char *err,
                            size_t errlen)
{
    int current = user_version(s);
    if (current < 0) {
        snprintf(err, errlen, "database %s: %s", s->path, sqlite3_errmsg(s->db));
        return -1;
    }
    int newest = count ? list[count - 1].number : 0;
    if (current > newest) {
        snprintf(err, errlen,
                 "database %s has schema version %d, newer than this folio knows (%d); "
                 "use a newer folio",
                 s->path, current, newest);
        return -1;
    }
    if (applied_migrations(s, list, count, current, err, errlen) != 0)
        return -1;
    for (int i = 0; i < count; i++) {
        if (list[i].applied)
            continue;
        char why[256];
        char *sql = file_read_text(list[i].path, why, sizeof why);
        if (!sql) {
            snprintf(err, errlen, "migration %s: %s", list[i].path, why);
            return -1;
        }
        char version_sql[64];
        /* codecheck-ok: a number from the migration files' names; PRAGMA takes no parameters */
        snprintf(version_sql, sizeof version_sql, "PRAGMA user_version = %d",
                 list[i].number > current ? list[i].number : current);
        char *msg = NULL;
        bool ok = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK &&
                  record_migration(s, list[i].number) &&
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
        if (list[i].number > current)
            current = list[i].number;
    }
    return 0;
}

static int migrate(struct store *s, const char *sql_dir, char *err, size_t errlen)
{
    struct migration *list;
    int count = list_migrations(sql_dir, &list, err, errlen);
    if (count < 0)
        return -1;
    int rc = apply_migrations(s, list, count, err, errlen);
    migrations_free(list, count);
    return rc;
}

/* The connection's settings (statements.h, SETUP_*); each is run once,
 * then finalized: they are not needed again. */
static bool set_up_connection(struct store *s)
{
    static const enum stmt_id setup[] = { STMT_SETUP_JOURNAL, STMT_SETUP_SYNCHRONOUS,
                                          STMT_SETUP_FOREIGN_KEYS, STMT_SETUP_TEMP_STORE };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
        sqlite3_stmt *st = db_stmt(s, setup[i]);
        int rc = SQLITE_ROW;
        while (st && rc == SQLITE_ROW)
            rc = sqlite3_step(st);
        sqlite3_finalize(st);
        s->stmts[setup[i]] = NULL;
        if (rc != SQLITE_DONE)
            return false;
    }
    return true;
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
    enum store_file state = store_file_state(path);
    const char *lost = pinned_problem(s, state);
    if (lost)
        mark_lost(path, lost);
    if (state == STORE_FILE_MISSING && !create) {
        snprintf(err, errlen, "database %s does not exist; `folio init --db %s` creates it",
                 path, path);
        goto fail;
    }
    if (state == STORE_FILE_EMPTY && !create) {
        snprintf(err, errlen, "database %s is an empty file (0 bytes), not a folio database; "
                 "if it held the site, restore it from a backup, else `folio init --db %s` "
                 "makes a new database in it", path, path);
        goto fail;
    }
    if (state == STORE_FILE_EMPTY)
        log_info("database %s was an empty file (0 bytes): making a new database in it", path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        s->identity_known = true;
        if ((lost = pinned_problem(s, STORE_FILE_PRESENT)) != NULL)
            mark_lost(path, lost);
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 0);
    if (!set_up_connection(s)) {
        snprintf(err, errlen, "database %s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    if (sql_dir && migrate(s, sql_dir, err, errlen) != 0)
        goto fail;
    return s;
fail:
    if (s->db && sqlite3_errcode(s->db) == SQLITE_READONLY) {
        size_t len = strlen(err);
        snprintf(err + len, errlen - len, " (the database is read-only here: folio must be "
                 "able to write the file and the directory it is in)");
    }
    store_close(s);
    return NULL;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

enum store_file store_file_state(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? STORE_FILE_MISSING : STORE_FILE_PRESENT;
    if (!S_ISREG(st.st_mode) || st.st_size > 0)
        return STORE_FILE_PRESENT;      /* SQLite says what is wrong with it */
    /* 0 bytes: a database whose pages all wait in its log is still one */
    size_t len = strlen(path);
    char *wal = malloc(len + 5);
    if (!wal)
        return STORE_FILE_PRESENT;
    memcpy(wal, path, len);
    memcpy(wal + len, "-wal", 5);
    bool log_has_pages = stat(wal, &st) == 0 && st.st_size > 0;
    free(wal);
    return log_has_pages ? STORE_FILE_PRESENT : STORE_FILE_EMPTY;
}

/* ---- is the database still the one we opened, and fit to serve? ---- */

static _Atomic(const char *) lost_reason;      /* set once, by the first to notice */
static atomic_bool read_only_reported;

static long long monotonic_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

/* NULL while the path leads to the file s opened. */
static const char *identity_problem(const struct store *s)
{
    struct stat st;
    if (stat(s->path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? "the database file was deleted" : NULL;
    if (st.st_dev != s->dev || st.st_ino != s->ino)
        return "the database file was replaced by another file";
    return NULL;
}

/* The first to notice says it, loudly; from then on the whole process
 * knows. */
static void mark_lost(const char *path, const char *why)
{
    const char *none = NULL;
    if (atomic_compare_exchange_strong(&lost_reason, &none, why))
        log_error("DATABASE LOST: %s: %s while folio was running. Every request now "
                  "answers 503 and nothing more is written (it would go to a file nobody "
                  "sees again). Put the database back (from a backup) and restart folio.",
                  path, why);
}

/* The file the server checked at start-up (store_pin_file): a connection
 * opened later onto another file (the path replaced meanwhile) would serve
 * a different site beside the first one. */
static struct {
    pthread_mutex_t lock;
    bool set;
    dev_t dev;
    ino_t ino;
} pinned = { .lock = PTHREAD_MUTEX_INITIALIZER };

void store_pin_file(struct store *s)
{
    pthread_mutex_lock(&pinned.lock);
    pinned.set = s->identity_known;
    pinned.dev = s->dev;
    pinned.ino = s->ino;
    pthread_mutex_unlock(&pinned.lock);
}

/* At open: NULL when no file is pinned or this is it. */
static const char *pinned_problem(const struct store *s, enum store_file state)
{
    pthread_mutex_lock(&pinned.lock);
    const char *why = NULL;
    if (pinned.set && state == STORE_FILE_MISSING)
        why = "the database file was deleted";
    else if (pinned.set && s->identity_known && (s->dev != pinned.dev || s->ino != pinned.ino))
        why = "the database file was replaced by another file";
    pthread_mutex_unlock(&pinned.lock);
    return why;
}

const char *store_lost(struct store *s, bool now)
{
    const char *why = atomic_load(&lost_reason);
    if (why || !s->identity_known)
        return why;
    long long second = monotonic_second();
    if (!now && second == s->checked_at)
        return NULL;
    s->checked_at = second;
    why = identity_problem(s);
    if (why)
        mark_lost(s->path, why);
    return why;
}

static void report_read_only(struct store *s)
{
    if (!atomic_exchange(&read_only_reported, true))
        log_error("database %s is read-only: pages are served, but no comment, sign-in or "
                  "change can be stored. folio must be able to write the file and the "
                  "directory it is in (owner, mode, a file system mounted read-only); "
                  "restart folio once that is fixed.", s->path);
}

/* After a failed statement: a read-only database is said once, clearly,
 * instead of as one failed write after another. */
static void note_error(struct store *s)
{
    if (sqlite3_errcode(s->db) == SQLITE_READONLY)
        report_read_only(s);
}

bool store_read_only(struct store *s)
{
    bool read_only = sqlite3_db_readonly(s->db, "main") == 1;
    if (read_only)
        report_read_only(s);
    return read_only;
}

/* PRAGMA quick_check reads every page, so it runs at most every
 * INTEGRITY_EVERY_SECONDS and by one thread at a time; the result is
 * shared by the whole process. */
static struct {
    pthread_mutex_t lock;
    long long checked_at;       /* monotonic second; 0: never */
    _Atomic(const char *) problem;
} integrity = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char *integrity_problem(struct store *s)
{
    if (pthread_mutex_trylock(&integrity.lock) != 0)
        return atomic_load(&integrity.problem);     /* another thread is checking */
    long long now = monotonic_second();
    if (integrity.checked_at && now - integrity.checked_at < INTEGRITY_EVERY_SECONDS) {
        pthread_mutex_unlock(&integrity.lock);
        return atomic_load(&integrity.problem);
    }
    sqlite3_stmt *st = db_stmt(s, STMT_INTEGRITY_CHECK);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    bool ok = first && strcmp(first, "ok") == 0;
    if (!ok)
        log_error("database %s is damaged: PRAGMA quick_check: %s", s->path,
                  first ? first : sqlite3_errmsg(s->db));
    if (st)
        sqlite3_reset(st);
    atomic_store(&integrity.problem, ok ? NULL : "the database is damaged (quick_check)");
    integrity.checked_at = now;
    pthread_mutex_unlock(&integrity.lock);
    return atomic_load(&integrity.problem);
}

const char *store_health(struct store *s)
{
    const char *why = store_lost(s, true);
    if (why)
        return why;
    if (!store_ping(s))
        return "the database does not answer a read";
    return integrity_problem(s);
}

bool store_ping(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, STMT_SETTINGS_PING);
    return st && db_one_row(s, NULL, st, NULL, NULL, "reading settings") == STORE_OK;
}

struct secret {
    unsigned char *out;
    bool found;         /* a secret of 32 bytes was there */
};

static void read_secret(struct arena *a, sqlite3_stmt *st, void *item)
{
    (void)a;
    struct secret *secret = item;
    secret->found = sqlite3_column_bytes(st, 0) == 32;
    if (secret->found)
        memcpy(secret->out, sqlite3_column_blob(st, 0), 32);
}

static int stored_secret(struct store *s, unsigned char out[32], bool *found)
{
    struct secret secret = { out, false };
    sqlite3_stmt *get = db_stmt(s, STMT_SETTINGS_SECRET);
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
    sqlite3_stmt *put = db_stmt(s, STMT_SETTINGS_SECRET_ADD);
    if (!put || !db_bind_blob(put, ":v", fresh, 32) || db_exec_stmt(s, put) != STORE_OK ||
        stored_secret(s, out, &found) != STORE_OK)
        return STORE_ERROR;
    return found ? STORE_OK : db_error(s, "reading the server secret");
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
