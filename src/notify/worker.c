/* worker: one thread per server process that delivers the outbox. It
 * claims one due row at a time under a lease (so that processes sharing
 * the database never deliver the same row at once), delivers it, and
 * records the outcome; between rows it sleeps until a commit of this
 * process writes an event, the next row falls due, or NOTIFY_POLL_MS
 * passes (other processes' events). */
#include "notify/notify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/file.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/validate.h"
#include "notify/compose.h"
#include "notify/mail.h"
#include "notify/webhook.h"

#define KEY_MAX 4096

static struct {
    struct app *app;
    pthread_t thread;
    bool running;
    atomic_int stop;
    char id[48];                    /* claimed_by: this process */
    unsigned char key[KEY_MAX];     /* the webhook's, from --notify-secret */
    size_t key_len;
    int retry_seconds, timeout_s;
    struct site site;
} n;

/* ---- options ---- */

int notify_check_options(const struct config *cfg)
{
    const char *bad = NULL;
    if (cfg->notify_webhook[0] && !http_url_valid(cfg->notify_webhook))
        bad = "--notify-webhook wants an http:// or https:// URL";
    else if (cfg->notify_email[0] && !mail_address_ok(cfg->notify_email))
        bad = "--notify-email wants one address, such as editors@example.org";
    else if (cfg->mail_from[0] && !mail_address_ok(cfg->mail_from))
        bad = "--mail-from wants one address, such as folio@example.org";
    else if (cfg->notify_email[0] && !cfg->base_url[0])
        bad = "--notify-email needs --base-url: the approve and trash links in the editors' "
              "mail act without signing in, so they must name the site's real address, never "
              "one taken from a request's Host header";
    else if (cfg->notify_secret[0] && !cfg->notify_webhook[0])
        bad = "--notify-secret is the key of --notify-webhook, which is not set";
    else if (!cfg->sendmail[0] || cfg->sendmail[0] != '/')
        bad = "--sendmail wants an absolute path";
    if (bad) {
        fprintf(stderr, "folio: %s\n", bad);
        return 2;
    }
    /* Commenters may subscribe whatever the options; the links in their
     * mail then come from the request. Said once, when mail is asked for. */
    if (!cfg->base_url[0] && (cfg->mail_from[0] || strcmp(cfg->sendmail, SENDMAIL_DEFAULT) != 0))
        fprintf(stderr, "folio: warning: no --base-url: the links in mail to commenters "
                        "(confirm, unsubscribe) will name the address each commenter posted "
                        "to, taken from the request's Host header; set --base-url to the "
                        "site's address\n");
    return 0;
}

/* The key: the file's content less one trailing newline. */
static int read_key(const char *path)
{
    char err[512];
    char *text = file_read_text(path, err, sizeof err);
    if (!text) {
        fprintf(stderr, "folio: --notify-secret %s: %s\n", path, err);
        return 1;
    }
    size_t len = strlen(text);
    if (len > 0 && text[len - 1] == '\n')
        len--;
    if (len == 0 || len > KEY_MAX) {
        fprintf(stderr, "folio: --notify-secret %s: the key must hold 1 to %d bytes\n", path,
                KEY_MAX);
        sodium_memzero(text, strlen(text));
        free(text);
        return 1;
    }
    memcpy(n.key, text, len);
    n.key_len = len;
    sodium_memzero(text, strlen(text));
    free(text);
    return 0;
}

static int env_seconds(const char *name, int fallback, int max)
{
    const char *v = getenv(name);
    char *end;
    long x = v && *v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || x < 1 || x > max)
        return fallback;
    return (int)x;
}

static void set_up_site(struct app *app)
{
    const struct config *cfg = &app->cfg;
    n.site.cfg = cfg;
    n.site.secret = app->secret;
    static char base[1024], host[256], from[300];
    snprintf(base, sizeof base, "%s%s", cfg->base_url, cfg->base_path);
    n.site.base = base;
    compose_host_of(cfg->base_url, host, sizeof host);
    n.site.host = host;
    if (cfg->mail_from[0])
        snprintf(from, sizeof from, "%s", cfg->mail_from);
    else
        snprintf(from, sizeof from, "folio@%s", n.site.host);
    n.site.from = from;
}

/* Readers' mail is always on: the form always offers it (CONTRACT.md). */
static unsigned channels(const struct config *cfg)
{
    return (cfg->notify_webhook[0] ? NOTIFY_WEBHOOK : 0u) |
           (cfg->notify_email[0] ? NOTIFY_EDITOR_MAIL : 0u) | NOTIFY_READER_MAIL;
}

/* ---- one delivery ---- */

enum outcome { DELIVERED, RETRY, STOPPED };

static enum outcome deliver_webhook(struct store *s, struct arena *a,
                                    const struct outbox_item *it, char *err, size_t errlen)
{
    const char *body = NULL;
    enum composed c = compose_webhook(&n.site, s, a, it, &body);
    if (c != COMPOSED) {
        snprintf(err, errlen, "the event could not be composed");
        return c == COMPOSE_NOTHING ? DELIVERED : RETRY;
    }
    if (webhook_post(n.app->cfg.notify_webhook, n.key, n.key_len, it->event, it->event_id, body,
                     strlen(body), n.timeout_s, &n.stop, err, errlen) == 0)
        return DELIVERED;
    return atomic_load(&n.stop) ? STOPPED : RETRY;
}

