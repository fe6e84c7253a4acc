/* user: `folio user add|passwd|del|unlock|list`, the editors. Passwords come from
 * stdin (one line) or a prompt without echo, never from the command line. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "admin/passwords.h"
#include "cli/cli.h"
#include "core/form.h"
#include "core/text.h"
#include "store/store.h"

#define NAME_MAX_CHARS 64
#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_BYTES 1024

static const char usage[] =
    "usage: folio user add NAME [--db PATH]\n"
    "       folio user passwd NAME [--db PATH]\n"
    "       folio user del NAME [--db PATH]\n"
    "       folio user unlock NAME [--db PATH]\n"
    "       folio user list [--db PATH]\n"
    "add:    makes an editor; the password is read from stdin (one line), or asked\n"
    "        for twice without echo when stdin is a terminal. Never give it as an\n"
    "        argument.\n"
    "passwd: sets a new password (read the same way), signs the editor out\n"
    "        everywhere and lifts their sign-in lock (as unlock does).\n"
    "del:    removes the editor and ends their sessions.\n"
    "unlock: forgets the failed sign-ins for NAME, from every address, so that\n"
    "        neither the lock nor the throttle they caused holds any more.\n"
    "list:   name, created, password changed and live sessions of every editor.\n"
    "NAME: 1 to 64 letters, digits and . _ - @. Passwords: at least 8 characters.\n";

static bool name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_CHARS)
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-' || ch == '@'))
            return false;
    }
    return true;
}

/* ---- reading a password ---- */

/* One line from f into buf without its line end; false at EOF or when the
 * line is longer than the buffer holds. */
static bool read_line(FILE *f, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, f))
        return false;
    size_t len = strlen(buf);
    bool complete = len > 0 && buf[len - 1] == '\n';
    if (!complete && !feof(f))
        return false;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return true;
}

