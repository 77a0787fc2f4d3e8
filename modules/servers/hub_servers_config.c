/* The directives of mod_hub_servers (server config):
 *
 *   HubSecretKeyFile file   the AES-256-GCM key of secrets at rest (32
 *                           bytes: raw, 64 hex digits or base64), read at
 *                           start as root; without it no upstream secret
 *                           can be stored (such requests answer 500)
 *   HubStdioAllow cmd...    commands a stdio server may name (exact
 *                           match, e.g. npx or /usr/bin/uvx); empty by
 *                           default: every stdio server is refused
 *   HubOutboundAllow cidr...  internal address ranges (loopback, private,
 *                           link-local) the hub may connect to; none by
 *                           default, so a tenant cannot aim it inside
 *   HubProbeInterval s      seconds between probes of a server (300)
 *   HubProbeTimeout s       a probe's total time limit (10)
 *   HubProbeThresholds d n  consecutive failures that make a server
 *                           degraded (1) and down (3)
 *   HubRegistryFile file    the server registry catalog (a JSON array of
 *                           entries), read at start as root; none by
 *                           default: an empty catalog
 *
 * and of the MCP gateway (<Location>; hub_servers_gateway.c):
 *
 *   HubMcpGateway On|Off    this Location serves navigator instances'
 *                           MCP endpoints: <Location>/{instance id}
 *   HubMcpAllowOrigin o...  browser origins (scheme://host[:port]) that
 *                           may call it besides the hub's own; none
 *   HubMcpPageSize n        tools per tools/list page (100)
 *   HubMcpSessionIdle s     seconds a 2025-era session lives unused
 *                           (3600)
 *   HubMcpStreams n         list-changed streams (GET, subscriptions/
 *                           listen) open at once in one httpd child, each
 *                           holding a worker thread; 0: none offered
 *                           (half of ThreadsPerChild)
 *   HubMcpStreamTimeout s   seconds a GET stream lasts before the hub
 *                           closes it and the client reconnects (300) */
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "mod_hub_servers.h"
#include <ap_mpm.h>

void *hub_servers_srv_create(apr_pool_t *p, server_rec *s HUB_UNUSED)
{
    hub_servers_srv_t *c = apr_pcalloc(p, sizeof(hub_servers_srv_t));
    c->probe_interval = c->probe_timeout = HUB_UNSET;
    c->degraded_after = c->down_after = HUB_UNSET;
    return c;
}

#define PICK(f) (add->f != HUB_UNSET ? add->f : base->f)

void *hub_servers_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_servers_srv_t *base = basev, *add = addv;
    hub_servers_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->secret_key_file = add->secret_key_file ? add->secret_key_file
                                              : base->secret_key_file;
    c->stdio_allow = add->stdio_allow ? add->stdio_allow : base->stdio_allow;
    c->outbound_allow = add->outbound_allow ? add->outbound_allow
                                            : base->outbound_allow;
    c->probe_interval = PICK(probe_interval);
    c->probe_timeout = PICK(probe_timeout);
    c->degraded_after = PICK(degraded_after);
    c->down_after = PICK(down_after);
    c->registry = add->registry ? add->registry : base->registry;
    return c;
}

void *hub_servers_dir_create(apr_pool_t *p, char *dir HUB_UNUSED)
{
    hub_servers_dir_t *d = apr_pcalloc(p, sizeof(*d));
    d->gateway = d->page_size = d->session_idle = HUB_UNSET;
    d->streams = d->stream_timeout = HUB_UNSET;
    return d;
}

void *hub_servers_dir_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_servers_dir_t *base = basev, *add = addv;
    hub_servers_dir_t *d = apr_pcalloc(p, sizeof(*d));
    d->gateway = PICK(gateway);
    d->gateway_prefix = add->gateway != HUB_UNSET ? add->gateway_prefix
                                                  : base->gateway_prefix;
    d->origins = add->origins ? add->origins : base->origins;
    d->page_size = PICK(page_size);
    d->session_idle = PICK(session_idle);
    d->streams = PICK(streams);
    d->stream_timeout = PICK(stream_timeout);
    return d;
}

const hub_servers_dir_t *hub_servers_dir(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &hub_servers_module);
}

int hub_servers_gateway_on(const hub_servers_dir_t *d)
{
    return d && d->gateway == 1 && d->gateway_prefix;
}

