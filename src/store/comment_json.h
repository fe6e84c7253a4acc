/* comment_json: a comment as the contract shows it to machines, one shape
 * for the JSON API (admin/api_comments.c) and the webhook (notify/). */
#ifndef FOLIO_COMMENT_JSON_H
#define FOLIO_COMMENT_JSON_H

#include <jansson.h>

#include "store/store.h"

/* {"id", "article": {"slug", "title"}, "parent", "author", "email", "url",
 * "body", "status", "created_at", "ip"}; NULL when memory ran out. */
json_t *comment_view_json(const struct comment_view *v);

#endif
