/* page: helpers every handler shares: pages, errors, redirects, links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/handler.h"
#include "core/log.h"

struct tval *page_data(struct ctx *c, const char *page_title)
{
    struct tval *data = tv_obj(c->arena);
    tv_str(data, "site_title", c->app->cfg.site_title);
    tv_str(data, "base", c->app->cfg.base_path);
    tv_str(data, "page_title", page_title);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    tv_int(data, "year", tm.tm_year + 1900);
    return data;
}

int render_page(struct ctx *c, int status, const char *template, struct tval *data)
{
    struct response *resp = c->resp;
    buf_reset(&resp->body);
    resp->content_type = "text/html; charset=utf-8";
    if (!data || !tmpl_render(c->app->templates, template, data, &resp->body) ||
        resp->body.failed) {
        buf_reset(&resp->body);
        resp->content_type = "text/plain; charset=utf-8";
        buf_puts(&resp->body, "Internal Server Error\n");
        log_error("rendering template %s failed", template);
        return 500;
    }
    return status;
}

int fail(struct ctx *c, int status, const char *message)
{
    c->error_message = message;
    return status;
}

const char *site_path(struct ctx *c, const char *path)
{
    return arena_printf(c->arena, "%s%s", c->app->cfg.base_path, path);
}

const char *comment_page_path(struct ctx *c, const char *slug, int64_t page)
{
    if (page <= 1)
        return arena_printf(c->arena, "/articles/%s", slug);
    return arena_printf(c->arena, "/articles/%s/comment-page-%lld", slug, (long long)page);
}

const char *comment_link(struct ctx *c, const char *slug, int64_t page, int64_t comment_id)
{
    const char *path = comment_page_path(c, slug, page);
    return path ? arena_printf(c->arena, "%s#comment-%lld", path, (long long)comment_id) : NULL;
}

int redirect(struct ctx *c, const char *path)
{
    resp_header(c->resp, "Location", site_path(c, path));
    buf_reset(&c->resp->body);
    return 303;
}

/* Only a Host made of host-name characters is used in links. */
static bool host_is_safe(const char *host)
{
    if (!host || !*host || strlen(host) > 255)
        return false;
    for (const char *p = host; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']'))
            return false;
    }
    return true;
}

/* With --base-url, links never come from the request. Without it they
 * carry whatever Host the client sent, which a cache in front (nginx keys
 * on its own normalised $host) cannot tell apart: such an answer is marked
 * from_host, and the core sends it private, so one reader's Host never
 * reaches another reader through a cache. */
const char *absolute_url(struct ctx *c, const char *path)
{
    if (c->app->cfg.base_url[0])
        return arena_printf(c->arena, "%s%s%s", c->app->cfg.base_url, c->app->cfg.base_path,
                            path);
    c->resp->from_host = true;
    const char *host = req_header(c->req, "host");
    if (!host_is_safe(host))
        host = "localhost";
    return arena_printf(c->arena, "%s://%s%s%s", c->req->https ? "https" : "http", host,
                        c->app->cfg.base_path, path);
}

bool parse_id(const char *s, int64_t *out)
{
    if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}
