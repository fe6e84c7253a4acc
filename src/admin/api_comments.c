/* api_comments: the JSON API's comments: list (by status, article, search),
 * read, change status or text, reply as the site, delete. */
#include <string.h>

#include "admin/api.h"
#include "core/text.h"
#include "core/validate.h"
#include "store/comment_json.h"
#include "store/store.h"

#define SEARCH_MAX 200      /* bytes of ?q=, as the queue's search */

/* comment_status_name as the API's filters take it. */
static const char *status_name(int index)
{
    return comment_status_name((enum comment_status)index);
}

static int store_failed(struct ctx *c)
{
    return api_error(c, 500, NULL, "The database could not answer.");
}

static int no_comment(struct ctx *c)
{
    return api_error(c, 404, NULL, "There is no comment with that id.");
}

/* Answers with comment `id` (`status`), or 404. */
static int reply_comment(struct ctx *c, int64_t id, int status)
{
    struct comment_view v;
    int rc = store_comment_view(c->store, c->arena, id, &v);
    if (rc == STORE_NOT_FOUND)
        return no_comment(c);
    if (rc != STORE_OK)
        return store_failed(c);
    return api_reply(c, status, comment_view_json(&v));
}

/* ?article=SLUG (any article, draft or published) and ?q=TEXT. Returns 0,
 * or the status answered (400). */
static int read_filter(struct ctx *c, struct comment_filter *f)
{
    const char *slug = form_get(&c->query, "article"), *q = form_get(&c->query, "q");
    *f = (struct comment_filter){ .text = q };
    if (q && strlen(q) > SEARCH_MAX)
        return api_error(c, 400, "q", "q must be at most 200 bytes.");
    if (!slug)
        return 0;
    struct article a;
    int rc = store_article_by_slug(c->store, c->arena, slug, false, &a);
    if (rc == STORE_NOT_FOUND)
        return api_error(c, 400, "article", "There is no article with that slug.");
    if (rc != STORE_OK)
        return store_failed(c);
    f->article_id = a.id;
    return 0;
}

int api_comments_list(struct ctx *c)
{
    int status;
    int limit;
    int64_t after;
    struct comment_filter filter;
    int bad = api_status_filter(c, status_name, CS_COUNT, &status);
    if (!bad)
        bad = api_paging(c, &limit, &after);
    if (!bad)
        bad = read_filter(c, &filter);
    if (bad)
        return bad;
    struct comment_view_list list;
    /* One more than asked tells whether another page follows. */
    if (store_comments_page(c->store, c->arena,
                            status < 0 ? CS_ANY : (enum comment_status)status, &filter, after,
                            limit + 1, &list) != STORE_OK)
        return store_failed(c);
    bool more = list.count > (size_t)limit;
    size_t n = more ? (size_t)limit : list.count;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        if (json_array_append_new(items, comment_view_json(&list.items[i])) != 0) {
            json_decref(items);
            items = NULL;
        }
    return api_reply_page(c, "comments", items, more, n ? list.items[n - 1].c.id : 0);
}

/* The {id} of the route as a comment id; false when it cannot be one. */
static bool comment_id(struct ctx *c, int64_t *id)
{
    return parse_id(c->params[0], id);
}

int api_comment_get(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return no_comment(c);
    return reply_comment(c, id, 200);
}

/* The comment's text from a body's `field`, as stored: 0, or 422 answered. */
static int read_text(struct ctx *c, json_t *body, const char *field, const char **text)
{
    const char *typed = json_string_value(json_object_get(body, field));
    if (!typed)
        return api_error(c, 422, field, arena_printf(c->arena, "%s must be a string.", field));
    *text = comment_text_normalize(c->arena, typed);
    const char *error = comment_body_error(*text);
    return error ? api_error(c, 422, field, error) : 0;
}

/* 0 when every key of the object `body` is one of `allowed` (NULL at the
 * end); else 422 answered with `message`, naming the first other key. */
static int only_keys(struct ctx *c, json_t *body, const char *const allowed[],
                     const char *message)
{
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        size_t i = 0;
        while (allowed[i] && strcmp(key, allowed[i]) != 0)
            i++;
        if (!allowed[i])
            return api_error(c, 422, arena_strdup(c->arena, key), message);
    }
    return 0;
}

