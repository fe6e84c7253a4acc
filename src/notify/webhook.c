/* webhook: the event's JSON POSTed with libcurl, signed with HMAC-SHA256. */
#include "notify/webhook.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

int webhook_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void webhook_signature(const unsigned char *key, size_t key_len, const char *body, size_t len,
                       char out[72])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

/* The answer's body is not wanted. */
static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* Ends a transfer at once when the server stops. */
static int progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                    curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load((const atomic_int *)arg) ? 1 : 0;
}

static struct curl_slist *headers_for(const unsigned char *key, size_t key_len, const char *event,
                                      const char *event_id, const char *body, size_t len)
{
    char line[128];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "X-Folio-Event: %s", event);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof line, "X-Folio-Delivery: %s", event_id);
    h = h ? curl_slist_append(h, line) : NULL;
    h = h ? curl_slist_append(h, "Expect:") : NULL;     /* no 100-continue round trip */
    if (h && key_len > 0) {
        char sig[72];
        webhook_signature(key, key_len, body, len, sig);
        snprintf(line, sizeof line, "X-Folio-Signature: %s", sig);
        h = curl_slist_append(h, line);
    }
    return h;
}

int webhook_post(const char *url, const unsigned char *key, size_t key_len, const char *event,
                 const char *event_id, const char *body, size_t len, int timeout_s,
                 const atomic_int *stop, char *err, size_t errlen)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = headers_for(key, key_len, event, event_id, body, len);
    if (!curl || !headers) {
        snprintf(err, errlen, "out of memory");
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        return -1;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);       /* threads: no SIGALRM for DNS */
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "folio/" FOLIO_VERSION);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)(timeout_s < 10 ? timeout_s : 10));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)timeout_s);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "the webhook answered HTTP %ld", status);
        return -1;
    }
    return 0;
}
