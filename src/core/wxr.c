/* wxr: a WordPress export read with libxml2's xmlTextReader, one node at a
 * time: memory holds the post or comment being read, never the file. */
#include "core/wxr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlreader.h>

#include "core/buf.h"

#define MAX_AUTHORS 10000
#define PROGRESS_EVERY 256      /* nodes between progress calls */

enum ns { NS_NONE, NS_WP, NS_CONTENT, NS_DC, NS_OTHER };

/* The fields collected; one buffer each, reused from item to item. */
enum field {
    F_NONE = -1,
    /* channel */
    F_WXR_VERSION, F_BASE_SITE_URL, F_CHANNEL_LINK, F_AUTHOR_LOGIN, F_AUTHOR_NAME,
    /* post */
    F_TITLE, F_LINK, F_CREATOR, F_CONTENT, F_POST_ID, F_POST_DATE, F_POST_DATE_GMT,
    F_COMMENT_STATUS, F_POST_NAME, F_STATUS, F_POST_TYPE, F_CATEGORY, F_TAGS,
    /* comment */
    F_C_ID, F_C_AUTHOR, F_C_EMAIL, F_C_URL, F_C_IP, F_C_DATE, F_C_DATE_GMT, F_C_CONTENT,
    F_C_APPROVED, F_C_TYPE, F_C_PARENT, F_C_AGENT,
    F_COUNT
};

struct name_map {
    enum ns ns;
    const char *name;
    enum field field;
};

static const struct name_map post_fields[] = {
    { NS_NONE, "title", F_TITLE },          { NS_NONE, "link", F_LINK },
    { NS_DC, "creator", F_CREATOR },        { NS_CONTENT, "encoded", F_CONTENT },
    { NS_WP, "post_id", F_POST_ID },        { NS_WP, "post_date", F_POST_DATE },
    { NS_WP, "post_date_gmt", F_POST_DATE_GMT },
    { NS_WP, "comment_status", F_COMMENT_STATUS },
    { NS_WP, "post_name", F_POST_NAME },    { NS_WP, "status", F_STATUS },
    { NS_WP, "post_type", F_POST_TYPE },    { NS_NONE, "category", F_CATEGORY },
};

static const struct name_map comment_fields[] = {
    { NS_WP, "comment_id", F_C_ID },
    { NS_WP, "comment_author", F_C_AUTHOR },
    { NS_WP, "comment_author_email", F_C_EMAIL },
    { NS_WP, "comment_author_url", F_C_URL },
    { NS_WP, "comment_author_IP", F_C_IP },
    { NS_WP, "comment_date", F_C_DATE },
    { NS_WP, "comment_date_gmt", F_C_DATE_GMT },
    { NS_WP, "comment_content", F_C_CONTENT },
    { NS_WP, "comment_approved", F_C_APPROVED },
    { NS_WP, "comment_type", F_C_TYPE },
    { NS_WP, "comment_parent", F_C_PARENT },
    { NS_WP, "comment_agent", F_C_AGENT },
};

static const struct name_map channel_fields[] = {
    { NS_WP, "wxr_version", F_WXR_VERSION },
    { NS_WP, "base_site_url", F_BASE_SITE_URL },
    { NS_NONE, "link", F_CHANNEL_LINK },
};

struct author {
    char *login, *name;
};

struct wxr {
    xmlTextReaderPtr r;
    const struct wxr_handler *h;
    char *err;
    size_t errlen;
    char xml_error[256];        /* libxml2's first complaint */
    int xml_error_line;
    struct buf f[F_COUNT];
    struct buf cat_domain, cat_nicename;    /* the open category's attributes */
    bool has_domain;
    enum field field;           /* collecting into f[field], or F_NONE */
    int field_depth;
    int channel_depth, item_depth, comment_depth, author_depth;     /* -1: outside */
    bool site_sent, post_sent, seen_root;
    int item_line, comment_line;
    struct author *authors;
    size_t author_count;
    unsigned long nodes;
};

/* Which namespace a node's URI is. WordPress has written both http:// and
 * https:// into the wp namespace, with versions 1.0 to 1.2. */
static enum ns ns_of(const xmlChar *uri)
{
    const char *u = (const char *)uri;
    if (!u || !*u)
        return NS_NONE;
    if (strncmp(u, "https://", 8) == 0)
        u += 8;
    else if (strncmp(u, "http://", 7) == 0)
        u += 7;
    else
        return NS_OTHER;
    if (strcmp(u, "wordpress.org/export/1.0/") == 0 || strcmp(u, "wordpress.org/export/1.1/") == 0 ||
        strcmp(u, "wordpress.org/export/1.2/") == 0)
        return NS_WP;
    if (strcmp(u, "purl.org/rss/1.0/modules/content/") == 0)
        return NS_CONTENT;
    if (strcmp(u, "purl.org/dc/elements/1.1/") == 0)
        return NS_DC;
    return NS_OTHER;
}

