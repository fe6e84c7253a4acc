/* wordpress: rows imported from a WordPress export, remembered by where
 * they came from (sql/012), and the old addresses that lead to them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

/* The id found by a one-column lookup, 0 when there is none, -1 on error. */
static int64_t lookup_id(struct store *s, struct db_query *st)
{
    int64_t id = 0;
    return db_one_int(s, st, &id, "looking up an imported row") == STORE_ERROR ? STORE_ERROR : id;
}

static int64_t mapped_id(struct store *s, enum stmt_id which, const char *site, int64_t wp_id)
{
    struct db_query *st = db_stmt(s, which);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id))
        return -1;
    return lookup_id(s, st);
}

static bool same_text(struct db_query *st, int col, const char *v)
{
    const char *t = db_col_peek(st, col);
    return strcmp(t ? t : "", v ? v : "") == 0;
}

struct comparison {
    const struct article_input *in;
    bool same;
};

static void compare_article(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    struct comparison *cmp = item;
    const struct article_input *in = cmp->in;
    cmp->same = same_text(st, 0, in->title) && same_text(st, 1, in->author) &&
                same_text(st, 2, in->body_html) && same_text(st, 3, in->tags) &&
                same_text(st, 4, article_status_name(in->status)) && db_col_int(st, 5) == in->published_at &&
                (db_col_int(st, 6) != 0) == in->comments_open && same_text(st, 7, "html");
}

