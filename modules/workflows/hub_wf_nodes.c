/* One node's run: what each node type does in full mode (real calls) and
 * in mock mode (outputs derived from the node's configuration alone, no
 * outbound call), with the node's timeout and its retries with backoff.
 *
 * A node's data may say, besides its type's own fields:
 *   timeout     seconds the node may take (1..3600; HubWorkflowNodeTimeout)
 *   retries     attempts after a failed first one (0..10; 0)
 *   retryDelay  ms before the first retry, doubled for each next (500)
 * A run in progress stops early when the caller's aborted() says so
 * (a stop or cancel of the execution): outbound HTTP is polled every
 * 100 ms, retry waits too. */
#include <apr_strings.h>
#include "hub_workflows_private.h"
#include "hub_wf_engine.h"
#include "hub_wf_expr.h"
#include "hub_wf_template.h"
#include "hub_http.h"
#include "hub_json.h"
#include "hub_mcp.h"
#include "mod_hub_servers.h"
#include "hub_db.h"
#include "hub_wf_providers.h"

#define HTTP_MAX_BODY (4 * 1024 * 1024)

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static const char *first_str(const json_t *o, const char *const *keys)
{
    const char *s = NULL;
    while (!s && *keys) {
        s = str_of(o, *keys++);
    }
    return s;
}

static const char *const model_keys[] = { "model", "agent_id", "agentId",
                                          "agent", NULL };
static const char *const prompt_keys[] = { "prompt", "userPrompt",
                                           "user_prompt", "message", NULL };
static const char *const system_keys[] = { "systemPrompt", "system_prompt",
                                           "system", NULL };
static const char *const server_keys[] = {
    "server", "serverId", "server_id", "serverName", "server_name", NULL
};
static const char *const tool_keys[] = { "tool", "toolName", "tool_name",
                                         NULL };
static const char *const cond_keys[] = { "condition", "expression", NULL };
static const char *const stop_keys[] = { "condition", "stopCondition",
                                         "exitCondition", "expression", NULL };

long hub_wf_node_timeout_ms(const hub_wf_node_t *n)
{
    json_t *t = json_object_get(n->data, "timeout");
    double s = json_is_number(t) ? json_number_value(t) : 0;
    if (s <= 0 || s > 3600) {
        s = hub_wf_node_timeout();
    }
    return (long)(s * 1000);
}

static int is_aborted(hub_wf_run_t *run)
{
    return run->aborted && run->aborted(run->baton);
}

static int fail(hub_wf_run_t *run, const char *why)
{
    run->error = why;
    return -1;
}

/* A prompt as the node says it, rendered against the context, or the
 * node's input when it says none. */
static const char *prompt_of(hub_wf_run_t *run, const json_t *d)
{
    const char *t = first_str(d, prompt_keys);
    if (t) {
        return hub_wf_template_render(run->p, t, run->ctx);
    }
    if (json_is_string(run->input)) {
        return json_string_value(run->input);
    }
    return run->input && !json_is_null(run->input)
               ? hub_json_text(run->p, run->input)
               : "";
}

/* ---- agent, multi_agent ------------------------------------------------ */

/* an agent's hub tools (below, after the MCP helpers they use) */
typedef struct {
    const char *name; /* as offered to the model: the MCP tool's own */
    hub_mcp_session_t *sess;
} agent_tool_t;
typedef struct agent_tools {
    apr_array_header_t *tools;    /* agent_tool_t */
    apr_array_header_t *sessions; /* hub_mcp_session_t * */
    json_t *offer;                /* OpenAI's tools (pool-owned) */
} agent_tools_t;
static const char *agent_tools_open(hub_wf_run_t *run, const json_t *spec,
                                    agent_tools_t **at);
static json_t *agent_tool_call(hub_wf_run_t *run, agent_tools_t *at,
                               const json_t *call);
static void agent_tools_close(agent_tools_t *at);

/* The aborted() of the run, for the LLM client's poll */
static int run_aborted(void *baton)
{
    return is_aborted(baton);
}

