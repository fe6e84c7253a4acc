/* articles: articles, their tags and the full-text index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "store/db.h"

static void read_article(struct arena *a, struct db_query *st, struct article *out)
{
    out->id = db_col_int(st, 0);
    out->slug = db_col_text(a, st, 1);
    out->title = db_col_text(a, st, 2);
    out->author = db_col_text(a, st, 3);
    out->body = db_col_text(a, st, 4);
    out->body_html = db_col_text(a, st, 5);
    out->tags = db_col_text(a, st, 6);
    out->source = db_col_text(a, st, 7);
    out->status = db_col_article_status(st, 8);
    out->published_at = db_col_int(st, 9);
    out->updated_at = db_col_int(st, 10);
    out->version = db_col_int(st, 11);
    out->comments_open = db_col_int(st, 12) != 0;
    for (int i = 0; i < CS_COUNT; i++)
        out->counts[i] = db_col_int(st, 13 + i);
    out->summary = db_col_text(a, st, 13 + CS_COUNT);
    out->image = db_col_text(a, st, 14 + CS_COUNT);
    out->image_alt = db_col_text(a, st, 15 + CS_COUNT);
}

static void read_article_row(struct arena *a, struct db_query *st, void *item)
{
    read_article(a, st, item);
}

/* Steps st to the end, collecting every row into out. */
static int read_articles(struct store *s, struct arena *a, struct db_query *st,
                         struct article_list *out)
{
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_article_row, &items, &out->count,
                        "reading articles");
    out->items = items;
    return rc;
}

int store_article_by_slug(struct store *s, struct arena *a, const char *slug,
                          bool published_only, struct article *out)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_BY_SLUG);
    if (!st || !db_bind_text(st, ":slug", slug) || !db_bind_int(st, ":any", !published_only))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_article_row, out, "reading an article");
}

int store_articles_published(struct store *s, struct arena *a, const char *tag_slug,
                             int64_t offset, int limit, struct article_list *out)
{
    struct db_query *st = db_stmt(s, tag_slug ? STMT_ARTICLE_PUBLISHED_TAG : STMT_ARTICLE_PUBLISHED);
    if (!st || !db_bind_int(st, ":limit", limit) || !db_bind_int(st, ":offset", offset) ||
        (tag_slug && !db_bind_text(st, ":tag", tag_slug)))
        return STORE_ERROR;
    return read_articles(s, a, st, out);
}

int store_tag_name(struct store *s, struct arena *a, const char *tag_slug, const char **name)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_TAG_NAME);
    if (!st || !db_bind_text(st, ":tag", tag_slug))
        return STORE_ERROR;
    return db_one_text(s, a, st, name, "reading a tag");
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Turns what a reader typed into an FTS5 query that cannot be a syntax
 * error: each word becomes a quoted string (inner quotes doubled), and
 * all of them must match. The last word is a prefix ("repai" finds
 * "repairs"): it may be the one still being typed. Stemming (sql/007) makes
 * "repair" find "repairs" and "ferries" find "ferry". */
static char *fts_query(struct arena *a, const char *words)
{
    enum { MAX_TERMS = 16 };
    char *q = arena_alloc(a, strlen(words) * 2 + MAX_TERMS * 3 + 2);
    if (!q)
        return NULL;
    size_t o = 0;
    int terms = 0;
    const char *p = words;
    while (*p && terms < MAX_TERMS) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        if (terms++)
            q[o++] = ' ';
        q[o++] = '"';
        for (; *p && !is_space(*p); p++) {
            if (*p == '"')
                q[o++] = '"';
            q[o++] = *p;
        }
        q[o++] = '"';
    }
    if (terms)
        q[o++] = '*';
    q[o] = '\0';
    return terms ? q : NULL;
}

/* PostgreSQL's form of the same search: the words before the last, as
 * typed, for websearch_to_tsquery (which never fails to parse), and the last
 * word as one quoted lexeme with a prefix mark for to_tsquery ("'repai':*",
 * its quotes doubled and backslashes escaped). */
