/* html_clean: HTML from elsewhere (a WordPress post or comment) made safe,
 * by parsing it with a real HTML5 parser (gumbo) and writing back only what
 * an allow-list names. Never by pattern matching on the markup. */
#ifndef FOLIO_HTML_CLEAN_H
#define FOLIO_HTML_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* A WordPress post body as safe HTML, appended to out: WordPress's
 * shortcodes (caption, gallery, embed, audio, video, playlist) taken out of
 * the text (a caption keeps its image and text, as a figure), classic-editor
 * text given its paragraphs (blank lines, single line breaks), then parsed
 * and written back with only allow-listed elements and attributes: no
 * script, style, iframe, event attribute, or URL other than http(s),
 * mailto (links only) or relative (links only). Comments, block-editor
 * markers among them, are dropped. Output has no blank line outside <pre>,
 * so cleaning it again gives it back unchanged. False when out of memory. */
bool html_clean_post(struct buf *out, const char *html, size_t len);

/* HTML as plain text in folio's comment form: paragraphs as blank lines,
 * <br> as a line break, a link as its text and then its URL, entities
 * decoded, everything else's text kept and its markup dropped (script and
 * style with their content). */
bool html_to_text(struct buf *out, const char *html, size_t len);

/* The same on one line (a title): white space runs become one space. */
bool html_to_line(struct buf *out, const char *html, size_t len);

/* The steps of html_clean_post before parsing, for tests: WordPress's
 * shortcodes out of the text, and classic-editor paragraphs. */
void html_strip_shortcodes(struct buf *out, const char *text, size_t len);
void html_autop(struct buf *out, const char *text, size_t len);

#endif
