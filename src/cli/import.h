/* import: reading article files into the database (article import, init --demo). */
#ifndef FOLIO_IMPORT_H
#define FOLIO_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* Imports one article file; prints "slug: created|updated (STATUS)" (or "kept" when
 * keep_existing and the slug is already stored: nothing is changed), or
 * "FILE:LINE: reason" on stderr. Returns 0 or 1. */
int import_article_file(struct store *s, const char *path, bool keep_existing);

#endif
