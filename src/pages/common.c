/* common: pieces of pages that several readers' handlers build. */
#include <string.h>

#include "core/text.h"
#include "pages/pages.h"

void set_dates(struct ctx *c, struct tval *obj, int64_t t)
{
    char iso[32], human[48];
    format_rfc3339(t, iso, sizeof iso);
    format_human_date(t, human, sizeof human);
    tv_str(obj, "date_iso", arena_strdup(c->arena, iso));
    tv_str(obj, "date_human", arena_strdup(c->arena, human));
}

const char *comment_label(struct ctx *c, int64_t count)
{
    if (count == 0)
        return "No Comments";
    if (count == 1)
        return "1 Comment";
    return arena_printf(c->arena, "%lld Comments", (long long)count);
}

struct tval *tag_list(struct ctx *c, const char *tags)
{
    struct tval *list = tv_list(c->arena);
    const char *p = tags;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *name = trim_copy(c->arena, arena_strndup(c->arena, p, len));
        char *slug = name ? slugify(c->arena, name) : NULL;
        if (slug && *slug) {
            struct tval *t = tv_push_obj(list);
            tv_str(t, "name", name);
            tv_str(t, "slug", slug);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return list;
}

int find_published_article(struct ctx *c, const char *slug, struct article *out)
{
    int rc = store_article_by_slug(c->store, c->arena, slug, true, out);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, "There is no article at this address.");
    if (rc != STORE_OK)
        return fail(c, 500, "The article could not be read.");
    return 0;
}

struct tval *article_card(struct ctx *c, const struct article *a, struct tval *list)
{
    struct tval *card = tv_push_obj(list);
    tv_str(card, "slug", a->slug);
    tv_str(card, "title", a->title);
    tv_str(card, "author", a->author);
    set_dates(c, card, a->published_at);
    tv_str(card, "excerpt", markdown_excerpt(c->arena, a->body, 280));
    tv_int(card, "comment_count", a->counts[CS_APPROVED]);
    tv_str(card, "comment_label", comment_label(c, a->counts[CS_APPROVED]));
    tv_set(card, "tags", tag_list(c, a->tags));
    return card;
}
