/* wordpress: rows imported from a WordPress export, remembered by where
 * they came from (sql/012), and the old addresses that lead to them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

enum {
    W_POST_FIND,
    W_ARTICLE_READ,
    W_SLUG_TAKEN,
    W_ARTICLE_INSERT,
    W_ARTICLE_UPDATE,
    W_POST_MAP,
    W_COMMENT_FIND,
    W_COMMENT_INSERT,
    W_COMMENT_MAP,
    W_RESOLVE_PARENTS,
    W_ADDRESS_ADD,
    W_ADDRESS_FIND,
    W_ARTICLE_COMMENTS,
    W_AUTHORS,
    W_PRIVACY_COMMENTS,
    W_PRIVACY_TOUCH,
    W_PRIVACY_ERASE,
    W_BLANK_ADDRESSES,
    W_TEMP_ON_DISK,
    W_COUNT
};

static const char *const wp_sql[] = {
    [W_POST_FIND] = "SELECT article_id FROM wp_posts WHERE site = :site AND wp_id = :wp_id",
    [W_ARTICLE_READ] = "SELECT title, author, body_html, tags, status, published_at, "
                       "comments_open, body_format FROM articles WHERE id = :id",
    [W_SLUG_TAKEN] = "SELECT 1 FROM articles WHERE slug = :slug",
    [W_ARTICLE_INSERT] =
        "INSERT INTO articles (slug, title, author, body, body_html, tags, source, status, "
        "published_at, updated_at, comments_open, body_format) "
        "VALUES (:slug, :title, :author, :body, :body_html, :tags, '', :status, :published_at, "
        ":now, :comments_open, 'html')",
    /* The slug stays: the article's address does not move under readers. */
    [W_ARTICLE_UPDATE] =
        "UPDATE articles SET title = :title, author = :author, body = :body, "
        "body_html = :body_html, tags = :tags, status = :status, published_at = :published_at, "
        "updated_at = :now, comments_open = :comments_open, body_format = 'html', "
        "version = version + 1 WHERE id = :id",
    [W_POST_MAP] = "INSERT INTO wp_posts (site, wp_id, article_id) VALUES (:site, :wp_id, :id)",
    [W_COMMENT_FIND] = "SELECT comment_id FROM wp_comments WHERE site = :site AND wp_id = :wp_id",
    [W_COMMENT_INSERT] =
        "INSERT INTO comments (article_id, status, author, email, url, body, ip, user_agent, "
        "created_at, status_changed_at) "
        "VALUES (:article, :status, :author, :email, :url, :body, :ip, :user_agent, "
        ":created_at, :created_at)",
    [W_COMMENT_MAP] = "INSERT INTO wp_comments (site, wp_id, comment_id, wp_parent) "
                      "VALUES (:site, :wp_id, :id, :wp_parent)",
    /* Threads are joined once every comment is in: a reply may come before
     * its parent in the file. Only replies still without a parent. */
    [W_RESOLVE_PARENTS] =
        "UPDATE comments SET parent_id = ("
        "  SELECT p.comment_id FROM wp_comments m JOIN wp_comments p "
        "    ON p.site = m.site AND p.wp_id = m.wp_parent "
        "  WHERE m.comment_id = comments.id AND m.site = :site) "
        "WHERE parent_id IS NULL AND id IN ("
        "  SELECT m.comment_id FROM wp_comments m JOIN wp_comments p "
        "    ON p.site = m.site AND p.wp_id = m.wp_parent "
        "  WHERE m.site = :site AND m.wp_parent <> 0 AND p.comment_id <> m.comment_id)",
    [W_ADDRESS_ADD] = "INSERT OR IGNORE INTO old_addresses (path, article_id) VALUES (:path, :id)",
    [W_ADDRESS_FIND] = "SELECT a.slug FROM old_addresses o JOIN articles a ON a.id = o.article_id "
                       "WHERE o.path = :path AND a.status = 'published'",

    [W_ARTICLE_COMMENTS] = "SELECT " COMMENT_COLUMNS "FROM comments c "
                           "WHERE c.article_id = :article ORDER BY c.id",
    [W_AUTHORS] = "SELECT DISTINCT author FROM articles ORDER BY author LIMIT :limit",
    /* The collation matches comments_by_email_any (sql/012). */
    [W_PRIVACY_COMMENTS] = "SELECT " COMMENT_COLUMNS ", a.slug, a.title FROM comments c "
                           "JOIN articles a ON a.id = c.article_id "
                           "WHERE c.email = :email COLLATE NOCASE ORDER BY c.id",
    /* Pages that show the commenter's approved comments change. */
    [W_PRIVACY_TOUCH] = "UPDATE articles SET updated_at = max(updated_at, :now), "
                        "version = version + 1 WHERE id IN (SELECT article_id FROM comments "
                        "WHERE email = :email COLLATE NOCASE AND status = 'approved')",
    [W_PRIVACY_ERASE] = "UPDATE comments SET author = 'Anonymous', email = '', url = '', "
                        "ip = '', user_agent = '' WHERE email = :email COLLATE NOCASE",
    /* Walks comments_with_address (sql/012): only rows that still hold one. */
    [W_BLANK_ADDRESSES] = "UPDATE comments SET ip = '', user_agent = '' WHERE id IN ("
                          "SELECT id FROM comments WHERE created_at < :before "
                          "AND (ip <> '' OR user_agent <> '') LIMIT :limit)",
};

