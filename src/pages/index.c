/* index: the front page, tag pages and search. */
#include <string.h>

#include "pages/page_cache.h"
#include "core/text.h"
#include "pages/pages.h"

/* ?page=N, N >= 1; absent means 1. 0 when the value is not a page number. */
static int64_t page_number(struct ctx *c)
{
    const char *p = form_get(&c->query, "page");
    if (!p)
        return 1;
    int64_t n;
    if (!parse_id(p, &n) || n > MAX_PAGE)
        return 0;
    return n;
}

/* Which list: the front page (no tag), or a tag's page. */
struct list_page {
    const char *tag_slug, *tag_name;    /* NULL for the front page */
    const char *heading;
    const char *title;                  /* before the site's name in <title>; NULL: none */
    const char *self_path;
};

/* The list shared by / and /tags/{tag}: one page of cards, the pager, and
 * Last-Modified from the last change to the site's lists. */
static int render_list(struct ctx *c, const struct list_page *lp)
{
    const char *tag_slug = lp->tag_slug, *self_path = lp->self_path;
    int64_t page = page_number(c);
    if (page == 0)
        return fail(c, 400, "The page number must be a whole number from 1.");
    struct article_list list;
    /* One more than a page, to know whether an older page exists. */
    if (store_articles_published(c->store, c->arena, tag_slug, (page - 1) * PAGE_SIZE,
                                 PAGE_SIZE + 1, &list) != STORE_OK)
        return fail(c, 500, "The articles could not be read.");
    struct tval *data = page_data(c, lp->title);
    struct tval *cards = tv_list(c->arena);
    size_t shown = list.count > PAGE_SIZE ? PAGE_SIZE : list.count;
    for (size_t i = 0; i < shown; i++)
        article_card(c, &list.items[i], cards);
    tv_set(data, "articles", cards);
    tv_str(data, "heading", lp->heading);
    tv_bool(data, "empty", shown == 0);
    tv_int(data, "page", page);
    if (page > 1)
        tv_str(data, "prev_url",
               page == 2 ? site_path(c, self_path)
                         : arena_printf(c->arena, "%s?page=%lld", site_path(c, self_path),
                                        (long long)(page - 1)));
    if (list.count > PAGE_SIZE)
        tv_str(data, "next_url", arena_printf(c->arena, "%s?page=%lld", site_path(c, self_path),
                                              (long long)(page + 1)));
    if (tag_slug) {
        struct tval *tag = tv_obj(c->arena);
        tv_str(tag, "slug", tag_slug);
        tv_str(tag, "name", lp->tag_name);
        tv_set(data, "tag", tag);
    }
    int64_t changed = 0;
    if (store_site_changed_at(c->store, &changed) != STORE_OK)
        return fail(c, 500, "The articles could not be read.");
    c->resp->cacheable = true;
    c->resp->last_modified = (time_t)changed;
    return render_page(c, 200, "index", data);
}

int page_index(struct ctx *c)
{
    /* /?p=ID, a WordPress site's address of a post: answered before the list */
    if (form_get(&c->query, "p")) {
        int moved = page_old_address(c);
        if (moved)
            return moved;
    }
    struct page_slot slot;
    if (page_cache_list(c, &slot))
        return 200;
    /* The front page's <title> is the site's name alone. */
    struct list_page lp = { .heading = "Latest news", .self_path = "/" };
    int status = render_list(c, &lp);
    page_cache_store(c, &slot, status);
    return status;
}

int page_tag(struct ctx *c)
{
    struct page_slot slot;
    if (page_cache_list(c, &slot))
        return 200;
    const char *slug = c->params[0];
    const char *name;
    int rc = store_tag_name(c->store, c->arena, slug, &name);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, "No published article carries this tag.");
    if (rc != STORE_OK)
        return fail(c, 500, "The tag could not be read.");
    const char *heading = arena_printf(c->arena, "Articles tagged %s", name);
    struct list_page lp = { .tag_slug = slug, .tag_name = name, .heading = heading,
                            .title = heading,
                            .self_path = arena_printf(c->arena, "/tags/%s", slug) };
    int status = render_list(c, &lp);
    page_cache_store(c, &slot, status);
    return status;
}

int page_search(struct ctx *c)
{
    const char *q = form_get(&c->query, "q");
    q = q ? trim_copy(c->arena, q) : "";
    if (strlen(q) > 200)
        return fail(c, 400, "The search is too long; use fewer words.");
    struct article_list list = {0};
    if (*q && store_articles_search(c->store, c->arena, q, PAGE_SIZE, &list) != STORE_OK)
        return fail(c, 500, "The search failed.");
    struct tval *data = page_data(c, *q ? arena_printf(c->arena, "Search: %s", q) : "Search");
    struct tval *results = tv_list(c->arena);
    for (size_t i = 0; i < list.count; i++)
        article_card(c, &list.items[i], results);
    tv_str(data, "q", q);
    tv_set(data, "results", results);
    tv_bool(data, "searched", *q != '\0');
    tv_bool(data, "empty", *q && list.count == 0);
    return render_page(c, 200, "search", data);
}
