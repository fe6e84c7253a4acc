/* api_common: reading JSON bodies and query parameters, writing JSON answers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/api.h"
#include "store/store.h"

int api_reply(struct ctx *c, int status, json_t *v)
{
    struct response *resp = c->resp;
    buf_reset(&resp->body);
    bool ok = json_write(&resp->body, v);
    json_decref(v);
    if (!ok) {
        buf_reset(&resp->body);
        return fail(c, 500, "The answer could not be built.");
    }
    resp->content_type = "application/json";
    return status;
}

int api_error(struct ctx *c, int status, const char *field, const char *message)
{
    struct response *resp = c->resp;
    buf_reset(&resp->body);
    json_error_field_body(&resp->body, message, field);
    resp->content_type = "application/json";
    c->error_message = message;
    return status;
}

/* "application/json", any case, optionally followed by parameters. */
static bool is_json_type(const char *type)
{
    static const char want[] = "application/json";
    if (!type)
        return false;
    while (*type == ' ' || *type == '\t')
        type++;
    if (strncasecmp(type, want, sizeof want - 1) != 0)
        return false;
    char next = type[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

int api_read_object(struct ctx *c, json_t **out)
{
    *out = NULL;
    if (!is_json_type(req_header(c->req, "content-type")))
        return api_error(c, 415, NULL, "The body must be JSON (Content-Type: application/json).");
    char reason[160];
    enum json_parse rc = json_parse_object(c->req->body, c->req->body_len, out, reason,
                                           sizeof reason);
    if (rc == JSON_NOT_OBJECT)
        return api_error(c, 400, NULL, "The body must be a JSON object.");
    if (rc != JSON_PARSED) {
        const char *msg = arena_printf(c->arena, "The body is not valid JSON: %s.", reason);
        return api_error(c, 400, NULL, msg ? msg : "The body is not valid JSON.");
    }
    return 0;
}

/* A decimal integer in [min, max] with nothing else around it. */
static bool parse_range(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

int api_paging(struct ctx *c, int *limit, int64_t *after)
{
    const char *l = form_get(&c->query, "limit");
    const char *a = form_get(&c->query, "after");
    int64_t v = API_LIMIT_DEFAULT;
    if (l && !parse_range(l, 1, API_LIMIT_MAX, &v))
        return api_error(c, 400, "limit", "limit must be a whole number from 1 to 200.");
    *limit = (int)v;
    *after = 0;
    if (a && !parse_range(a, 0, INT64_MAX, after))
        return api_error(c, 400, "after", "after must be the id a previous page gave.");
    return 0;
}

const char *api_one_of(struct ctx *c, const char *field, api_name_fn name_of, int count)
{
    struct buf msg;
    buf_init_arena(&msg, c->arena);
    buf_printf(&msg, "%s must be one of: ", field);
    for (int i = 0; i < count; i++)
        buf_printf(&msg, "%s%s", i ? ", " : "", name_of(i));
    buf_putc(&msg, '.');
    return msg.failed ? "The value is not a known one." : buf_cstr(&msg);
}

int api_status_filter(struct ctx *c, api_name_fn name_of, int count, int *index)
{
    const char *s = form_get(&c->query, "status");
    *index = -1;
    if (!s)
        return 0;
    for (int i = 0; i < count; i++) {
        if (strcmp(s, name_of(i)) == 0) {
            *index = i;
            return 0;
        }
    }
    return api_error(c, 400, "status", api_one_of(c, "status", name_of, count));
}

void api_actor(const struct ctx *c, struct actor *who)
{
    who->editor_id = 0;
    who->token_id = c->token_id;
    who->name = c->actor;
}

int api_reply_page(struct ctx *c, const char *key, json_t *items, bool more, int64_t last_id)
{
    bool ok = items != NULL;
    json_t *obj = json_object();
    json_put(obj, key, items, &ok);
    json_put(obj, "next_after", more ? json_integer(last_id) : json_null(), &ok);
    if (!ok) {
        json_decref(obj);
        obj = NULL;
    }
    return api_reply(c, 200, obj);
}
