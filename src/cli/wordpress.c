/* wordpress: `folio import wordpress FILE.xml`: a WordPress export read as a
 * stream (core/wxr.c), its posts and comments mapped to folio's and stored
 * in one transaction, with a progress line on a terminal and a summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/export.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/form.h"
#include "core/html_clean.h"
#include "core/text.h"
#include "core/wxr.h"
#include "store/store.h"

static const char import_usage[] =
    "usage: folio import wordpress FILE.xml [--dry-run] [--db PATH]\n"
    "Reads a WordPress export (Tools > Export, WXR 1.0 to 1.2): posts become articles,\n"
    "their comments keep status, thread, author, email, url, address and date. Importing\n"
    "the same file again changes nothing. --dry-run reads and checks everything and\n"
    "prints the summary, but stores nothing.\n";

static const char *const import_options[] = { "dry-run", NULL };

#define MAX_KINDS 12

/* Things counted by name (post types, comment types) for the summary. */
struct tally {
    const char *names[MAX_KINDS];
    long counts[MAX_KINDS];
    long other;
};

static void tally_add(struct tally *t, const char *name)
{
    for (int i = 0; i < MAX_KINDS; i++) {
        if (!t->names[i])
            t->names[i] = strdup(name);
        if (t->names[i] && strcmp(t->names[i], name) == 0) {
            t->counts[i]++;
            return;
        }
    }
    t->other++;
}

static void tally_print(const char *label, const struct tally *t)
{
    printf("%s:", label);
    bool any = false;
    for (int i = 0; i < MAX_KINDS && t->names[i]; i++) {
        printf("%s %s %ld", any ? "," : "", t->names[i], t->counts[i]);
        any = true;
    }
    if (t->other)
        printf("%s other %ld", any ? "," : "", t->other);
    printf("%s\n", any || t->other ? "" : " none");
}

static void tally_free(struct tally *t)
{
    for (int i = 0; i < MAX_KINDS; i++)
        free((char *)t->names[i]);
}

struct importer {
    struct store *s;
    char *site;
    /* the post being read */
    int64_t article_id;
    bool post_skipped, post_unchanged, post_touched;
    const char *post_date;              /* for comments without a date */
    int64_t post_published_at;
    /* what happened */
    long created, updated, unchanged;
    long comments[CS_COUNT], comments_known;
    struct tally skipped_posts, skipped_comments;
    /* progress on a terminal */
    bool show_progress;
    uint64_t file_size;
    double started, last_shown;
    long items;
    struct buf html, title, text;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ctx, uint64_t bytes)
{
    struct importer *im = ctx;
    double now = now_seconds();
    if (!im->show_progress || now - im->last_shown < 0.5 || !im->file_size)
        return;
    im->last_shown = now;
    double elapsed = now - im->started, done = (double)bytes / (double)im->file_size;
    double rate = elapsed > 0 ? (double)bytes / elapsed : 0;
    double left = rate > 0 ? (double)(im->file_size - (bytes < im->file_size ? bytes : im->file_size)) / rate : 0;
    fprintf(stderr, "\r%5.1f%%  %ld items  %.1f MB/s  %d:%02d left \033[K", done * 100,
            im->items, rate / 1e6, (int)left / 60, (int)left % 60);
    fflush(stderr);
}

static int on_site(void *ctx, const char *site_url)
{
    struct importer *im = ctx;
    im->site = strdup(site_url);
    return im->site ? 0 : 1;
}

/* The folio status of a WordPress post status; false: not imported. */
static bool article_status(const char *wp, enum article_status *out)
{
    if (strcmp(wp, "publish") == 0)
        *out = AS_PUBLISHED;
    else if (strcmp(wp, "draft") == 0 || strcmp(wp, "pending") == 0 ||
             strcmp(wp, "private") == 0 || strcmp(wp, "future") == 0)
        *out = AS_DRAFT;
    else
        return false;
    return true;
}