/* An agent node in full mode: one call of the provider through
 * hub_wf_agent_run (hub_wf_providers.h), recorded in llm_calls with this
 * execution as its trace.  The node's data names the agent (agent_id,
 * agentId or agent: an id or a name), else a provider (provider_id,
 * providerId or provider) and a model; what the agent has is used where
 * the node says nothing.  The user's message is the rendered prompt, with
 * the node's input after it when the prompt does not already hold it
 * (Tool Hub's `prompt` is often instructions only).
 *
 * `tools` offers the hub's MCP tools to the model: entries "server" (all
 * its tools), "server/tool", or {server, tool} (server: an id, slug or
 * name of the tenant's).  When the model asks for tools, each call is
 * made through the hub's MCP client and its result sent back (OpenAI's
 * tool messages), for at most AGENT_ROUNDS answers; the output lists the
 * calls made (tool_calls_made). */
#define AGENT_ROUNDS 5
static const char *const agent_keys[] = { "agent_id", "agentId", "agent",
                                          NULL };
static const char *const provider_keys[] = { "provider_id", "providerId",
                                             "provider", NULL };

int hub_wf_node_agent_full(hub_wf_run_t *run, const char *model,
                           const char *system_prompt, const char *prompt,
                           json_t **output, const char **error)
{
    const json_t *d = run->g->nodes[run->node].data;
    const char *input = NULL, *why = NULL, *agent_id = NULL;
    hub_wf_agent_call_t c = { 0 };
    hub_llm_response_t out;
    hub_wf_db_t db = { 0 };
    hub_wf_run_e e = HUB_WF_RUN_FAILED;
    agent_tools_t *at = NULL;
    json_t *messages, *made, *tc;
    long in_tokens = 0, out_tokens = 0;
    size_t i;
    int round;

    if (json_is_string(run->input)) {
        input = json_string_value(run->input);
    }
    else if (run->input && !json_is_null(run->input)) {
        input = hub_json_text(run->p, run->input);
    }
    if (input && *input && !strstr(prompt ? prompt : "", input)) {
        prompt = prompt && *prompt
                     ? apr_pstrcat(run->p, prompt, "\n\n", input, NULL)
                     : input;
    }
    c.tenant_id = run->tenant;
    c.trace_id = run->execution;
    c.execution_id = run->execution;
    c.node_id = run->g->nodes[run->node].id;
    c.agent = first_str(d, agent_keys);
    c.provider = first_str(d, provider_keys);
    /* the engine's model lookup also takes an agent's id: only a model
     * the node names as such is one */
    c.model = str_of(d, "model") ? model : NULL;
    c.system = system_prompt;
    messages =
        hub_json_own(run->p,
                     json_pack("[{s:s,s:s}]", "role", "user", "content",
                               prompt && *prompt ? prompt : "(no input)"));
    made = hub_json_own(run->p, json_array());
    c.temperature = -1;
    c.aborted = run_aborted;
    c.abort_baton = run;
    c.timeout_ms = hub_wf_node_timeout_ms(&run->g->nodes[run->node]);

    if ((why = agent_tools_open(run, json_object_get(d, "tools"), &at))) {
        agent_tools_close(at);
        *error = why;
        return -1;
    }
    c.tools = json_array_size(at->offer) ? at->offer : NULL;
    db.p = run->p;
    db.s = run->s;
    for (round = 0; round < AGENT_ROUNDS; round++) {
        c.messages = messages;
        if (!(db.dbd = hub_db_open(run->p, run->s))) {
            why = "the database is not available";
            e = HUB_WF_RUN_FAILED;
            break;
        }
        e = hub_wf_agent_run(&db, &c, &out, &why, &agent_id);
        hub_db_close(run->s, db.dbd);
        if (e != HUB_WF_RUN_CALLED || out.status != HUB_LLM_OK) {
            break;
        }
        in_tokens += out.input_tokens;
        out_tokens += out.output_tokens;
        if (!c.tools || !json_array_size(out.tool_calls)) {
            break;
        }
        /* the model's calls, then each one's result; and ask again */
        json_array_append_new(messages,
                              json_pack("{s:s,s:s?,s:O}", "role", "assistant",
                                        "content",
                                        out.content ? out.content : "",
                                        "tool_calls", out.tool_calls));
        json_array_foreach(out.tool_calls, i, tc) {
            json_t *one = agent_tool_call(run, at, tc);
            json_array_append_new(
                messages,
                json_pack("{s:s,s:s?,s:s?}", "role", "tool", "tool_call_id",
                          json_string_value(json_object_get(tc, "id")),
                          "content",
                          json_string_value(json_object_get(one, "text"))));
            json_array_append_new(made, one);
        }
    }
    agent_tools_close(at);
    if (e != HUB_WF_RUN_CALLED) {
        *error = why ? why : "the agent could not be called";
        return -1;
    }
    if (out.status != HUB_LLM_OK) {
        if (out.status == HUB_LLM_ABORTED) {
            run->status = "aborted";
        }
        *error = apr_pstrcat(run->p, "the provider's call failed: ",
                             out.error ? out.error : "no answer", NULL);
        return -1;
    }
    *output = json_pack("{s:s,s:s?,s:s?,s:s?,s:{s:I,s:I}}", "response",
                        out.content ? out.content : "", "model", out.model,
                        "finish_reason", out.finish_reason, "agent_id",
                        agent_id, "usage", "input_tokens",
                        (json_int_t)in_tokens, "output_tokens",
                        (json_int_t)out_tokens);
    if (json_array_size(out.tool_calls)) {
        json_object_set(*output, "tool_calls", out.tool_calls);
    }
    if (json_array_size(made)) {
        json_object_set(*output, "tool_calls_made", made);
    }
    return 0;
}

