/* html_clean: an allow-list over gumbo's HTML5 parse tree. */
#include "core/html_clean.h"

#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "core/escape.h"

/* Deeper than this, elements are no longer written (their text still is):
 * the walk recurses, and nothing a person writes nests this deep. */
#define MAX_DEPTH 64

/* ---- shortcodes ---- */

static const char *const shortcodes[] = {
    "caption", "wp_caption", "gallery", "playlist", "audio", "video", "embed",
};

static bool shortcode_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* The length of a shortcode tag ("[name ...]" or "[/name]") of WordPress's
 * own at s, 0 when there is none. *closing and *caption tell which. */
static size_t shortcode_at(const char *s, size_t len, bool *closing, bool *caption)
{
    size_t i = 1;
    *closing = i < len && s[i] == '/';
    if (*closing)
        i++;
    size_t name = i;
    while (i < len && shortcode_char(s[i]))
        i++;
    size_t name_len = i - name;
    if (name_len == 0 || i >= len || (s[i] != ']' && s[i] != ' ' && s[i] != '\t'))
        return 0;
    bool known = false;
    for (size_t k = 0; k < sizeof shortcodes / sizeof *shortcodes && !known; k++)
        known = strlen(shortcodes[k]) == name_len && strncmp(s + name, shortcodes[k], name_len) == 0;
    if (!known)
        return 0;
    *caption = name_len >= 7 && strncmp(s + i - 7, "caption", 7) == 0;
    char quote = 0;
    for (; i < len; i++) {      /* attributes may quote a ']' */
        if (quote && s[i] == quote)
            quote = 0;
        else if (!quote && (s[i] == '"' || s[i] == '\''))
            quote = s[i];
        else if (!quote && s[i] == ']')
            return i + 1;
        else if (s[i] == '\n' && !quote)
            return 0;
    }
    return 0;
}

/* A caption's content is its image (often in a link) and then its text:
 * the text after the last tag becomes the figure's caption. */
static void caption_content(struct buf *out, const char *s, size_t len)
{
    size_t cut = len;
    while (cut > 0 && s[cut - 1] != '>')
        cut--;
    size_t rest = cut;
    while (rest < len && (s[rest] == ' ' || s[rest] == '\n' || s[rest] == '\t'))
        rest++;
    buf_puts(out, "<figure>");
    buf_append(out, s, cut);
    if (rest < len) {
        buf_puts(out, "<figcaption>");
        buf_append(out, s + rest, len - rest);
        buf_puts(out, "</figcaption>");
    }
    buf_puts(out, "</figure>");
}

void html_strip_shortcodes(struct buf *out, const char *text, size_t len)
{
    size_t i = 0, caption_start = 0;
    bool in_caption = false;
    while (i < len) {
        const char *open = memchr(text + i, '[', len - i);
        size_t at = open ? (size_t)(open - text) : len;
        if (!in_caption)
            buf_append(out, text + i, at - i);
        if (!open)
            break;
        bool closing, caption;
        size_t n = shortcode_at(text + at, len - at, &closing, &caption);
        if (n == 0) {
            if (!in_caption)
                buf_putc(out, '[');
            i = at + 1;
            continue;
        }
        if (caption && !closing && !in_caption) {
            in_caption = true;
            caption_start = at + n;
        } else if (caption && closing && in_caption) {
            in_caption = false;
            caption_content(out, text + caption_start, at - caption_start);
        }
        i = at + n;
    }
    if (in_caption)     /* never closed: its content as it stands */
        buf_append(out, text + caption_start, len - caption_start);
}

/* ---- classic-editor paragraphs ---- */

static bool starts_with_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* True when a chunk of classic-editor text opens with a block of its own
 * and must not be wrapped in a paragraph. */
static bool starts_block(const char *s, size_t len)
{
    static const char *const blocks[] = {
        "<p", "<div", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<ul", "<ol", "<li", "<dl",
        "<blockquote", "<pre", "<table", "<figure", "<hr", "<!--", "<section", "<article",
        "<aside", "<header", "<footer", "<nav", "<form", "<address", "<thead", "<tbody",
        "<tr", "<td", "<th", "<caption", "<iframe", "<script", "<style", "<object", "<video",
        "<audio", "<details", "<dd", "<dt",
    };
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        if (starts_with_nocase(s, len, blocks[i]))
            return true;
    return false;
}

