/* fuzz_frontmatter: libFuzzer target for article files as `folio article
 * import` reads them: the front matter, then the body through Markdown.
 * Aborts when a parsed file breaks what the importer relies on (a title, a
 * valid slug, a known status, a body inside the text), or when a refusal
 * names no reason or a line the file does not have. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/frontmatter.h"
#include "core/markdown.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_lines(const char *s)
{
    int n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void check_parsed(const char *text, const struct article_file *f)
{
    if (!f->title || !*f->title || !f->slug || !slug_valid(f->slug) || !f->status ||
        (strcmp(f->status, "draft") != 0 && strcmp(f->status, "published") != 0))
        abort();
    if (!f->body || f->body < text || f->body > text + strlen(text))
        abort();
    /* Every string the importer stores is UTF-8, as the file was. */
    const char *fields[] = { f->title, f->slug, f->author, f->tags, f->source };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i] && !utf8_valid(fields[i], strlen(fields[i])))
            abort();
    char *html = markdown_render(f->body, strlen(f->body));
    if (html && strstr(html, "<script"))
        abort();    /* raw HTML is never passed through */
    free(html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* file_read_text refuses NUL bytes, so the parser never sees them. */
    if (memchr(data, '\0', size))
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct article_file f;
    int line = 0;
    char reason[256] = "";
    if (frontmatter_parse(text, 1773480000, &f, &line, reason, sizeof reason)) {
        check_parsed(text, &f);
        article_file_free(&f);
    } else if (reason[0] == '\0' || line < 1 || line > count_lines(text)) {
        abort();
    }
    free(text);
    return 0;
}
