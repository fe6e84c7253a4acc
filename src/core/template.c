/* template: a Mustache subset that escapes every value by default. */
#include "core/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/file.h"

/* ---- values ---- */

enum tv_type { TV_NULL, TV_STR, TV_HTML, TV_BOOL, TV_LIST, TV_OBJ };

struct tv_entry {
    const char *key;            /* NULL for list items */
    struct tval *val;
    struct tv_entry *next;
};

struct tval {
    enum tv_type type;
    const char *str;
    bool flag;
    struct tv_entry *first, *last;
    size_t count;
    struct arena *arena;
};

static struct tval *tv_new(struct arena *a, enum tv_type type)
{
    struct tval *v = arena_alloc(a, sizeof *v);
    if (v) {
        v->type = type;
        v->arena = a;
    }
    return v;
}

struct tval *tv_obj(struct arena *a) { return tv_new(a, TV_OBJ); }
struct tval *tv_list(struct arena *a) { return tv_new(a, TV_LIST); }

static const struct tval *tv_get(const struct tval *obj, const char *key, size_t key_len);

static void tv_add(struct tval *parent, const char *key, struct tval *child)
{
    if (!parent || !child)
        return;
    struct tv_entry *e = arena_alloc(parent->arena, sizeof *e);
    if (!e)
        return;
    e->key = key;
    e->val = child;
    if (parent->last)
        parent->last->next = e;
    else
        parent->first = e;
    parent->last = e;
    parent->count++;
}

static void tv_add_string(struct tval *obj, const char *key, const char *s, enum tv_type type)
{
    if (!obj || !s)
        return;
    struct tval *v = tv_new(obj->arena, type);
    if (v) {
        v->str = s;
        tv_add(obj, key, v);
    }
}

void tv_str(struct tval *obj, const char *key, const char *s)
{
    tv_add_string(obj, key, s, TV_STR);
}

void tv_trusted_html(struct tval *obj, const char *key, const char *html)
{
    tv_add_string(obj, key, html, TV_HTML);
}

void tv_int(struct tval *obj, const char *key, long long n)
{
    if (obj)
        tv_str(obj, key, arena_printf(obj->arena, "%lld", n));
}

void tv_bool(struct tval *obj, const char *key, bool b)
{
    if (!obj)
        return;
    struct tval *v = tv_new(obj->arena, TV_BOOL);
    if (v) {
        v->flag = b;
        tv_add(obj, key, v);
    }
}

void tv_set(struct tval *obj, const char *key, struct tval *child)
{
    tv_add(obj, key, child);
}

struct tval *tv_push_obj(struct tval *list)
{
    if (!list)
        return NULL;
    struct tval *o = tv_obj(list->arena);
    tv_add(list, NULL, o);
    return o;
}

void tv_push_str(struct tval *list, const char *s)
{
    tv_add_string(list, NULL, s, TV_STR);
}

void tv_append(struct tval *list, struct tval *item)
{
    tv_add(list, NULL, item);
}

size_t tv_count(const struct tval *list)
{
    return list && list->type == TV_LIST ? list->count : 0;
}

struct tval *tv_get_child(struct tval *obj, const char *key)
{
    return (struct tval *)tv_get(obj, key, strlen(key));
}

static const struct tval *tv_get(const struct tval *obj, const char *key, size_t key_len)
{
    if (!obj || obj->type != TV_OBJ)
        return NULL;
    for (const struct tv_entry *e = obj->first; e; e = e->next)
        if (strlen(e->key) == key_len && memcmp(e->key, key, key_len) == 0)
            return e->val;
    return NULL;
}

static bool tv_truthy(const struct tval *v)
{
    if (!v)
        return false;
    switch (v->type) {
    case TV_NULL: return false;
    case TV_STR:
    case TV_HTML: return v->str[0] != '\0';
    case TV_BOOL: return v->flag;
    case TV_LIST: return v->count > 0;
    case TV_OBJ: return true;
    }
    return false;
}

/* ---- parsed templates ---- */

enum node_type { N_TEXT, N_VAR, N_VAR_URL, N_SECTION, N_INVERTED, N_PARTIAL };

struct tnode {
    enum node_type type;
    char *text;                 /* literal text, or the name */
    size_t len;
    struct tnode *children;     /* sections */
    struct tnode *next;
    const struct template *partial;
};

struct template {
    char *name;
    struct tnode *root;
};

