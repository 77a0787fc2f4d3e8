/* The hub's identity for any <Location>, through httpd's own AAA:
 *
 *   <Location /mcp/internal>
 *       AuthType Hub
 *       Require hub-role admin              # owner or admin (or superuser)
 *       Require hub-scope operator.read     # a key with that scope
 *       Require hub-team acme               # acting in tenant acme
 *       ProxyPass http://127.0.0.1:9000/mcp
 *   </Location>
 *
 * AuthType Hub accepts every way in the hub knows (API key, gateway token,
 * JWT, session cookie); r->user becomes the caller's email, or
 * "key:<name>" / "gateway". */
#include <apr_strings.h>
#include <http_core.h>
#include <http_request.h>
#include <mod_auth.h>
#include "hub_auth_private.h"

static int check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    const hub_principal_t *who;
    if (!type || strcasecmp(type, "Hub")) {
        return DECLINED;
    }
    who = hub_auth_identify(r);
    if (who && who->unavailable) {
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (!who || who->csrf_failed) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_hub\"");
        return HTTP_UNAUTHORIZED;
    }
    r->user = apr_pstrdup(r->pool, who->name ? who->name : "hub");
    r->ap_auth_type = "Hub";
    return OK;
}

/* The rank of a role: a role satisfies any role ranked at or below it. */
static int rank(const char *role)
{
    static const char *const order[] = { "viewer", "member", "admin", "owner",
                                         NULL };
    int i;
    for (i = 0; role && order[i]; i++) {
        if (!strcmp(order[i], role)) {
            return i + 1;
        }
    }
    return 0;
}

static const char *parse_words(cmd_parms *cmd HUB_UNUSED, const char *line,
                               const void **parsed)
{
    *parsed = line;
    return *line ? NULL : "needs at least one argument";
}

/* Walk the words of a Require line: 1 when any satisfies `match`. */
static int any_word(request_rec *r, const char *line,
                    int (*match)(const hub_principal_t *, const char *),
                    const hub_principal_t *who)
{
    const char *w;
    while (*(w = ap_getword_conf(r->pool, &line))) {
        if (match(who, w)) {
            return 1;
        }
    }
    return 0;
}

static int role_match(const hub_principal_t *who, const char *want)
{
    return who->superuser || (rank(want) && rank(who->role) >= rank(want));
}

static int scope_match(const hub_principal_t *who, const char *want)
{
    unsigned bit = hub_scope_from_name(want);
    return bit && (who->scopes & (bit | HUB_SCOPE_ADMIN));
}

static int team_match(const hub_principal_t *who, const char *want)
{
    return who->tenant_slug && !strcmp(who->tenant_slug, want);
}

static authz_status check(request_rec *r, const char *line,
                          int (*match)(const hub_principal_t *, const char *))
{
    const hub_principal_t *who;
    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    who = hub_auth_identify(r);
    if (!who || who->unavailable) {
        return AUTHZ_GENERAL_ERROR;
    }
    return any_word(r, line, match, who) ? AUTHZ_GRANTED : AUTHZ_DENIED;
}

static authz_status role_check(request_rec *r, const char *line,
                               const void *parsed HUB_UNUSED)
{
    return check(r, line, role_match);
}

static authz_status scope_check(request_rec *r, const char *line,
                                const void *parsed HUB_UNUSED)
{
    return check(r, line, scope_match);
}

static authz_status team_check(request_rec *r, const char *line,
                               const void *parsed HUB_UNUSED)
{
    return check(r, line, team_match);
}

static const authz_provider role_provider = { role_check, parse_words };
static const authz_provider scope_provider = { scope_check, parse_words };
static const authz_provider team_provider = { team_check, parse_words };

void hub_auth_httpd_hooks(apr_pool_t *p)
{
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "hub-role",
                              AUTHZ_PROVIDER_VERSION, &role_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "hub-scope",
                              AUTHZ_PROVIDER_VERSION, &scope_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "hub-team",
                              AUTHZ_PROVIDER_VERSION, &team_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
