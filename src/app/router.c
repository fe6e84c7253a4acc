/* router: the route table and the one entry point that turns a request
 * into a response (decoding, routing, errors, caching headers). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"

#include "admin/admin.h"
#include "admin/api.h"
#include "core/handler.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "pages/pages.h"
#include "store/store.h"

enum { M_GET = 1, M_POST = 2, M_PUT = 4, M_PATCH = 8, M_DELETE = 16 };

/* What the dispatcher checks before a handler runs. */
enum {
    R_JSON = 1,         /* errors as JSON */
    R_SESSION = 2,      /* an editor's session: GET 303 to the login page, else 403 */
    R_CSRF = 4,         /* POST carries the session's csrf_token: else 403 */
    R_TOKEN = 8,        /* an API token: else 401 with WWW-Authenticate */
    R_API = R_TOKEN | R_JSON,
};

struct route {
    unsigned methods;
    const char *pattern;    /* "{}" matches one segment, a final "*" the rest */
    handler_fn handler;
    unsigned flags;
    const char *file;       /* where the handler is, under src/ (codecheck verifies it) */
};

/* Every route of the contract, readers' then editors', with the file that
 * holds each handler (its SQL is in the store function it calls, its
 * template named in its render_page call; docs/design.md has the map). */
static const struct route routes[] = {
    { M_GET, "/", page_index, 0, "pages/index.c" },
    { M_GET, "/articles/{}", page_article, 0, "pages/article.c" },
    { M_POST, "/articles/{}/comments", page_comment_post, 0, "pages/comment_post.c" },
    { M_GET, "/articles/{}/comments", page_comment_form_get, 0, "pages/comment_post.c" },
    { M_GET, "/articles/{}/comments.atom", page_comment_feed, 0, "pages/feed.c" },
    { M_GET, "/articles/{}/comment-page-{}", page_article_comments, 0, "pages/article.c" },
    { M_GET, "/articles/{}/comments/{}/edit", page_comment_edit_form, 0, "pages/comment_own.c" },
    { M_POST, "/articles/{}/comments/{}/edit", page_comment_edit_post, 0, "pages/comment_own.c" },
    { M_GET, "/articles/{}/comments/{}/withdraw", page_comment_withdraw_form, 0,
      "pages/comment_own.c" },
    { M_POST, "/articles/{}/comments/{}/withdraw", page_comment_withdraw_post, 0,
      "pages/comment_own.c" },
    { M_GET, "/tags/{}", page_tag, 0, "pages/index.c" },
    { M_GET, "/search", page_search, 0, "pages/index.c" },
    { M_GET, "/feed.atom", page_feed, 0, "pages/feed.c" },
    { M_GET, "/healthz", page_health, 0, "pages/health.c" },
    { M_GET, "/sitemap.xml", page_sitemap, 0, "pages/sitemap.c" },
    { M_GET, "/sitemap-{}", page_sitemap_part, 0, "pages/sitemap.c" },
    { M_GET, "/news-sitemap.xml", page_news_sitemap, 0, "pages/sitemap.c" },
    { M_GET, "/robots.txt", page_robots, 0, "pages/sitemap.c" },
    { M_GET, "/static/*", page_static, 0, "pages/static.c" },
    { M_GET | M_POST, "/subscriptions/confirm/{}", page_subscription_confirm, 0,
      "pages/subscription.c" },
    { M_GET | M_POST, "/subscriptions/unsubscribe/{}", page_subscription_unsubscribe, 0,
      "pages/subscription.c" },
    /* editors: HTML (src/admin/) */
    { M_GET | M_POST, "/admin/login", admin_login, 0, "admin/login.c" },
    { M_POST, "/admin/logout", admin_logout, R_SESSION | R_CSRF, "admin/login.c" },
    { M_GET, "/admin", admin_root, 0, "admin/login.c" },
    { M_GET, "/admin/", admin_queue, R_SESSION, "admin/queue.c" },
    { M_POST, "/admin/comments", admin_comments_post, R_SESSION | R_CSRF, "admin/queue.c" },
    { M_GET, "/admin/comments/{}", admin_comment_page, R_SESSION, "admin/comment.c" },
    { M_POST, "/admin/comments/{}/edit", admin_comment_edit, R_SESSION | R_CSRF,
      "admin/comment.c" },
    { M_POST, "/admin/comments/{}/reply", admin_comment_reply, R_SESSION | R_CSRF,
      "admin/comment.c" },
    { M_GET, "/admin/log", admin_log, R_SESSION, "admin/log.c" },
    /* the editors' mail: signed links, no session (admin/mail_link.c) */
    { M_GET | M_POST, "/admin/mail/{}", admin_mail_link, 0, "admin/mail_link.c" },
    /* editors: JSON API (src/admin/api_*.c) */
    { M_GET, "/admin/api/comments", api_comments_list, R_API, "admin/api_comments.c" },
    { M_GET, "/admin/api/comments/{}", api_comment_get, R_API, "admin/api_comments.c" },
    { M_PATCH, "/admin/api/comments/{}", api_comment_patch, R_API, "admin/api_comments.c" },
    { M_DELETE, "/admin/api/comments/{}", api_comment_delete, R_API, "admin/api_comments.c" },
    { M_POST, "/admin/api/comments/{}/replies", api_comment_reply, R_API,
      "admin/api_comments.c" },
    { M_GET, "/admin/api/articles", api_articles_list, R_API, "admin/api_articles.c" },
    { M_GET, "/admin/api/articles/{}", api_article_get, R_API, "admin/api_articles.c" },
    { M_PUT, "/admin/api/articles/{}", api_article_put, R_API, "admin/api_articles.c" },
    { M_DELETE, "/admin/api/articles/{}", api_article_delete, R_API, "admin/api_articles.c" },
    { M_GET, "/admin/api/privacy", api_privacy_get, R_API, "admin/api_privacy.c" },
    { M_POST, "/admin/api/privacy/erase", api_privacy_erase, R_API, "admin/api_privacy.c" },
    { M_GET, "/admin/api/export/wordpress", api_export_wordpress, R_API, "admin/api_privacy.c" },
};