/* One agent's answer: deterministic in mock mode. */
static json_t *agent_answer(hub_wf_run_t *run, const json_t *d,
                            const json_t *defaults)
{
    const char *model = first_str(d, model_keys);
    const char *sys = first_str(d, system_keys);
    const char *prompt = prompt_of(run,
                                   first_str(d, prompt_keys) ? d : defaults);
    json_t *out = NULL;
    if (!model) {
        model = first_str(defaults, model_keys);
    }
    if (!sys && defaults) {
        sys = first_str(defaults, system_keys);
    }
    if (run->mock) {
        return json_pack("{s:s,s:s,s:b,s:{s:i,s:i}}", "response",
                         apr_psprintf(run->p, "[mock %s] %s", model, prompt),
                         "model", model, "mock", 1, "usage", "input_tokens",
                         (int)strlen(prompt) / 4 + 1, "output_tokens",
                         (int)strlen(prompt) / 4 + 4);
    }
    if (hub_wf_node_agent_full(
            run, model,
            sys ? hub_wf_template_render(run->p, sys, run->ctx) : NULL, prompt,
            &out, &run->error)) {
        return NULL;
    }
    return out;
}

static int run_agent(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    *out = agent_answer(run, d, NULL);
    return *out ? 0 : -1;
}

static int run_multi_agent(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    json_t *agents = json_object_get(d, "agents"), *answers = json_array();
    json_t *a;
    size_t i;
    json_array_foreach(agents, i, a) {
        json_t *one = agent_answer(run, a, d);
        if (!one) {
            json_decref(answers);
            return -1;
        }
        if (str_of(a, "name")) {
            json_object_set_new(one, "agent", json_string(str_of(a, "name")));
        }
        json_array_append_new(answers, one);
    }
    *out = json_pack(
        "{s:o,s:O}", "responses", answers, "response",
        json_object_get(json_array_get(answers, json_array_size(answers) - 1),
                        "response"));
    return 0;
}

/* ---- mcp_tool --------------------------------------------------------- */

/* The text parts of a CallToolResult, joined: what a template reads. */
static const char *result_text(apr_pool_t *p, const json_t *result)
{
    json_t *c;
    size_t i;
    const char *all = NULL;
    json_array_foreach(json_object_get(result, "content"), i, c) {
        const char *t = str_of(c, "text");
        if (t) {
            all = all ? apr_pstrcat(p, all, "\n", t, NULL) : t;
        }
    }
    return all;
}

/* A session with the tenant's MCP server `server` (an id, slug or name),
 * reached as the prober reaches it: NULL with *sess, or why not.  The
 * session keeps its target, so the target lives in the pool. */
