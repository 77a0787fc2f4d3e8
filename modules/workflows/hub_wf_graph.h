/* A workflow graph: parsing, validation and the scheduler, httpd-free
 * (APR + jansson), unit-tested in t/unit/test_wf_graph.c.
 *
 * The graph is Tool Hub's {"nodes": [{id, type, data, position}],
 * "edges": [{id, source, target, sourceHandle?, label?, data?}]}; G4F's
 * `graph` is stored in the same shape.
 *
 * Edges: an edge whose sourceHandle (or label, or data.type) is "error"
 * is an error edge, taken only when its source failed (a fallback); a
 * condition's edges carry their branch "true" or "false" (unlabelled: the
 * true branch); a feedback_loop's edges are "exit" (or "done") edges and
 * body edges (every other).  An edge into a feedback_loop from a node the
 * loop reaches is the loop's back edge: the one kind of cycle allowed.
 *
 * The scheduler works on the checkpoint, a JSON object kept in
 * executions.context:
 *   {"nodes": {"<id>": {"status": "completed"|"failed"|"skipped",
 *                        "output": ..., "branch": "...", "error": "..."}},
 *    "runs":  {"<id>": n},   how often each node ran (its next run's
 *                            iteration in execution_nodes)
 *    "loops": {"<id>": n},   body passes each feedback loop began
 *    "order": ["<id>", ...]} nodes in the order they finished
 * A node is runnable when it has no state, every edge into it (but back
 * edges) comes from a node with a state, and at least one of those edges
 * was taken (a node without such edges is a start node).  A node whose
 * edges are all settled and none taken is skipped, and so on downstream.
 * That makes a node after a `parallel` fan-out, or any node with several
 * edges in, a join: it waits for all of them.  The order of runnable
 * nodes is the order of the graph's node list: deterministic. */
#ifndef HUB_WF_GRAPH_H
#define HUB_WF_GRAPH_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>
#include <jansson.h>

#define HUB_WF_MAX_NODES      5000
#define HUB_WF_MAX_EDGES      20000
#define HUB_WF_MAX_ITERATIONS 1000 /* a feedback loop's maxIterations */

typedef enum {
    HUB_WF_AGENT = 0,
    HUB_WF_MCP_TOOL,
    HUB_WF_CONDITION,
    HUB_WF_PARALLEL,
    HUB_WF_FEEDBACK_LOOP,
    HUB_WF_MULTI_AGENT,
    HUB_WF_TEMPLATE,
    HUB_WF_HTTP,
    HUB_WF_RAG,
    HUB_WF_UNKNOWN
} hub_wf_kind_e;

/* the node type's name; the kind of a name (HUB_WF_UNKNOWN) */
const char *hub_wf_kind_name(hub_wf_kind_e k);
hub_wf_kind_e hub_wf_kind_of(const char *type);

typedef enum {
    HUB_WF_EDGE_PLAIN = 0,
    HUB_WF_EDGE_ERROR, /* taken when the source failed */
    HUB_WF_EDGE_TRUE,  /* a condition's branches */
    HUB_WF_EDGE_FALSE,
    HUB_WF_EDGE_EXIT, /* a feedback loop's way out */
    HUB_WF_EDGE_BODY  /* a feedback loop's way in */
} hub_wf_edge_kind_e;

typedef struct hub_wf_node {
    const char *id;
    const char *type;
    hub_wf_kind_e kind;
    json_t *data; /* borrowed from the graph's JSON; an object or NULL */
    int loop;     /* a feedback loop: its index among g->loops, else -1 */
} hub_wf_node_t;

typedef struct hub_wf_edge {
    const char *id;
    int src, dst; /* node indices; -1 when dangling */
    hub_wf_edge_kind_e kind;
    int back; /* a feedback loop's back edge */
} hub_wf_edge_t;

