/* health: GET /healthz for load balancers and monitoring: 200 "ok" while the
 * database file is still the one opened, answers a read and passed its last
 * quick_check (see store_health); else 503 and the reason. */
#include "pages/pages.h"

int page_health(struct ctx *c)
{
    c->resp->content_type = "text/plain; charset=utf-8";
    resp_header(c->resp, "Cache-Control", "no-store");
    const char *why = store_health(c->store);
    if (why) {
        buf_printf(&c->resp->body, "database unavailable: %s\n", why);
        return 503;
    }
    buf_puts(&c->resp->body, "ok");
    return 200;
}