struct tmpl_set {
    struct template *items;
    size_t count;
};

#define MAX_TEMPLATES 128
#define MAX_INCLUDE_CHAIN MAX_TEMPLATES

static void nodes_free(struct tnode *n)
{
    while (n) {
        struct tnode *next = n->next;
        nodes_free(n->children);
        free(n->text);
        free(n);
        n = next;
    }
}

struct parser {
    const char *src;
    size_t pos, len;
    const char *file;
    char *err;
    size_t errlen;
    const char *section;        /* the name of the innermost open section */
    size_t section_len;
};

static int line_of(const struct parser *p, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos && i < p->len; i++)
        if (p->src[i] == '\n')
            line++;
    return line;
}

static void parse_error(struct parser *p, size_t pos, const char *why)
{
    if (p->err[0] == '\0')
        snprintf(p->err, p->errlen, "%s.html:%d: %s", p->file, line_of(p, pos), why);
}

static struct tnode *node_new(enum node_type type, const char *text, size_t len)
{
    struct tnode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = type;
    n->text = malloc(len + 1);
    if (!n->text) {
        free(n);
        return NULL;
    }
    memcpy(n->text, text, len);
    n->text[len] = '\0';
    n->len = len;
    return n;
}

static bool valid_name(const char *s, size_t len)
{
    if (len == 0)
        return false;
    if (len == 1 && s[0] == '.')
        return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* One {{...}} tag as read: its sigil ('#', '^', '/', '>', '!' or 0 for a
 * variable), its name, and the node type it makes. */
struct tag {
    char sigil;
    const char *name;
    size_t name_len;
    enum node_type type;
};

static bool is_section_sigil(char c)
{
    return c == '#' || c == '^' || c == '/' || c == '>';
}

/* Reads the tag that opens at `open`, moving p->pos past it. False with
 * p->err set when it is malformed. */
static bool read_tag(struct parser *p, const char *open, struct tag *t)
{
    size_t tag_pos = (size_t)(open - p->src);
    const char *close = strstr(open + 2, "}}");
    if (!close) {
        parse_error(p, tag_pos, "'{{' without a closing '}}'");
        return false;
    }
    const char *inner = open + 2;
    size_t len = (size_t)(close - inner);
    p->pos = (size_t)(close - p->src) + 2;
    t->sigil = len ? inner[0] : '\0';
    if (t->sigil == '!')
        return true;
    if (t->sigil == '{' || t->sigil == '&') {
        parse_error(p, tag_pos, "unescaped output is not available in templates");
        return false;
    }
    if (is_section_sigil(t->sigil)) {
        inner++;
        len--;
    }
    while (len && inner[0] == ' ') {
        inner++;
        len--;
    }
    while (len && inner[len - 1] == ' ')
        len--;
    t->type = t->sigil == '#' ? N_SECTION : t->sigil == '^' ? N_INVERTED
            : t->sigil == '>' ? N_PARTIAL : N_VAR;
    t->name = inner;
    t->name_len = len;
    const char *bar = is_section_sigil(t->sigil) ? NULL : memchr(inner, '|', len);
    if (bar) {
        if ((size_t)(inner + len - bar - 1) != 3 || memcmp(bar + 1, "url", 3) != 0) {
            parse_error(p, tag_pos, "unknown filter (only |url exists)");
            return false;
        }
        t->type = N_VAR_URL;
        t->name_len = (size_t)(bar - inner);
    }
    if (!valid_name(t->name, t->name_len)) {
        parse_error(p, tag_pos, "a tag needs a name of letters, digits, '_', '-' or '.'");
        return false;
    }
    if (t->sigil == '/' && (t->name_len != p->section_len || !p->section ||
                            memcmp(p->section, t->name, t->name_len) != 0)) {
        parse_error(p, tag_pos, "closing tag does not match the open section");
        return false;
    }
    return true;
}

/* Appends a node to the list ending at *tail and returns it; NULL when out
 * of memory. */
static struct tnode *append_node(struct parser *p, struct tnode ***tail, enum node_type type,
                                 const char *text, size_t len)
{
    struct tnode *n = node_new(type, text, len);
    if (!n) {
        parse_error(p, p->pos, "out of memory");
        return NULL;
    }
    **tail = n;
    *tail = &n->next;
    return n;
}

/* Parses until end of input or the close tag of `section` (NULL at top
 * level). Returns the list of nodes, NULL with p->err set on error (an empty
 * list is returned as NULL too, so callers check p->err). */
static struct tnode *parse_nodes(struct parser *p, const char *section, size_t section_len)
{
    const char *outer = p->section;
    size_t outer_len = p->section_len;
    p->section = section;
    p->section_len = section_len;
    struct tnode *head = NULL, **tail = &head;
    bool closed = false;
    while (!closed && p->pos < p->len && p->err[0] == '\0') {
        const char *open = strstr(p->src + p->pos, "{{");
        size_t text_end = open ? (size_t)(open - p->src) : p->len;
        if (text_end > p->pos && !append_node(p, &tail, N_TEXT, p->src + p->pos, text_end - p->pos))
            break;
        p->pos = text_end;
        struct tag t;
        if (!open || !read_tag(p, open, &t) || t.sigil == '!')
            continue;
        if (t.sigil == '/') {
            closed = true;
            continue;
        }
        struct tnode *n = append_node(p, &tail, t.type, t.name, t.name_len);
        if (n && (t.type == N_SECTION || t.type == N_INVERTED))
            n->children = parse_nodes(p, n->text, n->len);
    }
    if (section && !closed && p->err[0] == '\0')
        parse_error(p, p->len, "section is never closed");
    p->section = outer;
    p->section_len = outer_len;
    if (p->err[0] == '\0')
        return head;
    nodes_free(head);
    return NULL;
}

static const struct template *find_template(const struct tmpl_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i].name, name) == 0)
            return &set->items[i];
    return NULL;
}