static enum field lookup(const struct name_map *map, size_t n, enum ns ns, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (map[i].ns == ns && strcmp(map[i].name, name) == 0)
            return map[i].field;
    return F_NONE;
}

static int line_now(struct wxr *w)
{
    return xmlTextReaderGetParserLineNumber(w->r);
}

static int refuse(struct wxr *w, int line, const char *reason)
{
    snprintf(w->err, w->errlen, "line %d: %s", line, reason);
    return -1;
}

static void on_xml_error(void *arg, xmlErrorPtr e)
{
    struct wxr *w = arg;
    if (w->xml_error[0] || !e)
        return;
    snprintf(w->xml_error, sizeof w->xml_error, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(w->xml_error);
    while (n && (w->xml_error[n - 1] == '\n' || w->xml_error[n - 1] == ' '))
        w->xml_error[--n] = '\0';
    w->xml_error_line = e->line;
}

static const char *text(struct wxr *w, enum field f)
{
    return buf_cstr(&w->f[f]);
}

static int64_t number(struct wxr *w, enum field f)
{
    return strtoll(text(w, f), NULL, 10);
}

static void clear(struct wxr *w, enum field from, enum field to)
{
    for (int i = from; i <= (int)to; i++)
        buf_reset(&w->f[i]);
}

/* The display name of an author by login, or the login itself. */
static const char *author_name(struct wxr *w, const char *login)
{
    for (size_t i = 0; i < w->author_count; i++)
        if (strcmp(w->authors[i].login, login) == 0 && w->authors[i].name[0])
            return w->authors[i].name;
    return login;
}

static void add_author(struct wxr *w)
{
    const char *login = text(w, F_AUTHOR_LOGIN);
    if (!*login || w->author_count == MAX_AUTHORS)
        return;
    struct author *more = realloc(w->authors, (w->author_count + 1) * sizeof *more);
    if (!more)
        return;
    w->authors = more;
    char *l = strdup(login), *n = strdup(text(w, F_AUTHOR_NAME));
    if (!l || !n) {
        free(l);
        free(n);
        return;
    }
    w->authors[w->author_count++] = (struct author){ l, n };
}

/* A category or tag joins the post's list, unless it is WordPress's
 * default "Uncategorized" or already there. A comma inside a name would
 * split it in folio's list, so it becomes a space. */
static void add_category(struct wxr *w, const char *domain, const char *nicename)
{
    if (domain && strcmp(domain, "category") != 0 && strcmp(domain, "post_tag") != 0 &&
        strcmp(domain, "tag") != 0)
        return;
    const char *name = text(w, F_CATEGORY);
    while (*name == ' ')
        name++;
    if (!*name || (nicename && strcmp(nicename, "uncategorized") == 0) ||
        strcmp(name, "Uncategorized") == 0)
        return;
    struct buf clean = {0};
    for (const char *p = name; *p; p++)
        buf_putc(&clean, *p == ',' ? ' ' : *p);
    const char *list = text(w, F_TAGS), *c = buf_cstr(&clean);
    size_t len = strlen(c);
    bool present = false;
    for (const char *p = list; !present && (p = strstr(p, c)) != NULL; p++)
        present = (p == list || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0');
    if (!present) {
        if (w->f[F_TAGS].len)
            buf_puts(&w->f[F_TAGS], ", ");
        buf_puts(&w->f[F_TAGS], c);
    }
    buf_free(&clean);
}

static int send_site(struct wxr *w)
{
    if (w->site_sent)
        return 0;
    w->site_sent = true;
    const char *v = text(w, F_WXR_VERSION);
    if (!*v)
        return refuse(w, w->item_line ? w->item_line : line_now(w),
                      "not a WordPress export: no wp:wxr_version in the channel");
    if (strcmp(v, "1.0") != 0 && strcmp(v, "1.1") != 0 && strcmp(v, "1.2") != 0) {
        char why[128];
        snprintf(why, sizeof why, "WXR version %.20s is not one folio reads (1.0 to 1.2)", v);
        return refuse(w, line_now(w), why);
    }
    const char *site = text(w, F_BASE_SITE_URL);
    if (!*site)
        site = text(w, F_CHANNEL_LINK);
    return w->h->site ? w->h->site(w->h->ctx, site) : 0;
}

static int send_post(struct wxr *w)
{
    if (w->post_sent)
        return 0;
    w->post_sent = true;
    struct wxr_post p = {
        .id = number(w, F_POST_ID), .title = text(w, F_TITLE), .link = text(w, F_LINK),
        .creator = author_name(w, text(w, F_CREATOR)), .content = text(w, F_CONTENT),
        .post_name = text(w, F_POST_NAME), .status = text(w, F_STATUS),
        .type = text(w, F_POST_TYPE), .date_gmt = text(w, F_POST_DATE_GMT),
        .date = text(w, F_POST_DATE), .comment_status = text(w, F_COMMENT_STATUS),
        .tags = text(w, F_TAGS), .line = w->item_line,
    };
    if (!*p.type)
        p.type = "post";
    return w->h->post ? w->h->post(w->h->ctx, &p) : 0;
}

static int send_comment(struct wxr *w)
{
    struct wxr_comment c = {
        .id = number(w, F_C_ID), .parent = number(w, F_C_PARENT), .post_id = number(w, F_POST_ID),
        .author = text(w, F_C_AUTHOR), .email = text(w, F_C_EMAIL), .url = text(w, F_C_URL),
        .ip = text(w, F_C_IP), .date_gmt = text(w, F_C_DATE_GMT), .date = text(w, F_C_DATE),
        .content = text(w, F_C_CONTENT), .approved = text(w, F_C_APPROVED),
        .type = text(w, F_C_TYPE), .user_agent = text(w, F_C_AGENT), .line = w->comment_line,
    };
    return w->h->comment ? w->h->comment(w->h->ctx, &c) : 0;
}

static void start_field(struct wxr *w, enum field f, int depth)
{
    if (f == F_NONE)
        return;
    w->field = f;
    w->field_depth = depth;
    if (f != F_TAGS)
        buf_reset(&w->f[f]);
}

/* An element opens: where it stands tells what it is. */
static int on_start(struct wxr *w, int depth)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(w->r);
    enum ns ns = ns_of(xmlTextReaderConstNamespaceUri(w->r));
    if (!w->seen_root) {
        w->seen_root = true;
        if (ns != NS_NONE || strcmp(name, "rss") != 0)
            return refuse(w, line_now(w), "not a WordPress export: the root element is not <rss>");
        return 0;
    }
    if (w->channel_depth < 0) {
        if (depth == 1 && ns == NS_NONE && strcmp(name, "channel") == 0)
            w->channel_depth = depth;
        return 0;
    }
    if (w->comment_depth >= 0) {
        if (depth == w->comment_depth + 1)
            start_field(w, lookup(comment_fields, sizeof comment_fields / sizeof *comment_fields,
                                  ns, name), depth);
        return 0;
    }
    if (w->item_depth >= 0) {
        if (depth != w->item_depth + 1)
            return 0;
        if (ns == NS_WP && strcmp(name, "comment") == 0) {
            int rc = send_post(w);
            w->comment_depth = depth;
            w->comment_line = line_now(w);
            clear(w, F_C_ID, F_C_AGENT);
            return rc;
        }
        start_field(w, lookup(post_fields, sizeof post_fields / sizeof *post_fields, ns, name),
                    depth);
        return 0;
    }
    if (w->author_depth >= 0) {
        if (depth == w->author_depth + 1 && ns == NS_WP)
            start_field(w, strcmp(name, "author_login") == 0          ? F_AUTHOR_LOGIN
                           : strcmp(name, "author_display_name") == 0 ? F_AUTHOR_NAME
                                                                      : F_NONE,
                        depth);
        return 0;
    }
    if (depth != w->channel_depth + 1)
        return 0;
    if (ns == NS_NONE && strcmp(name, "item") == 0) {
        w->item_depth = depth;
        w->item_line = line_now(w);
        int rc = send_site(w);
        w->post_sent = false;
        clear(w, F_TITLE, F_TAGS);
        return rc;
    }
    if (ns == NS_WP && strcmp(name, "author") == 0) {
        w->author_depth = depth;
        clear(w, F_AUTHOR_LOGIN, F_AUTHOR_NAME);
        return 0;
    }
    start_field(w, lookup(channel_fields, sizeof channel_fields / sizeof *channel_fields, ns, name),
                depth);
    return 0;
}

/* A category's attributes stand on its start tag and are needed at its end
 * (when its name has been read). */
static void keep_category_attributes(struct wxr *w)
{
    xmlChar *domain = xmlTextReaderGetAttribute(w->r, BAD_CAST "domain");
    xmlChar *nicename = xmlTextReaderGetAttribute(w->r, BAD_CAST "nicename");
    buf_reset(&w->cat_domain);
    buf_reset(&w->cat_nicename);
    w->has_domain = domain != NULL;
    if (domain)
        buf_puts(&w->cat_domain, (const char *)domain);
    if (nicename)
        buf_puts(&w->cat_nicename, (const char *)nicename);
    xmlFree(domain);
    xmlFree(nicename);
}

/* An element closes (or was empty): finish what it held. */
static int on_end(struct wxr *w, int depth)
{
    if (w->field != F_NONE && depth == w->field_depth) {
        if (w->field == F_CATEGORY)
            add_category(w, w->has_domain ? buf_cstr(&w->cat_domain) : NULL,
                         buf_cstr(&w->cat_nicename));
        w->field = F_NONE;
        return 0;
    }
    if (depth == w->comment_depth) {
        w->comment_depth = -1;
        return send_comment(w);
    }
    if (depth == w->item_depth) {
        w->item_depth = -1;
        return send_post(w);
    }
    if (depth == w->author_depth) {
        w->author_depth = -1;
        add_author(w);
    }
    if (depth == w->channel_depth)
        w->channel_depth = -1;
    return 0;
}

static int on_node(struct wxr *w)
{
    int type = xmlTextReaderNodeType(w->r);
    int depth = xmlTextReaderDepth(w->r);
    switch (type) {
    case XML_READER_TYPE_ELEMENT: {
        bool empty = xmlTextReaderIsEmptyElement(w->r) == 1;
        int rc = on_start(w, depth);
        if (rc == 0 && w->field == F_CATEGORY && depth == w->field_depth)
            keep_category_attributes(w);
        return rc == 0 && empty ? on_end(w, depth) : rc;
    }
    case XML_READER_TYPE_END_ELEMENT:
        return on_end(w, depth);
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
    case XML_READER_TYPE_WHITESPACE:
        /* CDATA arrives in pieces (WordPress writes "]]>" as
         * "]]]]><![CDATA[>"): every piece is appended to the field. */
        if (w->field != F_NONE && depth > w->field_depth)
            buf_puts(&w->f[w->field], (const char *)xmlTextReaderConstValue(w->r));
        return 0;
    default:
        return 0;
    }
}

static void wxr_free(struct wxr *w)
{
    for (int i = 0; i < F_COUNT; i++)
        buf_free(&w->f[i]);
    buf_free(&w->cat_domain);
    buf_free(&w->cat_nicename);
    for (size_t i = 0; i < w->author_count; i++) {
        free(w->authors[i].login);
        free(w->authors[i].name);
    }
    free(w->authors);
    if (w->r)
        xmlFreeTextReader(w->r);
}

int wxr_read(const char *path, const char *data, size_t len, const struct wxr_handler *h,
             char *err, size_t errlen)
{
    struct wxr w = { .h = h, .err = err, .errlen = errlen, .field = F_NONE,
                     .channel_depth = -1, .item_depth = -1, .comment_depth = -1,
                     .author_depth = -1 };
    /* No network, no external entities (XML_PARSE_NOENT is not set), no
     * DTD loading: the file is data, not instructions. */
    int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
    w.r = path ? xmlReaderForFile(path, NULL, options)
               : xmlReaderForMemory(data, (int)len, NULL, NULL, options);
    if (!w.r) {
        snprintf(err, errlen, "line 0: cannot be read");
        wxr_free(&w);
        return -1;
    }
    xmlTextReaderSetStructuredErrorHandler(w.r, on_xml_error, &w);
    int rc = 0, step;
    while (rc == 0 && (step = xmlTextReaderRead(w.r)) == 1) {
        rc = on_node(&w);
        if (rc == 0 && h->progress && ++w.nodes % PROGRESS_EVERY == 0)
            h->progress(h->ctx, (uint64_t)xmlTextReaderByteConsumed(w.r));
    }
    if (rc == 0 && step < 0)
        rc = refuse(&w, w.xml_error[0] ? w.xml_error_line : line_now(&w),
                    w.xml_error[0] ? w.xml_error : "malformed XML");
    if (rc == 0 && w.xml_error[0])
        rc = refuse(&w, w.xml_error_line, w.xml_error);
    if (rc == 0 && !w.seen_root)
        rc = refuse(&w, 1, "not a WordPress export: the file is empty");
    if (rc == 0)
        rc = send_site(&w);     /* a channel without items is still checked */
    wxr_free(&w);
    return rc;
}

bool wxr_parse_date(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6)
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 ||
        h < 0 || mi < 0 || se < 0)
        return false;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = se };
    *out = (int64_t)timegm(&tm);
    return true;
}
