/* config: options, their defaults, the command line and the INI file. */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum opt_type { OPT_STRING, OPT_INT, OPT_FLAG, OPT_MODERATION, OPT_BASE_PATH };

struct option_def {
    const char *name;
    enum opt_type type;
    size_t offset;
    int min, max;           /* OPT_INT */
};

#define OPT(name, type, field) { name, type, offsetof(struct config, field), 0, 0 }
#define OPT_N(name, field, lo, hi) { name, OPT_INT, offsetof(struct config, field), lo, hi }

static const struct option_def options[] = {
    OPT("db", OPT_STRING, db_path),
    OPT("www", OPT_STRING, www_dir),
    OPT("config", OPT_STRING, config_file),
    OPT("listen", OPT_STRING, listen),
    OPT("socket", OPT_STRING, socket_path),
    OPT_N("threads", threads, 1, 256),
    OPT("base-path", OPT_BASE_PATH, base_path),
    OPT("base-url", OPT_STRING, base_url),
    OPT("site-title", OPT_STRING, site_title),
    OPT("moderation", OPT_MODERATION, moderation),
    OPT_N("max-links", max_links, 0, 1000),
    OPT("moderation-keys", OPT_STRING, moderation_keys),
    OPT("disallowed-keys", OPT_STRING, disallowed_keys),
    OPT_N("comment-rate", comment_rate, 0, 1000000),
    OPT_N("min-submit-seconds", min_submit_seconds, 0, 86400),
    OPT("trusted-proxy", OPT_STRING, trusted_proxy),
    OPT_N("comments-per-page", comments_per_page, 0, 100000),
    OPT_N("retain-addresses", retain_addresses, -1, 1000000),
    OPT("access-log", OPT_STRING, access_log),
    OPT_N("edit-minutes", edit_minutes, 0, 525600),
    OPT("notify-webhook", OPT_STRING, notify_webhook),
    OPT("notify-secret", OPT_STRING, notify_secret),
    OPT("notify-email", OPT_STRING, notify_email),
    OPT("sendmail", OPT_STRING, sendmail),
    OPT("mail-from", OPT_STRING, mail_from),
    OPT("demo", OPT_FLAG, demo),
    OPT("dry-run", OPT_FLAG, dry_run),
    OPT("output", OPT_STRING, output),
};

/* Options every command takes. */
static const char *const common_options[] = { "db", "config", "www", NULL };

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    const char *env_db = getenv("FOLIO_DB");
    cfg->db_path = env_db && *env_db ? env_db : "folio.db";
    cfg->listen = NULL;
    cfg->threads = 0;       /* each front's own default: config_default_threads() */
    cfg->base_path = "";
    cfg->base_url = "";
    cfg->site_title = "folio";
    cfg->moderation = MODERATION_ALL;
    cfg->max_links = 2;
    cfg->comment_rate = 5;
    cfg->min_submit_seconds = 3;
    cfg->retain_addresses = 30;
    cfg->comments_per_page = 50;
    cfg->edit_minutes = 15;
    cfg->notify_webhook = "";
    cfg->notify_secret = "";
    cfg->notify_email = "";
    cfg->sendmail = SENDMAIL_DEFAULT;
    cfg->mail_from = "";
}

/* FastCGI workers block on their one connection and a comment waits for the
 * disk, so its pool is larger than the cores (and group commit batches as
 * many comments as there are workers waiting); the embedded server never
 * blocks a thread on the disk (POSTs are handed to writers), so one per
 * core is enough. */
int config_default_threads(bool fcgi)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1 || cores > 256)
        cores = 2;
    if (!fcgi)
        return (int)cores;
    return cores * 8 < 16 ? 16 : (int)(cores * 8 < 256 ? cores * 8 : 256);
}

/* Option values live as long as the process; this list keeps them
 * reachable (so leak checkers stay quiet) without an ownership protocol. */
static char *process_strings[64];
static size_t process_string_count;

static char *own(struct config *cfg, char *p)
{
    (void)cfg;
    if (p && process_string_count < sizeof process_strings / sizeof process_strings[0])
        process_strings[process_string_count++] = p;
    return p;
}