static enum outcome deliver_mail(struct store *s, struct arena *a, const struct outbox_item *it,
                                 char *err, size_t errlen)
{
    struct mail m;
    enum composed c = compose_mail(&n.site, s, a, it, &m);
    if (c == COMPOSE_NOTHING)
        return DELIVERED;
    struct buf msg;
    buf_init_arena(&msg, a);
    if (c != COMPOSED || !mail_format(&msg, &m)) {
        snprintf(err, errlen, "the mail could not be composed (an address that cannot be "
                              "written in a header?)");
        return RETRY;
    }
    if (mail_send(n.app->cfg.sendmail, msg.data, msg.len, n.timeout_s, &n.stop, err, errlen) ==
        0)
        return DELIVERED;
    return atomic_load(&n.stop) ? STOPPED : RETRY;
}

/* Whether this process may deliver the row's channel now. */
static bool channel_on(const struct outbox_item *it)
{
    if (strcmp(it->channel, "webhook") == 0)
        return n.app->cfg.notify_webhook[0];
    return it->subscriber_of || n.app->cfg.notify_email[0];
}

static int64_t backoff(int64_t attempts)
{
    int64_t wait = n.retry_seconds;
    for (int64_t i = 1; i < attempts && wait < NOTIFY_BACKOFF_MAX; i++)
        wait *= 2;
    return wait < NOTIFY_BACKOFF_MAX ? wait : NOTIFY_BACKOFF_MAX;
}

static void handle(struct store *s, struct arena *a, const struct outbox_item *it)
{
    char err[512] = "";
    enum outcome o;
    if (!channel_on(it)) {
        snprintf(err, sizeof err, "this process has no %s configured", it->channel);
        o = RETRY;
    } else if (strcmp(it->channel, "webhook") == 0) {
        o = deliver_webhook(s, a, it, err, sizeof err);
    } else {
        o = deliver_mail(s, a, it, err, sizeof err);
    }
    int64_t now = (int64_t)time(NULL);
    if (o == DELIVERED) {
        store_outbox_delivered(s, it->row, n.id, now);
    } else if (o == STOPPED) {
        store_outbox_retry(s, it->row, n.id, now, "stopped while delivering");
    } else if (now - it->created_at >= NOTIFY_GIVE_UP_SECONDS) {
        log_error("notification %s (%s by %s, comment %lld) failed for good after %lld "
                  "attempts: %s",
                  it->event_id, it->event, it->channel, (long long)it->comment_id,
                  (long long)it->attempts, err);
        store_outbox_failed(s, it->row, n.id, now, err);
    } else {
        int64_t wait = backoff(it->attempts);
        log_error("notification %s (%s by %s): attempt %lld failed, next in %lld s: %s",
                  it->event_id, it->event, it->channel, (long long)it->attempts,
                  (long long)wait, err);
        store_outbox_retry(s, it->row, n.id, now + wait, err);
    }
}

/* ---- the thread ---- */

/* How long to sleep when nothing is due: until the next row falls due, or
 * the poll for other processes' rows, whichever is sooner. */
static long idle_ms(struct store *s)
{
    int64_t due = 0, now = (int64_t)time(NULL);
    if (store_outbox_next_due(s, &due) != STORE_OK || due == 0 || due <= now)
        return NOTIFY_POLL_MS;
    long ms = (long)(due - now) * 1000;
    return ms < NOTIFY_POLL_MS ? ms : NOTIFY_POLL_MS;
}

static void *run(void *arg)
{
    (void)arg;
    char err[1024];
    struct store *s = store_open(n.app->cfg.db_path, NULL, false, err, sizeof err);
    if (!s) {
        log_error("notifications: %s; none is delivered by this process", err);
        return NULL;
    }
    if (store_outbox_connection(s) != STORE_OK)
        log_error("notifications: each delivery waits for the disk twice");
    struct arena a = {0};
    uint64_t seen = 0;
    while (!atomic_load(&n.stop)) {
        struct outbox_item it;
        int64_t now = (int64_t)time(NULL);
        int rc = store_outbox_claim(s, &a, n.id, now, now + n.timeout_s + 10, &it);
        if (rc == STORE_OK)
            handle(s, &a, &it);
        else
            store_outbox_wait(&seen, rc == STORE_NOT_FOUND ? idle_ms(s) : NOTIFY_POLL_MS);
        arena_reset(&a);
    }
    arena_free(&a);
    store_close(s);
    return NULL;
}

int notify_start(struct app *app)
{
    n.app = app;
    if (app->cfg.notify_secret[0] && read_key(app->cfg.notify_secret) != 0)
        return 1;
    if (webhook_global_init() != 0) {
        fprintf(stderr, "folio: libcurl could not be initialised\n");
        return 1;
    }
    n.retry_seconds = env_seconds("FOLIO_NOTIFY_RETRY_SECONDS", 30, NOTIFY_BACKOFF_MAX);
    n.timeout_s = env_seconds("FOLIO_NOTIFY_TIMEOUT", 20, 600);
    unsigned char r[6];
    char hex[2 * sizeof r + 1];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(n.id, sizeof n.id, "%ld-%s", (long)getpid(), hex);
    set_up_site(app);
    store_notify_channels(channels(&app->cfg));
    atomic_store(&n.stop, 0);
    if (thread_start_quiet(&n.thread, run, NULL) != 0) {
        fprintf(stderr, "folio: cannot start the notification worker\n");
        return 1;
    }
    n.running = true;
    return 0;
}

void notify_stop(void)
{
    if (!n.running)
        return;
    atomic_store(&n.stop, 1);
    store_outbox_wake();
    pthread_join(n.thread, NULL);
    n.running = false;
    store_notify_channels(0);
}
