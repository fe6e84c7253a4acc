/* access_log: one line per request in the combined log format (Apache's
 * and nginx's "combined"), for both front ends. */
#ifndef FOLIO_FRONT_ACCESS_LOG_H
#define FOLIO_FRONT_ACCESS_LOG_H

#include <stdbool.h>

struct access_entry {
    const char *client;         /* the client's address (X-Forwarded-For applied) */
    const char *method;
    const char *target;         /* as sent: path and query */
    const char *protocol;       /* "HTTP/1.1"; NULL or "" when not known */
    int status;
    long long bytes;            /* body bytes sent */
    const char *referer;
    const char *user_agent;
};

/* Opens the log named by --access-log: NULL for the front's default
 * (default_on: stderr; else off), "-" for stderr, "off", or a file, appended
 * to; starts the thread that flushes the buffers once a second. Returns 0,
 * or 1 after printing why. */
int access_log_open(const char *where, bool default_on);
/* Writes what is buffered and stops; only once every thread that writes
 * lines has been joined. */
void access_log_close(void);

/* True when lines are written; the fronts skip gathering an entry if not. */
bool access_log_enabled(void);

/* Adds one line to the calling thread's buffer (see access_log.c). */
void access_log_write(const struct access_entry *e);

#endif
