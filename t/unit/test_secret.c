/* Unit tests of hub_secret: AES-256-GCM round trips, tampering with each
 * part of the text, the wrong additional data or key, and key files. */
#include <string.h>
#include <openssl/evp.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_secret.h"
#include "tap.h"

#define TENANT_A "0b0c8a64-5c38-4bd1-9a8e-1f2e3d4c5b6a"
#define TENANT_B "7e1f0d2c-3b4a-4958-8776-a5b4c3d2e1f0"

static hub_secret_key_t key_a, key_b;

/* The text with one bit of raw byte i flipped (re-encoded as base64). */
static char *flip(apr_pool_t *p, const char *text, apr_size_t i)
{
    const char *b64 = text + strlen(HUB_SECRET_PREFIX);
    apr_size_t n = strlen(b64);
    unsigned char *raw = apr_palloc(p, n);
    char *out = apr_palloc(p, strlen(text) + 4);
    int got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    int pad = (n && b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
    raw[i] ^= 0x01;
    strcpy(out, HUB_SECRET_PREFIX);
    EVP_EncodeBlock((unsigned char *)out + strlen(HUB_SECRET_PREFIX), raw,
                    got - pad);
    return out;
}

static void test_round_trip(apr_pool_t *p)
{
    static const char bin[] = { 'a', 0, 'b', (char)0xff, 0 };
    char *c1, *c2, *d;
    apr_size_t n = 99;

    c1 = hub_secret_encrypt(p, &key_a, TENANT_A, "s3cret-value", 12);
    ok(c1 && !strncmp(c1, "v1:", 3), "encrypt gives v1:...");
    ok(c1 && !strstr(c1, "s3cret"), "  ... without the plaintext in it");
    d = hub_secret_decrypt(p, &key_a, TENANT_A, c1, &n);
    is_str(d, "s3cret-value", "round trip");
    is_int((long long)n, 12, "  ... length");
    c2 = hub_secret_encrypt(p, &key_a, TENANT_A, "s3cret-value", 12);
    ok(c1 && c2 && strcmp(c1, c2), "a fresh nonce each time: texts differ");
    ok(c1 && c2 && strncmp(c1 + 3, c2 + 3, 16),
       "  ... from their first bytes (the nonce)");
    is_str(hub_secret_decrypt(p, &key_a, TENANT_A, c2, NULL), "s3cret-value",
           "the second decrypts too");

    c1 = hub_secret_encrypt(p, &key_a, TENANT_A, "", 0);
    d = hub_secret_decrypt(p, &key_a, TENANT_A, c1, &n);
    ok(d && n == 0 && !*d, "empty value round trip");

    c1 = hub_secret_encrypt(p, &key_a, TENANT_A, bin, 4);
    d = hub_secret_decrypt(p, &key_a, TENANT_A, c1, &n);
    ok(d && n == 4 && !memcmp(d, bin, 4), "binary value with a NUL");

    c1 = hub_secret_encrypt(p, &key_a, "", "x", 1);
    is_str(hub_secret_decrypt(p, &key_a, "", c1, NULL), "x", "empty AAD");
    c1 = hub_secret_encrypt(p, &key_a, NULL, "x", 1);
    is_str(hub_secret_decrypt(p, &key_a, "", c1, NULL), "x",
           "NULL AAD is the empty AAD");
    {
        char *big = apr_palloc(p, 5000);
        memset(big, 'z', 5000);
        c1 = hub_secret_encrypt(p, &key_a, TENANT_A, big, 5000);
        d = hub_secret_decrypt(p, &key_a, TENANT_A, c1, &n);
        ok(d && n == 5000 && !memcmp(d, big, 5000), "5000-byte value");
    }
}

static void test_tamper(apr_pool_t *p)
{
    const char *plain = "header-value-1234";
    apr_size_t len = strlen(plain), i;
    char *c = hub_secret_encrypt(p, &key_a, TENANT_A, plain, len), *t;
    int all = 1;

    ok(hub_secret_decrypt(p, &key_a, TENANT_A, c, NULL) != NULL,
       "untouched text decrypts");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 0), NULL),
       "nonce tampered (first byte): fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 11), NULL),
       "nonce tampered (last byte): fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 12), NULL),
       "ciphertext tampered (first byte): fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 12 + len - 1), NULL),
       "ciphertext tampered (last byte): fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 12 + len), NULL),
       "tag tampered (first byte): fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, 12 + len + 15),
                           NULL),
       "tag tampered (last byte): fails");
    for (i = 0; i < 12 + len + 16; i++) {
        if (hub_secret_decrypt(p, &key_a, TENANT_A, flip(p, c, i), NULL)) {
            all = 0;
            diag("byte %u flipped still decrypts", (unsigned)i);
        }
    }
    ok(all, "every single-bit change anywhere fails");

    t = apr_pstrdup(p, c);
    t[1] = '2';
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, t, NULL),
       "version prefix changed: fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, c + 3, NULL),
       "without the prefix: fails");
    t = apr_pstrndup(p, c, strlen(c) - 4);
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, t, NULL),
       "truncated (tag cut short): fails");
    t = apr_pstrcat(p, c, "AAAA", NULL);
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, t, NULL),
       "bytes appended: fails");
    t = apr_pstrdup(p, c);
    t[5] = '*';
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, t, NULL), "not base64: fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, "v1:", NULL), "empty: fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, "v1:AAAA", NULL),
       "too short for nonce and tag: fails");
    ok(!hub_secret_decrypt(p, &key_a, TENANT_A, NULL, NULL), "NULL: fails");
}

