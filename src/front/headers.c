/* headers: request header lines into a struct request, and a response's
 * headers kept to be compared with a later one's. */
#include "front/headers.h"

#include <string.h>

static struct kv *find(struct request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, name) == 0)
            return &req->headers[i];
    return NULL;
}

int front_add_header(struct request *req, struct arena *a, const char *name, const char *value)
{
    if (!name || !value)
        return 500;
    struct kv *seen;
    if (strcmp(name, "x-forwarded-for") == 0 && (seen = find(req, name))) {
        const char *joined = arena_printf(a, "%s, %s", seen->value, value);
        if (!joined)
            return 500;
        seen->value = joined;
        return 0;
    }
    if (req->header_count == REQ_MAX_HEADERS)
        return 431;
    req->headers[req->header_count].name = name;
    req->headers[req->header_count].value = value;
    req->header_count++;
    return 0;
}

size_t header_copy_size(const struct response *resp)
{
    size_t bytes = strlen(resp->content_type) + 1;
    for (size_t i = 0; i < resp->header_count; i++)
        bytes += strlen(resp->headers[i].name) + 1 + strlen(resp->headers[i].value) + 1;
    return bytes;
}

static const char *copy_text(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*at, s, n);
    *at += n;
    return copy;
}

char *header_copy_make(struct header_copy *hc, const struct response *resp, char *text)
{
    hc->content_type = copy_text(&text, resp->content_type);
    hc->count = resp->header_count;
    for (size_t i = 0; i < resp->header_count; i++) {
        hc->names[i] = copy_text(&text, resp->headers[i].name);
        hc->values[i] = copy_text(&text, resp->headers[i].value);
    }
    return text;
}

/* Neither is NULL: resp_header drops a header without a name or value. */
static bool same_text(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

bool header_copy_same(const struct header_copy *hc, const struct response *resp)
{
    if (hc->count != resp->header_count || !same_text(hc->content_type, resp->content_type))
        return false;
    for (size_t i = 0; i < hc->count; i++)
        if (!same_text(hc->names[i], resp->headers[i].name) ||
            !same_text(hc->values[i], resp->headers[i].value))
            return false;
    return true;
}
