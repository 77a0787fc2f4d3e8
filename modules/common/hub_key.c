/* Minting the hub's keys; see hub_key.h. */
#include <string.h>
#include <apr_strings.h>
#include "hub_crypto.h"
#include "hub_key.h"

const hub_key_t *hub_key_mint(apr_pool_t *p, const char *kind)
{
    hub_key_t *k;
    char *raw = hub_secret(p, kind, HUB_KEY_BYTES);
    if (!raw) {
        return NULL;
    }
    k = apr_palloc(p, sizeof(*k));
    k->raw = raw;
    k->hash = hub_key_hash(p, raw);
    k->prefix = apr_pstrmemdup(p, raw, HUB_KEY_SHOWN);
    return k->hash ? k : NULL;
}

const char *hub_key_hash(apr_pool_t *p, const char *raw)
{
    return hub_sha256_hex(p, raw, strlen(raw));
}

int hub_key_is(const char *s, const char *kind)
{
    return s && !strncmp(s, kind, strlen(kind));
}
