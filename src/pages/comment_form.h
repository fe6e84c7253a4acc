/* comment_form: the "Leave a Reply" form as a page shows it, and what the
 * reader's own cookies say (their pending comments, their saved details). */
#ifndef FOLIO_COMMENT_FORM_H
#define FOLIO_COMMENT_FORM_H

#include "pages/pages.h"

/* The ids of the reader's own pending comments on this article, from their
 * signed cookie; returns how many were written to ids. */
size_t own_pending_comments(struct ctx *c, int64_t article_id, int64_t *ids, size_t max);
/* The `form` value of article.html. form NULL: an empty form, prefilled from
 * the reader's saved-details cookie, set up as a reply by ?replytocom=ID
 * when ID is a comment shown on the page. */
struct tval *comment_form_object(struct ctx *c, const struct article *a,
                                 const struct comment_form *form,
                                 const struct comment_list *shown);
/* True when the form shows details from the reader's own cookie. */
bool comment_form_is_personal(struct ctx *c, const struct comment_form *form);

#endif
