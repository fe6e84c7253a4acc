/* file: reading a whole text file (templates, migrations, articles), and
 * opening a file beneath a directory without following any symlink. */
#ifndef FOLIO_FILE_H
#define FOLIO_FILE_H

#include <stddef.h>

/* The file's contents, NUL-terminated, malloc'd (free with free()). NULL
 * with the reason in err when it cannot be read or holds a NUL byte. */
char *file_read_text(const char *path, char *err, size_t errlen);

/* Opens root/rel read-only when every component of rel stays beneath root
 * and none of them is a symlink (root itself is trusted and may be one).
 * rel must be relative, without "." or ".." segments. Returns the fd, or -1
 * with errno set (ELOOP for a symlink on the way). */
int file_open_beneath(const char *root, const char *rel);
/* The same without openat2 (kernels before 5.6, or a seccomp filter that
 * refuses it): one component at a time from dirfd, each with O_NOFOLLOW.
 * file_open_beneath falls back to it by itself; tests call it directly. */
int file_open_beneath_walk(int dirfd, const char *rel);

#endif
