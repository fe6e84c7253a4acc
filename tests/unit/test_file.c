/* Unit tests: opening beneath a directory without following symlinks, by
 * openat2 and by the component walk used where openat2 is missing. */
#define _GNU_SOURCE     /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/file.h"

static char root[] = "/tmp/folio-test-file-XXXXXX";
static char paths[2][512];
static int next_path;

/* root/rel in one of two buffers, so that two may be used at once */
static const char *at(const char *rel)
{
    char *p = paths[next_path++ % 2];
    snprintf(p, sizeof paths[0], "%s/%s", root, rel);
    return p;
}

/* Both ways: true when rel opens, and the first byte read is `first`. */
static bool opens(const char *rel, char first)
{
    bool ok = true;
    for (int way = 0; way < 2; way++) {
        int fd;
        if (way == 0) {
            fd = file_open_beneath(root, rel);
        } else {
            int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
            fd = file_open_beneath_walk(dirfd, rel);
            close(dirfd);
        }
        char c = 0;
        ok = ok && fd >= 0 && read(fd, &c, 1) == 1 && c == first;
        if (fd >= 0)
            close(fd);
    }
    return ok;
}

/* Both ways refuse it. */
static bool refused(const char *rel)
{
    int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int a = file_open_beneath(root, rel), b = file_open_beneath_walk(dirfd, rel);
    close(dirfd);
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    return a < 0 && b < 0;
}

static void write_file(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(void)
{
    CHECK(mkdtemp(root) != NULL);
    CHECK(mkdir(at("sub"), 0700) == 0);
    CHECK(mkdir(at("outside"), 0700) == 0);
    write_file("top.txt", "t");
    write_file("sub/inner.txt", "i");
    write_file("outside/secret.txt", "s");
    CHECK(symlink(at("outside"), at("sub/lnk")) == 0);
    CHECK(symlink(at("outside/secret.txt"), at("sub/file-link")) == 0);
    CHECK(symlink("/etc", at("etc")) == 0);

    CHECK(opens("top.txt", 't'));
    CHECK(opens("sub/inner.txt", 'i'));
    CHECK(opens("outside/secret.txt", 's'));    /* a real directory is fine */
    CHECK(refused("sub/lnk/secret.txt"));       /* a linked directory on the way */
    CHECK(refused("sub/file-link"));            /* a linked file */
    CHECK(refused("etc/passwd"));
    CHECK(refused("sub/../../etc/passwd"));     /* climbing out */
    CHECK(refused("../x"));
    CHECK(refused("/etc/passwd"));
    CHECK(refused("sub/missing.txt"));
    errno = 0;
    CHECK(file_open_beneath(root, "sub/lnk/secret.txt") < 0 && errno != 0);

    unlink(at("etc"));
    unlink(at("sub/file-link"));
    unlink(at("sub/lnk"));
    unlink(at("outside/secret.txt"));
    unlink(at("sub/inner.txt"));
    unlink(at("top.txt"));
    rmdir(at("outside"));
    rmdir(at("sub"));
    rmdir(root);
    return check_result("test_file");
}
