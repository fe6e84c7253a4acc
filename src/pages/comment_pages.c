/* comment_pages: which threads each page of an article's comments holds,
 * and the links between the pages. The store finds a page's first thread
 * by index (sql/016), so page 400 of a long discussion costs what page 1
 * does. */
#include <stdint.h>

#include "pages/pages.h"

static int64_t per_page(struct ctx *c)
{
    return c->app->cfg.comments_per_page;
}

/* The id of the n-th thread's first comment, or INT64_MAX past the last. */
static int thread_start(struct ctx *c, const struct article *a, int64_t n, int64_t *id)
{
    int rc = store_thread_start(c->store, a->id, n, id);
    if (rc == STORE_NOT_FOUND)
        *id = INT64_MAX;
    return rc == STORE_ERROR ? rc : STORE_OK;
}

/* Pages for `threads` threads: at least 1. */
static int64_t pages_for(struct ctx *c, int64_t threads)
{
    int64_t per = per_page(c);
    return per && threads > per ? (threads + per - 1) / per : 1;
}

int64_t comment_page_count(struct ctx *c, const struct article *a)
{
    int64_t threads = 0;
    if (store_thread_count(c->store, a->id, &threads) != STORE_OK)
        return 1;
    return pages_for(c, threads);
}

int comment_page_find(struct ctx *c, const struct article *a, int64_t number,
                      struct comment_page *out)
{
    int64_t threads = 0, per = per_page(c);
    if (store_thread_count(c->store, a->id, &threads) != STORE_OK)
        return fail(c, 500, "The comments could not be read.");
    out->number = number;
    out->count = pages_for(c, threads);
    out->from = 0;
    out->to = INT64_MAX;
    if (number < 1 || number > out->count)
        return fail(c, 404, "There is no such page of comments.");
    if (out->count == 1)
        return 0;
    /* the first page also holds held comments that stand before any thread */
    if (number > 1 && thread_start(c, a, (number - 1) * per + 1, &out->from) != STORE_OK)
        return fail(c, 500, "The comments could not be read.");
    if (thread_start(c, a, number * per + 1, &out->to) != STORE_OK)
        return fail(c, 500, "The comments could not be read.");
    return 0;
}

int64_t comment_page_of(struct ctx *c, const struct article *a, int64_t comment_id)
{
    int64_t article_id = 0, page = 0;
    if (store_comment_page(c->store, comment_id, (int)per_page(c), &article_id, &page) !=
            STORE_OK ||
        article_id != a->id)
        return 0;
    return page;
}

struct tval *comment_page_nav(struct ctx *c, const struct article *a,
                              const struct comment_page *p)
{
    if (p->count < 2)
        return NULL;
    struct tval *nav = tv_obj(c->arena);
    tv_int(nav, "number", p->number);
    tv_int(nav, "count", p->count);
    tv_str(nav, "prev", p->number > 1
                            ? site_path(c, comment_page_path(c, a->slug, p->number - 1)) : NULL);
    tv_str(nav, "next", p->number < p->count
                            ? site_path(c, comment_page_path(c, a->slug, p->number + 1)) : NULL);
    return nav;
}
