/* frontmatter: article files for `folio article import`: a block of
 * `key: value` lines between `---` lines, then the body in CommonMark. */
#ifndef FOLIO_FRONTMATTER_H
#define FOLIO_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct article_file {
    char *title, *slug, *author, *tags, *source, *status;
    char *summary, *image, *image_alt;
    int64_t date;
    bool comments_open;
    const char *body;       /* points into the text given */
};

/* Parses text; on failure returns false with the 1-based line and the
 * reason. `now` is the default date. Free with article_file_free. */
bool frontmatter_parse(const char *text, int64_t now, struct article_file *out, int *line,
                       char *reason, size_t reason_len);
void article_file_free(struct article_file *f);

#endif
