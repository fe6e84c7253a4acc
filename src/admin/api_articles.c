/* api_articles: the JSON API's articles: list, read, create or replace, delete. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/api.h"
#include "core/article_rules.h"
#include "core/markdown.h"
#include "core/text.h"
#include "store/store.h"

/* article_status_name as the API's filter takes it. */
static const char *status_name(int index)
{
    return article_status_name((enum article_status)index);
}

/* ---- answers ---- */

static bool append_tag(const char *name, void *ctx)
{
    return json_array_append_new(ctx, json_string(name)) == 0;
}

/* The stored "a, b" as ["a", "b"]; NULL when memory ran out. */
static json_t *tags_json(const char *tags)
{
    json_t *arr = json_array();
    if (arr && !tags_each(tags, append_tag, arr)) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The contract's article object; NULL when memory ran out. */
static json_t *article_json(const struct article *a)
{
    json_t *obj = json_object(), *counts = json_object();
    bool ok = true;
    for (int i = 0; i < CS_COUNT; i++)
        json_put(counts, comment_status_name((enum comment_status)i), json_integer(a->counts[i]),
                 &ok);
    json_put(obj, "id", json_integer(a->id), &ok);
    json_put(obj, "slug", json_text(a->slug), &ok);
    json_put(obj, "title", json_text(a->title), &ok);
    json_put(obj, "author", json_text(a->author), &ok);
    json_put(obj, "body", json_text(a->body), &ok);
    json_put(obj, "body_html", json_text(a->body_html), &ok);
    json_put(obj, "tags", tags_json(a->tags), &ok);
    json_put(obj, "source", json_text(a->source), &ok);
    json_put(obj, "summary", json_text(a->summary), &ok);
    json_put(obj, "image", json_text(a->image), &ok);
    json_put(obj, "image_alt", json_text(a->image_alt), &ok);
    json_put(obj, "status", json_text(article_status_name(a->status)), &ok);
    json_put(obj, "published_at", json_time(a->published_at), &ok);
    json_put(obj, "updated_at", json_time(a->updated_at), &ok);
    json_put(obj, "comments_open", json_boolean(a->comments_open), &ok);
    json_put(obj, "comment_counts", counts, &ok);
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static int store_failed(struct ctx *c)
{
    return api_error(c, 500, NULL, "The database could not answer.");
}

static int not_found(struct ctx *c)
{
    return api_error(c, 404, NULL, "There is no article with that slug.");
}

int api_articles_list(struct ctx *c)
{
    int status;
    int limit;
    int64_t after;
    int bad = api_status_filter(c, status_name, AS_COUNT, &status);
    if (!bad)
        bad = api_paging(c, &limit, &after);
    if (bad)
        return bad;
    struct article_list list;
    /* One more than asked tells whether another page follows. */
    if (store_articles_page(c->store, c->arena,
                            status < 0 ? AS_ANY : (enum article_status)status, after,
                            limit + 1, &list) != STORE_OK)
        return store_failed(c);
    bool more = list.count > (size_t)limit;
    size_t n = more ? (size_t)limit : list.count;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        if (json_array_append_new(items, article_json(&list.items[i])) != 0) {
            json_decref(items);
            items = NULL;
        }
    return api_reply_page(c, "articles", items, more, n ? list.items[n - 1].id : 0);
}

int api_article_get(struct ctx *c)
{
    const char *slug = c->params[0];
    struct article a;
    int rc = slug_valid(slug) ? store_article_by_slug(c->store, c->arena, slug, false, &a)
                              : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        return not_found(c);
    if (rc != STORE_OK)
        return store_failed(c);
    return api_reply(c, 200, article_json(&a));
}

int api_article_delete(struct ctx *c)
{
    const char *slug = c->params[0];
    int rc = slug_valid(slug) ? store_article_delete(c->store, slug) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        return not_found(c);
    if (rc != STORE_OK)
        return store_failed(c);
    buf_reset(&c->resp->body);
    return 204;
}

/* ---- PUT: reading the body ---- */

static int bad_field(struct ctx *c, const char *field, const char *message)
{
    return api_error(c, 422, arena_strdup(c->arena, field), message);
}

/* Every key is one PUT takes, or one of the article's read-only ones (so
 * that what GET gave can be sent back); "slug", when sent, must match. */
static int check_keys(struct ctx *c, json_t *body, const char *slug)
{
    static const char *const known[] = {
        "title", "author", "body", "tags", "source", "summary", "image", "image_alt",
        "status", "published_at",
        "comments_open", "id", "body_html", "updated_at", "comment_counts", NULL,
    };
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        if (strcmp(key, "slug") == 0) {
            if (!json_is_string(value) || strcmp(json_string_value(value), slug) != 0)
                return bad_field(c, key, "slug, when given, must be the slug in the address.");
            continue;
        }
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (!known[i])
            return bad_field(c, key, "This field is not one an article has.");
    }
    return 0;
}

/* body[key] as one line of text, trimmed, by article_line_problem's rules.
 * Absent: *out keeps its default. Returns 0 or 422. */
static int line_field(struct ctx *c, json_t *body, const char *key, size_t max, bool required,
                      const char **out)
{
    json_t *v = json_object_get(body, key);
    if (!v && !required)
        return 0;
    const char *s = json_string_value(v);
    if (!s)
        return bad_field(c, key, required ? "This field is required and must be a string."
                                          : "This field must be a string.");
    char *t = trim_copy(c->arena, s);
    if (!t)
        return store_failed(c);
    char msg[128];
    const char *problem = article_line_problem(t, max, required, msg, sizeof msg);
    if (problem)
        return bad_field(c, key, arena_strdup(c->arena, problem));
    *out = t;
    return 0;
}

/* "tags": an array of strings, each a good tag (article_tag_valid), stored
 * as "a, b"; a repeated tag once. */
static int tags_field(struct ctx *c, json_t *body, const char **out)
{
    json_t *v = json_object_get(body, "tags");
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > ARTICLE_TAGS_MAX)
        return bad_field(c, "tags", "tags must be an array of at most 50 strings.");
    const char *names[ARTICLE_TAGS_MAX];
    size_t n = 0, i;
    json_t *item;
    json_array_foreach(v, i, item) {
        const char *s = json_string_value(item);
        char *name = s ? trim_copy(c->arena, s) : NULL;
        if (!name || !article_tag_valid(name))
            return bad_field(c, "tags", article_tag_message);
        names[n++] = name;
    }
    char *joined = article_tags_join(names, n);
    *out = joined ? arena_strdup(c->arena, joined) : NULL;
    free(joined);
    return *out ? 0 : store_failed(c);
}

