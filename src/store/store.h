/* store: everything folio keeps, behind functions that speak in folio's
 * terms. Callers include this and never a database's own header: nothing
 * here names SQLite's types, statements or files, so that another store
 * (PostgreSQL) can stand behind the same functions. Statuses and actions
 * are enums with one table of names each (store/names.c); a store turns
 * them into what it keeps. Where a contract below says what SQLite's store
 * does, that is how it meets it, not part of it. */
#ifndef FOLIO_STORE_H
#define FOLIO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store;   /* one connection, used by one thread at a time */

enum store_result {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1,
    STORE_CONFLICT = 2,     /* a uniqueness rule was hit */
    STORE_ERROR = -1,       /* logged already */
};

/* ---- the database ---- */

/* What is at a database's path before it is opened. EMPTY: a file of 0
 * bytes (with no write-ahead log that holds pages), which is no database:
 * taken as a new one it would hide that the real one was lost. A store that
 * is not a file says PRESENT. */
enum store_file { STORE_FILE_MISSING, STORE_FILE_EMPTY, STORE_FILE_PRESENT };
enum store_file store_file_state(const char *path);

/* Opens (and with `create`, creates) the database and migrates it to the
 * schema in sql_dir. On failure returns NULL with the cause in err. Without
 * `create`, a missing or empty (0-byte) file is refused, saying how to make
 * one; with it, an empty file becomes a new database, and the log says so.
 * On PostgreSQL a store opened without sql_dir (a worker's, the notifier's:
 * the server's own store has connected and migrated already) connects on
 * its first use, not here, so an unreachable server shows then. */
struct store *store_open(const char *path, const char *sql_dir, bool create, char *err,
                         size_t errlen);
void store_close(struct store *s);
/* Closes the connection comments are committed on (group_commit.c), opened
 * by the first comment a process stores; a server calls it once its
 * request threads have stopped. */
void store_group_commit_close(void);
/* Opens a write transaction that holds the right to write from its start
 * (SQLite: BEGIN IMMEDIATE), so that checks made inside it stay true until
 * the commit. */
int store_begin(struct store *s);
/* Makes the transaction durable before it returns. */
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* A cheap check that the database answers (for /healthz). */
bool store_ping(struct store *s);
/* NULL while the path still leads to the file this process opened; else a
 * short reason ("the database file was deleted", "... replaced"). Looks at
 * the file at most once a second per connection, or now when `now`; once
 * lost, lost for the whole process until it restarts, and logged once,
 * loudly, with the path. Writes (store_begin) look every time. A store that
 * is not a file is never lost this way: NULL. */
const char *store_lost(struct store *s, bool now);
/* Makes s's file the one this process serves: a connection opened later
 * onto another file at the path, or onto none, marks the database lost.
 * Nothing to do for a store that is not a file. */
void store_pin_file(struct store *s);
/* True when this connection's last failure was that the database could not
 * be reached at all (PostgreSQL: its server down or restarting; SQLite: the
 * file lost, as store_lost): the request is answered 503, not 500. Asking
 * clears it. */
bool store_unavailable(struct store *s);
/* NULL when the database is fit to serve: still the one opened, answers a
 * read, and passed its integrity check (SQLite: PRAGMA quick_check, run at
 * most every 10 minutes, by one thread at a time; the others use the last
 * result). Else a short reason for /healthz, without the path (the log
 * names it). */
const char *store_health(struct store *s);
/* True when this connection can only read (SQLite: the file or its
 * directory not writable); logged once per process with what to fix. */
bool store_read_only(struct store *s);
/* A consistent copy of the whole database into the file dest_path while
 * servers keep running (SQLite's online backup). A store that is not a
 * file makes no copy: it returns STORE_ERROR with err saying which tool
 * does it (PostgreSQL: pg_dump). */
int store_backup(struct store *s, const char *dest_path, char *err, size_t errlen);

/* ---- settings ---- */

/* The server's secret, created at random on first use. */
int store_secret(struct store *s, unsigned char out[32]);

/* ---- articles ---- */

/* An article's status, named by the one table of article_status_name and
 * article_status_parse ("draft", "published"). */