static void test_wrong_aad_key(apr_pool_t *p)
{
    char *c = hub_secret_encrypt(p, &key_a, TENANT_A, "tenant-a-only", 13);
    ok(!hub_secret_decrypt(p, &key_a, TENANT_B, c, NULL),
       "another tenant's id as AAD: fails");
    ok(!hub_secret_decrypt(p, &key_a, "", c, NULL), "no AAD: fails");
    ok(!hub_secret_decrypt(p, &key_b, TENANT_A, c, NULL), "wrong key: fails");
    is_str(hub_secret_decrypt(p, &key_a, TENANT_A, c, NULL), "tenant-a-only",
           "right key and AAD still work");
}

static void test_key_parse(apr_pool_t *p)
{
    hub_secret_key_t k;
    const char *hex = "000102030405060708090a0b0c0d0e0f"
                      "101112131415161718191a1b1c1d1e1f";
    const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    unsigned char want[32];
    int i;
    for (i = 0; i < 32; i++) {
        want[i] = (unsigned char)i;
    }
    ok(!hub_secret_key_parse(hex, 64, &k) && !memcmp(k.bytes, want, 32),
       "64 hex digits");
    ok(!hub_secret_key_parse(apr_pstrcat(p, hex, "\n", NULL), 65, &k)
           && !memcmp(k.bytes, want, 32),
       "hex with a trailing newline");
    ok(!hub_secret_key_parse(b64, 44, &k) && !memcmp(k.bytes, want, 32),
       "base64 of 32 bytes");
    ok(!hub_secret_key_parse((const char *)want, 32, &k)
           && !memcmp(k.bytes, want, 32),
       "32 raw bytes");
    ok(hub_secret_key_parse(hex, 62, &k) != NULL, "31 bytes of hex: refused");
    ok(hub_secret_key_parse("short", 5, &k) != NULL, "short: refused");
    ok(hub_secret_key_parse("", 0, &k) != NULL, "empty: refused");
    ok(hub_secret_key_parse(apr_pstrcat(p, "zz", hex + 2, NULL), 64, &k)
           != NULL,
       "64 characters, not hex: refused");
    ok(hub_secret_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd****", 44,
                            &k)
           != NULL,
       "44 characters, not base64: refused");
}

int main(void)
{
    apr_pool_t *p;
    int i;
    apr_initialize();
    apr_pool_create(&p, NULL);
    for (i = 0; i < HUB_SECRET_KEY_LEN; i++) {
        key_a.bytes[i] = (unsigned char)(i * 7 + 1);
        key_b.bytes[i] = (unsigned char)(i * 7 + 1);
    }
    key_b.bytes[31] ^= 0x80; /* one bit apart */
    test_round_trip(p);
    test_tamper(p);
    test_wrong_aad_key(p);
    test_key_parse(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
