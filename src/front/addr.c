/* addr: parsing and resolving HOST:PORT. */
#include "front/addr.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HOST_MAX 256

/* Splits hostport at its last ':' into host (brackets of an IPv6 literal
 * removed) and port; false when it has no port or the host is too long. */
static bool split(const char *hostport, char *host, const char **port)
{
    const char *colon = strrchr(hostport, ':');
    if (!colon || colon[1] == '\0')
        return false;
    const char *start = hostport;
    const char *end = colon;
    if (*start == '[') {
        if (end == start || end[-1] != ']')
            return false;
        start++;
        end--;
    } else if (memchr(start, ':', (size_t)(end - start))) {
        return false;  /* an IPv6 address needs its brackets */
    }
    size_t len = (size_t)(end - start);
    if (len >= HOST_MAX)
        return false;
    memcpy(host, start, len);
    host[len] = '\0';
    *port = colon + 1;
    return true;
}

static bool port_valid(const char *port)
{
    long value = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9' || p - port >= 5)
            return false;
        value = value * 10 + (*p - '0');
    }
    return value >= 1 && value <= 65535;
}

int addr_parse(const char *hostport, struct sockaddr_storage *ss, socklen_t *len,
               const char **why)
{
    char host[HOST_MAX];
    const char *port;
    if (!hostport || !split(hostport, host, &port) || !port_valid(port)) {
        *why = "expected HOST:PORT, [IPV6]:PORT or :PORT with a port from 1 to 65535";
        return -1;
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    struct addrinfo *res = NULL;
    int err = getaddrinfo(host[0] ? host : "0.0.0.0", port, &hints, &res);
    if (err != 0) {
        *why = gai_strerror(err);
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int addr_listen(const char *option, const char *hostport, int *fd)
{
    struct sockaddr_storage ss;
    socklen_t len;
    const char *why;
    if (addr_parse(hostport, &ss, &len, &why) != 0) {
        fprintf(stderr, "folio: %s %s: %s\n", option, hostport ? hostport : "", why);
        return 2;
    }
    int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
        || bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, LISTEN_BACKLOG) != 0) {
        fprintf(stderr, "folio: cannot listen on %s: %s\n", hostport, strerror(errno));
        if (s >= 0)
            close(s);
        return 1;
    }
    *fd = s;
    return 0;
}
