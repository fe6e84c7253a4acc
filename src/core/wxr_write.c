/* wxr_write: a WordPress export (WXR 1.2) written out, as
 * wp-admin/includes/export.php writes one, for WordPress's own importer
 * and for `folio import wordpress`. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "core/text.h"
#include "core/wxr.h"

void wxr_write_cdata(struct buf *out, const char *s)
{
    buf_puts(out, "<![CDATA[");
    size_t start = 0, i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        bool forbidden = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
        bool end_marker = s[i] == ']' && s[i + 1] == ']' && s[i + 2] == '>';
        if (!forbidden && !end_marker)
            continue;
        buf_append(out, s + start, i - start);
        if (end_marker) {
            buf_puts(out, "]]]]><![CDATA[>");
            i += 2;
        }
        start = i + 1;
    }
    buf_append(out, s + start, i - start);
    buf_puts(out, "]]>");
}

/* HTML-escaped text (a title, a comment's text) as CDATA: WordPress reads
 * these fields as HTML, folio's import decodes them back. */
static void cdata_text(struct buf *out, const char *s)
{
    struct buf esc = {0};
    esc_html_text(&esc, s, strlen(s));
    wxr_write_cdata(out, buf_cstr(&esc));
    buf_free(&esc);
}

static void element_cdata(struct buf *out, const char *name, const char *value)
{
    buf_printf(out, "\t\t<%s>", name);
    wxr_write_cdata(out, value);
    buf_printf(out, "</%s>\n", name);
}

static void wp_date(struct buf *out, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char s[32];
    strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
    buf_puts(out, s);
}

void wxr_author_login(struct buf *out, const char *name)
{
    char *login = slugify_dup(name);
    buf_puts(out, login && *login ? login : "folio");
    free(login);
}

void wxr_write_head(struct buf *out, const char *title, const char *site_url,
                    const char *const *authors, size_t author_count)
{
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
                  "<!-- A WordPress eXtended RSS (WXR 1.2) export written by folio. -->\n"
                  "<rss version=\"2.0\"\n"
                  "\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n"
                  "\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
                  "\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n"
                  "\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                  "\txmlns:wp=\"http://wordpress.org/export/1.2/\"\n>\n<channel>\n\t<title>");
    esc_xml_text(out, title, strlen(title));
    buf_puts(out, "</title>\n\t<link>");
    esc_xml_text(out, site_url, strlen(site_url));
    buf_puts(out, "</link>\n\t<description></description>\n"
                  "\t<wp:wxr_version>1.2</wp:wxr_version>\n\t<wp:base_site_url>");
    esc_xml_text(out, site_url, strlen(site_url));
    buf_puts(out, "</wp:base_site_url>\n\t<wp:base_blog_url>");
    esc_xml_text(out, site_url, strlen(site_url));
    buf_puts(out, "</wp:base_blog_url>\n");
    for (size_t i = 0; i < author_count; i++) {
        buf_printf(out, "\t<wp:author><wp:author_id>%zu</wp:author_id><wp:author_login>", i + 1);
        struct buf login = {0};
        wxr_author_login(&login, authors[i]);
        wxr_write_cdata(out, buf_cstr(&login));
        buf_free(&login);
        buf_puts(out, "</wp:author_login><wp:author_email><![CDATA[]]></wp:author_email>"
                      "<wp:author_display_name>");
        wxr_write_cdata(out, authors[i]);
        buf_puts(out, "</wp:author_display_name><wp:author_first_name><![CDATA[]]>"
                      "</wp:author_first_name><wp:author_last_name><![CDATA[]]>"
                      "</wp:author_last_name></wp:author>\n");
    }
    buf_puts(out, "\t<generator>folio</generator>\n");
}

/* A tag as a post_tag category, with the slug WordPress calls nicename. */
static bool write_tag(const char *name, void *ctx)
{
    struct buf *out = ctx;
    char *slug = slugify_dup(name);
    if (slug && *slug) {
        buf_puts(out, "\t\t<category domain=\"post_tag\" nicename=\"");
        esc_xml_text(out, slug, strlen(slug));
        buf_puts(out, "\">");
        wxr_write_cdata(out, name);
        buf_puts(out, "</category>\n");
    }
    free(slug);
    return true;
}