static bool tsquery_parts(struct arena *a, const char *words, const char **head,
                          const char **prefix)
{
    const char *end = words + strlen(words);
    while (end > words && is_space(end[-1]))
        end--;
    const char *last = end;
    while (last > words && !is_space(last[-1]))
        last--;
    *head = arena_strndup(a, words, (size_t)(last - words));
    char *p = arena_alloc(a, (size_t)(end - last) * 2 + 5);
    if (!*head || !p)
        return false;
    size_t o = 0;
    p[o++] = '\'';
    for (const char *c = last; c < end; c++) {
        if (*c == '\'' || *c == '\\')
            p[o++] = *c;
        p[o++] = *c;
    }
    memcpy(p + o, "':*", 4);
    *prefix = p;
    return true;
}

int store_articles_search(struct store *s, struct arena *a, const char *words, int limit,
                          struct article_list *out)
{
    out->items = NULL;
    out->count = 0;
    const char *query = fts_query(a, words);
    if (!query)
        return STORE_OK;
    struct db_query *st = db_stmt(s, STMT_ARTICLE_SEARCH);
    if (!st)
        return STORE_ERROR;
    bool ok;
    if (db_has_param(st, ":prefix")) {      /* PostgreSQL's text (statements.h) */
        const char *head, *prefix;
        ok = tsquery_parts(a, words, &head, &prefix) && db_bind_text(st, ":words", head) &&
             db_bind_text(st, ":prefix", prefix);
    } else {
        ok = db_bind_text(st, ":query", query);
    }
    if (!ok || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    return read_articles(s, a, st, out);
}

int store_articles_all(struct store *s, struct arena *a, struct article_list *out)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_ALL);
    if (!st)
        return STORE_ERROR;
    return read_articles(s, a, st, out);
}

int store_articles_page(struct store *s, struct arena *a, enum article_status status,
                        int64_t after_id, int limit, struct article_list *out)
{
    if (status > AS_ANY)
        return STORE_NOT_FOUND;
    struct db_query *st = db_stmt(s, STMT_ARTICLE_PAGE);
    const char *name = status == AS_ANY ? "" : article_status_name(status); /* '': any */
    if (!st || !db_bind_text(st, ":status", name) ||
        !db_bind_int(st, ":after", after_id) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    return read_articles(s, a, st, out);
}

static int64_t article_id_by_slug(struct store *s, const char *slug)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_ID_BY_SLUG);
    if (!st || !db_bind_text(st, ":slug", slug))
        return -1;
    int64_t id = 0;
    return db_one_int(s, st, &id, "looking up an article") == STORE_ERROR ? -1 : id;
}

static bool bind_article(struct db_query *st, const struct article_input *in, int64_t now)
{
    return db_bind_text(st, ":title", in->title) && db_bind_text(st, ":author", in->author) &&
           db_bind_text(st, ":body", in->body) && db_bind_text(st, ":body_html", in->body_html) &&
           db_bind_text(st, ":tags", in->tags) && db_bind_text(st, ":source", in->source) &&
           db_bind_text(st, ":summary", in->summary ? in->summary : "") &&
           db_bind_text(st, ":image", in->image ? in->image : "") &&
           db_bind_text(st, ":image_alt", in->image_alt ? in->image_alt : "") &&
           db_bind_text(st, ":status", article_status_name(in->status)) &&
           db_bind_int(st, ":published_at", in->published_at) && db_bind_int(st, ":now", now) &&
           db_bind_int(st, ":comments_open", in->comments_open);
}

struct tag_save {
    struct store *s;
    int64_t id;
};

static bool save_tag(const char *name, void *ctx)
{
    const struct tag_save *t = ctx;
    char *slug = slugify_dup(name);
    bool ok = slug != NULL;
    if (ok && *slug) {
        struct db_query *st = db_stmt(t->s, STMT_ARTICLE_TAG_ADD);
        ok = st && db_bind_text(st, ":slug", slug) && db_bind_int(st, ":id", t->id) &&
             db_bind_text(st, ":name", name) && db_exec_stmt(t->s, st) == STORE_OK;
    }
    free(slug);
    return ok;
}

int db_article_tags_save(struct store *s, int64_t id, const char *tags)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_TAGS_CLEAR);
    if (!st || !db_bind_int(st, ":id", id) || db_exec_stmt(s, st) != STORE_OK)
        return STORE_ERROR;
    struct tag_save t = { s, id };
    return tags_each(tags, save_tag, &t) ? STORE_OK : STORE_ERROR;
}

