/* What the served OpenAPI documents say of a route beyond its row: the
 * spec's name of a shape's model, statuses an operation picks itself (a
 * health check's 503, a 201 or 204 the row does not carry), the schema
 * of an answer built by hand, a document that is not JSON.  A route with
 * no hint is described from its row alone (hub_openapi.c); new answers
 * are better declared on their rows (.doc, hub_route.h) than here.
 * t/http/53-openapi-live.t checks live answers against what this says. */
#include <string.h>
#include "hub_openapi.h"
#include "hub_openapi_schema.h"
#include "hub_profile.h"
#include "hub_route.h"

#define PW  HUB_PATCHWORK
#define CX  HUB_CAYLEX
#define GC  HUB_GOCLAW
#define TH  HUB_TOOLHUB
#define G4F HUB_G4F
#define GET HUB_M_GET
#define PST HUB_M_POST
#define PUT HUB_M_PUT
#define PAT HUB_M_PATCH
#define DEL HUB_M_DELETE

/* Caylex's ModifiedProjectResponse */
#define CX_ID OBJ("\"id\":" STR, "\"id\"")
/* an OpenAPI document, as the hub serves them */
#define OPENAPI \
    OBJ("\"openapi\":" STR ",\"info\":" OBJECT ",\"paths\":" OBJECT \
        ",\"components\":" OBJECT, \
        "\"openapi\",\"info\",\"paths\"")

/* ---- Caylex's analytics answers (modules/analytics/hub_analytics_cx_series.c,
 * hub_analytics_cxl_*.c): the spec's models as this hub fills them, with
 * its extensions (p50/p95/p99 latency and how they were had, the
 * previous window and the change) ---- */
/* {success, data, error, timestamp}: data is always there */
#define CX_OK(data) \
    OBJ("\"success\":" BOOL ",\"data\":" data ",\"error\":" NSTR \
        ",\"timestamp\":" STR, \
        "\"success\",\"data\",\"timestamp\"")
#define AN_FILTERS "{\"type\":\"object\",\"additionalProperties\":" STR "}"
#define AN_VIEW \
    "{\"type\":\"string\",\"enum\":[\"timeseries\",\"bar\",\"pie\"," \
    "\"heatmap\"]}"
#define AN_SORT "{\"type\":\"string\",\"enum\":[\"asc\",\"desc\"]}"
/* a window's answer: its members, then window, filters and timestamp */
#define AN_DATA(props, req) \
    OBJ(props \
        ",\"window\":" STR ",\"filters\":" AN_FILTERS ",\"timestamp\":" STR, \
        req ",\"window\",\"filters\",\"timestamp\"")
/* a graph: one point per bucket, each at its timestamp */
#define AN_GRAPH(point, preq) \
    CX_OK(AN_DATA("\"data_points\":" ARRAY_OF( \
                      OBJ("\"timestamp\":" STR "," point, \
                          "\"timestamp\"," preq)) ",\"view\":" AN_VIEW \
                                                  ",\"frequency\":" STR, \
                  "\"data_points\",\"view\",\"frequency\""))
#define AN_LAT \
    "\"average_latency\":" NUM ",\"total_calls\":" INT ",\"p50_latency\":" NUM \
    ",\"p95_latency\":" NUM ",\"p99_latency\":" NUM
#define AN_LAT_REQ \
    "\"average_latency\",\"total_calls\",\"p50_latency\",\"p95_latency\"," \
    "\"p99_latency\""
#define AN_RUN     "\"average_runtime\":" NUM ",\"total_executions\":" INT
#define AN_RUN_REQ "\"average_runtime\",\"total_executions\""
#define AN_CPQ \
    "\"average_tool_calls_per_query\":" NUM ",\"total_queries\":" INT \
    ",\"total_tool_calls\":" INT
#define AN_CPQ_REQ \
    "\"average_tool_calls_per_query\",\"total_queries\",\"total_tool_calls\""
/* a processed total, the window before and the change in percent */
#define AN_PROCESSED(what) \
    CX_OK(AN_DATA("\"total_" what "\":" INT ",\"previous_total_" what \
                  "\":" INT ",\"percentage_change\":" NNUM, \
                  "\"total_" what "\",\"previous_total_" what \
                  "\",\"percentage_change\""))
