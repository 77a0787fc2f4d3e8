/* Caylex's analytics windows, frequencies and filters: the rules are in
 * hub_analytics_window.h. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_analytics_window.h"
#include "hub_validate.h"

#define MAX_N       100000L
#define MAX_SECONDS (3653L * 86400L) /* ten years */
#define MIN_POINTS  24               /* a chosen frequency gives at least */

const char *const hub_an_views[] = { "timeseries", "bar", "pie", "heatmap",
                                     NULL };

static const struct unit {
    const char *suffix;
    hub_an_unit_e unit;
    long seconds;
} units[] = { { "m", HUB_AN_MINUTE, 60L },
              { "h", HUB_AN_HOUR, 3600L },
              { "d", HUB_AN_DAY, 86400L },
              { "w", HUB_AN_WEEK, 604800L },
              { "mo", HUB_AN_MONTH, 2592000L },
              { "mon", HUB_AN_MONTH, 2592000L },
              { NULL, 0, 0 } };

int hub_an_span_parse(apr_pool_t *p, const char *text, hub_an_span_t *out)
{
    const char *s = text;
    long n = 0;
    int i;

    if (!text || !(*s >= '0' && *s <= '9')) {
        return 0;
    }
    for (; *s >= '0' && *s <= '9'; s++) {
        n = n * 10 + (*s - '0');
        if (n > MAX_N) {
            return 0;
        }
    }
    if (n < 1) {
        return 0;
    }
    for (i = 0; units[i].suffix; i++) {
        if (!strcmp(s, units[i].suffix)) {
            break;
        }
    }
    if (!units[i].suffix || n * units[i].seconds > MAX_SECONDS) {
        return 0;
    }
    out->text = text;
    out->n = n;
    out->unit = units[i].unit;
    out->seconds = n * units[i].seconds;
    switch (units[i].unit) {
    case HUB_AN_MINUTE: out->interval = apr_psprintf(p, "%ld mins", n); break;
    case HUB_AN_HOUR: out->interval = apr_psprintf(p, "%ld hours", n); break;
    case HUB_AN_DAY: out->interval = apr_psprintf(p, "%ld days", n); break;
    case HUB_AN_WEEK: out->interval = apr_psprintf(p, "%ld days", 7 * n); break;
    case HUB_AN_MONTH: out->interval = apr_psprintf(p, "%ld mons", n); break;
    }
    return 1;
}

const char *hub_an_default_step(const hub_an_span_t *window)
{
    static const struct {
        const char *text;
        long seconds;
    } steps[] = { { "1w", 604800L }, { "1d", 86400L }, { "6h", 21600L },
                  { "1h", 3600L },   { "15m", 900L },  { "5m", 300L },
                  { NULL, 0 } };
    int i;
    for (i = 0; steps[i].text; i++) {
        if (window->seconds / steps[i].seconds >= MIN_POINTS) {
            return steps[i].text;
        }
    }
    return "1m";
}

int hub_an_window_read(apr_pool_t *p, const hub_qvals_t *q,
                       const char *def_window, int graph, hub_an_window_t *w,
                       apr_array_header_t *problems)
{
    const char *text = hub_qv_str(q, "window");
    const char *freq;
    int before = problems->nelts;
    long n;

    memset(w, 0, sizeof(*w));
    if (!hub_an_span_parse(p, text ? text : def_window, &w->window)) {
        hub_invalid_add(problems, "window", "value_error",
                        "Value error, window must be <n>h, <n>d, <n>w or "
                        "<n>mon (e.g. 24h, 7d, 1w, 1mon), at most 10 years");
        return problems->nelts - before;
    }
    if (!graph) {
        return 0;
    }
    freq = hub_qv_str(q, "frequency");
    w->step_chosen = freq == NULL;
    if (!freq) {
        freq = hub_an_default_step(&w->window);
    }
    if (!hub_an_span_parse(p, freq, &w->step)) {
        hub_invalid_add(problems, "frequency", "string_pattern_mismatch",
                        "String should match pattern "
                        "'^\\d+[mhdw]$|^\\d+mo$'");
        return problems->nelts - before;
    }
    if (w->step.seconds > w->window.seconds) {
        hub_invalid_add(problems, "frequency", "value_error",
                        apr_psprintf(p,
                                     "Value error, frequency %s is longer "
                                     "than the window %s",
                                     w->step.text, w->window.text));
        return problems->nelts - before;
    }
    /* the buckets that can meet the window: one more than fit in it */
    n = (w->window.seconds + w->step.seconds - 1) / w->step.seconds;
    if (n > HUB_AN_MAX_POINTS) {
        hub_invalid_add(problems, "frequency", "value_error",
                        apr_psprintf(p,
                                     "Value error, window %s at frequency %s "
                                     "gives %ld points; at most %d",
                                     w->window.text, w->step.text, n,
                                     HUB_AN_MAX_POINTS));
        return problems->nelts - before;
    }
    w->points = n + 1;
    return 0;
}

void hub_an_filters_read(const hub_qvals_t *q, hub_an_filters_t *f)
{
    f->project_id = hub_qv_str(q, "project_id");
    f->navigator_instance_id = hub_qv_str(q, "navigator_instance_id");
    f->server_instance_id = hub_qv_str(q, "server_instance_id");
    f->tool_name = hub_qv_str(q, "tool_name");
    f->tool_id = hub_qv_str(q, "tool_id");
}

json_t *hub_an_filters_json(const hub_an_filters_t *f)
{
    json_t *o = json_object();
    const char *names[] = { "project_id", "navigator_instance_id",
                            "server_instance_id", "tool_name", "tool_id" };
    const char *values[] = { f->project_id, f->navigator_instance_id,
                             f->server_instance_id, f->tool_name, f->tool_id };
    int i;
    for (i = 0; i < 5; i++) {
        if (values[i]) {
            json_object_set_new(o, names[i], json_string(values[i]));
        }
    }
    return o;
}

int hub_an_filters_args(const hub_an_filters_t *f, const char **args)
{
    args[0] = f->project_id;
    args[1] = f->navigator_instance_id;
    args[2] = f->server_instance_id;
    args[3] = f->tool_name;
    return 4;
}

int hub_an_filter_args(const hub_an_filters_t *f, const char **args)
{
    const char *v[4] = { f->project_id, f->navigator_instance_id,
                         f->server_instance_id, f->tool_name };
    int i;
    for (i = 0; i < 4; i++) {
        args[2 * i] = args[2 * i + 1] = v[i];
    }
    return HUB_AN_FILTER_NARGS;
}
