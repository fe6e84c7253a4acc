/* headers: request header lines into a struct request. */
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