static const struct option_def *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static bool in_list(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

int config_option_words(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    const char *name = arg + 2, *eq = strchr(name, '=');
    const struct option_def *o = find_option(name, eq ? (size_t)(eq - name) : strlen(name));
    if (!o)
        return 0;
    return eq || o->type == OPT_FLAG ? 1 : 2;
}

/* Levenshtein distance, or SIZE_MAX for names too long to be options. */
static size_t edit_distance(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b), row[64];
    if (alen >= 64 || blen >= 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= blen; j++)
        row[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[blen];
}

/* Names people reach for that are spelt differently here. */
static const struct { const char *said, *meant; } option_aliases[] = {
    { "port", "listen" }, { "bind", "listen" }, { "host", "listen" }, { "address", "listen" },
    { "database", "db" }, { "workers", "threads" }, { "title", "site-title" },
};

static bool takes(const char *option, const char *const *allowed, bool any_command)
{
    return any_command || in_list(common_options, option) || in_list(allowed, option);
}

const char *config_option_suggestion(const char *name, size_t len, const char *const *allowed,
                                     bool any_command)
{
    for (size_t i = 0; i < sizeof option_aliases / sizeof option_aliases[0]; i++)
        if (strlen(option_aliases[i].said) == len && strncmp(option_aliases[i].said, name, len) == 0)
            return takes(option_aliases[i].meant, allowed, any_command) ? option_aliases[i].meant
                                                                        : NULL;
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    size_t limit = len < 4 ? 1 : 2;  /* a short name is close to too much */
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        const char *candidate = options[i].name;
        if (!takes(candidate, allowed, any_command))
            continue;
        size_t d = edit_distance(name, len, candidate);
        if (len >= 3 && strncmp(candidate, name, len) == 0 && d > 1)
            d = 1;  /* the start of a longer name: --min-submit */
        if (d <= limit && d < best_distance)
            best = candidate, best_distance = d;
    }
    return best;
}

/* "unknown option '--x'", with what it was probably meant to be. */
static void unknown_option(const char *name, size_t len, const char *const *allowed)
{
    const char *meant = config_option_suggestion(name, len, allowed, false);
    if (meant)
        fprintf(stderr, "folio: unknown option '--%.*s'; did you mean '--%s'?\n", (int)len, name,
                meant);
    else
        fprintf(stderr, "folio: unknown option '--%.*s'\n", (int)len, name);
}

/* Stores one option's value; `where` names its origin for messages. */
static int set_option(struct config *cfg, const struct option_def *o, const char *value,
                      const char *where)
{
    char *field = (char *)cfg + o->offset;
    switch (o->type) {
    case OPT_FLAG:
        if (value && strcmp(value, "true") != 0 && strcmp(value, "1") != 0 &&
            strcmp(value, "yes") != 0) {
            if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "no") == 0) {
                *(bool *)field = false;
                return 0;
            }
            fprintf(stderr, "folio: %s: --%s takes no value (or true/false in a config file)\n",
                    where, o->name);
            return 2;
        }
        *(bool *)field = true;
        return 0;
    case OPT_STRING:
        *(const char **)field = value;
        return 0;
    case OPT_INT: {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end != '\0' || n < o->min || n > o->max) {
            fprintf(stderr, "folio: %s: --%s wants a whole number from %d to %d, not '%s'\n",
                    where, o->name, o->min, o->max, value);
            return 2;
        }
        *(int *)field = (int)n;
        return 0;
    }
    case OPT_MODERATION:
        if (strcmp(value, "all") == 0)
            *(enum moderation_mode *)field = MODERATION_ALL;
        else if (strcmp(value, "first") == 0)
            *(enum moderation_mode *)field = MODERATION_FIRST;
        else {
            fprintf(stderr, "folio: %s: --moderation wants 'all' or 'first', not '%s'\n", where,
                    value);
            return 2;
        }
        return 0;
    case OPT_BASE_PATH: {
        size_t len = strlen(value);
        while (len && value[len - 1] == '/')
            len--;
        if (len && (value[0] != '/' || strpbrk(value, "?#%\"'<> ") != NULL)) {
            fprintf(stderr, "folio: %s: --base-path wants a path like /news, not '%s'\n", where,
                    value);
            return 2;
        }
        *(const char **)field = own(cfg, strndup(value, len));
        return 0;
    }
    }
    return 2;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                   s[len - 1] == '\n'))
        s[--len] = '\0';
    return s;
}

/* One line of the file: the whole line, however long (a line cut in two
 * would read its tail as a key of its own). */