/* Caylex's TimeSeriesData */
#define AN_SERIES \
    ARRAY_OF(OBJ("\"timestamp\":" STR ",\"value\":" NUM ",\"labels\":" \
                 "{\"type\":\"object\",\"nullable\":true," \
                 "\"additionalProperties\":" STR "}", \
                 "\"timestamp\",\"value\""))
/* a breakdown: the list under key, its length, the order and limit */
#define AN_LIST(key, item) \
    CX_OK(AN_DATA("\"" key "\":" ARRAY_OF(item) ",\"total_count\":" INT \
                                                ",\"sort_order\":" AN_SORT \
                                                ",\"limit\":" INT, \
                  "\"" key "\",\"total_count\",\"sort_order\",\"limit\""))
#define AN_COUNT(key, val) \
    OBJ("\"" key "\":" val ",\"tool_count\":" INT, "\"" key "\",\"tool_count\"")
/* a top list: by tool calls and by queries, each with its length */
#define AN_TOP1(count, list, id) \
    OBJ("\"" count "\":" INT ",\"" list "\":" ARRAY_OF( \
            OBJ("\"" id "\":" STR ",\"count\":" INT, "\"" id "\",\"count\"")), \
        "\"" count "\",\"" list "\"")
#define AN_TOP(count, list, id) \
    CX_OK(OBJ( \
        "\"tool_calls\":" AN_TOP1( \
            count, list, \
            id) ",\"queries_processed\":" AN_TOP1(count, list, \
                                                  id) ",\"window\":" STR \
                                                      ",\"filters\":" AN_FILTERS \
                                                      ",\"limit\":" INT, \
        "\"tool_calls\",\"queries_processed\",\"window\"," \
        "\"filters\",\"limit\""))
/* Caylex's GetQueryResponse: token is always null here */
#define AN_QUERY \
    OBJ("\"id\":" STR ",\"token\":" NSTR ",\"query\":" STR \
        ",\"navigator_instance_id\":" STR ",\"project_id\":" NSTR \
        ",\"created_at\":" STR ",\"updated_at\":" STR, \
        "\"id\",\"token\",\"query\",\"navigator_instance_id\"," \
        "\"created_at\",\"updated_at\"")
#define AN_TOOL \
    OBJ("\"server\":" OBJ("\"id\":" STR ",\"name\":" STR, \
                          "\"id\",\"name\"") ",\"name\":" STR, \
        "\"server\",\"name\"")
/* Caylex's TimeSeriesPoint */
#define AN_POINTS(more, req) \
    ARRAY_OF(OBJ("\"timestamp\":" STR ",\"value\":" NUM more, \
                 "\"timestamp\",\"value\"" req))
#define AN_ERR_TYPES \
    "\"auth\":" INT ",\"rate_limit\":" INT ",\"timeout\":" INT \
    ",\"execution\":" INT ",\"protocol\":" INT ",\"approval\":" INT
#define AN_ERR_TYPES_REQ \
    "\"auth\",\"rate_limit\",\"timeout\",\"execution\",\"protocol\"," \
    "\"approval\""

/* a Swagger UI page and its files: 404 when HubSwaggerUi is not set */
#define UI(profile, page) \
    { profile, GET, page, NULL, 0, NULL, NULL, "404", "text/html" }, \
    { \
        profile, GET, page "/{file}", NULL, 0, NULL, NULL, "404", \
            "text/javascript text/css image/png" \
    }