/* How many <pre> the text opens minus how many it closes. */
static int pre_balance(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i + 4 <= len; i++) {
        if (s[i] != '<')
            continue;
        if (starts_with_nocase(s + i, len - i, "<pre") &&
            (i + 4 == len || s[i + 4] == '>' || s[i + 4] == ' '))
            n++;
        else if (starts_with_nocase(s + i, len - i, "</pre"))
            n--;
    }
    return n;
}

/* A blank line: a newline, then only spaces and tabs, then a newline. */
static size_t blank_line_at(const char *s, size_t len, size_t i)
{
    if (s[i] != '\n')
        return 0;
    size_t j = i + 1;
    while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
        j++;
    if (j < len && s[j] == '\n') {
        while (j < len && (s[j] == '\n' || s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
            j++;
        return j - i;
    }
    return 0;
}

static void autop_chunk(struct buf *out, const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                   s[len - 1] == '\n'))
        len--;
    if (!len)
        return;
    if (starts_block(s, len)) {
        buf_append(out, s, len);
        buf_putc(out, '\n');
        return;
    }
    buf_puts(out, "<p>");
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            buf_puts(out, "<br>");
        if (s[i] != '\r')
            buf_putc(out, s[i]);
    }
    buf_puts(out, "</p>\n");
}

void html_autop(struct buf *out, const char *text, size_t len)
{
    /* The block editor marks its blocks with comments and writes its own
     * paragraphs; only classic-editor text needs them made. */
    for (size_t i = 0; i + 8 <= len; i++)
        if (memcmp(text + i, "<!-- wp:", 8) == 0) {
            buf_append(out, text, len);
            return;
        }
    size_t start = 0;
    int pre = 0;
    for (size_t i = 0; i < len; i++) {
        size_t blank = blank_line_at(text, len, i);
        if (!blank)
            continue;
        pre += pre_balance(text + start, i - start);
        if (pre > 0)        /* inside <pre>, a blank line is content */
            continue;
        pre = 0;
        autop_chunk(out, text + start, i - start);
        start = i + blank;
        i = start - 1;
    }
    autop_chunk(out, text + start, len - start);
}

/* ---- the allow-list ---- */

enum url_kind { URL_LINK, URL_IMAGE };

/* The URL as a browser reads it (tabs and newlines inside are ignored,
 * leading spaces and controls skipped), checked: http, https, and for links
 * mailto and relative URLs. Appends it to out and returns true when fine. */
static bool safe_url(struct buf *out, const char *v, enum url_kind kind)
{
    while (*v && (unsigned char)*v <= ' ')
        v++;
    struct buf u = {0};
    for (const char *p = v; *p; p++)
        if (*p != '\t' && *p != '\n' && *p != '\r')
            buf_putc(&u, *p);
    const char *url = buf_cstr(&u);
    size_t scheme = strcspn(url, ":/?#");
    bool ok;
    if (url[scheme] != ':')
        ok = kind == URL_LINK && *url;      /* relative */
    else
        ok = (scheme == 4 && strncasecmp(url, "http", 4) == 0) ||
             (scheme == 5 && strncasecmp(url, "https", 5) == 0) ||
             (kind == URL_LINK && scheme == 6 && strncasecmp(url, "mailto", 6) == 0);
    if (ok && !u.failed)
        esc_html_attr(out, url, strlen(url));
    buf_free(&u);
    return ok;
}

