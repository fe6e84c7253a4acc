/* old_address: the addresses an imported WordPress site used for its posts
 * (their permalinks and /?p=ID) answer 301 to the article they became. */
#include <string.h>

#include "pages/pages.h"

/* The key an old address is stored under (src/cli/wordpress.c): "/?p=ID"
 * for the front page with a post id, else the path without trailing
 * slashes. NULL when the request cannot be one. */
static const char *old_address_key(struct ctx *c)
{
    const char *path = c->req->path;
    if (strcmp(path, "/") == 0) {
        const char *p = form_get(&c->query, "p");
        int64_t id;
        if (!p || !parse_id(p, &id))
            return NULL;
        return arena_printf(c->arena, "/?p=%lld", (long long)id);
    }
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    return arena_strndup(c->arena, path, len);
}

int page_old_address(struct ctx *c)
{
    const char *key = old_address_key(c);
    if (!key)
        return 0;
    const char *slug;
    int rc = store_old_address_find(c->store, c->arena, key, &slug);
    if (rc == STORE_NOT_FOUND)
        return 0;
    if (rc != STORE_OK)
        return fail(c, 500, "The address could not be looked up.");
    resp_header(c->resp, "Location",
                absolute_url(c, arena_printf(c->arena, "/articles/%s", slug)));
    buf_reset(&c->resp->body);
    return 301;
}