static const char *const wp_pragma_sql[] = {
    [0] = "PRAGMA temp_store = FILE",
};

static sqlite3_stmt *stmt(struct store *s, int id)
{
    return db_stmt(s, STMT_BASE_WORDPRESS + id, wp_sql[id]);
}

/* The id found by a one-column lookup, 0 when there is none, -1 on error. */
static int64_t lookup_id(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, "looking up an imported row");
    return id;
}

static int64_t mapped_id(struct store *s, int which, const char *site, int64_t wp_id)
{
    sqlite3_stmt *st = stmt(s, which);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id))
        return -1;
    return lookup_id(s, st);
}

static bool same_text(sqlite3_stmt *st, int col, const char *v)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return strcmp(t ? t : "", v ? v : "") == 0;
}

/* True when the stored article already says what `in` says. */
static int article_unchanged(struct store *s, int64_t id, const struct article_input *in,
                             bool *same)
{
    sqlite3_stmt *st = stmt(s, W_ARTICLE_READ);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    *same = rc == SQLITE_ROW && same_text(st, 0, in->title) && same_text(st, 1, in->author) &&
            same_text(st, 2, in->body_html) && same_text(st, 3, in->tags) &&
            same_text(st, 4, in->status) && sqlite3_column_int64(st, 5) == in->published_at &&
            (sqlite3_column_int(st, 6) != 0) == in->comments_open && same_text(st, 7, "html");
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, "reading an imported article");
    return STORE_OK;
}

static bool bind_article(sqlite3_stmt *st, const struct article_input *in, int64_t now)
{
    return db_bind_text(st, ":title", in->title) && db_bind_text(st, ":author", in->author) &&
           db_bind_text(st, ":body", in->body) && db_bind_text(st, ":body_html", in->body_html) &&
           db_bind_text(st, ":tags", in->tags) && db_bind_text(st, ":status", in->status) &&
           db_bind_int(st, ":published_at", in->published_at) && db_bind_int(st, ":now", now) &&
           db_bind_int(st, ":comments_open", in->comments_open);
}

/* A slug no other article has: the one asked for, else with the WordPress
 * id, else with a counter after that. Written into out. */
static int free_slug(struct store *s, const char *want, int64_t wp_id, char *out, size_t outlen)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        if (attempt == 0)
            snprintf(out, outlen, "%s", want);
        else if (attempt == 1)
            snprintf(out, outlen, "%.180s-%lld", want, (long long)wp_id);
        else
            snprintf(out, outlen, "%.180s-%lld-%d", want, (long long)wp_id, attempt);
        sqlite3_stmt *st = stmt(s, W_SLUG_TAKEN);
        if (!st || !db_bind_text(st, ":slug", out))
            return STORE_ERROR;
        int64_t taken = lookup_id(s, st);
        if (taken < 0)
            return STORE_ERROR;
        if (!taken)
            return STORE_OK;
    }
    return STORE_CONFLICT;
}

static int insert_post(struct store *s, const char *site, int64_t wp_id,
                       const struct article_input *in, int64_t *article_id)
{
    char slug[256];
    int rc = free_slug(s, in->slug, wp_id, slug, sizeof slug);
    if (rc != STORE_OK)
        return rc;
    sqlite3_stmt *st = stmt(s, W_ARTICLE_INSERT);
    if (!st || !bind_article(st, in, (int64_t)time(NULL)) || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK)
        return rc;
    *article_id = sqlite3_last_insert_rowid(s->db);
    st = stmt(s, W_POST_MAP);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id) ||
        !db_bind_int(st, ":id", *article_id) || db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    return db_article_tags_save(s, *article_id, in->tags);
}

