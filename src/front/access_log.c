/* access_log: the combined log format, buffered per thread.
 *
 * A write(2) per request cost 3-4 µs of CPU, a fifth of a cached page's
 * whole cost. Each thread fills a buffer of its own instead (no lock taken
 * by another thread but the flusher's, once a second), and writes it when
 * the next line would not fit, or when the flusher thread finds it
 * non-empty: a line reaches the log within about a second, as with nginx's
 * `access_log ... buffer=64k flush=1s`. A buffer holds whole lines; on a
 * pipe (journald) it is at most PIPE_BUF bytes, so that one write is atomic:
 * lines of several threads never interleave. */
#include "front/access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"

#define PIPE_BUFFER_BYTES PIPE_BUF       /* 4096 on Linux: one write of it is atomic */
#define FILE_BUFFER_BYTES (64 * 1024)     /* a regular file: O_APPEND writes are whole */
#define LINE_MAX_BYTES 2048
#define FIELD_MAX_BYTES 512     /* a longer target, referer or agent is cut */
#define FLUSH_EVERY_S 1

struct thread_buffer {
    pthread_mutex_t lock;       /* its thread, and the flusher */
    size_t len;
    struct thread_buffer *next;
    char data[];                /* buffer_bytes */
};

static int log_fd = -1;         /* set once before the threads start */
static bool log_owned;
static size_t buffer_bytes = PIPE_BUFFER_BYTES;

static struct {
    pthread_mutex_t lock;       /* guards the list and `stopping` */
    pthread_cond_t stop;
    struct thread_buffer *all;
    bool stopping, flushing;
    pthread_t flusher;
} buffers = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, false, false, 0 };

static _Thread_local struct thread_buffer *mine;

/* Writes b out (its lock held). A full disk or a closed stderr must not
 * stop the answers: what cannot be written is dropped. */
static void flush_locked(struct thread_buffer *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = write(log_fd, b->data + done, b->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    b->len = 0;
}

static void flush_all(void)
{
    for (struct thread_buffer *b = buffers.all; b; b = b->next) {
        pthread_mutex_lock(&b->lock);
        if (b->len)
            flush_locked(b);
        pthread_mutex_unlock(&b->lock);
    }
}

static void *flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&buffers.lock);
    while (!buffers.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += FLUSH_EVERY_S;
        pthread_cond_timedwait(&buffers.stop, &buffers.lock, &until);
        flush_all();
    }
    pthread_mutex_unlock(&buffers.lock);
    return NULL;
}

/* The calling thread's buffer, made on its first line; NULL when out of
 * memory (the line is then written alone). */
static struct thread_buffer *my_buffer(void)
{
    if (mine)
        return mine;
    struct thread_buffer *b = calloc(1, sizeof *b + buffer_bytes);
    if (!b)
        return NULL;
    pthread_mutex_init(&b->lock, NULL);
    pthread_mutex_lock(&buffers.lock);
    b->next = buffers.all;
    buffers.all = b;
    pthread_mutex_unlock(&buffers.lock);
    return mine = b;
}

static int start_flusher(void)
{
    struct stat st;
    buffer_bytes = fstat(log_fd, &st) == 0 && S_ISREG(st.st_mode) ? FILE_BUFFER_BYTES
                                                                  : PIPE_BUFFER_BYTES;
    buffers.stopping = false;
    int err = pthread_create(&buffers.flusher, NULL, flusher_main, NULL);
    if (err != 0) {
        log_error("access log: cannot start a thread: %s", strerror(err));
        return 1;
    }
    buffers.flushing = true;
    return 0;
}

int access_log_open(const char *where, bool default_on)
{
    if (!where)
        where = default_on ? "-" : "off";
    if (strcmp(where, "off") == 0)
        return 0;
    if (strcmp(where, "-") == 0) {
        log_fd = STDERR_FILENO;
        return start_flusher();
    }
    log_fd = open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        fprintf(stderr, "folio: --access-log %s: %s\n", where, strerror(errno));
        return 1;
    }
    log_owned = true;
    return start_flusher();
}

void access_log_close(void)
{
    if (buffers.flushing) {
        pthread_mutex_lock(&buffers.lock);
        buffers.stopping = true;
        pthread_cond_signal(&buffers.stop);
        pthread_mutex_unlock(&buffers.lock);
        pthread_join(buffers.flusher, NULL);
        buffers.flushing = false;
    }
    /* every thread that wrote has been joined: the buffers are ours */
    struct thread_buffer *b = buffers.all;
    buffers.all = NULL;
    while (b) {
        struct thread_buffer *next = b->next;
        if (log_fd >= 0 && b->len)
            flush_locked(b);
        pthread_mutex_destroy(&b->lock);
        free(b);
        b = next;
    }
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

static void put_number(struct line *l, unsigned long long n)
{
    char digits[DECIMAL_MAX];
    put(l, digits, format_decimal(n, digits));
}

/* A field as nginx writes one: '"', '\\', control bytes and bytes past
 * ASCII as \xHH, so that a line cannot be forged or broken by a client;
 * "-" for none. */
static const uint64_t escaped[4] = {    /* a bit for each byte value */
    0xffffffffu | 1ull << '"',                      /* control bytes, '"' */
    1ull << ('\\' - 64) | 1ull << (0x7f - 64),       /* '\\', DEL */
    ~0ull, ~0ull,                                   /* past ASCII */
};

static bool needs_escape(unsigned char c)
{
    return escaped[c >> 6] >> (c & 63) & 1;
}

static void put_field(struct line *l, const char *s)
{
    if (!s || !*s) {
        put_str(l, "-");
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    /* straight into the line, a byte at a time: the fields are short, and
     * a call per run of plain bytes cost more than the bytes */
    char *out = l->data + l->len, *end = l->data + sizeof l->data;
    for (size_t i = 0; s[i] && i < FIELD_MAX_BYTES; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c)) {
            if (out == end)
                break;
            *out++ = (char)c;
            continue;
        }
        char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
        for (size_t k = 0; k < sizeof esc && out < end; k++)
            *out++ = esc[k];
    }
    l->len = (size_t)(out - l->data);
}

void access_log_write(const struct access_entry *e)
{
    if (log_fd < 0)
        return;
    struct line l;      /* not zeroed: 2 KiB each time, for nothing */
    l.len = 0;
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
    put_str(&l, "\" ");
    put_number(&l, e->status > 0 ? (unsigned long long)e->status : 0);
    put_str(&l, " ");
    if (e->bytes > 0)
        put_number(&l, (unsigned long long)e->bytes);
    else
        put_str(&l, "-");
    put_str(&l, " \"");
    put_field(&l, e->referer);
    put_str(&l, "\" \"");
    put_field(&l, e->user_agent);
    put_str(&l, "\"");
    if (l.len == sizeof l.data)
        l.len--;
    l.data[l.len++] = '\n';
    struct thread_buffer *b = my_buffer();
    if (!b) {
        ssize_t n = write(log_fd, l.data, l.len);
        (void)n;    /* dropped when it cannot be written, as in flush_locked */
        return;
    }
    pthread_mutex_lock(&b->lock);
    if (b->len + l.len > buffer_bytes)
        flush_locked(b);
    memcpy(b->data + b->len, l.data, l.len);
    b->len += l.len;
    pthread_mutex_unlock(&b->lock);
}
