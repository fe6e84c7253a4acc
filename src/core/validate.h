/* validate: the rules for values readers type into forms (valid UTF-8 is
 * already guaranteed by form_parse). */
#ifndef FOLIO_VALIDATE_H
#define FOLIO_VALIDATE_H

#include <stdbool.h>

/* At most 254 characters, exactly one '@' with text on both sides, and no
 * white space or control characters anywhere. */
bool email_valid(const char *s);
/* "http://" or "https://" (any case) followed by a host, at most 200
 * characters, no white space or control characters. */
bool http_url_valid(const char *s);
/* False when s holds a character that no text field should: C0 controls
 * (tab, and with multiline CR and LF, excepted) and U+FFFE/U+FFFF, which
 * XML (the comment feed) cannot carry. */
bool text_is_clean(const char *s, bool multiline);

#endif
