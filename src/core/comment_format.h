/* comment_format: readers' comment text to HTML. Comments are plain text:
 * blank lines make paragraphs, line breaks stay, http(s) URLs become links
 * with rel="nofollow ugc", and everything else is escaped. */
#ifndef FOLIO_COMMENT_FORMAT_H
#define FOLIO_COMMENT_FORMAT_H

#include <stddef.h>

#include "core/buf.h"

void comment_format(struct buf *out, const char *text, size_t len);
/* How many http(s) URLs the text holds (for --max-links). */
size_t comment_count_links(const char *text, size_t len);

#endif