static const char *mcp_session_open(hub_wf_run_t *run, const char *server,
                                    hub_mcp_session_t **sess)
{
    static APR_OPTIONAL_FN_TYPE(hub_servers_mcp_target_of) *target_of;
    hub_mcp_target_t *target = apr_pcalloc(run->p, sizeof(*target));
    const char *why;
    ap_dbd_t *dbd;

    *sess = NULL;
    if (!target_of) {
        target_of = APR_RETRIEVE_OPTIONAL_FN(hub_servers_mcp_target_of);
    }
    if (!target_of) {
        return "mod_hub_servers is not loaded: no MCP servers";
    }
    if (!(dbd = hub_db_open(run->p, run->s))) {
        return "the database is not available";
    }
    why = target_of(run->p, run->s, dbd, run->tenant, server,
                    hub_wf_node_timeout_ms(&run->g->nodes[run->node]), target);
    hub_db_close(run->s, dbd);
    if (why) {
        return why;
    }
    if (hub_mcp_open(run->p, target, sess)) {
        why = hub_mcp_info(*sess)->error;
        hub_mcp_close(*sess);
        *sess = NULL;
        return apr_psprintf(run->p, "MCP server '%s': %s", server,
                            why ? why : "unreachable");
    }
    return NULL;
}

static int run_mcp_tool(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    const char *server = first_str(d, server_keys);
    const char *tool = first_str(d, tool_keys), *why, *text;
    json_t *args = hub_wf_template_json(run->p, json_object_get(d, "arguments"),
                                        run->ctx);
    hub_mcp_session_t *sess;
    json_t *result;
    int rc;

    hub_json_own(run->p, args);
    if (json_is_null(args)) {
        args = NULL;
    }
    if (run->mock) {
        *out = json_pack("{s:b,s:s,s:s,s:O*,s:[{s:s,s:s}]}", "mock", 1,
                         "server", server, "tool", tool, "arguments", args,
                         "content", "type", "text", "text",
                         apr_psprintf(run->p, "[mock] %s(%s)", tool,
                                      args ? hub_json_text(run->p, args)
                                           : "{}"));
        json_object_set_new(*out, "text",
                            json_string(result_text(run->p, *out)));
        return 0;
    }
    if ((why = mcp_session_open(run, server, &sess))) {
        return fail(run, why);
    }
    rc = hub_mcp_call(sess, tool, args ? json_incref(args) : NULL, &result);
    why = rc ? hub_mcp_info(sess)->error : NULL;
    hub_mcp_close(sess);
    if (rc) {
        return fail(run, apr_psprintf(run->p, "tools/call %s: %s", tool,
                                      why ? why : "failed"));
    }
    text = result_text(run->p, result);
    if (json_is_true(json_object_get(result, "isError"))) {
        return fail(run, apr_psprintf(run->p, "tool %s said: %s", tool,
                                      text ? text : "an error"));
    }
    *out = json_deep_copy(result);
    json_object_set_new(*out, "text", hub_json_str_or_null(text));
    return 0;
}

/* ---- an agent's hub tools ------------------------------------------------ */

#define AGENT_MAX_TOOL_SPECS 8

/* Open a session to each server the spec names and list its tools: NULL,
 * or why not (*atp is always set, for agent_tools_close). */
