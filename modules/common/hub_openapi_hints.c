/* What the served OpenAPI documents say of a route beyond its row: the
 * spec's name of a shape's model, statuses an operation picks itself (a
 * health check's 503, a 201 or 204 the row does not carry), the schema
 * of an answer built by hand, a document that is not JSON.  A route with
 * no hint is described from its row alone (hub_openapi.c);
 * t/http/53-openapi-live.t checks live answers against what this says. */
#include <string.h>
#include "hub_openapi.h"
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

/* schemas of hand-built answers, as JSON text */
#define OBJ(props, req) \
    "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}"
#define STR         "{\"type\":\"string\"}"
#define NSTR        "{\"type\":\"string\",\"nullable\":true}"
#define INT         "{\"type\":\"integer\"}"
#define BOOL        "{\"type\":\"boolean\"}"
#define ARRAY_OF(s) "{\"type\":\"array\",\"items\":" s "}"
#define NUM         "{\"type\":\"number\"}"
#define NNUM        "{\"type\":\"number\",\"nullable\":true}"
#define NINT        "{\"type\":\"integer\",\"nullable\":true}"
#define OBJECT      "{\"type\":\"object\"}"
#define STRS        ARRAY_OF(STR)
/* Tool Hub's secret, without its value */
#define SECRET \
    OBJ("\"name\":" STR ",\"description\":" NSTR ",\"created_at\":" STR \
        ",\"updated_at\":" STR, \
        "\"name\",\"created_at\"")
