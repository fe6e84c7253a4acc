/* Clean: a printf-style wrapper forwards its own fmt. */
#include <stdarg.h>
#include <stdio.h>

void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
