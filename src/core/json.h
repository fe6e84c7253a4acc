/* json: small helpers over jansson for the API's answers. */
#ifndef FOLIO_JSON_H
#define FOLIO_JSON_H

#include "core/buf.h"

/* {"error": message} into out. */
void json_error_body(struct buf *out, const char *message);

#endif
