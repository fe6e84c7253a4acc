/* compose: what each notification says: the webhook's JSON and each
 * mail's recipient, subject, text and links. */
#ifndef FOLIO_NOTIFY_COMPOSE_H
#define FOLIO_NOTIFY_COMPOSE_H

#include <stdbool.h>

#include "core/config.h"
#include "core/signed.h"
#include "notify/mail.h"
#include "store/store.h"

/* What composing needs besides the row: the options and the site's key. */
struct site {
    const struct config *cfg;
    const unsigned char *secret;    /* SIGN_KEY_BYTES: signs the links */
    const char *base;               /* --base-url and --base-path: links start here */
    const char *host;               /* of --base-url ("localhost" without one) */
    const char *from;               /* --mail-from, or folio@host */
};

/* The host of a URL ("https://news.example.org:8443/x": news.example.org),
 * or "localhost" when it has none that fits in len. */
void compose_host_of(const char *url, char *out, size_t len);

enum composed { COMPOSED, COMPOSE_NOTHING, COMPOSE_ERROR };

/* The webhook's body for the row: {"id", "event", "created_at", "comment",
 * "article": {"slug", "title", "url"}} with the comment as it is now.
 * COMPOSE_NOTHING when the comment is gone. */
enum composed compose_webhook(const struct site *site, struct store *s, struct arena *a,
                              const struct outbox_item *it, const char **body);
/* The mail for the row. COMPOSE_NOTHING when there is nobody to mail any
 * more (the comment is gone, the subscription ended or, for a
 * confirmation, was confirmed already). The editors' mail names the site
 * as `site` does (--base-url); a subscriber's, without --base-url, at the
 * address the subscriber posted to, and from folio@ its host unless
 * --mail-from says otherwise. */
enum composed compose_mail(const struct site *site, struct store *s, struct arena *a,
                           const struct outbox_item *it, struct mail *out);

#endif