int hub_servers_page_size(const hub_servers_dir_t *d)
{
    return d->page_size == HUB_UNSET ? 100 : d->page_size;
}

int hub_servers_session_idle(const hub_servers_dir_t *d)
{
    return d->session_idle == HUB_UNSET ? 3600 : d->session_idle;
}

int hub_servers_streams(const hub_servers_dir_t *d)
{
    int threads = 0;
    if (d->streams != HUB_UNSET) {
        return d->streams;
    }
    /* half the child's threads: streams never take all of them */
    if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS
        || threads < 2) {
        return 1;
    }
    return threads / 2;
}

int hub_servers_stream_timeout(const hub_servers_dir_t *d)
{
    return d->stream_timeout == HUB_UNSET ? 300 : d->stream_timeout;
}

int hub_servers_probe_interval(const hub_servers_srv_t *c)
{
    return c->probe_interval == HUB_UNSET ? 300 : c->probe_interval;
}

int hub_servers_probe_timeout(const hub_servers_srv_t *c)
{
    return c->probe_timeout == HUB_UNSET ? 10 : c->probe_timeout;
}

int hub_servers_degraded_after(const hub_servers_srv_t *c)
{
    return c->degraded_after == HUB_UNSET ? 1 : c->degraded_after;
}

int hub_servers_down_after(const hub_servers_srv_t *c)
{
    return c->down_after == HUB_UNSET ? 3 : c->down_after;
}

const hub_servers_srv_t *hub_servers_srv(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &hub_servers_module);
}

const hub_secret_key_t *hub_servers_key(const request_rec *r)
{
    return hub_servers_srv(r->server)->secret_key;
}

/* the optional functions of mod_hub_servers.h */
static const hub_secret_key_t *hub_servers_secret_key(const server_rec *s)
{
    return hub_servers_srv(s)->secret_key;
}

static const apr_array_header_t *hub_servers_outbound_allow(const server_rec *s)
{
    return hub_servers_srv(s)->outbound_allow;
}

void hub_servers_config_hooks(void)
{
    APR_REGISTER_OPTIONAL_FN(hub_servers_secret_key);
    APR_REGISTER_OPTIONAL_FN(hub_servers_outbound_allow);
}

int hub_servers_stdio_allowed(const request_rec *r, const char *command)
{
    return hub_servers_stdio_allowed_s(r->server, command);
}

int hub_servers_stdio_allowed_s(const server_rec *s, const char *command)
{
    const apr_array_header_t *allow = hub_servers_srv(s)->stdio_allow;
    int i;
    for (i = 0; allow && command && i < allow->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(allow, i, const char *), command)) {
            return 1;
        }
    }
    return 0;
}

static apr_status_t wipe_key(void *data)
{
    hub_secret_wipe(data, sizeof(hub_secret_key_t));
    return APR_SUCCESS;
}

/* The key file's content, at most 256 bytes; NULL when unreadable. */
static char *read_key_file(apr_pool_t *p, const char *path, apr_size_t *len,
                           apr_status_t *rv)
{
    apr_file_t *f;
    apr_finfo_t fi;
    char *buf;

    *rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (*rv != APR_SUCCESS) {
        return NULL;
    }
    *rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (*rv != APR_SUCCESS || fi.size > 256) {
        apr_file_close(f);
        return NULL;
    }
    *len = (apr_size_t)fi.size;
    buf = apr_palloc(p, *len + 1);
    *rv = apr_file_read_full(f, buf, *len, len);
    apr_file_close(f);
    if (*rv != APR_SUCCESS && !(*rv == APR_EOF && *len == 0)) {
        return NULL;
    }
    *rv = APR_SUCCESS;
    return buf;
}

int hub_servers_config_load(apr_pool_t *pconf, server_rec *s)
{
    for (; s; s = s->next) {
        hub_servers_srv_t *c = ap_get_module_config(s->module_config,
                                                    &hub_servers_module);
        hub_secret_key_t *key;
        const char *why;
        apr_status_t rv;
        apr_size_t n = 0;
        char *text;
        int rc;

        if (c->registry
            && (rc = hub_servers_registry_load(pconf, s, c->registry)) != OK) {
            return rc;
        }
        if (!c->secret_key_file) {
            continue;
        }
        text = read_key_file(pconf, c->secret_key_file, &n, &rv);
        if (!text) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s,
                         "HUB00300: "
                         "HubSecretKeyFile %s: cannot read it (a key of "
                         "32 bytes)",
                         c->secret_key_file);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        key = apr_pcalloc(pconf, sizeof(*key));
        apr_pool_cleanup_register(pconf, key, wipe_key, apr_pool_cleanup_null);
        why = hub_secret_key_parse(text, n, key);
        hub_secret_wipe(text, n);
        if (why) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         "HUB00301: "
                         "HubSecretKeyFile %s: %s",
                         c->secret_key_file, why);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        c->secret_key = key;
    }
    return OK;
}

