/* api_auth: the JSON API's guard, Bearer tokens from `folio token add`. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin/api.h"
#include "store/store.h"

#define TOKEN_MAX_CHARS 200
#define TOUCH_EVERY_SECONDS 60

static int refuse(struct ctx *c)
{
    resp_header(c->resp, "WWW-Authenticate", "Bearer");
    return api_error(c, 401, NULL, "A valid API token is required.");
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *bearer_token(struct ctx *c)
{
    const char *h = req_header(c->req, "authorization");
    if (!h || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return NULL;
    const char *p = h + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, " \t");
    const char *rest = p + len;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (len == 0 || len > TOKEN_MAX_CHARS || *rest)
        return NULL;
    return arena_strndup(c->arena, p, len);
}

int api_check_token(struct ctx *c)
{
    const char *secret = bearer_token(c);
    if (!secret)
        return refuse(c);
    struct api_token t;
    int rc = store_token_by_secret(c->store, c->arena, secret, &t);
    if (rc == STORE_NOT_FOUND)
        return refuse(c);
    if (rc != STORE_OK)
        return api_error(c, 503, NULL, "The database is not answering; try again.");
    int64_t now = (int64_t)time(NULL);
    /* A write per request would serialise the API on the database's one
     * writer; once a minute is enough to tell when a token was last used.
     * A failure here is logged and does not refuse the request. */
    if (t.last_used_at + TOUCH_EVERY_SECONDS <= now)
        store_token_touch(c->store, t.id, now);
    c->token_id = t.id;
    c->actor = t.name;
    return 0;
}