/* clang-format off */
static const hub_openapi_hint_t hints[] = {
    /* ---- Patchwork: the spec's models ---- */
    { PW, GET, "/api/v1/servers/", "ServerOut", 0, NULL, NULL, NULL, NULL },
    { PW, PST, "/api/v1/servers/", "ServerOut", 0, NULL, NULL, NULL, NULL },
    { PW, GET, "/api/v1/teams/", "TeamOut", 0, NULL, NULL, NULL, NULL },
    { PW, PAT, "/api/v1/teams/{slug}/", "TeamOut", 0, NULL, NULL, NULL,
      NULL },
    { PW, GET, "/api/v1/teams/{slug}/api-keys/", "APIKeyOut", 0, NULL, NULL,
      NULL, NULL },
    { PW, GET, "/api/v1/admin/users/{email}/teams/", "UserTeamOut", 0, NULL,
      NULL, NULL, NULL },
    { PW, GET, "/api/v1/servers/{slug}/tool-changes/", "ToolChangeOut", 0,
      NULL, NULL, NULL, NULL },
    { PW, GET, "/api/v1/health", NULL, 0, "200 503",
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { PW, DEL, "/api/v1/teams/{slug}/api-keys/{key_uuid}/", NULL, 0, NULL,
      OBJ("\"uuid\":" STR ",\"message\":" STR, "\"uuid\",\"message\""),
      NULL, NULL },

    /* ---- Caylex ---- */
    { CX, GET, "/servers", "GetServerResponse", 0, NULL, NULL, NULL, NULL },
    { CX, GET, "/projects", "GetProjectResponse", 0, NULL, NULL, NULL,
      NULL },
    { CX, GET, "/servers/search", "GetServerResponse", 0, NULL, NULL, NULL,
      NULL },
    { CX, GET, "/servers/{server_id}", "GetServerResponse", 0, NULL, NULL,
      NULL, NULL },
    { CX, GET, "/projects/search", "GetProjectResponse", 0, NULL, NULL, NULL,
      NULL },
    { CX, GET, "/projects/{project_id}", "GetProjectResponse", 0, NULL, NULL,
      NULL, NULL },
    { CX, GET, "/health", NULL, 0, "200 503",
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { CX, GET, "/analytics/health", NULL, 0, "200 503",
      OBJ("\"status\":" STR ",\"influxdb_connected\":" BOOL
          ",\"database_connected\":" BOOL ",\"last_check\":" STR,
          "\"status\""), NULL, NULL },
    { CX, GET, "/members/search", NULL, 0, NULL, NULL, "400", NULL },
    { CX, PST, "/settings/general", NULL, 0, NULL, NULL, "400", NULL },
    { CX, GET, "/servers/discover-oauth-metadata", NULL, 0, NULL, NULL, "422",
      NULL },
    { CX, GET, "/docs/openapi.yaml", NULL, 0, NULL, NULL, NULL,
      "text/plain" },
    { CX, GET, "/servers/logos/{logo_id}", NULL, 0, "200 304", NULL, NULL,
      "image/*" },
    { CX, DEL, "/servers/{server_id}", NULL, 0, NULL,
      OBJ("\"server_id\":" STR ",\"message\":" STR,
          "\"server_id\",\"message\""), NULL, NULL },
    { CX, GET, "/platform-access-tokens", NULL, HUB_OA_MANY, NULL, NULL, NULL,
      NULL },
    { CX, DEL, "/platform-access-tokens/{token_id}", NULL, 0, "204", NULL,
      NULL, NULL },
    { CX, DEL, "/projects/{project_id}/auth-links/{auth_link_id}", NULL, 0,
      "204", NULL, NULL, NULL },

    /* ---- GoClaw ---- */
    { GC, GET, "/v1/api-keys", "ApiKey", 0, NULL, NULL, NULL, NULL },
    { GC, GET, "/health", NULL, 0, "200 503",
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { GC, PUT, "/v1/mcp/servers/{id}", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { GC, DEL, "/v1/api-keys/{id}", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { GC, DEL, "/v1/mcp/servers/{id}", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },

    /* ---- Tool Hub ---- */
    { TH, GET, "/health/ready", NULL, 0, "200 503",
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { TH, DEL, "/api/secrets/:name", NULL, 0, "204", NULL, NULL, NULL },
    { TH, DEL, "/api/mcp/servers/:id", NULL, 0, "204", NULL, NULL, NULL },

    /* ---- G4F ---- */
    { G4F, GET, "/health", NULL, 0, "200 503",
      OBJ("\"ok\":" BOOL ",\"version\":" STR ",\"uptime_s\":" INT,
          "\"ok\",\"version\""), NULL, NULL },
    /* hub_workflows_stream.c: server-sent events, as the spec says */
    { G4F, GET, "/stream/sessions/{session_id}", NULL, 0, NULL, NULL, NULL,
      "text/event-stream" },

    /* ---- hand-built answers, by what they hold ---- */
    { PW, GET, "/api/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { CX, GET, "/docs", NULL, 0, NULL,
      OBJ("\"title\":" STR ",\"version\":" STR ",\"endpoints\":"
          OBJ("\"openapi_json\":" STR ",\"openapi_yaml\":" STR
              ",\"swagger_ui\":" STR, "\"openapi_json\",\"openapi_yaml\""),
          "\"title\",\"version\",\"endpoints\""), NULL, NULL },
    { CX, GET, "/docs/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { CX, GET, "/notifications/unread-count", "UnreadCountResponse", 0, NULL,
      OBJ("\"count\":" INT, "\"count\""), NULL, NULL },
    { CX, GET, "/webhooks/event-types", "WebhookEventTypesByScopeResponse", 0,
      NULL,
      OBJ("\"scopes\":" ARRAY_OF(OBJ("\"scope\":" STR ",\"event_types\":" STRS,
                                     "\"scope\",\"event_types\"")),
          "\"scopes\""), NULL, NULL },
    { CX, GET, "/projects/{project_id}/server-instances/status",
      "GetProjectStatusResponse", 0, NULL,
      OBJ("\"active_server_instances\":" INT ",\"disabled_server_instances\":"
          INT ",\"active_navigator_instances\":" INT,
          "\"active_server_instances\",\"disabled_server_instances\""),
      NULL, NULL },
    { GC, GET, "/v1/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { TH, GET, "/health/live", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { TH, GET, "/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { TH, GET, "/api/mcp/servers/:id/health", NULL, 0, NULL,
      OBJ("\"server_id\":" STR ",\"status\":" STR ",\"message\":" NSTR
          ",\"latency_ms\":" NINT, "\"server_id\",\"status\""), NULL, NULL },
    { G4F, GET, "/", NULL, 0, NULL,
      OBJ("\"ok\":" BOOL ",\"name\":" STR ",\"version\":" STR
          ",\"base_path\":" STR ",\"endpoints\":"
          ARRAY_OF(OBJ("\"method\":" STR ",\"path\":" STR,
                       "\"method\",\"path\"")),
          "\"ok\",\"name\",\"version\",\"endpoints\""), NULL, NULL },
    { G4F, GET, "/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { G4F, GET, "/me", NULL, 0, NULL,
      OBJ("\"user\":" OBJ("\"id\":" STR ",\"name\":" NSTR ",\"email\":" STR
                          ",\"roles\":" STRS ",\"created_at\":" STR
                          ",\"tenant\":" STR,
                          "\"id\",\"email\",\"roles\""),
          "\"user\""), NULL, NULL },
    { G4F, GET, "/settings", NULL, 0, NULL,
      OBJ("\"settings\":" OBJECT, "\"settings\""), NULL, NULL },
    { G4F, GET, "/admin/users", NULL, 0, NULL,
      OBJ("\"items\":" ARRAY_OF(OBJ("\"id\":" STR ",\"name\":" NSTR
                                    ",\"email\":" STR ",\"created_at\":" STR
                                    ",\"disabled\":" BOOL ",\"roles\":" STRS,
                                    "\"id\",\"email\",\"roles\""))
          ",\"next_cursor\":" NINT, "\"items\",\"next_cursor\""), NULL, NULL },

    /* ---- Caylex's analytics: totals and series (hub_analytics_cx_series.c) ---- */
    { CX, GET, "/analytics/average-tool-call-latency",
      "AverageToolCallLatencyResponse", 0, NULL,
      CX_OK(AN_DATA(AN_LAT ",\"percentiles\":"
                    "{\"type\":\"string\",\"enum\":[\"exact\",\"histogram\"]}",
                    AN_LAT_REQ ",\"percentiles\"")), NULL, NULL },
    { CX, GET, "/analytics/average-tool-call-latency-graph",
      "AverageToolCallLatencyGraphResponse", 0, NULL,
      AN_GRAPH(AN_LAT, AN_LAT_REQ), NULL, NULL },
    { CX, GET, "/analytics/average-tool-call-runtime",
      "AverageToolCallRuntimeResponse", 0, NULL,
      CX_OK(AN_DATA(AN_RUN, AN_RUN_REQ)), NULL, NULL },
    { CX, GET, "/analytics/average-tool-call-runtime-graph",
      "AverageToolCallRuntimeGraphResponse", 0, NULL,
      AN_GRAPH(AN_RUN, AN_RUN_REQ), NULL, NULL },
    { CX, GET, "/analytics/average-tool-calls-per-query",
      "ToolCallsPerQueryResponse", 0, NULL,
      CX_OK(AN_DATA(AN_CPQ ",\"view\":" AN_VIEW ",\"frequency\":" STR,
                    AN_CPQ_REQ ",\"view\",\"frequency\"")), NULL, NULL },
    { CX, GET, "/analytics/average-tool-calls-per-query-graph",
      "ToolCallsPerQueryGraphResponse", 0, NULL,
      AN_GRAPH(AN_CPQ, AN_CPQ_REQ), NULL, NULL },
    { CX, GET, "/analytics/tool-calls-processed",
      "ToolCallsProcessedResponse", 0, NULL, AN_PROCESSED("tool_calls"),
      NULL, NULL },
    { CX, GET, "/analytics/queries-processed", "QueriesProcessedResponse", 0,
      NULL, AN_PROCESSED("queries"), NULL, NULL },
    /* the spec gives both graphs of counts one model */
    { CX, GET, "/analytics/tool-calls-processed-graph",
      "ToolCallsGraphResponse", 0, NULL,
      AN_GRAPH("\"count\":" INT, "\"count\""), NULL, NULL },
    { CX, GET, "/analytics/queries-processed-graph", "ToolCallsGraphResponse",
      0, NULL, AN_GRAPH("\"count\":" INT, "\"count\""), NULL, NULL },
    { CX, GET, "/analytics/error-rate-graph", "ErrorRateGraphResponse", 0,
      NULL,
      CX_OK(OBJ("\"view_type\":" AN_VIEW ",\"frequency\":" STR
                ",\"time_series_data\":" AN_SERIES ",\"total_errors\":" INT
                ",\"total_tool_calls\":" INT ",\"average_error_rate\":" NUM
                ",\"timestamp\":" STR,
                "\"view_type\",\"frequency\",\"time_series_data\","
                "\"total_errors\",\"total_tool_calls\","
                "\"average_error_rate\",\"timestamp\"")), NULL, NULL },
    { CX, GET, "/analytics/error-types-graph", "ErrorTypesGraphResponse", 0,
      NULL,
      CX_OK(OBJ("\"view_type\":" AN_VIEW ",\"frequency\":" STR
                ",\"time_series_data\":"
                ARRAY_OF(OBJ("\"error_type\":" STR ",\"error_name\":" STR
                             ",\"time_series_data\":" AN_SERIES
                             ",\"total_count\":" INT,
                             "\"error_type\",\"error_name\","
                             "\"time_series_data\",\"total_count\""))
                ",\"total_errors\":" INT ",\"timestamp\":" STR,
                "\"view_type\",\"frequency\",\"time_series_data\","
                "\"total_errors\",\"timestamp\"")), NULL, NULL },
    { CX, GET, "/analytics/heroes/global/stats", "GlobalStatsResponse", 0,
      NULL,
      CX_OK(OBJ("\"total_queries\":" INT ",\"total_tool_calls\":" INT
                ",\"previous_total_queries\":" INT
                ",\"previous_total_tool_calls\":" INT
                ",\"comparison_period\":{\"type\":\"string\",\"enum\":["
                "\"rolling_month\",\"rolling_week\",\"rolling_day\","
                "\"rolling_hour\"]},\"timestamp\":" STR,
                "\"total_queries\",\"total_tool_calls\","
                "\"previous_total_queries\",\"previous_total_tool_calls\","
                "\"comparison_period\",\"timestamp\"")), NULL, NULL },

    /* ---- Caylex's analytics: breakdowns (hub_analytics_cxl_activity.c) ---- */
    { CX, GET, "/analytics/tools", "ToolActivityResponse", 0, NULL,
      AN_LIST("tools", STR), NULL, NULL },
    { CX, GET, "/analytics/servers", "ServerActivityResponse", 0, NULL,
      AN_LIST("servers", AN_COUNT("server_name", STR)), NULL, NULL },
    { CX, GET, "/analytics/users", "UsersActivityResponse", 0, NULL,
      AN_LIST("users", AN_COUNT("user_email", STR)), NULL, NULL },
    { CX, GET, "/analytics/top-servers", "TopServersActivityResponse", 0,
      NULL, AN_TOP("server_count", "servers", "server_id"), NULL, NULL },
    { CX, GET, "/analytics/top-projects", "TopProjectsActivityResponse", 0,
      NULL, AN_TOP("project_count", "projects", "project_id"), NULL, NULL },
    { CX, GET, "/analytics/top-navigators", "TopNavigatorsActivityResponse",
      0, NULL, AN_TOP("navigator_count", "navigators", "navigator_id"), NULL,
      NULL },
    { CX, GET, "/analytics/navigator-tool-connections",
      "NavigatorToolConnectionsResponse", 0, NULL,
      CX_OK(ARRAY_OF(AN_DATA("\"navigator_instance_id\":" STR
                             ",\"tool_id\":" STR ",\"connection_status\":"
                             "{\"type\":\"string\",\"enum\":[\"active\"]}"
                             ",\"last_used\":" NSTR ",\"usage_count\":" INT,
                             "\"navigator_instance_id\",\"tool_id\","
                             "\"connection_status\",\"usage_count\""))),
      NULL, NULL },
    { CX, GET, "/analytics/proxy-tools", "ProxyToolEfficiencyResponse", 0,
      NULL,
      CX_OK(AN_DATA("\"suggest_tools_count\":" INT
                    ",\"get_tool_schemas_count\":" INT
                    ",\"invoke_tools_count\":" INT,
                    "\"suggest_tools_count\",\"get_tool_schemas_count\","
                    "\"invoke_tools_count\"")), NULL, NULL },
    { CX, GET, "/analytics/proxy-tools/suggest-tools",
      "ProxyToolSuggestionsResponse", 0, NULL,
      CX_OK(AN_DATA("\"count\":" INT ",\"suggested_tools\":" INT,
                    "\"count\",\"suggested_tools\"")), NULL, NULL },

    /* ---- Caylex's query logs and users (hub_analytics_cxl_queries.c,
     * _users.c) ---- */
    { CX, GET, "/projects/{project_id}/query-logs", "Page_QueryLogResponse_",
      0, NULL,
      OBJ("\"items\":"
          ARRAY_OF(OBJ("\"id\":" STR ",\"query\":" STR ",\"num_tool_calls\":"
                       INT ",\"servers_invoked\":" STRS
                       ",\"server_logo_urls\":" ARRAY_OF(NSTR)
                       ",\"timestamp\":" STR ",\"num_errors\":" INT
                       ",\"navigator_instance_id\":" STR
                       ",\"navigator_name\":" STR,
                       "\"id\",\"query\",\"num_tool_calls\","
                       "\"servers_invoked\",\"server_logo_urls\","
                       "\"timestamp\",\"num_errors\","
                       "\"navigator_instance_id\",\"navigator_name\""))
          ",\"meta\":"
          OBJ("\"size\":" INT ",\"total\":" INT ",\"next_cursor\":" NSTR
              ",\"has_next\":" BOOL ",\"has_prev\":" BOOL,
              "\"size\",\"total\",\"has_next\",\"has_prev\""),
          "\"items\",\"meta\""), NULL, NULL },
    { CX, GET, "/queries/query-logs/{query_id}", "GetQueryResponse", 0, NULL,
      AN_QUERY, NULL, NULL },
    { CX, GET, "/queries/query-logs/{query_id}/trace", "GetQueryTrace", 0,
      NULL,
      OBJ("\"query\":" AN_QUERY ",\"tool_call_groups\":"
          ARRAY_OF(OBJ("\"tool_calls\":"
                       ARRAY_OF(OBJ("\"server_instance_id\":" STR
                                    ",\"tool\":" AN_TOOL ",\"latency\":" NNUM
                                    ",\"success\":" BOOL
                                    ",\"error_message\":" NSTR
                                    ",\"created_at\":" STR,
                                    "\"server_instance_id\",\"tool\","
                                    "\"latency\",\"success\","
                                    "\"error_message\",\"created_at\""))
                       ",\"created_at\":" STR,
                       "\"tool_calls\",\"created_at\""))
          ",\"tool_schemas\":"
          ARRAY_OF(OBJ("\"id\":" STR ",\"tool\":" AN_TOOL
                       ",\"created_at\":" STR,
                       "\"id\",\"tool\",\"created_at\""))
          ",\"suggest_tools\":"
          ARRAY_OF(OBJ("\"id\":" STR ",\"created_at\":" STR,
                       "\"id\",\"created_at\"")),
          "\"query\",\"tool_call_groups\",\"tool_schemas\","
          "\"suggest_tools\""), NULL, NULL },
    { CX, GET, "/projects/{project_id}/users/summary",
      "UserbaseSummaryResponse", 0, NULL,
      CX_OK(OBJ("\"total_users\":" INT ",\"weekly_active_users\":" INT
                ",\"monthly_active_users\":" INT ",\"inactive_users\":" INT
                ",\"wau_timeline\":" AN_POINTS("", "") ",\"window\":" STR
                ",\"calculated_at\":" STR,
                "\"total_users\",\"weekly_active_users\","
                "\"monthly_active_users\",\"inactive_users\","
                "\"wau_timeline\",\"window\",\"calculated_at\"")), NULL,
      NULL },
    { CX, GET, "/projects/{project_id}/users/{user_id}/analytics",
      "UserAnalyticsResponse", 0, NULL,
      CX_OK(OBJ("\"user_email\":" STR ",\"user_token_id\":" STR
                ",\"total_queries\":" INT ",\"total_tool_calls\":" INT
                ",\"avg_tool_calls_per_query\":" NUM
                ",\"top_navigators\":"
                ARRAY_OF(OBJ("\"navigator_instance_id\":" STR
                             ",\"navigator_name\":" STR ",\"tool_count\":" INT,
                             "\"navigator_instance_id\",\"navigator_name\","
                             "\"tool_count\""))
                ",\"top_tools\":"
                ARRAY_OF(OBJ("\"tool_name\":" STR ",\"server_name\":" STR
                             ",\"call_count\":" INT,
                             "\"tool_name\",\"server_name\",\"call_count\""))
                ",\"top_servers\":" ARRAY_OF(AN_COUNT("server_name", STR))
                ",\"queries_timeline\":" AN_POINTS("", "")
                ",\"tool_calls_timeline\":" AN_POINTS("", "")
                ",\"error_rate_data\":"
                OBJ("\"average_error_rate\":" NUM ",\"total_errors\":" INT
                    ",\"total_tool_calls\":" INT ",\"time_series_data\":"
                    AN_POINTS(",\"errors\":" INT ",\"tool_calls\":" INT,
                              ",\"errors\",\"tool_calls\""),
                    "\"average_error_rate\",\"total_errors\","
                    "\"total_tool_calls\",\"time_series_data\"")
                ",\"error_types_data\":"
                OBJ("\"view_type\":" STR ",\"frequency\":" STR
                    ",\"total_errors\":" INT ",\"time_series_data\":"
                    ARRAY_OF(OBJ("\"timestamp\":" STR "," AN_ERR_TYPES,
                                 "\"timestamp\"," AN_ERR_TYPES_REQ)),
                    "\"view_type\",\"frequency\",\"total_errors\","
                    "\"time_series_data\"")
                ",\"window\":" STR ",\"frequency\":" STR
                ",\"calculated_at\":" STR,
                "\"user_email\",\"user_token_id\",\"total_queries\","
                "\"total_tool_calls\",\"avg_tool_calls_per_query\","
                "\"top_navigators\",\"top_tools\",\"top_servers\","
                "\"queries_timeline\",\"tool_calls_timeline\","
                "\"error_rate_data\",\"error_types_data\",\"window\","
                "\"frequency\",\"calculated_at\"")), NULL, NULL },

    /* ---- answers to writes ---- */
    { PW, PST, "/api/v1/teams/{slug}/api-keys/", "APIKeyCreatedOut", 0, NULL,
      OBJ("\"uuid\":" STR ",\"description\":" STR ",\"is_prod\":" BOOL
          ",\"created_at\":" STR ",\"raw_key\":" STR,
          "\"uuid\",\"raw_key\""), NULL, NULL },
    { CX, PST, "/projects", "ModifiedProjectResponse", 0, NULL, CX_ID, NULL,
      NULL },
    { CX, PAT, "/projects/{project_id}", "ModifiedProjectResponse", 0, NULL,
      CX_ID, NULL, NULL },
    { CX, DEL, "/projects/{project_id}", "ModifiedProjectResponse", 0, NULL,
      CX_ID, NULL, NULL },
    { GC, PST, "/v1/api-keys", NULL, 0, NULL,
      OBJ("\"id\":" STR ",\"name\":" STR ",\"prefix\":" STR ",\"scopes\":" STRS
          ",\"expires_at\":" NSTR ",\"created_at\":" STR ",\"key\":" STR,
          "\"id\",\"name\",\"prefix\",\"scopes\",\"key\""), NULL, NULL },
    /* hub_analytics_audit.c: a page of gc_log rows */
    { GC, GET, "/v1/activity", NULL, 0, NULL,
      OBJ("\"logs\":"
          ARRAY_OF(OBJ("\"id\":" STR ",\"actor_type\":" NSTR ",\"actor_id\":"
                       NSTR ",\"action\":" NSTR ",\"entity_type\":" NSTR
                       ",\"entity_id\":" NSTR ",\"details\":{}"
                       ",\"ip_address\":" NSTR ",\"created_at\":" STR,
                       "\"id\",\"actor_type\",\"actor_id\",\"action\","
                       "\"entity_type\",\"entity_id\",\"details\","
                       "\"ip_address\",\"created_at\""))
          ",\"total\":" INT ",\"limit\":" INT ",\"offset\":" INT,
          "\"logs\",\"total\",\"limit\",\"offset\""), NULL, NULL },
    /* hub_analytics_telemetry.c */
    { G4F, PST, "/telemetry/query", NULL, 0, NULL,
      OBJ("\"stream_id\":" STR ",\"metric\":" STR ",\"band\":" STR
          ",\"series\":"
          ARRAY_OF(OBJ("\"ts\":" STR ",\"value\":" NUM, "\"ts\",\"value\""))
          ",\"anomalies\":"
          ARRAY_OF(OBJ("\"ts\":" STR ",\"value\":" NUM ",\"score\":" NUM,
                       "\"ts\",\"value\",\"score\""))
          ",\"method\":"
          OBJ("\"name\":" STR ",\"median\":" NUM ",\"mad\":" NUM
              ",\"threshold\":" NUM ",\"fallback\":" NSTR,
              "\"name\",\"median\",\"mad\",\"threshold\",\"fallback\""),
          "\"stream_id\",\"metric\",\"band\",\"series\",\"anomalies\","
          "\"method\""), NULL, NULL },
    /* hub_analytics_notifications.c */
    { G4F, PST, "/notifications/ack", NULL, 0, NULL, G4F_OK, NULL, NULL },
    { CX, PST, "/notifications/read-all", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { CX, PST, "/notifications/clear-all", NULL, 0, NULL,
      OBJ("\"status\":" STR, "\"status\""), NULL, NULL },
    { G4F, PAT, "/projects/{project_id}", NULL, 0, NULL, G4F_OK, NULL, NULL },
    { G4F, DEL, "/projects/{project_id}", NULL, 0, NULL, G4F_OK, NULL, NULL },
    { G4F, DEL, "/admin/users/{user_id}", NULL, 0, NULL, G4F_OK, NULL, NULL },
    { G4F, PST, "/admin/users", NULL, 0, NULL,
      OBJ("\"user\":" OBJ("\"id\":" STR ",\"name\":" NSTR ",\"email\":" STR
                          ",\"created_at\":" STR ",\"disabled\":" BOOL
                          ",\"roles\":" STRS, "\"id\",\"email\",\"roles\""),
          "\"user\""), NULL, NULL },

    /* ---- every profile: the Swagger UI pages (hub_auth_docs.c) ---- */
    UI(PW, "/api/docs"),
    UI(CX, "/docs/ui"),
    UI(GC, "/v1/docs"),
    UI(TH, "/docs"),
    UI(G4F, "/docs/ui"),

    { 0, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL }
};
/* clang-format on */

const hub_openapi_hint_t *hub_openapi_hint(unsigned profile, int method,
                                           const char *path)
{
    const hub_openapi_hint_t *h;
    for (h = hints; h->profile; h++) {
        if (h->profile == profile && h->method == method && h->path
            && !strcmp(h->path, path)) {
            return h;
        }
    }
    return NULL;
}

const hub_openapi_hint_t *hub_openapi_hints(void)
{
    return hints;
}
