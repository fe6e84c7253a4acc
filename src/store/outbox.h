/* outbox: the events a change writes in its own transaction (comments.c,
 * moderation.c), for the worker to deliver after the commit (store.h has
 * the worker's side). Only files in store/ include this. */
#ifndef FOLIO_OUTBOX_H
#define FOLIO_OUTBOX_H

#include <stdint.h>

#include "store/db.h"

/* A new comment waits in the queue: comment.held to the webhook and the
 * editors' mail, as configured. */
int outbox_comment_held(struct store *s, int64_t comment_id, int64_t now);
/* A comment became approved: comment.approved to the webhook and to its
 * confirmed subscriber; when it is a reply to a comment with a confirmed
 * subscriber (someone else), comment.reply to the webhook and that one. */
int outbox_comment_approved(struct store *s, int64_t comment_id, int64_t now);
/* The commenter asked to be mailed: the subscription, unconfirmed, and the
 * mail that asks to confirm it. Nothing when reader mail is off (no server).
 * link_base: where its mail's links start when there is no --base-url
 * (NULL or "": --base-url). */
int outbox_subscribe(struct store *s, int64_t comment_id, const char *email,
                     const char *link_base, int64_t now);
/* (store_commit wakes the worker when the transaction wrote to the
 * outbox: struct store's outbox_written.) */

#endif