static const char *agent_tools_open(hub_wf_run_t *run, const json_t *spec,
                                    agent_tools_t **atp)
{
    agent_tools_t *at = apr_pcalloc(run->p, sizeof(*at));
    const json_t *e;
    size_t i;

    at->tools = apr_array_make(run->p, 8, sizeof(agent_tool_t));
    at->sessions = apr_array_make(run->p, 2, sizeof(hub_mcp_session_t *));
    at->offer = hub_json_own(run->p, json_array());
    *atp = at;
    if (!json_is_array(spec) || !json_array_size(spec)) {
        return NULL;
    }
    if (json_array_size(spec) > AGENT_MAX_TOOL_SPECS) {
        return "an agent's tools: at most 8 entries";
    }
    json_array_foreach(spec, i, e) {
        const char *server = NULL, *only = NULL, *why;
        hub_mcp_session_t *sess;
        json_t *list, *t;
        size_t k;
        int offered = 0;

        if (json_is_string(e)) {
            const char *v = json_string_value(e), *slash = strchr(v, '/');
            server = slash ? apr_pstrndup(run->p, v, slash - v) : v;
            only = slash && slash[1] ? slash + 1 : NULL;
        }
        else {
            server = first_str(e, server_keys);
            only = first_str(e, tool_keys);
        }
        if (!server || !*server) {
            return "an agent's tools: each entry names a server";
        }
        if ((why = mcp_session_open(run, server, &sess))) {
            return why;
        }
        APR_ARRAY_PUSH(at->sessions, hub_mcp_session_t *) = sess;
        if (hub_mcp_list_tools(sess, &list)) {
            why = hub_mcp_info(sess)->error;
            return apr_psprintf(run->p, "MCP server '%s': %s", server,
                                why ? why : "no tool list");
        }
        json_array_foreach(list, k, t) {
            const char *name = str_of(t, "name");
            const char *what = str_of(t, "description");
            json_t *schema = json_object_get(t, "inputSchema");
            agent_tool_t *one;
            if (!name || (only && strcmp(only, name))) {
                continue;
            }
            one = apr_array_push(at->tools);
            one->name = name;
            one->sess = sess;
            offered++;
            json_array_append_new(
                at->offer,
                json_pack("{s:s,s:{s:s,s:s,s:o}}", "type", "function",
                          "function", "name", name, "description",
                          what ? what : name, "parameters",
                          json_is_object(schema)
                              ? json_incref(schema)
                              : json_pack("{s:s}", "type", "object")));
        }
        if (only && !offered) {
            return apr_psprintf(run->p, "MCP server '%s' has no tool %s",
                                server, only);
        }
    }
    return NULL;
}

/* One call the model asked for ({id, function: {name, arguments}}): its
 * record {tool, arguments, text, is_error} (a new reference), the text
 * what goes back to the model. */
static json_t *agent_tool_call(hub_wf_run_t *run, agent_tools_t *at,
                               const json_t *call)
{
    const json_t *fn = json_object_get(call, "function");
    const char *name = str_of(fn, "name");
    const char *argt = json_string_value(json_object_get(fn, "arguments"));
    json_t *args = argt && *argt ? json_loads(argt, 0, NULL) : NULL;
    const char *text = NULL, *why;
    json_t *result = NULL;
    int i, err = 1;

    hub_json_own(run->p, args);
    for (i = 0; name && i < at->tools->nelts; i++) {
        agent_tool_t *t = &APR_ARRAY_IDX(at->tools, i, agent_tool_t);
        if (strcmp(t->name, name)) {
            continue;
        }
        hub_mcp_renew(t->sess);
        if (hub_mcp_call(t->sess, name,
                         json_is_object(args) ? json_incref(args) : NULL,
                         &result)) {
            why = hub_mcp_info(t->sess)->error;
            text = apr_psprintf(run->p, "tools/call %s: %s", name,
                                why ? why : "failed");
        }
        else {
            text = result_text(run->p, result);
            err = json_is_true(json_object_get(result, "isError"));
        }
        break;
    }
    if (!text) {
        text = apr_psprintf(run->p, "no tool %s was offered",
                            name ? name : "(unnamed)");
    }
    return json_pack("{s:s?,s:O?,s:s,s:b}", "tool", name, "arguments",
                     json_is_object(args) ? args : NULL, "text", text,
                     "is_error", err);
}

static void agent_tools_close(agent_tools_t *at)
{
    int i;
    for (i = 0; at && i < at->sessions->nelts; i++) {
        hub_mcp_close(APR_ARRAY_IDX(at->sessions, i, hub_mcp_session_t *));
    }
}

/* ---- http ---------------------------------------------------------------- */

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
    const char *content_type;
    int too_large;
} body_t;

