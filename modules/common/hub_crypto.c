#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <apr_strings.h>
#include "hub_crypto.h"

char *hub_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    char *out;
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL)) {
        return NULL;
    }
    out = apr_palloc(p, 2 * n + 1);
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

char *hub_secret(apr_pool_t *p, const char *prefix, apr_size_t bytes)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char *raw = apr_palloc(p, bytes + 2);
    apr_size_t plen = strlen(prefix), i, o = plen;
    char *out = apr_palloc(p, plen + (bytes * 4 + 2) / 3 + 1);

    memset(raw, 0, bytes + 2);
    if (RAND_bytes(raw, (int)bytes) != 1) {
        return NULL;
    }
    memcpy(out, prefix, plen);
    for (i = 0; i < bytes; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8
                     | raw[i + 2];
        apr_size_t left = bytes - i;
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (left > 1) {
            out[o++] = b64[(v >> 6) & 63];
        }
        if (left > 2) {
            out[o++] = b64[v & 63];
        }
    }
    out[o] = '\0';
    return out;
}

int hub_secure_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) {
        return 0;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}

int hub_is_uuid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    size_t i;
    if (!s || strlen(s) != sizeof(shape) - 1) {
        return 0;
    }
    for (i = 0; shape[i]; i++) {
        if (shape[i] == '-'
                ? s[i] != '-'
                : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i]) {
            return 0;
        }
    }
    return 1;
}
