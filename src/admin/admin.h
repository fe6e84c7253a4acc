/* admin: what the editors' HTML handlers (login, queue, log) share. */
#ifndef FOLIO_ADMIN_H
#define FOLIO_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/handler.h"

/* ---- the handlers and guards app/router.c names ---- */
int admin_login(struct ctx *c);
int admin_logout(struct ctx *c);
int admin_root(struct ctx *c);
int admin_queue(struct ctx *c);
int admin_comments_post(struct ctx *c);
int admin_log(struct ctx *c);
/* One comment's page: its text to edit, a reply as the site (comment.c). */
int admin_comment_page(struct ctx *c);
int admin_comment_edit(struct ctx *c);
int admin_comment_reply(struct ctx *c);
int admin_mail_link(struct ctx *c);

/* Guards the route table applies (auth.c): 0 lets the request through,
 * else the status to answer. */
int admin_check_session(struct ctx *c);
int admin_check_csrf(struct ctx *c);

#define ADMIN_PAGE_SIZE 50
#define SESSION_COOKIE "folio_session"
/* The one form field that may repeat in the admin area: the ticked comments. */
#define ADMIN_REPEATABLE_FIELD "id"

/* page_data plus what every admin page shows: the editor's name and the
 * session's CSRF token for its forms (when signed in). */
struct tval *admin_page_data(struct ctx *c, const char *page_title);

/* Adds date_iso (RFC 3339) and date_human ("5 Mar 2026, 14:07 UTC") for t. */
void admin_set_time(struct ctx *c, struct tval *obj, int64_t t);
/* Where a comment stands on the site (base path included): the page of its
 * article's comments that holds its thread, at the comment itself when
 * readers see it (`shown`). */
const char *admin_comment_url(struct ctx *c, const char *slug, int64_t comment_id, bool shown);

/* Parses the urlencoded body into c->form once. Returns 0, or the status
 * to answer (413, 415, 400) with the message set. */
int admin_parse_form(struct ctx *c);

/* Loads the session named by the request's cookie into c; false when there
 * is no live one. */
bool admin_session_load(struct ctx *c);
/* Starts a session for the editor and sets its cookie. 0 or 500. */
int admin_session_start(struct ctx *c, int64_t editor_id, const char *name);
/* Ends the current session on the server and clears the cookie. */
void admin_session_end(struct ctx *c);

/* Set-Cookie for one of the admin area's cookies (HttpOnly, SameSite=Strict,
 * Secure over HTTPS) on `path` under the base path. max_age < 0: until the
 * browser closes; 0: clears it. */
void admin_set_cookie(struct ctx *c, const char *name, const char *value, const char *path,
                      long max_age);

/* Big-endian 8-byte numbers in signed values. */
void admin_put_u64(unsigned char *p, int64_t v);
int64_t admin_get_u64(const unsigned char *p);

/* ---- the message after an action (flash.c) ---- */

/* What an action did: `kind` is the queue's own code for the action (or
 * for "nothing ticked", "undone"); undo_from..undo_to are the log rows it
 * wrote, when it can be undone (else 0). */
struct flash {
    int kind;
    int64_t changed, refused, missing;
    int64_t undo_from, undo_to;
};
/* Sets the cookie that carries it to the next page of this session. */
void admin_flash_set(struct ctx *c, const struct flash *f);
/* The message the request's cookie carries for this session, cleared as it
 * is read (a reload shows nothing); false when there is none. */
bool admin_flash_take(struct ctx *c, struct flash *out);
/* The Undo button's value: the log rows from..to, signed for this session. */
const char *admin_undo_token(struct ctx *c, int64_t from, int64_t to);
bool admin_undo_token_read(struct ctx *c, const char *token, int64_t *from, int64_t *to);

/* Kinds of flash the comment page (comment.c) leaves for the queue, beside
 * the queue's own: `changed` is 1 when something changed; for a reply,
 * `refused` is 1 when the comment replied to was approved with it. */
enum { FLASH_TEXT_EDITED = 102, FLASH_REPLIED = 103 };
/* 303 to the queue's view that `ret` names (a view's query, as the forms'
 * hidden `return` carries it; NULL or invalid: the queue), with the flash. */
int admin_back_to_view(struct ctx *c, const char *ret, const struct flash *f);
/* The address of that view. */
const char *admin_view_url(struct ctx *c, const char *ret);

/* True when s is a path under /admin that is safe to redirect to: "/admin"
 * or "/admin/...", plain path characters, no "//", no "." or ".." segment,
 * no backslash, no scheme; an optional query of plain characters. */
bool admin_safe_path(const char *s);

#endif
