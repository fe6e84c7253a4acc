/* escape: output escaping, one function per context. Every byte that came
 * from outside and reaches HTML or XML goes through one of these. */
#ifndef FOLIO_ESCAPE_H
#define FOLIO_ESCAPE_H

#include <stddef.h>

#include "core/buf.h"

/* Text between tags (HTML or XML). */
void esc_html_text(struct buf *out, const char *s, size_t len);
/* A quoted attribute value (either quote). */
void esc_html_attr(struct buf *out, const char *s, size_t len);
/* Text or an attribute value in XML (the feeds): escaped as for HTML, and
 * the control characters XML 1.0 forbids are left out. */
void esc_xml_text(struct buf *out, const char *s, size_t len);
/* One URL component (a path segment or a query value): percent-encodes
 * everything but RFC 3986's unreserved characters. */
void esc_url_component(struct buf *out, const char *s, size_t len);
/* A value in a URL's query (?name=VALUE) that is itself an address: as
 * esc_url_component, but '/' and ':', which RFC 3986 allows in a query and
 * every form decoder gives back as they are, are left as they are (the
 * share links carry the article's address four times). */
void esc_url_query_value(struct buf *out, const char *s, size_t len);

/* JSON text (already serialised) placed inside <script type="application/ld+json">:
 * '<', '>', '&' and U+2028/U+2029 become \u escapes, so no "</script>",
 * "<!--" or line separator can end or change the data block. Valid only for
 * JSON (the characters can stand only inside its strings, where the escape
 * means the same). The one place this escaping is written. */
void esc_json_script(struct buf *out, const char *json, size_t len);

#endif
