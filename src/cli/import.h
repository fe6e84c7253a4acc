/* import: reading article files into the database (article import, init --demo). */
#ifndef FOLIO_IMPORT_H
#define FOLIO_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* Imports one article file; prints "slug: created|updated" unless quiet, or
 * "FILE:LINE: reason" on stderr. force_status overrides the file's status.
 * Returns 0 or 1. */
int import_article_file(struct store *s, const char *path, const char *force_status, bool quiet);

#endif
