/* hub_mcp_server: JSON-RPC messages read and answered, versions
 * negotiated, cursors, and the two eras told apart as the official SDK v2
 * tells them, with its codes. */
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_mcp_server.h"
#include "tap.h"

static json_t *msg(const char *text)
{
    return json_loads(text, 0, NULL);
}

static void test_read(void)
{
    hub_rpc_msg_t m;
    json_t *j;
    static const struct {
        const char *text;
        hub_rpc_kind_e kind;
    } cases[] = {
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
          HUB_RPC_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}",
          HUB_RPC_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
          HUB_RPC_NOTIFICATION },
        { "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", HUB_RPC_RESPONSE },
        { "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1}}",
          HUB_RPC_RESPONSE },
        { "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
          HUB_RPC_INVALID },
        { "{\"id\":1,\"method\":\"ping\"}", HUB_RPC_INVALID },
        { "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
          HUB_RPC_INVALID },
        { "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
          HUB_RPC_INVALID },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", HUB_RPC_INVALID },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}",
          HUB_RPC_INVALID },
        { "{\"jsonrpc\":\"2.0\",\"id\":1}", HUB_RPC_INVALID },
        { "[1]", HUB_RPC_INVALID },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        j = msg(cases[i].text);
        is_int(hub_rpc_read(j, &m), cases[i].kind, cases[i].text);
        ok(m.kind != HUB_RPC_INVALID || m.why, "  an invalid one says why");
        json_decref(j);
    }
}

static void test_replies(apr_pool_t *p)
{
    json_t *id = json_integer(7), *r;
    char *s;
    r = hub_rpc_result(id, NULL);
    s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
    is_str(s, "{\"id\":7,\"jsonrpc\":\"2.0\",\"result\":{}}", "a result");
    free(s);
    json_decref(r);
    r = hub_rpc_error(NULL, -32700, "Parse error", NULL);
    s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
    is_str(s,
           "{\"error\":{\"code\":-32700,\"message\":\"Parse error\"},"
           "\"id\":null,\"jsonrpc\":\"2.0\"}",
           "an error without an id: id null");
    free(s);
    json_decref(r);
    json_decref(id);
    is_str(hub_mcp_negotiate("2025-06-18"), "2025-06-18", "a known version");
    is_str(hub_mcp_negotiate("2030-01-01"), "2025-11-25",
           "an unknown one: the newest");
    is_str(hub_mcp_negotiate(NULL), "2025-11-25", "none: the newest");
    (void)p;
}

static void test_cursors(apr_pool_t *p)
{
    long off = -1;
    const char *c = hub_mcp_cursor(p, 250);
    ok(!hub_mcp_cursor_offset(c, &off) && off == 250, "a cursor round trip");
    ok(!strstr(c, "250"), "  opaque");
    ok(hub_mcp_cursor_offset("bm9wZQ==", &off), "base64 not ours: refused");
    ok(hub_mcp_cursor_offset("", &off), "empty: refused");
    ok(hub_mcp_cursor_offset("aHViMTotMQ==", &off), "hub1:-1: refused");
    ok(hub_mcp_cursor_offset("aHViMToxeA==", &off), "hub1:1x: refused");
    ok(hub_mcp_cursor_offset("not base64!", &off), "not base64: refused");
}

#define ENV26 \
    "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
    "\"io.modelcontextprotocol/clientCapabilities\":{}}"

/* the verdict's era, or its code when refused */
static int verdict(apr_pool_t *p, const char *text, const char *hv,
                   const char *hm, const char *hn, int *status)
{
    json_t *j = msg(text);
    hub_rpc_msg_t m;
    hub_mcp_verdict_t v;
    int rc;
    hub_rpc_read(j, &m);
    rc = hub_mcp_classify(p, &m, hv, hm, &v);
    if (!rc && v.era == HUB_MCP_ERA_MODERN) {
        rc = hub_mcp_check_modern(p, &m, hv, hm, hn, &v);
    }
    *status = v.status;
    json_decref(v.data);
    json_decref(j);
    return rc ? v.code : v.era;
}