enum article_status {
    AS_DRAFT, AS_PUBLISHED,
    AS_COUNT,               /* how many statuses there are: not a status */
    AS_ANY = AS_COUNT,      /* only as a filter (store_articles_page): every status */
};
const char *article_status_name(enum article_status status);   /* "" for AS_ANY */
bool article_status_parse(const char *name, enum article_status *out);

/* A comment's status. Callers speak in these; the names exist only where
 * text meets folio (a form, the API, the CLI, a page) and always through
 * comment_status_name and comment_status_parse, the one table of them. */
enum comment_status {
    CS_PENDING, CS_APPROVED, CS_SPAM, CS_TRASH,
    CS_COUNT,               /* how many statuses there are: not a status */
    CS_NONE = CS_COUNT,     /* no status: none before (a log row, a comment never in
                             * spam or trash), or none after (deleted) */
    CS_ANY,                 /* only as a filter (store_comments_page): every status */
};
/* A status's name as stored and shown ("pending"...); "" for CS_NONE and CS_ANY. */
const char *comment_status_name(enum comment_status status);
/* The status called `name` (one of the four); false when none is. */
bool comment_status_parse(const char *name, enum comment_status *out);

/* What an editor does to a comment (store_moderate). */
enum comment_action { CA_APPROVE, CA_UNAPPROVE, CA_SPAM, CA_TRASH, CA_RESTORE, CA_DELETE,
                      CA_COUNT };
const char *comment_action_name(enum comment_action action);
bool comment_action_parse(const char *name, enum comment_action *out);

struct article {
    int64_t id;
    const char *slug, *title, *author, *body, *body_html, *tags, *source;
    enum article_status status;
    const char *summary, *image, *image_alt;   /* "" when not given (sql/013) */
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
    const char *slug, *title, *author, *body, *body_html, *tags, *source;
    enum article_status status;
    const char *summary, *image, *image_alt;   /* NULL: "" */
    int64_t published_at;
    bool comments_open;
};

/* What a sitemap lists of an article. */
struct sitemap_entry {
    const char *slug, *title;
    int64_t published_at, updated_at;
};
struct sitemap_list {
    struct sitemap_entry *items;
    size_t count;
};
/* How many articles are published (kept, not counted). */
int store_sitemap_count(struct store *s, int64_t *count);
/* The highest id of a published article; 0 when there is none. */
int store_sitemap_last_id(struct store *s, int64_t *id);
/* Published articles with ids in (after, last], by id, at most limit: slug
 * and updated_at (title and published_at are not read). By index, so a
 * range costs what it holds, wherever it is. */
int store_sitemap_articles(struct store *s, struct arena *a, int64_t after, int64_t last,
                           int limit, struct sitemap_list *out);
/* Whether any published article has an id in (after, last]. */
int store_sitemap_any(struct store *s, int64_t after, int64_t last, bool *any);
/* Published articles published at or after since, newest first. */
int store_sitemap_news(struct store *s, struct arena *a, int64_t since, int limit,
                       struct sitemap_list *out);

int store_article_by_slug(struct store *s, struct arena *a, const char *slug,
                          bool published_only, struct article *out);
/* Published articles, newest first; tag_slug NULL for all. Fills counts[CS_APPROVED]. */
int store_articles_published(struct store *s, struct arena *a, const char *tag_slug,
                             int64_t offset, int limit, struct article_list *out);
/* The name of a tag as written, by its slug; STORE_NOT_FOUND when unused. */
int store_tag_name(struct store *s, struct arena *a, const char *tag_slug, const char **name);
/* Full-text search over published articles, best first. `words` is what the
 * reader typed, as typed: the store makes of it a query that cannot fail to
 * parse (SQLite: an FTS5 query of quoted words, the last a prefix). */
int store_articles_search(struct store *s, struct arena *a, const char *words, int limit,
                          struct article_list *out);
/* Every article, newest first, with all comment counts (for the CLI and API). */
int store_articles_all(struct store *s, struct arena *a, struct article_list *out);
/* Inserts or replaces by slug, tags included, in one transaction of its own
 * unless one is open. *created tells which. */
int store_article_save(struct store *s, const struct article_input *in, bool *created);
int store_article_delete(struct store *s, const char *slug);
/* Sets the status and nothing else; the article keeps its date.
 * STORE_NOT_FOUND for an unknown slug. */
