/* A seeded mistake: SQL text built with snprintf, the statement spread over
 * two string literals on two lines. codecheck must refuse it. */
#include <stdio.h>

void build_query(char *out, size_t len, const char *slug)
{
    snprintf(out, len,
             "SELECT id FROM articles "
             "WHERE slug = '%s'", slug);
}
