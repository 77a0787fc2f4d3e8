/* Unit tests of hub_metrics: labels, buckets at their edges, the
 * recorder's gauge, and the text the Prometheus scrape reads. */
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_metrics.h"
#include "hub_profile.h"
#include "tap.h"

static int has_line(const char *text, const char *line)
{
    const char *at = text;
    size_t n = strlen(line);
    while ((at = strstr(at, line))) {
        if ((at == text || at[-1] == '\n') && at[n] == '\n') {
            return 1;
        }
        at += n;
    }
    diag("  no line: %s", line);
    return 0;
}

static void test_labels(void)
{
    is_int(hub_metrics_profile_of(HUB_CAYLEX), HUB_MX_CAYLEX, "caylex's bit");
    is_int(hub_metrics_profile_of(HUB_CAYLEX | HUB_G4F), -1,
           "two bits are no profile");
    is_str(hub_metrics_profile_name(HUB_MX_MCP), "mcp", "the gateway: mcp");
    is_int(hub_metrics_method_of("tools/call"), 2, "tools/call");
    is_str(hub_metrics_method_name(hub_metrics_method_of("ping")), "other",
           "ping counts as other");
    is_str(hub_metrics_method_name(hub_metrics_method_of(NULL)), "other",
           "no method: other");
    is_int(hub_metrics_outcome_of(NULL), 0, "no error type: ok");
    is_str(hub_metrics_outcome_name(hub_metrics_outcome_of("rate_limit")),
           "rate_limit", "rate_limit");
    is_str(hub_metrics_outcome_name(hub_metrics_outcome_of("ok")), "other",
           "an error type named ok is not ok");
    is_str(hub_metrics_outcome_name(hub_metrics_outcome_of("made-up")), "other",
           "an unknown error type: other");
    is_str(hub_metrics_bound(0), "0.005", "the first bound");
    is_str(hub_metrics_bound(HUB_MX_BOUNDS), "+Inf", "the last: +Inf");
}

static void test_counting(hub_metrics_t *m)
{
    hub_metrics_read_t x;

    hub_metrics_init(m, apr_time_from_sec(1700000000));
    ok(hub_metrics_valid(m), "a block made ready is valid");
    hub_metrics_http(m, HUB_MX_G4F, 200, 5000);     /* le 0.005: inclusive */
    hub_metrics_http(m, HUB_MX_G4F, 404, 5001);     /* le 0.01 */
    hub_metrics_http(m, HUB_MX_G4F, 503, 11000000); /* +Inf only */
    hub_metrics_http(m, HUB_MX_G4F, 999, 0);        /* clamped: 5xx */
    hub_metrics_http(m, -1, 200, 0);                /* not counted */
    hub_metrics_call(m, "tools/call", NULL, 20000, 15000);
    hub_metrics_call(m, "tools/call", "timeout", 3000000, 2999000);
    hub_metrics_call(m, "initialize", NULL, 1000, -1);
    hub_metrics_recorder(m, 3, 0, 0);
    hub_metrics_recorder(m, -2, 2, 1);
    hub_metrics_read(m, &x);

    is_int((long long)x.http[HUB_MX_G4F][1], 1, "g4f 2xx");
    is_int((long long)x.http[HUB_MX_G4F][3], 1, "g4f 4xx");
    is_int((long long)x.http[HUB_MX_G4F][4], 2, "g4f 5xx (999 clamped)");
    is_int((long long)x.http_time[HUB_MX_G4F].le[0], 2,
           "le 0.005 holds 5 ms and 0");
    is_int((long long)x.http_time[HUB_MX_G4F].le[1], 3,
           "le 0.01 is cumulative");
    is_int((long long)x.http_time[HUB_MX_G4F].le[HUB_MX_BOUNDS - 1], 3,
           "le 10 lacks the 11 s one");
    is_int((long long)x.http_time[HUB_MX_G4F].le[HUB_MX_BOUNDS], 4,
           "+Inf holds all");
    is_int((long long)x.http_time[HUB_MX_G4F].count, 4, "count = +Inf");
    ok(x.http_time[HUB_MX_G4F].sum_s > 11.0100
           && x.http_time[HUB_MX_G4F].sum_s < 11.0101,
       "sum in seconds (%.6f)", x.http_time[HUB_MX_G4F].sum_s);
    is_int((long long)x.mcp[2][0], 1, "tools/call ok");
    is_int((long long)x.mcp[2][3], 1, "tools/call timeout");
    is_int((long long)x.mcp_upstream[2].count, 2, "two upstream timings");
    is_int((long long)x.mcp_upstream[0].count, 0,
           "initialize called no upstream");
    is_int((long long)x.mcp_gateway[0].count, 1, "but took gateway time");
    is_int((long long)x.rec_pending, 1, "recorder: 3 in, 2 out");
    is_int((long long)x.rec_written, 2, "  2 written");
    is_int((long long)x.rec_dropped, 1, "  1 dropped");
}

