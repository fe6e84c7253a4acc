/* app: start-up of the shared state, and each worker's own context. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/wordlist.h"
#include "store/store.h"

/* A --moderation-keys or --disallowed-keys file (none when path is unset). */
static int load_keys(const char *option, const char *path, struct word_list **out)
{
    char err[1024];
    *out = NULL;
    if (!path || !*path)
        return 0;
    *out = word_list_load(path, err, sizeof err);
    if (!*out) {
        fprintf(stderr, "folio: --%s %s\n", option, err);
        return 1;
    }
    return 0;
}

/* A server's database: an empty file is refused (it is no database, and
 * taking it as a new one would hide that the real one is gone); a missing
 * one is created by `serve` (with a word in the log) and refused by `fcgi`,
 * the production server, which must not start on an empty site by mistake. */
static struct store *open_database(struct app *app, char *err, size_t errlen)
{
    const char *path = app->cfg.db_path;
    enum store_file state = store_file_state(path);
    if (state == STORE_FILE_MISSING && app->db_must_exist) {
        snprintf(err, errlen, "database %s does not exist; create it with `folio init --db %s` "
                 "(folio fcgi never creates one)", path, path);
        return NULL;
    }
    if (state == STORE_FILE_EMPTY) {
        snprintf(err, errlen, "database %s is an empty file (0 bytes), not a folio database; "
                 "if it held the site, restore it from a backup, else `folio init --db %s` "
                 "makes a new database in it", path, path);
        return NULL;
    }
    struct store *s = store_open(path, app->cfg.sql_dir, true, err, errlen);
    if (s && state == STORE_FILE_MISSING)
        log_info("database %s did not exist: created a new, empty one", path);
    return s;
}

int app_init(struct app *app)
{
    config_resolve_paths(&app->cfg);
    char err[1024], dir[4096];
    snprintf(dir, sizeof dir, "%s/templates", app->cfg.www_dir);
    app->templates = tmpl_load_dir(dir, err, sizeof err);
    if (!app->templates) {
        fprintf(stderr, "folio: templates: %s\n", err);
        return 1;
    }
    struct store *s = open_database(app, err, sizeof err);
    if (!s) {
        fprintf(stderr, "folio: %s\n", err);
        return 1;
    }
    store_pin_file(s);      /* every worker must open this same file */
    store_read_only(s);     /* logs it, once: reading still works */
    int rc = store_secret(s, app->secret);
    store_close(s);
    if (rc != STORE_OK) {
        fprintf(stderr, "folio: database %s: cannot read or create the server secret\n",
                app->cfg.db_path);
        return 1;
    }
    if (load_keys("moderation-keys", app->cfg.moderation_keys, &app->moderation_keys) != 0 ||
        load_keys("disallowed-keys", app->cfg.disallowed_keys, &app->disallowed_keys) != 0)
        return 1;
    return 0;
}

void app_free(struct app *app)
{
    store_group_commit_close();
    tmpl_free(app->templates);
    app->templates = NULL;
    word_list_free(app->moderation_keys);
    word_list_free(app->disallowed_keys);
    app->moderation_keys = app->disallowed_keys = NULL;
}

struct worker *worker_new(struct app *app)
{
    struct worker *w = calloc(1, sizeof *w);
    if (!w) {
        log_error("out of memory creating a worker");
        return NULL;
    }
    w->app = app;
    char err[1024];
    /* The schema was migrated by app_init; workers only open. */
    w->store = store_open(app->cfg.db_path, NULL, false, err, sizeof err);
    if (!w->store) {
        log_error("%s", err);
        free(w);
        return NULL;
    }
    return w;
}

void worker_free(struct worker *w)
{
    if (!w)
        return;
    store_close(w->store);
    arena_free(&w->arena);
    free(w);
}
