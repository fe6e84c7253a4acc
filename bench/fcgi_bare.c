/* fcgi_bare: the ceiling of libfcgi behind nginx. Answers every request
 * with the bytes of one file (a whole CGI response: "Status: ...", headers,
 * a blank line, the body), written with one FCGX_PutStr.
 * usage: fcgi_bare SOCKET THREADS RESPONSE_FILE */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

static char *response;
static int response_len;
static int listen_fd;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *serve(void *arg)
{
    (void)arg;
    FCGX_Request req;
    FCGX_InitRequest(&req, listen_fd, 0);
    for (;;) {
        pthread_mutex_lock(&accept_lock);     /* as libfcgi's threaded example */
        int rc = FCGX_Accept_r(&req);
        pthread_mutex_unlock(&accept_lock);
        if (rc < 0)
            continue;
        FCGX_PutStr(response, response_len, req.out);
        FCGX_Finish_r(&req);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fcgi_bare SOCKET THREADS RESPONSE_FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[3], "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !(response = malloc((size_t)st.st_size + 1)) ||
        fread(response, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        perror(argv[3]);
        return 1;
    }
    fclose(f);
    response_len = (int)st.st_size;
    int threads = atoi(argv[2]);
    unlink(argv[1]);
    FCGX_Init();
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        perror(argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    pthread_t tid;
    for (int i = 1; i < threads; i++)
        pthread_create(&tid, NULL, serve, NULL);
    serve(NULL);
    return 0;
}
