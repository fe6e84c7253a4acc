/* export: every article and comment as a WordPress export (WXR 1.2), for
 * `folio export wordpress` and GET /admin/api/export/wordpress. */
#ifndef FOLIO_EXPORT_H
#define FOLIO_EXPORT_H

#include <stddef.h>

struct store;

/* Called with each piece of the file in order (one article at a time, so
 * memory holds one article and its comments); non-zero stops the export. */
typedef int (*export_sink)(void *ctx, const char *data, size_t len);

/* Writes the export; site_url is the site's address (links and the
 * base_site_url a later import knows it by). STORE_OK or STORE_ERROR
 * (also when the sink stopped it). */
int export_wordpress(struct store *s, const char *title, const char *site_url, export_sink sink,
                     void *ctx);

#endif
