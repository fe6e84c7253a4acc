/* backup: `folio backup DEST`, a consistent copy of the live database. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: folio backup DEST [--db PATH]\n"
    "Copies the live database to DEST with SQLite's online backup; servers may keep running.\n";

int cmd_backup(int argc, char **argv)
{
    struct config cfg;
    const char *words[1];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 1, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n != 1) {
        fprintf(stderr, "folio backup: missing DEST\n%s", usage);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(&cfg, false);
    if (!s)
        return 1;
    char err[1024];
    rc = store_backup(s, words[0], err, sizeof err);
    store_close(s);
    if (rc != STORE_OK) {
        fprintf(stderr, "folio backup: %s\n", err);
        return 1;
    }
    printf("%s: copied from %s\n", words[0], cfg.db_path);
    return 0;
}
