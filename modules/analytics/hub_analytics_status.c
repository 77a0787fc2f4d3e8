/* The hub's section of mod_status' /server-status: the same counters as
 * /metrics (hub_metrics.h), an HTML table for people and `Key: value`
 * lines for ?auto, as mod_status prints its own.  An optional hook:
 * without mod_status loaded it is never called.
 *
 * ?auto keys: HubHttpRequests_<profile>_<class> (e.g.
 * HubHttpRequests_caylex_2xx), HubMcpRequests_<method>_<outcome> (the
 * method's '/' written '_': HubMcpRequests_tools_call_timeout), their
 * totals HubHttpRequests and HubMcpRequests, and HubMcpCallsPending,
 * HubMcpCallsWritten, HubMcpCallsDropped. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <mod_status.h>
#include "hub_analytics_private.h"

/* a label as a key's part: tools/call -> tools_call */
static const char *key_part(apr_pool_t *p, const char *label)
{
    char *k = apr_pstrdup(p, label), *c;
    for (c = k; *c; c++) {
        if (*c == '/') {
            *c = '_';
        }
    }
    return k;
}

static void short_report(request_rec *r, const hub_metrics_read_t *x)
{
    apr_uint64_t http = 0, mcp = 0;
    int i, j;
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        for (j = 0; j < HUB_MX_CLASSES; j++) {
            http += x->http[i][j];
        }
    }
    for (i = 0; i < HUB_MX_METHODS; i++) {
        for (j = 0; j < HUB_MX_OUTCOMES; j++) {
            mcp += x->mcp[i][j];
        }
    }
    ap_rprintf(r, "HubHttpRequests: %" APR_UINT64_T_FMT "\n", http);
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        for (j = 0; j < HUB_MX_CLASSES; j++) {
            ap_rprintf(r, "HubHttpRequests_%s_%s: %" APR_UINT64_T_FMT "\n",
                       hub_metrics_profile_name(i), hub_metrics_class_name(j),
                       x->http[i][j]);
        }
    }
    ap_rprintf(r, "HubMcpRequests: %" APR_UINT64_T_FMT "\n", mcp);
    for (i = 0; i < HUB_MX_METHODS; i++) {
        for (j = 0; j < HUB_MX_OUTCOMES; j++) {
            ap_rprintf(r, "HubMcpRequests_%s_%s: %" APR_UINT64_T_FMT "\n",
                       key_part(r->pool, hub_metrics_method_name(i)),
                       hub_metrics_outcome_name(j), x->mcp[i][j]);
        }
    }
    ap_rprintf(r,
               "HubMcpCallsPending: %" APR_INT64_T_FMT "\n"
               "HubMcpCallsWritten: %" APR_UINT64_T_FMT "\n"
               "HubMcpCallsDropped: %" APR_UINT64_T_FMT "\n",
               x->rec_pending < 0 ? 0 : x->rec_pending, x->rec_written,
               x->rec_dropped);
}

/* The mean of a histogram, in ms ("-" when it is empty). */
static const char *mean_ms(apr_pool_t *p, const hub_mx_hist_read_t *h)
{
    return h->count
               ? apr_psprintf(p, "%.1f", 1000.0 * h->sum_s / (double)h->count)
               : "-";
}

static void html_http(request_rec *r, const hub_metrics_read_t *x)
{
    int i, j;
    ap_rputs("<table border=\"1\"><tr><th>profile</th>", r);
    for (j = 0; j < HUB_MX_CLASSES; j++) {
        ap_rprintf(r, "<th>%s</th>", hub_metrics_class_name(j));
    }
    ap_rputs("<th>mean ms</th></tr>\n", r);
    for (i = 0; i < HUB_MX_PROFILES; i++) {
        ap_rprintf(r, "<tr><td>%s</td>", hub_metrics_profile_name(i));
        for (j = 0; j < HUB_MX_CLASSES; j++) {
            ap_rprintf(r, "<td>%" APR_UINT64_T_FMT "</td>", x->http[i][j]);
        }
        ap_rprintf(r, "<td>%s</td></tr>\n", mean_ms(r->pool, &x->http_time[i]));
    }
    ap_rputs("</table>\n", r);
}

static void html_mcp(request_rec *r, const hub_metrics_read_t *x)
{
    int i, j;
    ap_rputs("<table border=\"1\"><tr><th>MCP method</th>", r);
    for (j = 0; j < HUB_MX_OUTCOMES; j++) {
        ap_rprintf(r, "<th>%s</th>", hub_metrics_outcome_name(j));
    }
    ap_rputs("<th>mean ms</th><th>upstream mean ms</th></tr>\n", r);
    for (i = 0; i < HUB_MX_METHODS; i++) {
        ap_rprintf(r, "<tr><td>%s</td>", hub_metrics_method_name(i));
        for (j = 0; j < HUB_MX_OUTCOMES; j++) {
            ap_rprintf(r, "<td>%" APR_UINT64_T_FMT "</td>", x->mcp[i][j]);
        }
        ap_rprintf(r, "<td>%s</td><td>%s</td></tr>\n",
                   mean_ms(r->pool, &x->mcp_gateway[i]),
                   mean_ms(r->pool, &x->mcp_upstream[i]));
    }
    ap_rputs("</table>\n", r);
}

static int status_hook(request_rec *r, int flags)
{
    hub_metrics_t *m = hub_analytics_metrics();
    hub_metrics_read_t x;

    if (!m) {
        return OK;
    }
    hub_metrics_read(m, &x);
    if (flags & AP_STATUS_SHORT) {
        short_report(r, &x);
        return OK;
    }
    ap_rputs("<hr />\n<h2>mod_hub</h2>\n", r);
    ap_rprintf(r, "<p>Counted since %s, over every child.</p>\n",
               ap_ht_time(r->pool, x.since, "%Y-%m-%d %H:%M:%S %Z", 1));
    ap_rputs("<h3>HTTP requests by status class</h3>\n", r);
    html_http(r, &x);
    ap_rputs("<h3>MCP gateway requests by outcome</h3>\n", r);
    html_mcp(r, &x);
    ap_rprintf(r,
               "<p>Call records (mcp_calls): %" APR_INT64_T_FMT
               " buffered, %" APR_UINT64_T_FMT " written, %" APR_UINT64_T_FMT
               " dropped.</p>\n",
               x.rec_pending < 0 ? 0 : x.rec_pending, x.rec_written,
               x.rec_dropped);
    return OK;
}

void hub_analytics_status_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
