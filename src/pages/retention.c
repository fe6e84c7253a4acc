/* retention: commenters' addresses and user agents blanked after
 * --retain-addresses days, by the server, without a cron job. */
#include "pages/retention.h"

#include <stdatomic.h>
#include <time.h>

#include "core/handler.h"
#include "core/log.h"
#include "store/store.h"

#define SWEEP_EVERY (60 * 60)
#define SWEEP_EVERY_UNKEPT 60
/* Under --retain-addresses 0 the comment form stores a keyed hash of the
 * address for the rate limit (comment_post.c); it goes once the rate
 * limit's window has passed. */
#define RATE_WINDOW (10 * 60)

/* When the next sweep is due (Unix seconds); 0: at the first request. */
static _Atomic long long next_sweep;

void retention_after_request(struct worker *w)
{
    int days = w->app->cfg.retain_addresses;
    if (days < 0)
        return;
    long long now = (long long)time(NULL), due = atomic_load(&next_sweep);
    long long every = days == 0 ? SWEEP_EVERY_UNKEPT : SWEEP_EVERY;
    /* one worker of the process takes the sweep; the others go on */
    if (now < due || !atomic_compare_exchange_strong(&next_sweep, &due, now + every))
        return;
    int64_t before = days == 0 ? now - RATE_WINDOW : now - (int64_t)days * 86400;
    int64_t count = 0;
    if (store_blank_addresses(w->store, before, RETENTION_BATCH, &count) != STORE_OK) {
        log_error("retention: the addresses of old comments could not be blanked");
        return;
    }
    if (count == RETENTION_BATCH)
        atomic_store(&next_sweep, now);     /* more to do: the next request goes on */
}
