/* article_meta: what other sites read from an article page: the
 * description, Open Graph and Twitter values, and the JSON-LD NewsArticle. */
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/json.h"
#include "core/text.h"
#include "pages/pages.h"

/* The default description: about what search engines show of one, and the
 * page carries it twice (description, og:description). */
#define DESCRIPTION_CHARS 160

static const char *iso_time(struct ctx *c, int64_t t)
{
    char iso[32];
    format_rfc3339(t, iso, sizeof iso);
    return arena_strdup(c->arena, iso);
}

static json_t *named(const char *type, const char *name, bool *ok)
{
    json_t *obj = json_object();
    json_put(obj, "@type", json_string(type), ok);
    json_put(obj, "name", json_text(name), ok);
    return obj;
}

/* The NewsArticle as compact JSON, escaped by esc_json_script for its
 * <script type="application/ld+json"> block; NULL when it could not be made. */
static const char *jsonld(struct ctx *c, const struct article *a, const struct article_meta *m)
{
    bool ok = true;
    json_t *doc = json_object();
    json_put(doc, "@context", json_string("https://schema.org"), &ok);
    json_put(doc, "@type", json_string("NewsArticle"), &ok);
    json_put(doc, "headline", json_text(a->title), &ok);
    json_put(doc, "datePublished", json_time(a->published_at), &ok);
    json_put(doc, "dateModified", json_time(a->updated_at), &ok);
    if (a->author && *a->author)
        json_put(doc, "author", named("Person", a->author, &ok), &ok);
    if (m->image)
        json_put(doc, "image", json_pack("[s]", m->image), &ok);
    json_put(doc, "publisher", named("Organization", c->app->cfg.site_title, &ok), &ok);
    char *text = ok ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return NULL;
    struct buf out = {0};
    esc_json_script(&out, text, strlen(text));
    free(text);
    const char *escaped = out.failed ? NULL : arena_strdup(c->arena, buf_cstr(&out));
    buf_free(&out);
    return escaped;
}

void article_meta_init(struct ctx *c, const struct article *a, const char *path,
                       struct article_meta *m)
{
    m->url = absolute_url(c, path);
    m->description = a->summary && *a->summary
                         ? a->summary : markdown_excerpt(c->arena, a->body, DESCRIPTION_CHARS);
    m->image = NULL;
    m->image_alt = a->image_alt;
    if (a->image && *a->image)  /* a path on the site, or already absolute (article_rules) */
        m->image = a->image[0] == '/' ? absolute_url(c, a->image) : a->image;
}

struct tval *article_meta_object(struct ctx *c, const struct article *a,
                                 const struct article_meta *m)
{
    struct tval *meta = tv_obj(c->arena);
    tv_str(meta, "url", m->url);
    tv_str(meta, "description", m->description ? m->description : "");
    tv_str(meta, "published_iso", iso_time(c, a->published_at));
    tv_str(meta, "modified_iso", iso_time(c, a->updated_at));
    tv_str(meta, "image", m->image);
    tv_str(meta, "image_alt", m->image ? m->image_alt : NULL);
    tv_str(meta, "twitter_card", m->image ? "summary_large_image" : "summary");
    const char *ld = jsonld(c, a, m);
    if (ld)
        tv_trusted_html(meta, "jsonld", ld); /* JSON escaped for a script block: esc_json_script */
    return meta;
}
