/* export: articles and comments out as WXR 1.2 (core/wxr_write.c), read
 * from the store one article at a time. */
#include "admin/export.h"

#include <string.h>

#include "core/buf.h"
#include "core/wxr.h"
#include "store/store.h"

#define EXPORT_BATCH 100
#define MAX_AUTHORS 10000

/* WordPress's comment_approved for a status. */
static const char *wp_comment_status(enum comment_status status)
{
    switch (status) {
    case CS_APPROVED:
        return "1";
    case CS_SPAM:
        return "spam";
    case CS_TRASH:
        return "trash";
    default:
        return "0";
    }
}

static int flush(struct buf *out, export_sink sink, void *ctx)
{
    if (out->failed)
        return STORE_ERROR;
    int rc = out->len && sink(ctx, out->data, out->len) != 0 ? STORE_ERROR : STORE_OK;
    buf_reset(out);
    return rc;
}

/* One article with its comments. */
static int write_article(struct store *s, struct arena *a, struct buf *out, const char *site_url,
                         const struct article *ar)
{
    struct comment_list comments;
    if (store_article_comments(s, a, ar->id, &comments) != STORE_OK)
        return STORE_ERROR;
    const char *link = arena_printf(a, "%s/articles/%s", site_url, ar->slug);
    struct wxr_post p = {
        .id = ar->id, .title = ar->title, .link = link ? link : "", .creator = ar->author,
        .content = ar->body_html, .post_name = ar->slug,
        .status = ar->status == AS_PUBLISHED ? "publish" : "draft",
        .comment_status = ar->comments_open ? "open" : "closed", .tags = ar->tags,
    };
    wxr_write_item(out, &p, ar->published_at);
    for (size_t i = 0; i < comments.count; i++) {
        const struct comment *cm = &comments.items[i];
        struct wxr_comment c = {
            .id = cm->id, .parent = cm->parent_id, .author = cm->author, .email = cm->email,
            .url = cm->url, .ip = cm->ip, .content = cm->body,
            .approved = wp_comment_status(cm->status),
        };
        wxr_write_comment(out, &c, cm->created_at);
    }
    wxr_write_item_end(out);
    return STORE_OK;
}

int export_wordpress(struct store *s, const char *title, const char *site_url, export_sink sink,
                     void *ctx)
{
    struct arena a = {0};
    struct buf out = {0};
    const char **authors;
    size_t author_count;
    int rc = store_article_authors(s, &a, MAX_AUTHORS, &authors, &author_count);
    if (rc == STORE_OK) {
        wxr_write_head(&out, title, site_url, authors, author_count);
        rc = flush(&out, sink, ctx);
    }
    int64_t after = 0;
    while (rc == STORE_OK) {
        arena_reset(&a);
        struct article_list list;
        rc = store_articles_page(s, &a, AS_ANY, after, EXPORT_BATCH, &list);
        if (rc != STORE_OK || list.count == 0)
            break;
        for (size_t i = 0; i < list.count && rc == STORE_OK; i++) {
            rc = write_article(s, &a, &out, site_url, &list.items[i]);
            if (rc == STORE_OK)
                rc = flush(&out, sink, ctx);
        }
        after = list.items[list.count - 1].id;
    }
    if (rc == STORE_OK) {
        wxr_write_tail(&out);
        rc = flush(&out, sink, ctx);
    }
    buf_free(&out);
    arena_free(&a);
    return rc;
}
