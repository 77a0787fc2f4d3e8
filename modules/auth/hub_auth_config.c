/* The directives of a hub <Location>: HubApi and the input limits. */
#include <errno.h>
#include <stdlib.h>
#include <apr_fnmatch.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_profile.h"

static const char *set_api(cmd_parms *cmd, void *dconf, const char *arg)
{
    hub_loc_conf_t *c = dconf;
    unsigned bit = hub_profile_from_name(arg);
    if (!bit) {
        return apr_psprintf(cmd->pool,
                            "HubApi: unknown profile '%s' (one "
                            "of patchwork, caylex, goclaw, toolhub, g4f)",
                            arg);
    }
    /* profiles sit at a URL prefix: a <Location> with a plain path, not
     * a regular expression (<Location ~ ...>) nor a wildcard pattern */
    if (!cmd->directive->parent
        || strcasecmp(cmd->directive->parent->directive, "<Location")
        || cmd->directive->parent->args[0] == '~' || !cmd->path
        || cmd->path[0] != '/' || apr_fnmatch_test(cmd->path)) {
        return "HubApi belongs in a <Location> with a plain path prefix";
    }
    c->profiles |= bit;
    c->profiles_set = 1;
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd HUB_UNUSED, void *dconf,
                                const char *arg)
{
    hub_loc_conf_t *c = dconf;
    char *end;
    apr_off_t v;
    if (apr_strtoff(&v, arg, &end, 10) != APR_SUCCESS || *end || v < 1
        || v > APR_INT32_MAX) {
        return "HubMaxBodySize must be a number of bytes from 1 to 2^31-1";
    }
    c->max_body = v;
    return NULL;
}

static const char *set_max_depth(cmd_parms *cmd HUB_UNUSED, void *dconf,
                                 const char *arg)
{
    hub_loc_conf_t *c = dconf;
    char *end;
    long v;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 1 || v > 1000) {
        return "HubMaxJsonDepth must be from 1 to 1000";
    }
    c->max_depth = (int)v;
    return NULL;
}

static const char *set_diag(cmd_parms *cmd HUB_UNUSED, void *dconf, int flag)
{
    ((hub_loc_conf_t *)dconf)->diagnostics = flag;
    return NULL;
}

void *hub_auth_srv_create(apr_pool_t *p, server_rec *s HUB_UNUSED)
{
    hub_auth_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->gateway_open = HUB_UNSET;
    c->cache_ttl = HUB_UNSET;
    return c;
}

void *hub_auth_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_auth_srv_t *base = basev, *add = addv;
    hub_auth_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->gateway_token_file = add->gateway_token_file ? add->gateway_token_file
                                                    : base->gateway_token_file;
    c->gateway_tenant = add->gateway_tenant ? add->gateway_tenant
                                            : base->gateway_tenant;
    c->gateway_open = add->gateway_open != HUB_UNSET ? add->gateway_open
                                                     : base->gateway_open;
    c->smtp_url = add->smtp_url ? add->smtp_url : base->smtp_url;
    c->smtp_from = add->smtp_from ? add->smtp_from : base->smtp_from;
    c->auth_link_url = add->auth_link_url ? add->auth_link_url
                                          : base->auth_link_url;
    c->jwt_key_file = add->jwt_key_file ? add->jwt_key_file
                                        : base->jwt_key_file;
    c->cache_ttl = add->cache_ttl != HUB_UNSET ? add->cache_ttl
                                               : base->cache_ttl;
    return c;
}

const hub_auth_srv_t *hub_auth_srv(server_rec *s)
{
    return ap_get_module_config(s->module_config, &hub_auth_module);
}

const char *hub_auth_gateway_tenant(const hub_auth_srv_t *c)
{
    return c->gateway_tenant ? c->gateway_tenant : "admin";
}

int hub_auth_cache_ttl(const hub_auth_srv_t *c)
{
    return c->cache_ttl == HUB_UNSET ? 5 : c->cache_ttl;
}

