/* passwords: Argon2id hashes of editors' passwords (libsodium). */
#include <string.h>

#include "admin/passwords.h"

const char password_dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=19456,t=2,p=1$K+RLbGHnKSZCo1aIppduAw$"
    "QxHWxLp7kIXkjFEmzdgY8aRVGmZw6JbA4mbGZqwVFi4";

bool password_hash(char out[crypto_pwhash_STRBYTES], const char *password)
{
    return crypto_pwhash_str(out, password, strlen(password), PASSWORD_OPSLIMIT,
                             PASSWORD_MEMLIMIT) == 0;
}

bool password_matches(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}

void login_name_key(char out[LOGIN_KEY_CHARS], const char *name)
{
    unsigned char hash[(LOGIN_KEY_CHARS - 1) / 2];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)name, strlen(name), NULL, 0);
    sodium_bin2hex(out, LOGIN_KEY_CHARS, hash, sizeof hash);
}
