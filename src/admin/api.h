/* api: what the JSON API's handlers share (src/admin/api_*.c). */
#ifndef FOLIO_API_H
#define FOLIO_API_H

#include <stdbool.h>
#include <stdint.h>

#include "core/handler.h"
#include "core/json.h"

/* ---- the handlers and guard app/router.c names ---- */
int api_comments_list(struct ctx *c);
int api_comment_get(struct ctx *c);
int api_comment_patch(struct ctx *c);
int api_comment_delete(struct ctx *c);
int api_comment_reply(struct ctx *c);
int api_articles_list(struct ctx *c);
int api_article_get(struct ctx *c);
int api_article_put(struct ctx *c);
int api_article_delete(struct ctx *c);
int api_privacy_get(struct ctx *c);
int api_privacy_erase(struct ctx *c);
int api_export_wordpress(struct ctx *c);

/* The guard of every API route (api_auth.c): 0, or 401 answered. */
int api_check_token(struct ctx *c);

#define API_LIMIT_DEFAULT 50
#define API_LIMIT_MAX 200

/* Writes v (taking the reference) as the JSON body; returns status, or 500
 * when v is NULL (a failed allocation) or could not be written. */
int api_reply(struct ctx *c, int status, json_t *v);
/* {"error": message, "field": field} (field may be NULL); returns status. */
int api_error(struct ctx *c, int status, const char *field, const char *message);
/* 200 {"<key>": items, "next_after": last_id or null}: one page of a list;
 * `more` tells whether another page follows. Takes items' reference. */
int api_reply_page(struct ctx *c, const char *key, json_t *items, bool more, int64_t last_id);

/* The request's body as a JSON object (Content-Type application/json).
 * Returns 0 with *out set (the caller releases it), or the status already
 * answered: 415, 400. */
int api_read_object(struct ctx *c, json_t **out);

/* ?limit=N&after=ID: limit 1..API_LIMIT_MAX (default API_LIMIT_DEFAULT),
 * after >= 0 (default 0). Returns 0, or 400 already answered. */
int api_paging(struct ctx *c, int *limit, int64_t *after);
/* A store name table (comment_status_name...) seen as names by index. */
typedef const char *(*api_name_fn)(int index);
/* "field must be one of: a, b, c." with the `count` names of name_of. */
const char *api_one_of(struct ctx *c, const char *field, api_name_fn name_of, int count);
/* ?status=S, which must be one of the `count` names of name_of when given:
 * *index is its index, or -1 when absent. Returns 0, or 400 already
 * answered. */
int api_status_filter(struct ctx *c, api_name_fn name_of, int count, int *index);

/* The acting token as the store's moderation functions want it. */
struct actor;
void api_actor(const struct ctx *c, struct actor *who);

#endif