static unsigned method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return M_GET;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    if (strcmp(m, "PUT") == 0)
        return M_PUT;
    if (strcmp(m, "PATCH") == 0)
        return M_PATCH;
    if (strcmp(m, "DELETE") == 0)
        return M_DELETE;
    return 0;
}

/* Matches path against pattern, storing {} and * captures in params. */
static bool route_match(const char *pattern, const char *path, struct arena *a,
                        const char **params)
{
    size_t n = 0;
    while (*pattern && *path) {
        if (pattern[0] == '*') {
            params[n] = path;
            return true;
        }
        if (pattern[0] == '{' && pattern[1] == '}') {
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);
            if (len == 0 || n == ROUTE_MAX_PARAMS)
                return false;
            params[n++] = arena_strndup(a, path, len);
            path += len;
            pattern += 2;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    if (pattern[0] == '*' && *path == '\0') {
        params[n] = path;
        return true;
    }
    return *pattern == '\0' && *path == '\0';
}

/* "GET, HEAD, POST": the Allow header for a set of method bits. */
static const char *allow_header(unsigned methods)
{
    static const char *const names[] = { "GET, HEAD", "POST", "PUT", "PATCH", "DELETE" };
    static _Thread_local char out[64];
    out[0] = '\0';
    for (unsigned i = 0; i < 5; i++) {
        if (!(methods & (1u << i)))
            continue;
        if (out[0])
            strcat(out, ", ");
        strcat(out, names[i]);
    }
    return out;
}

/* Decodes the target into req->path and strips the base path. Returns 0
 * or an error status. */
static int decode_path(struct ctx *c)
{
    const char *target = c->req->target;
    if (!target || target[0] != '/')
        return fail(c, 400, "The request's path is malformed.");
    if (strlen(target) + strlen(c->req->query) > LIMIT_TARGET_BYTES)
        return fail(c, 414, "The address is too long.");
    size_t len = strlen(target);
    const char *path = target;      /* nothing to decode: the target itself */
    if (memchr(target, '%', len)) {
        char *decoded = arena_alloc(c->arena, len + 1);
        if (!decoded)
            return fail(c, 500, "Out of memory.");
        long n = url_decode(target, len, decoded, false);
        if (n < 0 || memchr(decoded, '\0', (size_t)n))
            return fail(c, 400, "The request's path is malformed.");
        path = decoded;
        len = (size_t)n;
    }
    if (!utf8_valid(path, len))
        return fail(c, 400, "The request's path is malformed.");
    const char *base = c->app->cfg.base_path;
    size_t base_len = strlen(base);
    if (base_len) {
        if (strncmp(path, base, base_len) != 0 || (path[base_len] != '/' && path[base_len]))
            return fail(c, 404, "There is nothing at this address.");
        path += base_len;
        if (*path == '\0')
            path = "/";
    }
    c->req->path = path;
    return 0;
}

/* X-Forwarded-For is believed only from the configured proxy; its last
 * entry is the address that proxy saw. */
static const char *client_address(struct ctx *c)
{
    const char *peer = c->req->peer_addr ? c->req->peer_addr : "";
    const char *proxy = c->app->cfg.trusted_proxy;
    const char *xff = req_header(c->req, "x-forwarded-for");
    if (!proxy || !xff || strcmp(peer, proxy) != 0)
        return peer;
    const char *last = strrchr(xff, ',');
    return trim_copy(c->arena, last ? last + 1 : xff);
}

/* The route's guards in order (token or session, then CSRF), then the
 * handler. A guard answers with a status when it refuses. */
static int run_route(struct ctx *c, const struct route *r)
{
    /* A database deleted or replaced under the running server: nothing it
     * answers would be true, nothing written would be kept (store_lost logs
     * it). /healthz says why itself; static files need no database. */
    if (r->handler != page_health && r->handler != page_static && store_lost(c->store, false))
        return fail(c, 503, "The site's database is not available. Please come back later.");
    int status = 0;
    if (r->flags & R_TOKEN)
        status = api_check_token(c);
    if (!status && (r->flags & R_SESSION))
        status = admin_check_session(c);
    if (!status && c->req->body_too_large)
        status = fail(c, 413, "The request's body is too large.");
    if (!status && (r->flags & R_CSRF))
        status = admin_check_csrf(c);
    status = status ? status : r->handler(c);
    /* A database server that went away during the request (restarted, or
     * its host failing over): come back later, as before it (503), not a
     * fault of the site (500). */
    if (status == 500 && store_unavailable(c->store)) {
        buf_reset(&c->resp->body);
        return fail(c, 503, "The site's database is not available. Please come back later.");
    }
    return status;
}

/* Under /admin/api every answer is JSON, errors before routing included. */
static bool api_path(const char *p)
{
    return strncmp(p, "/admin/api", 10) == 0 && (p[10] == '/' || p[10] == '\0');
}

static int dispatch(struct ctx *c)
{
    const char *base = c->app->cfg.base_path, *t = c->req->target ? c->req->target : "";
    if (strncmp(t, base, strlen(base)) == 0)
        c->json_errors = api_path(t + strlen(base));
    int status = decode_path(c);
    if (status)
        return status;
    c->json_errors = api_path(c->req->path);
    enum form_error fe = form_parse(c->arena, c->req->query, strlen(c->req->query), &c->query);
    if (fe != FORM_OK)
        return fail(c, 400, form_error_message(fe));
    c->req->client_addr = client_address(c);
    unsigned bit = method_bit(c->req->method), allowed = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *r = &routes[i];
        memset(c->params, 0, sizeof c->params);
        if (!route_match(r->pattern, c->req->path, c->arena, c->params))
            continue;
        c->json_errors = (r->flags & R_JSON) != 0;
        allowed |= r->methods;
        if (!(r->methods & bit))
            continue;
        c->handler_file = r->file;
        return run_route(c, r);
    }
    if (allowed) {
        resp_header(c->resp, "Allow", arena_strdup(c->arena, allow_header(allowed)));
        return fail(c, 405, "This address does not take that method.");
    }
    /* Before the 404: an address the site had under WordPress. */
    int moved = bit == M_GET && !c->json_errors ? page_old_address(c) : 0;
    if (moved)
        return moved;
    return fail(c, 404, "There is nothing at this address.");
}