/* A PATCH: "status" (a known status) and "body" (the text), either or
 * both, and no other field. Returns 0 or the status answered (400, 415,
 * 422); *status CS_NONE and *text NULL for what is not to change. */
static int read_patch(struct ctx *c, enum comment_status *status, const char **text)
{
    json_t *body;
    int bad = api_read_object(c, &body);
    if (bad)
        return bad;
    static const char *const allowed[] = { "status", "body", NULL };
    *status = CS_NONE;
    *text = NULL;
    bad = only_keys(c, body, allowed, "Only status and body can be changed.");
    json_t *s = json_object_get(body, "status");
    if (!bad && s && !comment_status_parse(json_string_value(s), status))
        bad = api_error(c, 422, "status", api_one_of(c, "status", status_name, CS_COUNT));
    if (!bad && json_object_get(body, "body"))
        bad = read_text(c, body, "body", text);
    if (!bad && !s && !*text)
        bad = api_error(c, 422, "status", "Give status, or body, or both.");
    json_decref(body);
    return bad;
}

/* The text first, then the status, in one transaction. */
static int apply_patch(struct ctx *c, int64_t id, enum comment_status status, const char *text)
{
    struct actor who;
    api_actor(c, &who);
    bool changed;
    if (store_begin(c->store) != STORE_OK)
        return STORE_ERROR;
    int rc = text ? store_comment_set_text(c->store, id, text, &who, &changed) : STORE_OK;
    if (rc == STORE_OK && status != CS_NONE)
        rc = store_comment_set_status(c->store, id, status, &who, NULL);
    if (rc == STORE_OK && store_commit(c->store) == STORE_OK)
        return STORE_OK;
    store_rollback(c->store);
    return rc == STORE_OK ? STORE_ERROR : rc;
}

int api_comment_patch(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return no_comment(c);
    enum comment_status status;
    const char *text;
    int bad = read_patch(c, &status, &text);
    if (bad)
        return bad;
    int rc = apply_patch(c, id, status, text);
    if (rc == STORE_NOT_FOUND)
        return no_comment(c);
    if (rc != STORE_OK)
        return store_failed(c);
    return reply_comment(c, id, 200);
}

/* A reply's body: "body", and "author" (default: the token's name). */
static int read_reply(struct ctx *c, const char **author, const char **text)
{
    *author = c->actor;
    *text = NULL;
    json_t *body;
    int bad = api_read_object(c, &body);
    if (bad)
        return bad;
    static const char *const allowed[] = { "body", "author", NULL };
    bad = only_keys(c, body, allowed, "A reply takes body and author only.");
    if (!bad)
        bad = read_text(c, body, "body", text);
    json_t *a = json_object_get(body, "author");
    if (!bad && a) {
        const char *name = json_string_value(a);
        *author = name ? trim_copy(c->arena, name) : NULL;
        const char *error = *author ? comment_author_error(*author) : "author must be a string.";
        bad = error ? api_error(c, 422, "author", error) : 0;
    }
    json_decref(body);
    return bad;
}

int api_comment_reply(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return no_comment(c);
    const char *author, *text;
    int bad = read_reply(c, &author, &text);
    if (bad)
        return bad;
    struct actor who;
    api_actor(c, &who);
    int64_t reply_id;
    bool approved;
    int rc = store_comment_site_reply(c->store, id, author, text, &who, &reply_id, &approved);
    if (rc == STORE_NOT_FOUND)
        return no_comment(c);
    if (rc == STORE_CONFLICT)
        return api_error(c, 409, NULL, "The comment is in spam or trash: restore it before "
                                       "replying to it.");
    if (rc != STORE_OK)
        return store_failed(c);
    resp_header(c->resp, "Location", site_path(c, arena_printf(c->arena,
                                                               "/admin/api/comments/%lld",
                                                               (long long)reply_id)));
    return reply_comment(c, reply_id, 201);
}

/* Deleting through the API is allowed from any status (see docs/api.md);
 * the admin area's rule (spam or trash only) guards against a slip of the
 * mouse, which a script does not make. */
int api_comment_delete(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return no_comment(c);
    struct actor who;
    api_actor(c, &who);
    int rc = store_comment_delete(c->store, id, &who, false);
    if (rc == STORE_NOT_FOUND)
        return no_comment(c);
    if (rc != STORE_OK)
        return store_failed(c);
    buf_reset(&c->resp->body);
    return 204;
}
