/* Includes nothing of SQLite by itself, only through helpers.h. */
#include "pages/helpers.h"

int index_nothing(void) { return 0; }
