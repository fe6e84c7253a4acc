/* common: what every command does first: options, then the database. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

int cli_parse(struct config *cfg, int argc, char **argv, const char *const *allowed,
              const char **words, int max_words, int *word_count, const char *usage)
{
    config_defaults(cfg);
    bool help;
    int rc = config_parse(cfg, argc, argv, allowed, words, max_words, word_count, &help);
    if (rc)
        return rc;
    if (help) {
        fputs(usage, stdout);
        return -1;
    }
    return 0;
}

struct store *cli_open_store(struct config *cfg, bool create)
{
    config_resolve_paths(cfg);
    char err[1024];
    struct store *s = store_open(cfg->db_path, cfg->sql_dir, create, err, sizeof err);
    if (!s)
        fprintf(stderr, "folio: %s\n", err);
    return s;
}
