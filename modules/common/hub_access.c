/* Ways in and need levels of route rows. */
#include <apr_strings.h>
#include "hub_access.h"
#include "hub_profile.h"

unsigned hub_access_default_ways_in(unsigned profile)
{
    switch (profile) {
    case HUB_PATCHWORK: return HUB_IN_APIKEY | HUB_IN_SESSION;
    case HUB_CAYLEX: return HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY;
    case HUB_GOCLAW: return HUB_IN_GATEWAY | HUB_IN_APIKEY;
    case HUB_TOOLHUB:
    case HUB_G4F: return HUB_IN_JWT | HUB_IN_APIKEY;
    default: return HUB_IN_APIKEY;
    }
}

unsigned hub_access_ways_in(const hub_route_t *rt)
{
    if (rt->need == HUB_NEED_PUBLIC) {
        return HUB_IN_PUBLIC;
    }
    return rt->ways_in ? rt->ways_in : hub_access_default_ways_in(rt->profile);
}

int hub_access_allows(const hub_principal_t *who, hub_need_e need)
{
    switch (need) {
    case HUB_NEED_ANY:
    case HUB_NEED_PUBLIC: return 1;
    case HUB_NEED_READ: return hub_principal_can_read(who);
    case HUB_NEED_WRITE: return hub_principal_can_write(who);
    case HUB_NEED_ADMIN: return hub_principal_is_admin(who);
    case HUB_NEED_SUPERUSER: return who && who->superuser;
    }
    return 0;
}

const char *hub_need_name(hub_need_e need)
{
    /* clang-format off */
    switch (need) {
    case HUB_NEED_READ:      return "read";
    case HUB_NEED_WRITE:     return "write";
    case HUB_NEED_ADMIN:     return "admin";
    case HUB_NEED_SUPERUSER: return "superuser";
    default:                 return "no";
    }
    /* clang-format on */
}

/* How each profile says no: the FastAPI apps and Tool Hub in a sentence,
 * GoClaw in lower case as its Go errors are.  Tool Hub's document has no
 * code of its own for a 403: its generic one is HTTP_<status>. */
/* clang-format off */
static const struct {
    unsigned profile;
    const char *code;
    const char *fmt;           /* the route's summary, the level */
} refusals[] = {
    { HUB_PATCHWORK, "FORBIDDEN", "Not enough permissions: %s needs %s "
                                  "access" },
    { HUB_CAYLEX, "FORBIDDEN", "%s needs %s access" },
    { HUB_GOCLAW, "FORBIDDEN", "forbidden: %s needs %s access" },
    { HUB_TOOLHUB, "HTTP_403", "Insufficient permissions: %s needs %s "
                               "access" },
    { HUB_G4F, "FORBIDDEN", "%s needs %s access" },
};
/* clang-format on */

const char *hub_access_refusal(apr_pool_t *p, const hub_route_t *rt,
                               const char **code)
{
    const char *what = rt->summary ? rt->summary : "this";
    size_t i;
    for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        if (refusals[i].profile == rt->profile) {
            *code = refusals[i].code;
            return apr_psprintf(p, refusals[i].fmt, what,
                                hub_need_name(rt->need));
        }
    }
    *code = "FORBIDDEN";
    return apr_psprintf(p, "%s needs %s access", what, hub_need_name(rt->need));
}