/* {"ok": true}: G4F's answer to a change */
#define G4F_OK OBJ("\"ok\":" BOOL, "\"ok\"")
/* Caylex's ModifiedProjectResponse */
#define CX_ID OBJ("\"id\":" STR, "\"id\"")
/* an OpenAPI document, as the hub serves them */
#define OPENAPI \
    OBJ("\"openapi\":" STR ",\"info\":" OBJECT ",\"paths\":" OBJECT \
        ",\"components\":" OBJECT, \
        "\"openapi\",\"info\",\"paths\"")

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
    { PW, PST, "/api/v1/feedback/", NULL, 0, "201", NULL, NULL, NULL },
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
    { TH, GET, "/api/secrets", NULL, 0, NULL,
      ARRAY_OF(SECRET), NULL, NULL },
    { TH, PST, "/api/secrets", NULL, 0, "201", SECRET, NULL, NULL },
    { TH, DEL, "/api/secrets/:name", NULL, 0, "204", NULL, NULL, NULL },
    { TH, DEL, "/api/mcp/servers/:id", NULL, 0, "204", NULL, NULL, NULL },

    /* ---- G4F ---- */
    { G4F, GET, "/health", NULL, 0, "200 503",
      OBJ("\"ok\":" BOOL ",\"version\":" STR ",\"uptime_s\":" INT,
          "\"ok\",\"version\""), NULL, NULL },

    /* ---- hand-built answers, by what they hold ---- */
    { PW, GET, "/api/", "APIRootResponse", 0, NULL,
      OBJ("\"message\":" STR ",\"versions\":" OBJECT ",\"documentation\":"
          STR ",\"openapi_schema\":" STR, "\"message\",\"versions\""),
      NULL, NULL },
    { PW, GET, "/api/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { PW, GET, "/api/v1/servers/{slug}/quality/", "ToolQualityOut", 0, NULL,
      OBJ("\"server_slug\":" STR ",\"tool_count\":" INT
          ",\"average_score\":" NNUM ",\"tools\":" ARRAY_OF(OBJECT),
          "\"server_slug\",\"tool_count\",\"average_score\",\"tools\""),
      NULL, NULL },
    { PW, GET, "/api/v1/servers/{slug}/stats", "ServerStatsOut", 0, NULL,
      OBJ("\"server_id\":" STR ",\"server_name\":" STR ",\"mode\":" STR
          ",\"total_feedback\":" INT ",\"unreviewed\":" INT
          ",\"by_gap_type\":" OBJECT ",\"recent\":" ARRAY_OF(OBJECT),
          "\"server_id\",\"total_feedback\",\"by_gap_type\",\"recent\""),
      NULL, NULL },
    { CX, GET, "/docs", NULL, 0, NULL,
      OBJ("\"title\":" STR ",\"version\":" STR ",\"endpoints\":"
          OBJ("\"openapi_json\":" STR ",\"openapi_yaml\":" STR
              ",\"swagger_ui\":" STR, "\"openapi_json\",\"openapi_yaml\""),
          "\"title\",\"version\",\"endpoints\""), NULL, NULL },
    { CX, GET, "/docs/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { CX, GET, "/settings/general", "GeneralSettingsResponse", 0, NULL,
      OBJ("\"name\":" NSTR ",\"email\":" STR ",\"timezone\":" NSTR
          ",\"tenant_name\":" NSTR ",\"tenant_id\":" NSTR ",\"role\":" NSTR
          ",\"avatar_url\":" NSTR, "\"email\""), NULL, NULL },
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
    { G4F, GET, "/capabilities", NULL, 0, NULL,
      OBJ("\"features\":" OBJECT ",\"limits\":" OBJECT,
          "\"features\",\"limits\""), NULL, NULL },
    { G4F, GET, "/openapi.json", NULL, 0, NULL, OPENAPI, NULL, NULL },
    { G4F, GET, "/server/stats", NULL, 0, NULL,
      OBJ("\"window_s\":" INT ",\"cpu\":" OBJECT ",\"ram\":" OBJECT
          ",\"gpu\":" OBJECT ",\"network\":" OBJECT ",\"requests\":" OBJECT,
          "\"window_s\",\"cpu\",\"ram\",\"requests\""), NULL, NULL },
    { G4F, GET, "/me", NULL, 0, NULL,
      OBJ("\"user\":" OBJ("\"id\":" STR ",\"name\":" NSTR ",\"email\":" STR
                          ",\"roles\":" STRS ",\"created_at\":" STR
                          ",\"tenant\":" STR,
                          "\"id\",\"email\",\"roles\""),
          "\"user\""), NULL, NULL },
    { G4F, GET, "/settings", NULL, 0, NULL,
      OBJ("\"settings\":" OBJECT, "\"settings\""), NULL, NULL },
    { G4F, GET, "/settings/audit", NULL, 0, NULL,
      OBJ("\"items\":" ARRAY_OF(OBJECT) ",\"next_cursor\":" NINT,
          "\"items\",\"next_cursor\""), NULL, NULL },
    { G4F, GET, "/admin/users", NULL, 0, NULL,
      OBJ("\"items\":" ARRAY_OF(OBJ("\"id\":" STR ",\"name\":" NSTR
                                    ",\"email\":" STR ",\"created_at\":" STR
                                    ",\"disabled\":" BOOL ",\"roles\":" STRS,
                                    "\"id\",\"email\",\"roles\""))
          ",\"next_cursor\":" NINT, "\"items\",\"next_cursor\""), NULL, NULL },

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
    { CX, PST, "/platform-access-tokens", "CreatePlatformAccessTokenResponse",
      0, NULL,
      OBJ("\"id\":" STR ",\"name\":" STR ",\"description\":" NSTR
          ",\"expires_at\":" NSTR ",\"created_at\":" STR ",\"preview\":" STR
          ",\"role\":" STR ",\"token\":" STR, "\"id\",\"name\",\"token\""),
      NULL, NULL },
    { GC, PST, "/v1/api-keys", NULL, 0, NULL,
      OBJ("\"id\":" STR ",\"name\":" STR ",\"prefix\":" STR ",\"scopes\":" STRS
          ",\"expires_at\":" NSTR ",\"created_at\":" STR ",\"key\":" STR,
          "\"id\",\"name\",\"prefix\",\"scopes\",\"key\""), NULL, NULL },
    { GC, GET, "/v1/activity", NULL, 0, NULL,
      OBJ("\"logs\":" ARRAY_OF(OBJECT), "\"logs\""), NULL, NULL },
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