int store_article_set_status(struct store *s, const char *slug, enum article_status status);
/* Marks an article changed (a comment on it was approved or withdrawn). */
int store_article_touch(struct store *s, int64_t article_id);
/* What the page cache checks (versions.c): a published article's id and
 * version by slug (STORE_NOT_FOUND for a draft or an unknown slug), and the
 * site's version, which changes with any article or its approved comments. */
int store_article_version(struct store *s, const char *slug, int64_t *id, int64_t *version);
/* A published article's id and whether it takes comments, by slug (posting
 * a comment: the whole row only when a refused form is shown again). */
int store_article_post_target(struct store *s, const char *slug, int64_t *id,
                              bool *comments_open);
int store_site_version(struct store *s, int64_t *version);
/* When anything a public list shows last changed (Unix seconds; sql/006). */
int store_site_changed_at(struct store *s, int64_t *t);
/* The change generation: a number for everything stored as this process
 * last saw it, which a cache compares to tell, without a query, that
 * nothing has changed since it last looked (pages/page_cache.c). What any
 * store must guarantee:
 *  - one sequence per process, shared by all its connections: never 0,
 *    never going back, never repeating;
 *  - a call made after a commit (by any connection of any process or host)
 *    became visible here returns a number other than every call made before
 *    that commit did;
 *  - no system call, no round trip to a server, no transaction: it is asked
 *    on every page the cache serves.
 * SQLite's store meets the second at once (it compares the wal-index header,
 * which every commit rewrites, in shared memory). A store that hears of
 * commits by message (PostgreSQL's LISTEN/NOTIFY) meets it once the message
 * has come, and moves the generation on whenever it may have missed one (a
 * lost listening connection). 0: the store cannot tell; the caller must ask
 * for versions every time. */
uint64_t store_generation(struct store *s);

/* ---- comments ---- */

struct comment {
    int64_t id, article_id, parent_id;  /* parent_id 0: top level */
    enum comment_status status;
    const char *author, *email, *url, *body, *ip, *user_agent;
    int64_t created_at;
    bool by_site;                       /* an editor's reply from the queue (sql/015) */
};

struct comment_list {
    struct comment *items;
    size_t count;
};

/* ---- comment pages (comment_pages.c, sql/016) ----
 *
 * Readers see an article's approved comments in threads: an approved
 * comment whose parent is not shown (none, or not approved) begins one, and
 * its approved replies follow it. Threads go in the order of their first
 * comment's id; a comment page holds a run of them. Every function here
 * costs the same whatever the article's size: nothing walks the threads
 * before the ones it wants. */

/* How many threads the article shows. */
int store_thread_count(struct store *s, int64_t article_id, int64_t *count);
/* The id of the first comment of the article's n-th thread (n from 1);
 * STORE_NOT_FOUND when there are fewer. */
int store_thread_start(struct store *s, int64_t article_id, int64_t n, int64_t *id);
/* The comments of the threads whose first comment's id is in [from, to):
 * thread by thread, each oldest first (a parent before its replies), plus
 * the held comments (pending or spam) among `own` (the reader's own) that
 * stand there: in the thread of their nearest shown ancestor, or, with
 * none, on their own where their id falls. */
int store_comments_for_page(struct store *s, struct arena *a, int64_t article_id,
                            int64_t from, int64_t to, const int64_t *own, size_t own_count,
                            struct comment_list *out);
/* The comment page (1: the article's own page) that shows comment `id`
 * when a page holds per_page threads (0: all on one), and its article; a
 * held comment's is the page it shows on to its author. STORE_NOT_FOUND
 * for an unknown id. */
int store_comment_page(struct store *s, int64_t id, int per_page, int64_t *article_id,
                       int64_t *page);
/* The article's newest approved comments, newest first (the comment feed). */
int store_comments_recent(struct store *s, struct arena *a, int64_t article_id, int limit,
                          struct comment_list *out);

/* A comment as the form delivers it; stored with status in one transaction. */
struct comment_input {
    int64_t article_id, parent_id;
    enum comment_status status;
    const char *author, *email, *url, *body, *ip, *user_agent;
    int64_t created_at;
};
int store_comment_insert(struct store *s, const struct comment_input *in, int64_t *id);

