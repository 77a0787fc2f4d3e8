/* AES-256-GCM secrets at rest; see hub_secret.h. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "hub_secret.h"

#define NONCE_LEN 12
#define TAG_LEN   16
/* plaintexts (header values, client secrets) are small; a bound keeps
 * the int arithmetic of EVP safe */
#define MAX_PLAIN (64 * 1024)

void hub_secret_wipe(void *buf, apr_size_t n)
{
    OPENSSL_cleanse(buf, n);
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Strict base64 (standard alphabet, padded) into out; the decoded length,
 * or -1 when text is not base64 or does not fit. */
static long b64_decode(const char *text, apr_size_t n, unsigned char *out,
                       apr_size_t cap)
{
    apr_size_t i, pad = 0;
    int got;
    if (n == 0 || n % 4 || n / 4 * 3 > cap) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        char c = text[i];
        if (c == '=') {
            if (i < n - 2) {
                return -1;
            }
            pad++;
        }
        else if (pad
                 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                      || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
            return -1;
        }
    }
    got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
    if (got < 0 || (apr_size_t)got < pad) {
        return -1;
    }
    return (long)((apr_size_t)got - pad);
}

const char *hub_secret_key_parse(const char *data, apr_size_t len,
                                 hub_secret_key_t *key)
{
    unsigned char buf[64];
    apr_size_t i;
    if (len == HUB_SECRET_KEY_LEN) {
        memcpy(key->bytes, data, HUB_SECRET_KEY_LEN);
        return NULL;
    }
    if (len && data[len - 1] == '\n') {
        len--;
        if (len && data[len - 1] == '\r') {
            len--;
        }
    }
    if (len == 2 * HUB_SECRET_KEY_LEN) {
        for (i = 0; i < HUB_SECRET_KEY_LEN; i++) {
            int hi = hex_val(data[2 * i]), lo = hex_val(data[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                hub_secret_wipe(key->bytes, sizeof(key->bytes));
                return "64 characters but not hex digits";
            }
            key->bytes[i] = (unsigned char)(hi << 4 | lo);
        }
        return NULL;
    }
    if (len == 44) {
        if (b64_decode(data, len, buf, sizeof(buf)) != HUB_SECRET_KEY_LEN) {
            hub_secret_wipe(buf, sizeof(buf));
            return "44 characters but not the base64 of 32 bytes";
        }
        memcpy(key->bytes, buf, HUB_SECRET_KEY_LEN);
        hub_secret_wipe(buf, sizeof(buf));
        return NULL;
    }
    return "a key is 32 bytes: 32 raw bytes, 64 hex digits or 44 "
           "characters of base64";
}

/* One AES-256-GCM pass; returns the output length or -1. */
static int gcm(int enc, const hub_secret_key_t *key, const unsigned char *iv,
               const char *aad, const unsigned char *in, int inlen,
               unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0, ok;
    if (!ctx) {
        return -1;
    }
    ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL)
                == 1
         && EVP_CipherInit_ex(ctx, NULL, NULL, key->bytes, iv, enc) == 1
         && (!*aad
             || EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
                                 (int)strlen(aad))
                    == 1)
         && (inlen == 0 || EVP_CipherUpdate(ctx, out, &n, in, inlen) == 1)
         && (enc
             || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag)
                    == 1)
         && EVP_CipherFinal_ex(ctx, out + (inlen ? n : 0), &fin) == 1
         && (!enc
             || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag)
                    == 1);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? (inlen ? n : 0) + fin : -1;
}

char *hub_secret_encrypt(apr_pool_t *p, const hub_secret_key_t *key,
                         const char *aad, const void *plain, apr_size_t len)
{
    apr_size_t raw_len = NONCE_LEN + len + TAG_LEN;
    unsigned char *raw;
    char *text;
    int n;
    if (len > MAX_PLAIN) {
        return NULL;
    }
    raw = apr_palloc(p, raw_len);
    if (RAND_bytes(raw, NONCE_LEN) != 1) {
        return NULL;
    }
    n = gcm(1, key, raw, aad ? aad : "", plain, (int)len, raw + NONCE_LEN,
            raw + NONCE_LEN + len);
    if (n != (int)len) {
        return NULL;
    }
    text = apr_palloc(p, sizeof(HUB_SECRET_PREFIX) + 4 * ((raw_len + 2) / 3));
    memcpy(text, HUB_SECRET_PREFIX, sizeof(HUB_SECRET_PREFIX) - 1);
    EVP_EncodeBlock((unsigned char *)text + sizeof(HUB_SECRET_PREFIX) - 1, raw,
                    (int)raw_len);
    return text;
}

char *hub_secret_decrypt(apr_pool_t *p, const hub_secret_key_t *key,
                         const char *aad, const char *text, apr_size_t *len)
{
    const apr_size_t pre = sizeof(HUB_SECRET_PREFIX) - 1;
    apr_size_t n, cap;
    unsigned char *raw;
    char *plain;
    long raw_len;
    int got;

    if (!text || strncmp(text, HUB_SECRET_PREFIX, pre)) {
        return NULL;
    }
    n = strlen(text + pre);
    cap = n / 4 * 3;
    if (cap > MAX_PLAIN + NONCE_LEN + TAG_LEN + 3) {
        return NULL;
    }
    raw = apr_palloc(p, cap + 1);
    raw_len = b64_decode(text + pre, n, raw, cap);
    if (raw_len < NONCE_LEN + TAG_LEN) {
        return NULL;
    }
    n = (apr_size_t)raw_len - NONCE_LEN - TAG_LEN;
    plain = apr_palloc(p, n + 1);
    got = gcm(0, key, raw, aad ? aad : "", raw + NONCE_LEN, (int)n,
              (unsigned char *)plain, raw + NONCE_LEN + n);
    if (got != (int)n) {
        hub_secret_wipe(plain, n + 1);
        return NULL;
    }
    plain[n] = '\0';
    if (len) {
        *len = n;
    }
    return plain;
}
