/* comment_form: the "Leave a Reply" form as a page shows it, and what the
 * reader's own cookies say (their pending comments, their saved details). */
#ifndef FOLIO_COMMENT_FORM_H
#define FOLIO_COMMENT_FORM_H

#include "pages/pages.h"

/* The reader's cookies: the signed list of their pending comments, and the
 * details they asked to have saved (percent-encoded). */
#define COOKIE_PENDING "folio_pending"
#define COOKIE_AUTHOR "comment_author"
#define COOKIE_EMAIL "comment_author_email"
#define COOKIE_URL "comment_author_url"

/* The ids in the reader's signed folio_pending cookie (their own newest
 * comments, on any article: the store shows only this article's pending
 * ones); returns how many were written to ids, 0 for a cookie that does not
 * verify. */
size_t own_pending_comments(struct ctx *c, int64_t article_id, int64_t *ids, size_t max);
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
