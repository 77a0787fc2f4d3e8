/* hub_wf_graph.h: reading, validation and scheduling of workflow graphs. */
#include <string.h>
#include <strings.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "hub_wf_expr.h"
#include "hub_wf_graph.h"

/* in the order of hub_wf_kind_e */
static const char *const kind_names[] = {
    "agent",       "mcp_tool", "condition", "parallel", "feedback_loop",
    "multi_agent", "template", "http",      "rag",      NULL
};

const char *hub_wf_kind_name(hub_wf_kind_e k)
{
    return k < HUB_WF_UNKNOWN ? kind_names[k] : "unknown";
}

hub_wf_kind_e hub_wf_kind_of(const char *type)
{
    int i;
    for (i = 0; type && kind_names[i]; i++) {
        if (!strcmp(type, kind_names[i])) {
            return (hub_wf_kind_e)i;
        }
    }
    return HUB_WF_UNKNOWN;
}

static void problem(apr_array_header_t *problems, const char *node_id,
                    const char *message)
{
    hub_wf_problem_t *pr = apr_array_push(problems);
    pr->node_id = node_id;
    pr->message = message;
}

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

/* the first of the keys that holds a non-empty string */
static const char *first_str(const json_t *o, const char *const *keys)
{
    const char *s = NULL;
    while (!s && *keys) {
        s = str_of(o, *keys++);
    }
    return s;
}

int hub_wf_node_index(const hub_wf_graph_t *g, const char *id)
{
    void *v = id ? apr_hash_get(g->by_id, id, APR_HASH_KEY_STRING) : NULL;
    return v ? (int)(long)v - 1 : -1;
}

/* What an edge is, from its sourceHandle, label or data.type, and the
 * kind of node it leaves. */
static hub_wf_edge_kind_e edge_kind(const json_t *e, hub_wf_kind_e from)
{
    static const char *const keys[] = { "sourceHandle", "label", NULL };
    const char *h = first_str(e, keys);
    if (!h) {
        h = str_of(json_object_get(e, "data"), "type");
    }
    if (h
        && (!strcasecmp(h, "error") || !strcasecmp(h, "on_error")
            || !strcasecmp(h, "failure"))) {
        return HUB_WF_EDGE_ERROR;
    }
    if (from == HUB_WF_CONDITION) {
        return h
                       && (!strcasecmp(h, "false") || !strcasecmp(h, "no")
                           || !strcasecmp(h, "else"))
                   ? HUB_WF_EDGE_FALSE
                   : HUB_WF_EDGE_TRUE;
    }
    if (from == HUB_WF_FEEDBACK_LOOP) {
        return h
                       && (!strcasecmp(h, "exit") || !strcasecmp(h, "done")
                           || !strcasecmp(h, "complete"))
                   ? HUB_WF_EDGE_EXIT
                   : HUB_WF_EDGE_BODY;
    }
    return HUB_WF_EDGE_PLAIN;
}

static void *push_int(apr_array_header_t *a, int v)
{
    int *slot = apr_array_push(a);
    *slot = v;
    return slot;
}

#define AT(a, k) (((int *)(a)->elts)[k])

/* Nodes reachable from `from` along edges (not back edges when
 * skip_back), never passing through `stop`: a mark per node. */
static void reach(const hub_wf_graph_t *g, int from, int stop, int skip_back,
                  int reverse, char *seen)
{
    int *stack = apr_palloc(g->pool, sizeof(int) * (g->nnodes + 1));
    int top = 0, k;
    stack[top++] = from;
    while (top) {
        int n = stack[--top];
        apr_array_header_t *es = reverse ? g->in[n] : g->out[n];
        for (k = 0; k < es->nelts; k++) {
            const hub_wf_edge_t *e = &g->edges[AT(es, k)];
            int m = reverse ? e->src : e->dst;
            if ((skip_back && e->back) || m < 0 || seen[m] || m == stop) {
                continue;
            }
            seen[m] = 1;
            stack[top++] = m;
        }
    }
}