static void test_eras(apr_pool_t *p)
{
    int st;
    const char *list =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
        "\"params\":{" ENV26 "}}";
    const char *call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
        "\"params\":{\"name\":\"a__b\"," ENV26 "}}";
    const char *init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        "\"params\":{\"protocolVersion\":\"2025-11-25\"}}";
    const char *plain =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    const char *note = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}";
    const char *M = "2026-07-28";

    is_int(verdict(p, list, M, "tools/list", NULL, &st), HUB_MCP_ERA_MODERN,
           "an envelope and its headers: modern");
    is_int(verdict(p, init, NULL, NULL, NULL, &st), HUB_MCP_ERA_SESSION,
           "initialize: the 2025 era");
    is_int(verdict(p, plain, "2025-11-25", NULL, NULL, &st),
           HUB_MCP_ERA_SESSION, "no envelope, a 2025 header: the 2025 era");
    is_int(verdict(p, list, "2025-11-25", "tools/list", NULL, &st), -32020,
           "the header names another version: -32020");
    is_int(st, 400, "  on HTTP 400");
    is_int(verdict(p, list, M, "tools/call", NULL, &st), -32020,
           "Mcp-Method disagrees: -32020");
    is_int(verdict(p, list, NULL, "tools/list", NULL, &st), -32020,
           "no MCP-Protocol-Version: -32020");
    is_int(verdict(p, list, M, NULL, NULL, &st), -32020,
           "no Mcp-Method: -32020");
    is_int(verdict(p, init, M, NULL, NULL, &st), -32020,
           "initialize with a 2026 header: -32020");
    is_int(verdict(p, plain, M, "tools/list", NULL, &st), -32602,
           "a 2026 header without an envelope: -32602");
    is_int(verdict(p, note, M, NULL, NULL, &st), HUB_MCP_ERA_MODERN,
           "a notification with a 2026 header: modern, no more headers");
    is_int(verdict(p, call, M, "tools/call", "a__b", &st), HUB_MCP_ERA_MODERN,
           "tools/call with its Mcp-Name");
    is_int(verdict(p, call, M, "tools/call", NULL, &st), -32020,
           "  without: -32020");
    is_int(verdict(p, call, M, "tools/call", "a__c", &st), -32020,
           "  another name: -32020");
    is_int(verdict(p, call, M, "tools/call", "=?base64?YV9fYg==?=", &st),
           HUB_MCP_ERA_MODERN, "  a Base64 sentinel of it");
    is_int(verdict(p, call, M, "tools/call", "=?base64?YV9fYg=?=", &st), -32020,
           "  a sentinel not canonical: -32020");
    is_int(verdict(p,
                   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
                   "\"params\":{\"_meta\":{\"io.modelcontextprotocol/"
                   "protocolVersion\":\"2026-07-28\"}}}",
                   M, "tools/list", NULL, &st),
           -32602, "an envelope without clientCapabilities: -32602");
    is_int(verdict(p,
                   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
                   "\"params\":{\"_meta\":{\"io.modelcontextprotocol/"
                   "protocolVersion\":\"2027-01-01\",\"io.modelcontextprotocol/"
                   "clientCapabilities\":{}}}}",
                   "2027-01-01", "tools/list", NULL, &st),
           -32022, "a revision not served: -32022");
    is_str(hub_mcp_header_text(p, "=?base64?w6k=?="), "\xc3\xa9",
           "a sentinel decodes to UTF-8");
    ok(!hub_mcp_header_text(p, "=?base64?/w==?="),
       "  not to bytes that are not");
    is_str(hub_mcp_header_text(p, "plain"), "plain",
           "other values as they are");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_read();
    test_replies(p);
    test_cursors(p);
    test_eras(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
