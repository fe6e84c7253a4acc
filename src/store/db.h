/* db: opening the database, migrations, and the per-connection statement
 * cache. Only files in store/ include this (and sqlite3.h). */
#ifndef FOLIO_DB_H
#define FOLIO_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/store.h"

/* One name per statement of statements.h: STMT_ARTICLE_BY_SLUG... */
enum stmt_id {
#define STMT(name, sql) STMT_##name,
#include "store/statements.h"
#undef STMT
    STMT_COUNT
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[STMT_COUNT];   /* prepared on first use */
    const volatile unsigned char *wal_header;   /* versions.c: mapped once, or NULL */
    bool wal_header_tried;
    const char *path;
    /* The file this connection opened, to notice when the path no longer
     * leads to it (store_lost). */
    dev_t dev;
    ino_t ino;
    bool identity_known;
    long long checked_at;       /* the monotonic second of the last look */
};

/* The statement `id` of statements.h, prepared on first use and reset (its
 * bindings cleared) on every later one. NULL (logged) when it does not
 * prepare. */
sqlite3_stmt *db_stmt(struct store *s, enum stmt_id id);

/* Binding by name; a name the statement lacks is a programming error that
 * is logged and returns false, so a misspelt parameter fails loudly. */
bool db_bind_text(sqlite3_stmt *st, const char *name, const char *value);
bool db_bind_int(sqlite3_stmt *st, const char *name, int64_t value);
bool db_bind_blob(sqlite3_stmt *st, const char *name, const void *data, int len);
bool db_bind_null(sqlite3_stmt *st, const char *name);

/* Copies column `col` into the arena ("" for NULL). */
const char *db_col_text(struct arena *a, sqlite3_stmt *st, int col);

/* An article status column as the enum. The table's CHECK lets only the
 * names in; anything else reads as a draft, the status that shows nothing. */
enum article_status db_col_article_status(sqlite3_stmt *st, int col);

/* A comment status column (a name of comment_status_name) as the enum;
 * CS_NONE for NULL, '' or anything else (the log's 'deleted'). */
enum comment_status db_col_comment_status(sqlite3_stmt *st, int col);

/* Reads COMMENT_COLUMNS (statements.h) from the current row into out (strings in the arena). */
void db_read_comment(struct arena *a, sqlite3_stmt *st, struct comment *out);

/* Reads one row into item (a struct of the caller's kind). */
typedef void (*db_row_reader)(struct arena *a, sqlite3_stmt *st, void *item);

/* Steps st to its end, or to `max` rows when max > 0, reading each row with
 * `read` into an arena array of `size`-byte items that grows as needed.
 * `what` names the query in the log when it fails. */
int db_collect(struct store *s, struct arena *a, sqlite3_stmt *st, size_t size, size_t max,
               db_row_reader read, void **items, size_t *count, const char *what);

/* Steps st for one row: read with `read` into item (strings in the arena),
 * STORE_OK; no row, STORE_NOT_FOUND; an error, logged with `what`,
 * STORE_ERROR. `read` may be NULL when only whether there is a row counts.
 * The statement is reset before it returns. */
int db_one_row(struct store *s, struct arena *a, sqlite3_stmt *st, db_row_reader read,
               void *item, const char *what);
/* db_one_row for a statement whose row is one integer (column 0). */
int db_one_int(struct store *s, sqlite3_stmt *st, int64_t *out, const char *what);
/* db_one_row for a statement whose row is one text (column 0). */
int db_one_text(struct store *s, struct arena *a, sqlite3_stmt *st, const char **out,
                const char *what);

/* Replaces the article's rows in article_tags by the names in `tags`
 * (comma-separated, as written). */
int db_article_tags_save(struct store *s, int64_t id, const char *tags);

/* Steps a statement that returns no rows; logs and returns STORE_ERROR on failure. */
int db_exec_stmt(struct store *s, sqlite3_stmt *st);
/* Logs the connection's last error with `what`. */
int db_error(struct store *s, const char *what);

#endif