/* A reader's comment from the form, with the checks that must run inside
 * the transaction that stores it, so concurrent posts cannot slip past them. */
struct comment_post {
    const char *slug;           /* the address it was posted to, which must still lead
                                 * to c.article_id, published and taking comments */
    struct comment_input c;     /* c.status: what it gets, unless approve_known applies */
    bool approve_known;         /* approved when the same author and email have an
                                 * approved comment (--moderation first) */
    int rate_limit;             /* at most this many from c.ip per rate_window; 0: no limit */
    int64_t rate_window;        /* seconds */
    bool subscribe;             /* the commenter asked to be mailed (sql/014) */
    const char *link_base;      /* where the links in their mail start, without
                                 * --base-url: the request's scheme, Host and
                                 * --base-path (sql/017); NULL or "": --base-url */
    int per_page;               /* threads per comment page (--comments-per-page) */
};

enum comment_verdict {
    COMMENT_STORED,
    COMMENT_RATE_LIMITED,       /* retry_after says when the oldest leaves the window */
    COMMENT_DUPLICATE,          /* same body, same email, same article */
    COMMENT_BAD_PARENT,         /* not an approved comment of the same article */
    COMMENT_NO_TARGET,          /* the slug leads to no published article taking
                                 * comments, or to another than c.article_id */
};

struct comment_post_result {
    enum comment_verdict verdict;
    int64_t id;                 /* when stored */
    enum comment_status status; /* when stored: CS_PENDING, CS_APPROVED or CS_SPAM */
    int64_t retry_after;        /* when rate-limited: seconds, at least 1 */
    int64_t page;               /* when stored: the comment page that shows it to its
                                 * writer (store_comment_page), 0 if unknown */
};

/* In one write transaction (as store_begin's): the article (slug), the
 * rate limit, the duplicate and parent checks, the insert, and for an
 * approved comment the article's touch. STORE_OK means out->verdict holds the outcome and, when
 * stored, that the comment is durable (on disk, not just written). Posts
 * made at the same moment may share one commit. */
int store_comment_post(struct store *s, const struct comment_post *in,
                       struct comment_post_result *out);

/* ---- the commenter's own changes (comment_edits.c) ---- */

/* What became of a commenter's edit or withdrawal. */
enum own_change {
    OWN_CHANGED,
    OWN_GONE,           /* no comment with that id and time (withdrawn, deleted) */
    OWN_MODERATED,      /* no longer pending: an editor has seen to it */
    OWN_DUPLICATE,      /* the same text from the same email on the article */
};

/* A commenter's edit of their pending comment, after the form's checks. */
struct own_edit {
    int64_t id, created_at;     /* the comment, as the reader's cookie names it */
    const char *author, *url, *body;
    enum comment_status status; /* CS_PENDING, or CS_SPAM (disallowed keys) */
    bool approve_known;         /* as in struct comment_post */
};
/* In one transaction: the comment must still be pending; the text must not
 * repeat another of the commenter's on the article; the row changes and the
 * log records "edited" by the commenter. *status_out says what the comment
 * is now. */
int store_comment_own_edit(struct store *s, struct arena *a, const struct own_edit *in,
                           enum own_change *out, enum comment_status *status_out);
/* Deletes the commenter's pending comment and logs it as "withdrawn" by its
 * author, in one transaction; anything else changes nothing. */
int store_comment_withdraw(struct store *s, struct arena *a, int64_t id, int64_t created_at,
                           enum own_change *out);

/* ---- moderation (src/store/moderation.c) ---- */

/* Who changed a comment: an editor (editor_id) or an API token (token_id);
 * the other id is 0. `name` is written into the log as it is now. */
struct actor {
    int64_t editor_id, token_id;
    const char *name;
};

/* Sets a comment's status (one of the four) and logs it, in one
 * transaction (its own, unless one is open). Moving into spam or trash
 * remembers the status it came from (for restore). Touches the article when
 * its approved set changes. Setting the status it already has changes and
 * logs nothing. *old_status_out (may be NULL) gets the status it had.
 * STORE_OK, STORE_NOT_FOUND, STORE_CONFLICT (not a status), STORE_ERROR. */
