/* fuzz_config: libFuzzer target for the configuration file reader
 * (--config FILE, src/core/config.c). The input is written to a file and
 * read as `folio serve --config FILE` would read it. Besides the
 * sanitizers, the result is compared with a plain reading of the same file:
 * a line with no '=', or whose key is not a word of a-z and '-' or is
 * "config", must be refused (a word the lists below do not know is left to
 * the reader: a new option of config.c belongs in them), and when the file is
 * accepted every text option must hold the value its last line gave, whole
 * (a long line read in pieces would let its tail set another key). Numbers,
 * --moderation and --base-path must be within what the options allow. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

#if defined(__SANITIZE_ADDRESS__)
#define KEEPS_VALUES_FOREVER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEPS_VALUES_FOREVER 1
#endif
#endif
#ifdef KEEPS_VALUES_FOREVER
#include <sanitizer/lsan_interface.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text options and where config keeps them. */
static const struct {
    const char *key;
    size_t offset;
} text_options[] = {
    { "db", offsetof(struct config, db_path) },
    { "www", offsetof(struct config, www_dir) },
    { "listen", offsetof(struct config, listen) },
    { "socket", offsetof(struct config, socket_path) },
    { "base-url", offsetof(struct config, base_url) },
    { "site-title", offsetof(struct config, site_title) },
    { "moderation-keys", offsetof(struct config, moderation_keys) },
    { "disallowed-keys", offsetof(struct config, disallowed_keys) },
    { "trusted-proxy", offsetof(struct config, trusted_proxy) },
    { "access-log", offsetof(struct config, access_log) },
    { "output", offsetof(struct config, output) },
};

static const char *const other_keys[] = {
    "threads", "base-path", "moderation", "max-links", "comment-rate", "min-submit-seconds",
    "retain-addresses", "demo", "dry-run",
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* s[0..len) without blanks around it (and CR or LF at its end). */
static void trim(const char **s, size_t *len)
{
    while (*len && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && (is_blank((*s)[*len - 1]) || (*s)[*len - 1] == '\r'))
        (*len)--;
}

/* Option names are words of a-z and '-'; anything else is no option. */
static bool option_word(const char *k, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '-'))
            return false;
    return true;
}

static bool known_key(const char *k, size_t len)
{
    for (size_t i = 0; i < sizeof text_options / sizeof text_options[0]; i++)
        if (strlen(text_options[i].key) == len && memcmp(text_options[i].key, k, len) == 0)
            return true;
    for (size_t i = 0; i < sizeof other_keys / sizeof other_keys[0]; i++)
        if (strlen(other_keys[i]) == len && memcmp(other_keys[i], k, len) == 0)
            return true;
    return false;
}

enum reading { REFUSE, ACCEPT, UNSURE };

/* The plain reading: REFUSE when the file must be refused, UNSURE when a
 * key is a word this list does not know; and for each text option the last
 * value a line gave (NULL when none did). */
static enum reading plain_reading(const char *text, size_t size, const char **value,
                                  size_t *value_len)
{
    enum reading verdict = ACCEPT;
    const char *end = text + size;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *s = line;
        size_t len = (size_t)((nl ? nl : end) - line);
        line = nl ? nl + 1 : end;
        trim(&s, &len);
        if (len == 0 || *s == '#' || *s == ';' || *s == '[')
            continue;
        const char *eq = memchr(s, '=', len);
        if (!eq)
            return REFUSE;
        const char *k = s, *v = eq + 1;
        size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
        trim(&k, &klen);
        trim(&v, &vlen);
        if (!option_word(k, klen) || (klen == 6 && memcmp(k, "config", 6) == 0))
            return REFUSE;
        if (!known_key(k, klen))
            verdict = UNSURE;
        for (size_t i = 0; i < sizeof text_options / sizeof text_options[0]; i++) {
            if (strlen(text_options[i].key) == klen && memcmp(text_options[i].key, k, klen) == 0) {
                value[i] = v;
                value_len[i] = vlen;
            }
        }
    }
    return verdict;
}

static void check_ranges(const struct config *cfg)
{
    const char *bp = cfg->base_path;
    size_t bl = bp ? strlen(bp) : 0;
    if (!bp || (bl && (bp[0] != '/' || bp[bl - 1] == '/' || strpbrk(bp, "?#%\"'<> "))))
        abort();
    /* threads 0: the front end's own default (config_default_threads) */
    if (cfg->threads < 0 || cfg->threads > 256 || cfg->max_links < 0 || cfg->max_links > 1000 ||
        cfg->comment_rate < 0 || cfg->min_submit_seconds < 0 ||
        cfg->min_submit_seconds > 86400 ||
        (cfg->moderation != MODERATION_ALL && cfg->moderation != MODERATION_FIRST))
        abort();
}

/* Reads the file at path (holding data) as the configuration. */
static void check_file(const uint8_t *data, size_t size, char *path)
{
    struct config cfg;
    config_defaults(&cfg);
    char *argv[] = { "--config", path, NULL };
    static const char *const allowed[] = {
        "listen", "socket", "threads", "base-path", "base-url", "site-title", "moderation",
        "max-links", "moderation-keys", "disallowed-keys", "comment-rate",
        "min-submit-seconds", "trusted-proxy", "access-log", "demo", NULL,
    };
    const char *words[4];
    int word_count;
    bool help;
#ifdef KEEPS_VALUES_FOREVER
    /* Option values are kept for the life of the process, by design. */
    __lsan_disable();
#endif
    int rc = config_parse(&cfg, 2, argv, allowed, words, 4, &word_count, &help);
#ifdef KEEPS_VALUES_FOREVER
    __lsan_enable();
#endif
    if (memchr(data, '\0', size))
        return;     /* a NUL ends a line early for any reader of text */
    const char *value[sizeof text_options / sizeof text_options[0]] = {0};
    size_t value_len[sizeof text_options / sizeof text_options[0]] = {0};
    enum reading verdict = plain_reading((const char *)data, size, value, value_len);
    if (rc == 0 && verdict == REFUSE)
        abort();    /* a line that is not an option was taken as one */
    if (rc != 0)
        return;
    check_ranges(&cfg);
    for (size_t i = 0; i < sizeof text_options / sizeof text_options[0]; i++) {
        const char *got = *(const char **)((const char *)&cfg + text_options[i].offset);
        if (value[i] && (!got || strlen(got) != value_len[i] ||
                         memcmp(got, value[i], value_len[i]) != 0))
            abort();    /* the option does not hold what its line said */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A file of its own for each input, gone before the next (tmpfs when
     * there is one). Config keeps the path, so it is static. */
    static char path[256];
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                    : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/folio-fuzz-config.XXXXXX", tmp);
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    check_file(data, size, path);
    unlink(path);
    return 0;
}
