/* signed: values the server hands out and later believes only with its own
 * signature on them: the comment form's token and the list of a reader's
 * pending comments. Every function takes the time as an argument, so tests
 * can run them on any clock. */
#ifndef FOLIO_SIGNED_H
#define FOLIO_SIGNED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define SIGN_KEY_BYTES 32
#define FORM_TOKEN_MAX_AGE (24 * 60 * 60)     /* a form older than this is refused */
#define FORM_TOKEN_CLOCK_SKEW 60               /* seconds in the future still believed */
#define PENDING_COOKIE_MAX_AGE (2 * 24 * 60 * 60)
#define PENDING_COOKIE_MAX_IDS 10

/* base64url(payload || HMAC) where the HMAC (libsodium's crypto_auth) covers
 * `purpose` and the payload, so a value signed for one use is worthless for
 * another. Payloads are at most 192 bytes. Returns an arena string, or NULL. */
char *sign_encode(struct arena *a, const unsigned char key[SIGN_KEY_BYTES], const char *purpose,
                  const void *payload, size_t len);
/* Checks a value made by sign_encode with the same key and purpose; copies
 * the payload into out (at most max bytes) and its length into *len. */
bool sign_decode(const unsigned char key[SIGN_KEY_BYTES], const char *purpose, const char *value,
                 void *out, size_t max, size_t *len);

/* ---- the comment form's token: which article, and when it was served ---- */

enum token_check {
    TOKEN_OK,
    TOKEN_MISSING,
    TOKEN_FORGED,       /* not ours, or for another article, or from the future */
    TOKEN_EXPIRED,      /* older than FORM_TOKEN_MAX_AGE */
    TOKEN_TOO_FAST,     /* sent back sooner than min_seconds */
};

char *form_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                      int64_t article_id, int64_t issued);
/* The token of a form shown again after a refusal: `issued` is still when
 * the form was first served (the 24 hours run from then), but the reader
 * has already waited once, so --min-submit-seconds no longer applies. */
char *form_token_make_returned(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                               int64_t article_id, int64_t issued);
/* *issued gets the time the form was served when the token is genuine
 * (TOKEN_OK, TOKEN_EXPIRED, TOKEN_TOO_FAST), else 0. A returned token is
 * never TOKEN_TOO_FAST. */
enum token_check form_token_check(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                  int64_t article_id, int64_t now, int min_seconds,
                                  int64_t *issued);
/* form_token_check for whichever article the token names: *article_id gets
 * it when the token is genuine (TOKEN_OK, TOKEN_EXPIRED, TOKEN_TOO_FAST),
 * else 0. */
enum token_check form_token_read(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                 int64_t now, int min_seconds, int64_t *article_id,
                                 int64_t *issued);

/* ---- the reader's pending comments ---- */

/* One of the reader's comments: its id, and a tag that binds the entry to
 * that very comment (pending_tag of the id, the time it was made and the
 * email it was sent with). An entry whose tag does not match the row now
 * under its id names some other comment and is not believed. */
struct pending_entry {
    int64_t id;
    uint64_t tag;
};

/* The tag of a comment, keyed with the server's secret (so the cookie, which
 * the reader can read, does not reveal a hash of their email). */
uint64_t pending_tag(const unsigned char key[SIGN_KEY_BYTES], int64_t id, int64_t created_at,
                     const char *email);
/* Signs up to PENDING_COOKIE_MAX_IDS entries (the last ones of the array)
 * and the time `now`. */
char *pending_list_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                        const struct pending_entry *entries, size_t count, int64_t now);
/* The entries of a genuine list younger than PENDING_COOKIE_MAX_AGE, oldest
 * first; returns how many were written (0 for anything else). */
size_t pending_list_read(const unsigned char key[SIGN_KEY_BYTES], const char *value, int64_t now,
                         struct pending_entry *out, size_t max);

/* ---- the forms that change the reader's own comment ---- */

/* The hidden token of the edit and withdraw forms: the comment's id, the
 * tag of the reader's cookie entry for it, and when the form was served.
 * Only a browser whose signed folio_pending list names the comment can be
 * given one, so a page elsewhere cannot post these forms for it (CSRF). */
char *own_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES], int64_t id,
                     uint64_t tag, int64_t issued);
/* True when token is ours, for this comment and tag, and served in the
 * last FORM_TOKEN_MAX_AGE seconds (and not from the future). */
bool own_token_check(const unsigned char key[SIGN_KEY_BYTES], const char *token, int64_t id,
                     uint64_t tag, int64_t now);

/* ---- links in mail: an action on one comment, until a time ---- */

#define MAIL_LINK_DAYS 7     /* editors' approve and trash links, subscription confirmations */

enum link_action {
    LINK_APPROVE,       /* an editor approves a held comment */
    LINK_TRASH,         /* an editor trashes it */
    LINK_CONFIRM,       /* a commenter confirms their subscription */
    LINK_UNSUBSCRIBE,   /* a commenter ends it */
    LINK_ACTION_COUNT
};

/* A link's token: the action, the comment and the expiry (Unix seconds; 0
 * never), signed so that changing any of them makes it worthless. */
char *link_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                      enum link_action action, int64_t comment_id, int64_t expires);
/* TOKEN_OK with *action and *comment_id; TOKEN_EXPIRED (those set too),
 * TOKEN_FORGED, TOKEN_MISSING. */
enum token_check link_token_read(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                 int64_t now, enum link_action *action, int64_t *comment_id);

#endif
