/* sitemap: what crawlers read: /sitemap.xml (an index of /sitemap-N.xml
 * parts past SITEMAP_MAX_URLS articles), /news-sitemap.xml and /robots.txt.
 * The sitemaps go through the page cache (one indexed lookup while the site
 * has not changed), with the site's changed time as Last-Modified.
 *
 * Part n holds the published articles whose ids are in
 * ((n-1) * SITEMAP_MAX_URLS, n * SITEMAP_MAX_URLS]: never more than the
 * limit, read as one range of an index (no OFFSET: part 40 costs what part
 * 1 does), and an article stays in its part for good, whatever is
 * published or deleted around it. A range with no published article is
 * left out of the index (its number answers 404). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "core/text.h"
#include "pages/page_cache.h"
#include "pages/pages.h"

#define SITEMAP_MAX_URLS 50000     /* per file: sitemaps.org */
#define NEWS_MAX_URLS 1000         /* Google News */
#define NEWS_WINDOW (2 * 24 * 3600)
#define NEWS_LANGUAGE "en"         /* as <html lang> in header.html */

static void xml_text(struct buf *out, const char *s)
{
    esc_xml_text(out, s, strlen(s));
}

static void xml_open(struct ctx *c, const char *root_and_namespaces)
{
    c->resp->content_type = "application/xml; charset=utf-8";
    buf_printf(&c->resp->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s>\n",
               root_and_namespaces);
}

static void xml_loc(struct ctx *c, const char *path)
{
    buf_puts(&c->resp->body, "<loc>");
    xml_text(&c->resp->body, absolute_url(c, path));
    buf_puts(&c->resp->body, "</loc>");
}

static void xml_time(struct buf *out, const char *name, int64_t t)
{
    char iso[32];
    format_rfc3339(t, iso, sizeof iso);
    buf_printf(out, "<%s>%s</%s>", name, iso, name);
}

/* Cacheable with the site's changed time; false when it could not be read. */
static bool site_dated(struct ctx *c)
{
    int64_t changed = 0;
    if (store_site_changed_at(c->store, &changed) != STORE_OK)
        return false;
    c->resp->cacheable = true;
    c->resp->last_modified = (time_t)changed;
    return true;
}

static const char sitemap_ns[] = "urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";

/* One urlset: the published articles with ids in (after, last]. */
static int sitemap_part(struct ctx *c, int64_t after, int64_t last)
{
    struct sitemap_list list;
    if (store_sitemap_articles(c->store, c->arena, after, last, SITEMAP_MAX_URLS, &list) !=
        STORE_OK)
        return fail(c, 500, "The sitemap could not be read.");
    xml_open(c, sitemap_ns);
    struct buf *out = &c->resp->body;
    for (size_t i = 0; i < list.count; i++) {
        buf_puts(out, "<url>");
        xml_loc(c, arena_printf(c->arena, "/articles/%s", list.items[i].slug));
        xml_time(out, "lastmod", list.items[i].updated_at);
        buf_puts(out, "</url>\n");
    }
    buf_puts(out, "</urlset>\n");
    return 200;
}