/* Back edges and each loop's body (hub_wf_graph.h). */
static void find_loops(hub_wf_graph_t *g)
{
    int i, k, l;
    g->loop_node = apr_pcalloc(g->pool, sizeof(int) * (g->nnodes + 1));
    g->loop_body = apr_pcalloc(g->pool, sizeof(void *) * (g->nnodes + 1));
    for (i = 0; i < g->nnodes; i++) {
        char *fwd, *back;
        apr_array_header_t *body;
        if (g->nodes[i].kind != HUB_WF_FEEDBACK_LOOP) {
            continue;
        }
        l = g->nloops++;
        g->nodes[i].loop = l;
        g->loop_node[l] = i;
        fwd = apr_pcalloc(g->pool, g->nnodes);
        reach(g, i, i, 0, 0, fwd);
        back = apr_pcalloc(g->pool, g->nnodes);
        for (k = 0; k < g->in[i]->nelts; k++) {
            hub_wf_edge_t *e = &g->edges[AT(g->in[i], k)];
            if (e->src >= 0 && (fwd[e->src] || e->src == i)) {
                e->back = 1;
            }
        }
        /* the body: reached by the body edges, leading back here */
        memset(fwd, 0, g->nnodes);
        for (k = 0; k < g->out[i]->nelts; k++) {
            const hub_wf_edge_t *e = &g->edges[AT(g->out[i], k)];
            if (e->kind == HUB_WF_EDGE_BODY && e->dst >= 0 && e->dst != i
                && !fwd[e->dst]) {
                fwd[e->dst] = 1;
                reach(g, e->dst, i, 0, 0, fwd);
            }
        }
        for (k = 0; k < g->in[i]->nelts; k++) {
            const hub_wf_edge_t *e = &g->edges[AT(g->in[i], k)];
            if (e->back && e->src != i && !back[e->src]) {
                back[e->src] = 1;
                reach(g, e->src, i, 0, 1, back);
            }
        }
        body = apr_array_make(g->pool, 4, sizeof(int));
        for (k = 0; k < g->nnodes; k++) {
            if (fwd[k] && back[k]) {
                push_int(body, k);
            }
        }
        g->loop_body[l] = body;
    }
}

static int read_nodes(hub_wf_graph_t *g, json_t *nodes,
                      apr_array_header_t *problems)
{
    size_t i;
    g->nnodes = (int)json_array_size(nodes);
    g->nodes = apr_pcalloc(g->pool, sizeof(hub_wf_node_t) * (g->nnodes + 1));
    for (i = 0; i < json_array_size(nodes); i++) {
        json_t *n = json_array_get(nodes, i);
        hub_wf_node_t *nd = &g->nodes[i];
        const char *id = str_of(n, "id");
        nd->loop = -1;
        if (!json_is_object(n) || !id) {
            problem(problems, NULL,
                    apr_psprintf(g->pool, "Node at index %d has no id",
                                 (int)i));
            nd->id = apr_psprintf(g->pool, "#%d", (int)i);
        }
        else if (strlen(id) > 200) {
            problem(problems, NULL,
                    apr_psprintf(g->pool,
                                 "Node at index %d has an id longer than "
                                 "200 characters",
                                 (int)i));
            nd->id = apr_psprintf(g->pool, "#%d", (int)i);
        }
        else {
            nd->id = id;
        }
        nd->type = str_of(n, "type");
        nd->kind = hub_wf_kind_of(nd->type);
        nd->data = json_is_object(json_object_get(n, "data"))
                       ? json_object_get(n, "data")
                       : NULL;
        if (apr_hash_get(g->by_id, nd->id, APR_HASH_KEY_STRING)) {
            problem(problems, nd->id,
                    apr_psprintf(g->pool, "Duplicate node id '%s'", nd->id));
            continue;
        }
        apr_hash_set(g->by_id, nd->id, APR_HASH_KEY_STRING, (void *)(i + 1));
    }
    return 0;
}