static bool all_digits(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

enum attr_kind { A_TEXT, A_NUMBER, A_LINK, A_IMAGE };

struct allowed {
    GumboTag tag;
    const char *name;                   /* written as; NULL: gumbo's name */
    const char *attrs[4];
    enum attr_kind kinds[4];
};

static const struct allowed allowed[] = {
    { GUMBO_TAG_P, NULL, {0}, {0} },
    { GUMBO_TAG_BR, NULL, {0}, {0} },
    { GUMBO_TAG_HR, NULL, {0}, {0} },
    { GUMBO_TAG_A, NULL, { "href", "title" }, { A_LINK, A_TEXT } },
    { GUMBO_TAG_EM, NULL, {0}, {0} },
    { GUMBO_TAG_STRONG, NULL, {0}, {0} },
    { GUMBO_TAG_B, NULL, {0}, {0} },
    { GUMBO_TAG_I, NULL, {0}, {0} },
    { GUMBO_TAG_U, NULL, {0}, {0} },
    { GUMBO_TAG_S, NULL, {0}, {0} },
    { GUMBO_TAG_DEL, NULL, {0}, {0} },
    { GUMBO_TAG_INS, NULL, {0}, {0} },
    { GUMBO_TAG_SUP, NULL, {0}, {0} },
    { GUMBO_TAG_SUB, NULL, {0}, {0} },
    { GUMBO_TAG_SMALL, NULL, {0}, {0} },
    { GUMBO_TAG_MARK, NULL, {0}, {0} },
    { GUMBO_TAG_ABBR, NULL, { "title" }, { A_TEXT } },
    { GUMBO_TAG_BLOCKQUOTE, NULL, {0}, {0} },
    { GUMBO_TAG_Q, NULL, {0}, {0} },
    { GUMBO_TAG_CITE, NULL, {0}, {0} },
    { GUMBO_TAG_CODE, NULL, {0}, {0} },
    { GUMBO_TAG_PRE, NULL, {0}, {0} },
    { GUMBO_TAG_KBD, NULL, {0}, {0} },
    { GUMBO_TAG_UL, NULL, {0}, {0} },
    { GUMBO_TAG_OL, NULL, { "start" }, { A_NUMBER } },
    { GUMBO_TAG_LI, NULL, {0}, {0} },
    { GUMBO_TAG_DL, NULL, {0}, {0} },
    { GUMBO_TAG_DT, NULL, {0}, {0} },
    { GUMBO_TAG_DD, NULL, {0}, {0} },
    { GUMBO_TAG_H1, "h2", {0}, {0} },  /* the article's title is the page's <h1> */
    { GUMBO_TAG_H2, NULL, {0}, {0} },
    { GUMBO_TAG_H3, NULL, {0}, {0} },
    { GUMBO_TAG_H4, NULL, {0}, {0} },
    { GUMBO_TAG_H5, NULL, {0}, {0} },
    { GUMBO_TAG_H6, NULL, {0}, {0} },
    { GUMBO_TAG_FIGURE, NULL, {0}, {0} },
    { GUMBO_TAG_FIGCAPTION, NULL, {0}, {0} },
    { GUMBO_TAG_IMG, NULL, { "src", "alt", "width", "height" },
      { A_IMAGE, A_TEXT, A_NUMBER, A_NUMBER } },
    { GUMBO_TAG_TABLE, NULL, {0}, {0} },
    { GUMBO_TAG_CAPTION, NULL, {0}, {0} },
    { GUMBO_TAG_THEAD, NULL, {0}, {0} },
    { GUMBO_TAG_TBODY, NULL, {0}, {0} },
    { GUMBO_TAG_TFOOT, NULL, {0}, {0} },
    { GUMBO_TAG_TR, NULL, {0}, {0} },
    { GUMBO_TAG_TH, NULL, { "colspan", "rowspan" }, { A_NUMBER, A_NUMBER } },
    { GUMBO_TAG_TD, NULL, { "colspan", "rowspan" }, { A_NUMBER, A_NUMBER } },
};

/* Elements dropped with everything inside them. */
static bool dropped(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET:
    case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_INPUT: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_MAP: case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_LINK:
    case GUMBO_TAG_META: case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_XMP:
    case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_PARAM: case GUMBO_TAG_OPTION:
    case GUMBO_TAG_DATALIST: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_MENU:
    case GUMBO_TAG_IMAGE:
        return true;
    default:
        return false;
    }
}

static const struct allowed *allowed_of(GumboTag t)
{
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (allowed[i].tag == t)
            return &allowed[i];
    return NULL;
}

/* Writes the allowed attributes of el. Returns false for an <a> without a
 * usable href or an <img> without a usable src, which are left out. */
