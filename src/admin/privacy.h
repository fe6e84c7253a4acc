/* privacy: what folio holds about a commenter, and erasing it, for
 * `folio privacy` and the API (GET /admin/api/privacy, POST .../erase). */
#ifndef FOLIO_PRIVACY_H
#define FOLIO_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"

struct store;

/* True when s can be a commenter's email (an '@' with text on both sides). */
bool privacy_email_ok(const char *s);

/* {"email", "comments": [{"id", "article": {"slug", "title"}, "parent",
 * "author", "email", "url", "body", "status", "created_at", "ip",
 * "user_agent"}...]}: a new reference, NULL on failure (logged). */
json_t *privacy_report(struct store *s, struct arena *a, const char *email);

#endif