static bool resolve_partials(const struct tmpl_set *set, const struct template *t,
                             struct tnode *n, char *err, size_t errlen)
{
    for (; n; n = n->next) {
        if (n->type == N_PARTIAL) {
            n->partial = find_template(set, n->text);
            if (!n->partial) {
                snprintf(err, errlen, "%s.html: includes '%s.html', which does not exist",
                         t->name, n->text);
                return false;
            }
        }
        if (!resolve_partials(set, t, n->children, err, errlen))
            return false;
    }
    return true;
}

/* ---- partials that include themselves ----
 *
 * A partial may include itself inside a {{#section}}, as comment.html does
 * for replies: the section moves to the next level of the data, and the
 * recursion ends where the data does (or at MAX_DEPTH, or at the render's
 * bound on work). Outside any {{#section}} (at the top of the file, or in an
 * {{^inverted}} one, which sees the same data again) nothing can end it:
 * `x{{>a}}{{>a}}` in a.html, or a -> b -> a, would render forever. Such a
 * set is refused when it is loaded. A depth-first walk over those
 * unconditional includes: `on_path` marks the templates on the current
 * chain, `done` those already found to end. */

struct cycle_walk {
    const struct tmpl_set *set;
    bool *on_path, *done;
    const struct template *chain[MAX_INCLUDE_CHAIN];
    size_t chain_len;
    char *err;
    size_t errlen;
};

static bool walk_template(struct cycle_walk *w, const struct template *t);

static bool walk_nodes(struct cycle_walk *w, const struct tnode *n)
{
    for (; n; n = n->next) {
        if (n->type == N_PARTIAL && !walk_template(w, n->partial))
            return false;
        if (n->type == N_INVERTED && !walk_nodes(w, n->children))
            return false;
    }
    return true;
}

/* "a.html includes itself: a.html > b.html > a.html" from the chain. */
static void cycle_error(struct cycle_walk *w, const struct template *again)
{
    size_t first = 0;
    while (w->chain[first] != again)
        first++;
    int n = snprintf(w->err, w->errlen, "%s.html: includes itself outside any {{#section}} (",
                     again->name);
    for (size_t i = first; i < w->chain_len && n > 0 && (size_t)n < w->errlen; i++)
        n += snprintf(w->err + n, w->errlen - (size_t)n, "%s.html > ", w->chain[i]->name);
    if (n > 0 && (size_t)n < w->errlen)
        snprintf(w->err + n, w->errlen - (size_t)n, "%s.html), so it would never finish",
                 again->name);
}

