/* headers: adding a request header line, for both front ends. */
#ifndef FOLIO_FRONT_HEADERS_H
#define FOLIO_FRONT_HEADERS_H

#include "core/arena.h"
#include "core/http.h"

/* Adds the header line name: value (name in lower case; both must outlive
 * the request). Repeated X-Forwarded-For lines become one list, in the
 * order they came, as RFC 9110 allows for list headers: the core takes the
 * rightmost address, the one the trusted proxy added, and a line a client
 * sent ahead of the proxy's must not win. Returns 0, or the HTTP status to
 * answer (431 too many headers, 500 out of memory). */
int front_add_header(struct request *req, struct arena *a, const char *name, const char *value);

#endif
