/* config: every option of every command, its default, and how it is read
 * from the command line and from an INI file. All defaults live here. */
#ifndef FOLIO_CONFIG_H
#define FOLIO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum moderation_mode { MODERATION_ALL, MODERATION_FIRST };

#define SENDMAIL_DEFAULT "/usr/sbin/sendmail"   /* --sendmail */

struct config {
    const char *db_path;
    const char *www_dir;
    const char *sql_dir;
    const char *config_file;
    /* servers */
    const char *listen;             /* HOST:PORT */
    const char *socket_path;        /* fcgi only */
    int threads;                    /* 0: config_default_threads() */
    const char *base_path;          /* "" or "/prefix" without trailing slash */
    const char *base_url;           /* "" or "https://host" (no trailing slash) */
    const char *site_title;
    /* comments */
    enum moderation_mode moderation;
    int max_links;
    const char *moderation_keys;
    const char *disallowed_keys;
    int comment_rate;
    int min_submit_seconds;
    const char *trusted_proxy;
    int comments_per_page;          /* threads per comment page; 0: all on one */
    int retain_addresses;           /* days; 0: never kept; -1: forever */
    int edit_minutes;               /* a commenter's own changes; 0: none */
    const char *access_log;         /* NULL or "-": stderr; "off"; or a file */
    /* notifications (src/notify/) */
    const char *notify_webhook;     /* "" or an http(s) URL */
    const char *notify_secret;      /* "" or the file of the webhook's key */
    const char *notify_email;       /* "" or the editors' address */
    const char *sendmail;           /* run as `sendmail -t -i`; SENDMAIL_DEFAULT */
    const char *mail_from;          /* "": folio@ the host of --base-url */
    /* init */
    bool demo;
    /* import, export */
    bool dry_run;
    const char *output;
};

void config_defaults(struct config *cfg);

/* The --threads default of a front end: FastCGI 8 per core, at least 16;
 * the embedded server one per core. */
int config_default_threads(bool fcgi);

/* Parses argv (options may stand anywhere after the command's words) into
 * cfg, collecting the remaining words in words[] (at most max_words). Reads
 * --config FILE first when given. Returns 0, or 2 after printing the bad
 * option or value to stderr. `allowed` is a NULL-terminated list of the
 * option names this command takes (the common ones are always allowed). */
int config_parse(struct config *cfg, int argc, char **argv, const char *const *allowed,
                 const char **words, int max_words, int *word_count, bool *help);

/* How many words of argv "--name" or "--name=value" takes (1 or 2), or 0
 * when no command has such an option. */
int config_option_words(const char *arg);

/* The option that an unknown --NAME (len bytes) was most likely meant to be:
 * a common synonym (--port: listen) or a near spelling (--dbb: db), among
 * the common options and `allowed` (or any command's, before the command is
 * known); NULL when none is close. */
const char *config_option_suggestion(const char *name, size_t len, const char *const *allowed,
                                     bool any_command);

/* Fills in www_dir and sql_dir when not given: next to the installed binary,
 * the source tree the binary was built from, or the install prefix. */
void config_resolve_paths(struct config *cfg);

#endif