int store_comment_set_status(struct store *s, int64_t id, enum comment_status new_status,
                             const struct actor *who, enum comment_status *old_status_out);
/* Deletes a comment for good and logs it ('deleted'), in one transaction.
 * With only_from_spam_or_trash, a comment in another status is left alone:
 * STORE_CONFLICT. STORE_OK, STORE_NOT_FOUND, STORE_ERROR. */
int store_comment_delete(struct store *s, int64_t id, const struct actor *who,
                         bool only_from_spam_or_trash);
/* An editor's action: approve, unapprove (to pending), spam, trash, restore
 * (from spam or trash to where it was, else pending) or delete (only from
 * spam or trash). *changed tells whether anything changed. STORE_OK,
 * STORE_NOT_FOUND, STORE_CONFLICT (delete refused, or not an action),
 * STORE_ERROR. */
int store_moderate(struct store *s, int64_t comment_id, enum comment_action action,
                   const struct actor *who, bool *changed);
/* store_moderate for a comment that is still pending, and only then (the
 * editors' mail links, which act once): STORE_CONFLICT when it is not. */
int store_moderate_pending(struct store *s, int64_t comment_id, enum comment_action action,
                           const struct actor *who, bool *changed);
/* How many comments are in each status. */
int store_comment_counts(struct store *s, int64_t counts[CS_COUNT]);

/* A comment in the queue, with its article. */
struct mod_comment {
    struct comment c;
    const char *article_slug, *article_title;
    enum comment_status previous_status;    /* CS_NONE when none */
    /* a reply's parent: its author and the start of its text on one line
     * ("" for a top-level comment, or when the parent is gone) */
    const char *parent_author, *parent_excerpt;
};
struct mod_comment_page {
    struct mod_comment *items;
    size_t count;
    bool has_prev, has_next;
};
/* What the queue and the API narrow comments to besides their status. */
struct comment_filter {
    int64_t article_id;     /* 0: every article */
    const char *text;       /* NULL or "": anything; else found (A-Z in any case) in the
                             * text, the author or the email (% and _ are plain) */
};
/* One page of the comments in `status` (narrowed by `filter`, which may be
 * NULL), by keyset: pending oldest first, the other statuses newest first.
 * `after` (an id): the page that follows that comment; `before`: the page
 * that precedes it; both 0: the first. STORE_NOT_FOUND when `status` is not
 * one of the four. */
int store_comments_by_status(struct store *s, struct arena *a, enum comment_status status,
                             const struct comment_filter *filter, int64_t after,
                             int64_t before, int limit, struct mod_comment_page *out);

/* An editor's reply to comment parent_id (the queue's Reply, the API):
 * stored approved under `author` and marked as the site's, with its log
 * row; a parent still pending is approved with it (and logged), as
 * WordPress's "Approve and Reply" does. One transaction. *id gets the
 * reply's id, *parent_approved whether the parent was approved by it.
 * STORE_NOT_FOUND: no such comment; STORE_CONFLICT: it is in spam or trash. */
int store_comment_site_reply(struct store *s, int64_t parent_id, const char *author,
                             const char *body, const struct actor *who, int64_t *id,
                             bool *parent_approved);
/* An editor's change of a comment's text, logged as "edited" (with the
 * status it has) in the same transaction; the article's pages change when
 * the comment is approved. *changed is false when the text was the same
 * (nothing is logged). STORE_NOT_FOUND. */
int store_comment_set_text(struct store *s, int64_t id, const char *body,
                           const struct actor *who, bool *changed);

/* What a row of the log records: a change of status, or one of these. */
enum log_event {
    LOG_STATUS,         /* old_status -> new_status */
    LOG_DELETED,        /* deleted for good by an editor */
    LOG_EDITED,         /* the text changed (old_status: its status then) */
    LOG_WITHDRAWN,      /* deleted by its author (pages/comment_own.c) */
};
/* A row of the moderation log, with the article and the comment's status now. */
struct modlog_entry {
    int64_t id, at, editor_id, token_id, comment_id, article_id;
    const char *actor;
    enum comment_status old_status;     /* CS_NONE: none was logged */
    enum comment_status new_status;     /* CS_NONE: the row is not a change of status */
    enum log_event event;
    enum comment_status comment_status; /* now; CS_NONE once deleted */
    const char *article_slug, *article_title;
};
struct modlog_page {
    struct modlog_entry *items;
    size_t count;
    bool has_prev, has_next;
};
/* One page of the log, newest first, paged as store_comments_by_status. */
int store_modlog_page(struct store *s, struct arena *a, int64_t after, int64_t before,
                      int limit, struct modlog_page *out);
