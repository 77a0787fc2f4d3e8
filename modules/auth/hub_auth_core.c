/* Health and root endpoints of the five profiles, with the fields their
 * documents give.  Readiness checks really reach PostgreSQL. */
#include <apr_strings.h>
#include <mod_watchdog.h>
#include "hub_auth_private.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_profile.h"
#include "hub_time.h"
#include "mod_hub_auth.h"
#include "hub_build.h"

const hub_stmt_t hub_auth_core_stmts[] = {
    { "hub_core_ping", "SELECT 1 AS ok" }, { NULL, NULL }
};

static apr_time_t started;

apr_time_t hub_auth_started(void)
{
    if (!started) {
        started = apr_time_now();
    }
    return started;
}

int hub_auth_db_ok(request_rec *r)
{
    hub_rows_t *rows;
    return hub_db_select(r, &hub_auth_core_stmts[0], &rows, 0, NULL)
               == HUB_DB_OK
           && rows->rows->nelts == 1;
}

/* Background work (probes, executions) runs on mod_watchdog. */
static int scheduler_ok(void)
{
    return APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance) != NULL;
}

static int patchwork_root(hub_req_t *hr, hub_result_t *res)
{
    return hub_ok(
        res, json_pack("{s:s,s:{s:s},s:s,s:s}", "message",
                       "Patchwork MCP API, served by mod_hub", "versions", "v1",
                       apr_pstrcat(hr->pool, hr->base_url, "/api/v1/", NULL),
                       "documentation",
                       apr_pstrcat(hr->pool, hr->base_url, "/api/openapi.json",
                                   NULL),
                       "openapi_schema",
                       apr_pstrcat(hr->pool, hr->base_url, "/api/openapi.json",
                                   NULL)));
}

static int patchwork_health(hub_req_t *hr, hub_result_t *res)
{
    int ok = hub_auth_db_ok(hr->r);
    return hub_ok_status(res, ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s,s:s,s:s}", "status",
                                   ok ? "healthy" : "unhealthy", "version",
                                   HUB_VERSION, "timestamp",
                                   hub_iso8601(hr->pool, apr_time_now())));
}

static int caylex_health(hub_req_t *hr, hub_result_t *res)
{
    int ok = hub_auth_db_ok(hr->r);
    return hub_ok_status(res, ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s,s:s,s:s,s:s}", "status",
                                   ok ? "healthy" : "unhealthy", "timestamp",
                                   hub_iso8601(hr->pool, apr_time_now()),
                                   "service", "mod_hub", "version",
                                   HUB_VERSION));
}

static int goclaw_health(hub_req_t *hr, hub_result_t *res)
{
    int ok = hub_auth_db_ok(hr->r);
    return hub_ok_status(res, ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s,s:I,s:s,s:s}", "status",
                                   ok ? "ok" : "error", "uptime_ms",
                                   (json_int_t)apr_time_as_msec(
                                       apr_time_now() - hub_auth_started()),
                                   "mode", "managed", "database",
                                   ok ? "ok" : "error"));
}

static int toolhub_live(hub_req_t *hr HUB_UNUSED, hub_result_t *res)
{
    return hub_ok(res, json_pack("{s:s}", "status", "alive"));
}

static int toolhub_ready(hub_req_t *hr, hub_result_t *res)
{
    int db = hub_auth_db_ok(hr->r), sched = scheduler_ok();
    return hub_ok_status(res, db && sched ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s,s:{s:b,s:b}}", "status",
                                   db && sched ? "ready" : "not_ready",
                                   "checks", "database", db, "scheduler",
                                   sched));
}

static int g4f_root(hub_req_t *hr, hub_result_t *res)
{
    APR_OPTIONAL_FN_TYPE(hub_auth_route_tables) *tables_fn =
        APR_RETRIEVE_OPTIONAL_FN(hub_auth_route_tables);
    const apr_array_header_t *tables = tables_fn();
    unsigned flags_ok = hub_conf_diagnostics(hr->conf) ? HUB_ROUTE_DIAG : 0;
    json_t *eps = json_array();
    int t;
    for (t = 0; t < tables->nelts; t++) {
        const hub_route_t *rt =
            APR_ARRAY_IDX(tables, t, hub_route_table_t).routes;
        for (; rt->path; rt++) {
            if (rt->profile == HUB_G4F && !(rt->flags & ~flags_ok)) {
                json_array_append_new(eps,
                                      json_pack("{s:s,s:s}", "method",
                                                hub_method_name(rt->method),
                                                "path", rt->path));
            }
        }
    }
    return hub_ok(res,
                  json_pack("{s:b,s:s,s:s,s:s,s:o}", "ok", 1, "name",
                            hub_profile_title(HUB_G4F), "version", HUB_VERSION,
                            "base_path", hr->conf->prefix, "endpoints", eps));
}

