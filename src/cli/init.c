/* init: `folio init [--demo]`: create or migrate the database, and load
 * the sample site. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/import.h"
#include "core/text.h"
#include "store/store.h"

static const char *const init_options[] = { "demo", NULL };

static const char usage[] =
    "usage: folio init [--demo] [--db PATH]\n"
    "Creates the database, or migrates it to the current schema; safe to run again.\n"
    "--demo also loads the sample articles and comments from www/demo.\n";

#define DEMO_MAX_COMMENTS 64
#define DEMO_FIELDS 8

/* Turns the two characters "\n" into a newline, in place. */
static void unescape_newlines(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == 'n') {
            *o++ = '\n';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static int split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* One line of comments.tsv: slug, ref, parent ref, author, email, url,
 * created_at, body. Comments are stored approved, parents before replies. */
static int load_demo_comment(struct store *s, struct arena *a, char *line, const char *path,
                             int lineno, char refs[][32], int64_t *ids, int *count)
{
    char *f[DEMO_FIELDS];
    line[strcspn(line, "\r\n")] = '\0';
    if (*line == '\0')
        return 0;
    int64_t created;
    if (split_tabs(line, f, DEMO_FIELDS) != DEMO_FIELDS || !parse_rfc3339(f[6], &created)) {
        fprintf(stderr, "folio: %s:%d: expected 8 tab-separated fields with an RFC 3339 time\n",
                path, lineno);
        return 1;
    }
    struct article art;
    if (store_article_by_slug(s, a, f[0], false, &art) != STORE_OK) {
        fprintf(stderr, "folio: %s:%d: no article '%s'\n", path, lineno, f[0]);
        return 1;
    }
    if (art.counts[CS_APPROVED] > 0 && *count == 0)
        return -1;  /* loaded before: keep the comments that are there */
    int64_t parent = 0;
    for (int i = 0; i < *count && f[2][0]; i++)
        if (strcmp(refs[i], f[2]) == 0)
            parent = ids[i];
    unescape_newlines(f[7]);
    struct comment_input in = { .article_id = art.id, .parent_id = parent, .status = CS_APPROVED,
                                .author = f[3], .email = f[4], .url = f[5], .body = f[7],
                                .ip = "127.0.0.1", .user_agent = "folio init --demo",
                                .created_at = created };
    int64_t id;
    if (*count == DEMO_MAX_COMMENTS || store_comment_insert(s, &in, &id) != STORE_OK ||
        store_article_touch(s, art.id) != STORE_OK) {
        fprintf(stderr, "folio: %s:%d: the comment could not be stored\n", path, lineno);
        return 1;
    }
    snprintf(refs[*count], 32, "%s", f[1]);
    ids[(*count)++] = id;
    return 0;
}

static int load_demo_comments(struct store *s, const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;   /* a site's own demo may come without comments */
    char refs[DEMO_MAX_COMMENTS][32];
    int64_t ids[DEMO_MAX_COMMENTS];
    int count = 0, lineno = 0, rc = 0;
    char line[8192];
    struct arena a = {0};
    store_begin(s);
    while (rc == 0 && fgets(line, sizeof line, file)) {
        lineno++;
        rc = load_demo_comment(s, &a, line, path, lineno, refs, ids, &count);
    }
    fclose(file);
    arena_free(&a);
    if (rc > 0) {
        store_rollback(s);
        return 1;
    }
    return store_commit(s) == STORE_OK ? 0 : 1;
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int load_demo(struct store *s, const char *www_dir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo", www_dir);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "folio: %s: the sample site is missing\n", dir);
        return 1;
    }
    char *files[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(de->d_name);
        if (len > 3 && strcmp(de->d_name + len - 3, ".md") == 0 && de->d_name[0] != '.')
            files[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(files, (size_t)n, sizeof *files, name_cmp);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        rc |= import_article_file(s, path, true);   /* a site's edits stay */
        free(files[i]);
    }
    char tsv[4400];
    snprintf(tsv, sizeof tsv, "%s/comments.tsv", dir);
    return rc ? rc : load_demo_comments(s, tsv);
}

int cmd_init(int argc, char **argv)
{
    struct config cfg;
    const char *words[1];
    int n;
    int rc = cli_parse(&cfg, argc, argv, init_options, words, 0, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct store *s = cli_open_store(&cfg, true);
    if (!s)
        return 1;
    unsigned char secret[32];
    rc = store_secret(s, secret) == STORE_OK ? 0 : 1;
    if (rc == 0 && cfg.demo)
        rc = load_demo(s, cfg.www_dir);
    store_close(s);
    if (rc == 0)
        printf("%s: ready\n", cfg.db_path);
    return rc;
}
