/* server: `folio serve` and `folio fcgi`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "app/app.h"
#include "front/front.h"
#include "notify/notify.h"

static const char *const server_options[] = {
    "listen", "threads", "base-path", "base-url", "site-title", "moderation", "max-links",
    "moderation-keys", "disallowed-keys", "comment-rate", "min-submit-seconds",
    "trusted-proxy", "socket", "access-log", "retain-addresses", "comments-per-page",
    "edit-minutes", "notify-webhook", "notify-secret", "notify-email", "sendmail",
    "mail-from", NULL,
};

#define SERVER_OPTIONS_HELP                                                              \
    "  --threads N              request workers (default: fcgi 8 per core, at least 16;\n" \
    "                           serve one per core)\n"                                   \
    "  --base-path /PREFIX      the site is mounted under this path\n"                   \
    "  --base-url URL           absolute links (feeds, mail); default: from the request\n" \
    "  --site-title TEXT        the site's name (default: folio)\n"                      \
    "  --moderation all|first   hold every comment, or only a commenter's first\n"       \
    "  --max-links N            comments with more links are held (default 2)\n"         \
    "  --moderation-keys FILE   words that hold a comment\n"                             \
    "  --disallowed-keys FILE   words that send a comment to spam\n"                     \
    "  --comment-rate N         comments per address per 10 minutes (default 5; 0 off)\n" \
    "  --min-submit-seconds N   the form's minimum time on the page (default 3)\n"       \
    "  --comments-per-page N    threads per comment page (default 50; 0 all on one)\n"  \
    "  --trusted-proxy ADDR     believe X-Forwarded-For from this peer only\n"           \
    "  --access-log FILE|-|off  a line per request, combined format (default: serve -,\n" \
    "                           i.e. stderr; fcgi off)\n"                              \
    "  --retain-addresses DAYS  commenters' addresses kept this long (default 30;\n"     \
    "                           0 never, -1 forever)\n"                                  \
    "  --edit-minutes N         a commenter may edit or withdraw a pending comment for\n" \
    "                           this long, from the same browser (default 15; 0 never)\n" \
    "  --notify-webhook URL     events are POSTed here as JSON\n"                        \
    "  --notify-secret FILE     the key of the webhook's X-Folio-Signature\n"            \
    "  --notify-email ADDR      editors' address for new held comments (needs\n"        \
    "                           --base-url)\n"                                           \
    "  --sendmail PATH          how mail leaves: PATH -t -i (default /usr/sbin/sendmail)\n" \
    "  --mail-from ADDR         sender of every mail (default folio@ the host of\n"     \
    "                           --base-url)\n"                                           \
    "  --db PATH  --config FILE  --www DIR\n"

static const char serve_usage[] =
    "usage: folio serve [--listen HOST:PORT] [options]\n"
    "Serves the site over HTTP (default 127.0.0.1:8080), creating the database if needed.\n"
    SERVER_OPTIONS_HELP;

static const char fcgi_usage[] =
    "usage: folio fcgi [--listen HOST:PORT | --socket PATH] [options]\n"
    "Serves the site over FastCGI; with neither option, accepts on fd 0 when it is a\n"
    "listening socket (spawn-fcgi, systemd socket activation). The database must exist\n"
    "(folio init creates it).\n" SERVER_OPTIONS_HELP;

static int run_server(int argc, char **argv, bool fcgi)
{
    static struct app app;  /* lives as long as the process; threads point into it */
    const char *words[1];
    int n;
    int rc = cli_parse(&app.cfg, argc, argv, server_options, words, 0, &n,
                       fcgi ? fcgi_usage : serve_usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!fcgi && app.cfg.socket_path) {
        fprintf(stderr, "folio: unknown option '--socket' (serve speaks HTTP; see --listen)\n");
        return EXIT_USAGE;
    }
    if (!fcgi && !app.cfg.listen)
        app.cfg.listen = "127.0.0.1:8080";
    if ((rc = notify_check_options(&app.cfg)) != 0)
        return rc;
    app.db_must_exist = fcgi;
    if (app_init(&app) != 0)
        return 1;
    if (notify_start(&app) != 0) {
        app_free(&app);
        return 1;
    }
    rc = fcgi ? front_fcgi_run(&app) : front_http_run(&app);
    notify_stop();
    app_free(&app);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    return run_server(argc, argv, false);
}

int cmd_fcgi(int argc, char **argv)
{
    return run_server(argc, argv, true);
}