/* The id of the newest row of the log (0 when it is empty): an action's
 * rows are those after the id read before it, inside its transaction. */
int store_modlog_last_id(struct store *s, int64_t *id);
struct undo_result {
    long long undone;       /* put back to the status they had before */
    long long skipped;      /* changed again since, deleted, or not a status change */
};
/* Undoes an editor's action: the log rows from..to written by who->editor_id
 * each put their comment back to its old status (logged as a change by who),
 * in one transaction; a comment changed since then is left as it is. */
int store_moderation_undo(struct store *s, struct arena *a, int64_t from, int64_t to,
                          const struct actor *who, struct undo_result *out);

/* ---- editors, sessions, failed sign-ins (src/store/editors.c) ---- */

#define SESSION_HASH_BYTES 32
#define SESSION_IDLE_SECONDS (12 * 60 * 60)
#define SESSION_MAX_SECONDS (7 * 24 * 60 * 60)
#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW_SECONDS (15 * 60)

struct editor {
    int64_t id;
    const char *name, *password_hash;   /* password_hash "" in lists */
    int64_t created_at, password_changed_at;
    int64_t sessions;                   /* live sessions (lists only) */
};
struct editor_list {
    struct editor *items;
    size_t count;
};

/* STORE_CONFLICT when the name is taken. */
int store_editor_add(struct store *s, const char *name, const char *password_hash);
/* Replaces the password and ends every session of the editor, in one
 * transaction. STORE_NOT_FOUND for an unknown name. */
int store_editor_set_password(struct store *s, const char *name, const char *password_hash);
/* Removes the editor and its sessions. STORE_NOT_FOUND for an unknown name. */
int store_editor_delete(struct store *s, const char *name);
int store_editor_by_name(struct store *s, struct arena *a, const char *name, struct editor *out);
/* Every editor by name, with the count of live sessions. */
int store_editors(struct store *s, struct arena *a, struct editor_list *out);

struct session {
    int64_t id, editor_id;
    const char *editor_name, *csrf_token;
};
/* Stores a new session (only the hash of its token) and drops expired ones. */
int store_session_create(struct store *s, int64_t editor_id,
                         const unsigned char token_hash[SESSION_HASH_BYTES],
                         const char *csrf_token, int64_t *id);
/* The live session with this token hash (not idle for SESSION_IDLE_SECONDS,
 * not older than SESSION_MAX_SECONDS), marking it seen. STORE_NOT_FOUND
 * when there is none. */
int store_session_find(struct store *s, struct arena *a,
                       const unsigned char token_hash[SESSION_HASH_BYTES], struct session *out);
int store_session_delete(struct store *s, int64_t id);

/* Records a failed sign-in (and forgets those older than the window).
 * `name` is whatever the caller counts a typed name under (the admin area
 * passes a hash of it). */
int store_login_failure_add(struct store *s, const char *name, const char *ip);
/* What the failed sign-ins within LOGIN_WINDOW_SECONDS say about one more
 * attempt for `name` from `ip`. */
struct login_state {
    int64_t address_locked_until;   /* LOGIN_MAX_FAILURES from ip: when that
                                     * lifts (the window after the 5th newest);
                                     * else 0 */
    int64_t name_failures;          /* for name, from every address */
    int64_t name_last_failure;      /* the newest of those, 0 when none */
};
int store_login_state(struct store *s, const char *name, const char *ip,
                      struct login_state *out);
/* Forgets the failed sign-ins for a name: those from `ip` (after a right
 * password there), or from everywhere when ip is NULL (`folio user unlock`,
 * `passwd`). *forgotten (may be NULL) gets how many. */