static bool write_attributes(struct buf *out, const GumboElement *el, const struct allowed *al)
{
    bool needs_url = el->tag == GUMBO_TAG_A || el->tag == GUMBO_TAG_IMG, has_url = false;
    struct buf attrs = {0};
    for (size_t k = 0; k < 4 && al->attrs[k]; k++) {
        GumboAttribute *at = gumbo_get_attribute(&el->attributes, al->attrs[k]);
        if (!at)
            continue;
        size_t mark = attrs.len;
        buf_printf(&attrs, " %s=\"", al->attrs[k]);
        bool ok = true;
        switch (al->kinds[k]) {
        case A_TEXT:
            esc_html_attr(&attrs, at->value, strlen(at->value));
            break;
        case A_NUMBER:
            ok = all_digits(at->value, 5);
            if (ok)
                buf_puts(&attrs, at->value);
            break;
        case A_LINK:
        case A_IMAGE:
            ok = has_url = safe_url(&attrs, at->value, al->kinds[k] == A_LINK ? URL_LINK : URL_IMAGE);
            break;
        }
        if (ok) {
            buf_putc(&attrs, '"');
        } else {
            attrs.len = mark;
            if (attrs.data)
                attrs.data[mark] = '\0';
        }
    }
    bool keep = !needs_url || has_url;
    if (keep && attrs.len)
        buf_append(out, attrs.data, attrs.len);
    buf_free(&attrs);
    return keep;
}

/* Text outside <pre> keeps no line break: a run of white space holding a
 * newline becomes a newline when it is all the text node holds (between
 * blocks), else a space. So a cleaned body never has paragraphs or line
 * breaks made for it twice, by folio or by WordPress's wpautop. */
static void write_text(struct buf *out, const char *s, bool in_pre)
{
    size_t len = strlen(s);
    if (in_pre) {
        esc_html_text(out, s, len);
        return;
    }
    bool only_space = strspn(s, " \t\n\r") == len;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        bool newline = false;
        while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) {
            newline |= s[j] == '\n' || s[j] == '\r';
            j++;
        }
        if (j > i) {
            if (newline)
                buf_putc(out, only_space ? '\n' : ' ');
            else
                buf_append(out, s + i, j - i);
            i = j;
            continue;
        }
        while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r')
            j++;
        esc_html_text(out, s + i, j - i);
        i = j;
    }
}

static bool void_element(GumboTag t)
{
    return t == GUMBO_TAG_BR || t == GUMBO_TAG_HR || t == GUMBO_TAG_IMG;
}

/* Block-level elements that are not kept: a line break keeps their
 * contents from running into the next ones'. */
static bool unwrapped_block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_CENTER: case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY:
        return true;
    default:
        return false;
    }
}

/* Table parts and list items hold their place even when empty. */
static bool droppable_when_empty(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR: case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TABLE: case GUMBO_TAG_LI:
    case GUMBO_TAG_DD: case GUMBO_TAG_DT:
        return false;
    default:
        return true;
    }
}

static void clean_node(struct buf *out, const GumboNode *n, int depth, bool in_pre);

static void clean_children(struct buf *out, const GumboVector *children, int depth, bool in_pre)
{
    for (unsigned i = 0; i < children->length; i++)
        clean_node(out, children->data[i], depth, in_pre);
}