/* A slug from the post's name, else its title, else its id; at most 180
 * characters. WordPress percent-encodes non-ASCII names: those go by title. */
static char *post_slug(const struct wxr_post *p, const char *title)
{
    char *slug = strchr(p->post_name, '%') ? NULL : slugify_dup(p->post_name);
    if (!slug || !*slug) {
        free(slug);
        slug = slugify_dup(title);
    }
    if (!slug || !*slug) {
        free(slug);
        slug = malloc(32);
        if (slug)
            snprintf(slug, 32, "post-%lld", (long long)p->id);
        return slug;
    }
    if (strlen(slug) > 180) {
        slug[180] = '\0';
        size_t n = strlen(slug);
        while (n && slug[n - 1] == '-')
            slug[--n] = '\0';
    }
    return slug;
}

/* The path of an old address, as the router will see it: percent-decoded,
 * without a trailing slash; "/?p=ID" kept with its query. */
static char *old_path(const char *link)
{
    const char *p = strstr(link, "://");
    if (!p)
        return NULL;
    p = strchr(p + 3, '/');
    if (!p || strchr(p, '?'))   /* "/?p=ID" is stored as it is */
        return NULL;
    size_t len = strcspn(p, "?#");
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    long n = url_decode(p, len, out, false);
    if (n < 0 || memchr(out, '\0', (size_t)n) || !utf8_valid(out, (size_t)n)) {
        free(out);
        return NULL;
    }
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    return out;
}

static int add_addresses(struct importer *im, const struct wxr_post *p)
{
    char query_form[48];
    snprintf(query_form, sizeof query_form, "/?p=%lld", (long long)p->id);
    if (p->id > 0 && store_old_address_add(im->s, query_form, im->article_id) != STORE_OK)
        return 1;
    char *path = old_path(p->link);
    int rc = 0;
    if (path && strcmp(path, "/") != 0 && store_old_address_add(im->s, path, im->article_id) != STORE_OK)
        rc = 1;
    free(path);
    return rc;
}

static int64_t post_time(const struct wxr_post *p)
{
    int64_t t;
    if (wxr_parse_date(p->date_gmt, &t) || wxr_parse_date(p->date, &t))
        return t;
    return (int64_t)time(NULL);
}

static int on_post(void *ctx, const struct wxr_post *p)
{
    struct importer *im = ctx;
    im->items++;
    im->post_skipped = true;
    enum article_status status = AS_DRAFT;
    bool imported = article_status(p->status, &status);
    if (strcmp(p->type, "post") != 0) {
        tally_add(&im->skipped_posts, p->type);
        return 0;
    }
    if (!imported) {
        tally_add(&im->skipped_posts, *p->status ? p->status : "no status");
        return 0;
    }
    if (p->id <= 0) {       /* nothing to know it by when it comes again */
        tally_add(&im->skipped_posts, "no post_id");
        return 0;
    }
    buf_reset(&im->html);
    buf_reset(&im->title);
    if (!html_clean_post(&im->html, p->content, strlen(p->content)) ||
        !html_to_line(&im->title, p->title, strlen(p->title)))
        return 1;
    const char *title = im->title.len ? buf_cstr(&im->title) : "Untitled";
    char *slug = post_slug(p, title);
    if (!slug)
        return 1;
    /* body_html is the article; body its text, for search and excerpts */
    buf_reset(&im->text);
    if (!html_to_text(&im->text, im->html.data ? im->html.data : "", im->html.len)) {
        free(slug);
        return 1;
    }
    struct article_input in = {
        .slug = slug, .title = title, .author = p->creator, .body = buf_cstr(&im->text),
        .body_html = buf_cstr(&im->html),
        .tags = p->tags, .source = "", .status = status, .published_at = post_time(p),
        .comments_open = strcmp(p->comment_status, "closed") != 0,
    };
    enum wp_outcome outcome;
    int rc = store_wp_post_save(im->s, im->site, p->id, &in, &outcome, &im->article_id);
    free(slug);
    if (rc != STORE_OK) {
        fprintf(stderr, "folio: line %d: post %lld could not be stored\n", p->line,
                (long long)p->id);
        return 1;
    }
    im->created += outcome == WP_CREATED;
    im->updated += outcome == WP_UPDATED;
    im->unchanged += outcome == WP_UNCHANGED;
    im->post_skipped = false;
    im->post_unchanged = outcome == WP_UNCHANGED;
    im->post_touched = false;
    im->post_published_at = in.published_at;
    return add_addresses(im, p);
}

