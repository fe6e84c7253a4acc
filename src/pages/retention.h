/* retention: --retain-addresses, kept by the running server itself. */
#ifndef FOLIO_RETENTION_H
#define FOLIO_RETENTION_H

struct worker;

/* Called by a front end's worker after it has answered a request: at most
 * once an hour per process (every minute under --retain-addresses 0), and
 * at once again while a backlog remains, blanks the address and user agent
 * of up to RETENTION_BATCH comments older than the retention. Cheap: one
 * indexed UPDATE (sql/012's comments_with_address). */
void retention_after_request(struct worker *w);

#define RETENTION_BATCH 1000

#endif
