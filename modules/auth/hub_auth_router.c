/* The route registry and the hooks that claim hub requests.
 *
 * Every hub module adds its declarative table here at post_config.  At
 * translate_name (when the <Location> configuration is already known) the
 * request's path is looked up in the tables of the profiles mounted at its
 * Location; a hit marks the request for the hub handler, skips the
 * filesystem walk, and records the match for the owning module's handler.
 * A path that is no hub route is left to httpd untouched. */
#include <http_request.h>
#include <http_protocol.h>
#include <http_core.h>
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_auth_links.h"
#include "hub_auth_projects.h"
#include "hub_audit.h"
#include "hub_http.h"
#include "mod_hub_auth.h"

static apr_array_header_t *tables;     /* hub_route_table_t, in pconf */
static hub_route_index_t *route_index; /* of tables, in pconf */

/* The optional functions of mod_hub_auth.h */
static void hub_auth_add_routes(const char *owner, const hub_route_t *routes)
{
    hub_route_table_t *t;
    if (routes) {
        t = apr_array_push(tables);
        t->owner = owner;
        t->routes = routes;
    }
}

static const apr_array_header_t *hub_auth_route_tables(void)
{
    return tables;
}

hub_auth_req_t *hub_auth_req(request_rec *r)
{
    hub_auth_req_t *ar = ap_get_module_config(r->request_config,
                                              &hub_auth_module);
    if (!ar) {
        ar = apr_pcalloc(r->pool, sizeof(*ar));
        ap_set_module_config(r->request_config, &hub_auth_module, ar);
    }
    return ar;
}

static const hub_match_t *hub_auth_match(request_rec *r)
{
    hub_auth_req_t *ar = ap_get_module_config(r->request_config,
                                              &hub_auth_module);
    return ar ? ar->match : NULL;
}

static const hub_principal_t *hub_auth_principal(request_rec *r)
{
    return hub_auth_identify(r);
}

static const hub_loc_conf_t *hub_auth_loc_conf(request_rec *r)
{
    return hub_auth_conf(r);
}

const apr_array_header_t *hub_auth_tables(void)
{
    return tables;
}

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                      apr_pool_t *ptemp HUB_UNUSED)
{
    tables = apr_array_make(pconf, 8, sizeof(hub_route_table_t));
    return hub_auth_cache_pre_config(pconf);
}

/* Registers the routes and statements of mod_hub_auth, in the parent. */
static int post_config(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                       apr_pool_t *ptemp, server_rec *s)
{
    int rc;
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_core_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_docs_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_stats_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_diag_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_patchwork_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_goclaw_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_g4f_auth_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_sessions_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_caylex_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_caylex_projects_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_caylex_access_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_links_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_project_users_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_nav_keys_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_g4f_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_g4f_projects_routes);
    hub_auth_add_routes(HUB_REGISTRY_OWNER, hub_auth_g4f_users_routes);
    hub_db_register(s, hub_auth_core_stmts);
    hub_db_register(s, hub_auth_identify_stmts);
    hub_db_register(s, hub_auth_keys_stmts);
    hub_db_register(s, hub_auth_patchwork_stmts);
    hub_db_register(s, hub_auth_login_stmts);
    hub_db_register(s, hub_auth_g4f_auth_stmts);
    hub_db_register(s, hub_auth_caylex_stmts);
    hub_db_register(s, hub_auth_projects_stmts);
    hub_db_register(s, hub_auth_members_stmts);
    hub_db_register(s, hub_auth_caylex_access_stmts);
    hub_db_register(s, hub_auth_links_stmts);
    hub_db_register(s, hub_auth_nav_keys_stmts);
    hub_db_register(s, hub_auth_g4f_stmts);
    hub_db_register(s, hub_auth_g4f_users_stmts);
    hub_db_register(s, hub_audit_stmts);
    hub_auth_started();
    hub_auth_password_init();
    /* once, in the parent, before any thread exists (libcurl's rule) */
    hub_http_global_init();
    /* hub_request.c's copy in this module needs the optional functions */
    hub_dispatch_register(HUB_REGISTRY_OWNER, NULL);
    rc = hub_auth_config_load(pconf, s);
    return rc != OK ? rc : hub_auth_cache_post_config(pconf, ptemp, s);
}

/* After every module's post_config has added its table: the index of all
 * of them, built once in the parent and inherited by every child. */