static const char *set_key_file(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                const char *arg)
{
    hub_servers_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                &hub_servers_module);
    c->secret_key_file = ap_server_root_relative(cmd->pool, arg);
    if (!c->secret_key_file) {
        return apr_pstrcat(cmd->pool, "HubSecretKeyFile: bad path ", arg, NULL);
    }
    return NULL;
}

static const char *set_registry_file(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                     const char *arg)
{
    hub_servers_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                &hub_servers_module);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    if (!path) {
        return apr_pstrcat(cmd->pool, "HubRegistryFile: bad path ", arg, NULL);
    }
    c->registry = hub_servers_catalog_make(cmd->pool, path);
    return NULL;
}

static const char *add_stdio(cmd_parms *cmd, void *dconf HUB_UNUSED,
                             const char *arg)
{
    hub_servers_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                &hub_servers_module);
    if (!*arg || strpbrk(arg, " \t\r\n")) {
        return "HubStdioAllow: a command is one non-empty word";
    }
    if (!c->stdio_allow) {
        c->stdio_allow = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->stdio_allow, const char *) = arg;
    return NULL;
}

static const char *add_outbound(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                const char *arg)
{
    hub_servers_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                &hub_servers_module);
    hub_cidr_t cidr;
    if (hub_cidr_parse(arg, &cidr)) {
        return apr_pstrcat(cmd->pool,
                           "HubOutboundAllow: not an address "
                           "range: ",
                           arg, NULL);
    }
    if (!c->outbound_allow) {
        c->outbound_allow = apr_array_make(cmd->pool, 4, sizeof(hub_cidr_t));
    }
    APR_ARRAY_PUSH(c->outbound_allow, hub_cidr_t) = cidr;
    return NULL;
}

/* A whole number from min to max into the int at cmd->info in conf;
 * unit names it in the error (" of seconds", or ""). */
static const char *set_between(cmd_parms *cmd, void *conf, const char *arg,
                               long min, long max, const char *unit)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < min || v > max) {
        return apr_psprintf(cmd->pool, "%s must be a number%s from %ld to %ld",
                            cmd->cmd->name, unit, min, max);
    }
    *(int *)((char *)conf + (apr_size_t)cmd->info) = (int)v;
    return NULL;
}

static const char *set_bounded(cmd_parms *cmd, void *conf, const char *arg,
                               long max, const char *unit)
{
    return set_between(cmd, conf, arg, 1, max, unit);
}

/* One setter for the bounded whole-second settings. */
static const char *set_seconds(cmd_parms *cmd, void *dconf HUB_UNUSED,
                               const char *arg)
{
    return set_bounded(cmd,
                       ap_get_module_config(cmd->server->module_config,
                                            &hub_servers_module),
                       arg, 86400, " of seconds");
}

static const char *set_thresholds(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                  const char *degraded, const char *down)
{
    hub_servers_srv_t *c = ap_get_module_config(cmd->server->module_config,
                                                &hub_servers_module);
    int d = atoi(degraded), n = atoi(down);
    if (d < 1 || n < d || n > 1000) {
        return "HubProbeThresholds: 1 <= degraded <= down <= 1000";
    }
    c->degraded_after = d;
    c->down_after = n;
    return NULL;
}

/* ---- the gateway's <Location> ---------------------------------------- */

static const char *set_gateway(cmd_parms *cmd, void *dconf, int on)
{
    hub_servers_dir_t *d = dconf;
    const ap_directive_t *in = cmd->directive ? cmd->directive->parent : NULL;
    if (on
        && (!cmd->path || *cmd->path != '/' || !in
            || strcasecmp(in->directive, "<Location")
            || (in->args && *in->args == '~'))) {
        return "HubMcpGateway belongs in a <Location> with a plain path "
               "(not a regular expression)";
    }
    d->gateway = on;
    d->gateway_prefix = on ? apr_pstrdup(cmd->pool, cmd->path) : NULL;
    return NULL;
}

