/* Unit test: an unknown name costs a sign-in as much as a known one: the
 * dummy hash is Argon2id at the limits `folio user` hashes with, so the
 * check against it does the same work (a timing test would be flaky). And
 * those limits are OWASP's for sign-in forms, not the 256 MiB of
 * libsodium's moderate ones. */
#include <sodium.h>

#include "admin/passwords.h"
#include "check.h"

int main(void)
{
    CHECK(sodium_init() >= 0);
    CHECK(strncmp(password_dummy_hash, "$argon2id$", 10) == 0);
    CHECK(!password_needs_rehash(password_dummy_hash));
    CHECK(crypto_pwhash_str_needs_rehash(password_dummy_hash, PASSWORD_OPSLIMIT,
                                         PASSWORD_MEMLIMIT) == 0);
    CHECK(PASSWORD_MEMLIMIT <= (size_t)64 * 1024 * 1024);
    CHECK(PASSWORD_OPSLIMIT >= 2);
    /* what `folio user` makes needs no rehash; an old moderate hash does */
    char fresh[crypto_pwhash_STRBYTES];
    CHECK(password_hash(fresh, "a password for the test"));
    CHECK(!password_needs_rehash(fresh));
    CHECK(password_matches(fresh, "a password for the test"));
    CHECK(password_needs_rehash("$argon2id$v=19$m=262144,t=3,p=1$/+KKnqbdCak77ic0m4FT/A$"
                                "GcHjS6N2nCmHwME/xDnoSpQvGUBsZT34kQBqR36dxx0"));
    /* and it matches no password anyone would type */
    CHECK(!password_matches(password_dummy_hash, ""));
    return check_result("test_login_cost");
}
