/* main: `folio COMMAND ...`, dispatched to src/cli/. */
#include <stdio.h>
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
    { "article", cmd_article, "import FILE... | list" },
    { "user", cmd_user, "add NAME | passwd NAME | del NAME | unlock NAME | list: editors" },
    { "token", cmd_token, "add NAME | list | revoke ID: API tokens" },
    { "backup", cmd_backup, "DEST: a consistent copy of the live database" },
    { "import", cmd_import, "wordpress FILE.xml [--dry-run]: move in from WordPress" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: folio COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --db PATH (default folio.db or $FOLIO_DB), --config FILE\n"
                 "and --www DIR. 'folio COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("folio %s\n", FOLIO_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "folio: libsodium could not be initialised\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "folio: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