static const char *add_origin(cmd_parms *cmd, void *dconf, const char *arg)
{
    hub_servers_dir_t *d = dconf;
    const char *host = strstr(arg, "://");
    if (!host || host == arg || !host[3] || strchr(host + 3, '/')) {
        return apr_pstrcat(cmd->pool,
                           "HubMcpAllowOrigin: not an origin "
                           "(scheme://host[:port]): ",
                           arg, NULL);
    }
    if (!d->origins) {
        d->origins = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(d->origins, const char *) = arg;
    return NULL;
}

static const char *set_page_size(cmd_parms *cmd, void *dconf, const char *arg)
{
    return set_bounded(cmd, dconf, arg, 1000, "");
}

static const char *set_session_idle(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    return set_bounded(cmd, dconf, arg, 86400 * 30, " of seconds");
}

static const char *set_streams(cmd_parms *cmd, void *dconf, const char *arg)
{
    return set_between(cmd, dconf, arg, 0, 100000, "");
}

static const char *set_stream_timeout(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    return set_bounded(cmd, dconf, arg, 86400, " of seconds");
}

const command_rec hub_servers_cmds[] = {
    AP_INIT_FLAG("HubMcpGateway", set_gateway, NULL, ACCESS_CONF,
                 "On: this <Location> serves navigator instances' MCP "
                 "endpoints at <Location>/{navigator instance id}"),
    AP_INIT_ITERATE("HubMcpAllowOrigin", add_origin, NULL, ACCESS_CONF,
                    "browser origins (scheme://host[:port]) allowed to call "
                    "the MCP endpoint besides the hub's own"),
    AP_INIT_TAKE1("HubMcpPageSize", set_page_size,
                  (void *)APR_OFFSETOF(hub_servers_dir_t, page_size),
                  ACCESS_CONF, "tools per tools/list page (100)"),
    AP_INIT_TAKE1("HubMcpSessionIdle", set_session_idle,
                  (void *)APR_OFFSETOF(hub_servers_dir_t, session_idle),
                  ACCESS_CONF,
                  "seconds a 2025-era MCP session lives unused (3600)"),
    AP_INIT_TAKE1("HubMcpStreams", set_streams,
                  (void *)APR_OFFSETOF(hub_servers_dir_t, streams), ACCESS_CONF,
                  "list-changed streams open at once per httpd child; 0: "
                  "none (half of ThreadsPerChild)"),
    AP_INIT_TAKE1("HubMcpStreamTimeout", set_stream_timeout,
                  (void *)APR_OFFSETOF(hub_servers_dir_t, stream_timeout),
                  ACCESS_CONF,
                  "seconds a GET stream lasts before the client is asked "
                  "to reconnect (300)"),
    AP_INIT_ITERATE("HubOutboundAllow", add_outbound, NULL, RSRC_CONF,
                    "internal address ranges the hub may connect to "
                    "(e.g. 127.0.0.0/8); none by default"),
    AP_INIT_TAKE1("HubProbeInterval", set_seconds,
                  (void *)APR_OFFSETOF(hub_servers_srv_t, probe_interval),
                  RSRC_CONF, "seconds between probes of a server (300)"),
    AP_INIT_TAKE1("HubProbeTimeout", set_seconds,
                  (void *)APR_OFFSETOF(hub_servers_srv_t, probe_timeout),
                  RSRC_CONF, "a probe's total time limit in seconds (10)"),
    AP_INIT_TAKE2("HubProbeThresholds", set_thresholds, NULL, RSRC_CONF,
                  "consecutive failures for degraded and for down (1 3)"),
    AP_INIT_TAKE1("HubRegistryFile", set_registry_file, NULL, RSRC_CONF,
                  "JSON file of the server registry catalog (an array of "
                  "entries); none by default"),
    AP_INIT_TAKE1("HubSecretKeyFile", set_key_file, NULL, RSRC_CONF,
                  "file holding the 32-byte AES-256-GCM key of the secrets "
                  "stored with MCP servers (raw, hex or base64)"),
    AP_INIT_ITERATE("HubStdioAllow", add_stdio, NULL, RSRC_CONF,
                    "commands a stdio MCP server may run (exact match); "
                    "none by default"),
    { NULL }
};
