/* db: opening the database, migrations, and the per-connection statement
 * cache. Only files in store/ include this (and sqlite3.h). */
#ifndef FOLIO_DB_H
#define FOLIO_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* Each store file owns a range of statement slots. */
enum {
    STMT_BASE_ARTICLES = 0,
    STMT_BASE_COMMENTS = 32,
    STMT_BASE_EDITORS = 64,
    STMT_BASE_MODLOG = 96,
    STMT_BASE_SETTINGS = 112,
    STMT_BASE_TOKENS = 120,     /* tokens.c, comment_queries.c */
    STMT_BASE_VERSIONS = 160,   /* versions.c */
    STMT_SLOTS = 168,
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[STMT_SLOTS];
    const char *path;
};

/* The statement in `slot`, prepared from `sql` on first use and reset on
 * every later one. NULL (logged) when it does not prepare. */
sqlite3_stmt *db_stmt(struct store *s, int slot, const char *sql);

/* Binding by name; a name the statement lacks is a programming error that
 * is logged and returns false, so a misspelt parameter fails loudly. */
bool db_bind_text(sqlite3_stmt *st, const char *name, const char *value);
bool db_bind_int(sqlite3_stmt *st, const char *name, int64_t value);
bool db_bind_blob(sqlite3_stmt *st, const char *name, const void *data, int len);
bool db_bind_null(sqlite3_stmt *st, const char *name);

/* Copies column `col` into the arena ("" for NULL). */
const char *db_col_text(struct arena *a, sqlite3_stmt *st, int col);

/* Steps a statement that returns no rows; logs and returns STORE_ERROR on failure. */
int db_exec_stmt(struct store *s, sqlite3_stmt *st);
/* Logs the connection's last error with `what`. */
int db_error(struct store *s, const char *what);

#endif
