/* addr: the HOST:PORT of the --listen option, for both front ends. */
#ifndef FOLIO_FRONT_ADDR_H
#define FOLIO_FRONT_ADDR_H

#include <sys/socket.h>

#define LISTEN_BACKLOG 1024

/* Resolves "HOST:PORT", "[IPV6]:PORT" or ":PORT" (every IPv4 address) into
 * ss and len. Returns 0, or -1 with *why set to a static sentence. */
int addr_parse(const char *hostport, struct sockaddr_storage *ss, socklen_t *len,
               const char **why);

/* Opens a listening TCP socket on hostport (the value of `option`, which
 * error messages name). Returns 0 with *fd set, 2 for a bad value or 1 for
 * a socket that cannot be opened, after printing why. */
int addr_listen(const char *option, const char *hostport, int *fd);

#endif
