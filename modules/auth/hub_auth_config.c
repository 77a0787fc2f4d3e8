/* The directives of a hub <Location>: HubApi and the input limits. */
#include <errno.h>
#include <stdlib.h>
#include <apr_fnmatch.h>
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_profile.h"

static const char *set_api(cmd_parms *cmd, void *dconf, const char *arg)
{
    hub_loc_conf_t *c = dconf;
    unsigned bit = hub_profile_from_name(arg);
    if (!bit) {
        return apr_psprintf(cmd->pool, "HubApi: unknown profile '%s' (one "
                            "of patchwork, caylex, goclaw, toolhub, g4f)",
                            arg);
    }
    /* profiles sit at a URL prefix: a <Location> with a plain path, not
     * a regular expression (<Location ~ ...>) nor a wildcard pattern */
    if (!cmd->directive->parent
        || strcasecmp(cmd->directive->parent->directive, "<Location")
        || cmd->directive->parent->args[0] == '~'
        || !cmd->path || cmd->path[0] != '/'
        || apr_fnmatch_test(cmd->path)) {
        return "HubApi belongs in a <Location> with a plain path prefix";
    }
    c->profiles |= bit;
    c->profiles_set = 1;
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd HUB_UNUSED, void *dconf, const char *arg)
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

static const char *set_max_depth(cmd_parms *cmd HUB_UNUSED, void *dconf, const char *arg)
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

const command_rec hub_auth_cmds[] = {
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
    { NULL }
};

const hub_loc_conf_t *hub_auth_conf(request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &hub_auth_module);
}
