/* http: the transport-neutral request and response that both front ends
 * (FastCGI and the embedded HTTP server) fill in and write out. */
#ifndef FOLIO_HTTP_H
#define FOLIO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/form.h"

#define REQ_MAX_HEADERS 64
#define RESP_MAX_HEADERS 24

/* Limits every front end enforces before the core sees a request. */
#define LIMIT_TARGET_BYTES 8192         /* request path and query together */
#define LIMIT_BODY_BYTES (1024 * 1024)  /* the JSON API's limit; forms check 64 KiB */
#define LIMIT_FORM_BYTES (64 * 1024)

struct request {
    const char *method;         /* "GET", "HEAD", "POST", ... */
    const char *target;         /* the raw path as sent, without the query */
    const char *query;          /* the raw query string, without '?'; "" when none */
    struct kv headers[REQ_MAX_HEADERS];  /* names in lower case */
    size_t header_count;
    const char *body;
    size_t body_len;
    bool body_too_large;        /* the client sent more than LIMIT_BODY_BYTES */
    const char *peer_addr;      /* the address of the connection's other end */
    bool https;

    /* Set by the core before the handler runs. */
    const char *path;           /* percent-decoded, the base path removed */
    const char *client_addr;    /* peer_addr, or X-Forwarded-For from a trusted proxy */
};

struct kept_page;   /* core/kept_page.h */

struct response {
    int status;
    const char *content_type;
    struct kv headers[RESP_MAX_HEADERS];
    size_t header_count;
    struct buf body;
    /* Served from a page kept in memory: the body is the kept page's, sent
     * as it is, and `body` stays empty (resp_body gives either). The
     * response holds the page until resp_reset. */
    struct kept_page *kept;
    bool cacheable;             /* the core adds ETag and answers conditional GETs */
    bool from_host;             /* the body holds links made from the request's Host:
                                   never for a shared cache (see absolute_url) */
    time_t last_modified;       /* 0: none */
    const char *file_path;      /* when set, the front end sends this file as the body, */
    const char *file_root;      /* which lies beneath this directory (see resp_open_file) */
    long long file_size;
};

/* The value of header `lower_name`, or NULL. */
const char *req_header(const struct request *req, const char *lower_name);
/* Adds a header; name and value must outlive the response (static or arena). */
void resp_header(struct response *resp, const char *name, const char *value);
const char *resp_header_get(const struct response *resp, const char *name);
/* The body's bytes, the kept page's when there is one; *len their count. */
const char *resp_body(const struct response *resp, size_t *len);
/* Opens resp->file_path for sending: beneath resp->file_root without
 * following any symlink (file_open_beneath). The fd, or -1 with errno. */
int resp_open_file(const struct response *resp);
/* Clears a response for reuse, keeping its body's allocation and letting
 * go of its kept page. */
void resp_reset(struct response *resp);
const char *http_status_text(int status);
/* RFC 7231 date (IMF-fixdate) into out (at least 30 bytes). */
void http_date(time_t t, char *out, size_t outlen);
/* Parses an IMF-fixdate; -1 when it is not one. */
time_t http_date_parse(const char *s);

#endif
