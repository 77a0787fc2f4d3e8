/* The Prometheus endpoint: the hub's counters (hub_metrics.h) in the
 * text exposition format 0.0.4, wherever the operator writes
 *
 *   <Location /metrics>
 *       SetHandler hub-metrics
 *       Require ip 127.0.0.1 10.0.0.0/8
 *   </Location>
 *
 * A handler name rather than a directive of our own, as httpd's operator
 * endpoints do it (server-status, server-info, balancer-manager, mod_md's
 * md-status): SetHandler already works in every container
 * (<Location>, <LocationMatch>, <If>, a virtual host), composes with
 * Require and mod_authz_* like any handler, and is off wherever nobody
 * wrote it; a HubMetrics On would only be SetHandler again, under
 * another name.  Access control is the operator's, as for server-status:
 * the figures are the whole server's, not one tenant's. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_mpm.h>
#include <scoreboard.h>
#include "hub_analytics_private.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* httpd's child processes that hold a scoreboard slot now, those
 * finishing gracefully included: a cheap read of shared memory. */
static int processes(void)
{
    int limit = 0, i, n = 0;
    if (!ap_scoreboard_image
        || ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit) != APR_SUCCESS) {
        return 0;
    }
    for (i = 0; i < limit; i++) {
        process_score *ps = ap_get_scoreboard_process(i);
        if (ps && ps->pid > 0) {
            n++;
        }
    }
    return n;
}

static int handler(request_rec *r)
{
    hub_metrics_t *m;
    hub_metrics_read_t x;
    const char *text;
    int rc;

    if (!r->handler || strcmp(r->handler, HUB_METRICS_HANDLER)) {
        return DECLINED;
    }
    /* r->allowed answers OPTIONS, allowed_methods the 405's Allow */
    r->allowed = AP_METHOD_BIT << M_GET;
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, -1);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if ((rc = ap_discard_request_body(r)) != OK) {
        return rc;
    }
    if (!(m = hub_analytics_metrics())) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "HUB00841: /metrics asked for, but the counters' shared "
                      "memory could not be made at start (HUB00840)");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    hub_metrics_read(m, &x);
    text = apr_pstrcat(
        r->pool, hub_metrics_text(r->pool, &x),
        hub_metrics_gauge(r->pool, "hub_httpd_processes",
                          "httpd child processes holding a scoreboard slot.",
                          processes()),
        NULL);
    ap_set_content_type(r, CONTENT_TYPE);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(r, (apr_off_t)strlen(text));
    if (!r->header_only) {
        ap_rwrite(text, (int)strlen(text), r);
    }
    return OK;
}

void hub_analytics_prometheus_hooks(void)
{
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_MIDDLE);
}
