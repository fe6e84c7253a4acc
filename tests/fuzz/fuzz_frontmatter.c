/* fuzz_frontmatter: libFuzzer target for article files as `folio article
 * import` reads them: the front matter, the article rules it then applies
 * (core/article_rules.c, shared with the API), and the body through
 * Markdown. Aborts when a parsed file breaks what the importer relies on (a
 * title, a valid slug, a known status, a body inside the text), when a
 * refusal names no reason, no field, or a line the file does not have, or
 * when accepted tags do not join into valid, distinct names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/article_rules.h"
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

#define MAX_TAGS 64

static char *trimmed(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* The rules the importer applies next, with the tags split at commas. */
static void check_rules(const struct article_file *f)
{
    char *copy = strdup(f->tags ? f->tags : "");
    if (!copy)
        return;
    const char *names[MAX_TAGS];
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < MAX_TAGS; t = strtok_r(NULL, ",", &save))
        if (*(t = trimmed(t)))
            names[n++] = t;
    struct article_text text = { f->title, f->author ? f->author : "",
                                 f->source ? f->source : "", names, n,
                                 f->summary, f->image, f->image_alt };
    const char *field = NULL;
    char msg[256] = "";
    const char *problem = article_problem(&text, &field, msg, sizeof msg);
    if (problem && (!*problem || !field || !*field))
        abort();
    char *joined = problem ? NULL : article_tags_join(names, n);
    size_t count = 0;
    const char *seen[MAX_TAGS];
    save = NULL;
    for (char *t = joined ? strtok_r(joined, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        t = trimmed(t);
        if (!article_tag_valid(t) || count == MAX_TAGS)
            abort();
        for (size_t i = 0; i < count; i++)
            if (strcmp(seen[i], t) == 0)
                abort();    /* each tag once */
        seen[count++] = t;
    }
    free(joined);
    free(copy);
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
        check_rules(&f);
        article_file_free(&f);
    } else if (reason[0] == '\0' || line < 1 || line > count_lines(text)) {
        abort();
    }
    free(text);
    return 0;
}
