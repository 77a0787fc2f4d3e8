/* libFuzzer target: what a client sends a workflow as.  Input: an
 * expression, a newline, a template, a newline, a graph as JSON.  The
 * expression is checked and evaluated against a fixed context, the
 * template rendered, and the graph read, validated and, when valid, run
 * by the scheduler to its end with every node completing (a condition
 * takes the branch its expression gives, a loop its bound).  Checks: the
 * scheduler never hands out a node that has a state, ends within
 * nodes x (maxIterations + 1) steps, and a checkpoint written and read
 * back schedules the same.
 * Build and run: tools/fuzz wf */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_wf_expr.h"
#include "hub_wf_graph.h"
#include "hub_wf_template.h"
#include "fuzz_pool.h"

static json_t *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    ctx = json_loads(
        "{\"input\": \"hi\", \"n\": {\"output\": {\"a\": [1, \"x\","
        " {\"b\": null}], \"t\": true}}, \"loop\": {\"iteration\": 3}}",
        0, NULL);
    return 0;
}

static void run_graph(apr_pool_t *p, json_t *gj)
{
    hub_wf_graph_t *g;
    json_t *verdict = hub_wf_check(p, gj, &g), *state;
    long steps = 0, limit;
    if (!g) {
        json_decref(verdict);
        return;
    }
    json_decref(verdict);
    limit = (long)g->nnodes * (HUB_WF_MAX_ITERATIONS + 2) + 1;
    state = hub_wf_state_new();
    for (;;) {
        apr_array_header_t *ready = hub_wf_runnable(p, g, state);
        const hub_wf_node_t *n;
        const char *branch = NULL, *err;
        json_t *c, *out;
        int i;
        if (!ready->nelts) {
            break;
        }
        if (++steps > limit) {
            abort(); /* a loop without end */
        }
        i = ((int *)ready->elts)[0];
        n = &g->nodes[i];
        if (json_object_get(json_object_get(state, "nodes"), n->id)) {
            abort(); /* a node handed out twice */
        }
        c = hub_wf_context(g, state, NULL, n->loop >= 0 ? i : -1);
        if (n->kind == HUB_WF_CONDITION) {
            const char *e = json_string_value(
                json_object_get(n->data, "condition"));
            branch = e && hub_wf_expr_test(p, e, c, &err) > 0
                         ? "true"
                         : "false";
        }
        else if (n->kind == HUB_WF_FEEDBACK_LOOP) {
            branch = hub_wf_loop_count(state, n->id) >= json_integer_value(
                         json_object_get(n->data, "maxIterations"))
                         ? "exit"
                         : "body";
        }
        json_decref(c);
        out = json_string(n->id);
        hub_wf_apply(g, state, i, "completed", out, branch, NULL);
        json_decref(out);
    }
    {
        char *text = json_dumps(state, 0);
        json_t *back = text ? json_loads(text, 0, NULL) : NULL;
        if (!back || hub_wf_runnable(p, g, back)->nelts) {
            abort();
        }
        json_decref(back);
        free(text);
    }
    json_decref(hub_wf_result(g, state));
    json_decref(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = pool_make();
    char *all = apr_pstrmemdup(p, (const char *)data, size);
    char *expr = all, *tpl = "", *graph = NULL, *nl;
    json_t *v, *gj;
    const char *err;
    if ((nl = strchr(expr, '\n'))) {
        *nl = '\0';
        tpl = nl + 1;
        if ((nl = strchr(tpl, '\n'))) {
            *nl = '\0';
            graph = nl + 1;
        }
    }
    if (hub_wf_expr_eval(p, expr, ctx, &v, &err) == 0) {
        json_decref(v);
        if (hub_wf_expr_check(p, expr)) {
            abort(); /* evaluates yet is not well formed */
        }
    }
    hub_wf_template_render(p, tpl, ctx);
    if (graph && (gj = json_loads(graph, 0, NULL))) {
        run_graph(p, gj);
        json_decref(gj);
    }
    apr_pool_destroy(p);
    return 0;
}
