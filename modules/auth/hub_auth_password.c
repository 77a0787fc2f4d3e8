/* Passwords: Argon2id (libargon2) with OWASP's minimum cost (19 MiB,
 * 2 passes, 1 lane): a few tens of milliseconds, on purpose. */
#include <string.h>
#include <argon2.h>
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"

#define T_COST   2
#define M_COST   (19 * 1024)
#define LANES    1
#define SALT_LEN 16
#define HASH_LEN 32

const char *hub_auth_password_hash(apr_pool_t *p, const char *password)
{
    unsigned char salt[SALT_LEN];
    size_t len = argon2_encodedlen(T_COST, M_COST, LANES, SALT_LEN, HASH_LEN,
                                   Argon2_id);
    char *out = apr_palloc(p, len);
    if (apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS
        || argon2id_hash_encoded(T_COST, M_COST, LANES, password,
                                 strlen(password), salt, sizeof(salt), HASH_LEN,
                                 out, len)
               != ARGON2_OK) {
        return NULL;
    }
    return out;
}

/* A hash of a password nobody has, to check against when the account does
 * not exist: the same work, the same answer.  Made once in the parent
 * (hub_auth_password_init), so the children only read it. */
static const char *decoy(void)
{
    static char encoded[160];
    static const unsigned char salt[SALT_LEN] = "mod_hub decoy!!";
    if (!encoded[0]) {
        argon2id_hash_encoded(T_COST, M_COST, LANES, "decoy", 5, salt, SALT_LEN,
                              HASH_LEN, encoded, sizeof(encoded));
    }
    return encoded;
}

void hub_auth_password_init(void)
{
    decoy();
}

int hub_auth_password_verify(const char *encoded, const char *password)
{
    int ok;
    if (!password) {
        password = "";
    }
    if (!encoded || strncmp(encoded, "$argon2id$", 10)) {
        argon2id_verify(decoy(), password, strlen(password));
        return 0;
    }
    ok = argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
    return ok;
}

const char *hub_auth_password_weak(const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 10) {
        return "password must be at least 10 characters";
    }
    if (n > 256) {
        return "password must be at most 256 characters";
    }
    return NULL;
}
