/* pages: what the readers' handlers share. */
#ifndef FOLIO_PAGES_H
#define FOLIO_PAGES_H

#include "core/handler.h"
#include "store/store.h"

/* ---- the handlers app/router.c names ---- */
int page_index(struct ctx *c);
int page_tag(struct ctx *c);
int page_search(struct ctx *c);
int page_article(struct ctx *c);
int page_article_comments(struct ctx *c);   /* /articles/{slug}/comment-page-{n} */
int page_comment_post(struct ctx *c);
int page_comment_form_get(struct ctx *c);
/* A commenter's own pending comment (src/pages/comment_own.c). */
int page_comment_edit_form(struct ctx *c);
int page_comment_edit_post(struct ctx *c);
int page_comment_withdraw_form(struct ctx *c);
int page_comment_withdraw_post(struct ctx *c);
int page_comment_feed(struct ctx *c);
int page_feed(struct ctx *c);
int page_health(struct ctx *c);
int page_static(struct ctx *c);
/* Crawlers' routes (src/pages/sitemap.c). */
int page_sitemap(struct ctx *c);
int page_sitemap_part(struct ctx *c);
int page_news_sitemap(struct ctx *c);
int page_robots(struct ctx *c);
int page_subscription_confirm(struct ctx *c);
int page_subscription_unsubscribe(struct ctx *c);
/* A WordPress site's old address of an imported post: 301 to the article;
 * 0 when the request is not one (src/pages/old_address.c). */
int page_old_address(struct ctx *c);


#define PAGE_SIZE 20
#define MAX_PAGE 100000
#define MAX_COMMENT_DEPTH 5

/* What the "Leave a Reply" form shows: the reader's values and the
 * messages for the fields that were refused. */
struct comment_form {
    const char *author, *email, *url, *comment;
    int64_t parent;
    bool save;
    bool subscribe;                     /* "Notify me of follow-up comments by email." */
    const char *message;                /* above the form */
    const char *errors_author, *errors_email, *errors_url, *errors_comment;
    int64_t token_issued;               /* the new token's time; 0: now */
    bool token_returned;                /* the form came back once: no clock again */
};

/* A card for lists: slug, title, author, dates, excerpt, counts, tags. */
struct tval *article_card(struct ctx *c, const struct article *a, struct tval *list);
/* "No Comments", "1 Comment", "5 Comments". */
const char *comment_label(struct ctx *c, int64_t count);
/* The tags of an article as a list of {name, slug}. */
struct tval *tag_list(struct ctx *c, const char *tags);
/* Adds date_iso and date_human for t to obj. */
void set_dates(struct ctx *c, struct tval *obj, int64_t t);

/* The published article with this slug: 0, or the status to answer (404
 * for an unknown slug or a draft, 500) with its message set. */
int find_published_article(struct ctx *c, const char *slug, struct article *out);

/* Renders the article page with `form` in the reply form (NULL: empty,
 * prefilled from the reader's cookie), answering `status`: the comment
 * page that holds the comment replied to, or the first. */
int article_render(struct ctx *c, const struct article *a, const struct comment_form *form,
                   int status);

/* ---- comment pages (src/pages/comment_pages.c) ---- */

/* One page of an article's comments: a run of --comments-per-page threads. */
struct comment_page {
    int64_t number, count;      /* this page (from 1), and how many there are (at least 1) */
    int64_t from, to;           /* its threads' first comments have ids in [from, to) */
};
/* How many pages the article's comments take (at least 1; 1 when that
 * cannot be read). */
int64_t comment_page_count(struct ctx *c, const struct article *a);
/* Page `number` of the article's comments: 0, or the status to answer (404
 * past the last page, 500) with its message set. */
int comment_page_find(struct ctx *c, const struct article *a, int64_t number,
                      struct comment_page *out);
/* The page of the article's comments that shows this comment; 0 when it
 * is not one of the article's (or cannot be read). */
int64_t comment_page_of(struct ctx *c, const struct article *a, int64_t comment_id);
/* The links between pages for article.html (prev, next: paths with the
 * base path; number, count), or NULL when there is one page. */
struct tval *comment_page_nav(struct ctx *c, const struct article *a,
                              const struct comment_page *p);

/* What an article page tells other sites (src/pages/article_meta.c). */
struct article_meta {
    const char *url;            /* absolute, canonical */
    const char *description;    /* plain text */
    const char *image;          /* absolute, or NULL */
    const char *image_alt;
};
void article_meta_init(struct ctx *c, const struct article *a, const char *path,
                       struct article_meta *m);
/* url, description, published_iso, modified_iso, image, twitter_card, and
 * jsonld: the NewsArticle, the one value made for a <script> data block. */
struct tval *article_meta_object(struct ctx *c, const struct article *a,
                                 const struct article_meta *m);

#endif
