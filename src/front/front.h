/* front: the two transports. Each runs until SIGTERM or SIGINT, finishes the
 * requests in flight, and returns the process's exit status. */
#ifndef FOLIO_FRONT_H
#define FOLIO_FRONT_H

struct app;

/* `folio serve`: HTTP through libmicrohttpd on app->cfg.listen. */
int front_http_run(struct app *app);
/* `folio fcgi`: FastCGI on app->cfg.socket_path, app->cfg.listen, or fd 0. */
int front_fcgi_run(struct app *app);

#endif
