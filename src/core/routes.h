/* routes: every handler the route table in router.c names. */
#ifndef FOLIO_ROUTES_H
#define FOLIO_ROUTES_H

#include "core/handler.h"

/* readers (src/pages/) */
int page_index(struct ctx *c);
int page_tag(struct ctx *c);
int page_search(struct ctx *c);
int page_article(struct ctx *c);
int page_comment_post(struct ctx *c);
int page_comment_form_get(struct ctx *c);
int page_comment_feed(struct ctx *c);
int page_feed(struct ctx *c);
int page_health(struct ctx *c);
int page_static(struct ctx *c);
/* A WordPress site's old address of an imported post: 301 to the article;
 * 0 when the request is not one (src/pages/old_address.c). */
int page_old_address(struct ctx *c);

/* Guards the route table applies (src/admin/auth.c, src/admin/api_auth.c).
 * Each returns 0 to let the request through, or the status to answer. */
int admin_check_session(struct ctx *c);
int admin_check_csrf(struct ctx *c);
int api_check_token(struct ctx *c);

/* editors: HTML (src/admin/) */
int admin_login(struct ctx *c);
int admin_logout(struct ctx *c);
int admin_root(struct ctx *c);
int admin_queue(struct ctx *c);
int admin_comments_post(struct ctx *c);
int admin_log(struct ctx *c);

/* editors: JSON API (src/admin/api_*.c) */
int api_comments_list(struct ctx *c);
int api_comment_get(struct ctx *c);
int api_comment_patch(struct ctx *c);
int api_comment_delete(struct ctx *c);
int api_articles_list(struct ctx *c);
int api_article_get(struct ctx *c);
int api_article_put(struct ctx *c);
int api_article_delete(struct ctx *c);
int api_privacy_get(struct ctx *c);
int api_privacy_erase(struct ctx *c);
int api_export_wordpress(struct ctx *c);

#endif
