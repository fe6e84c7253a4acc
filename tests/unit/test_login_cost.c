/* Unit test: an unknown name costs a sign-in as much as a known one: the
 * dummy hash is Argon2id at the limits `folio user` hashes with, so the
 * check against it does the same work (a timing test would be flaky). */
#include <sodium.h>

#include "admin/admin.h"
#include "check.h"

int main(void)
{
    CHECK(sodium_init() >= 0);
    CHECK(strncmp(admin_dummy_hash, "$argon2id$", 10) == 0);
    CHECK(crypto_pwhash_str_needs_rehash(admin_dummy_hash, crypto_pwhash_OPSLIMIT_MODERATE,
                                         crypto_pwhash_MEMLIMIT_MODERATE) == 0);
    /* and it matches no password anyone would type */
    CHECK(crypto_pwhash_str_verify(admin_dummy_hash, "", 0) != 0);
    return check_result("test_login_cost");
}
