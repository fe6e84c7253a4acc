/* webhook: one signed POST of an event's JSON (libcurl). */
#ifndef FOLIO_NOTIFY_WEBHOOK_H
#define FOLIO_NOTIFY_WEBHOOK_H

#include <stdatomic.h>
#include <stddef.h>

/* Once per process, before any thread posts (curl_global_init). */
int webhook_global_init(void);

/* The X-Folio-Signature value for body: "sha256=" and the hex HMAC-SHA256
 * of the raw body under key (any length). out holds 7 + 64 + 1 bytes. */
void webhook_signature(const unsigned char *key, size_t key_len, const char *body, size_t len,
                       char out[72]);

/* POSTs body (application/json) to url, signed when key_len > 0, within
 * timeout_s seconds (connecting within the lesser of that and 10 s), and
 * gives up at once when *stop is set. 0 for a 2xx answer; else -1 with the
 * reason in err. No redirect is followed; only http and https are spoken. */
int webhook_post(const char *url, const unsigned char *key, size_t key_len, const char *event,
                 const char *event_id, const char *body, size_t len, int timeout_s,
                 const atomic_int *stop, char *err, size_t errlen);

#endif
