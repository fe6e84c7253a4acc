/* comment_form: the "Leave a Reply" form as a page shows it, and what the
 * reader's own cookies say (their pending comments, their saved details). */
#ifndef FOLIO_COMMENT_FORM_H
#define FOLIO_COMMENT_FORM_H

#include "core/signed.h"
#include "pages/pages.h"

/* The reader's cookies: the signed list of their pending comments, and the
 * details they asked to have saved (percent-encoded). */
#define COOKIE_PENDING "folio_pending"
#define COOKIE_AUTHOR "comment_author"
#define COOKIE_EMAIL "comment_author_email"
#define COOKIE_URL "comment_author_url"

/* The entries of the reader's signed folio_pending cookie (their own newest
 * comments, on any article); returns how many were written to own, 0 for a
 * cookie that does not verify. */
size_t own_pending_comments(struct ctx *c, struct pending_entry *own, size_t max);
/* The tag that binds a cookie entry to its comment (see pending_tag). */
uint64_t own_comment_tag(struct ctx *c, int64_t id, int64_t created_at, const char *email);
/* Drops from list the held comments that the reader's entries do not name
 * with the right tag: an id may have come to name someone else's comment
 * (ids reused before sql/008), and that one is not theirs to see. */
void keep_own_comments(struct ctx *c, const struct pending_entry *own, size_t own_count,
                       struct comment_list *list);
/* The reader's right to change their own comment (edit, withdraw). */
enum own_right {
    OWN_RIGHT_OK,
    OWN_RIGHT_NOT_THEIRS,   /* their signed cookie does not name it with its tag */
    OWN_RIGHT_MODERATED,    /* no longer pending */
    OWN_RIGHT_EXPIRED,      /* --edit-minutes have passed since it was made (or are 0) */
};
/* Whether this browser may change cm now; *tag gets its cookie entry's tag
 * (for the forms' tokens) when it is theirs. */
enum own_right own_comment_right(struct ctx *c, const struct comment *cm, uint64_t *tag);
/* For a comment the page shows as the reader's own (keep_own_comments):
 * whether it still offers Edit and Withdraw. */
bool own_comment_changeable(struct ctx *c, const struct comment *cm);
/* When the reader's right to change cm ends (Unix seconds). */
int64_t own_comment_deadline(struct ctx *c, const struct comment *cm);

/* What the form's key lists and link count look at (comment_post.c). */
struct comment_values {
    const char *author, *email, *url, *body;
};
/* The status the form's checks give a comment before the store's rules:
 * CS_SPAM when a --disallowed-keys word matches, else CS_PENDING;
 * *approve_known when --moderation first may approve it at once (no
 * --moderation-keys word, no more than --max-links links). */
enum comment_status comment_screen(struct ctx *c, const struct comment_values *v,
                                   const char *address, bool *approve_known);

/* The `form` value of article.html. form NULL: an empty form, prefilled from
 * the reader's saved-details cookie, set up as a reply by ?replytocom=ID
 * when ID is a comment shown on the page. Always carries a fresh signed
 * token; for a page everyone may share it also sets the page's ETag. */
struct tval *comment_form_object(struct ctx *c, const struct article *a,
                                 const struct comment_form *form,
                                 const struct comment_list *shown);
/* True when the form is the reader's own: a form they sent (re-shown after
 * a refusal) or one prefilled from their saved-details cookies. */
bool comment_form_is_personal(struct ctx *c, const struct comment_form *form);

#endif