int store_login_failures_clear(struct store *s, const char *name, const char *ip,
                               int64_t *forgotten);
/* Replaces a password hash with one of the same password at other limits,
 * unless the hash changed meanwhile (a `passwd` wins). */
int store_editor_rehash(struct store *s, int64_t editor_id, const char *old_hash,
                        const char *new_hash);

/* ---- API tokens (tokens.c) ---- */

struct api_token {
    int64_t id;
    const char *name;
    int64_t created_at, last_used_at, revoked_at;   /* 0: never */
};

struct api_token_list {
    struct api_token *items;
    size_t count;
};

/* Stores a new token under the hash of `secret` (the secret itself is never
 * stored: a lookup hashes what the client sent and finds the row). */
int store_token_add(struct store *s, const char *name, const char *secret, int64_t *id);
/* Every token, revoked ones too, by id. */
int store_token_list(struct store *s, struct arena *a, struct api_token_list *out);
/* STORE_NOT_FOUND for an unknown id, STORE_CONFLICT when already revoked. */
int store_token_revoke(struct store *s, int64_t id);
/* The unrevoked token whose secret this is; STORE_NOT_FOUND when none. */
int store_token_by_secret(struct store *s, struct arena *a, const char *secret,
                          struct api_token *out);
/* Records a use at `now`. */
int store_token_touch(struct store *s, int64_t id, int64_t now);

/* ---- the JSON API's listings (articles.c, comment_queries.c) ---- */

/* Articles by id after `after_id`, at most `limit`, in `status`, or in any
 * for AS_ANY; STORE_NOT_FOUND for a value that is neither. */
int store_articles_page(struct store *s, struct arena *a, enum article_status status,
                        int64_t after_id, int limit, struct article_list *out);

/* A comment with its article's slug and title. */
struct comment_view {
    struct comment c;
    const char *article_slug, *article_title;
};

struct comment_view_list {
    struct comment_view *items;
    size_t count;
};

/* Comments by id (oldest first) after `after_id`, at most `limit`, in
 * `status`, or in any for CS_ANY, narrowed by `filter` (may be NULL);
 * STORE_NOT_FOUND for CS_NONE. */
int store_comments_page(struct store *s, struct arena *a, enum comment_status status,
                        const struct comment_filter *filter, int64_t after_id, int limit,
                        struct comment_view_list *out);
int store_comment_view(struct store *s, struct arena *a, int64_t id, struct comment_view *out);

/* ---- moving in from WordPress (wordpress.c, sql/012) ---- */

enum wp_outcome { WP_CREATED, WP_UPDATED, WP_UNCHANGED };

/* Stores a post of the WordPress site `site` (its base_site_url) with id
 * wp_id as an article whose body is HTML (in->body_html; in->body the same):
 * created the first time (under in->slug, or the slug with the WordPress id
 * when another article has it), then found again by where it came from and
 * updated only when something differs (its slug stays). No transaction of
 * its own: the import holds one. */
int store_wp_post_save(struct store *s, const char *site, int64_t wp_id,
                       const struct article_input *in, enum wp_outcome *outcome,
                       int64_t *article_id);
/* Stores a comment the first time it is seen (its parent is joined later by
 * store_wp_resolve_parents); a comment imported before is left as it is now.
 * in->created_at is also its status_changed_at. */
int store_wp_comment_save(struct store *s, const char *site, int64_t wp_id, int64_t wp_parent,
                          const struct comment_input *in, bool *created);
/* Readies the connection for one long transaction (an import) so that its
 * memory stays flat however many rows it writes (SQLite: temporary data,
 * statement journals and sorting, goes to a file instead of memory, where
 * in a transaction of a million rows it would grow with it). STORE_OK when
 * a store has nothing to do. */
int store_temp_on_disk(struct store *s);
/* Joins the site's imported replies to their parents. */
int store_wp_resolve_parents(struct store *s, const char *site);
/* An old address ("/2024/05/slug" or "/?p=12") of an article; the first
 * article to claim an address keeps it. */
int store_old_address_add(struct store *s, const char *path, int64_t article_id);
/* The slug of the published article an old address leads to; STORE_NOT_FOUND. */
int store_old_address_find(struct store *s, struct arena *a, const char *path, const char **slug);
/* Every comment of an article, whatever its status, oldest id first. */
int store_article_comments(struct store *s, struct arena *a, int64_t article_id,
                           struct comment_list *out);
