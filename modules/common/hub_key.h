/* The keys the hub mints, in one format: API keys and Caylex's platform
 * access tokens ("hub_..."), server keys ("hubs_..."), the tokens of
 * Caylex's auth links ("hubl_...").  A key is 32
 * random bytes in base64url after its kind's prefix: shown once to whoever
 * made it, stored as its SHA-256 only, listed by its first characters.
 * mod_hub_auth, mod_hub_servers and tools/hubctl (through hub-keygen) all
 * mint here.  httpd-free. */
#ifndef HUB_KEY_H
#define HUB_KEY_H

#include <apr_pools.h>

/* the kinds, by their prefix */
#define HUB_KEY_API    "hub_"  /* API keys and platform access tokens */
#define HUB_KEY_SERVER "hubs_" /* a server's key (heartbeats, feedback) */
#define HUB_KEY_LINK   "hubl_" /* an auth link's token (sql/027) */

/* 256 bits: enough that a plain SHA-256 is the right hash to store */
#define HUB_KEY_BYTES 32
/* characters of the key a listing shows ("hub_AbCd") */
#define HUB_KEY_SHOWN 8

typedef struct hub_key {
    const char *raw;    /* the key itself: exists nowhere else */
    const char *hash;   /* its SHA-256, lowercase hex: what is stored */
    const char *prefix; /* its first HUB_KEY_SHOWN characters */
} hub_key_t;

/* A new key of a kind (HUB_KEY_API, HUB_KEY_SERVER), in p.  NULL when the
 * system has no randomness to give. */
const hub_key_t *hub_key_mint(apr_pool_t *p, const char *kind);

/* The hash a key is stored and looked up by (NULL on failure). */
const char *hub_key_hash(apr_pool_t *p, const char *raw);

/* 1 when s claims to be a key of the kind, by its prefix.  "hubs_..."
 * is no "hub_..." key. */
int hub_key_is(const char *s, const char *kind);

#endif
