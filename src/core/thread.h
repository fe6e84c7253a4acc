/* thread: starting a helper thread that takes no signal. */
#ifndef FOLIO_THREAD_H
#define FOLIO_THREAD_H

#include <pthread.h>

/* pthread_create, with every signal blocked in the new thread: the fronts
 * wait for SIGTERM with sigwait in their main thread, which works only when
 * every other thread blocks it. Returns pthread_create's result. */
int thread_start_quiet(pthread_t *tid, void *(*fn)(void *), void *arg);

#endif
