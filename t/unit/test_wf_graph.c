/* Unit tests of workflow graphs (hub_wf_graph.h): validation, and the
 * scheduler's branches, joins, loops and error edges. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_wf_expr.h"
#include "hub_wf_graph.h"
#include "tap.h"

static apr_pool_t *pool;

/* The validation of a graph written as JSON: its messages joined by |. */
static const char *problems(const char *text)
{
    json_t *g = json_loads(text, 0, NULL);
    json_t *v = hub_wf_check(pool, g, NULL), *e;
    const char *all = "";
    size_t i;
    if (!g) {
        return "bad JSON in the test";
    }
    json_array_foreach(json_object_get(v, "errors"), i, e) {
        all = apr_pstrcat(pool, all, i ? "|" : "",
                          json_string_value(json_object_get(e, "message")),
                          NULL);
    }
    return all;
}

/* Run a graph as an engine would, each node's output its id (a condition
 * evaluates its expression, a loop its bound, a node whose data says
 * "fail" fails): the order the nodes ran, space-separated. */
static const char *run(const char *text, json_t **state_out)
{
    json_t *gj = json_loads(text, 0, NULL);
    hub_wf_graph_t *g;
    json_t *v = hub_wf_check(pool, gj, &g), *state = hub_wf_state_new();
    const char *order = "";
    int steps = 0;
    if (!g) {
        diag("%s", json_dumps(v, 0));
        return "invalid";
    }
    for (;;) {
        apr_array_header_t *ready = hub_wf_runnable(pool, g, state);
        int i;
        const char *branch = NULL, *status = "completed";
        const hub_wf_node_t *n;
        json_t *ctx;
        if (!ready->nelts || ++steps > 1000) {
            break;
        }
        i = ((int *)ready->elts)[0];
        n = &g->nodes[i];
        ctx = hub_wf_context(g, state, json_string("in"), i);
        if (n->kind == HUB_WF_CONDITION) {
            const char *err;
            branch =
                hub_wf_expr_test(pool,
                                 json_string_value(
                                     json_object_get(n->data, "condition")),
                                 ctx, &err)
                        > 0
                    ? "true"
                    : "false";
        }
        else if (n->kind == HUB_WF_FEEDBACK_LOOP) {
            const char *c = json_string_value(
                json_object_get(n->data, "condition"));
            const char *err;
            int max = (int)json_integer_value(
                json_object_get(n->data, "maxIterations"));
            branch = hub_wf_loop_count(state, n->id) >= max
                             || (c && hub_wf_expr_test(pool, c, ctx, &err) > 0)
                         ? "exit"
                         : "body";
        }
        if (json_object_get(n->data, "fail")) {
            status = "failed";
        }
        json_decref(ctx);
        order = apr_pstrcat(pool, order, *order ? " " : "", n->id, NULL);
        if (hub_wf_apply(g, state, i, status, json_string(n->id), branch,
                         *status == 'f' ? "it failed" : NULL)) {
            order = apr_pstrcat(pool, order, " FATAL", NULL);
            break;
        }
    }
    if (state_out) {
        *state_out = state;
    }
    return order;
}

#define N(id, type, data) \
    "{\"id\":\"" id "\",\"type\":\"" type "\",\"data\":" data "}"
#define E(s, t) "{\"source\":\"" s "\",\"target\":\"" t "\"}"
#define EH(s, t, h) \
    "{\"source\":\"" s "\",\"target\":\"" t "\",\"sourceHandle\":\"" h "\"}"
#define T(id) N(id, "template", "{\"template\":\"x\"}")