static void read_edges(hub_wf_graph_t *g, json_t *edges,
                       apr_array_header_t *problems)
{
    size_t i;
    int k;
    g->nedges = (int)json_array_size(edges);
    g->edges = apr_pcalloc(g->pool, sizeof(hub_wf_edge_t) * (g->nedges + 1));
    g->out = apr_palloc(g->pool, sizeof(void *) * (g->nnodes + 1));
    g->in = apr_palloc(g->pool, sizeof(void *) * (g->nnodes + 1));
    for (k = 0; k < g->nnodes; k++) {
        g->out[k] = apr_array_make(g->pool, 2, sizeof(int));
        g->in[k] = apr_array_make(g->pool, 2, sizeof(int));
    }
    for (i = 0; i < json_array_size(edges); i++) {
        json_t *e = json_array_get(edges, i);
        hub_wf_edge_t *ed = &g->edges[i];
        const char *src = str_of(e, "source"), *dst = str_of(e, "target");
        ed->id = str_of(e, "id");
        if (!ed->id) {
            ed->id = apr_psprintf(g->pool, "#%d", (int)i);
        }
        ed->src = hub_wf_node_index(g, src);
        ed->dst = hub_wf_node_index(g, dst);
        if (ed->src < 0) {
            problem(problems, NULL,
                    apr_psprintf(g->pool,
                                 "Edge '%s' has source '%s', which is not "
                                 "a node",
                                 ed->id, src ? src : ""));
        }
        if (ed->dst < 0) {
            problem(problems, NULL,
                    apr_psprintf(g->pool,
                                 "Edge '%s' has target '%s', which is not "
                                 "a node",
                                 ed->id, dst ? dst : ""));
        }
        if (ed->src < 0 || ed->dst < 0) {
            continue;
        }
        ed->kind = edge_kind(e, g->nodes[ed->src].kind);
        push_int(g->out[ed->src], (int)i);
        push_int(g->in[ed->dst], (int)i);
    }
}

hub_wf_graph_t *hub_wf_graph_read(apr_pool_t *p, json_t *graph,
                                  apr_array_header_t *problems)
{
    hub_wf_graph_t *g;
    json_t *nodes = json_object_get(graph, "nodes");
    json_t *edges = json_object_get(graph, "edges");
    if (!json_is_object(graph) || (nodes && !json_is_array(nodes))
        || (edges && !json_is_array(edges))) {
        problem(problems, NULL,
                "A workflow is an object with arrays nodes and edges");
        return NULL;
    }
    if (json_array_size(nodes) > HUB_WF_MAX_NODES
        || json_array_size(edges) > HUB_WF_MAX_EDGES) {
        problem(problems, NULL,
                apr_psprintf(p, "A workflow has at most %d nodes and %d edges",
                             HUB_WF_MAX_NODES, HUB_WF_MAX_EDGES));
        return NULL;
    }
    g = apr_pcalloc(p, sizeof(*g));
    g->pool = p;
    g->json = graph;
    g->by_id = apr_hash_make(p);
    read_nodes(g, nodes, problems);
    read_edges(g, edges, problems);
    find_loops(g);
    return g;
}

/* ---- validation --------------------------------------------------------- */

static const char *const model_keys[] = { "model", "agent_id", "agentId",
                                          "agent", NULL };
static const char *const server_keys[] = {
    "server", "serverId", "server_id", "serverName", "server_name", NULL
};
static const char *const tool_keys[] = { "tool", "toolName", "tool_name",
                                         NULL };
static const char *const cond_keys[] = { "condition", "expression", NULL };
static const char *const stop_keys[] = { "condition", "stopCondition",
                                         "exitCondition", "expression", NULL };

/* A number member within [lo, hi] when present: NULL, or the problem. */
static const char *bounded(apr_pool_t *p, const hub_wf_node_t *n,
                           const char *key, double lo, double hi)
{
    json_t *v = json_object_get(n->data, key);
    if (!v || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_number(v) || json_number_value(v) < lo
        || json_number_value(v) > hi) {
        return apr_psprintf(p, "Node '%s': %s must be a number from %g to %g",
                            n->id, key, lo, hi);
    }
    return NULL;
}

static const char *check_expr(apr_pool_t *p, const hub_wf_node_t *n,
                              const char *label, const char *expr)
{
    const char *why = hub_wf_expr_check(p, expr);
    return why ? apr_psprintf(p, "%s node '%s' has an invalid condition: %s",
                              label, n->id, why)
               : NULL;
}

