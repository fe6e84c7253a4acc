/* article: the article page, with its comments and the reply form. */
#include <stdint.h>
#include <string.h>

#include "core/comment_format.h"
#include "core/escape.h"
#include "pages/page_cache.h"
#include "pages/comment_form.h"
#include "pages/pages.h"

#define MAX_OWN_PENDING 16

/* One comment as the template sees it. Every key is always set: a missing
 * key would be looked up in the enclosing comment instead. */
static struct tval *comment_node(struct ctx *c, const struct comment *cm, int depth,
                                 const char *article_path)
{
    struct tval *node = tv_obj(c->arena);
    tv_int(node, "id", cm->id);
    tv_str(node, "author", cm->author);
    tv_str(node, "author_url", cm->url);
    set_dates(c, node, cm->created_at);
    struct buf html;
    buf_init_arena(&html, c->arena);
    comment_format(&html, cm->body, strlen(cm->body));
    tv_trusted_html(node, "body_html", buf_cstr(&html)); /* escaped by comment_format */
    /* not approved: the reader's own comment, held (see store_comments_for_page) */
    tv_bool(node, "pending", cm->status != CS_APPROVED);
    /* relative: a comment is shown on the page that holds its thread, so the
     * page's own address is the one to reply on (and it spares every
     * comment the article's path); from a refused form's address,
     * page_comment_form_get passes replytocom on */
    tv_str(node, "reply_url", arena_printf(c->arena, "?replytocom=%lld#respond",
                                           (long long)cm->id));
    tv_int(node, "depth", depth);
    tv_bool(node, "by_site", cm->by_site);  /* an editor's reply from the queue */
    /* Edit and Withdraw, on a page only the reader's own cookie gets (a
     * page showing a held comment is never shared or cached) */
    bool changeable = own_comment_changeable(c, cm);
    tv_bool(node, "changeable", changeable);
    const char *own = changeable ? arena_printf(c->arena, "%s/comments/%lld", article_path,
                                                (long long)cm->id)
                                 : NULL;
    tv_str(node, "edit_url", own ? arena_printf(c->arena, "%s/edit", own) : "");
    tv_str(node, "withdraw_url", own ? arena_printf(c->arena, "%s/withdraw", own) : "");
    tv_set(node, "children", tv_list(c->arena));
    return node;
}

/* Looks a child list up by key "children" (set by comment_node). */
static struct tval *children_of(struct tval *node)
{
    return tv_get_child(node, "children");
}

/* Where a comment stands in the list, by id: an open-addressed table of
 * positions + 1 (0: empty), at most half full. */
static size_t id_slot(int64_t id, size_t mask)
{
    uint64_t h = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 32)) & mask;
}

/* Threads comments (oldest first) into a tree, in one pass: each comment
 * finds its parent among those before it in the table of ids. A reply
 * whose parent is not shown goes to the top level; replies deeper than
 * MAX_COMMENT_DEPTH join their parent's siblings, as WordPress shows them. */
static struct tval *comment_tree(struct ctx *c, const struct comment_list *list,
                                 const char *article_path)
{
    struct tval *top = tv_list(c->arena);
    size_t n = list->count, mask = 15;
    while (mask < 2 * n)
        mask = mask * 2 + 1;
    size_t *table = arena_alloc(c->arena, (mask + 1) * sizeof *table);
    struct tval **kids = arena_alloc(c->arena, (n + 1) * sizeof *kids);
    struct tval **parents = arena_alloc(c->arena, (n + 1) * sizeof *parents);
    int *depths = arena_alloc(c->arena, (n + 1) * sizeof *depths);
    if (!table || !kids || !parents || !depths)
        return top;
    for (size_t i = 0; i < n; i++) {
        const struct comment *cm = &list->items[i];
        size_t p = i;
        if (cm->parent_id)
            for (size_t s = id_slot(cm->parent_id, mask); table[s]; s = (s + 1) & mask)
                if (list->items[table[s] - 1].id == cm->parent_id) {
                    p = table[s] - 1;
                    break;
                }
        struct tval *into = top;
        int depth = 1;
        if (p != i) {
            if (depths[p] < MAX_COMMENT_DEPTH) {
                into = kids[p];
                depth = depths[p] + 1;
            } else {
                into = parents[p];
                depth = depths[p];
            }
        }
        struct tval *node = comment_node(c, cm, depth, article_path);
        kids[i] = children_of(node);
        depths[i] = depth;
        parents[i] = into;
        tv_append(into, node);
        /* the last of equal ids wins, as a scan of those before would find */
        size_t s = id_slot(cm->id, mask);
        while (table[s] && list->items[table[s] - 1].id != cm->id)
            s = (s + 1) & mask;
        table[s] = i + 1;
    }
    return top;
}