static int g4f_health(hub_req_t *hr, hub_result_t *res)
{
    int ok = hub_auth_db_ok(hr->r);
    apr_time_t now = apr_time_now();
    return hub_ok_status(res, ok ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:b,s:s,s:s,s:I,s:s}", "ok", ok, "version",
                                   HUB_VERSION, "build", HUB_BUILD, "uptime_s",
                                   (json_int_t)apr_time_sec(
                                       now - hub_auth_started()),
                                   "time", hub_iso8601(hr->pool, now)));
}

static int g4f_capabilities(hub_req_t *hr, hub_result_t *res)
{
    const char *mods[] = { "mod_hub_auth.c", "mod_hub_servers.c",
                           "mod_hub_analytics.c", "mod_hub_workflows.c" };
    const char *names[] = { "auth", "servers", "analytics", "workflows" };
    json_t *features = json_object();
    size_t i;
    for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        json_object_set_new(features, names[i],
                            json_boolean(ap_find_linked_module(mods[i])
                                         != NULL));
    }
    json_object_set_new(features, "server_stats", json_true());
    json_object_set_new(features, "openapi", json_true());
    return hub_ok(res, json_pack("{s:o,s:{s:I,s:i,s:i}}", "features", features,
                                 "limits", "max_body_bytes",
                                 (json_int_t)hub_conf_max_body(hr->conf),
                                 "max_json_depth", hub_conf_max_depth(hr->conf),
                                 "stats_window_max_s", HUB_STATS_WINDOW_MAX));
}

/* patchwork_root */
#define ROOT_OUT \
    HUB_DOC_ONE("APIRootResponse", \
                OBJ("\"message\":" STR ",\"versions\":" \
                    "{\"type\":\"object\",\"additionalProperties\":" STR "}" \
                    ",\"documentation\":" STR ",\"openapi_schema\":" STR, \
                    "\"message\",\"versions\",\"documentation\"," \
                    "\"openapi_schema\""))
/* g4f_capabilities: a feature each module or part, and the limits */
#define CAPABILITIES_OUT \
    HUB_DOC_ONE("Capabilities", \
                OBJ("\"features\":" \
                    "{\"type\":\"object\",\"additionalProperties\":" BOOL "}" \
                    ",\"limits\":" OBJ( \
                        "\"max_body_bytes\":" INT ",\"max_json_depth\":" INT \
                        ",\"stats_window_max_s\":" INT, \
                        "\"max_body_bytes\",\"max_json_depth\"," \
                        "\"stats_window_max_s\""), \
                    "\"features\",\"limits\""))

/* clang-format off */
const hub_route_t hub_auth_core_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/", patchwork_root, NULL,
      HUB_IN_PUBLIC, 0, "API Root",
      .need = HUB_NEED_PUBLIC, .doc = ROOT_OUT },
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/health", patchwork_health, NULL,
      HUB_IN_PUBLIC, 0, "Health Check",
      .need = HUB_NEED_PUBLIC },
    { HUB_CAYLEX, HUB_M_GET, "/health", caylex_health, NULL,
      HUB_IN_PUBLIC, 0, "Service Health Check",
      .need = HUB_NEED_PUBLIC },
    { HUB_GOCLAW, HUB_M_GET, "/health", goclaw_health, NULL,
      HUB_IN_PUBLIC, 0, "Health check",
      .need = HUB_NEED_PUBLIC },
    { HUB_TOOLHUB, HUB_M_GET, "/health/live", toolhub_live, NULL,
      HUB_IN_PUBLIC, 0, "Liveness probe",
      .need = HUB_NEED_PUBLIC },
    { HUB_TOOLHUB, HUB_M_GET, "/health/ready", toolhub_ready, NULL,
      HUB_IN_PUBLIC, 0, "Readiness probe",
      .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/", g4f_root, NULL,
      HUB_IN_PUBLIC, 0, "Core (Public): GET /",
      .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/health", g4f_health, NULL,
      HUB_IN_PUBLIC, 0, "Core (Public): GET /health",
      .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/capabilities", g4f_capabilities, NULL,
      HUB_IN_PUBLIC, 0, "Core (Public): GET /capabilities",
      .need = HUB_NEED_PUBLIC, .doc = CAPABILITIES_OUT },
    { 0 }
};
/* clang-format on */
