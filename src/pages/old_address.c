/* old_address: the addresses an imported WordPress site used for its posts
 * (their permalinks and /?p=ID) answer 301 to the article they became; a
 * post's comment pages (permalink/comment-page-N) to the same page of the
 * article's comments, or the article when it has fewer. */
#include <string.h>

#include "pages/pages.h"

/* The key an old address is stored under (src/cli/wordpress.c): "/?p=ID"
 * for the front page with a post id, else the path without trailing
 * slashes. NULL when the request cannot be one. */
static const char *old_address_key(struct ctx *c)
{
    const char *path = c->req->path;
    if (strcmp(path, "/") == 0) {
        const char *p = form_get(&c->query, "p");
        int64_t id;
        if (!p || !parse_id(p, &id))
            return NULL;
        return arena_printf(c->arena, "/?p=%lld", (long long)id);
    }
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    return arena_strndup(c->arena, path, len);
}

/* "/2024/05/slug/comment-page-3": the post's own key, and 3 in *page;
 * NULL when the key is no comment page of a post. */
static const char *comment_page_key(struct ctx *c, const char *key, int64_t *page)
{
    static const char prefix[] = "comment-page-";
    const char *slash = strrchr(key, '/');
    if (!slash || slash == key || strncmp(slash + 1, prefix, sizeof prefix - 1) != 0 ||
        !parse_id(slash + sizeof prefix, page))
        return NULL;
    return arena_strndup(c->arena, key, (size_t)(slash - key));
}

/* The page of the article's comments to send an old comment page to. */
static int64_t page_to(struct ctx *c, const char *slug, int64_t page)
{
    struct article a;
    if (page <= 1 || store_article_by_slug(c->store, c->arena, slug, true, &a) != STORE_OK)
        return 1;
    int64_t count = comment_page_count(c, &a);
    return page <= count ? page : 1;
}

int page_old_address(struct ctx *c)
{
    const char *key = old_address_key(c);
    if (!key)
        return 0;
    const char *slug;
    int64_t page = 1;
    int rc = store_old_address_find(c->store, c->arena, key, &slug);
    if (rc == STORE_NOT_FOUND) {
        const char *post = comment_page_key(c, key, &page);
        if (!post)
            return 0;
        rc = store_old_address_find(c->store, c->arena, post, &slug);
        if (rc == STORE_NOT_FOUND)
            return 0;
    }
    if (rc != STORE_OK)
        return fail(c, 500, "The address could not be looked up.");
    resp_header(c->resp, "Location", absolute_url(c, comment_page_path(c, slug,
                                                                       page_to(c, slug, page))));
    buf_reset(&c->resp->body);
    return 301;
}