typedef struct hub_wf_graph {
    apr_pool_t *pool;
    json_t *json; /* the graph as given (a reference held by the pool) */
    int nnodes, nedges;
    hub_wf_node_t *nodes;
    hub_wf_edge_t *edges;
    apr_hash_t *by_id; /* node id -> index + 1 */
    /* per node, the edges out of and into it (edge indices) */
    apr_array_header_t **out, **in;
    /* per feedback loop (nodes[i].loop), its node and body: the nodes
     * its body edges reach that lead back to it */
    int nloops;
    int *loop_node;
    apr_array_header_t **loop_body;
} hub_wf_graph_t;

/* One problem, naming the node when there is one. */
typedef struct hub_wf_problem {
    const char *node_id; /* NULL: the graph as a whole */
    const char *message;
} hub_wf_problem_t;

/* Read a graph (an object with "nodes" and "edges" arrays).  NULL when it
 * is not one at all, with the problem appended to problems; otherwise the
 * graph, which hub_wf_validate then judges. */
hub_wf_graph_t *hub_wf_graph_read(apr_pool_t *p, json_t *graph,
                                  apr_array_header_t *problems);
/* Every problem of g (hub_wf_problem_t appended to problems): unknown
 * node types, required configuration missing, duplicate ids, dangling
 * edges, cycles other than a bounded feedback loop's, unreachable nodes.
 * Returns how many. */
int hub_wf_validate(apr_pool_t *p, const hub_wf_graph_t *g,
                    apr_array_header_t *problems);
/* hub_wf_graph_read and hub_wf_validate of a JSON graph in one:
 * {"valid": bool, "errors": [{"message", "node_id"?}]} (new ref), and
 * *g the graph when valid (else NULL). */
json_t *hub_wf_check(apr_pool_t *p, json_t *graph, hub_wf_graph_t **g);

int hub_wf_node_index(const hub_wf_graph_t *g, const char *id);

/* ---- the scheduler ---------------------------------------------------- */

/* A new, empty checkpoint (new ref). */
json_t *hub_wf_state_new(void);
/* The nodes runnable now in state (indices, in the graph's order),
 * after marking every node that can no longer run as skipped and
 * re-arming feedback loops whose pass through the body finished
 * (state is changed for both). */
apr_array_header_t *hub_wf_runnable(apr_pool_t *p, const hub_wf_graph_t *g,
                                    json_t *state);
/* Apply node i's outcome to state: status "completed" (with output and,
 * for a condition or loop, the branch: "true"/"false", "body"/"exit") or
 * "failed" (with error).  A loop taking its body begins a pass: the
 * body's states are cleared so that they run again.  Returns 1 when the
 * execution cannot go on (the node failed and no error edge leaves it),
 * else 0. */
int hub_wf_apply(const hub_wf_graph_t *g, json_t *state, int i,
                 const char *status, json_t *output, const char *branch,
                 const char *error);
/* How many times node i ran (its next iteration). */
int hub_wf_runs(const json_t *state, const char *id);
/* The feedback loop's passes begun. */
int hub_wf_loop_count(const json_t *state, const char *id);
/* Whether the execution is over: nothing runnable (call after
 * hub_wf_runnable returned none). The output: the one last node's that
 * no taken edge leaves, or an object of them by id when several. */
json_t *hub_wf_result(const hub_wf_graph_t *g, const json_t *state);
/* What node i receives: the output of the one node whose taken edge
 * leads to it, an object of them by id when several, the execution's
 * input for a start node (new ref). */
json_t *hub_wf_node_input(const hub_wf_graph_t *g, const json_t *state, int i,
                          const json_t *input);
/* The context paths read (hub_wf_expr.h): input, nodes.<id>, <id>
 * (a node's output and status), loop.iteration of the loop i (or -1).
 * New ref. */
json_t *hub_wf_context(const hub_wf_graph_t *g, const json_t *state,
                       const json_t *input, int loop_node);

#endif