static int index_routes(apr_pool_t *pconf, apr_pool_t *plog HUB_UNUSED,
                        apr_pool_t *ptemp HUB_UNUSED, server_rec *s)
{
    route_index = hub_route_index_make(pconf, tables);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                 "HUB00190: %d routes of %d tables indexed",
                 hub_route_index_size(route_index), tables->nelts);
    return OK;
}

static void child_init(apr_pool_t *p, server_rec *s)
{
    hub_auth_cache_child_init(p, s);
    hub_db_child_init(p, s);
}

/* rel with its trailing slash added or taken away; NULL at the root */
static const char *slash_toggled(apr_pool_t *p, const char *rel)
{
    size_t n = strlen(rel);
    if (n <= 1) {
        return NULL;
    }
    return rel[n - 1] == '/' ? apr_pstrmemdup(p, rel, n - 1)
                             : apr_pstrcat(p, rel, "/", NULL);
}

/* A path no route matched: one that differs from a route by its trailing
 * slash gets what the route's profile's own server does (hub_slash_e);
 * one in the space of a profile mounted here gets that profile's 404 in
 * its envelope, not httpd's HTML page.  At a mount of "/" that space is
 * the paths whose leading segments begin routes of the profile (/api/,
 * /v1/), so static files elsewhere stay httpd's; under any other mount
 * it is everything.  0: leave the request to httpd. */
static int near_miss(request_rec *r, const hub_loc_conf_t *conf,
                     unsigned flags_ok, const char *rel, hub_match_t *m)
{
    const char *other = slash_toggled(r->pool, rel);
    unsigned profile;

    if (other
        && hub_route_index_lookup(route_index, conf->profiles, flags_ok,
                                  hub_method_of(r), other, r->pool, m)) {
        profile = m->route ? m->route->profile : m->profile;
        switch (hub_profile_slash(profile)) {
        case HUB_SLASH_IGNORE: return 1;
        case HUB_SLASH_REDIRECT:
            memset(m, 0, sizeof(*m));
            m->profile = profile;
            m->redirect = other;
            return 1;
        case HUB_SLASH_STRICT: break;
        }
    }
    memset(m, 0, sizeof(*m));
    profile = hub_route_index_claim(route_index, conf->profiles, rel, r->pool);
    if (!profile && strcmp(conf->prefix, "/")) {
        profile = conf->profiles & (~conf->profiles + 1u);
    }
    if (!profile) {
        return 0;
    }
    m->profile = profile;
    m->missing = 1;
    return 1;
}

static int translate(request_rec *r)
{
    const hub_loc_conf_t *conf = hub_auth_conf(r);
    const char *rel;
    hub_match_t *m;
    unsigned flags_ok;

    if (!conf || !conf->profiles || r->proxyreq || !r->parsed_uri.path) {
        return DECLINED;
    }
    rel = hub_path_relative(conf->prefix, r->parsed_uri.path);
    if (!rel) {
        return DECLINED;
    }
    m = apr_pcalloc(r->pool, sizeof(*m));
    flags_ok = hub_conf_diagnostics(conf) ? HUB_ROUTE_DIAG : 0;
    if (!hub_route_index_lookup(route_index, conf->profiles, flags_ok,
                                hub_method_of(r), rel, r->pool, m)
        && !near_miss(r, conf, flags_ok, rel, m)) {
        return DECLINED;
    }
    hub_auth_req(r)->match = m;
    r->handler = HUB_HANDLER;
    r->filename = apr_pstrcat(r->pool, "hub:", r->uri, NULL);
    return OK;
}

/* A hub route has no file behind it: skip the directory walk, as
 * mod_proxy does for its URLs. */
static int map_to_storage(request_rec *r)
{
    return hub_auth_match(r) ? OK : DECLINED;
}

/* The handler of mod_hub_auth's own routes and of every 405. */
static int handler(request_rec *r)
{
    return hub_dispatch(r, HUB_REGISTRY_OWNER);
}

void hub_auth_router_hooks(void)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(index_routes, NULL, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_child_init(child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_REGISTER_OPTIONAL_FN(hub_auth_match);
    APR_REGISTER_OPTIONAL_FN(hub_auth_loc_conf);
    APR_REGISTER_OPTIONAL_FN(hub_auth_add_routes);
    APR_REGISTER_OPTIONAL_FN(hub_auth_route_tables);
    APR_REGISTER_OPTIONAL_FN(hub_auth_principal);
    APR_REGISTER_OPTIONAL_FN(hub_auth_mcp_principal);
}
