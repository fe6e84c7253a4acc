/* access_log: the combined log format, one write(2) per line. */
#include "front/access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define LINE_MAX_BYTES 4096
#define FIELD_MAX_BYTES 1024    /* a longer target, referer or agent is cut */

static int log_fd = -1;         /* set once before the threads start */
static bool log_owned;

int access_log_open(const char *where, bool default_on)
{
    if (!where)
        where = default_on ? "-" : "off";
    if (strcmp(where, "off") == 0)
        return 0;
    if (strcmp(where, "-") == 0) {
        log_fd = STDERR_FILENO;
        return 0;
    }
    log_fd = open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        fprintf(stderr, "folio: --access-log %s: %s\n", where, strerror(errno));
        return 1;
    }
    log_owned = true;
    return 0;
}

void access_log_close(void)
{
    if (log_owned)
        close(log_fd);
    log_fd = -1;
    log_owned = false;
}

bool access_log_enabled(void)
{
    return log_fd >= 0;
}

/* The time as "[02/Dec/2026:05:10:00 +0000]", formatted once a second per
 * thread. */
static const char *stamp(void)
{
    static _Thread_local time_t cached_at = -1;
    static _Thread_local char text[40];
    time_t now = time(NULL);
    if (now != cached_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
        cached_at = now;
    }
    return text;
}

struct line {
    char data[LINE_MAX_BYTES];
    size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (n > sizeof l->data - l->len)
        n = sizeof l->data - l->len;
    memcpy(l->data + l->len, s, n);
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* A field as nginx writes one: '"', '\\', control bytes and bytes past
 * ASCII as \xHH, so that a line cannot be forged or broken by a client;
 * "-" for none. */
static void put_field(struct line *l, const char *s)
{
    if (!s || !*s) {
        put_str(l, "-");
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; s[i] && i < FIELD_MAX_BYTES; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            put(l, esc, sizeof esc);
        } else {
            put(l, (const char *)&c, 1);
        }
    }
}

void access_log_write(const struct access_entry *e)
{
    if (log_fd < 0)
        return;
    struct line l = { .len = 0 };
    char num[32];
    put_field(&l, e->client);
    put_str(&l, " - - ");
    put_str(&l, stamp());
    put_str(&l, " \"");
    put_field(&l, e->method);
    put_str(&l, " ");
    put_field(&l, e->target);
    if (e->protocol && *e->protocol) {
        put_str(&l, " ");
        put_field(&l, e->protocol);
    }
    snprintf(num, sizeof num, "\" %d ", e->status);
    put_str(&l, num);
    if (e->bytes > 0) {
        snprintf(num, sizeof num, "%lld", e->bytes);
        put_str(&l, num);
    } else {
        put_str(&l, "-");
    }
    put_str(&l, " \"");
    put_field(&l, e->referer);
    put_str(&l, "\" \"");
    put_field(&l, e->user_agent);
    put_str(&l, "\"");
    if (l.len == sizeof l.data)
        l.len--;
    l.data[l.len++] = '\n';
    /* a full disk or a closed stderr must not stop the answer: drop it */
    ssize_t n;
    do
        n = write(log_fd, l.data, l.len);
    while (n < 0 && errno == EINTR);
}
