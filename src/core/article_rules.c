/* article_rules: the rules of an article's fields (the API and the CLI). */
#include "core/article_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"

const char article_tag_message[] =
    "Each tag must be a string of 1 to 100 characters, one line, without commas, with a "
    "letter or digit.";
const char article_tags_count_message[] = "tags must be at most 50 strings.";

/* No control characters (tab included): a one-line field. */
static bool one_line(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

const char *article_line_problem(const char *value, size_t max, bool required, char *msg,
                                 size_t msg_len)
{
    if (required && !*value)
        return "This field must not be empty.";
    if (utf8_length(value) <= max && one_line(value))
        return NULL;
    /* The check on msg is never true for a caller; without it gcc 12 at -O3
     * sees a NULL msg on a path of its own and -Wformat-truncation fails the
     * Release build. */
    if (!msg || msg_len == 0)
        return "This field must be one line of text, shorter than it is.";
    snprintf(msg, msg_len, "This field must be one line of at most %zu characters.", max);
    return msg;
}

bool article_tag_valid(const char *name)
{
    if (!*name || utf8_length(name) > ARTICLE_TAG_MAX || !one_line(name) || strchr(name, ','))
        return false;
    char *slug = slugify_dup(name);
    bool has_slug = slug && *slug;
    free(slug);
    return has_slug;
}

char *article_tags_join(const char *const *names, size_t count)
{
    struct buf b = {0};
    char *slugs[ARTICLE_TAGS_MAX];
    size_t n = 0;
    bool failed = count > ARTICLE_TAGS_MAX;
    for (size_t i = 0; !failed && i < count; i++) {
        char *slug = slugify_dup(names[i]);
        if (!slug) {
            failed = true;
            break;
        }
        size_t k = 0;
        while (k < n && strcmp(slugs[k], slug) != 0)
            k++;
        if (k < n) {
            free(slug);
            continue;
        }
        slugs[n++] = slug;
        buf_printf(&b, "%s%s", b.len ? ", " : "", names[i]);
    }
    char *joined = failed || b.failed ? NULL : strdup(buf_cstr(&b));
    for (size_t k = 0; k < n; k++)
        free(slugs[k]);
    buf_free(&b);
    return joined;
}

bool article_image_valid(const char *image)
{
    if (!*image)
        return true;
    if (strlen(image) > ARTICLE_IMAGE_MAX)
        return false;
    for (const char *p = image; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
            return false;
    return (image[0] == '/' && image[1] != '/') || strncmp(image, "https://", 8) == 0 ||
           strncmp(image, "http://", 7) == 0;
}

static const char image_message[] =
    "This must be a path on the site (/static/photo.jpg) or an http(s) address.";
static const char image_alt_message[] = "An image needs its alt text.";

const char *article_share_problem(const struct article_text *t, const char **field, char *msg,
                                  size_t msg_len)
{
    const char *summary = t->summary ? t->summary : "";
    const char *image = t->image ? t->image : "";
    const char *alt = t->image_alt ? t->image_alt : "";
    const char *problem;
    *field = "summary";
    if ((problem = article_line_problem(summary, ARTICLE_SUMMARY_MAX, false, msg, msg_len)))
        return problem;
    *field = "image";
    if (!article_image_valid(image))
        return image_message;
    *field = "image_alt";
    if ((problem = article_line_problem(alt, ARTICLE_IMAGE_ALT_MAX, false, msg, msg_len)))
        return problem;
    return *image && !*alt ? image_alt_message : NULL;
}

const char *article_problem(const struct article_text *t, const char **field, char *msg,
                            size_t msg_len)
{
    const char *problem;
    *field = "title";
    if ((problem = article_line_problem(t->title, ARTICLE_TITLE_MAX, true, msg, msg_len)))
        return problem;
    *field = "author";
    if ((problem = article_line_problem(t->author, ARTICLE_AUTHOR_MAX, false, msg, msg_len)))
        return problem;
    *field = "tags";
    if (t->tag_count > ARTICLE_TAGS_MAX)
        return article_tags_count_message;
    for (size_t i = 0; i < t->tag_count; i++)
        if (!article_tag_valid(t->tags[i]))
            return article_tag_message;
    *field = "source";
    if ((problem = article_line_problem(t->source, ARTICLE_SOURCE_MAX, false, msg, msg_len)))
        return problem;
    return article_share_problem(t, field, msg, msg_len);
}
