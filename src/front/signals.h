/* signals: how both front ends wait for SIGTERM or SIGINT. The signals are
 * blocked before any thread starts, so every thread inherits the mask and
 * only the main thread, in sigwait, ever sees them; no handler runs. */
#ifndef FOLIO_FRONT_SIGNALS_H
#define FOLIO_FRONT_SIGNALS_H

#include <signal.h>

/* Blocks SIGTERM and SIGINT in the calling thread, filling `set` with them,
 * and ignores SIGPIPE (a client that went away is an error return, not a
 * death). Call before creating threads. Returns 0, or -1 after logging. */
int signals_block(sigset_t *set);

/* Waits for one of the signals in `set`; returns its number. */
int signals_wait(const sigset_t *set);

#endif