static void clean_element(struct buf *out, const GumboElement *el, int depth, bool in_pre)
{
    if (el->tag_namespace != GUMBO_NAMESPACE_HTML || dropped(el->tag) || depth > MAX_DEPTH * 4)
        return;
    const struct allowed *al = depth < MAX_DEPTH ? allowed_of(el->tag) : NULL;
    const char *name = al ? (al->name ? al->name : gumbo_normalized_tagname(el->tag)) : NULL;
    size_t mark = out->len;
    if (al) {
        buf_printf(out, "<%s", name);
        if (!write_attributes(out, el, al)) {
            out->len = mark;        /* a link or image without a safe URL */
            if (out->data)
                out->data[mark] = '\0';
            al = NULL;
        } else {
            buf_putc(out, '>');
        }
    }
    if (al && void_element(el->tag))
        return;
    if (!al && el->tag == GUMBO_TAG_IMG)
        return;
    bool block = !al && unwrapped_block(el->tag);
    if (block && out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
    size_t content = out->len;
    clean_children(out, &el->children, depth + 1, in_pre || el->tag == GUMBO_TAG_PRE);
    if (block && out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
    if (al && out->len == content && droppable_when_empty(el->tag)) {
        out->len = mark;        /* <p></p>, <em></em>: nothing to show */
        if (out->data)
            out->data[mark] = '\0';
        return;
    }
    if (al)
        buf_printf(out, "</%s>", name);
}

static void clean_node(struct buf *out, const GumboNode *n, int depth, bool in_pre)
{
    switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        write_text(out, n->v.text.text, in_pre);
        break;
    case GUMBO_NODE_ELEMENT:
        clean_element(out, &n->v.element, depth, in_pre);
        break;
    default:            /* comments (block markers too), templates, documents */
        break;
    }
}

/* Whether a node written at the top stands as a block of its own. */
static bool top_block(const GumboNode *n)
{
    if (n->type != GUMBO_NODE_ELEMENT)
        return false;
    switch (n->v.element.tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_HR: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_TABLE:
        return true;
    default:
        return dropped(n->v.element.tag) || unwrapped_block(n->v.element.tag);
    }
}

static void trim_end(struct buf *out, size_t from);

/* Where an open top-level paragraph started (its "<p>"), or -1. */
struct flow {
    long p_start;
    struct buf node;        /* one node written aside, to see what it holds */
};

static bool blank_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Closes the open paragraph without white space before "</p>"; an empty
 * one is taken out. */
static void close_p(struct buf *out, struct flow *f)
{
    if (f->p_start < 0)
        return;
    size_t open_end = (size_t)f->p_start + 3;
    trim_end(out, open_end);
    if (out->len == open_end) {
        out->len = (size_t)f->p_start;
        if (out->data)
            out->data[out->len] = '\0';
    } else {
        buf_puts(out, "</p>");
    }
    buf_putc(out, '\n');
    f->p_start = -1;
}

/* The top level of the body: runs of inline content (text, links, images
 * between blocks) are put in paragraphs, so the body always opens with a
 * block; unkept blocks (div, section...) are looked into the same way. */
static void clean_flow(struct buf *out, const GumboVector *children, int depth, struct flow *f)
{
    for (unsigned i = 0; i < children->length; i++) {
        const GumboNode *n = children->data[i];
        if (top_block(n))
            close_p(out, f);
        if (n->type == GUMBO_NODE_ELEMENT && unwrapped_block(n->v.element.tag) &&
            n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && depth < MAX_DEPTH) {
            clean_flow(out, &n->v.element.children, depth + 1, f);
            continue;
        }
        if (top_block(n)) {
            clean_node(out, n, depth, false);
            if (out->len && out->data[out->len - 1] != '\n')
                buf_putc(out, '\n');
            continue;
        }
        buf_reset(&f->node);
        clean_node(&f->node, n, depth, false);
        const char *t = f->node.data ? f->node.data : "";
        size_t len = f->node.len;
        if (blank_text(t, len)) {
            if (f->p_start >= 0)
                buf_append(out, t, len);
            continue;
        }
        if (f->p_start < 0) {
            if (out->len && out->data[out->len - 1] != '\n')
                buf_putc(out, '\n');
            f->p_start = (long)out->len;
            buf_puts(out, "<p>");
            while (len && (*t == ' ' || *t == '\n')) {
                t++;
                len--;
            }
        }
        buf_append(out, t, len);
    }
}

/* The <body> of a parsed document (where a fragment's content lands). */
static const GumboNode *body_of(const GumboOutput *doc)
{
    const GumboVector *top = &doc->root->v.element.children;
    for (unsigned i = 0; i < top->length; i++) {
        const GumboNode *n = top->data[i];
        if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY)
            return n;
    }
    return NULL;
}

/* Drops trailing white space from out, back to `from`. */
static void trim_end(struct buf *out, size_t from)
{
    while (out->len > from && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' ' ||
                               out->data[out->len - 1] == '\t'))
        out->data[--out->len] = '\0';
}

bool html_clean_post(struct buf *out, const char *html, size_t len)
{
    struct buf pre = {0}, para = {0};
    html_strip_shortcodes(&pre, html, len);
    html_autop(&para, pre.data ? pre.data : "", pre.len);
    bool ok = !pre.failed && !para.failed;
    buf_free(&pre);
    GumboOutput *doc = ok ? gumbo_parse_with_options(&kGumboDefaultOptions,
                                                     para.data ? para.data : "", para.len)
                          : NULL;
    buf_free(&para);
    if (!doc)
        return false;
    const GumboNode *body = body_of(doc);
    size_t start = out->len;
    struct flow f = { .p_start = -1 };
    if (body)
        clean_flow(out, &body->v.element.children, 0, &f);
    close_p(out, &f);
    buf_free(&f.node);
    trim_end(out, start);
    size_t lead = start;
    while (lead < out->len && out->data[lead] == '\n')
        lead++;
    if (lead > start) {
        memmove(out->data + start, out->data + lead, out->len - lead + 1);
        out->len -= lead - start;
    }
    gumbo_destroy_output(&kGumboDefaultOptions, doc);
    return !out->failed;
}