static int status_field(struct ctx *c, json_t *body, enum article_status *out)
{
    json_t *v = json_object_get(body, "status");
    if (!v || article_status_parse(json_string_value(v), out))
        return 0;
    return bad_field(c, "status",
                     arena_printf(c->arena, "status must be \"%s\" or \"%s\".",
                                  article_status_name(AS_DRAFT),
                                  article_status_name(AS_PUBLISHED)));
}

static int date_field(struct ctx *c, json_t *body, int64_t *out, bool *given)
{
    json_t *v = json_object_get(body, "published_at");
    *given = v != NULL;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (!s || !parse_rfc3339(s, out))
        return bad_field(c, "published_at",
                         "published_at must be an RFC 3339 time, like 2026-03-14T08:30:00Z.");
    return 0;
}

static int body_field(struct ctx *c, json_t *body, const char **out)
{
    json_t *v = json_object_get(body, "body");
    if (!v)
        return 0;
    if (!json_is_string(v))
        return bad_field(c, "body", "body must be a string (Markdown).");
    *out = json_string_value(v);
    return 0;
}

static int comments_open_field(struct ctx *c, json_t *body, bool *out)
{
    json_t *v = json_object_get(body, "comments_open");
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return bad_field(c, "comments_open", "comments_open must be true or false.");
    *out = json_is_true(v);
    return 0;
}

/* "summary", "image", "image_alt": strings, checked together by the rules
 * article files follow (article_share_problem). */
