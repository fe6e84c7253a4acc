/* app: start-up of the shared state, and each worker's own context. */
#include "core/app.h"

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
    struct store *s = store_open(app->cfg.db_path, app->cfg.sql_dir, true, err, sizeof err);
    if (!s) {
        fprintf(stderr, "folio: %s\n", err);
        return 1;
    }
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
