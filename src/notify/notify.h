/* notify: the delivery worker of a server process. It takes events from
 * the outbox (written by the store in the same transaction as the change
 * that caused them), posts them to the webhook or hands them to sendmail,
 * and retries with backoff for at least a day. Requests never wait on it. */
#ifndef FOLIO_NOTIFY_H
#define FOLIO_NOTIFY_H

#include "core/handler.h"

#define NOTIFY_GIVE_UP_SECONDS (24 * 60 * 60)   /* retried at least this long */
#define NOTIFY_BACKOFF_MAX 3600                 /* the longest wait between tries */
#define NOTIFY_POLL_MS 5000                     /* a look for other processes' events */

/* Checks the options --notify-webhook, --notify-secret, --notify-email,
 * --sendmail, --mail-from: 0, or 2 after printing the bad one. */
int notify_check_options(const struct config *cfg);

/* Reads the webhook's key, tells the store which deliveries events get,
 * and starts the worker thread. 0, or 1 after printing why not. Settings
 * from the environment: FOLIO_NOTIFY_RETRY_SECONDS (the first wait after a
 * failure, doubled each time; default 30) and FOLIO_NOTIFY_TIMEOUT (the
 * most one delivery may take, in seconds; default 20). */
int notify_start(struct app *app);
/* Stops the worker (a delivery in progress is abandoned and tried again
 * later) and waits for it. */
void notify_stop(void);

#endif