static void render_error(struct ctx *c, int status)
{
    struct response *resp = c->resp;
    const char *message = c->error_message ? c->error_message : http_status_text(status);
    buf_reset(&resp->body);
    resp->file_path = NULL;
    resp->cacheable = false;
    if (c->json_errors) {
        resp->content_type = "application/json";
        json_error_body(&resp->body, message);
        return;
    }
    struct tval *data = page_data(c, http_status_text(status));
    tv_int(data, "status", status);
    tv_str(data, "title", http_status_text(status));
    tv_str(data, "message", message);
    render_page(c, status, "error", data);
}

static const char *security_headers[][2] = {
    { "X-Content-Type-Options", "nosniff" },
    { "Referrer-Policy", "strict-origin-when-cross-origin" },
    { "X-Frame-Options", "DENY" },
    { "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'" },
};

/* An entity tag without its weakness mark: If-None-Match compares weakly. */
static const char *opaque_tag(const char *tag)
{
    return tag[0] == 'W' && tag[1] == '/' ? tag + 2 : tag;
}

/* True when the If-None-Match list (or "*") holds our ETag. */
static bool etag_matches(const char *if_none_match, const char *etag)
{
    const char *want = opaque_tag(etag);
    size_t want_len = strlen(want);
    const char *p = if_none_match;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end - start == 1 && *start == '*')
            return true;
        if (end - start >= 2 && start[0] == 'W' && start[1] == '/')
            start += 2;
        if ((size_t)(end - start) == want_len && memcmp(start, want, want_len) == 0)
            return true;
    }
    return false;
}