static void write_tags(struct buf *out, const char *tags)
{
    tags_each(tags, write_tag, out);
}

void wxr_write_item(struct buf *out, const struct wxr_post *p, int64_t published_at)
{
    char rfc822[64];
    time_t tt = (time_t)published_at;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(rfc822, sizeof rfc822, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_puts(out, "\t<item>\n\t\t<title>");
    cdata_text(out, p->title);
    buf_puts(out, "</title>\n\t\t<link>");
    esc_xml_text(out, p->link, strlen(p->link));
    buf_printf(out, "</link>\n\t\t<pubDate>%s</pubDate>\n\t\t<dc:creator>", rfc822);
    struct buf login = {0};
    wxr_author_login(&login, p->creator);
    wxr_write_cdata(out, buf_cstr(&login));
    buf_free(&login);
    buf_puts(out, "</dc:creator>\n\t\t<guid isPermaLink=\"false\">");
    esc_xml_text(out, p->link, strlen(p->link));
    buf_puts(out, "</guid>\n\t\t<description></description>\n");
    element_cdata(out, "content:encoded", p->content);
    element_cdata(out, "excerpt:encoded", "");
    buf_printf(out, "\t\t<wp:post_id>%lld</wp:post_id>\n\t\t<wp:post_date><![CDATA[",
               (long long)p->id);
    wp_date(out, published_at);
    buf_puts(out, "]]></wp:post_date>\n\t\t<wp:post_date_gmt><![CDATA[");
    wp_date(out, published_at);
    buf_puts(out, "]]></wp:post_date_gmt>\n");
    element_cdata(out, "wp:comment_status", p->comment_status);
    element_cdata(out, "wp:ping_status", "closed");
    element_cdata(out, "wp:post_name", p->post_name);
    element_cdata(out, "wp:status", p->status);
    buf_puts(out, "\t\t<wp:post_parent>0</wp:post_parent>\n\t\t<wp:menu_order>0</wp:menu_order>\n");
    element_cdata(out, "wp:post_type", "post");
    element_cdata(out, "wp:post_password", "");
    buf_puts(out, "\t\t<wp:is_sticky>0</wp:is_sticky>\n");
    write_tags(out, p->tags);
}

void wxr_write_comment(struct buf *out, const struct wxr_comment *c, int64_t created_at)
{
    buf_printf(out, "\t\t<wp:comment>\n\t\t\t<wp:comment_id>%lld</wp:comment_id>\n"
                    "\t\t\t<wp:comment_author>",
               (long long)c->id);
    cdata_text(out, c->author);
    buf_puts(out, "</wp:comment_author>\n\t\t\t<wp:comment_author_email>");
    wxr_write_cdata(out, c->email);
    buf_puts(out, "</wp:comment_author_email>\n\t\t\t<wp:comment_author_url>");
    esc_xml_text(out, c->url, strlen(c->url));
    buf_puts(out, "</wp:comment_author_url>\n\t\t\t<wp:comment_author_IP>");
    wxr_write_cdata(out, c->ip);
    buf_puts(out, "</wp:comment_author_IP>\n\t\t\t<wp:comment_date><![CDATA[");
    wp_date(out, created_at);
    buf_puts(out, "]]></wp:comment_date>\n\t\t\t<wp:comment_date_gmt><![CDATA[");
    wp_date(out, created_at);
    buf_puts(out, "]]></wp:comment_date_gmt>\n\t\t\t<wp:comment_content>");
    cdata_text(out, c->content);
    buf_puts(out, "</wp:comment_content>\n\t\t\t<wp:comment_approved>");
    wxr_write_cdata(out, c->approved);
    buf_printf(out, "</wp:comment_approved>\n\t\t\t<wp:comment_type><![CDATA[comment]]>"
                    "</wp:comment_type>\n\t\t\t<wp:comment_parent>%lld</wp:comment_parent>\n"
                    "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n",
               (long long)c->parent);
}

void wxr_write_item_end(struct buf *out)
{
    buf_puts(out, "\t</item>\n");
}

void wxr_write_tail(struct buf *out)
{
    buf_puts(out, "</channel>\n</rss>\n");
}
