/* A seeded mistake: a page header that drags SQLite in. */
#include <sqlite3.h>
