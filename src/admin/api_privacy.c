/* api_privacy: a commenter's data (GET /admin/api/privacy?email=), its
 * erasure (POST /admin/api/privacy/erase), and the WordPress export
 * (GET /admin/api/export/wordpress). */
#include <string.h>

#include "admin/api.h"
#include "admin/export.h"
#include "admin/privacy.h"
#include "core/log.h"
#include "store/store.h"

int api_privacy_get(struct ctx *c)
{
    const char *email = form_get(&c->query, "email");
    if (!privacy_email_ok(email))
        return api_error(c, 422, "email", "An email address is needed (?email=).");
    json_t *doc = privacy_report(c->store, c->arena, email);
    if (!doc)
        return fail(c, 500, "The comments could not be read.");
    return api_reply(c, 200, doc);
}

int api_privacy_erase(struct ctx *c)
{
    json_t *body;
    int status = api_read_object(c, &body);
    if (status)
        return status;
    json_t *v = json_object_get(body, "email");
    const char *email = json_is_string(v) ? json_string_value(v) : NULL;
    if (!privacy_email_ok(email)) {
        json_decref(body);
        return api_error(c, 422, "email", "\"email\" must be an email address.");
    }
    int64_t count = 0;
    int rc = store_commenter_erase(c->store, email, &count);
    json_decref(body);
    if (rc != STORE_OK)
        return fail(c, 500, "The comments could not be changed.");
    bool ok = true;
    json_t *doc = json_object();
    json_put(doc, "erased", json_integer(count), &ok);
    if (!ok) {
        json_decref(doc);
        doc = NULL;
    }
    return api_reply(c, 200, doc);
}

static int append_to_body(void *ctx, const char *data, size_t len)
{
    struct buf *body = ctx;
    buf_append(body, data, len);
    return body->failed ? 1 : 0;
}

int api_export_wordpress(struct ctx *c)
{
    buf_reset(&c->resp->body);
    const char *site = absolute_url(c, "");
    size_t n = strlen(site);
    if (n && site[n - 1] == '/')
        site = arena_strndup(c->arena, site, n - 1);
    if (export_wordpress(c->store, c->app->cfg.site_title, site, append_to_body,
                         &c->resp->body) != STORE_OK) {
        buf_reset(&c->resp->body);
        return fail(c, 500, "The export could not be written.");
    }
    c->resp->content_type = "application/xml; charset=utf-8";
    resp_header(c->resp, "Content-Disposition", "attachment; filename=\"folio.wordpress.xml\"");
    return 200;
}