static apr_size_t collect(void *baton, const char *data, apr_size_t len,
                          long status HUB_UNUSED, const char *content_type)
{
    body_t *b = baton;
    if (content_type && !b->content_type) {
        b->content_type = apr_pstrdup(b->p, content_type);
    }
    if (b->len + len > HTTP_MAX_BODY) {
        b->too_large = 1;
        return 0;
    }
    if (b->len + len + 1 > b->cap) {
        apr_size_t cap = (b->cap ? b->cap * 2 : 8192) + len;
        char *nb = apr_palloc(b->p, cap);
        if (b->len) {
            memcpy(nb, b->buf, b->len);
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = '\0';
    return len;
}

static int run_http(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    static APR_OPTIONAL_FN_TYPE(hub_servers_outbound_allow) *allow_of;
    const char *url = hub_wf_template_render(run->p, str_of(d, "url"),
                                             run->ctx);
    const char *method = str_of(d, "method"), *err = NULL, *k;
    json_t *body = json_object_get(d, "body"), *hdrs, *v, *parsed = NULL;
    hub_http_policy_t pol;
    hub_http_request_t req;
    hub_http_stream_t *st;
    body_t got;
    long status;

    memset(&req, 0, sizeof(req));
    req.url = url;
    req.headers = apr_table_make(run->p, 4);
    hdrs = hub_wf_template_json(run->p, json_object_get(d, "headers"),
                                run->ctx);
    hub_json_own(run->p, hdrs);
    json_object_foreach(hdrs, k, v) {
        if (json_is_string(v)) {
            apr_table_set(req.headers, k, json_string_value(v));
        }
    }
    if (body && !json_is_null(body)) {
        json_t *b = hub_json_own(run->p,
                                 hub_wf_template_json(run->p, body, run->ctx));
        req.body = json_is_string(b) ? json_string_value(b)
                                     : hub_json_text(run->p, b);
        req.body_len = strlen(req.body);
        if (!json_is_string(b) && !apr_table_get(req.headers, "Content-Type")) {
            apr_table_set(req.headers, "Content-Type", "application/json");
        }
    }
    req.method = apr_pstrdup(run->p, method     ? method
                                     : req.body ? "POST"
                                                : "GET");
    ap_str_toupper((char *)req.method);
    if (run->mock) {
        *out = json_pack("{s:b,s:s,s:s,s:i,s:n}", "mock", 1, "method",
                         req.method, "url", url, "status", 200, "body");
        return 0;
    }
    if (!allow_of) {
        allow_of = APR_RETRIEVE_OPTIONAL_FN(hub_servers_outbound_allow);
    }
    memset(&pol, 0, sizeof(pol));
    pol.timeout_ms = hub_wf_node_timeout_ms(&run->g->nodes[run->node]);
    pol.connect_timeout_ms = pol.timeout_ms < 5000 ? pol.timeout_ms : 5000;
    pol.max_response = HTTP_MAX_BODY;
    pol.allow = allow_of ? allow_of(run->s) : NULL;
    memset(&got, 0, sizeof(got));
    got.p = run->p;
    st = hub_http_stream_open(run->p, &pol, &req, collect, &got);
    if (!st) {
        return fail(run, "the request could not be set up");
    }
    while (hub_http_stream_perform(st)) {
        if (is_aborted(run)) {
            hub_http_stream_close(st);
            run->status = "aborted";
            return fail(run, "aborted: the execution was stopped");
        }
        hub_http_stream_wait(st, 100);
    }
    status = hub_http_stream_status(st);
    if (got.too_large) {
        hub_http_stream_close(st);
        return fail(run, "the answer is larger than 4 MiB");
    }
    if (hub_http_stream_result(st, &err) != HUB_HTTP_OK) {
        hub_http_stream_close(st);
        return fail(run, apr_psprintf(run->p, "%s %s: %s", req.method, url,
                                      err ? err : "failed"));
    }
    hub_http_stream_close(st);
    if (got.len && got.content_type && strstr(got.content_type, "json")) {
        parsed = json_loadb(got.buf, got.len, 0, NULL);
    }
    if (!parsed && got.len) {
        parsed = json_stringn(got.buf, got.len); /* NULL: not UTF-8 */
    }
    *out = json_pack("{s:i,s:o}", "status", (int)status, "body",
                     parsed ? parsed : json_null());
    if (status >= 400) {
        json_decref(*out);
        *out = NULL;
        return fail(run, apr_psprintf(run->p, "%s %s answered %ld", req.method,
                                      url, status));
    }
    return 0;
}

/* ---- control and data nodes -------------------------------------------- */

static int run_condition(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    const char *err;
    int t = hub_wf_expr_test(run->p, first_str(d, cond_keys), run->ctx, &err);
    if (t < 0) {
        return fail(run, apr_psprintf(run->p, "the condition: %s", err));
    }
    run->branch = t ? "true" : "false";
    *out = json_pack("{s:b,s:O}", "result", t, "input", run->input);
    return 0;
}

static int run_loop(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    const hub_wf_node_t *n = &run->g->nodes[run->node];
    int done = hub_wf_loop_count(run->state, n->id);
    int max = (int)json_integer_value(json_object_get(d, "maxIterations"));
    const char *c = first_str(d, stop_keys), *err;
    int stop = done >= max;
    if (!stop && c && done > 0) {
        int t = hub_wf_expr_test(run->p, c, run->ctx, &err);
        if (t < 0) {
            return fail(run, apr_psprintf(run->p, "the condition: %s", err));
        }
        stop = t;
    }
    run->branch = stop ? "exit" : "body";
    *out = json_pack("{s:i,s:b,s:O}", "iterations", done, "done", stop, "input",
                     run->input);
    return 0;
}

static int run_template(hub_wf_run_t *run, const json_t *d, json_t **out)
{
    const char *text = hub_wf_template_render(
        run->p, json_string_value(json_object_get(d, "template")), run->ctx);
    *out = json_pack("{s:s}", "text", text);
    return 0;
}

static int run_node_once(hub_wf_run_t *run, json_t **out)
{
    const hub_wf_node_t *n = &run->g->nodes[run->node];
    const json_t *d = n->data;
    *out = NULL;
    switch (n->kind) {
    case HUB_WF_AGENT: return run_agent(run, d, out);
    case HUB_WF_MULTI_AGENT: return run_multi_agent(run, d, out);
    case HUB_WF_MCP_TOOL: return run_mcp_tool(run, d, out);
    case HUB_WF_HTTP: return run_http(run, d, out);
    case HUB_WF_CONDITION: return run_condition(run, d, out);
    case HUB_WF_FEEDBACK_LOOP: return run_loop(run, d, out);
    case HUB_WF_TEMPLATE: return run_template(run, d, out);
    case HUB_WF_PARALLEL:
        *out = run->input ? json_deep_copy(run->input) : json_null();
        return 0;
    case HUB_WF_RAG:
        if (run->mock) {
            *out = json_pack("{s:b,s:[]}", "mock", 1, "documents");
            return 0;
        }
        return fail(run, "rag nodes are not supported: this hub has no "
                         "document store");
    default: return fail(run, "unknown node type");
    }
}

/* Sleep ms, waking early when the run is aborted: 1 when it was. */
static int wait_or_abort(hub_wf_run_t *run, long ms)
{
    while (ms > 0) {
        long step = ms < 100 ? ms : 100;
        if (is_aborted(run)) {
            return 1;
        }
        apr_sleep(apr_time_from_msec(step));
        ms -= step;
    }
    return is_aborted(run);
}

void hub_wf_node_run(hub_wf_run_t *run)
{
    const hub_wf_node_t *n = &run->g->nodes[run->node];
    json_t *r = json_object_get(n->data, "retries");
    json_t *dl = json_object_get(n->data, "retryDelay");
    int retries = json_is_integer(r) ? (int)json_integer_value(r) : 0;
    long delay = json_is_number(dl) ? (long)json_number_value(dl) : 500;
    json_t *out;

    run->retries = 0;
    run->status = NULL;
    for (;;) {
        run->error = NULL;
        run->branch = NULL;
        if (!run_node_once(run, &out)) {
            run->status = "completed";
            run->output = out;
            return;
        }
        if (run->status && !strcmp(run->status, "aborted")) {
            return;
        }
        if (run->mock || run->retries >= retries || retries > 10) {
            break;
        }
        if (wait_or_abort(run, delay)) {
            run->status = "aborted";
            return;
        }
        delay = delay * 2 > 30000 ? 30000 : delay * 2;
        run->retries++;
    }
    run->status = "failed";
    run->output = NULL;
}
