/* log: one line per event on stderr (the journal under systemd). */
#ifndef FOLIO_LOG_H
#define FOLIO_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
