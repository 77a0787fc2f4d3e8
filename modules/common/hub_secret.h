/* Secrets at rest: AES-256-GCM (OpenSSL EVP) with a random 96-bit nonce
 * per value and additional authenticated data (the owning tenant's id),
 * so a ciphertext copied into another tenant's row does not decrypt.
 *
 *     "v1:" base64( nonce[12] | ciphertext[n] | tag[16] )
 *
 * The key is 32 bytes from a file (HubSecretKeyFile).  httpd-free. */
#ifndef HUB_SECRET_H
#define HUB_SECRET_H

#include <apr_pools.h>

#define HUB_SECRET_KEY_LEN 32
#define HUB_SECRET_PREFIX  "v1:"

typedef struct hub_secret_key {
    unsigned char bytes[HUB_SECRET_KEY_LEN];
} hub_secret_key_t;

/* A key from a key file's content: 32 raw bytes, 64 hex digits
 * (`openssl rand -hex 32`) or the base64 of 32 bytes (`openssl rand
 * -base64 32`); one trailing newline is ignored.  Returns NULL on
 * success, else what is wrong (never the key). */
const char *hub_secret_key_parse(const char *data, apr_size_t len,
                                 hub_secret_key_t *key);

/* Encrypt len bytes bound to aad (NUL-terminated, may be ""); the text
 * form above in p, NULL when there is no randomness or OpenSSL fails. */
char *hub_secret_encrypt(apr_pool_t *p, const hub_secret_key_t *key,
                         const char *aad, const void *plain, apr_size_t len);

/* Decrypt a text made by hub_secret_encrypt with the same key and aad:
 * the plaintext (NUL-terminated; *len its length when len is not NULL),
 * or NULL when the text is malformed, tampered with, or the key or the
 * aad differ. */
char *hub_secret_decrypt(apr_pool_t *p, const hub_secret_key_t *key,
                         const char *aad, const char *text, apr_size_t *len);

/* Overwrite n bytes in a way the compiler keeps. */
void hub_secret_wipe(void *buf, apr_size_t n);

#endif