/* The problem with one node's configuration, NULL when none. */
static const char *check_node(apr_pool_t *p, const hub_wf_node_t *n)
{
    const json_t *d = n->data;
    const char *s;
    json_t *v;
    size_t i;
    if ((s = bounded(p, n, "timeout", 1, 3600))
        || (s = bounded(p, n, "retries", 0, 10))
        || (s = bounded(p, n, "retryDelay", 0, 60000))) {
        return s;
    }
    switch (n->kind) {
    case HUB_WF_AGENT:
        return first_str(d, model_keys)
                   ? NULL
                   : apr_psprintf(p, "Agent node '%s' missing model", n->id);
    case HUB_WF_MCP_TOOL:
        if (!first_str(d, server_keys)) {
            return apr_psprintf(p, "MCP tool node '%s' missing server", n->id);
        }
        if (!first_str(d, tool_keys)) {
            return apr_psprintf(p, "MCP tool node '%s' missing tool", n->id);
        }
        v = json_object_get(d, "arguments");
        return v && !json_is_object(v)
                   ? apr_psprintf(p,
                                  "MCP tool node '%s': arguments must be an "
                                  "object",
                                  n->id)
                   : NULL;
    case HUB_WF_CONDITION:
        s = first_str(d, cond_keys);
        return s ? check_expr(p, n, "Condition", s)
                 : apr_psprintf(p, "Condition node '%s' missing condition",
                                n->id);
    case HUB_WF_FEEDBACK_LOOP:
        v = json_object_get(d, "maxIterations");
        if (!json_is_integer(v) || json_integer_value(v) < 1
            || json_integer_value(v) > HUB_WF_MAX_ITERATIONS) {
            return apr_psprintf(p,
                                "Feedback loop node '%s' needs maxIterations "
                                "(an integer from 1 to %d)",
                                n->id, HUB_WF_MAX_ITERATIONS);
        }
        s = first_str(d, stop_keys);
        return s ? check_expr(p, n, "Feedback loop", s) : NULL;
    case HUB_WF_MULTI_AGENT:
        v = json_object_get(d, "agents");
        if (!json_is_array(v) || !json_array_size(v)) {
            return apr_psprintf(p, "Multi-agent node '%s' needs agents", n->id);
        }
        for (i = 0; i < json_array_size(v); i++) {
            if (!first_str(json_array_get(v, i), model_keys)
                && !first_str(d, model_keys)) {
                return apr_psprintf(p,
                                    "Multi-agent node '%s': agent %d missing "
                                    "model",
                                    n->id, (int)i);
            }
        }
        return NULL;
    case HUB_WF_TEMPLATE:
        return json_is_string(json_object_get(d, "template"))
                   ? NULL
                   : apr_psprintf(p, "Template node '%s' missing template",
                                  n->id);
    case HUB_WF_HTTP:
        s = str_of(d, "url");
        if (!s) {
            return apr_psprintf(p, "HTTP node '%s' missing url", n->id);
        }
        s = str_of(d, "method");
        if (s && strcasecmp(s, "GET") && strcasecmp(s, "POST")
            && strcasecmp(s, "PUT") && strcasecmp(s, "PATCH")
            && strcasecmp(s, "DELETE") && strcasecmp(s, "HEAD")) {
            return apr_psprintf(p, "HTTP node '%s' has unknown method '%s'",
                                n->id, s);
        }
        return NULL;
    default: return NULL;
    }
}

/* Kahn's order over the edges that are not back edges: the first node
 * left over is on a cycle, -1 when there is none. */
static int find_cycle(const hub_wf_graph_t *g)
{
    int *deg = apr_pcalloc(g->pool, sizeof(int) * (g->nnodes + 1));
    int *queue = apr_palloc(g->pool, sizeof(int) * (g->nnodes + 1));
    int head = 0, tail = 0, i, k, done = 0;
    for (i = 0; i < g->nedges; i++) {
        if (g->edges[i].dst >= 0 && g->edges[i].src >= 0 && !g->edges[i].back) {
            deg[g->edges[i].dst]++;
        }
    }
    for (i = 0; i < g->nnodes; i++) {
        if (!deg[i]) {
            queue[tail++] = i;
        }
    }
    while (head < tail) {
        int n = queue[head++];
        done++;
        for (k = 0; k < g->out[n]->nelts; k++) {
            const hub_wf_edge_t *e = &g->edges[AT(g->out[n], k)];
            if (!e->back && !--deg[e->dst]) {
                queue[tail++] = e->dst;
            }
        }
    }
    for (i = 0; done < g->nnodes && i < g->nnodes; i++) {
        if (deg[i]) {
            return i;
        }
    }
    return -1;
}

