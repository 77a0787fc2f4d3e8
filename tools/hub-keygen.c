/* hub-keygen: a new key in the hub's one format (hub_key.h), for
 * tools/hubctl, which stores it without a running hub.
 *
 *   hub-keygen api       an API key            (hub_...)
 *   hub-keygen server    a server's key        (hubs_...)
 *
 * Prints one line: the key, the prefix listings show, and the SHA-256
 * the database keeps, separated by single spaces.  Exit 1 when the system
 * has no randomness to give, 2 on a wrong argument. */
#include <stdio.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_key.h"

int main(int argc, char **argv)
{
    const char *kind = NULL;
    const hub_key_t *k;
    apr_pool_t *p;
    int rc = 0;

    if (argc == 2 && !strcmp(argv[1], "api")) {
        kind = HUB_KEY_API;
    }
    else if (argc == 2 && !strcmp(argv[1], "server")) {
        kind = HUB_KEY_SERVER;
    }
    if (!kind) {
        fprintf(stderr, "usage: hub-keygen api|server\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    if ((k = hub_key_mint(p, kind)) != NULL) {
        printf("%s %s %s\n", k->raw, k->prefix, k->hash);
    }
    else {
        fprintf(stderr, "hub-keygen: no random bytes to make a key with\n");
        rc = 1;
    }
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
