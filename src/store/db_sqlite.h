/* db_sqlite: what only the SQLite driver has, for the tests that reach
 * under the store (tests/unit/test_db_file.c, tests/fuzz/fuzz_router.c),
 * which include <sqlite3.h> themselves. */
#ifndef FOLIO_DB_SQLITE_H
#define FOLIO_DB_SQLITE_H

#include "store/db.h"

typedef struct sqlite3 sqlite3;

/* The connection's SQLite handle; NULL when s is not on SQLite. */
sqlite3 *db_sqlite_handle(struct store *s);

#endif