int main(void)
{
    json_t *state;
    apr_initialize();
    apr_pool_create(&pool, NULL);

    /* ---- validation ---- */
    is_str(problems("{\"nodes\":[" T("a") "," T(
               "b") "],\"edges\":[" E("a", "b") "]}"),
           "", "a valid chain");
    is_str(problems("{\"nodes\":[" N("node-1", "agent", "{}") "]}"),
           "Agent node 'node-1' missing model", "agent without a model");
    is_str(problems(
               "{\"nodes\":[" N("t", "mcp_tool", "{\"tool\":\"echo\"}") "]}"),
           "MCP tool node 't' missing server", "mcp_tool without a server");
    is_str(problems(
               "{\"nodes\":[" N("t", "mcp_tool", "{\"server\":\"s\"}") "]}"),
           "MCP tool node 't' missing tool", "mcp_tool without a tool");
    is_str(problems("{\"nodes\":[" N("c", "condition", "{}") "]}"),
           "Condition node 'c' missing condition", "condition without one");
    ok(strstr(problems("{\"nodes\":[" N("c", "condition",
                                        "{\"condition\":\"1 ==\"}") "]}"),
              "Condition node 'c' has an invalid condition")
           != NULL,
       "a malformed condition");
    ok(strstr(problems("{\"nodes\":[" N("l", "feedback_loop", "{}") "]}"),
              "Feedback loop node 'l' needs maxIterations")
           != NULL,
       "a loop without a bound");
    ok(strstr(problems("{\"nodes\":[" N("l", "feedback_loop",
                                        "{\"maxIterations\":100000}") "]}"),
              "needs maxIterations")
           != NULL,
       "a loop bound too large");
    is_str(problems("{\"nodes\":[" N("x", "teleport", "{}") "]}"),
           "Node 'x' has unknown type 'teleport'", "unknown type");
    is_str(problems("{\"nodes\":[" T("a") "," T("a") "]}"),
           "Duplicate node id 'a'", "duplicate ids");
    is_str(problems(
               "{\"nodes\":[" T("a") "],\"edges\":[{\"id\":\"e1\","
                                     "\"source\":\"a\",\"target\":\"zz\"}]}"),
           "Edge 'e1' has target 'zz', which is not a node", "dangling edge");
    ok(strstr(problems("{\"nodes\":[" T("a") "," T(
                  "b") "],\"edges\":[" E("a", "b") "," E("b", "a") "]}"),
              "Workflow contains a cycle")
           != NULL,
       "a cycle");
    is_str(
        problems(
            "{\"nodes\":[" T("s") "," N("l", "feedback_loop", "{\"maxIterations\":3}") "," T(
                "b") "],\"edges\":[" E("s",
                                       "l") "," E("l",
                                                  "b") "," E("b", "l") "]}"),
        "", "a cycle through a bounded loop is allowed");
    is_str(problems("{\"nodes\":[" T("a") "," T("b") "," T(
               "c") "],\"edges\":[" E("a", "b") "]}"),
           "Node 'c' is not connected to the rest of the workflow",
           "an isolated node");
    ok(strstr(problems(
                  "{\"nodes\":[" T("a") "," T("b") "," T("c") "],\"edges\":[" E(
                      "a", "b") "," E("b", "c") "," E("c", "b") "]}"),
              "cycle")
           != NULL,
       "a cycle off the start is a cycle");
    is_str(problems("{\"nodes\":[" N("h", "http", "{}") "]}"),
           "HTTP node 'h' missing url", "http without a url");
    ok(strstr(problems("{\"nodes\":[" N("h", "http",
                                        "{\"url\":\"http://x\","
                                        "\"timeout\":-1}") "]}"),
              "timeout must be")
           != NULL,
       "a timeout out of range");
    is_str(problems("[]"),
           "A workflow is an object with arrays nodes and edges",
           "not a graph");
    is_str(problems("{\"nodes\":[" N("m", "multi_agent", "{}") "]}"),
           "Multi-agent node 'm' needs agents", "multi_agent without agents");

    /* ---- scheduling ---- */
    is_str(run("{\"nodes\":[" T("a") "," T("b") "," T(
                   "c") "],\"edges\":[" E("a", "b") "," E("b", "c") "]}",
               NULL),
           "a b c", "a chain in order");
    is_str(
        run("{\"nodes\":[" T("j") "," N("p", "parallel", "{}") "," T("x") "," T("y") "," T("z") "],\"edges\":[" E(
                "p",
                "x") "," E("p",
                           "y") "," E("p",
                                      "z") "," E("x",
                                                 "j") "," E("y",
                                                            "j") "," E("z",
                                                                       "j") "]}",
            &state),
        "p x y z j", "parallel fans out, the join waits for all");
    ok(json_object_size(json_object_get(
           json_object_get(json_object_get(state, "nodes"), "j"), "output"))
           == 0,
       "the join's state holds its output");
    is_str(
        run("{\"nodes\":[" N("c", "condition", "{\"condition\":\"input == 'in'\"}") "," T("yes") "," T("no") "," T(
                "after") "],\"edges\":[" EH("c", "yes",
                                            "true") "," EH("c", "no",
                                                           "false") "," E("yes",
                                                                          "after") "," E("no",
                                                                                         "after") "]}",
            &state),
        "c yes after", "the true branch, the false one skipped, merged");
    is_str(json_string_value(
               json_object_get(json_object_get(json_object_get(state, "nodes"),
                                               "no"),
                               "status")),
           "skipped", "the branch not taken is skipped");
    is_str(
        run("{\"nodes\":[" N("c", "condition", "{\"condition\":\"input == 'out'\"}") "," T("yes") "," T(
                "deep") "," T("no") "],\"edges\":[" EH("c", "yes",
                                                       "true") "," EH("c", "no",
                                                                      "false") "," E("yes",
                                                                                     "deep") "]}",
            NULL),
        "c no", "false branch; skips propagate downstream");
    is_str(
        run("{\"nodes\":[" T("s") "," N("l", "feedback_loop", "{\"maxIterations\":3}") "," T("b1") "," T("b2") "," T(
                "done") "],\"edges\":[" E("s",
                                          "l") "," E("l",
                                                     "b1") "," E("b1",
                                                                 "b2") "," E("b2",
                                                                             "l") "," EH("l",
                                                                                         "done",
                                                                                         "exit") "]}",
            &state),
        "s l b1 b2 l b1 b2 l b1 b2 l done",
        "a loop runs its body maxIterations times, then exits");
    is_int(hub_wf_runs(state, "b1"), 3, "the body ran three times");
    is_int(hub_wf_loop_count(state, "l"), 3, "three passes");
    is_str(
        run("{\"nodes\":[" N(
                "l", "feedback_loop",
                "{\"maxIterations\":50,"
                "\"condition\":\"loop.iteration >= 2\"}") "," T("b") "," T("done") "],\"edges\":[" E("l",
                                                                                                     "b") "," E("b",
                                                                                                                "l") "," EH("l",
                                                                                                                            "done",
                                                                                                                            "exit") "]}",
            NULL),
        "l b l b l done", "the loop's condition stops it early");
    is_str(
        run("{\"nodes\":[" N("a", "template", "{\"template\":\"x\",\"fail\":1}") "," T(
                "ok") "," T("fallback") "],\"edges\":[" E("a",
                                                          "ok") "," EH("a",
                                                                       "fallback",
                                                                       "error") "]}",
            NULL),
        "a fallback", "a failure takes the error edge");
    is_str(
        run("{\"nodes\":[" N("a", "template", "{\"template\":\"x\",\"fail\":1}") "," T(
                "ok") "],\"edges\":[" E("a", "ok") "]}",
            NULL),
        "a FATAL", "a failure without an error edge ends the run");
    {
        json_t *gj = json_loads(
            "{\"nodes\":[" T("a") "," T("b") "," T(
                "c") "],\"edges\":[" E("a", "c") "," E("b", "c") "]}",
            0, NULL);
        hub_wf_graph_t *g;
        json_t *st = hub_wf_state_new(), *in, *res;
        json_decref(hub_wf_check(pool, gj, &g));
        hub_wf_apply(g, st, 0, "completed", json_string("A"), NULL, NULL);
        hub_wf_apply(g, st, 1, "completed", json_string("B"), NULL, NULL);
        in = hub_wf_node_input(g, st, 2, NULL);
        is_str(json_string_value(json_object_get(in, "b")), "B",
               "a join's input is its sources' outputs by id");
        hub_wf_apply(g, st, 2, "completed", json_string("C"), NULL, NULL);
        res = hub_wf_result(g, st);
        is_str(json_string_value(res), "C", "the result is the last node's");
        is_int(hub_wf_runnable(pool, g, st)->nelts, 0, "nothing left to run");
        /* a checkpoint written and read back schedules the same */
        {
            char *text = json_dumps(st, 0);
            json_t *back = json_loads(text, 0, NULL);
            is_int(hub_wf_runnable(pool, g, back)->nelts, 0,
                   "a resumed checkpoint runs no finished node again");
            free(text);
        }
    }
    {
        /* a 1,000-node chain schedules in order */
        char *text = "{\"nodes\":[", *edges = "],\"edges\":[";
        int i;
        for (i = 0; i < 1000; i++) {
            text = apr_psprintf(pool,
                                "%s%s" N("n%d", "template",
                                         "{\"template\":\"x\"}"),
                                text, i ? "," : "", i);
            if (i) {
                edges = apr_psprintf(pool, "%s%s" E("n%d", "n%d"), edges,
                                     i > 1 ? "," : "", i - 1, i);
            }
        }
        text = apr_pstrcat(pool, text, edges, "]}", NULL);
        ok(strstr(run(text, &state), "n998 n999") != NULL,
           "a 1,000-node chain runs to its end");
        is_int(json_array_size(json_object_get(state, "order")), 1000,
               "each of its nodes once");
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
