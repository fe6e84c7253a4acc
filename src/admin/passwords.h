/* passwords: how editors' passwords are hashed and checked, shared by the
 * sign-in (src/admin/login.c) and `folio user` (src/cli/user.c). */
#ifndef FOLIO_PASSWORDS_H
#define FOLIO_PASSWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

/* Argon2id at OWASP's recommendation for sign-in forms (Password Storage
 * Cheat Sheet: m = 19 MiB, t = 2, p = 1): about 50 ms and 19 MiB a check
 * here (docs/editors.md has the figures). A server checks passwords while
 * it serves readers, so the cost is what a guess costs the attacker and
 * also what a burst of sign-ins costs the server. */
#define PASSWORD_OPSLIMIT 2ULL
#define PASSWORD_MEMLIMIT ((size_t)19456 * 1024)

/* A hash an unknown name's password is checked against, so that the answer
 * takes as long as for a known name: Argon2id at the limits above, of a
 * random password nobody knows (tests/unit/test_login_cost.c checks both). */
extern const char password_dummy_hash[];

/* Hashes a password at the limits above; false when out of memory. */
bool password_hash(char out[crypto_pwhash_STRBYTES], const char *password);
bool password_matches(const char *hash, const char *password);
/* True when the hash was made with other limits (or another algorithm):
 * it is replaced at the next sign-in. */
bool password_needs_rehash(const char *hash);

/* What failed sign-ins are counted under: 32 hex digits of a hash of the
 * name as typed, so that a password typed into the name field is never
 * kept in the database. */
#define LOGIN_KEY_CHARS 33
void login_name_key(char out[LOGIN_KEY_CHARS], const char *name);

#endif
