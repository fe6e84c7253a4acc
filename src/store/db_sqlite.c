/* db_sqlite: the SQLite driver (driver.h): a database file, WAL, migrations
 * in PRAGMA user_version and schema_migrations, the file watched for being
 * deleted or replaced, and the wal-index header as the change stamp. */
#include "store/db_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/file.h"
#include "core/log.h"
#include "store/driver.h"

#define BUSY_TIMEOUT_MS 5000
#define INTEGRITY_EVERY_SECONDS 600

/* Below, with store_lost. */
static void note_error(struct store *s);
static void mark_lost(const char *path, const char *why);
struct sqlite_store;
static const char *pinned_problem(const struct sqlite_store *s, enum store_file state);


/* A connection: store.h's struct store as driver.h knows it, and SQLite's. */
struct sqlite_store {
    struct store base;
    sqlite3 *db;
    const volatile unsigned char *wal_header;   /* mapped once, or NULL */
    bool wal_header_tried;
    /* The file this connection opened, to notice when the path no longer
     * leads to it (store_lost). */
    dev_t dev;
    ino_t ino;
    bool identity_known;
    long long checked_at;       /* the monotonic second of the last look */
    int wal_fd;                 /* the WAL, after db_defer_sync; else -1 */
};

struct sqlite_query {
    struct db_query base;
    sqlite3_stmt *st;
};

static struct sqlite_store *lite(struct store *s) { return (struct sqlite_store *)s; }
static sqlite3 *handle(struct store *s) { return lite(s)->db; }
static sqlite3_stmt *stmt_of(struct db_query *q) { return ((struct sqlite_query *)q)->st; }

static struct db_query *lite_prepare(struct store *s, enum stmt_id id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(handle(s), db_statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        log_error("database %s: cannot prepare statement %s: %s", s->where,
                  db_statement_name[id], sqlite3_errmsg(handle(s)));
        return NULL;
    }
    struct sqlite_query *q = malloc(sizeof *q);
    if (!q) {
        sqlite3_finalize(st);
        log_error("out of memory preparing statement %s", db_statement_name[id]);
        return NULL;
    }
    *q = (struct sqlite_query){ { s, id }, st };
    return &q->base;
}

static void lite_finalize(struct db_query *q)
{
    sqlite3_finalize(stmt_of(q));
    free(q);
}

static void lite_clear(struct db_query *q)
{
    sqlite3_reset(stmt_of(q));
    sqlite3_clear_bindings(stmt_of(q));
}

static int lite_param(struct db_query *q, const char *name)
{
    return sqlite3_bind_parameter_index(stmt_of(q), name);
}

static bool lite_bind(struct db_query *q, int i, const struct db_value *v)
{
    sqlite3_stmt *st = stmt_of(q);
    int rc = SQLITE_MISUSE;
    switch (v->kind) {
    case DBV_TEXT: rc = sqlite3_bind_text(st, i, v->text, -1, SQLITE_TRANSIENT); break;
    case DBV_INT: rc = sqlite3_bind_int64(st, i, v->integer); break;
    case DBV_BLOB: rc = sqlite3_bind_blob(st, i, v->blob, v->len, SQLITE_TRANSIENT); break;
    case DBV_NULL: rc = sqlite3_bind_null(st, i); break;
    }
    return rc == SQLITE_OK;
}

static enum db_step lite_step(struct db_query *q)
{
    switch (sqlite3_step(stmt_of(q))) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    default: return DB_FAILED;
    }
}

static void lite_reset(struct db_query *q) { sqlite3_reset(stmt_of(q)); }

static int64_t lite_col_int(struct db_query *q, int col)
{
    return sqlite3_column_int64(stmt_of(q), col);
}

static const char *lite_col_text(struct db_query *q, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(stmt_of(q), col);
    *len = t ? (size_t)sqlite3_column_bytes(stmt_of(q), col) : 0;
    return (const char *)t;
}

