/* file: reading a whole text file (templates, migrations, articles). */
#ifndef FOLIO_FILE_H
#define FOLIO_FILE_H

#include <stddef.h>

/* The file's contents, NUL-terminated, malloc'd (free with free()). NULL
 * with the reason in err when it cannot be read or holds a NUL byte. */
char *file_read_text(const char *path, char *err, size_t errlen);

#endif
