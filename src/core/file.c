/* file: reading a whole text file. */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

char *file_read_text(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    struct buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    bool read_error = ferror(f) != 0;
    fclose(f);
    if (read_error || b.failed || (b.data && memchr(b.data, '\0', b.len))) {
        snprintf(err, errlen, "%s", read_error ? "read error"
                                    : b.failed ? "out of memory"
                                               : "not a text file (it holds a NUL byte)");
        buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : strdup("");
}