/* The index: one seek per part, to leave out the empty ones. */
static int sitemap_index(struct ctx *c, int64_t parts)
{
    xml_open(c, "sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"");
    struct buf *out = &c->resp->body;
    for (int64_t n = 1; n <= parts; n++) {
        bool any = false;
        if (store_sitemap_any(c->store, (n - 1) * SITEMAP_MAX_URLS, n * SITEMAP_MAX_URLS,
                              &any) != STORE_OK)
            return fail(c, 500, "The sitemap could not be read.");
        if (!any)
            continue;
        buf_puts(out, "<sitemap>");
        xml_loc(c, arena_printf(c->arena, "/sitemap-%lld.xml", (long long)n));
        xml_time(out, "lastmod", (int64_t)c->resp->last_modified);
        buf_puts(out, "</sitemap>\n");
    }
    buf_puts(out, "</sitemapindex>\n");
    return 200;
}

/* n from "/sitemap-{n}.xml": 1 to 999999; 0 when it is not one. */
static int64_t part_number(struct ctx *c, const char *param)
{
    const char *dot = strstr(param, ".xml");
    if (!dot || dot[4] != '\0' || dot == param || dot - param > 6)
        return 0;
    int64_t n = 0;
    if (!parse_id(arena_strndup(c->arena, param, (size_t)(dot - param)), &n))
        return 0;
    return n;
}

static int cached(struct ctx *c, int (*render)(struct ctx *c, int64_t arg), int64_t arg)
{
    struct page_slot slot;
    if (page_cache_list(c, &slot))
        return 200;
    if (!site_dated(c))
        return fail(c, 500, "The sitemap could not be read.");
    int status = render(c, arg);
    page_cache_store(c, &slot, status);
    return status;
}

static int render_sitemap(struct ctx *c, int64_t part)
{
    int64_t count = 0, last = 0;
    if (store_sitemap_count(c->store, &count) != STORE_OK ||
        store_sitemap_last_id(c->store, &last) != STORE_OK)
        return fail(c, 500, "The sitemap could not be read.");
    bool indexed = count > SITEMAP_MAX_URLS;
    if (part == 0)
        return indexed ? sitemap_index(c, (last + SITEMAP_MAX_URLS - 1) / SITEMAP_MAX_URLS)
                       : sitemap_part(c, 0, last);
    bool any = false;
    int64_t after = (part - 1) * SITEMAP_MAX_URLS;
    if (indexed && after < last &&
        store_sitemap_any(c->store, after, after + SITEMAP_MAX_URLS, &any) != STORE_OK)
        return fail(c, 500, "The sitemap could not be read.");
    if (!any)
        return fail(c, 404, "There is no such sitemap.");
    return sitemap_part(c, after, after + SITEMAP_MAX_URLS);
}

int page_sitemap(struct ctx *c)
{
    return cached(c, render_sitemap, 0);
}

int page_sitemap_part(struct ctx *c)
{
    int64_t n = part_number(c, c->params[0]);
    if (!n)
        return fail(c, 404, "There is no such sitemap.");
    return cached(c, render_sitemap, n);
}

static int render_news(struct ctx *c, int64_t now)
{
    struct sitemap_list list;
    if (store_sitemap_news(c->store, c->arena, now - NEWS_WINDOW, NEWS_MAX_URLS, &list) !=
        STORE_OK)
        return fail(c, 500, "The sitemap could not be read.");
    xml_open(c, "urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
                "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"");
    struct buf *out = &c->resp->body;
    for (size_t i = 0; i < list.count; i++) {
        const struct sitemap_entry *e = &list.items[i];
        buf_puts(out, "<url>");
        xml_loc(c, arena_printf(c->arena, "/articles/%s", e->slug));
        buf_puts(out, "<news:news><news:publication><news:name>");
        xml_text(out, c->app->cfg.site_title);
        buf_puts(out, "</news:name><news:language>" NEWS_LANGUAGE
                      "</news:language></news:publication>");
        xml_time(out, "news:publication_date", e->published_at);
        buf_puts(out, "<news:title>");
        xml_text(out, e->title);
        buf_puts(out, "</news:title></news:news></url>\n");
    }
    buf_puts(out, "</urlset>\n");
    return 200;
}

int page_news_sitemap(struct ctx *c)
{
    /* Not through the page cache, and no Last-Modified: the two-day window
     * moves with the clock, not with the site. An ETag (of the body) still
     * answers 304; the query reads at most NEWS_MAX_URLS rows by index. */
    c->resp->cacheable = true;
    return render_news(c, (int64_t)time(NULL));
}

int page_robots(struct ctx *c)
{
    struct buf *out = &c->resp->body;
    c->resp->content_type = "text/plain; charset=utf-8";
    const char *base = c->app->cfg.base_path;
    buf_printf(out, "User-agent: *\nDisallow: %s/admin/\nDisallow: %s/search\n\n", base, base);
    buf_printf(out, "Sitemap: %s\nSitemap: %s\n", absolute_url(c, "/sitemap.xml"),
               absolute_url(c, "/news-sitemap.xml"));
    c->resp->cacheable = true;
    return 200;
}
