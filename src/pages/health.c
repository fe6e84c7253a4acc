/* health: GET /healthz for load balancers and monitoring. */
#include "core/routes.h"
#include "pages/pages.h"

int page_health(struct ctx *c)
{
    c->resp->content_type = "text/plain; charset=utf-8";
    resp_header(c->resp, "Cache-Control", "no-store");
    if (!store_ping(c->store)) {
        buf_puts(&c->resp->body, "database unavailable\n");
        return 503;
    }
    buf_puts(&c->resp->body, "ok");
    return 200;
}