static bool walk_template(struct cycle_walk *w, const struct template *t)
{
    size_t i = (size_t)(t - w->set->items);
    if (w->done[i])
        return true;
    if (w->on_path[i]) {
        cycle_error(w, t);
        return false;
    }
    if (w->chain_len == MAX_INCLUDE_CHAIN) {    /* cannot happen: at most `count` long */
        snprintf(w->err, w->errlen, "%s.html: partials nested too deeply", t->name);
        return false;
    }
    w->on_path[i] = true;
    w->chain[w->chain_len++] = t;
    bool ok = walk_nodes(w, t->root);
    w->chain_len--;
    w->on_path[i] = false;
    w->done[i] = ok;
    return ok;
}

static bool refuse_recursive_partials(const struct tmpl_set *set, char *err, size_t errlen)
{
    struct cycle_walk w = { .set = set, .err = err, .errlen = errlen };
    w.on_path = calloc(set->count + 1, sizeof *w.on_path);
    w.done = calloc(set->count + 1, sizeof *w.done);
    bool ok = w.on_path && w.done;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    for (size_t i = 0; ok && i < set->count; i++)
        ok = walk_template(&w, &set->items[i]);
    free(w.on_path);
    free(w.done);
    return ok;
}

void tmpl_free(struct tmpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].name);
        nodes_free(set->items[i].root);
    }
    free(set->items);
    free(set);
}

struct tmpl_set *tmpl_load_strings(const char *const *names, const char *const *sources,
                                   size_t count, char *err, size_t errlen)
{
    err[0] = '\0';
    if (count > MAX_TEMPLATES) {
        snprintf(err, errlen, "more than %d templates", MAX_TEMPLATES);
        return NULL;
    }
    struct tmpl_set *set = calloc(1, sizeof *set);
    if (!set || !(set->items = calloc(count ? count : 1, sizeof *set->items))) {
        snprintf(err, errlen, "out of memory");
        free(set);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        struct parser p = { sources[i], 0, strlen(sources[i]), names[i], err, errlen, NULL, 0 };
        struct template *t = &set->items[set->count++];
        t->name = strdup(names[i]);
        t->root = parse_nodes(&p, NULL, 0);
        if (err[0] || !t->name) {
            if (!err[0])
                snprintf(err, errlen, "out of memory");
            tmpl_free(set);
            return NULL;
        }
    }
    for (size_t i = 0; i < set->count; i++) {
        if (!resolve_partials(set, &set->items[i], set->items[i].root, err, errlen)) {
            tmpl_free(set);
            return NULL;
        }
    }
    if (!refuse_recursive_partials(set, err, errlen)) {
        tmpl_free(set);
        return NULL;
    }
    return set;
}

struct tmpl_set *tmpl_load_dir(const char *dir, char *err, size_t errlen)
{
    err[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    char *names[MAX_TEMPLATES], *sources[MAX_TEMPLATES];
    size_t count = 0;
    struct dirent *de;
    struct tmpl_set *set = NULL;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".html") != 0 || de->d_name[0] == '.')
            continue;
        if (count == MAX_TEMPLATES) {
            snprintf(err, errlen, "%s: more than %d templates", dir, MAX_TEMPLATES);
            goto out;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char why[256];
        sources[count] = file_read_text(path, why, sizeof why);
        if (!sources[count]) {
            snprintf(err, errlen, "%s: %s", path, why);
            goto out;
        }
        names[count] = strndup(de->d_name, len - 5);
        count++;
    }
    char inner_err[512];
    set = tmpl_load_strings((const char *const *)names, (const char *const *)sources, count,
                            inner_err, sizeof inner_err);
    if (!set)
        snprintf(err, errlen, "%s/%s", dir, inner_err);
out:
    closedir(d);
    for (size_t i = 0; i < count; i++) {
        free(names[i]);
        free(sources[i]);
    }
    return set;
}

bool tmpl_exists(const struct tmpl_set *set, const char *name)
{
    return find_template(set, name) != NULL;
}

/* ---- rendering ---- */

#define MAX_DEPTH 64
/* The most work one render may do. A page of 10,000 comments takes a few
 * hundred thousand steps (a node, or a section entered, is one); partials that each include another several
 * times (no cycle, but exponential) would otherwise run for hours. */
#define MAX_RENDER_STEPS 5000000u
#define MAX_RENDER_BYTES (64u * 1024 * 1024)

/* A partial being rendered, and the value on top of the data stack when it
 * was entered. */
struct active_partial {
    const struct template *partial;
    const struct tval *top;
};

struct render {
    const struct tval *stack[MAX_DEPTH];
    size_t depth;
    struct active_partial partials[MAX_DEPTH];  /* the partials being rendered, outermost first */
    size_t partial_depth;
    size_t steps;               /* nodes rendered so far */
    bool over;                  /* a limit was hit: the render fails */
    struct buf *out;
};

