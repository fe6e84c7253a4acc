/* signals: blocking the stop signals and waiting for them. */
#include "front/signals.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/log.h"

int signals_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    int err = pthread_sigmask(SIG_BLOCK, set, NULL);
    if (err != 0) {
        log_error("pthread_sigmask: %s", strerror(err));
        return -1;
    }
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    if (sigaction(SIGPIPE, &ign, NULL) != 0) {
        log_error("sigaction SIGPIPE: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int signals_wait(const sigset_t *set)
{
    int sig = 0;
    /* sigwait fails only for an invalid set; loop in case of EINTR anyway */
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}
