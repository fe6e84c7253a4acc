/* validate: the rules for values readers type into forms (valid UTF-8 is
 * already guaranteed by form_parse). */
#ifndef FOLIO_VALIDATE_H
#define FOLIO_VALIDATE_H

#include <stdbool.h>

#include "core/arena.h"

#define COMMENT_AUTHOR_MAX 100      /* characters, after trimming */
#define COMMENT_BODY_MAX 8000

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

/* The comment form's fields, as stored (trimmed; see comment_text_normalize):
 * NULL when valid, else the message to show at the field. The same rules
 * serve a new comment, a commenter's edit and an editor's reply or edit. */
const char *comment_author_error(const char *author);
const char *comment_email_error(const char *email);
const char *comment_url_error(const char *url);     /* "" is valid: the field is optional */
const char *comment_body_error(const char *body);
/* A comment's text as stored: CR LF and lone CR as LF (browsers send CR LF;
 * a textarea's maxlength counts a line break as one character), trimmed.
 * An arena string ("" when memory ran out). */
const char *comment_text_normalize(struct arena *a, const char *s);

#endif
