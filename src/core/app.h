/* app: the state shared by every request worker (read-only once serving
 * starts) and each worker's own context. */
#ifndef FOLIO_APP_H
#define FOLIO_APP_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/http.h"
#include "core/template.h"

struct store;
struct word_list;

struct app {
    struct config cfg;
    struct tmpl_set *templates;
    unsigned char secret[32];       /* signs form tokens and cookies; kept in the database */
    struct word_list *moderation_keys;
    struct word_list *disallowed_keys;
    bool db_must_exist;             /* fcgi: a missing database is refused, not created */
    atomic_int stopping;
};

/* One per request thread: nothing here is shared between threads. */
struct worker {
    struct app *app;
    struct store *store;
    struct arena arena;             /* everything a request allocates; reset after it */
};

/* Loads templates, the secret and word lists; opens (creating, unless
 * db_must_exist, and migrating) the database once to check it. An empty
 * (0-byte) database file is refused. Returns 0 or 1 after printing the
 * cause. */
int app_init(struct app *app);
void app_free(struct app *app);

/* A worker with its own database connection; NULL after logging why. */
struct worker *worker_new(struct app *app);
void worker_free(struct worker *w);

/* The one entry point of the core: turns a request into a response. */
void folio_handle(struct worker *w, struct request *req, struct response *resp);

#endif
