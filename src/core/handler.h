/* handler: what every route handler receives, and the helpers they share
 * for rendering pages, errors and redirects. */
#ifndef FOLIO_HANDLER_H
#define FOLIO_HANDLER_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/form.h"
#include "core/http.h"
#include "core/template.h"

/* The state shared by every request worker (read-only once serving starts)
 * and each worker's own context; app/app.c makes them. */
struct store;
struct word_list;

struct app {
    struct config cfg;
    struct tmpl_set *templates;
    unsigned char secret[32];       /* signs form tokens and cookies; kept in the database */
    struct word_list *moderation_keys;
    struct word_list *disallowed_keys;
    bool db_must_exist;             /* fcgi: a missing database is refused, not created */
    atomic_int stopping;
};

/* One per request thread: nothing here is shared between threads. */
struct worker {
    struct app *app;
    struct store *store;
    struct arena arena;             /* everything a request allocates; reset after it */
};

#define ROUTE_MAX_PARAMS 4

struct ctx {
    struct worker *w;
    struct app *app;
    struct store *store;
    struct arena *arena;
    struct request *req;
    struct response *resp;
    const char *params[ROUTE_MAX_PARAMS];   /* the route's {} segments, decoded */
    struct form query;                       /* the query string, decoded */
    bool json_errors;                        /* errors as JSON (the API) */
    struct form form;                        /* a form body, once a handler or guard parsed it */
    bool form_parsed;
    /* Who is acting, set by the guards: an editor's session or an API token. */
    int64_t editor_id, session_id, token_id;
    const char *actor;                       /* the editor's or the token's name */
    const char *csrf_token;                  /* the session's, for the forms it renders */
    const char *error_message;               /* set by handlers for the error page */
    const char *handler_file;                /* the route's handler, for the log of a 500 */
};

/* A handler returns the HTTP status; for a status >= 400 with an empty body
 * the core renders the error page (HTML or JSON) with ctx->error_message. */
typedef int (*handler_fn)(struct ctx *c);

/* Renders `template` with `data` (which gains site_title, base, year) into
 * the response as HTML; returns `status`, or 500 if rendering failed. */
int render_page(struct ctx *c, int status, const char *template, struct tval *data);
/* Sets the message for the error page and returns status. */
int fail(struct ctx *c, int status, const char *message);
/* 303 See Other to base path + path (path starts with '/'). */
int redirect(struct ctx *c, const char *path);
/* An absolute URL for base path + path: --base-url, else from the Host
 * header, which makes the response private (resp->from_host). Links inside
 * the site are better relative (site_path): use this only where an
 * absolute address is required (feeds, share links, canonical). */
const char *absolute_url(struct ctx *c, const char *path);
/* base path + path, in the arena. */
const char *site_path(struct ctx *c, const char *path);
/* Page `page` of an article's comments: "/articles/{slug}" for the first
 * (the article itself), "/articles/{slug}/comment-page-{n}" after it, as
 * WordPress names them. A path without the base path, in the arena. */
const char *comment_page_path(struct ctx *c, const char *slug, int64_t page);
/* A comment on its page: comment_page_path + "#comment-{id}". */
const char *comment_link(struct ctx *c, const char *slug, int64_t page, int64_t comment_id);
/* A fresh object holding the values every page gets. */
struct tval *page_data(struct ctx *c, const char *page_title);

/* Parses a positive decimal id; false when s is not one. */
bool parse_id(const char *s, int64_t *out);

#endif