int hub_auth_gateway_open(const hub_auth_srv_t *c)
{
    return c->gateway_open == HUB_UNSET ? 0 : c->gateway_open;
}

/* s without one trailing slash, in p */
static const char *no_slash(apr_pool_t *p, const char *s)
{
    size_t n = strlen(s);
    return apr_pstrmemdup(p, s, n && s[n - 1] == '/' ? n - 1 : n);
}

/* A secret from a file of min..4096 bytes, trailing newlines dropped;
 * NULL when it cannot be read. */
static char *read_secret(apr_pool_t *p, const char *path, apr_size_t min,
                         apr_size_t *len, apr_status_t *rv)
{
    apr_file_t *f;
    apr_finfo_t fi;
    char *text;
    apr_size_t n;

    *rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (*rv != APR_SUCCESS) {
        return NULL;
    }
    *rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (*rv != APR_SUCCESS || fi.size < (apr_off_t)min || fi.size > 4096) {
        apr_file_close(f);
        return NULL;
    }
    n = (apr_size_t)fi.size;
    text = apr_palloc(p, n + 1);
    *rv = apr_file_read_full(f, text, n, &n);
    apr_file_close(f);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r')) {
        n--;
    }
    text[n] = '\0';
    *len = n;
    return n >= min ? text : NULL;
}

/* Secret files are read once, as root, before the children start (they
 * cannot read root's files): the gateway token's SHA-256 and the JWT key
 * stay in memory. */
int hub_auth_config_load(apr_pool_t *p, server_rec *s)
{
    for (; s; s = s->next) {
        hub_auth_srv_t *c = ap_get_module_config(s->module_config,
                                                 &hub_auth_module);
        apr_status_t rv;
        apr_size_t n;
        char *text;

        if (c->gateway_token_file) {
            text = read_secret(p, c->gateway_token_file, 16, &n, &rv);
            if (!text) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s,
                             "HUB00103: "
                             "HubGatewayToken %s: cannot read a token of 16 "
                             "to 4096 bytes from it",
                             c->gateway_token_file);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            c->gateway_token_hash = hub_sha256_hex(p, text, n);
            memset(text, 0, n);
        }
        else if (hub_auth_gateway_open(c)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "HUB00102: "
                         "HubGatewayAuthDisabled On: GoClaw routes answer "
                         "without credentials, as an admin of tenant '%s'",
                         hub_auth_gateway_tenant(c));
        }
        if (c->jwt_key_file) {
            text = read_secret(p, c->jwt_key_file, 32, &n, &rv);
            if (!text) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s,
                             "HUB00105: "
                             "HubJwtKeyFile %s: cannot read a key of 32 to "
                             "4096 bytes from it",
                             c->jwt_key_file);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            c->jwt_key = (const unsigned char *)text;
            c->jwt_key_len = n;
        }
    }
    return OK;
}

static const char *set_gateway_token(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                     const char *arg)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    c->gateway_token_file = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

static const char *set_cache_ttl(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                 const char *arg)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < 0 || v > 300) {
        return "HubAuthCacheTTL must be from 0 (no cache) to 300 seconds";
    }
    c->cache_ttl = (int)v;
    return NULL;
}

static const char *set_jwt_key(cmd_parms *cmd, void *dconf HUB_UNUSED,
                               const char *arg)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    c->jwt_key_file = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

static const char *set_gateway_tenant(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                      const char *arg)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    c->gateway_tenant = arg;
    return NULL;
}

static const char *set_gateway_open(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                    int flag)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    c->gateway_open = flag;
    return NULL;
}

/* HubPublicUrl: an absolute http(s) URL without query or fragment; in
 * server context it lands in the server's default directory config, so
 * every <Location> inherits it. */
