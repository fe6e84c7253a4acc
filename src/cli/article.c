/* article: `folio article import FILE...` and `folio article list`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/import.h"
#include "core/file.h"
#include "core/frontmatter.h"
#include "core/markdown.h"
#include "core/text.h"
#include "store/store.h"

static const char usage[] =
    "usage: folio article import FILE... [--db PATH]\n"
    "       folio article list [--db PATH]\n"
    "import: Markdown files with front matter, inserted or updated by slug.\n"
    "list:   slug, status, date, title and comment counts of every article.\n";

/* Stores the parsed file f (its Markdown rendered now); prints what happened. */
static int save_article_file(struct store *s, const char *path, const struct article_file *f)
{
    char *html = markdown_render(f->body, strlen(f->body));
    struct article_input in = {
        .slug = f->slug, .title = f->title, .author = f->author ? f->author : "",
        .body = f->body, .body_html = html ? html : "", .tags = f->tags ? f->tags : "",
        .source = f->source ? f->source : "", .status = f->status,
        .published_at = f->date, .comments_open = f->comments_open,
    };
    bool created = false;
    int rc = html ? store_article_save(s, &in, &created) : STORE_ERROR;
    if (rc == STORE_OK)
        printf("%s: %s\n", f->slug, created ? "created" : "updated");
    else
        fprintf(stderr, "folio: %s: could not be stored (see the error above)\n", path);
    free(html);
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
            printf("%-32s %-9s %-10s %7lld %8lld %4lld %5lld  %s\n", ar->slug, ar->status, date,
                   (long long)ar->counts[CS_PENDING], (long long)ar->counts[CS_APPROVED],
                   (long long)ar->counts[CS_SPAM], (long long)ar->counts[CS_TRASH], ar->title);
        }
    }
    arena_free(&a);
    return rc == STORE_OK ? 0 : 1;
}

int cmd_article(int argc, char **argv)
{
    struct config cfg;
    const char *words[256];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 256, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    bool import = n >= 1 && strcmp(words[0], "import") == 0;
    bool list = n == 1 && strcmp(words[0], "list") == 0;
    if (!import && !list) {
        if (n == 0)
            fprintf(stderr, "folio article: missing subcommand\n%s", usage);
        else
            fprintf(stderr, "folio article: unknown subcommand or argument '%s'\n%s",
                    strcmp(words[0], "list") == 0 && n > 1 ? words[1] : words[0], usage);
        return EXIT_USAGE;
    }
    if (import && n == 1) {
        fprintf(stderr, "folio article import: missing FILE\n");
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(&cfg, true);
    if (!s)
        return 1;
    rc = import ? article_import(s, words + 1, n - 1) : article_list(s);
    store_close(s);
    return rc;
}
