/* log: one line per event on stderr (the journal under systemd). */
#ifndef FOLIO_LOG_H
#define FOLIO_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A rate limit for one kind of error that can come once per request (a
 * flood that runs the process out of file descriptors): at most one line a
 * second, which counts the lines left out since the one before. */
struct log_limit {
    pthread_mutex_t lock;
    time_t last;
    unsigned long suppressed;
};
#define LOG_LIMIT_INIT { PTHREAD_MUTEX_INITIALIZER, 0, 0 }

void log_error_limited(struct log_limit *limit, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