static const struct tval *lookup(const struct render *r, const char *name)
{
    if (strcmp(name, ".") == 0)
        return r->depth ? r->stack[r->depth - 1] : NULL;
    const char *dot = strchr(name, '.');
    size_t first_len = dot ? (size_t)(dot - name) : strlen(name);
    const struct tval *v = NULL;
    for (size_t i = r->depth; i-- > 0;) {
        v = tv_get(r->stack[i], name, first_len);
        if (v)
            break;
    }
    while (v && dot) {
        const char *seg = dot + 1;
        dot = strchr(seg, '.');
        size_t seg_len = dot ? (size_t)(dot - seg) : strlen(seg);
        v = tv_get(v, seg, seg_len);
    }
    return v;
}

static void render_nodes(struct render *r, const struct tnode *n);
static void render_partial(struct render *r, const struct template *p);

static void push_and_render(struct render *r, const struct tval *v, const struct tnode *body)
{
    if (++r->steps > MAX_RENDER_STEPS) {
        r->over = true;
        return;
    }
    if (r->depth == MAX_DEPTH)
        return;     /* deeper than any page needs; stop rather than overflow */
    r->stack[r->depth++] = v;
    render_nodes(r, body);
    r->depth--;
}

static void render_section(struct render *r, const struct tnode *n)
{
    const struct tval *v = lookup(r, n->text);
    if (!tv_truthy(v))
        return;
    if (v->type == TV_LIST) {
        for (const struct tv_entry *e = v->first; e; e = e->next)
            push_and_render(r, e->val, n->children);
    } else if (v->type == TV_BOOL) {
        render_nodes(r, n->children);
    } else {
        push_and_render(r, v, n->children);
    }
}

/* A partial renders inside itself only when the data has moved on since it
 * was entered (comment.html inside {{#replies}}: each reply is a new
 * value). Entered again with the same value on top, as through a
 * {{#flag}} or a section naming a value further out, it would go round
 * for ever, or twice per level for 2^64 levels: it renders nothing. */
static void render_partial(struct render *r, const struct template *p)
{
    const struct tval *top = r->depth ? r->stack[r->depth - 1] : NULL;
    for (size_t i = 0; i < r->partial_depth; i++)
        if (r->partials[i].partial == p && r->partials[i].top == top)
            return;
    if (r->partial_depth == MAX_DEPTH)
        return;
    r->partials[r->partial_depth++] = (struct active_partial){ p, top };
    render_nodes(r, p->root);
    r->partial_depth--;
}

static void render_nodes(struct render *r, const struct tnode *n)
{
    for (; n && !r->over; n = n->next) {
        if (++r->steps > MAX_RENDER_STEPS || r->out->len > MAX_RENDER_BYTES) {
            r->over = true;
            break;
        }
        switch (n->type) {
        case N_TEXT:
            buf_append(r->out, n->text, n->len);
            break;
        case N_VAR:
        case N_VAR_URL: {
            const struct tval *v = lookup(r, n->text);
            if (!v || (v->type != TV_STR && v->type != TV_HTML))
                break;
            if (n->type == N_VAR_URL) {
                struct buf enc = {0};
                esc_url_component(&enc, v->str, strlen(v->str));
                esc_html_attr(r->out, buf_cstr(&enc), enc.len);
                buf_free(&enc);
            } else if (v->type == TV_HTML) {
                buf_puts(r->out, v->str);   /* trusted: see tv_trusted_html */
            } else {
                esc_html_text(r->out, v->str, strlen(v->str));
            }
            break;
        }
        case N_SECTION:
            render_section(r, n);
            break;
        case N_INVERTED:
            if (!tv_truthy(lookup(r, n->text)))
                render_nodes(r, n->children);
            break;
        case N_PARTIAL:
            render_partial(r, n->partial);
            break;
        }
    }
}

bool tmpl_render(const struct tmpl_set *set, const char *name, const struct tval *data,
                 struct buf *out)
{
    const struct template *t = find_template(set, name);
    if (!t)
        return false;
    struct render r = { .depth = 0, .out = out };
    r.stack[r.depth++] = data;
    r.partials[r.partial_depth++] = (struct active_partial){ t, data };
    render_nodes(&r, t->root);
    return !r.over;
}
