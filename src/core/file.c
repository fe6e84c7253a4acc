/* file: reading a whole text file. */
#define _GNU_SOURCE     /* O_PATH */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

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

/* The kernel resolves the whole path (Linux 5.6 and later): one call, and
 * no window in which a component can be swapped for a symlink. -1 with
 * errno ENOSYS when openat2 is missing or filtered out (seccomp answers
 * EPERM), so the caller walks instead. */
static int open_beneath_kernel(int dirfd, const char *rel)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
    if (fd < 0 && errno == EPERM)
        errno = ENOSYS;
    return (int)fd;
#else
    (void)dirfd;
    (void)rel;
    errno = ENOSYS;
    return -1;
#endif
}

/* The same by hand: one component at a time, each opened with O_NOFOLLOW
 * relative to the directory before it (a directory that is a symlink fails
 * with ELOOP or ENOTDIR). */
int file_open_beneath_walk(int dirfd, const char *rel)
{
    char name[256];
    int dir = dirfd;
    const char *p = rel;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || len >= sizeof name || p[0] == '.') {   /* "", ".", ".." */
            if (dir != dirfd)
                close(dir);
            errno = len >= sizeof name ? ENAMETOOLONG : EINVAL;
            return -1;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : 0);
        int fd = openat(dir, name, flags);
        int saved = errno;
        if (dir != dirfd)
            close(dir);
        if (fd < 0 || !slash) {
            errno = saved;
            return fd;
        }
        dir = fd;
        p = slash + 1;
    }
}

int file_open_beneath(const char *root, const char *rel)
{
    if (!rel || rel[0] == '/' || rel[0] == '\0') {
        errno = EINVAL;
        return -1;
    }
    int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -1;
    int fd = open_beneath_kernel(dirfd, rel);
    if (fd < 0 && errno == ENOSYS)
        fd = file_open_beneath_walk(dirfd, rel);
    int saved = errno;
    close(dirfd);
    errno = saved;
    return fd;
}