static int config_line(struct config *cfg, const char *path, int lineno, char *line,
                       size_t len)
{
    if (strlen(line) != len) {
        fprintf(stderr, "folio: %s:%d: the line holds a NUL byte\n", path, lineno);
        return 2;
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';' || *s == '[')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        fprintf(stderr, "folio: %s:%d: expected 'key = value'\n", path, lineno);
        return 2;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    const struct option_def *o = find_option(key, strlen(key));
    if (!o || strcmp(key, "config") == 0) {
        const char *meant = o ? NULL : config_option_suggestion(key, strlen(key), NULL, true);
        fprintf(stderr, "folio: %s:%d: unknown key '%.100s'%s%s%s\n", path, lineno, key,
                meant ? "; did you mean '" : "", meant ? meant : "", meant ? "'?" : "");
        return 2;
    }
    size_t at_len = strlen(path) + 16;
    char *at = malloc(at_len);      /* "FILE:LINE", for set_option's messages */
    if (!at) {
        fprintf(stderr, "folio: out of memory\n");
        return 1;
    }
    snprintf(at, at_len, "%s:%d", path, lineno);
    int rc = set_option(cfg, o, own(cfg, strdup(value)), at);
    free(at);
    return rc;
}

/* Reads `key = value` lines; '#' or ';' start a comment line; [sections]
 * are accepted and ignored, so one file can serve several commands. */
static int read_config_file(struct config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "folio: --config %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct stat st = {0};
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        /* fopen takes a directory, and reading it then looks like EOF */
        bool dir = S_ISDIR(st.st_mode);
        fprintf(stderr, "folio: --config %s: %s\n", path,
                dir ? "is a directory, not a configuration file" : "not a regular file");
        fclose(f);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    errno = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0)
        rc = config_line(cfg, path, ++lineno, line, (size_t)len);
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "folio: --config %s:%d: %s\n", path, lineno + 1,
                strerror(errno ? errno : EIO));
        rc = 1;
    }
    free(line);
    fclose(f);
    return rc;
}

/* Finds --config FILE (or --config=FILE) before anything else, so that
 * the command line overrides the file. */
static const char *find_config_arg(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return NULL;
}

int config_parse(struct config *cfg, int argc, char **argv, const char *const *allowed,
                 const char **words, int max_words, int *word_count, bool *help)
{
    *word_count = 0;
    *help = false;
    const char *file = find_config_arg(argc, argv);
    if (file) {
        int rc = read_config_file(cfg, file);
        if (rc)
            return rc;
        cfg->config_file = file;
    }
    bool only_words = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_words || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (*word_count == max_words) {
                fprintf(stderr, "folio: unexpected argument '%s'\n", arg);
                return 2;
            }
            words[(*word_count)++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_words = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "folio: unknown option '%s'\n", arg);
            return 2;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_def *o = find_option(name, name_len);
        if (o && !(in_list(common_options, o->name) || in_list(allowed, o->name))) {
            fprintf(stderr, "folio: this command does not take --%s\n", o->name);
            return 2;
        }
        if (!o) {
            unknown_option(name, name_len, allowed);
            return 2;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value && o->type != OPT_FLAG) {
            if (i + 1 >= argc) {
                fprintf(stderr, "folio: option '--%s' needs a value\n", o->name);
                return 2;
            }
            value = argv[++i];
        }
        int rc = set_option(cfg, o, value, "command line");
        if (rc)
            return rc;
    }
    return 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first of: DIR next to an installed binary (BIN/../share/folio/DIR),
 * the source tree the binary was built from, the install prefix. */
static char *find_data_dir(const char *name)
{
    char exe[PATH_MAX], candidate[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(candidate, sizeof candidate, "%s/../share/folio/%s", exe, name);
            if (is_dir(candidate))
                return strdup(candidate);
        }
    }
    snprintf(candidate, sizeof candidate, "%s/%s", FOLIO_SOURCE_DIR, name);
    if (is_dir(candidate))
        return strdup(candidate);
    snprintf(candidate, sizeof candidate, "%s/%s", FOLIO_DATADIR, name);
    return strdup(candidate);
}

void config_resolve_paths(struct config *cfg)
{
    if (!cfg->www_dir)
        cfg->www_dir = own(cfg, find_data_dir("www"));
    if (!cfg->sql_dir)
        cfg->sql_dir = own(cfg, find_data_dir("sql"));
}
