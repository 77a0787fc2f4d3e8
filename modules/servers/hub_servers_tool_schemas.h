/* The answers of the tool registries (GoClaw's /v1/skills,
 * /v1/tools/custom, /v1/tools/builtin; G4F's /tools) as the served
 * OpenAPI documents describe them (hub_openapi_schema.h): written once
 * here because GoClaw's custom tools and G4F's tools are the same
 * object (hub_ctool_json) under two names of its schema member.
 * t/http/62 checks each against live answers. */
#ifndef HUB_SERVERS_TOOL_SCHEMAS_H
#define HUB_SERVERS_TOOL_SCHEMAS_H

#include "hub_openapi_schema.h"

/* a JSON Schema (of a tool's arguments): the caller's own, free-form */
#define TS_JSON_SCHEMA "{\"type\":\"object\",\"additionalProperties\":true}"
/* {"status": "updated"} / {"status": "deleted"}: GoClaw's answer to a
 * change of a registry's entry */
#define TS_STATUS(word) OBJ("\"status\":" ENUM("\"" word "\""), "\"status\"")

/* ---- custom tools (hub_ctool_json) ---- */
/* an object of exactly these members */
#define TS_CLOSED(props, req) \
    "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req \
    "],\"additionalProperties\":false}"
/* a map of names to strings (an http handler's headers) */
#define TS_STR_MAP "{\"type\":\"object\",\"additionalProperties\":" STR "}"
#define TS_METHOD  ENUM("\"GET\",\"POST\",\"PUT\",\"PATCH\",\"DELETE\"")
/* a handler as answered: an HTTP request (its header values masked
 * "********") or a tool of one of the tenant's MCP servers */
#define TS_IS_HTTP "\"type\":" ENUM("\"http\"")
#define TS_IS_MCP  "\"type\":" ENUM("\"mcp\"")
#define TS_HANDLER_HTTP \
    TS_CLOSED(TS_IS_HTTP ",\"url\":" STR ",\"method\":" TS_METHOD \
                         ",\"headers\":" TS_STR_MAP, \
              "\"type\",\"url\",\"method\",\"headers\"")
#define TS_HANDLER_MCP \
    TS_CLOSED(TS_IS_MCP ",\"server_id\":" STR ",\"tool\":" STR, \
              "\"type\",\"server_id\",\"tool\"")
#define TS_HANDLER "{\"oneOf\":[" TS_HANDLER_HTTP "," TS_HANDLER_MCP "]}"
/* a custom tool, its arguments' schema under schema_name ("parameters"
 * for GoClaw, "schema" for G4F) */
#define TS_CUSTOM_TOOL(schema_name) \
    OBJ("\"id\":" STR ",\"name\":" STR ",\"scope\":" STR \
        ",\"description\":" STR ",\"" schema_name "\":" TS_JSON_SCHEMA \
        ",\"handler\":" TS_HANDLER ",\"timeout_seconds\":" INT \
        ",\"enabled\":" BOOL ",\"created_by\":" NSTR ",\"created_at\":" STR \
        ",\"updated_at\":" STR, \
        "\"id\",\"name\",\"scope\",\"description\",\"" schema_name "\"," \
        "\"handler\",\"timeout_seconds\",\"enabled\",\"created_by\"," \
        "\"created_at\",\"updated_at\"")

#endif