static const char *set_public_url(cmd_parms *cmd, void *dconf, const char *arg)
{
    hub_loc_conf_t *c = dconf;
    apr_uri_t u;
    if (apr_uri_parse(cmd->pool, arg, &u) != APR_SUCCESS || !u.scheme
        || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))
        || !u.hostname || !*u.hostname || u.query || u.fragment || u.user) {
        return "HubPublicUrl must be an absolute http:// or https:// URL "
               "without query, fragment or credentials";
    }
    c->public_url = no_slash(cmd->pool, arg);
    c->public_origin =
        apr_pstrcat(cmd->pool, apr_pstrndup(cmd->pool, arg, strlen(u.scheme)),
                    "://", u.hostinfo, NULL);
    return NULL;
}

/* One setter for the plain string settings of the server config. */
static const char *set_srv_string(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                  const char *arg)
{
    hub_auth_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                             &hub_auth_module);
    *(const char **)((char *)c + (apr_size_t)cmd->info) = arg;
    return NULL;
}

/* clang-format off */
const command_rec hub_auth_cmds[] = {
    AP_INIT_TAKE1("HubAuthCacheTTL", set_cache_ttl, NULL, RSRC_CONF,
                  "seconds a resolved credential is cached (default 5, "
                  "0: no cache); also how long a revocation made elsewhere "
                  "can take"),
    AP_INIT_TAKE1("HubJwtKeyFile", set_jwt_key, NULL, RSRC_CONF,
                  "file holding the HS256 key of access tokens (32 bytes "
                  "or more), shared with services that mint them"),
    AP_INIT_TAKE1("HubSmtpServer", set_srv_string,
                  (void *)APR_OFFSETOF(hub_auth_srv_t, smtp_url), RSRC_CONF,
                  "where mail goes: smtp://host:port (default: no mail)"),
    AP_INIT_TAKE1("HubMailFrom", set_srv_string,
                  (void *)APR_OFFSETOF(hub_auth_srv_t, smtp_from), RSRC_CONF,
                  "sender address of the hub's mail"),
    AP_INIT_TAKE1("HubPublicUrl", set_public_url, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "the URL clients reach this server at behind a reverse "
                  "proxy (https://hub.example.com[/path]): the base of every "
                  "link, OpenAPI servers entry and mail the hub hands out"),
    AP_INIT_TAKE1("HubAuthLinkUrl", set_srv_string,
                  (void *)APR_OFFSETOF(hub_auth_srv_t, auth_link_url),
                  RSRC_CONF,
                  "the page Caylex auth links open (default: the hub's "
                  "own /invite/metadata)"),
    AP_INIT_TAKE1("HubGatewayToken", set_gateway_token, NULL, RSRC_CONF,
                  "file holding GoClaw's gateway token (admin access)"),
    AP_INIT_TAKE1("HubGatewayTenant", set_gateway_tenant, NULL, RSRC_CONF,
                  "slug of the tenant the gateway token acts in "
                  "(default admin)"),
    AP_INIT_FLAG("HubGatewayAuthDisabled", set_gateway_open, NULL, RSRC_CONF,
                 "GoClaw routes without credentials when no token is set "
                 "(default Off)"),
    AP_INIT_ITERATE("HubApi", set_api, NULL, ACCESS_CONF,
                    "API profiles served here: patchwork caylex goclaw "
                    "toolhub g4f"),
    AP_INIT_TAKE1("HubMaxBodySize", set_max_body, NULL, RSRC_CONF | ACCESS_CONF,
                  "largest request body in bytes (default 1048576)"),
    AP_INIT_TAKE1("HubMaxJsonDepth", set_max_depth, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "deepest JSON nesting accepted (default 32)"),
    AP_INIT_FLAG("HubDiagnostics", set_diag, NULL, RSRC_CONF | ACCESS_CONF,
                 "serve POST <location>/_hub/<profile>/echo, which validates and "
                 "echoes a body (default Off)"),
    AP_INIT_TAKE1("HubSwaggerUi", hub_auth_docs_set_ui, NULL, RSRC_CONF,
                  "directory of swagger-ui-dist, for the Swagger UI pages"),
    { NULL }
};
/* clang-format on */

const hub_loc_conf_t *hub_auth_conf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &hub_auth_module);
}
