/* Unit tests of hub_analytics_window: Caylex's windows and frequencies,
 * the frequency a graph gets when none is asked, and the 422s. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_analytics_window.h"
#include "hub_validate.h"
#include "tap.h"

static const hub_qfield_t fields[] = {
    HUB_Q_AN_WINDOW("24h"), HUB_Q_AN_FREQUENCY, HUB_Q_AN_VIEW,
    HUB_Q_AN_FILTERS,       HUB_Q_AN_TOOL_NAME, HUB_Q_END
};

/* Read window/frequency; the first problem's field and type, or NULL. */
static const char *read_w(apr_pool_t *p, const char *window, const char *freq,
                          int graph, hub_an_window_t *w)
{
    apr_table_t *args = apr_table_make(p, 2);
    apr_array_header_t *problems = apr_array_make(p, 2, sizeof(hub_invalid_t));
    hub_qvals_t q;
    if (window) {
        apr_table_set(args, "window", window);
    }
    if (freq) {
        apr_table_set(args, "frequency", freq);
    }
    if (hub_query_parse(p, fields, args, &q, problems)) {
        return "parse";
    }
    if (hub_an_window_read(p, &q, "24h", graph, w, problems)) {
        hub_invalid_t *v = &APR_ARRAY_IDX(problems, 0, hub_invalid_t);
        return apr_pstrcat(p, v->field, " ", v->type, NULL);
    }
    return NULL;
}

int main(void)
{
    apr_pool_t *p;
    hub_an_span_t s;
    hub_an_window_t w;
    const char *bad[] = { "",        "h",     "0h",  "24",   "24H",
                          "1y",      "1mont", "-1h", "1.5h", "24h ",
                          "100001m", "3660d", NULL };
    const struct {
        const char *text, *interval;
        long seconds;
    } good[] = { { "24h", "24 hours", 86400 },  { "7d", "7 days", 604800 },
                 { "1w", "7 days", 604800 },    { "2w", "14 days", 1209600 },
                 { "1mon", "1 mons", 2592000 }, { "3mo", "3 mons", 7776000 },
                 { "15m", "15 mins", 900 },     { NULL, NULL, 0 } };
    int i;

    apr_initialize();
    apr_pool_create(&p, NULL);

    for (i = 0; good[i].text; i++) {
        ok(hub_an_span_parse(p, good[i].text, &s), "%s parses", good[i].text);
        is_str(s.interval, good[i].interval, good[i].text);
        ok(s.seconds == good[i].seconds, "%s is %ld s", good[i].text,
           good[i].seconds);
    }
    for (i = 0; bad[i]; i++) {
        ok(!hub_an_span_parse(p, bad[i], &s), "'%s' is no span", bad[i]);
    }

    /* a total: the default window, no frequency read */
    ok(read_w(p, NULL, "nonsense", 0, &w) == NULL, "a total ignores frequency");
    is_str(w.window.text, "24h", "default window");
    ok(w.step.text == NULL, "a total has no step");

    /* the chosen frequencies */
    {
        const char *pairs[][2] = {
            { "24h", "1h" }, { "7d", "6h" }, { "1mon", "1d" }, { "90d", "1d" },
            { "52w", "1w" }, { "1h", "1m" }, { "6h", "15m" },  { NULL, NULL }
        };
        for (i = 0; pairs[i][0]; i++) {
            ok(read_w(p, pairs[i][0], NULL, 1, &w) == NULL && w.step_chosen
                   && !strcmp(w.step.text, pairs[i][1]),
               "window %s: frequency %s", pairs[i][0], pairs[i][1]);
        }
    }
    ok(read_w(p, "30d", "1d", 1, &w) == NULL && !w.step_chosen
           && w.points == 31,
       "30d at 1d: 31 buckets at most");
    ok(read_w(p, "1mon", "1mo", 1, &w) == NULL, "1mon at 1mo");

    is_str(read_w(p, "2days", NULL, 1, &w), "window value_error",
           "a bad window is 422 on window");
    is_str(read_w(p, "24h", "1mon", 1, &w), "frequency value_error",
           "1mon frequency longer than 24h");
    is_str(read_w(p, "24h", "5s", 1, &w), "frequency string_pattern_mismatch",
           "5s is no frequency");
    is_str(read_w(p, "24h", "2d", 1, &w), "frequency value_error",
           "frequency longer than the window");
    is_str(read_w(p, "90d", "1m", 1, &w), "frequency value_error",
           "too many points");
    ok(read_w(p, "1000m", "1m", 1, &w) == NULL, "1000 points is allowed");
    is_str(read_w(p, "1001m", "1m", 1, &w), "frequency value_error",
           "1001 is not");

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
