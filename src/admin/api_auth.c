/* api_auth: Bearer tokens for the JSON API. */
#include "core/routes.h"

/* Until tokens exist, the API lets nobody in. */
int api_check_token(struct ctx *c)
{
    resp_header(c->resp, "WWW-Authenticate", "Bearer");
    return fail(c, 401, "A valid API token is required.");
}
