/* mod_hub_analytics' directives (server config) and the values its
 * workers read, defaults resolved:
 *   HubCallsRetention days        90   raw call records (0: all)
 *   HubRollupRetention m h d      7 90 730   the rollups, per grain
 *   HubEventsInterval seconds     10   notifications and alerts */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_analytics_private.h"

static const int rollup_keep_default[3] = { 7, 90, 730 };

void *hub_analytics_srv_create(apr_pool_t *p, server_rec *s HUB_UNUSED)
{
    hub_analytics_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->retention_days = HUB_UNSET;
    c->rollup_keep[0] = HUB_UNSET;
    c->events_interval = HUB_UNSET;
    return c;
}

void *hub_analytics_srv_merge(apr_pool_t *p, void *basev, void *addv)
{
    const hub_analytics_srv_t *base = basev, *add = addv;
    hub_analytics_srv_t *c = apr_pcalloc(p, sizeof(*c));
    c->retention_days = add->retention_days != HUB_UNSET ? add->retention_days
                                                         : base->retention_days;
    memcpy(c->rollup_keep,
           add->rollup_keep[0] != HUB_UNSET ? add->rollup_keep
                                            : base->rollup_keep,
           sizeof(c->rollup_keep));
    c->events_interval = add->events_interval != HUB_UNSET
                             ? add->events_interval
                             : base->events_interval;
    return c;
}

static const hub_analytics_srv_t *conf(server_rec *s)
{
    return ap_get_module_config(s->module_config, &hub_analytics_module);
}

int hub_analytics_retention_days(server_rec *s)
{
    return conf(s)->retention_days == HUB_UNSET ? 90 : conf(s)->retention_days;
}

const int *hub_analytics_rollup_keep(server_rec *s)
{
    return conf(s)->rollup_keep[0] == HUB_UNSET ? rollup_keep_default
                                                : conf(s)->rollup_keep;
}

int hub_analytics_events_interval(server_rec *s)
{
    return conf(s)->events_interval == HUB_UNSET ? 10
                                                 : conf(s)->events_interval;
}

/* A whole number from lo to hi into *out; 0 when arg is not one. */
static int whole(const char *arg, long lo, long hi, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < lo || v > hi) {
        return 0;
    }
    *out = (int)v;
    return 1;
}

static hub_analytics_srv_t *cmd_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &hub_analytics_module);
}

static const char *set_retention(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                 const char *arg)
{
    return whole(arg, 0, 36500, &cmd_conf(cmd)->retention_days)
               ? NULL
               : "HubCallsRetention must be a number of days from 0 (keep "
                 "every record) to 36500";
}

static const char *set_rollup_retention(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                        const char *m, const char *h,
                                        const char *d)
{
    const char *args[3] = { m, h, d };
    int i;
    for (i = 0; i < 3; i++) {
        if (!whole(args[i], 1, 36500, &cmd_conf(cmd)->rollup_keep[i])) {
            return "HubRollupRetention takes three numbers of days from 1 "
                   "to 36500: per-minute, per-hour and per-day rollups";
        }
    }
    return NULL;
}

static const char *set_events_interval(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                       const char *arg)
{
    return whole(arg, 1, 3600, &cmd_conf(cmd)->events_interval)
               ? NULL
               : "HubEventsInterval must be a number of seconds from 1 to "
                 "3600";
}

const command_rec hub_analytics_cmds[] = {
    AP_INIT_TAKE1("HubCallsRetention", set_retention, NULL, RSRC_CONF,
                  "days the gateway's call records are kept (90); 0: all"),
    AP_INIT_TAKE3("HubRollupRetention", set_rollup_retention, NULL, RSRC_CONF,
                  "days the per-minute, per-hour and per-day rollups of the "
                  "call records are kept (7 90 730)"),
    AP_INIT_TAKE1("HubEventsInterval", set_events_interval, NULL, RSRC_CONF,
                  "seconds between runs of the notifications and alerts "
                  "(10)"),
    { NULL }
};