static const void *lite_col_blob(struct db_query *q, int col, size_t *len)
{
    const void *b = sqlite3_column_blob(stmt_of(q), col);
    *len = (size_t)sqlite3_column_bytes(stmt_of(q), col);
    return b;
}

static int64_t lite_changes(struct store *s) { return sqlite3_changes(handle(s)); }
static int64_t lite_total_changes(struct store *s) { return sqlite3_total_changes64(handle(s)); }
static int64_t lite_last_id(struct store *s) { return sqlite3_last_insert_rowid(handle(s)); }
static bool lite_in_transaction(struct store *s) { return !sqlite3_get_autocommit(handle(s)); }

/* The last error; a read-only database is said once, clearly, instead of
 * as one failed write after another. */
static const char *lite_errmsg(struct store *s)
{
    note_error(s);
    return sqlite3_errmsg(handle(s));
}
static int exec_sql(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(handle(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("database %s: %s", s->where, msg ? msg : sqlite3_errmsg(handle(s)));
        sqlite3_free(msg);
        note_error(s);
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* A write goes nowhere useful once the file is gone: SQLite would commit it
 * to the unlinked file, and the reader would be told it was kept. */
static int lite_begin(struct store *s)
{
    if (store_lost(s, true))
        return STORE_ERROR;
    return exec_sql(s, "BEGIN IMMEDIATE");
}

/* ---- migrations ---- */

static int user_version(struct store *s)
{
    struct db_query *st = db_stmt(s, STMT_SCHEMA_VERSION);
    int64_t v = -1;
    if (!st || db_one_int(s, st, &v, "reading the schema version") != STORE_OK)
        return -1;
    return (int)v;
}

static bool record_migration(struct store *s, int number)
{
    struct db_query *st = db_stmt(s, STMT_MIGRATION_RECORD);
    if (!st || !db_bind_int(st, ":number", number))
        return false;
    return db_exec_stmt(s, st) == STORE_OK;
}

/* Which migrations a database holds: schema_migrations, one row each. A
 * database from before that table holds every migration up to its
 * user_version; they are recorded first. */
static int applied_migrations(struct store *s, struct migration *list, int count, int current,
                              char *err, size_t errlen)
{
    struct db_query *create = db_stmt(s, STMT_MIGRATIONS_CREATE);
    bool ok = create && db_exec_stmt(s, create) == STORE_OK;
    struct db_query *empty = ok ? db_stmt(s, STMT_MIGRATIONS_NONE) : NULL;
    int64_t none = 0;
    ok = empty && db_one_int(s, empty, &none, "reading the migrations") == STORE_OK;
    bool backfill = ok && none != 0;
    for (int i = 0; ok && backfill && i < count && list[i].number <= current; i++)
        ok = record_migration(s, list[i].number);
    for (int i = 0; ok && i < count; i++) {
        struct db_query *has = db_stmt(s, STMT_MIGRATION_APPLIED);
        int rc = has && db_bind_int(has, ":number", list[i].number)
                     ? db_one_row(s, NULL, has, NULL, NULL, "reading the migrations")
                     : STORE_ERROR;
        ok = rc != STORE_ERROR;
        list[i].applied = rc == STORE_OK;
    }
    if (!ok)
        snprintf(err, errlen, "database %s: %s", s->where, sqlite3_errmsg(handle(s)));
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
        snprintf(err, errlen, "database %s: %s", s->where, sqlite3_errmsg(handle(s)));
        return -1;
    }
    int newest = count ? list[count - 1].number : 0;
    if (current > newest) {
        snprintf(err, errlen,
                 "database %s has schema version %d, newer than this folio knows (%d); "
                 "use a newer folio",
                 s->where, current, newest);
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
        bool ok = sqlite3_exec(handle(s), "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(handle(s), sql, NULL, NULL, &msg) == SQLITE_OK &&
                  record_migration(s, list[i].number) &&
                  sqlite3_exec(handle(s), version_sql, NULL, NULL, &msg) == SQLITE_OK &&
                  sqlite3_exec(handle(s), "COMMIT", NULL, NULL, &msg) == SQLITE_OK;
        free(sql);
        if (!ok) {
            snprintf(err, errlen, "migration %s: %s", list[i].path,
                     msg ? msg : sqlite3_errmsg(handle(s)));
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
    int count = db_list_migrations(sql_dir, &list, err, errlen);
    if (count < 0)
        return -1;
    int rc = apply_migrations(s, list, count, err, errlen);
    db_migrations_free(list, count);
    return rc;
}

/* Runs one of the connection's settings (statements.h, SETUP_*) once,
 * then finalizes it: it is not needed again. */
static bool apply_setting(struct store *s, enum stmt_id id)
{
    struct db_query *st = db_stmt(s, id);
    enum db_step rc = DB_ROW;
    while (st && rc == DB_ROW)
        rc = db_step(st);
    if (st)
        lite_finalize(st);
    s->stmts[id] = NULL;
    return rc == DB_DONE;
}

static bool set_up_connection(struct store *s)
{
    static const enum stmt_id setup[] = { STMT_SETUP_JOURNAL, STMT_SETUP_SYNCHRONOUS,
                                          STMT_SETUP_FOREIGN_KEYS, STMT_SETUP_TEMP_STORE };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++)
        if (!apply_setting(s, setup[i]))
            return false;
    return true;
}

/* SQLite keeps memory statistics (sqlite3_status, which folio never reads)
 * under one mutex for the whole process, taken at every allocation: some
 * 200 lock and unlock pairs for a posted comment, contended by every thread
 * reading or writing. It can only be turned off before SQLite initializes
 * (the first open); if something initialized it before, it stays on. */
static void sqlite_settings(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static struct store *lite_open(const char *path, const char *sql_dir, bool create, char *err,
                               size_t errlen)
{
    static pthread_once_t settings_once = PTHREAD_ONCE_INIT;
    pthread_once(&settings_once, sqlite_settings);
    struct sqlite_store *ls = calloc(1, sizeof *ls);
    if (!ls) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ls->wal_fd = -1;
    struct store *s = &ls->base;
    s->drv = &db_sqlite_driver;
    s->where = path;
    enum store_file state = store_file_state(path);
    const char *lost = pinned_problem(ls, state);
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
    if (sqlite3_open_v2(path, &ls->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database %s: %s", path,
                 handle(s) ? sqlite3_errmsg(handle(s)) : "cannot open");
        goto fail;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        ls->dev = st.st_dev;
        ls->ino = st.st_ino;
        ls->identity_known = true;
        if ((lost = pinned_problem(ls, STORE_FILE_PRESENT)) != NULL)
            mark_lost(path, lost);
    }
    sqlite3_busy_timeout(handle(s), BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(handle(s), 0);
    if (!set_up_connection(s)) {
        snprintf(err, errlen, "database %s: %s", path, sqlite3_errmsg(handle(s)));
        goto fail;
    }
    if (sql_dir && migrate(s, sql_dir, err, errlen) != 0)
        goto fail;
    return s;
fail:
    if (handle(s) && sqlite3_errcode(handle(s)) == SQLITE_READONLY) {
        size_t len = strlen(err);
        snprintf(err + len, errlen - len, " (the database is read-only here: folio must be "
                 "able to write the file and the directory it is in)");
    }
    store_close(s);
    return NULL;
}

static void lite_close(struct store *s)
{
    if (lite(s)->wal_fd >= 0)
        close(lite(s)->wal_fd);
    sqlite3_close(handle(s));
    free(lite(s));
}

enum store_file store_file_state(const char *path)
{
    if (db_is_uri(path))
        return STORE_FILE_PRESENT;      /* a server's database, not a file */
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
static const char *identity_problem(const struct sqlite_store *s)
{
    struct stat st;
    if (stat(s->base.where, &st) != 0)
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

static void lite_pin_file(struct store *store)
{
    struct sqlite_store *s = lite(store);
    pthread_mutex_lock(&pinned.lock);
    pinned.set = s->identity_known;
    pinned.dev = s->dev;
    pinned.ino = s->ino;
    pthread_mutex_unlock(&pinned.lock);
}

/* At open: NULL when no file is pinned or this is it. */
static const char *pinned_problem(const struct sqlite_store *s, enum store_file state)
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

static const char *lite_lost(struct store *store, bool now)
{
    struct sqlite_store *s = lite(store);
    const char *why = atomic_load(&lost_reason);
    if (why || !s->identity_known)
        return why;
    long long second = monotonic_second();
    if (!now && second == s->checked_at)
        return NULL;
    s->checked_at = second;
    why = identity_problem(s);
    if (why)
        mark_lost(store->where, why);
    return why;
}

static bool lite_unavailable(struct store *s) { return lite_lost(s, true) != NULL; }

static void report_read_only(struct store *s)
{
    if (!atomic_exchange(&read_only_reported, true))
        log_error("database %s is read-only: pages are served, but no comment, sign-in or "
                  "change can be stored. folio must be able to write the file and the "
                  "directory it is in (owner, mode, a file system mounted read-only); "
                  "restart folio once that is fixed.", s->where);
}

/* After a failed statement: a read-only database is said once, clearly,
 * instead of as one failed write after another. */
static void note_error(struct store *s)
{
    if (sqlite3_errcode(handle(s)) == SQLITE_READONLY)
        report_read_only(s);
}

static bool lite_read_only(struct store *s)
{
    bool read_only = sqlite3_db_readonly(handle(s), "main") == 1;
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
    struct db_query *st = db_stmt(s, STMT_INTEGRITY_CHECK);
    enum db_step rc = st ? db_step(st) : DB_FAILED;
    const char *first = rc == DB_ROW ? db_col_peek(st, 0) : NULL;
    bool ok = first && strcmp(first, "ok") == 0;
    if (!ok)
        log_error("database %s is damaged: PRAGMA quick_check: %s", s->where,
                  first ? first : sqlite3_errmsg(handle(s)));
    if (st)
        db_reset(st);
    atomic_store(&integrity.problem, ok ? NULL : "the database is damaged (quick_check)");
    integrity.checked_at = now;
    pthread_mutex_unlock(&integrity.lock);
    return atomic_load(&integrity.problem);
}

static const char *lite_health(struct store *s)
{
    const char *why = store_lost(s, true);
    if (why)
        return why;
    if (!store_ping(s))
        return "the database does not answer a read";
    return integrity_problem(s);
}

static int lite_backup(struct store *s, const char *dest_path, char *err, size_t errlen)
{
    sqlite3 *dest;
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", dest_path, dest ? sqlite3_errmsg(dest) : "cannot open");
        sqlite3_close(dest);
        return STORE_ERROR;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", handle(s), "main");
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

/* ---- the change generation ---- */

/* The wal-index (the database's -shm file, shared by every connection of
 * every process) begins with two copies of a 48-byte header that each commit
 * rewrites: frame count, change counter, checksums
 * (https://www.sqlite.org/walformat.html). Its region 0 is reached through
 * the VFS's own xShmMap, the very mapping SQLite uses; a connection maps it
 * once and keeps it until it closes. */
#define WALINDEX_REGION 32768
#define WALINDEX_HEADER_BYTES 96

/* Copies the header into out; false when there is no wal-index to read. */
static bool read_wal_header(struct sqlite_store *s, unsigned char out[WALINDEX_HEADER_BYTES])
{
    if (!s->wal_header_tried) {
        sqlite3_file *f = NULL;
        void volatile *region = NULL;
        s->wal_header_tried = true;
        if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK &&
            f && f->pMethods && f->pMethods->iVersion >= 2 && f->pMethods->xShmMap &&
            f->pMethods->xShmMap(f, 0, WALINDEX_REGION, 0, &region) == SQLITE_OK && region)
            s->wal_header = region;
    }
    if (!s->wal_header)
        return false;
    /* eight bytes at a time (the mapping is page-aligned): byte by byte,
     * this copy was a tenth of what a cached page costs folio itself */
    const volatile uint64_t *words = (const volatile uint64_t *)(const volatile void *)s->wal_header;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    for (size_t i = 0; i < WALINDEX_HEADER_BYTES / 8; i++) {
        uint64_t w = words[i];
        memcpy(out + 8 * i, &w, sizeof w);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return true;
}

/* The header this process read last, and the generation it stands for: the
 * generation moves on whenever a connection reads a header that differs. */
static struct {
    pthread_mutex_t lock;
    unsigned char header[WALINDEX_HEADER_BYTES];
    uint64_t generation;
} seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t lite_generation(struct store *s)
{
    unsigned char header[WALINDEX_HEADER_BYTES];
    if (!read_wal_header(lite(s), header))
        return 0;
    pthread_mutex_lock(&seen.lock);
    if (!seen.generation || memcmp(header, seen.header, sizeof header) != 0) {
        memcpy(seen.header, header, sizeof header);
        seen.generation++;
    }
    uint64_t generation = seen.generation;
    pthread_mutex_unlock(&seen.lock);
    return generation;
}

sqlite3 *db_sqlite_handle(struct store *s)
{
    return s->drv == &db_sqlite_driver ? handle(s) : NULL;
}

/* ---- commits synced by the caller (db_defer_sync, db_sync_log) ---- */

/* fsyncs the directory that holds `path`, so that a file created in it is
 * still there after a power cut (what SQLite does on a new log's first sync,
 * which with synchronous = NORMAL comes only at a checkpoint). */
static bool sync_directory_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return false;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* With synchronous = NORMAL a commit writes its frames to the WAL and
 * returns; syncing the WAL after it is what synchronous = FULL does inside
 * COMMIT (a checkpoint still syncs as before). The WAL is opened here, by
 * the name SQLite gives it: it exists, since set_up_connection read the
 * database in WAL mode, and it stays the same file while s is open (SQLite
 * deletes it only when the last connection closes). */
static bool lite_defer_sync(struct store *s)
{
    struct sqlite_store *ls = lite(s);
    sqlite3_filename db_file = sqlite3_db_filename(ls->db, "main");
    if (!db_file || !*db_file || ls->wal_fd >= 0)
        return ls->wal_fd >= 0;         /* in memory: nothing reaches a disk */
    const char *wal = sqlite3_filename_wal(db_file);
    int fd = open(wal, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || !sync_directory_of(wal)) {
        log_error("database %s: cannot open its log %s to sync it (%s); each commit of "
                  "group commit waits for the disk instead", s->where, wal, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (!apply_setting(s, STMT_SETUP_SYNC_DEFERRED)) {
        close(fd);
        return false;
    }
    ls->wal_fd = fd;
    return true;
}

static int lite_sync_log(struct store *s)
{
    int fd = lite(s)->wal_fd;
    if (fd < 0)
        return STORE_OK;                /* its commits synced themselves */
    if (fdatasync(fd) != 0) {
        log_error("database %s: syncing its log: %s; the comments just written may be lost",
                  s->where, strerror(errno));
        return STORE_ERROR;
    }
    return STORE_OK;
}

const struct db_driver db_sqlite_driver = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .clear = lite_clear,
    .param = lite_param,
    .bind = lite_bind,
    .step = lite_step,
    .reset = lite_reset,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .col_blob = lite_col_blob,
    .changes = lite_changes,
    .total_changes = lite_total_changes,
    .last_id = lite_last_id,
    .in_transaction = lite_in_transaction,
    .errmsg = lite_errmsg,
    .exec = exec_sql,
    .begin = lite_begin,
    .lost = lite_lost,
    .unavailable = lite_unavailable,
    .pin_file = lite_pin_file,
    .health = lite_health,
    .read_only = lite_read_only,
    .backup = lite_backup,
    .generation = lite_generation,
    .defer_sync = lite_defer_sync,
    .sync_log = lite_sync_log,
};
