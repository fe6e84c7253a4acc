/* mail: RFC 5322 messages (RFC 2045 base64 bodies, RFC 2047 subjects) and
 * the sendmail program that takes them. */
#define _GNU_SOURCE     /* posix_spawn_file_actions_addclosefrom_np */
#include "notify/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

extern char **environ;

#define LINE_CHUNK 57           /* bytes of body per base64 line: 76 characters */
#define SUBJECT_CHUNK 45        /* bytes per encoded word: 60 characters of base64 */

bool mail_address_ok(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr(",;<>\"()[]\\", *p))
            return false;
    return true;
}

/* A URL for a header between angle brackets: printable ASCII, no '>'. */
static bool header_url_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '>' || *p == '<')
            return false;
    return *s != '\0';
}

static void put_date(struct buf *out, int64_t t)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n", days[tm.tm_wday],
               tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
               tm.tm_sec);
}

/* The length of the longest prefix of s[0..len) of at most max bytes that
 * does not cut a UTF-8 sequence. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n > 0 ? n : max;
}

static void put_base64(struct buf *out, const unsigned char *data, size_t len)
{
    char enc[sodium_base64_ENCODED_LEN(LINE_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(enc, sizeof enc, data, len, sodium_base64_VARIANT_ORIGINAL);
    buf_puts(out, enc);
}

/* Subject: the text with every control character as a space; pure short
 * ASCII as it is, anything else as RFC 2047 encoded words ("B", UTF-8),
 * each on a folded line of its own. */
static void put_subject(struct buf *out, const char *subject)
{
    size_t len = strlen(subject);
    char *clean = malloc(len + 1);
    if (!clean) {
        out->failed = true;
        return;
    }
    bool ascii = len <= 70;
    for (size_t i = 0; i <= len; i++) {
        unsigned char ch = (unsigned char)subject[i];
        clean[i] = (char)(i < len && (ch < 0x20 || ch == 0x7f) ? ' ' : ch);
        ascii = ascii && ch < 0x7f;
    }
    buf_puts(out, "Subject:");
    if (ascii) {
        buf_printf(out, " %s\n", clean);
    } else {
        for (size_t i = 0; i < len;) {
            size_t n = utf8_prefix(clean + i, len - i, SUBJECT_CHUNK);
            buf_puts(out, i ? "\n =?UTF-8?B?" : " =?UTF-8?B?");
            put_base64(out, (const unsigned char *)clean + i, n);
            buf_puts(out, "?=");
            i += n;
        }
        buf_putc(out, '\n');
    }
    free(clean);
}

/* The body in base64, 76 characters a line, its line breaks as CR LF (the
 * canonical form of text, RFC 2046). */
static void put_body(struct buf *out, const char *body)
{
    struct buf canon = {0};
    for (const char *p = body; *p; p++) {
        if (*p == '\n')
            buf_putc(&canon, '\r');
        if (*p != '\r')
            buf_putc(&canon, *p);
    }
    for (size_t i = 0; i < canon.len; i += LINE_CHUNK) {
        size_t n = canon.len - i < LINE_CHUNK ? canon.len - i : LINE_CHUNK;
        put_base64(out, (const unsigned char *)canon.data + i, n);
        buf_putc(out, '\n');
    }
    if (canon.failed)
        out->failed = true;
    buf_free(&canon);
}

bool mail_format(struct buf *out, const struct mail *m)
{
    if (!mail_address_ok(m->from) || !mail_address_ok(m->to) ||
        !header_url_ok(m->message_id) ||
        (m->unsubscribe_url && !header_url_ok(m->unsubscribe_url)))
        return false;
    put_date(out, m->date);
    buf_printf(out, "From: %s\nTo: %s\n", m->from, m->to);
    put_subject(out, m->subject);
    buf_printf(out, "Message-ID: <%s>\n", m->message_id);
    if (m->unsubscribe_url)
        buf_printf(out, "List-Unsubscribe: <%s>\n"
                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
                   m->unsubscribe_url);
    buf_puts(out, "Auto-Submitted: auto-generated\n"
                  "MIME-Version: 1.0\n"
                  "Content-Type: text/plain; charset=utf-8\n"
                  "Content-Transfer-Encoding: base64\n\n");
    put_body(out, m->body);
    return !out->failed;
}

/* ---- sendmail ---- */

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts `sendmail -t -i` in a process group of its own, its standard input
 * the other end of *fd. */
static int spawn_sendmail(const char *path, pid_t *pid, int *fd, char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);      /* the server ignores it; sendmail should not */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    /* nothing of the server's beyond stdout and stderr: a FastCGI
     * connection libfcgi accepted (without close-on-exec) would otherwise
     * stay open as long as sendmail runs */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    char *argv[] = { (char *)path, (char *)"-t", (char *)"-i", NULL };
    int rc = posix_spawn(pid, path, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        snprintf(err, errlen, "%s: %s", path, strerror(rc));
        return -1;
    }
    *fd = sv[0];
    return 0;
}

/* Writes all of data to fd by the deadline; false when it cannot. */
static bool write_all(int fd, const char *data, size_t len, long long deadline,
                      const atomic_int *stop)
{
    while (len > 0) {
        long long left = deadline - monotonic_ms();
        if (left <= 0 || atomic_load(stop))
            return false;
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (poll(&p, 1, left > 200 ? 200 : (int)left) < 0 && errno != EINTR)
            return false;
        if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)))
            continue;
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Waits for the child by the deadline; kills its group when it is late.
 * Looks after 1 ms, then twice as long each time up to 50 ms: a sendmail
 * that queues the message is back within milliseconds. */
static int wait_child(pid_t pid, long long deadline, const atomic_int *stop, int *status)
{
    long nap_ns = 1000000L;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (monotonic_ms() >= deadline || atomic_load(stop)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
            }
            return -1;
        }
        struct timespec nap = { 0, nap_ns };
        nanosleep(&nap, NULL);
        nap_ns = nap_ns < 25000000L ? nap_ns * 2 : 50000000L;
    }
}

int mail_send(const char *sendmail, const char *message, size_t len, int timeout_s,
              const atomic_int *stop, char *err, size_t errlen)
{
    pid_t pid;
    int fd;
    if (spawn_sendmail(sendmail, &pid, &fd, err, errlen) != 0)
        return -1;
    long long deadline = monotonic_ms() + (long long)timeout_s * 1000;
    bool written = write_all(fd, message, len, deadline, stop);
    shutdown(fd, SHUT_WR);
    close(fd);
    int status = 0;
    if (wait_child(pid, deadline, stop, &status) != 0) {
        snprintf(err, errlen, "%s did not finish within %d s; killed", sendmail, timeout_s);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s %s %d", sendmail,
                 WIFEXITED(status) ? "exited with status" : "was killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    if (!written) {
        snprintf(err, errlen, "%s did not take the whole message", sendmail);
        return -1;
    }
    return 0;
}
