/* Unit tests of hub_crypto: SHA-256 hex, random secrets, constant-time
 * comparison and the UUID shape check. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_crypto.h"
#include "tap.h"

#define B64URL \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
    "0123456789-_"

static void test_sha256(apr_pool_t *p)
{
    char *h;

    is_str(hub_sha256_hex(p, "", 0),
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "sha256 of \"\"");
    h = hub_sha256_hex(p, "abc", 3);
    is_str(h,
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "sha256 of \"abc\"");
    is_int(h ? (long long)strlen(h) : -1, 64, "  ... 64 characters");
    ok(h && strspn(h, "0123456789abcdef") == 64, "  ... lowercase hex only");
    /* only len bytes count, not what follows them */
    is_str(hub_sha256_hex(p, "abcdef", 3),
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "only len bytes are hashed");
    /* a NUL inside the data is hashed too */
    ok(strcmp(hub_sha256_hex(p, "a\0b", 3), hub_sha256_hex(p, "a", 1)) != 0,
       "bytes after an embedded NUL are hashed");
}

static void secret_size(apr_pool_t *p, apr_size_t n)
{
    char *s = hub_secret(p, "hub_", n);
    apr_size_t want = (4 * n + 2) / 3; /* ceil(4n/3) */

    ok(s != NULL, "secret of %lu bytes", (unsigned long)n);
    if (!s) {
        return;
    }
    ok(!strncmp(s, "hub_", 4), "  ... keeps the prefix (%s)", s);
    is_int((long long)strlen(s) - 4, (long long)want,
           apr_psprintf(p, "  ... %lu bytes give %lu characters",
                        (unsigned long)n, (unsigned long)want));
    ok(strspn(s + 4, B64URL) == strlen(s + 4),
       "  ... only base64url characters, no padding");
}

static void test_secret(apr_pool_t *p)
{
    char *a = hub_secret(p, "hub_", 32);
    char *b = hub_secret(p, "hub_", 32);
    char *c;

    ok(a != NULL && b != NULL, "two 32-byte secrets");
    if (!a || !b) {
        return;
    }
    ok(!strncmp(a, "hub_", 4), "prefix kept");
    is_int((long long)strlen(a), 4 + 43, "32 bytes: prefix + 43 characters");
    ok(strspn(a + 4, B64URL) == 43, "only base64url characters");
    ok(strcmp(a, b) != 0, "two calls differ");

    c = hub_secret(p, "", 32);
    ok(c && strlen(c) == 43 && strspn(c, B64URL) == 43,
       "empty prefix: just the 43 characters");
    c = hub_secret(p, "pw_live_", 16);
    ok(c && !strncmp(c, "pw_live_", 8) && strlen(c) == 8 + 22,
       "another prefix, 16 bytes: prefix + 22");

    secret_size(p, 1);
    secret_size(p, 2);
    secret_size(p, 3);
    secret_size(p, 4);
    secret_size(p, 31);
    secret_size(p, 64);

    /* every character of the alphabet is reachable, and nothing else:
     * over many secrets no '+', '/' or '=' shows up */
    {
        int i, bad = 0;
        for (i = 0; i < 200; i++) {
            char *s = hub_secret(p, "", 30);
            if (!s || strlen(s) != 40 || strspn(s, B64URL) != 40) {
                bad++;
            }
        }
        is_int(bad, 0, "200 secrets are all clean base64url");
    }
}

static void test_secure_equal(void)
{
    ok(hub_secure_equal("abc", "abc"), "equal strings");
    ok(!hub_secure_equal("abc", "abd"), "differ in the last byte");
    ok(!hub_secure_equal("xbc", "abc"), "differ in the first byte");
    ok(!hub_secure_equal("abc", "abcd"), "a prefix is not equal");
    ok(!hub_secure_equal("abcd", "abc"), "longer is not equal");
    ok(hub_secure_equal("", ""), "two empty strings are equal");
    ok(!hub_secure_equal("", "a"), "empty and non-empty differ");
    ok(!hub_secure_equal("a", ""), "non-empty and empty differ");
    ok(!hub_secure_equal("ABC", "abc"), "case matters");
}

static void test_uuid(void)
{
    ok(hub_is_uuid("123e4567-e89b-12d3-a456-426614174000"),
       "canonical lowercase");
    ok(hub_is_uuid("123E4567-E89B-12D3-A456-426614174000"),
       "canonical uppercase");
    ok(hub_is_uuid("00000000-0000-0000-0000-000000000000"), "nil UUID");
    ok(hub_is_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"), "all f");

    ok(!hub_is_uuid(NULL), "NULL rejected");
    ok(!hub_is_uuid(""), "\"\" rejected");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a456-42661417400"), "one short");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a456-4266141740000"), "one long");
    ok(!hub_is_uuid("123e4567e89b12d3a456426614174000"), "no dashes");
    ok(!hub_is_uuid("123e4567e89b-12d3-a456-426614174000-"),
       "right length, dashes moved");
    ok(!hub_is_uuid("123e456-7e89b-12d3-a456-426614174000"),
       "first dash one place early");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a4564-26614174000"),
       "last dash one place late");
    ok(!hub_is_uuid("123e4567xe89b-12d3-a456-426614174000"),
       "a non-dash where a dash goes");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a456-4266141740-0"),
       "a dash where a hex digit goes");
    ok(!hub_is_uuid("123g4567-e89b-12d3-a456-426614174000"), "'g' rejected");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a456-42661417400z"),
       "non-hex last character");
    ok(!hub_is_uuid(" 23e4567-e89b-12d3-a456-426614174000"), "space rejected");
    ok(!hub_is_uuid("{23e4567-e89b-12d3-a456-42661417400}"), "braces rejected");
    ok(!hub_is_uuid("123e4567-e89b-12d3-a456-426614174000' OR '1'='1"),
       "SQL after a UUID rejected");
    {
        /* 36 characters with the dashes where they go: only the hex
         * check stands between this and a ::uuid cast */
        const char *sql = "';DROP T-ABLE- key-s;---aaaaaaaaaaaa";
        is_int((long long)strlen(sql), 36, "(the SQL string is UUID-sized)");
        ok(!hub_is_uuid(sql), "36 characters of SQL, dashes in place, "
                              "rejected");
    }
    ok(!hub_is_uuid("1234567'-e89b-12d3-a456-426614174000"),
       "a quote in place of a digit");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_sha256(p);
    test_secret(p);
    test_secure_equal();
    test_uuid();

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
