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
int page_comment_feed(struct ctx *c);
int page_feed(struct ctx *c);
int page_health(struct ctx *c);
int page_static(struct ctx *c);

#endif