/* ---- privacy (wordpress.c) ---- */

/* Every comment made with this email (case-insensitive), any status, with
 * its article, oldest first. */
int store_comments_by_email(struct store *s, struct arena *a, const char *email,
                            struct comment_view_list *out);
/* The commenter's comments keep their text and status but become
 * "Anonymous" with no email, url, address or user agent; the pages showing
 * them change. One transaction; *count says how many comments. */
int store_commenter_erase(struct store *s, const char *email, int64_t *count);
/* Blanks the address and user agent of at most `limit` comments made
 * before `before` (Unix seconds); *count says how many. */
int store_blank_addresses(struct store *s, int64_t before, int limit, int64_t *count);

/* The articles' authors, each once, at most `max`. */
int store_article_authors(struct store *s, struct arena *a, size_t max, const char ***names,
                          size_t *count);

/* ---- notifications: the outbox and subscriptions (outbox.c, sql/014) ---- */

/* Which deliveries an event gets in this process: set once at start by the
 * server (notify_start) from its options; 0 (the CLI): none. */
enum notify_channel {
    NOTIFY_WEBHOOK = 1,         /* --notify-webhook */
    NOTIFY_EDITOR_MAIL = 2,     /* --notify-email: comment.held to the editors */
    NOTIFY_READER_MAIL = 4,     /* subscriptions: on in every server */
};
void store_notify_channels(unsigned mask);
unsigned store_notify_channel_mask(void);

/* One delivery taken from the outbox. */
struct outbox_item {
    int64_t row;
    const char *event_id;       /* 32 hex digits, the receiver's key against repeats */
    const char *event;          /* "comment.held", ... or "subscription.confirm" */
    const char *channel;        /* "webhook" or "mail" */
    int64_t comment_id;
    int64_t subscriber_of;      /* mail: whose subscriber is mailed; 0: the editors */
    int64_t created_at;
    int64_t attempts;           /* this one included */
};

/* Makes s, the worker's own connection, commit without waiting for the
 * disk (see OUTBOX_RELAXED in statements.h): only for a connection whose
 * every write is safe to lose. */
int store_outbox_connection(struct store *s);
/* Takes the oldest due row whose lease has run out, leasing it to `worker`
 * until `until` (one UPDATE: no two processes take the same row).
 * STORE_NOT_FOUND when nothing is due. */
int store_outbox_claim(struct store *s, struct arena *a, const char *worker, int64_t now,
                       int64_t until, struct outbox_item *out);
/* Ends a claim: delivered, to be tried again at `next`, or given up. Each
 * does nothing when the lease went to another worker meanwhile. */
int store_outbox_delivered(struct store *s, int64_t row, const char *worker, int64_t now);
int store_outbox_retry(struct store *s, int64_t row, const char *worker, int64_t next,
                       const char *error);
int store_outbox_failed(struct store *s, int64_t row, const char *worker, int64_t now,
                        const char *error);
/* When the next waiting row falls due (0: none waits). */
int store_outbox_next_due(struct store *s, int64_t *at);
/* Waits until a commit of this process wrote to the outbox (since the
 * generation *seen, which it updates), store_outbox_wake is called, or
 * timeout_ms passes. */
void store_outbox_wait(uint64_t *seen, long timeout_ms);
void store_outbox_wake(void);

/* A commenter's subscription to their comment (comment_id). */
struct subscription {
    const char *email;
    int64_t created_at, confirmed_at, ended_at;     /* 0: not (yet) */
    const char *link_base;      /* "" or where its mail's links start (sql/017) */
};
int store_subscription_get(struct store *s, struct arena *a, int64_t comment_id,
                           struct subscription *out);
/* Confirms (double opt-in); *changed false when it was confirmed or ended
 * already. STORE_NOT_FOUND when there is none. */
int store_subscription_confirm(struct store *s, int64_t comment_id, bool *changed);
/* Ends it; *changed false when it had ended already. */
int store_subscription_end(struct store *s, int64_t comment_id, bool *changed);

#endif