static struct tval *share_links(struct ctx *c, const char *url, const char *title)
{
    struct buf u, t;
    buf_init_arena(&u, c->arena);
    buf_init_arena(&t, c->arena);
    esc_url_query_value(&u, url, strlen(url));
    esc_url_component(&t, title, strlen(title));
    const char *eu = buf_cstr(&u), *et = buf_cstr(&t);
    struct tval *share = tv_obj(c->arena);
    tv_str(share, "twitter",
           arena_printf(c->arena, "https://x.com/intent/tweet?url=%s&text=%s", eu, et));
    tv_str(share, "facebook",
           arena_printf(c->arena, "https://www.facebook.com/sharer/sharer.php?u=%s", eu));
    tv_str(share, "linkedin",
           arena_printf(c->arena, "https://www.linkedin.com/sharing/share-offsite/?url=%s", eu));
    tv_str(share, "email", arena_printf(c->arena, "mailto:?subject=%s&body=%s", et, eu));
    return share;
}

static struct tval *article_object(struct ctx *c, const struct article *a, const char *path,
                                   const char *page_path)
{
    struct tval *obj = tv_obj(c->arena);
    tv_str(obj, "slug", a->slug);
    tv_str(obj, "title", a->title);
    tv_str(obj, "author", a->author);
    set_dates(c, obj, a->published_at);
    /* cmark output with raw HTML disabled, or an imported body written by
     * html_clean_post's allow-list (sql/012 body_format 'html') */
    tv_trusted_html(obj, "body_html", a->body_html); /* cmark (no raw HTML) or html_clean_post */
    struct tval *tags = tag_list(c, a->tags);
    tv_set(obj, "tags", tags);
    tv_bool(obj, "has_tags", tv_count(tags) > 0);  /* no empty list to hide */
    tv_str(obj, "source", a->source);
    if (a->image && *a->image) {
        struct tval *image = tv_obj(c->arena);
        tv_str(image, "src", a->image[0] == '/' ? site_path(c, a->image) : a->image);
        tv_str(image, "alt", a->image_alt);
        tv_set(obj, "image", image);
    }
    tv_str(obj, "url", absolute_url(c, path));
    /* a later page of comments is a page of its own to search engines */
    tv_str(obj, "canonical", absolute_url(c, page_path));
    tv_int(obj, "comment_count", a->counts[CS_APPROVED]);
    tv_str(obj, "comment_label", comment_label(c, a->counts[CS_APPROVED]));
    return obj;
}