int hub_wf_validate(apr_pool_t *p, const hub_wf_graph_t *g,
                    apr_array_header_t *problems)
{
    int before = problems->nelts, i, k, cyc;
    char *seen;
    for (i = 0; i < g->nnodes; i++) {
        const hub_wf_node_t *n = &g->nodes[i];
        const char *why;
        if (n->kind == HUB_WF_UNKNOWN) {
            problem(problems, n->id,
                    n->type ? apr_psprintf(p, "Node '%s' has unknown type '%s'",
                                           n->id, n->type)
                            : apr_psprintf(p, "Node '%s' has no type", n->id));
            continue;
        }
        if ((why = check_node(p, n))) {
            problem(problems, n->id, why);
        }
    }
    cyc = find_cycle(g);
    if (cyc >= 0) {
        problem(problems, g->nodes[cyc].id,
                apr_psprintf(p,
                             "Workflow contains a cycle through node '%s' "
                             "(only a feedback_loop node may close one)",
                             g->nodes[cyc].id));
        return problems->nelts - before;
    }
    /* reachable: from the start nodes (no edge in but back edges) */
    seen = apr_pcalloc(p, g->nnodes + 1);
    for (i = 0; i < g->nnodes; i++) {
        int start = 1;
        for (k = 0; k < g->in[i]->nelts; k++) {
            start &= g->edges[AT(g->in[i], k)].back;
        }
        if (start && !seen[i]) {
            seen[i] = 1;
            reach(g, i, -1, 0, 0, seen);
        }
    }
    for (i = 0; i < g->nnodes; i++) {
        if (!seen[i]) {
            problem(problems, g->nodes[i].id,
                    apr_psprintf(p, "Node '%s' is unreachable",
                                 g->nodes[i].id));
        }
        else if (g->nnodes > 1 && g->nedges && !g->in[i]->nelts
                 && !g->out[i]->nelts) {
            problem(problems, g->nodes[i].id,
                    apr_psprintf(p,
                                 "Node '%s' is not connected to the rest of "
                                 "the workflow",
                                 g->nodes[i].id));
        }
    }
    return problems->nelts - before;
}

json_t *hub_wf_check(apr_pool_t *p, json_t *graph, hub_wf_graph_t **out)
{
    apr_array_header_t *problems = apr_array_make(p, 4,
                                                  sizeof(hub_wf_problem_t));
    hub_wf_graph_t *g = hub_wf_graph_read(p, graph, problems);
    json_t *errors = json_array();
    int i;
    if (g) {
        hub_wf_validate(p, g, problems);
    }
    for (i = 0; i < problems->nelts; i++) {
        const hub_wf_problem_t *pr = &((hub_wf_problem_t *)problems->elts)[i];
        json_t *e = json_pack("{s:s}", "message", pr->message);
        if (pr->node_id) {
            json_object_set_new(e, "node_id", json_string(pr->node_id));
        }
        json_array_append_new(errors, e);
    }
    if (out) {
        *out = problems->nelts ? NULL : g;
    }
    return json_pack("{s:b,s:o}", "valid", !problems->nelts, "errors", errors);
}

/* ---- the scheduler -------------------------------------------------------- */

json_t *hub_wf_state_new(void)
{
    return json_pack("{s:{},s:{},s:{},s:[]}", "nodes", "runs", "loops",
                     "order");
}

static json_t *member(json_t *state, const char *key)
{
    json_t *o = json_object_get(state, key);
    if (!o) {
        o = strcmp(key, "order") ? json_object() : json_array();
        json_object_set_new(state, key, o);
    }
    return o;
}

static json_t *node_state(const hub_wf_graph_t *g, const json_t *state, int i)
{
    return json_object_get(json_object_get(state, "nodes"), g->nodes[i].id);
}

