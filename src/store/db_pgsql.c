/* db_pgsql: the PostgreSQL driver (driver.h). Not written yet: a URI is
 * refused at open with a clear message. */
#include "store/driver.h"

#include <stdio.h>

static struct store *pg_open(const char *where, const char *sql_dir, bool create, char *err,
                             size_t errlen)
{
    (void)sql_dir;
    (void)create;
    snprintf(err, errlen, "database %s: this folio cannot use PostgreSQL yet", where);
    return NULL;
}

const struct db_driver db_pgsql_driver = { .name = "postgresql", .open = pg_open };