/* ---- HTML as text ---- */

/* Makes sure out ends with `want` newlines (or is empty), for the break
 * before or after a block. */
static void text_break(struct buf *out, size_t start, int want)
{
    if (out->len == start)
        return;
    int have = 0;
    for (size_t i = out->len; i > start && out->data[i - 1] == '\n' && have < want; i--)
        have++;
    for (; have < want; have++)
        buf_putc(out, '\n');
}

static bool text_block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_FIGURE: case GUMBO_TAG_HR: case GUMBO_TAG_SECTION:
        return true;
    default:
        return false;
    }
}

static void text_node(struct buf *out, size_t start, const GumboNode *n, int depth);

static void text_children(struct buf *out, size_t start, const GumboElement *el, int depth)
{
    for (unsigned i = 0; i < el->children.length; i++)
        text_node(out, start, el->children.data[i], depth + 1);
}

static void text_link(struct buf *out, size_t start, const GumboElement *el, int depth)
{
    size_t before = out->len;
    text_children(out, start, el, depth);
    GumboAttribute *href = gumbo_get_attribute(&el->attributes, "href");
    if (!href || (strncasecmp(href->value, "http://", 7) != 0 &&
                  strncasecmp(href->value, "https://", 8) != 0))
        return;
    const char *label = out->data ? out->data + before : "";
    if (strcmp(label, href->value) == 0)
        return;
    if (out->len == before) {
        buf_puts(out, href->value);
        return;
    }
    buf_puts(out, " (");
    buf_puts(out, href->value);
    buf_putc(out, ')');
}

static void text_node(struct buf *out, size_t start, const GumboNode *n, int depth)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        buf_puts(out, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || depth > MAX_DEPTH * 4)
        return;
    const GumboElement *el = &n->v.element;
    if (el->tag_namespace != GUMBO_NAMESPACE_HTML || dropped(el->tag))
        return;
    if (el->tag == GUMBO_TAG_BR) {
        buf_putc(out, '\n');
        return;
    }
    if (el->tag == GUMBO_TAG_A) {
        text_link(out, start, el, depth);
        return;
    }
    bool block = text_block(el->tag);
    if (block)
        text_break(out, start, 2);
    else if (el->tag == GUMBO_TAG_LI || el->tag == GUMBO_TAG_TR)
        text_break(out, start, 1);
    text_children(out, start, el, depth);
    if (block)
        text_break(out, start, 2);
}

/* Tidies the text from `start`: no white space at either end, no line
 * ending in spaces, at most one blank line in a row. */
static void tidy_text(struct buf *out, size_t start, bool one_line)
{
    size_t w = start;
    int newlines = 0;
    for (size_t r = start; r < out->len; r++) {
        char c = out->data[r];
        if (c == '\r')
            continue;
        if (one_line && (c == '\n' || c == '\t'))
            c = ' ';
        if (c == '\n') {
            while (w > start && (out->data[w - 1] == ' ' || out->data[w - 1] == '\t'))
                w--;
            if (w == start || ++newlines > 2)
                continue;
        } else if ((c == ' ' || c == '\t') && (w == start || (one_line && out->data[w - 1] == ' '))) {
            continue;
        } else if (c != ' ' && c != '\t') {
            newlines = 0;
        }
        out->data[w++] = c;
    }
    out->len = w;
    trim_end(out, start);
    if (out->data)
        out->data[out->len] = '\0';
}

static bool to_text(struct buf *out, const char *html, size_t len, bool one_line)
{
    GumboOutput *doc = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
    if (!doc)
        return false;
    const GumboNode *body = body_of(doc);
    size_t start = out->len;
    if (body)
        text_children(out, start, &body->v.element, 0);
    gumbo_destroy_output(&kGumboDefaultOptions, doc);
    if (!out->failed && out->len > start)
        tidy_text(out, start, one_line);
    return !out->failed;
}

bool html_to_text(struct buf *out, const char *html, size_t len)
{
    return to_text(out, html, len, false);
}

bool html_to_line(struct buf *out, const char *html, size_t len)
{
    return to_text(out, html, len, true);
}
