/* mcp-probe: the hub's MCP client on the command line, for the tests in
 * t/mcp/ and for trying a server by hand.
 *
 *   mcp-probe URL [--header 'Name: value']... [--allow CIDR]...
 *             [--timeout-ms N] [--connect-timeout-ms N] [--max-bytes N]
 *             [--transport streamable-http|sse]
 *   mcp-probe [--timeout-ms N] [--max-bytes N] [--env NAME=value]...
 *             --stdio CMD [ARG...]
 *
 * --stdio runs CMD (looked up in PATH) as a stdio MCP server, with an
 * environment of PATH and the --env entries only; everything after CMD is
 * its arguments.
 * Prints hub_mcp_probe's result as one JSON object on stdout; exits 0 when
 * the tools were listed, 1 when not, 2 on a usage error.
 *
 * --call TOOL [--args JSON] (before --stdio) opens a session and calls the
 * tool instead (hub_mcp_call): prints {"ok", "protocol_version",
 * "result" (the CallToolResult), "error"}; exits 0 when the call got a
 * result (isError or not), 1 when not. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_mcp.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: mcp-probe URL [--header 'Name: value']... "
            "[--allow CIDR]... [--timeout-ms N] [--connect-timeout-ms N] "
            "[--max-bytes N] [--transport streamable-http|sse] "
            "[--call TOOL [--args JSON]]\n"
            "       mcp-probe [--timeout-ms N] [--max-bytes N] "
            "[--env NAME=value]... --stdio CMD [ARG...]\n");
    return 2;
}

static int add_header(apr_pool_t *p, apr_table_t *h, const char *arg)
{
    const char *colon = strchr(arg, ':');
    const char *v;
    if (!colon || colon == arg) {
        return -1;
    }
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++) {
    }
    apr_table_add(h, apr_pstrmemdup(p, arg, (apr_size_t)(colon - arg)), v);
    return 0;
}

static json_t *result_json(const hub_mcp_probe_t *r)
{
    return json_pack("{s:b, s:b, s:I, s:o, s:o, s:o, s:O, s:i, s:b, s:f, "
                     "s:o}",
                     "ok", r->ok, "unauthorized", r->unauthorized,
                     "http_status", (json_int_t)r->http_status,
                     "protocol_version",
                     hub_json_str_or_null(r->protocol_version), "server_name",
                     hub_json_str_or_null(r->server_name), "server_version",
                     hub_json_str_or_null(r->server_version), "tools",
                     r->tools ? r->tools : json_null(), "pages", r->pages,
                     "session_deleted", r->session_deleted, "latency_ms",
                     r->latency_ms, "error", hub_json_str_or_null(r->error));
}

/* --call: open, tools/call, close; print what came back. */
static int call_tool(apr_pool_t *p, const hub_mcp_target_t *t, const char *tool,
                     const char *args)
{
    hub_mcp_session_t *s;
    json_t *a = NULL, *result = NULL, *j;
    json_error_t jerr;
    char *text;
    int ok;

    if (args && !(a = json_loads(args, 0, &jerr))) {
        fprintf(stderr, "mcp-probe: --args is not JSON: %s\n", jerr.text);
        return 2;
    }
    if (hub_mcp_open(p, t, &s) == 0) {
        ok = hub_mcp_call(s, tool, a, &result) == 0;
    }
    else {
        json_decref(a);
        ok = 0;
    }
    hub_mcp_close(s);
    j = json_pack("{s:b, s:o, s:O, s:o}", "ok", ok, "protocol_version",
                  hub_json_str_or_null(hub_mcp_info(s)->protocol_version),
                  "result", result ? result : json_null(), "error",
                  hub_json_str_or_null(ok ? NULL : hub_mcp_info(s)->error));
    text = json_dumps(j, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(j);
    return ok ? 0 : 1;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    hub_http_policy_t pol = { 0 };
    hub_mcp_target_t t = { 0 };
    hub_mcp_probe_t r;
    apr_array_header_t *allow, *env;
    const char *call = NULL, *args = NULL;
    int i, rc;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&p, NULL);
    hub_http_global_init();
    signal(SIGPIPE, SIG_IGN); /* a stdio server that exits early */
    allow = apr_array_make(p, 2, sizeof(hub_cidr_t));
    env = apr_array_make(p, 4, sizeof(const char *));
    t.headers = apr_table_make(p, 4);
    t.policy = &pol;
    pol.allow = allow;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (t.url) {
                return usage();
            }
            t.url = a;
            continue;
        }
        if (!v) {
            return usage();
        }
        if (!strcmp(a, "--stdio")) {
            apr_array_header_t *av = apr_array_make(p, argc, sizeof(char *));
            for (i++; i < argc; i++) {
                APR_ARRAY_PUSH(av, const char *) = argv[i];
            }
            APR_ARRAY_PUSH(av, const char *) = NULL;
            APR_ARRAY_PUSH(env, const char *) = NULL;
            t.transport = "stdio";
            t.argv = (const char *const *)av->elts;
            t.env = (const char *const *)env->elts;
            t.url = "stdio";
            break;
        }
        i++;
        if (!strcmp(a, "--header")) {
            if (add_header(p, t.headers, v)) {
                return usage();
            }
        }
        else if (!strcmp(a, "--allow")) {
            if (hub_cidr_parse(v, apr_array_push(allow))) {
                fprintf(stderr, "mcp-probe: bad CIDR %s\n", v);
                return 2;
            }
        }
        else if (!strcmp(a, "--timeout-ms")) {
            pol.timeout_ms = atol(v);
        }
        else if (!strcmp(a, "--connect-timeout-ms")) {
            pol.connect_timeout_ms = atol(v);
        }
        else if (!strcmp(a, "--max-bytes")) {
            pol.max_response = (apr_size_t)atol(v);
        }
        else if (!strcmp(a, "--env")) {
            if (!strchr(v, '=') || *v == '=') {
                return usage();
            }
            APR_ARRAY_PUSH(env, const char *) = v;
        }
        else if (!strcmp(a, "--transport")) {
            t.transport = v;
        }
        else if (!strcmp(a, "--call")) {
            call = v;
        }
        else if (!strcmp(a, "--args")) {
            args = v;
        }
        else {
            return usage();
        }
    }
    if (!t.url) {
        return usage();
    }
    if (call) {
        rc = call_tool(p, &t, call, args);
        apr_pool_destroy(p);
        apr_terminate();
        return rc;
    }
    hub_mcp_probe(p, &t, &r);
    {
        json_t *j = result_json(&r);
        char *s = json_dumps(j, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
        json_decref(j);
    }
    rc = r.ok ? 0 : 1;
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
