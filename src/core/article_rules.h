/* article_rules: what an article's fields must be, whoever sends them. The
 * JSON API's PUT and `folio article import` check the same rules here, so a
 * file that imports is an article the API would take, and the other way. */
#ifndef FOLIO_ARTICLE_RULES_H
#define FOLIO_ARTICLE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#define ARTICLE_TITLE_MAX 300   /* characters */
#define ARTICLE_AUTHOR_MAX 200
#define ARTICLE_SOURCE_MAX 300
#define ARTICLE_TAG_MAX 100
#define ARTICLE_TAGS_MAX 50     /* tags on one article */
#define ARTICLE_SUMMARY_MAX 1000
#define ARTICLE_IMAGE_MAX 2000  /* bytes of its address */
#define ARTICLE_IMAGE_ALT_MAX 300

/* A one-line field, already trimmed: at most max characters, no control
 * characters, and not empty when required. Returns NULL when it is good, or
 * the message for the field (written into msg). */
const char *article_line_problem(const char *value, size_t max, bool required, char *msg,
                                 size_t msg_len);

/* One tag name, already trimmed: 1 to ARTICLE_TAG_MAX characters, one
 * line, no comma, and a letter or digit (so that it has a slug). */
bool article_tag_valid(const char *name);
extern const char article_tag_message[];
extern const char article_tags_count_message[];

/* The tags as stored, "a, b": each valid name once (by its slug), in the
 * order given. malloc'd; NULL when memory ran out. */
char *article_tags_join(const char *const *names, size_t count);

/* An article's text fields, for article_problem. */
struct article_text {
    const char *title, *author, *source;  /* trimmed; author and source may be "" */
    const char *const *tags;              /* trimmed names */
    size_t tag_count;
    const char *summary, *image, *image_alt;  /* trimmed; may be "" (NULL: "") */
};

/* An image's address: "" (none), a path on the site ("/static/a.jpg") or an
 * absolute http(s) URL; no spaces, quotes, angle brackets or control
 * characters, at most ARTICLE_IMAGE_MAX bytes. */
bool article_image_valid(const char *image);

/* Every rule above, in the API's order (title, author, tags, source,
 * summary, image, image_alt; image_alt is required with an image).
 * Returns NULL when the article is good, or the message, with *field set to
 * the field it is about. */
const char *article_problem(const struct article_text *t, const char **field, char *msg,
                            size_t msg_len);
/* The rules for summary, image and image_alt alone (what share previews
 * show), as article_problem applies them. */
const char *article_share_problem(const struct article_text *t, const char **field, char *msg,
                                  size_t msg_len);

#endif
