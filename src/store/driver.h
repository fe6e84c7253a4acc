/* driver: the table of functions behind db.h, one per database engine
 * (db_sqlite.c, db_pgsql.c), chosen once when a store is opened from what
 * --db names: a postgresql:// or postgres:// URI is PostgreSQL (libpq),
 * anything else a SQLite file. The model is Dovecot's lib-sql
 * (sql-api-private.h): callers hold a struct store and a struct db_query and
 * never learn which engine answers. Only db*.c include this. */
#ifndef FOLIO_DRIVER_H
#define FOLIO_DRIVER_H

#include "store/db.h"

/* The part of every connection db.c knows; a driver's own connection
 * struct begins with it. */
struct store {
    const struct db_driver *drv;
    const char *where;                  /* the path or URI, as given */
    struct db_query *stmts[STMT_COUNT]; /* prepared on first use */
    /* The open transaction wrote to the outbox: its commit wakes the
     * worker. Kept with the connection, not the thread: a group commit's
     * writes run on one thread and are committed on another. */
    bool outbox_written;
    bool sync_deferred;     /* db_defer_sync: commits are synced by db_sync_log */
    /* A commit that wrote to the outbox waits for db_sync_log: the worker
     * is woken once the comment it will tell of is on disk. */
    bool outbox_unsynced;
};

/* The part of every prepared statement db.c knows; a driver's own begins
 * with it. */
struct db_query {
    struct store *s;
    enum stmt_id id;
};

enum db_value_kind { DBV_TEXT, DBV_INT, DBV_BLOB, DBV_NULL };
struct db_value {
    enum db_value_kind kind;
    const char *text;       /* DBV_TEXT, never NULL */
    int64_t integer;        /* DBV_INT */
    const void *blob;       /* DBV_BLOB */
    int len;                /* DBV_BLOB */
};

struct db_driver {
    const char *name;
    struct store *(*open)(const char *where, const char *sql_dir, bool create, char *err,
                          size_t errlen);
    void (*close)(struct store *s);

    /* Prepares statement `id` (NULL, logged, when it does not). */
    struct db_query *(*prepare)(struct store *s, enum stmt_id id);
    void (*finalize)(struct db_query *q);
    /* Resets q and clears its bindings, for its next use. */
    void (*clear)(struct db_query *q);
    /* The 1-based index of parameter `name` (":slug"), 0 when q has none. */
    int (*param)(struct db_query *q, const char *name);
    bool (*bind)(struct db_query *q, int index, const struct db_value *v);
    enum db_step (*step)(struct db_query *q);
    void (*reset)(struct db_query *q);
    int64_t (*col_int)(struct db_query *q, int col);
    /* NULL for NULL; *len its bytes. */
    const char *(*col_text)(struct db_query *q, int col, size_t *len);
    const void *(*col_blob)(struct db_query *q, int col, size_t *len);

    int64_t (*changes)(struct store *s);
    /* rows changed since the connection opened, by triggers too; NULL
     * where the driver cannot say */
    int64_t (*total_changes)(struct store *s);
    int64_t (*last_id)(struct store *s);
    bool (*in_transaction)(struct store *s);
    /* The connection's last error, for the log. */
    const char *(*errmsg)(struct store *s);
    /* Runs SQL text with no parameters (BEGIN, COMMIT, ROLLBACK). */
    int (*exec)(struct store *s, const char *sql);

    /* store.h's operations on the whole database. */
    int (*begin)(struct store *s);
    const char *(*lost)(struct store *s, bool now);
    bool (*unavailable)(struct store *s);
    void (*pin_file)(struct store *s);
    const char *(*health)(struct store *s);
    bool (*read_only)(struct store *s);
    int (*backup)(struct store *s, const char *dest_path, char *err, size_t errlen);
    uint64_t (*generation)(struct store *s);
    /* db.h's db_defer_sync and db_sync_log; NULL where every commit is
     * synced by the server (PostgreSQL). */
    bool (*defer_sync)(struct store *s);
    int (*sync_log)(struct store *s);
};

/* True for a postgresql:// or postgres:// URI: a PostgreSQL database. */
bool db_is_uri(const char *where);

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pgsql_driver;

/* The statements' texts and names, for the drivers. */
extern const char *const db_statement_sql[STMT_COUNT];
extern const char *const db_statement_name[STMT_COUNT];

/* ---- migrations: numbered files sql_dir/NNN_*.sql ---- */

struct migration {
    int number;
    bool applied;       /* the database holds it already */
    char *path;
};
/* Lists sql_dir/NNN_*.sql in order into *out (free with
 * db_migrations_free). Returns the count, or -1 with err set. */
int db_list_migrations(const char *sql_dir, struct migration **out, char *err, size_t errlen);
void db_migrations_free(struct migration *list, int count);

#endif
