/* mail: an RFC 5322 message of plain UTF-8 text, and handing it to
 * `sendmail -t -i` with a time limit. */
#ifndef FOLIO_NOTIFY_MAIL_H
#define FOLIO_NOTIFY_MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct mail {
    const char *from, *to;          /* bare addresses (addr-spec), nothing else */
    const char *subject;            /* any UTF-8 text: control characters become spaces */
    const char *body;               /* UTF-8 text, lines ending in \n */
    const char *message_id;         /* without the angle brackets: LOCAL@HOST */
    const char *unsubscribe_url;    /* NULL, or the RFC 8058 one-click address */
    int64_t date;                   /* Unix seconds */
};

/* True when s can stand alone as an address in a header: one @, no space,
 * control character, comma, angle bracket, quote or parenthesis. */
bool mail_address_ok(const char *s);

/* Writes the message (header and base64 body, lines ending in \n, which
 * sendmail turns into the wire's CR LF) into out. False when an address
 * is not mail_address_ok, the URL holds a character that could end the
 * header, or memory ran out: nothing reaches a header that could start
 * another one. */
bool mail_format(struct buf *out, const struct mail *m);

/* Runs `sendmail -t -i` (no shell) with the message on its standard input,
 * waiting at most timeout_s seconds (then it is killed, with its process
 * group) and giving up at once when *stop is set. 0 when it exited 0;
 * else -1 with the reason in err. */
int mail_send(const char *sendmail, const char *message, size_t len, int timeout_s,
              const atomic_int *stop, char *err, size_t errlen);

#endif
