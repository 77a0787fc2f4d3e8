/* The per-<Location> configuration every hub module reads: which profiles
 * answer there and the input limits.  mod_hub_auth owns the directives;
 * the other modules get this struct through hub_auth_loc_conf(). */
#ifndef HUB_CONF_H
#define HUB_CONF_H

#include <apr_pools.h>

#define HUB_UNSET             -1
#define HUB_DEFAULT_MAX_BODY  (1024 * 1024)
#define HUB_DEFAULT_MAX_DEPTH 32

typedef struct hub_loc_conf {
    unsigned profiles; /* HUB_<profile> bits */
    int profiles_set;
    const char *prefix; /* the <Location> path these profiles sit at */
    apr_off_t max_body; /* HubMaxBodySize, HUB_UNSET */
    int max_depth;      /* HubMaxJsonDepth, HUB_UNSET */
    int diagnostics;    /* HubDiagnostics, HUB_UNSET */
    /* HubPublicUrl: where clients reach this server, behind a reverse
     * proxy; NULL: the request's own view (ap_construct_url) */
    const char *public_url;    /* scheme://host[:port][/path], no
                                  trailing slash */
    const char *public_origin; /* its scheme://host[:port] */
} hub_loc_conf_t;

void *hub_conf_create(apr_pool_t *p, char *dir);
void *hub_conf_merge(apr_pool_t *p, void *base, void *add);

/* Defaults are applied here, never in merge (STYLE.md, habit 4). */
apr_off_t hub_conf_max_body(const hub_loc_conf_t *c);
int hub_conf_max_depth(const hub_loc_conf_t *c);
int hub_conf_diagnostics(const hub_loc_conf_t *c);

#endif