/* The article with page p of its comments. */
static int render_comment_page(struct ctx *c, const struct article *a,
                               const struct comment_form *form, int status,
                               const struct comment_page *p)
{
    const char *path = arena_printf(c->arena, "/articles/%s", a->slug);
    const char *page_path = comment_page_path(c, a->slug, p->number);
    struct pending_entry own[MAX_OWN_PENDING];
    int64_t own_ids[MAX_OWN_PENDING];
    size_t own_count = own_pending_comments(c, own, MAX_OWN_PENDING);
    for (size_t i = 0; i < own_count; i++)
        own_ids[i] = own[i].id;
    struct comment_list comments;
    if (store_comments_for_page(c->store, c->arena, a->id, p->from, p->to, own_ids, own_count,
                                &comments) != STORE_OK)
        return fail(c, 500, "The comments could not be read.");
    keep_own_comments(c, own, own_count, &comments);
    struct tval *data = page_data(c, p->number > 1 ? arena_printf(c->arena,
                                      "%s – Comments, page %lld", a->title,
                                      (long long)p->number) : a->title);
    struct article_meta meta;
    article_meta_init(c, a, path, &meta);
    tv_set(data, "article", article_object(c, a, path, page_path));
    tv_set(data, "meta", article_meta_object(c, a, &meta));
    tv_set(data, "share", share_links(c, meta.url, a->title));
    tv_set(data, "comments",
           comment_tree(c, &comments, site_path(c, path)));
    tv_set(data, "comment_nav", comment_page_nav(c, a, p));
    tv_bool(data, "has_comments", comments.count > 0 || p->count > 1);
    tv_bool(data, "comments_open", a->comments_open);
    struct tval *form_obj = comment_form_object(c, a, form, &comments);
    tv_set(data, "form", form_obj);
    bool personal = false, by_site = false;
    for (size_t i = 0; i < comments.count; i++) {
        personal |= comments.items[i].status != CS_APPROVED;
        by_site |= comments.items[i].by_site;
    }
    /* states.css (header.html) holds the rules for what the usual page does
     * not show: a held comment, an editor's reply, comment pages, a reply's
     * Cancel link, closed comments, a form sent back */
    tv_bool(data, "states_css", personal || by_site || p->count > 1 || !a->comments_open ||
                                    form != NULL || tv_get_child(form_obj, "reply_to") != NULL);
    /* A page with the reader's own pending comment, or their saved details in
     * the form, is theirs alone; everyone else's copy may be cached. */
    if (personal || comment_form_is_personal(c, form)) {
        resp_header(c->resp, "Cache-Control", "private, no-store");
    } else if (status == 200) {
        c->resp->cacheable = true;
        c->resp->last_modified = (time_t)a->updated_at;
    }
    return render_page(c, status, "article", data);
}

int article_render(struct ctx *c, const struct article *a, const struct comment_form *form,
                   int status)
{
    /* a refused reply is shown again beside the comment it answers */
    int64_t number = form && form->parent ? comment_page_of(c, a, form->parent) : 1;
    struct comment_page p;
    int rc = comment_page_find(c, a, number ? number : 1, &p);
    if (rc)
        return rc;
    return render_comment_page(c, a, form, status, &p);
}

/* ?replytocom=ID names a comment of this article shown on another page:
 * the answer is that page (302), where the form can reply to it. 0 when
 * there is nothing to move. */
static int reply_elsewhere(struct ctx *c, const struct article *a, int64_t number)
{
    int64_t id;
    if (!parse_id(form_get(&c->query, "replytocom"), &id))
        return 0;
    int64_t holder = comment_page_of(c, a, id);
    if (!holder || holder == number)
        return 0;
    resp_header(c->resp, "Location",
                site_path(c, arena_printf(c->arena, "%s?replytocom=%lld#respond",
                                          comment_page_path(c, a->slug, holder),
                                          (long long)id)));
    buf_reset(&c->resp->body);
    return 302;
}

/* Page `number` of the article's comments, from the page cache or rendered. */
static int serve_comment_page(struct ctx *c, const char *slug, int64_t number)
{
    struct page_slot slot;
    if (page_cache_article(c, slug, number, &slot))
        return 200;
    struct article a;
    int rc = find_published_article(c, slug, &a);
    if (rc)
        return rc;
    struct comment_page p;
    rc = comment_page_find(c, &a, number, &p);
    if (!rc)
        rc = reply_elsewhere(c, &a, number);
    if (rc)
        return rc;
    int status = render_comment_page(c, &a, NULL, 200, &p);
    page_cache_store(c, &slot, status);
    return status;
}

int page_article(struct ctx *c)
{
    return serve_comment_page(c, c->params[0], 1);
}

/* /articles/{slug}/comment-page-{n}: n is 2 or more, written plainly;
 * comment-page-1 is the article itself, and is sent there for good, so
 * that search engines know one address for it. */
int page_article_comments(struct ctx *c)
{
    const char *n = c->params[1];
    int64_t number = 0;
    if (!parse_id(n, &number))
        return fail(c, 404, "There is no such page of comments.");
    if (number == 1) {
        struct article a;
        int rc = find_published_article(c, c->params[0], &a);
        if (rc)
            return rc;
        resp_header(c->resp, "Location",
                    site_path(c, arena_printf(c->arena, "/articles/%s", a.slug)));
        buf_reset(&c->resp->body);
        return 301;
    }
    return serve_comment_page(c, c->params[0], number);
}
