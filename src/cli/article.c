/* article: `folio article import FILE...`, `list`, and `publish`, `unpublish`
 * or `delete SLUG`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/import.h"
#include "core/article_rules.h"
#include "core/file.h"
#include "core/frontmatter.h"
#include "core/markdown.h"
#include "core/text.h"
#include "store/store.h"

static const char usage[] =
    "usage: folio article import FILE... [--db PATH]\n"
    "       folio article list [--db PATH]\n"
    "       folio article publish|unpublish|delete SLUG [--db PATH]\n"
    "import:    Markdown files with front matter, inserted or updated by slug;\n"
    "           prints each one's slug, what happened and its status.\n"
    "list:      slug, status, date, title and comment counts of every article.\n"
    "publish:   the article is on the site (its date is kept).\n"
    "unpublish: the article is a draft again: its page answers 404.\n"
    "delete:    the article and its comments are gone.\n";

#define TAG_WORDS_MAX (ARTICLE_TAGS_MAX + 1)  /* one more tells "too many" */

/* The front matter's "a, b" as trimmed names (empty items skipped), into
 * names[] of `copy`, a writable copy of tags. Returns how many. */
static size_t split_tags(char *copy, const char **names)
{
    size_t n = 0;
    for (char *item = strtok(copy, ","); item && n < TAG_WORDS_MAX; item = strtok(NULL, ",")) {
        char *end = item + strlen(item);
        while (*item == ' ' || *item == '\t')
            item++;
        while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (*item)
            names[n++] = item;
    }
    return n;
}

/* The API's rules (article_rules.h) for the parsed file; prints the first
 * problem and returns false, or sets *tags to the tags as stored. */
static bool article_file_ok(const char *path, const struct article_file *f, char **tags)
{
    char *copy = strdup(f->tags ? f->tags : "");
    const char *names[TAG_WORDS_MAX];
    struct article_text t = {
        .title = f->title, .author = f->author ? f->author : "",
        .source = f->source ? f->source : "", .tags = names,
        .summary = f->summary, .image = f->image, .image_alt = f->image_alt,
        .tag_count = copy ? split_tags(copy, names) : 0,
    };
    const char *field;
    char msg[128];
    const char *problem = copy ? article_problem(&t, &field, msg, sizeof msg) : NULL;
    if (problem)
        fprintf(stderr, "folio: %s: %s: %s\n", path, field, problem);
    *tags = copy && !problem ? article_tags_join(names, t.tag_count) : NULL;
    if (!problem && !*tags)
        fprintf(stderr, "folio: %s: out of memory\n", path);
    free(copy);
    return *tags != NULL;
}

/* Checks and stores the parsed file f (its Markdown rendered now); prints
 * what happened and the article's status: "slug: created (draft)". */
static int save_article_file(struct store *s, const char *path, const struct article_file *f)
{
    enum article_status status;
    if (!article_status_parse(f->status, &status)) {   /* the front matter checked it */
        fprintf(stderr, "folio: %s: status: not draft or published\n", path);
        return 1;
    }
    char *tags;
    if (!article_file_ok(path, f, &tags))
        return 1;
    char *html = markdown_render(f->body, strlen(f->body));
    struct article_input in = {
        .slug = f->slug, .title = f->title, .author = f->author ? f->author : "",
        .body = f->body, .body_html = html ? html : "", .tags = tags,
        .source = f->source ? f->source : "", .status = status,
        .summary = f->summary, .image = f->image, .image_alt = f->image_alt,
        .published_at = f->date, .comments_open = f->comments_open,
    };
    bool created = false;
    int rc = html ? store_article_save(s, &in, &created) : STORE_ERROR;
    if (rc == STORE_OK)
        printf("%s: %s (%s)\n", f->slug, created ? "created" : "updated", f->status);
    else
        fprintf(stderr, "folio: %s: could not be stored (see the error above)\n", path);
    free(html);
    free(tags);
    return rc == STORE_OK ? 0 : 1;
}

/* True when an article with this slug is stored (in any status). */
static bool article_exists(struct store *s, const char *slug)
{
    struct arena a = {0};
    struct article found;
    bool exists = store_article_by_slug(s, &a, slug, false, &found) == STORE_OK;
    arena_free(&a);
    return exists;
}