static int save_in_transaction(struct store *s, const struct article_input *in, bool *created)
{
    int64_t now = (int64_t)time(NULL);
    int64_t id = article_id_by_slug(s, in->slug);
    if (id < 0)
        return STORE_ERROR;
    *created = id == 0;
    struct db_query *st = db_stmt(s, id ? STMT_ARTICLE_UPDATE : STMT_ARTICLE_INSERT);
    if (!st || !bind_article(st, in, now) ||
        (id ? !db_bind_int(st, ":id", id) : !db_bind_text(st, ":slug", in->slug)))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc != STORE_OK)
        return rc;
    if (!id)
        id = db_last_id(s);
    return db_article_tags_save(s, id, in->tags);
}

int store_article_save(struct store *s, const struct article_input *in, bool *created)
{
    bool own_transaction = !db_in_transaction(s);
    if (own_transaction && store_begin(s) != STORE_OK)
        return STORE_ERROR;
    int rc = save_in_transaction(s, in, created);
    if (!own_transaction)
        return rc;
    if (rc == STORE_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int store_article_delete(struct store *s, const char *slug)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_DELETE);
    if (!st || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc != STORE_OK)
        return rc;
    return db_changes(s) ? STORE_OK : STORE_NOT_FOUND;
}

int store_article_set_status(struct store *s, const char *slug, enum article_status status)
{
    if (status >= AS_COUNT)
        return STORE_ERROR;
    struct db_query *st = db_stmt(s, STMT_ARTICLE_SET_STATUS);
    if (!st || !db_bind_text(st, ":slug", slug) ||
        !db_bind_text(st, ":status", article_status_name(status)) ||
        !db_bind_int(st, ":now", (int64_t)time(NULL)))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc != STORE_OK)
        return rc;
    return db_changes(s) ? STORE_OK : STORE_NOT_FOUND;
}

int store_article_touch(struct store *s, int64_t article_id)
{
    struct db_query *st = db_stmt(s, STMT_ARTICLE_TOUCH);
    if (!st || !db_bind_int(st, ":id", article_id) || !db_bind_int(st, ":now", (int64_t)time(NULL)))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}

/* ---- sitemaps ---- */

static void read_sitemap_row(struct arena *a, struct db_query *st, void *item)
{
    struct sitemap_entry *e = item;
    e->slug = db_col_text(a, st, 0);
    e->title = db_col_text(a, st, 1);
    e->published_at = db_col_int(st, 2);
    e->updated_at = db_col_int(st, 3);
}

static int read_sitemap(struct store *s, struct arena *a, struct db_query *st,
                        struct sitemap_list *out)
{
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_sitemap_row, &items, &out->count,
                        "reading a sitemap");
    out->items = items;
    return rc;
}

int store_sitemap_count(struct store *s, int64_t *count)
{
    struct db_query *st = db_stmt(s, STMT_SITEMAP_COUNT);
    if (!st)
        return STORE_ERROR;
    return db_one_int(s, st, count, "counting the sitemap's articles");
}

int store_sitemap_last_id(struct store *s, int64_t *id)
{
    struct db_query *st = db_stmt(s, STMT_SITEMAP_LAST_ID);
    if (!st)
        return STORE_ERROR;
    return db_one_int(s, st, id, "reading the sitemap's last article");
}

int store_sitemap_articles(struct store *s, struct arena *a, int64_t after, int64_t last,
                           int limit, struct sitemap_list *out)
{
    struct db_query *st = db_stmt(s, STMT_SITEMAP_ARTICLES);
    if (!st || !db_bind_int(st, ":after", after) || !db_bind_int(st, ":last", last) ||
        !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    return read_sitemap(s, a, st, out);
}

int store_sitemap_any(struct store *s, int64_t after, int64_t last, bool *any)
{
    struct db_query *st = db_stmt(s, STMT_SITEMAP_ANY);
    if (!st || !db_bind_int(st, ":after", after) || !db_bind_int(st, ":last", last))
        return STORE_ERROR;
    int rc = db_one_row(s, NULL, st, NULL, NULL, "reading the sitemap");
    *any = rc == STORE_OK;
    return rc == STORE_ERROR ? rc : STORE_OK;
}

int store_sitemap_news(struct store *s, struct arena *a, int64_t since, int limit,
                       struct sitemap_list *out)
{
    struct db_query *st = db_stmt(s, STMT_SITEMAP_NEWS);
    if (!st || !db_bind_int(st, ":since", since) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    return read_sitemap(s, a, st, out);
}