/* 1 taken, 0 not taken, -1 not settled yet. */
static int edge_taken(const hub_wf_graph_t *g, const json_t *state,
                      const hub_wf_edge_t *e)
{
    json_t *s = node_state(g, state, e->src);
    const char *st, *br;
    if (!s) {
        return -1;
    }
    st = str_of(s, "status");
    br = str_of(s, "branch");
    if (!st || !strcmp(st, "skipped")) {
        return 0;
    }
    if (!strcmp(st, "failed")) {
        return e->kind == HUB_WF_EDGE_ERROR;
    }
    switch (e->kind) {
    case HUB_WF_EDGE_ERROR: return 0;
    case HUB_WF_EDGE_TRUE: return !br || !strcmp(br, "true");
    case HUB_WF_EDGE_FALSE: return br && !strcmp(br, "false");
    case HUB_WF_EDGE_BODY: return br && !strcmp(br, "body");
    /* the way out is not decided while the loop goes round */
    case HUB_WF_EDGE_EXIT: return br && !strcmp(br, "body") ? -1 : 1;
    default: return 1;
    }
}

/* A loop whose pass through its body is over runs again. */
static int rearm_loops(const hub_wf_graph_t *g, json_t *state)
{
    int l, k, changed = 0;
    for (l = 0; l < g->nloops; l++) {
        int i = g->loop_node[l], open = 0, backs = 0;
        json_t *s = node_state(g, state, i);
        const char *br = s ? str_of(s, "branch") : NULL;
        if (!br || strcmp(br, "body")) {
            continue;
        }
        for (k = 0; k < g->in[i]->nelts; k++) {
            const hub_wf_edge_t *e = &g->edges[AT(g->in[i], k)];
            if (e->back) {
                backs++;
                open |= !node_state(g, state, e->src);
            }
        }
        if (backs && !open) {
            json_object_del(json_object_get(state, "nodes"), g->nodes[i].id);
            changed = 1;
        }
    }
    return changed;
}

apr_array_header_t *hub_wf_runnable(apr_pool_t *p, const hub_wf_graph_t *g,
                                    json_t *state)
{
    apr_array_header_t *ready = apr_array_make(p, 4, sizeof(int));
    json_t *nodes = member(state, "nodes");
    int changed = 1, i, k;
    while (changed) {
        changed = rearm_loops(g, state);
        ready->nelts = 0;
        for (i = 0; i < g->nnodes; i++) {
            int waiting = 0, taken = 0, edges = 0;
            if (json_object_get(nodes, g->nodes[i].id)) {
                continue;
            }
            for (k = 0; k < g->in[i]->nelts; k++) {
                const hub_wf_edge_t *e = &g->edges[AT(g->in[i], k)];
                int t;
                if (e->back) {
                    continue;
                }
                edges++;
                t = edge_taken(g, state, e);
                waiting |= t < 0;
                taken |= t > 0;
            }
            if (waiting) {
                continue;
            }
            if (!edges || taken) {
                push_int(ready, i);
            }
            else {
                json_object_set_new(nodes, g->nodes[i].id,
                                    json_pack("{s:s}", "status", "skipped"));
                changed = 1;
            }
        }
    }
    return ready;
}

int hub_wf_runs(const json_t *state, const char *id)
{
    return (int)json_integer_value(
        json_object_get(json_object_get(state, "runs"), id));
}

int hub_wf_loop_count(const json_t *state, const char *id)
{
    return (int)json_integer_value(
        json_object_get(json_object_get(state, "loops"), id));
}