/* The folio status of a comment_approved value. */
static enum comment_status comment_status(const char *approved)
{
    if (strcmp(approved, "1") == 0 || strcmp(approved, "approve") == 0)
        return CS_APPROVED;
    if (strcmp(approved, "spam") == 0)
        return CS_SPAM;
    if (strcmp(approved, "trash") == 0 || strcmp(approved, "post-trashed") == 0)
        return CS_TRASH;
    return CS_PENDING;
}

static const char *http_url_or_empty(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0 ? url : "";
}

static int on_comment(void *ctx, const struct wxr_comment *c)
{
    struct importer *im = ctx;
    im->items++;
    bool plain = !*c->type || strcmp(c->type, "comment") == 0;
    if (!plain) {
        tally_add(&im->skipped_comments, c->type);
        return 0;
    }
    if (im->post_skipped) {
        tally_add(&im->skipped_comments, "on skipped posts");
        return 0;
    }
    if (c->id <= 0) {
        tally_add(&im->skipped_comments, "no comment_id");
        return 0;
    }
    buf_reset(&im->text);
    buf_reset(&im->title);
    if (!html_to_text(&im->text, c->content, strlen(c->content)) ||
        !html_to_line(&im->title, c->author, strlen(c->author)))
        return 1;
    int64_t created_at;
    if (!wxr_parse_date(c->date_gmt, &created_at) && !wxr_parse_date(c->date, &created_at))
        created_at = im->post_published_at;
    enum comment_status status = comment_status(c->approved);
    struct comment_input in = {
        .article_id = im->article_id, .status = status, .author = buf_cstr(&im->title), .email = c->email,
        .url = http_url_or_empty(c->url), .body = buf_cstr(&im->text), .ip = c->ip,
        .user_agent = c->user_agent, .created_at = created_at,
    };
    bool created;
    if (store_wp_comment_save(im->s, im->site, c->id, c->parent, &in, &created) != STORE_OK) {
        fprintf(stderr, "folio: line %d: comment %lld could not be stored\n", c->line,
                (long long)c->id);
        return 1;
    }
    if (!created) {
        im->comments_known++;
        return 0;
    }
    im->comments[status]++;
    /* A new approved comment on an article imported before changes its page. */
    if (status == CS_APPROVED && im->post_unchanged && !im->post_touched) {
        im->post_touched = true;
        if (store_article_touch(im->s, im->article_id) != STORE_OK)
            return 1;
    }
    return 0;
}

static void print_summary(const struct importer *im, bool dry_run)
{
    printf("site: %s\n", im->site ? im->site : "");
    printf("articles: created %ld, updated %ld, unchanged %ld\n", im->created, im->updated,
           im->unchanged);
    printf("comments: created %ld (approved %ld, pending %ld, spam %ld, trash %ld), "
           "already imported %ld\n",
           im->comments[CS_PENDING] + im->comments[CS_APPROVED] + im->comments[CS_SPAM] +
               im->comments[CS_TRASH],
           im->comments[CS_APPROVED], im->comments[CS_PENDING], im->comments[CS_SPAM],
           im->comments[CS_TRASH], im->comments_known);
    tally_print("skipped posts", &im->skipped_posts);
    tally_print("skipped comments", &im->skipped_comments);
    if (dry_run)
        printf("dry run: nothing was stored\n");
}

