/* Unit tests of hub_key: the one format of API keys, platform access
 * tokens and server keys, as every minter and tools/hubctl make them. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_crypto.h"
#include "hub_key.h"
#include "tap.h"

#define B64URL \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
    "0123456789-_"

static void mint_kind(apr_pool_t *p, const char *kind)
{
    size_t n = strlen(kind);
    const hub_key_t *k = hub_key_mint(p, kind);
    const hub_key_t *k2 = hub_key_mint(p, kind);

    ok(k != NULL && k2 != NULL, "%s: two keys minted", kind);
    if (!k || !k2) {
        return;
    }
    ok(!strncmp(k->raw, kind, n), "  ... starts with %s", kind);
    is_int((long long)strlen(k->raw), (long long)(n + 43),
           "  ... 32 random bytes: 43 characters after the prefix");
    ok(strspn(k->raw + n, B64URL) == 43, "  ... base64url, no padding");
    ok(strcmp(k->raw, k2->raw) != 0, "  ... two keys differ");
    is_str(k->hash, hub_sha256_hex(p, k->raw, strlen(k->raw)),
           "  ... hash is the SHA-256 of the whole key");
    is_str(k->hash, hub_key_hash(p, k->raw), "  ... as hub_key_hash says");
    is_int((long long)strlen(k->prefix), HUB_KEY_SHOWN,
           "  ... the shown prefix has 8 characters");
    ok(!strncmp(k->raw, k->prefix, HUB_KEY_SHOWN),
       "  ... and is where the key starts");
    ok(hub_key_is(k->raw, kind), "  ... hub_key_is knows its kind");
}

static void test_mint(apr_pool_t *p)
{
    mint_kind(p, HUB_KEY_API);
    mint_kind(p, HUB_KEY_SERVER);
}

static void test_hash(apr_pool_t *p)
{
    /* what tools/hubctl and the stored rows always agreed on:
     * printf '%s' hub_x | sha256sum */
    is_str(hub_key_hash(p, "abc"),
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "hub_key_hash is plain SHA-256 hex");
}

static void test_is(void)
{
    ok(hub_key_is("hub_abc", HUB_KEY_API), "hub_... is an API key");
    ok(!hub_key_is("hubs_abc", HUB_KEY_API), "hubs_... is no API key");
    ok(hub_key_is("hubs_abc", HUB_KEY_SERVER), "hubs_... is a server key");
    ok(!hub_key_is("hub_abc", HUB_KEY_SERVER), "hub_... is no server key");
    ok(!hub_key_is("hubr_abc", HUB_KEY_API), "a refresh token is no key");
    ok(!hub_key_is("hub", HUB_KEY_API), "a bare 'hub' is no key");
    ok(!hub_key_is(NULL, HUB_KEY_API), "NULL is no key");
    ok(!hub_key_is("HUB_abc", HUB_KEY_API), "the prefix is lowercase");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_mint(p);
    test_hash(p);
    test_is();

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
