/* cli: the commands of `folio`, one file per group. Each takes the words
 * after the command's name and returns the exit status (0 done, 1 failure,
 * 2 bad usage). */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H

#include <stdbool.h>

#include "core/config.h"

#define EXIT_USAGE 2

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_fcgi(int argc, char **argv);
int cmd_article(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_privacy(int argc, char **argv);

/* Parses options for a command: prints `usage` and returns -1 on --help,
 * EXIT_USAGE on a bad option, 0 otherwise. */
int cli_parse(struct config *cfg, int argc, char **argv, const char *const *allowed,
              const char **words, int max_words, int *word_count, const char *usage);

struct store;
/* Opens the database (creating and migrating it when `create`); prints the
 * cause and returns NULL on failure. */
struct store *cli_open_store(struct config *cfg, bool create);

#endif