static int share_fields(struct ctx *c, json_t *body, struct article_input *in)
{
    static const char *const keys[] = { "summary", "image", "image_alt" };
    const char **slots[] = { &in->summary, &in->image, &in->image_alt };
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, keys[i]);
        if (!v)
            continue;
        if (!json_is_string(v))
            return bad_field(c, keys[i], "This field must be a string.");
        if (!(*slots[i] = trim_copy(c->arena, json_string_value(v))))
            return store_failed(c);
    }
    struct article_text t = { .summary = in->summary, .image = in->image,
                              .image_alt = in->image_alt };
    const char *field;
    char msg[128];
    const char *problem = article_share_problem(&t, &field, msg, sizeof msg);
    return problem ? bad_field(c, field, arena_strdup(c->arena, problem)) : 0;
}

/* Fills `in` from the body, field by field in a fixed order, so the first
 * bad field is the one named. Strings point into body or the arena. */
static int read_fields(struct ctx *c, json_t *body, struct article_input *in, bool *date_given)
{
    int bad = check_keys(c, body, in->slug);
    if (!bad)
        bad = line_field(c, body, "title", ARTICLE_TITLE_MAX, true, &in->title);
    if (!bad)
        bad = line_field(c, body, "author", ARTICLE_AUTHOR_MAX, false, &in->author);
    if (!bad)
        bad = body_field(c, body, &in->body);
    if (!bad)
        bad = tags_field(c, body, &in->tags);
    if (!bad)
        bad = line_field(c, body, "source", ARTICLE_SOURCE_MAX, false, &in->source);
    if (!bad)
        bad = share_fields(c, body, in);
    if (!bad)
        bad = status_field(c, body, &in->status);
    if (!bad)
        bad = date_field(c, body, &in->published_at, date_given);
    if (!bad)
        bad = comments_open_field(c, body, &in->comments_open);
    return bad;
}

/* ---- PUT: saving ---- */

/* Without a published_at: a new article gets now; a replaced one keeps
 * its date, unless a draft is being published, which gets now. */
static int64_t default_date(const struct article *old, bool exists, enum article_status status)
{
    int64_t now = (int64_t)time(NULL);
    if (!exists)
        return now;
    if (old->status == AS_DRAFT && status == AS_PUBLISHED)
        return now;
    return old->published_at;
}

/* Renders the Markdown, saves, and answers with the article as stored. */
static int save(struct ctx *c, struct article_input *in)
{
    char *html = markdown_render(in->body, strlen(in->body));
    if (!html)
        return api_error(c, 500, NULL, "The article could not be rendered.");
    in->body_html = html;
    bool created = false;
    int rc = store_article_save(c->store, in, &created);
    free(html);
    if (rc != STORE_OK)
        return store_failed(c);
    struct article a;
    if (store_article_by_slug(c->store, c->arena, in->slug, false, &a) != STORE_OK)
        return store_failed(c);
    if (created)
        resp_header(c->resp, "Location",
                    site_path(c, arena_printf(c->arena, "/admin/api/articles/%s", in->slug)));
    return api_reply(c, created ? 201 : 200, article_json(&a));
}

/* Validates the body against the slug, then saves. Returns the status. */
static int put_article(struct ctx *c, json_t *body)
{
    struct article_input in = {
        .slug = c->params[0], .author = "", .body = "", .tags = "", .source = "",
        .summary = "", .image = "", .image_alt = "",
        .status = AS_DRAFT, .comments_open = true,
    };
    if (!slug_valid(in.slug))
        return bad_field(c, "slug", "The slug must be 1 to 200 lower-case letters, digits and "
                                    "hyphens, not starting or ending with a hyphen.");
    bool date_given = false;
    int bad = read_fields(c, body, &in, &date_given);
    if (bad)
        return bad;
    struct article old;
    int found = store_article_by_slug(c->store, c->arena, in.slug, false, &old);
    if (found != STORE_OK && found != STORE_NOT_FOUND)
        return store_failed(c);
    if (!date_given)
        in.published_at = default_date(&old, found == STORE_OK, in.status);
    return save(c, &in);
}

int api_article_put(struct ctx *c)
{
    json_t *body;
    int bad = api_read_object(c, &body);
    if (bad)
        return bad;
    int status = put_article(c, body);
    json_decref(body);
    return status;
}