/* Prompts on the terminal and reads a line with echo off. */
static bool prompt_no_echo(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    bool echo_off = tcgetattr(STDIN_FILENO, &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    bool ok = read_line(stdin, buf, size);
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return ok;
}

static bool password_ok(const char *pw)
{
    if (!utf8_valid(pw, strlen(pw)) || utf8_length(pw) < PASSWORD_MIN_CHARS) {
        fprintf(stderr, "folio: the password must be at least %d characters of UTF-8 text\n",
                PASSWORD_MIN_CHARS);
        return false;
    }
    return true;
}

/* The new password: twice from a terminal, else one line of stdin. */
static bool read_password(const char *name, char *pw, size_t size)
{
    if (!isatty(STDIN_FILENO)) {
        if (!read_line(stdin, pw, size)) {
            fprintf(stderr, "folio: no password on stdin (one line of at most %d bytes)\n",
                    PASSWORD_MAX_BYTES);
            return false;
        }
        return password_ok(pw);
    }
    char again[PASSWORD_MAX_BYTES + 2];
    char prompt[128];
    snprintf(prompt, sizeof prompt, "New password for %s: ", name);
    bool ok = prompt_no_echo(prompt, pw, size) && password_ok(pw) &&
              prompt_no_echo("The same again: ", again, sizeof again);
    if (ok && strcmp(pw, again) != 0) {
        fprintf(stderr, "folio: the two passwords differ; nothing changed\n");
        ok = false;
    }
    sodium_memzero(again, sizeof again);
    return ok;
}

/* Reads a password and hashes it (Argon2id, src/admin/passwords.h). */
static bool new_password_hash(const char *name, char hash[crypto_pwhash_STRBYTES])
{
    char pw[PASSWORD_MAX_BYTES + 2];
    bool ok = read_password(name, pw, sizeof pw);
    if (ok && !password_hash(hash, pw)) {
        fprintf(stderr, "folio: hashing the password failed (out of memory?)\n");
        ok = false;
    }
    sodium_memzero(pw, sizeof pw);
    return ok;
}

/* ---- the subcommands ---- */

static int user_add(struct store *s, const char *db, const char *name)
{
    char hash[crypto_pwhash_STRBYTES];
    if (!new_password_hash(name, hash))
        return 1;
    int rc = store_editor_add(s, name, hash);
    if (rc == STORE_OK)
        printf("editor %s added\n", name);
    else if (rc == STORE_CONFLICT)
        fprintf(stderr, "folio: database %s: an editor named %s already exists\n", db, name);
    return rc == STORE_OK ? 0 : 1;
}

/* Forgets the failed sign-ins counted for the name (under the key the
 * sign-in counts them by). */
static int forget_failures(struct store *s, const char *name, int64_t *forgotten)
{
    char key[LOGIN_KEY_CHARS];
    login_name_key(key, name);
    return store_login_failures_clear(s, key, NULL, forgotten);
}

static int user_unlock(struct store *s, const char *db, const char *name)
{
    struct arena a = {0};
    struct editor e;
    int rc = store_editor_by_name(s, &a, name, &e);
    arena_free(&a);
    int64_t forgotten = 0;
    if (rc == STORE_OK)
        rc = forget_failures(s, name, &forgotten);
    if (rc == STORE_OK)
        printf("%s may sign in again (%lld failed sign-in%s forgotten)\n", name,
               (long long)forgotten, forgotten == 1 ? "" : "s");
    else if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: database %s: no editor is named %s\n", db, name);
    return rc == STORE_OK ? 0 : 1;
}

static int user_passwd(struct store *s, const char *db, const char *name)
{
    struct arena a = {0};
    struct editor e;
    int rc = store_editor_by_name(s, &a, name, &e);
    arena_free(&a);
    char hash[crypto_pwhash_STRBYTES];
    if (rc == STORE_OK && !new_password_hash(name, hash))
        return 1;
    if (rc == STORE_OK)
        rc = store_editor_set_password(s, name, hash);
    if (rc == STORE_OK)
        rc = forget_failures(s, name, NULL);
    if (rc == STORE_OK)
        printf("password of %s changed; their sessions have ended and they may sign in "
               "again at once\n", name);
    else if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: database %s: no editor is named %s\n", db, name);
    return rc == STORE_OK ? 0 : 1;
}

static int user_del(struct store *s, const char *db, const char *name)
{
    int rc = store_editor_delete(s, name);
    if (rc == STORE_OK)
        printf("editor %s deleted\n", name);
    else if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: database %s: no editor is named %s\n", db, name);
    return rc == STORE_OK ? 0 : 1;
}

static int user_list(struct store *s)
{
    struct arena a = {0};
    struct editor_list list;
    int rc = store_editors(s, &a, &list);
    if (rc == STORE_OK) {
        printf("%-24s  %-20s  %-20s  %s\n", "NAME", "CREATED", "PASSWORD CHANGED", "SESSIONS");
        for (size_t i = 0; i < list.count; i++) {
            const struct editor *e = &list.items[i];
            char created[32], changed[32];
            format_rfc3339(e->created_at, created, sizeof created);
            format_rfc3339(e->password_changed_at, changed, sizeof changed);
            printf("%-24s  %-20s  %-20s  %lld\n", e->name, created, changed,
                   (long long)e->sessions);
        }
    }
    arena_free(&a);
    return rc == STORE_OK ? 0 : 1;
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "folio user: %s%s%s%s\n%s", what, arg ? " '" : "", arg ? arg : "",
            arg ? "'" : "", usage);
    return EXIT_USAGE;
}

/* Checks the words; returns 0 when they make a command, else EXIT_USAGE.
 * An extra word is not echoed: it may be a password typed by mistake. */
static int check_words(const char **words, int n)
{
    static const char *const subs[] = { "add", "passwd", "del", "unlock", "list" };
    if (n == 0)
        return bad_usage("missing subcommand", NULL);
    bool known = false;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known = known || strcmp(words[0], subs[i]) == 0;
    if (!known)
        return bad_usage("unknown subcommand", words[0]);
    int want = strcmp(words[0], "list") == 0 ? 1 : 2;
    if (n < want)
        return bad_usage("missing NAME", NULL);
    if (n > want)
        return bad_usage("unexpected argument (a password is read from stdin, never taken "
                         "from the command line)", NULL);
    if (want == 2 && !name_ok(words[1]))
        return bad_usage("NAME must be 1 to 64 letters, digits and . _ - @, not", words[1]);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    struct config cfg;
    const char *words[8];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 8, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = check_words(words, n)) != 0)
        return rc;
    const char *sub = words[0];
    struct store *s = cli_open_store(&cfg, strcmp(sub, "add") == 0);
    if (!s)
        return 1;
    if (strcmp(sub, "add") == 0)
        rc = user_add(s, cfg.db_path, words[1]);
    else if (strcmp(sub, "passwd") == 0)
        rc = user_passwd(s, cfg.db_path, words[1]);
    else if (strcmp(sub, "del") == 0)
        rc = user_del(s, cfg.db_path, words[1]);
    else if (strcmp(sub, "unlock") == 0)
        rc = user_unlock(s, cfg.db_path, words[1]);
    else
        rc = user_list(s);
    store_close(s);
    return rc;
}
