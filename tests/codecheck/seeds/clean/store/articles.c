/* Clean: SQL in the store, as constant text with bound parameters. */
#include <stdio.h>

static const char *const article_by_slug =
    "SELECT id, title FROM articles "
    "WHERE slug = :slug";

const char *article_sql(void) { return article_by_slug; }

void version_pragma(char *out, size_t len, int n)
{
    /* codecheck-ok: an integer from the program's own list; PRAGMA takes no parameters */
    snprintf(out, len, "PRAGMA user_version = %d", n);
}
