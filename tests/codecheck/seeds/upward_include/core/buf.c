/* A seeded mistake: the base layer reaching up into the store. */
#include "store/db.h"

int buf_nothing(void) { return 0; }
