/* db: the statements of statements.h run through whichever database the
 * store was opened on (driver.h), and the helpers every store file uses to
 * read rows. Only files in store/ include this. */
#ifndef FOLIO_DB_H
#define FOLIO_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "store/store.h"

/* One name per statement of statements.h: STMT_ARTICLE_BY_SLUG... */
enum stmt_id {
#define STMT(name, sql) STMT_##name,
#include "store/statements.h"
#undef STMT
    STMT_COUNT
};


/* A prepared statement of the connection's driver, used through the
 * functions below whatever the driver: store files never see SQLite or
 * libpq. Parameters are named (":slug") in statements.h for both. */
struct db_query;

/* The statement `id` of statements.h, prepared on first use and reset (its
 * bindings cleared) on every later one. NULL (logged) when it does not
 * prepare. */
struct db_query *db_stmt(struct store *s, enum stmt_id id);

/* Binding by name; a name the statement lacks is a programming error that
 * is logged and returns false, so a misspelt parameter fails loudly. */
bool db_bind_text(struct db_query *q, const char *name, const char *value);
bool db_bind_int(struct db_query *q, const char *name, int64_t value);
bool db_bind_blob(struct db_query *q, const char *name, const void *data, int len);
bool db_bind_null(struct db_query *q, const char *name);

/* Whether q takes parameter `name`: where the dialects take an input in
 * different forms (statements.h's STMT_PG), the caller asks which. */
bool db_has_param(struct db_query *q, const char *name);

/* What a step found. */
enum db_step { DB_ROW, DB_DONE, DB_CONSTRAINT, DB_FAILED };
/* Runs the statement (the first call) or moves to its next row. */
enum db_step db_step(struct db_query *q);
/* Back to before the first step; the bindings stay. */
void db_reset(struct db_query *q);

/* Column `col` of the current row: an integer (0 for NULL; a boolean is 0
 * or 1), a text copied into the arena ("" for NULL), a text borrowed until
 * the next step or reset (NULL for NULL), a blob borrowed likewise. */
int64_t db_col_int(struct db_query *q, int col);
const char *db_col_text(struct arena *a, struct db_query *q, int col);
const char *db_col_peek(struct db_query *q, int col);
const void *db_col_blob(struct db_query *q, int col, size_t *len);

/* The rows the last statement of s changed; the id the last INSERT made
 * (a statement whose PostgreSQL text says RETURNING id). */
int64_t db_changes(struct store *s);
/* Rows changed on s since it opened, triggers' included; -1 where the
 * driver cannot say. */
int64_t db_total_changes(struct store *s);
int64_t db_last_id(struct store *s);
/* The path or URI s was opened on, as given. */
const char *db_where(struct store *s);
/* True when each connection caches the database's pages itself and drops
 * them all whenever another connection commits (SQLite), false when the
 * server keeps them (PostgreSQL). */
bool db_keeps_pages_per_connection(struct store *s);
/* Lets s's commits return before they are on disk, for a caller that makes
 * them durable itself with db_sync_log before it tells anyone they are kept
 * (group commit: the next batch is written while the last one's sync waits
 * for the disk). True when s now works so; false (and s syncs each commit
 * as before) when the driver's server syncs every commit (PostgreSQL), the
 * database is in memory, or its log cannot be opened (logged). Not to be
 * called while another thread uses s. */
bool db_defer_sync(struct store *s);
/* Waits until every commit made so far on s, after db_defer_sync, is on
 * disk, then wakes the notification worker if one of them wrote to the
 * outbox (so that it tells only of comments on disk). STORE_OK, or
 * STORE_ERROR (logged): those commits may be lost. Unlike the rest of s,
 * safe while another thread runs statements on s; called by the thread
 * that committed. */
int db_sync_log(struct store *s);
/* True inside a transaction (BEGIN without its COMMIT or ROLLBACK yet). */
bool db_in_transaction(struct store *s);
/* The open transaction on s wrote to the outbox: its commit, on whichever
 * thread, wakes the notification worker (store_outbox_wake). */
void db_note_outbox_write(struct store *s);

/* An article status column as the enum. The table's CHECK lets only the
 * names in; anything else reads as a draft, the status that shows nothing. */
enum article_status db_col_article_status(struct db_query *q, int col);

/* A comment status column (a name of comment_status_name) as the enum;
 * CS_NONE for NULL, '' or anything else (the log's 'deleted'). */
enum comment_status db_col_comment_status(struct db_query *q, int col);

/* Reads COMMENT_COLUMNS (statements.h) from the current row into out (strings in the arena). */
void db_read_comment(struct arena *a, struct db_query *q, struct comment *out);

/* Reads one row into item (a struct of the caller's kind). */
typedef void (*db_row_reader)(struct arena *a, struct db_query *q, void *item);

/* Steps q to its end, or to `max` rows when max > 0, reading each row with
 * `read` into an arena array of `size`-byte items that grows as needed.
 * `what` names the query in the log when it fails. */
int db_collect(struct store *s, struct arena *a, struct db_query *q, size_t size, size_t max,
               db_row_reader read, void **items, size_t *count, const char *what);

/* Steps q for one row: read with `read` into item (strings in the arena),
 * STORE_OK; no row, STORE_NOT_FOUND; an error, logged with `what`,
 * STORE_ERROR. `read` may be NULL when only whether there is a row counts.
 * The statement is reset before it returns. */
int db_one_row(struct store *s, struct arena *a, struct db_query *q, db_row_reader read,
               void *item, const char *what);
/* db_one_row for a statement whose row is one integer (column 0). */
int db_one_int(struct store *s, struct db_query *q, int64_t *out, const char *what);
/* db_one_row for a statement whose row is one text (column 0). */
int db_one_text(struct store *s, struct arena *a, struct db_query *q, const char **out,
                const char *what);

/* The LIKE pattern (TEXT_MATCH, statements.h) that finds `text` anywhere:
 * "%text%" with its %, _ and \ escaped by a backslash; "" for none. An
 * arena string, or NULL when memory ran out. */
const char *db_like_pattern(struct arena *a, const char *text);

/* Replaces the article's rows in article_tags by the names in `tags`
 * (comma-separated, as written). */
int db_article_tags_save(struct store *s, int64_t id, const char *tags);

/* Writes a row of the moderation log (moderation.c) in the caller's
 * transaction: `what` is the new status's name, or "deleted", "edited",
 * "withdrawn" (see enum log_event); old_status CS_NONE for none. */
int db_log_change(struct store *s, int64_t comment_id, int64_t article_id,
                  enum comment_status old_status, const char *what, const struct actor *who,
                  int64_t now);

/* Steps a statement that returns no rows; logs and returns STORE_ERROR on failure. */
int db_exec_stmt(struct store *s, struct db_query *q);
/* Logs the connection's last error with `what`. */
int db_error(struct store *s, const char *what);

#endif
