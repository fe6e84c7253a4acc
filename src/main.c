/* main: `folio [options] COMMAND ...`, dispatched to src/cli/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "init", cmd_init, "create or migrate the database (--demo: load the sample site)" },
    { "serve", cmd_serve, "serve HTTP (default 127.0.0.1:8080)" },
    { "fcgi", cmd_fcgi, "serve FastCGI (--socket PATH, --listen HOST:PORT, or fd 0)" },
    { "article", cmd_article, "import FILE... | list | publish|unpublish|delete SLUG" },
    { "user", cmd_user, "add NAME | passwd NAME | del NAME | unlock NAME | list: editors" },
    { "token", cmd_token, "add NAME | list | revoke ID: API tokens" },
    { "backup", cmd_backup, "DEST: a consistent copy of the live database" },
    { "import", cmd_import, "wordpress FILE.xml [--dry-run]: move in from WordPress" },
    { "export", cmd_export, "wordpress [--output FILE]: every article and comment as WXR" },
    { "privacy", cmd_privacy, "export EMAIL | erase EMAIL: a commenter's data" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: folio [options] COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --db PATH (default folio.db or $FOLIO_DB), --config FILE\n"
                 "and --www DIR, before or after the command's name. 'folio COMMAND --help'\n"
                 "tells more.\n");
}

static bool is_any(const char *arg, const char *a, const char *b, const char *c)
{
    return strcmp(arg, a) == 0 || strcmp(arg, b) == 0 || (c && strcmp(arg, c) == 0);
}

/* The index of the command's name in argv, after the options that stand
 * before it (as in `git -C DIR log`); argc when there is none. Returns -1
 * after printing the problem when one of those options is unknown. */
static int find_command(int argc, char **argv)
{
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0 && !is_any(argv[i], "--help", "--version", NULL)) {
        int words = config_option_words(argv[i]);
        if (words == 0) {
            const char *name = argv[i] + 2;
            const char *meant = config_option_suggestion(name, strcspn(name, "="), NULL, true);
            fprintf(stderr, "folio: unknown option '%.*s'", (int)strcspn(argv[i], "="), argv[i]);
            if (meant)
                fprintf(stderr, "; did you mean '--%s'?", meant);
            fputc('\n', stderr);
            return -1;
        }
        i += words;
    }
    return i < argc ? i : argc;
}

/* Runs the command at argv[at] with the options given before its name
 * first, then its own words: every command reads options in any position,
 * and a "--" among its words still ends the options. */
static int run_command(int (*run)(int, char **), int argc, char **argv, int at)
{
    char **args = malloc((size_t)argc * sizeof *args);
    if (!args) {
        fprintf(stderr, "folio: out of memory\n");
        return 1;
    }
    int k = 0;
    for (int i = 1; i < argc; i++)
        if (i != at)
            args[k++] = argv[i];
    args[k] = NULL;
    int rc = run(k, args);
    free(args);
    return rc;
}

int main(int argc, char **argv)
{
    int at = find_command(argc, argv);
    if (at < 0)
        return EXIT_USAGE;
    if (at >= argc) {
        if (at > 1)
            fprintf(stderr, "folio: missing command\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[at];
    if (is_any(name, "--version", "version", NULL)) {
        printf("folio %s\n", FOLIO_VERSION);
        return 0;
    }
    if (is_any(name, "--help", "-h", "help")) {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "folio: libsodium could not be initialised\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return run_command(commands[i].run, argc, argv, at);
    fprintf(stderr, "folio: unknown command '%s'\n", name);
    usage(stderr);
    return EXIT_USAGE;
}
