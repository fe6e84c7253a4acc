/* store: everything folio keeps, behind functions that speak in folio's
 * terms. Handlers include this and never SQLite itself. */
#ifndef FOLIO_STORE_H
#define FOLIO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store;

enum store_result {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1,
    STORE_CONFLICT = 2,     /* a uniqueness rule was hit */
    STORE_ERROR = -1,       /* logged already */
};

/* ---- the database ---- */

/* Opens (and with `create`, creates) the database and migrates it to the
 * schema in sql_dir. On failure returns NULL with the cause in err. */
struct store *store_open(const char *path, const char *sql_dir, bool create, char *err,
                         size_t errlen);
void store_close(struct store *s);
int store_begin(struct store *s);     /* BEGIN IMMEDIATE */
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* A cheap check that the database answers (for /healthz). */
bool store_ping(struct store *s);
/* SQLite's online backup of the whole database into dest_path. */
int store_backup(struct store *s, const char *dest_path, char *err, size_t errlen);
/* Changes whenever any connection commits a change (PRAGMA data_version). */
int64_t store_data_version(struct store *s);

/* ---- settings ---- */

/* The server's secret, created at random on first use. */
int store_secret(struct store *s, unsigned char out[32]);

/* ---- articles ---- */

enum comment_status { CS_PENDING, CS_APPROVED, CS_SPAM, CS_TRASH, CS_COUNT };

struct article {
    int64_t id;
    const char *slug, *title, *author, *body, *body_html, *tags, *source, *status;
    int64_t published_at, updated_at, version;
    bool comments_open;
    int64_t counts[CS_COUNT];           /* comments by status */
};

struct article_list {
    struct article *items;
    size_t count;
};

/* Input to store_article_save; tags are names, comma-separated. */
struct article_input {
    const char *slug, *title, *author, *body, *body_html, *tags, *source, *status;
    int64_t published_at;
    bool comments_open;
};

int store_article_by_slug(struct store *s, struct arena *a, const char *slug,
                          bool published_only, struct article *out);
/* Published articles, newest first; tag_slug NULL for all. Fills counts[CS_APPROVED]. */
int store_articles_published(struct store *s, struct arena *a, const char *tag_slug,
                             int64_t offset, int limit, struct article_list *out);
/* The name of a tag as written, by its slug; STORE_NOT_FOUND when unused. */
int store_tag_name(struct store *s, struct arena *a, const char *tag_slug, const char **name);
/* Full-text search over published articles, best first. `words` is what the
 * reader typed; it is turned into a safe FTS5 query here. */
int store_articles_search(struct store *s, struct arena *a, const char *words, int limit,
                          struct article_list *out);
/* Every article, newest first, with all comment counts (for the CLI and API). */
int store_articles_all(struct store *s, struct arena *a, struct article_list *out);
/* Inserts or replaces by slug, tags included, in one transaction of its own
 * unless one is open. *created tells which. */
int store_article_save(struct store *s, const struct article_input *in, bool *created);
int store_article_delete(struct store *s, const char *slug);
/* Marks an article changed (a comment on it was approved or withdrawn). */
int store_article_touch(struct store *s, int64_t article_id);

/* ---- comments ---- */

struct comment {
    int64_t id, article_id, parent_id;  /* parent_id 0: top level */
    const char *status, *author, *email, *url, *body, *ip, *user_agent;
    int64_t created_at;
};

struct comment_list {
    struct comment *items;
    size_t count;
};

/* Approved comments of an article, oldest first, plus the pending ones whose
 * ids are in `own` (the reader's own), at most own_count. */
int store_comments_for_article(struct store *s, struct arena *a, int64_t article_id,
                               const int64_t *own, size_t own_count, struct comment_list *out);
/* The article's newest approved comments, newest first (the comment feed). */
int store_comments_recent(struct store *s, struct arena *a, int64_t article_id, int limit,
                          struct comment_list *out);
int store_comment_by_id(struct store *s, struct arena *a, int64_t id, struct comment *out);

/* A comment as the form delivers it; stored with status in one transaction. */
struct comment_input {
    int64_t article_id, parent_id;
    const char *status, *author, *email, *url, *body, *ip, *user_agent;
    int64_t created_at;
};
int store_comment_insert(struct store *s, const struct comment_input *in, int64_t *id);

/* ---- moderation (src/store/moderation.c) ---- */

/* Who changed a comment: an editor (editor_id) or an API token (token_id);
 * the other id is 0. `name` is written into the log as it is now. */
struct actor {
    int64_t editor_id, token_id;
    const char *name;
};

/* Sets a comment's status ("pending", "approved", "spam", "trash") and logs
 * it, in one transaction (its own, unless one is open). Moving into spam or
 * trash remembers the status it came from (for restore). Touches the article
 * when its approved set changes. Setting the status it already has changes
 * and logs nothing. *old_status_out (may be NULL) gets the status it had (a
 * static string). STORE_OK, STORE_NOT_FOUND, STORE_ERROR. */
int store_comment_set_status(struct store *s, int64_t id, const char *new_status,
                             const struct actor *who, const char **old_status_out);
/* Deletes a comment for good and logs it ('deleted'), in one transaction.
 * With only_from_spam_or_trash, a comment in another status is left alone:
 * STORE_CONFLICT. STORE_OK, STORE_NOT_FOUND, STORE_ERROR. */
int store_comment_delete(struct store *s, int64_t id, const struct actor *who,
                         bool only_from_spam_or_trash);
/* An editor's action: "approve", "unapprove" (to pending), "spam", "trash",
 * "restore" (from spam or trash to where it was, else pending) or "delete"
 * (only from spam or trash). *changed tells whether anything changed.
 * STORE_OK, STORE_NOT_FOUND, STORE_CONFLICT (delete refused, or an unknown
 * action), STORE_ERROR. */
int store_moderate(struct store *s, int64_t comment_id, const char *action,
                   const struct actor *who, bool *changed);

#endif