static void test_text(apr_pool_t *p, hub_metrics_t *m)
{
    hub_metrics_read_t x;
    char *t;
    const char *line;
    int bad = 0;

    hub_metrics_read(m, &x);
    t = hub_metrics_text(p, &x);
    ok(has_line(t, "# TYPE hub_http_requests_total counter"), "TYPE counter");
    ok(has_line(t, "hub_http_requests_total{profile=\"g4f\",status=\"5xx\"} 2"),
       "a counter sample");
    ok(has_line(t, "hub_http_requests_total{profile=\"mcp\",status=\"2xx\"} 0"),
       "every series there from the start, at 0");
    ok(has_line(t, "# TYPE hub_http_request_duration_seconds histogram"),
       "TYPE histogram");
    ok(has_line(t, "hub_http_request_duration_seconds_bucket{profile=\"g4f\","
                   "le=\"0.005\"} 2"),
       "a bucket");
    ok(has_line(t, "hub_http_request_duration_seconds_bucket{profile=\"g4f\","
                   "le=\"+Inf\"} 4"),
       "+Inf");
    ok(has_line(t, "hub_http_request_duration_seconds_count{profile=\"g4f\"} "
                   "4"),
       "_count");
    ok(has_line(t, "hub_http_request_duration_seconds_sum{profile=\"g4f\"} "
                   "11.010001"),
       "_sum");
    ok(has_line(t, "hub_mcp_requests_total{method=\"tools/call\","
                   "outcome=\"timeout\"} 1"),
       "an MCP outcome");
    ok(has_line(t, "hub_mcp_upstream_duration_seconds_bucket{method=\"tools/"
                   "call\",le=\"2.5\"} 1"),
       "an upstream bucket");
    ok(has_line(t, "hub_mcp_calls_pending 1"), "the recorder's gauge");
    ok(has_line(t, "hub_metrics_since_seconds 1700000000"), "since");
    ok(t[strlen(t) - 1] == '\n', "ends with a newline");
    /* every line a comment or `name{labels} value` */
    for (line = t; *line; line = strchr(line, '\n') + 1) {
        if (*line != '#' && !strchr(line, ' ')) {
            bad++;
        }
    }
    is_int(bad, 0, "every line a comment or a sample");
    is_str(hub_metrics_gauge(p, "hub_x", "An x.", 3),
           "# HELP hub_x An x.\n# TYPE hub_x gauge\nhub_x 3\n", "a gauge");
    m->magic++;
    ok(!hub_metrics_valid(m), "a block of another layout is not valid");
}

int main(void)
{
    apr_pool_t *p;
    hub_metrics_t *m;

    apr_initialize();
    apr_pool_create(&p, NULL);
    m = apr_palloc(p, sizeof(*m));
    test_labels();
    test_counting(m);
    test_text(p, m);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
