/* markdown: CommonMark to HTML through cmark, with raw HTML disabled. */
#ifndef FOLIO_MARKDOWN_H
#define FOLIO_MARKDOWN_H

#include <stddef.h>

/* Returns malloc'd HTML (free with free()), or NULL when out of memory.
 * Raw HTML in the input and javascript:/data: link targets are dropped by
 * cmark's safe mode, so the result may be written to a page unescaped. */
char *markdown_render(const char *markdown, size_t len);

#endif
