/* replay: runs a fuzz target over files and directories of inputs once,
 * without libFuzzer, so that ctest replays the seed corpus and every saved
 * crash in any build. Usage: replay [-timeout=SECONDS] PATH...
 * With -timeout (as libFuzzer's), an input that runs longer fails the
 * replay, naming the file. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned timeout_seconds;
static const char *current_input;

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "replay: timeout: this input ran longer than -timeout: ";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    ignored = write(STDERR_FILENO, current_input, strlen(current_input));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    _exit(70);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                fclose(f);
                return 1;
            }
            buf = bigger;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    /* An exact-size copy, so that AddressSanitizer sees reads past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (exact && len)
        memcpy(exact, buf, len);
    free(buf);
    if (!exact)
        return 1;
    current_input = path;
    alarm(timeout_seconds);
    LLVMFuzzerTestOneInput(exact, len);
    alarm(0);
    free(exact);
    return 0;
}

static int run_path(const char *path, int *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;   /* ., .., .gitkeep */
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        rc |= run_path(child, count);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0, count = 0;
    signal(SIGALRM, on_alarm);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-timeout=", 9) == 0)
            timeout_seconds = (unsigned)strtoul(argv[i] + 9, NULL, 10);
        else
            rc |= run_path(argv[i], &count);
    }
    printf("replayed %d input(s)\n", count);
    return rc;
}
