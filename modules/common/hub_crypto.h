/* Hashing, random secrets and comparisons for keys and tokens (OpenSSL).
 * httpd-free. */
#ifndef HUB_CRYPTO_H
#define HUB_CRYPTO_H

#include <apr_pools.h>

/* Lowercase hex SHA-256 of len bytes (64 characters). */
char *hub_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len);

/* A secret of `bytes` random bytes, base64url without padding, after
 * `prefix` ("hub_").  NULL when the system has no randomness to give. */
char *hub_secret(apr_pool_t *p, const char *prefix, apr_size_t bytes);

/* Equal in time that does not depend on where the strings differ. */
int hub_secure_equal(const char *a, const char *b);

/* A canonical UUID text (8-4-4-4-12 hex), so it can be cast to ::uuid. */
int hub_is_uuid(const char *s);

#endif
