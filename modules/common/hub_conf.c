#include <apr_strings.h>
#include "hub_conf.h"

void *hub_conf_create(apr_pool_t *p, char *dir)
{
    hub_loc_conf_t *c = apr_pcalloc(p, sizeof(*c));
    c->prefix = dir ? apr_pstrdup(p, dir) : "/";
    c->max_body = HUB_UNSET;
    c->max_depth = HUB_UNSET;
    c->diagnostics = HUB_UNSET;
    return c;
}

void *hub_conf_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_loc_conf_t *base = basev, *add = addv;
    hub_loc_conf_t *c = apr_pcalloc(p, sizeof(*c));
    /* A Location that names its own profiles is where they are mounted;
     * one that does not inherits both the profiles and their mount. */
    if (add->profiles_set) {
        c->profiles = add->profiles;
        c->profiles_set = 1;
        c->prefix = add->prefix;
    }
    else {
        c->profiles = base->profiles;
        c->profiles_set = base->profiles_set;
        c->prefix = base->prefix;
    }
    c->max_body = add->max_body != HUB_UNSET ? add->max_body : base->max_body;
    c->max_depth = add->max_depth != HUB_UNSET ? add->max_depth
                                               : base->max_depth;
    c->diagnostics = add->diagnostics != HUB_UNSET ? add->diagnostics
                                                   : base->diagnostics;
    if (add->public_url) {
        c->public_url = add->public_url;
        c->public_origin = add->public_origin;
    }
    else {
        c->public_url = base->public_url;
        c->public_origin = base->public_origin;
    }
    return c;
}

apr_off_t hub_conf_max_body(const hub_loc_conf_t *c)
{
    return c->max_body == HUB_UNSET ? HUB_DEFAULT_MAX_BODY : c->max_body;
}

int hub_conf_max_depth(const hub_loc_conf_t *c)
{
    return c->max_depth == HUB_UNSET ? HUB_DEFAULT_MAX_DEPTH : c->max_depth;
}

int hub_conf_diagnostics(const hub_loc_conf_t *c)
{
    return c->diagnostics == HUB_UNSET ? 0 : c->diagnostics;
}