/* True when the stored article already says what `in` says. */
static int article_unchanged(struct store *s, int64_t id, const struct article_input *in,
                             bool *same)
{
    struct db_query *st = db_stmt(s, STMT_WP_ARTICLE_READ);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    struct comparison cmp = { in, false };
    int rc = db_one_row(s, NULL, st, compare_article, &cmp, "reading an imported article");
    *same = rc == STORE_OK && cmp.same;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

static bool bind_article(struct db_query *st, const struct article_input *in, int64_t now)
{
    return db_bind_text(st, ":title", in->title) && db_bind_text(st, ":author", in->author) &&
           db_bind_text(st, ":body", in->body) && db_bind_text(st, ":body_html", in->body_html) &&
           db_bind_text(st, ":tags", in->tags) && db_bind_text(st, ":status", article_status_name(in->status)) &&
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
        struct db_query *st = db_stmt(s, STMT_WP_SLUG_TAKEN);
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
    struct db_query *st = db_stmt(s, STMT_WP_ARTICLE_INSERT);
    if (!st || !bind_article(st, in, (int64_t)time(NULL)) || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    if ((rc = db_exec_stmt(s, st)) != STORE_OK)
        return rc;
    *article_id = db_last_id(s);
    st = db_stmt(s, STMT_WP_POST_MAP);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id) ||
        !db_bind_int(st, ":id", *article_id) || db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    return db_article_tags_save(s, *article_id, in->tags);
}

int store_wp_post_save(struct store *s, const char *site, int64_t wp_id,
                       const struct article_input *in, enum wp_outcome *outcome,
                       int64_t *article_id)
{
    int64_t id = mapped_id(s, STMT_WP_POST_FIND, site, wp_id);
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
    struct db_query *st = db_stmt(s, STMT_WP_ARTICLE_UPDATE);
    if (!st || !bind_article(st, in, (int64_t)time(NULL)) || !db_bind_int(st, ":id", id) ||
        db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    return db_article_tags_save(s, id, in->tags);
}

int store_wp_comment_save(struct store *s, const char *site, int64_t wp_id, int64_t wp_parent,
                          const struct comment_input *in, bool *created)
{
    int64_t id = mapped_id(s, STMT_WP_COMMENT_FIND, site, wp_id);
    if (id < 0)
        return STORE_ERROR;
    *created = id == 0;
    if (id)
        return STORE_OK;    /* imported before: moderation since then stands */
    struct db_query *st = db_stmt(s, STMT_WP_COMMENT_INSERT);
    if (!st || !db_bind_int(st, ":article", in->article_id) ||
        !db_bind_text(st, ":status", comment_status_name(in->status)) ||
        !db_bind_text(st, ":author", in->author) ||
        !db_bind_text(st, ":email", in->email) || !db_bind_text(st, ":url", in->url) ||
        !db_bind_text(st, ":body", in->body) || !db_bind_text(st, ":ip", in->ip) ||
        !db_bind_text(st, ":user_agent", in->user_agent) ||
        !db_bind_int(st, ":created_at", in->created_at) || db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    id = db_last_id(s);
    st = db_stmt(s, STMT_WP_COMMENT_MAP);
    if (!st || !db_bind_text(st, ":site", site) || !db_bind_int(st, ":wp_id", wp_id) ||
        !db_bind_int(st, ":id", id) || !db_bind_int(st, ":wp_parent", wp_parent))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_wp_resolve_parents(struct store *s, const char *site)
{
    struct db_query *st = db_stmt(s, STMT_WP_RESOLVE_PARENTS);
    if (!st || !db_bind_text(st, ":site", site))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_old_address_add(struct store *s, const char *path, int64_t article_id)
{
    struct db_query *st = db_stmt(s, STMT_WP_ADDRESS_ADD);
    if (!st || !db_bind_text(st, ":path", path) || !db_bind_int(st, ":id", article_id))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

int store_old_address_find(struct store *s, struct arena *a, const char *path, const char **slug)
{
    struct db_query *st = db_stmt(s, STMT_WP_ADDRESS_FIND);
    if (!st || !db_bind_text(st, ":path", path))
        return STORE_ERROR;
    return db_one_text(s, a, st, slug, "looking up an old address");
}

static void read_comment_row(struct arena *a, struct db_query *st, void *item)
{
    db_read_comment(a, st, item);
}

int store_article_comments(struct store *s, struct arena *a, int64_t article_id,
                           struct comment_list *out)
{
    struct db_query *st = db_stmt(s, STMT_WP_ARTICLE_COMMENTS);
    if (!st || !db_bind_int(st, ":article", article_id))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_comment_row, &items, &out->count,
                        "reading an article's comments");
    out->items = items;
    return rc;
}

static void read_text_row(struct arena *a, struct db_query *st, void *item)
{
    *(const char **)item = db_col_text(a, st, 0);
}

int store_article_authors(struct store *s, struct arena *a, size_t max, const char ***names,
                          size_t *count)
{
    struct db_query *st = db_stmt(s, STMT_WP_AUTHORS);
    if (!st || !db_bind_int(st, ":limit", (int64_t)max))
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof **names, max, read_text_row, &items, count,
                        "reading the authors");
    *names = items;
    return rc;
}

static void read_view_row(struct arena *a, struct db_query *st, void *item)
{
    struct comment_view *v = item;
    db_read_comment(a, st, &v->c);
    v->article_slug = db_col_text(a, st, COMMENT_COLUMN_COUNT);
    v->article_title = db_col_text(a, st, COMMENT_COLUMN_COUNT + 1);
}

int store_comments_by_email(struct store *s, struct arena *a, const char *email,
                            struct comment_view_list *out)
{
    struct db_query *st = db_stmt(s, STMT_PRIVACY_COMMENTS);
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
    struct db_query *st = db_stmt(s, STMT_PRIVACY_TOUCH);
    int rc = st && db_bind_text(st, ":email", email) &&
                     db_bind_int(st, ":now", (int64_t)time(NULL))
                 ? db_exec_stmt(s, st)
                 : STORE_ERROR;
    if (rc == STORE_OK) {
        st = db_stmt(s, STMT_PRIVACY_ERASE);
        rc = st && db_bind_text(st, ":email", email) ? db_exec_stmt(s, st) : STORE_ERROR;
        *count = db_changes(s);
    }
    if (rc == STORE_OK) {
        st = db_stmt(s, STMT_PRIVACY_ERASE_SUBSCRIPTIONS);
        rc = st && db_bind_text(st, ":email", email) ? db_exec_stmt(s, st) : STORE_ERROR;
    }
    if (rc == STORE_OK)
        return store_commit(s);
    store_rollback(s);
    return STORE_ERROR;
}

int store_blank_addresses(struct store *s, int64_t before, int limit, int64_t *count)
{
    struct db_query *st = db_stmt(s, STMT_PRIVACY_BLANK_ADDRESSES);
    if (!st || !db_bind_int(st, ":before", before) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    *count = rc == STORE_OK ? db_changes(s) : 0;
    return rc;
}

int store_temp_on_disk(struct store *s)
{
    struct db_query *st = db_stmt(s, STMT_WP_TEMP_ON_DISK);
    return st ? db_exec_stmt(s, st) : STORE_ERROR;
}
