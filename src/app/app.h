/* app: where folio is put together: the shared state and each worker made
 * from the configuration (templates, secret, word lists, the store), and
 * the one entry point that turns a request into a response (router.c). The
 * fronts and the CLI call this; nothing below them does. */
#ifndef FOLIO_APP_APP_H
#define FOLIO_APP_APP_H

#include "core/handler.h"

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
