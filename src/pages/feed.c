/* feed: Atom 1.0 feeds of the newest articles and of an article's comments. */
#include <string.h>

#include "core/comment_format.h"
#include "core/escape.h"
#include "core/text.h"
#include "pages/pages.h"

#define FEED_ARTICLES 20
#define FEED_COMMENTS 50

static void xml_element(struct buf *out, const char *name, const char *text)
{
    buf_printf(out, "<%s>", name);
    esc_xml_text(out, text, strlen(text));
    buf_printf(out, "</%s>\n", name);
}

static void xml_time(struct buf *out, const char *name, int64_t t)
{
    char iso[32];
    format_rfc3339(t, iso, sizeof iso);
    buf_printf(out, "<%s>%s</%s>\n", name, iso, name);
}

static void xml_link(struct buf *out, const char *rel, const char *href, const char *type)
{
    buf_printf(out, "<link rel=\"%s\" href=\"", rel);
    esc_xml_text(out, href, strlen(href));
    buf_puts(out, "\"");
    if (type)
        buf_printf(out, " type=\"%s\"", type);
    buf_puts(out, "/>\n");
}

/* <content type="html">: the HTML escaped once more, as Atom wants it. */
static void xml_html_content(struct buf *out, const char *html)
{
    buf_puts(out, "<content type=\"html\">");
    esc_xml_text(out, html, strlen(html));
    buf_puts(out, "</content>\n");
}

static void feed_open(struct ctx *c, const char *title, const char *self, const char *alternate,
                      int64_t updated)
{
    struct buf *out = &c->resp->body;
    c->resp->content_type = "application/atom+xml; charset=utf-8";
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml_element(out, "title", title);
    xml_element(out, "id", self);
    xml_link(out, "self", self, "application/atom+xml");
    xml_link(out, "alternate", alternate, "text/html");
    xml_time(out, "updated", updated);
    c->resp->cacheable = true;
    c->resp->last_modified = (time_t)updated;
}

int page_feed(struct ctx *c)
{
    struct article_list list;
    if (store_articles_published(c->store, c->arena, NULL, 0, FEED_ARTICLES, &list) != STORE_OK)
        return fail(c, 500, "The articles could not be read.");
    /* The feed changed when the site's lists last did: a deleted or
     * unpublished article changes it too, without a newer entry. */
    int64_t updated = 0;
    if (store_site_changed_at(c->store, &updated) != STORE_OK)
        return fail(c, 500, "The articles could not be read.");
    feed_open(c, c->app->cfg.site_title, absolute_url(c, "/feed.atom"), absolute_url(c, "/"),
              updated);
    struct buf *out = &c->resp->body;
    for (size_t i = 0; i < list.count; i++) {
        const struct article *a = &list.items[i];
        const char *url = absolute_url(c, arena_printf(c->arena, "/articles/%s", a->slug));
        buf_puts(out, "<entry>\n");
        xml_element(out, "title", a->title);
        xml_element(out, "id", url);
        xml_link(out, "alternate", url, "text/html");
        xml_time(out, "published", a->published_at);
        xml_time(out, "updated", a->updated_at);
        buf_puts(out, "<author>");
        xml_element(out, "name", a->author[0] ? a->author : c->app->cfg.site_title);
        buf_puts(out, "</author>\n");
        xml_element(out, "summary", markdown_excerpt(c->arena, a->body, 280));
        xml_html_content(out, a->body_html);
        buf_puts(out, "</entry>\n");
    }
    buf_puts(out, "</feed>\n");
    return 200;
}

int page_comment_feed(struct ctx *c)
{
    struct article a;
    int rc = find_published_article(c, c->params[0], &a);
    if (rc)
        return rc;
    struct comment_list list;
    if (store_comments_recent(c->store, c->arena, a.id, FEED_COMMENTS, &list) != STORE_OK)
        return fail(c, 500, "The comments could not be read.");
    const char *path = arena_printf(c->arena, "/articles/%s", a.slug);
    feed_open(c, arena_printf(c->arena, "Comments on: %s", a.title),
              absolute_url(c, arena_printf(c->arena, "%s/comments.atom", path)),
              absolute_url(c, path), a.updated_at);
    struct buf *out = &c->resp->body;
    for (size_t i = 0; i < list.count; i++) {
        const struct comment *cm = &list.items[i];
        /* the id stays what it was when comments moved to later pages;
         * the link goes to the page that shows the comment now */
        const char *id = absolute_url(c, arena_printf(c->arena, "%s#comment-%lld", path,
                                                      (long long)cm->id));
        int64_t page = comment_page_of(c, &a, cm->id);
        const char *url = absolute_url(c, comment_link(c, a.slug, page ? page : 1, cm->id));
        buf_puts(out, "<entry>\n");
        xml_element(out, "title", arena_printf(c->arena, "By: %s", cm->author));
        xml_element(out, "id", id);
        xml_link(out, "alternate", url, "text/html");
        xml_time(out, "published", cm->created_at);
        xml_time(out, "updated", cm->created_at);
        buf_puts(out, "<author>");
        xml_element(out, "name", cm->author);
        buf_puts(out, "</author>\n");
        struct buf html = {0};
        comment_format(&html, cm->body, strlen(cm->body));
        xml_html_content(out, buf_cstr(&html));
        buf_free(&html);
        buf_puts(out, "</entry>\n");
    }
    buf_puts(out, "</feed>\n");
    return 200;
}