/* ETag, Last-Modified and the answer to a conditional GET. */
static void apply_caching(struct ctx *c)
{
    struct response *resp = c->resp;
    if (!resp->cacheable || resp->status != 200)
        return;
    const char *etag = resp_header_get(resp, "ETag");
    if (!etag) {
        size_t len;
        const char *body = resp_body(resp, &len);
        etag = arena_printf(c->arena, "\"%016llx\"", (unsigned long long)hash_fnv1a(body, len));
        resp_header(resp, "ETag", etag);
    }
    /* Browsers keep the page but ask again each time (a cheap 304), so a
     * reader sees their pending comment and approvals at once. */
    if (!resp_header_get(resp, "Cache-Control"))
        resp_header(resp, "Cache-Control", "no-cache");
    if (resp->last_modified > 0) {
        char date[40];
        http_date(resp->last_modified, date, sizeof date);
        resp_header(resp, "Last-Modified", arena_strdup(c->arena, date));
    }
    const char *inm = req_header(c->req, "if-none-match");
    const char *ims = req_header(c->req, "if-modified-since");
    bool not_modified = false;
    if (inm)
        not_modified = etag_matches(inm, etag);
    else if (ims && resp->last_modified > 0) {
        time_t since = http_date_parse(ims);
        not_modified = since >= 0 && resp->last_modified <= since;
    }
    /* The body stays: front ends never send one with a 304, and libmicrohttpd
     * takes its Content-Length from it, which must be the 200's. */
    if (not_modified)
        resp->status = 304;
}

static size_t body_length(const struct response *resp)
{
    size_t len;
    resp_body(resp, &len);
    return len;
}

void folio_handle(struct worker *w, struct request *req, struct response *resp)
{
    struct ctx c = { .w = w, .app = w->app, .store = w->store, .arena = &w->arena,
                     .req = req, .resp = resp };
    if (!req->query)
        req->query = "";
    resp->status = 200;
    int status = dispatch(&c);
    resp->status = status;
    if (status >= 400 && body_length(resp) == 0 && !resp->file_path)
        render_error(&c, status);
    if (status >= 500)
        log_error("%s %s: %d %s (%s)", req->method, req->target ? req->target : "?", status,
                  c.error_message ? c.error_message : "",
                  c.handler_file ? c.handler_file : "before any handler");
    if (resp->body.failed) {
        buf_reset(&resp->body);
        resp->status = 500;
        resp->content_type = "text/plain; charset=utf-8";
        buf_puts(&resp->body, "Internal Server Error\n");
        log_error("%s %s: out of memory building the response", req->method, req->target);
    }
    if (!resp->content_type && (body_length(resp) || resp->status >= 400))
        resp->content_type = "text/html; charset=utf-8";
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        resp_header(resp, security_headers[i][0], security_headers[i][1]);
    if (req->path && strncmp(req->path, "/admin", 6) == 0 &&
        (req->path[6] == '/' || req->path[6] == '\0'))
        resp_header(resp, "Cache-Control", "no-store");
    /* Links made from this request's Host: the browser may keep the answer,
     * no shared cache may (the FastCGI front adds no X-Accel-Expires). */
    if (resp->from_host && !resp_header_get(resp, "Cache-Control"))
        resp_header(resp, "Cache-Control", "private, no-cache");
    apply_caching(&c);
}
