/* api_comments: the JSON API's comments: list, read, change status, delete. */
#include <string.h>

#include "admin/api.h"
#include "store/comment_json.h"
#include "store/store.h"

/* comment_status_name as the API's filters take it. */
static const char *status_name(int index)
{
    return comment_status_name((enum comment_status)index);
}

static int store_failed(struct ctx *c)
{
    return api_error(c, 500, NULL, "The database could not answer.");
}

/* Answers with comment `id` (200), or 404. */
static int reply_comment(struct ctx *c, int64_t id)
{
    struct comment_view v;
    int rc = store_comment_view(c->store, c->arena, id, &v);
    if (rc == STORE_NOT_FOUND)
        return api_error(c, 404, NULL, "There is no comment with that id.");
    if (rc != STORE_OK)
        return store_failed(c);
    return api_reply(c, 200, comment_view_json(&v));
}

int api_comments_list(struct ctx *c)
{
    int status;
    int limit;
    int64_t after;
    int bad = api_status_filter(c, status_name, CS_COUNT, &status);
    if (!bad)
        bad = api_paging(c, &limit, &after);
    if (bad)
        return bad;
    struct comment_view_list list;
    /* One more than asked tells whether another page follows. */
    if (store_comments_page(c->store, c->arena,
                            status < 0 ? CS_ANY : (enum comment_status)status, after,
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
        return api_error(c, 404, NULL, "There is no comment with that id.");
    return reply_comment(c, id);
}

/* The body's "status": a known status, and no other field. Returns 0 or
 * the status answered (400, 415, 422). */
static int read_status(struct ctx *c, enum comment_status *status)
{
    json_t *body;
    int bad = api_read_object(c, &body);
    if (bad)
        return bad;
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        if (strcmp(key, "status") != 0) {
            const char *k = arena_strdup(c->arena, key);
            json_decref(body);
            return api_error(c, 422, k, "Only status can be changed.");
        }
    }
    bool known = comment_status_parse(json_string_value(json_object_get(body, "status")),
                                      status);
    json_decref(body);
    if (!known)
        return api_error(c, 422, "status", api_one_of(c, "status", status_name, CS_COUNT));
    return 0;
}

int api_comment_patch(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return api_error(c, 404, NULL, "There is no comment with that id.");
    enum comment_status status;
    int bad = read_status(c, &status);
    if (bad)
        return bad;
    struct actor who;
    api_actor(c, &who);
    int rc = store_comment_set_status(c->store, id, status, &who, NULL);
    if (rc == STORE_NOT_FOUND)
        return api_error(c, 404, NULL, "There is no comment with that id.");
    if (rc != STORE_OK)
        return store_failed(c);
    return reply_comment(c, id);
}

/* Deleting through the API is allowed from any status (see docs/api.md);
 * the admin area's rule (spam or trash only) guards against a slip of the
 * mouse, which a script does not make. */
int api_comment_delete(struct ctx *c)
{
    int64_t id;
    if (!comment_id(c, &id))
        return api_error(c, 404, NULL, "There is no comment with that id.");
    struct actor who;
    api_actor(c, &who);
    int rc = store_comment_delete(c->store, id, &who, false);
    if (rc == STORE_NOT_FOUND)
        return api_error(c, 404, NULL, "There is no comment with that id.");
    if (rc != STORE_OK)
        return store_failed(c);
    buf_reset(&c->resp->body);
    return 204;
}
