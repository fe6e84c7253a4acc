/* headers: adding a request header line, and keeping a response's headers
 * to compare with a later response's, for both front ends. */
#ifndef FOLIO_FRONT_HEADERS_H
#define FOLIO_FRONT_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/http.h"

/* Adds the header line name: value (name in lower case; both must outlive
 * the request). Repeated X-Forwarded-For lines become one list, in the
 * order they came, as RFC 9110 allows for list headers: the core takes the
 * rightmost address, the one the trusted proxy added, and a line a client
 * sent ahead of the proxy's must not win. Returns 0, or the HTTP status to
 * answer (431 too many headers, 500 out of memory). */
int front_add_header(struct request *req, struct arena *a, const char *name, const char *value);

/* A response's content type and headers, copied. Each front end makes
 * something of a kept page's first 200 once (folio fcgi its head, folio
 * serve its response object) and keeps it with the page, with a copy of
 * the headers it was made of: a later 200 of the page uses it only when
 * its headers are the very same (compared, not assumed). The strings live
 * in the block of whoever holds the copy (header_copy_make). */
struct header_copy {
    const char *content_type;
    size_t count;
    const char *names[RESP_MAX_HEADERS], *values[RESP_MAX_HEADERS];
};

/* The bytes header_copy_make writes for resp's strings (resp has a
 * content type). */
size_t header_copy_size(const struct response *resp);
/* Copies resp's content type and headers into hc, their strings into
 * `text`, which has room for header_copy_size(resp) bytes. Returns the
 * byte after them. */
char *header_copy_make(struct header_copy *hc, const struct response *resp, char *text);
/* True when resp (which has a content type) has the content type and
 * headers hc was made of. */
bool header_copy_same(const struct header_copy *hc, const struct response *resp);

#endif
