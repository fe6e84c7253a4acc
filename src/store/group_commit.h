/* group_commit: writes from several request threads committed together, one
 * fsync for the lot, each answered only after the commit that holds it (see
 * group_commit.c). Only files in store/ include this. */
#ifndef FOLIO_GROUP_COMMIT_H
#define FOLIO_GROUP_COMMIT_H

#include <stdbool.h>

#include "store/db.h"

/* One write: runs inside a transaction on s, which may be another
 * thread's connection; sets *keep when its changes are to be committed
 * (left false, they are rolled back and the result still counts). It may
 * be run again, from the start, in a new transaction (when a later write
 * of its batch changed rows and was not kept, and no savepoint could undo
 * that write alone), so it sets every result it gives anew. Everything it
 * reads through arg stays valid: its thread waits. */
typedef int (*group_write_fn)(struct store *s, void *arg, bool *keep);

/* Runs fn in the next group commit and returns its result once that commit
 * is durable; STORE_ERROR when the transaction could not be committed. s is
 * the calling thread's connection, outside any transaction. */
int group_write(struct store *s, group_write_fn fn, void *arg);

#endif