int hub_wf_apply(const hub_wf_graph_t *g, json_t *state, int i,
                 const char *status, json_t *output, const char *branch,
                 const char *error)
{
    const hub_wf_node_t *n = &g->nodes[i];
    json_t *s = json_pack("{s:s}", "status", status);
    int k, fatal = 0;
    json_object_set(s, "output", output ? output : json_null());
    if (branch) {
        json_object_set_new(s, "branch", json_string(branch));
    }
    if (error) {
        json_object_set_new(s, "error", json_string(error));
    }
    json_object_set_new(member(state, "nodes"), n->id, s);
    json_object_set_new(member(state, "runs"), n->id,
                        json_integer(hub_wf_runs(state, n->id) + 1));
    json_array_append_new(member(state, "order"), json_string(n->id));
    if (!strcmp(status, "failed")) {
        fatal = 1;
        for (k = 0; k < g->out[i]->nelts; k++) {
            fatal &= g->edges[AT(g->out[i], k)].kind != HUB_WF_EDGE_ERROR;
        }
    }
    if (n->loop >= 0 && branch && !strcmp(branch, "body")) {
        apr_array_header_t *body = g->loop_body[n->loop];
        json_object_set_new(member(state, "loops"), n->id,
                            json_integer(hub_wf_loop_count(state, n->id) + 1));
        for (k = 0; k < body->nelts; k++) {
            json_object_del(member(state, "nodes"), g->nodes[AT(body, k)].id);
        }
    }
    return fatal;
}

json_t *hub_wf_result(const hub_wf_graph_t *g, const json_t *state)
{
    json_t *order = json_object_get(state, "order");
    json_t *out = json_object(), *last = NULL;
    const char *last_id = NULL;
    size_t n = json_array_size(order), j;
    int k;
    /* the latest finish of each node that no taken edge leaves */
    for (j = n; j-- > 0;) {
        const char *id = json_string_value(json_array_get(order, j));
        int i = hub_wf_node_index(g, id), leaves = 0;
        json_t *s;
        if (i < 0 || json_object_get(out, id)) {
            continue;
        }
        s = node_state(g, state, i);
        if (!s
            || strcmp(str_of(s, "status") ? str_of(s, "status") : "",
                      "completed")) {
            continue;
        }
        for (k = 0; k < g->out[i]->nelts; k++) {
            leaves |= edge_taken(g, state, &g->edges[AT(g->out[i], k)]) > 0;
        }
        if (!leaves) {
            json_object_set(out, id, json_object_get(s, "output"));
            if (!last) {
                last = json_object_get(s, "output");
                last_id = id;
            }
        }
    }
    if (json_object_size(out) == 1) {
        json_t *v = json_incref(json_object_get(out, last_id));
        json_decref(out);
        return v;
    }
    if (!json_object_size(out)) {
        json_decref(out);
        return json_null();
    }
    return out;
}

json_t *hub_wf_node_input(const hub_wf_graph_t *g, const json_t *state, int i,
                          const json_t *input)
{
    json_t *by = json_object(), *one = NULL;
    int k;
    for (k = 0; k < g->in[i]->nelts; k++) {
        const hub_wf_edge_t *e = &g->edges[AT(g->in[i], k)];
        json_t *s;
        if (edge_taken(g, state, e) <= 0) {
            continue;
        }
        s = node_state(g, state, e->src);
        one = json_object_get(s, "output");
        json_object_set(by, g->nodes[e->src].id, one ? one : json_null());
    }
    if (json_object_size(by) == 1) {
        json_decref(by);
        return one ? json_incref(one) : json_null();
    }
    if (!json_object_size(by)) {
        json_decref(by);
        return input ? json_deep_copy(input) : json_null();
    }
    return by;
}

json_t *hub_wf_context(const hub_wf_graph_t *g, const json_t *state,
                       const json_t *input, int loop_node)
{
    json_t *ctx = json_object(), *nodes = json_object();
    json_t *st = json_object_get(state, "nodes");
    int i;
    json_object_set_new(ctx, "input",
                        input ? json_deep_copy(input) : json_null());
    for (i = 0; i < g->nnodes; i++) {
        json_t *s = json_object_get(st, g->nodes[i].id);
        if (!s) {
            continue;
        }
        json_object_set(nodes, g->nodes[i].id, s);
        if (strcmp(g->nodes[i].id, "input") && strcmp(g->nodes[i].id, "nodes")
            && strcmp(g->nodes[i].id, "loop")) {
            json_object_set(ctx, g->nodes[i].id, s);
        }
    }
    json_object_set_new(ctx, "nodes", nodes);
    if (loop_node >= 0) {
        json_object_set_new(
            ctx, "loop",
            json_pack("{s:i}", "iteration",
                      hub_wf_loop_count(state, g->nodes[loop_node].id)));
    }
    return ctx;
}