/* Reads the whole file inside one transaction; commits unless dry_run. */
static int run_import(struct importer *im, const char *path, bool dry_run)
{
    if (store_temp_on_disk(im->s) != STORE_OK || store_begin(im->s) != STORE_OK)
        return 1;
    struct wxr_handler h = { .ctx = im, .site = on_site, .post = on_post,
                             .comment = on_comment, .progress = on_progress };
    char err[512];
    int rc = wxr_read(path, NULL, 0, &h, err, sizeof err);
    if (im->show_progress)
        fprintf(stderr, "\r\033[K");
    if (rc < 0)
        fprintf(stderr, "folio: %s: %s; nothing was imported\n", path, err);
    else if (rc > 0)
        fprintf(stderr, "folio: %s: the import stopped; nothing was imported\n", path);
    if (rc == 0 && store_wp_resolve_parents(im->s, im->site ? im->site : "") != STORE_OK)
        rc = 1;
    if (rc != 0 || dry_run) {
        store_rollback(im->s);
        return rc == 0 ? 0 : 1;
    }
    return store_commit(im->s) == STORE_OK ? 0 : 1;
}

int cmd_import(int argc, char **argv)
{
    struct config cfg;
    const char *words[4];
    int n;
    int rc = cli_parse(&cfg, argc, argv, import_options, words, 4, &n, import_usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n != 2 || strcmp(words[0], "wordpress") != 0) {
        fprintf(stderr, "folio import: %s\n%s",
                n == 0 ? "missing source" : n == 1 && strcmp(words[0], "wordpress") == 0
                    ? "missing FILE" : "unknown source or extra argument", import_usage);
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(words[1], &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "folio: %s: not a readable file\n", words[1]);
        return 1;
    }
    struct store *s = cli_open_store(&cfg, true);
    if (!s)
        return 1;
    struct importer im = { .s = s, .show_progress = isatty(STDERR_FILENO) == 1,
                           .file_size = (uint64_t)st.st_size, .started = now_seconds() };
    rc = run_import(&im, words[1], cfg.dry_run);
    if (rc == 0)
        print_summary(&im, cfg.dry_run);
    store_close(s);
    free(im.site);
    tally_free(&im.skipped_posts);
    tally_free(&im.skipped_comments);
    buf_free(&im.html);
    buf_free(&im.title);
    buf_free(&im.text);
    return rc;
}

/* ---- folio export wordpress ---- */

static const char export_usage[] =
    "usage: folio export wordpress [--output FILE] [--base-url URL] [--db PATH]\n"
    "Writes every article and comment as a WordPress export (WXR 1.2), which WordPress's\n"
    "importer (Tools > Import > WordPress) and `folio import wordpress` read. Links use\n"
    "--base-url (default http://localhost). Without --output, the file goes to stdout.\n";

static const char *const export_options[] = { "output", "base-url", "site-title", NULL };

static int write_to_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, ctx) == len ? 0 : 1;
}

int cmd_export(int argc, char **argv)
{
    struct config cfg;
    const char *words[4];
    int n;
    int rc = cli_parse(&cfg, argc, argv, export_options, words, 4, &n, export_usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n != 1 || strcmp(words[0], "wordpress") != 0) {
        fprintf(stderr, "folio export: %s\n%s",
                n == 0 ? "missing format (wordpress)" : "unknown format or extra argument",
                export_usage);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(&cfg, false);
    if (!s)
        return 1;
    FILE *out = cfg.output ? fopen(cfg.output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "folio: %s: cannot be written\n", cfg.output);
        store_close(s);
        return 1;
    }
    const char *site = *cfg.base_url ? cfg.base_url : "http://localhost";
    rc = export_wordpress(s, cfg.site_title, site, write_to_file, out) == STORE_OK ? 0 : 1;
    if ((cfg.output ? fclose(out) : fflush(out)) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "folio: the export %s%s failed\n", cfg.output ? "to " : "",
                cfg.output ? cfg.output : "");
    store_close(s);
    return rc;
}