int store_wp_post_save(struct store *s, const char *site, int64_t wp_id,
                       const struct article_input *in, enum wp_outcome *outcome,
                       int64_t *article_id)
{
    int64_t id = mapped_id(s, W_POST_FIND, site, wp_id);
    if (id < 0)
        return STORE_ERROR;
    if (!id) {
        *outcome = WP_CREATED;
        return insert_post(s, site, wp_id, in, article_id);
    }
    *article_id = id;
    bool same;
    if (article_unchanged(s, id, in, &same) != STORE_OK)
        return STORE_ERROR;
    if (same) {
        *outcome = WP_UNCHANGED;
        return STORE_OK;
    }
    *outcome = WP_UPDATED;
    sqlite3_stmt *st = stmt(s, W_ARTICLE_UPDATE);
    if (!st || !bind_article(st, in, (int64_t)time(NULL)) || !db_bind_int(st, ":id", id) ||
        db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    return db_article_tags_save(s, id, in->tags);
}

int store_wp_comment_save(struct store *s, const char *site, int64_t wp_id, int64_t wp_parent,
                          const struct comment_input *in, bool *created)
{
    int64_t id = mapped_id(s, W_COMMENT_FIND, site, wp_id);
    if (id < 0)
        return STORE_ERROR;
    *created = id == 0;
    if (id)
        return STORE_OK;    /* imported before: moderation since then stands */
    sqlite3_stmt *st = stmt(s, W_COMMENT_INSERT);
    if (!st || !db_bind_int(st, ":article", in->article_id) ||
        !db_bind_text(st, ":status", in->status) || !db_bind_text(st, ":author", in->author) ||
        !db_bind_text(st, ":email", in->email) || !db_bind_text(st, ":url", in->url) ||
        !db_bind_text(st, ":body", in->body) || !db_bind_text(st, ":ip", in->ip) ||
        !db_bind_text(st, ":user_agent", in->user_agent) ||
        !db_bind_int(st, ":created_at", in->created_at) || db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    id = sqlite3_last_insert_rowid(s->db);
    st = stmt(s, W_COMMENT_MAP);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id) ||
        !db_bind_int(st, ":id", id) || !db_bind_int(st, ":wp_parent", wp_parent))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_wp_resolve_parents(struct store *s, const char *site)
{
    sqlite3_stmt *st = stmt(s, W_RESOLVE_PARENTS);
    if (!st || !db_bind_text(st, ":site", site))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_old_address_add(struct store *s, const char *path, int64_t article_id)
{
    sqlite3_stmt *st = stmt(s, W_ADDRESS_ADD);
    if (!st || !db_bind_text(st, ":path", path) || !db_bind_int(st, ":id", article_id))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_old_address_find(struct store *s, struct arena *a, const char *path, const char **slug)
{
    sqlite3_stmt *st = stmt(s, W_ADDRESS_FIND);
    if (!st || !db_bind_text(st, ":path", path))
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *slug = db_col_text(a, st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : db_error(s, "looking up an old address");
}

static void read_comment_row(struct arena *a, sqlite3_stmt *st, void *item)
{
    db_read_comment(a, st, item);
}

int store_article_comments(struct store *s, struct arena *a, int64_t article_id,
                           struct comment_list *out)
{
    sqlite3_stmt *st = stmt(s, W_ARTICLE_COMMENTS);
    if (!st || !db_bind_int(st, ":article", article_id))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_comment_row, &items, &out->count,
                        "reading an article's comments");
    out->items = items;
    return rc;
}

static void read_text_row(struct arena *a, sqlite3_stmt *st, void *item)
{
    *(const char **)item = db_col_text(a, st, 0);
}

int store_article_authors(struct store *s, struct arena *a, size_t max, const char ***names,
                          size_t *count)
{
    sqlite3_stmt *st = stmt(s, W_AUTHORS);
    if (!st || !db_bind_int(st, ":limit", (int64_t)max))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof **names, max, read_text_row, &items, count,
                        "reading the authors");
    *names = items;
    return rc;
}

static void read_view_row(struct arena *a, sqlite3_stmt *st, void *item)
{
    struct comment_view *v = item;
    db_read_comment(a, st, &v->c);
    v->article_slug = db_col_text(a, st, COMMENT_COLUMN_COUNT);
    v->article_title = db_col_text(a, st, COMMENT_COLUMN_COUNT + 1);
}

int store_comments_by_email(struct store *s, struct arena *a, const char *email,
                            struct comment_view_list *out)
{
    sqlite3_stmt *st = stmt(s, W_PRIVACY_COMMENTS);
    if (!st || !db_bind_text(st, ":email", email))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_view_row, &items, &out->count,
                        "reading a commenter's comments");
    out->items = items;
    return rc;
}

int store_commenter_erase(struct store *s, const char *email, int64_t *count)
{
    if (store_begin(s) != STORE_OK)
        return STORE_ERROR;
    sqlite3_stmt *st = stmt(s, W_PRIVACY_TOUCH);
    int rc = st && db_bind_text(st, ":email", email) &&
                     db_bind_int(st, ":now", (int64_t)time(NULL))
                 ? db_exec_stmt(s, st)
                 : STORE_ERROR;
    if (rc == STORE_OK) {
        st = stmt(s, W_PRIVACY_ERASE);
        rc = st && db_bind_text(st, ":email", email) ? db_exec_stmt(s, st) : STORE_ERROR;
        *count = sqlite3_changes(s->db);
    }
    if (rc == STORE_OK)
        return store_commit(s);
    store_rollback(s);
    return STORE_ERROR;
}

int store_blank_addresses(struct store *s, int64_t before, int limit, int64_t *count)
{
    sqlite3_stmt *st = stmt(s, W_BLANK_ADDRESSES);
    if (!st || !db_bind_int(st, ":before", before) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    *count = rc == STORE_OK ? sqlite3_changes(s->db) : 0;
    return rc;
}

int store_temp_on_disk(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, STMT_BASE_WORDPRESS + W_TEMP_ON_DISK, wp_pragma_sql[0]);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}