int import_article_file(struct store *s, const char *path, bool keep_existing)
{
    char err[512];
    char *text = file_read_text(path, err, sizeof err);
    if (!text) {
        fprintf(stderr, "folio: %s: %s\n", path, err);
        return 1;
    }
    struct article_file f;
    int line;
    if (!frontmatter_parse(text, (int64_t)time(NULL), &f, &line, err, sizeof err)) {
        fprintf(stderr, "folio: %s:%d: %s\n", path, line, err);
        free(text);
        return 1;
    }
    int rc = 0;
    if (keep_existing && article_exists(s, f.slug))
        printf("%s: kept\n", f.slug);
    else
        rc = save_article_file(s, path, &f);
    article_file_free(&f);
    free(text);
    return rc;
}

static int article_import(struct store *s, const char **files, int count)
{
    int failed = 0;
    for (int i = 0; i < count; i++)
        failed |= import_article_file(s, files[i], false);
    return failed ? 1 : 0;
}

static int article_list(struct store *s)
{
    struct arena a = {0};
    struct article_list list;
    int rc = store_articles_all(s, &a, &list);
    if (rc == STORE_OK) {
        printf("%-32s %-9s %-10s %7s %8s %4s %5s  %s\n", "SLUG", "STATUS", "DATE", "PENDING",
               "APPROVED", "SPAM", "TRASH", "TITLE");
        for (size_t i = 0; i < list.count; i++) {
            const struct article *ar = &list.items[i];
            char date[32];
            format_rfc3339(ar->published_at, date, sizeof date);
            date[10] = '\0';
            printf("%-32s %-9s %-10s %7lld %8lld %4lld %5lld  %s\n", ar->slug,
                   article_status_name(ar->status), date,
                   (long long)ar->counts[CS_PENDING], (long long)ar->counts[CS_APPROVED],
                   (long long)ar->counts[CS_SPAM], (long long)ar->counts[CS_TRASH], ar->title);
        }
    }
    arena_free(&a);
    return rc == STORE_OK ? 0 : 1;
}

/* publish, unpublish: the status changes, nothing else. */
static int article_set_status(struct store *s, const char *slug, enum article_status status)
{
    int rc = slug_valid(slug) ? store_article_set_status(s, slug, status) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: there is no article with the slug '%s'\n", slug);
    else if (rc == STORE_OK)
        printf("%s: %s\n", slug, article_status_name(status));
    return rc == STORE_OK ? 0 : 1;
}

static int article_delete(struct store *s, const char *slug)
{
    int rc = slug_valid(slug) ? store_article_delete(s, slug) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: there is no article with the slug '%s'\n", slug);
    else if (rc == STORE_OK)
        printf("%s: deleted\n", slug);
    return rc == STORE_OK ? 0 : 1;
}

static const struct {
    const char *name;
    int min_words, max_words;   /* after the subcommand's name */
    const char *missing;        /* what a missing word is called */
} subcommands[] = {
    { "import", 1, 255, "FILE" },
    { "list", 0, 0, NULL },
    { "publish", 1, 1, "SLUG" },
    { "unpublish", 1, 1, "SLUG" },
    { "delete", 1, 1, "SLUG" },
};

/* The subcommand named by words[0], checked against its number of
 * arguments; -1 after printing what is wrong. */
static int find_subcommand(const char **words, int n)
{
    if (n == 0) {
        fprintf(stderr, "folio article: missing subcommand\n%s", usage);
        return -1;
    }
    for (int i = 0; i < (int)(sizeof subcommands / sizeof subcommands[0]); i++) {
        if (strcmp(words[0], subcommands[i].name) != 0)
            continue;
        if (n - 1 < subcommands[i].min_words) {
            fprintf(stderr, "folio article %s: missing %s\n", words[0], subcommands[i].missing);
            return -1;
        }
        if (n - 1 > subcommands[i].max_words) {
            fprintf(stderr, "folio article %s: unexpected argument '%s'\n%s", words[0],
                    words[1 + subcommands[i].max_words], usage);
            return -1;
        }
        return i;
    }
    fprintf(stderr, "folio article: unknown subcommand or argument '%s'\n%s", words[0], usage);
    return -1;
}

int cmd_article(int argc, char **argv)
{
    struct config cfg;
    const char *words[256];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 256, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    int sub = find_subcommand(words, n);
    if (sub < 0)
        return EXIT_USAGE;
    struct store *s = cli_open_store(&cfg, true);
    if (!s)
        return 1;
    const char *name = subcommands[sub].name;
    if (strcmp(name, "import") == 0)
        rc = article_import(s, words + 1, n - 1);
    else if (strcmp(name, "list") == 0)
        rc = article_list(s);
    else if (strcmp(name, "delete") == 0)
        rc = article_delete(s, words[1]);
    else
        rc = article_set_status(s, words[1], strcmp(name, "publish") == 0 ? AS_PUBLISHED : AS_DRAFT);
    store_close(s);
    return rc;
}
