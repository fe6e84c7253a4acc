/* log: one line per event on stderr. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

__attribute__((format(printf, 3, 0)))
static void log_line(const char *level, const char *suffix, const char *fmt, va_list ap)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char line[2048];
    vsnprintf(line, sizeof line, fmt, ap);
    /* one fprintf call, so lines from several threads do not interleave */
    fprintf(stderr, "%s folio %s: %s%s\n", stamp, level, line, suffix);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("info", "", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("error", "", fmt, ap);
    va_end(ap);
}

void log_error_limited(struct log_limit *limit, const char *fmt, ...)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&limit->lock);
    bool due = now != limit->last;
    unsigned long suppressed = limit->suppressed;
    if (due) {
        limit->last = now;
        limit->suppressed = 0;
    } else {
        limit->suppressed++;
    }
    pthread_mutex_unlock(&limit->lock);
    if (!due)
        return;
    char suffix[64] = "";
    if (suppressed > 0)
        snprintf(suffix, sizeof suffix, " (and %lu more like it since the last line)",
                 suppressed);
    va_list ap;
    va_start(ap, fmt);
    log_line("error", suffix, fmt, ap);
    va_end(ap);
}
