/* The only SQL over custom_tools, skills and builtin_tool_settings
 * (sql/039): GoClaw's /v1/tools/custom, /v1/skills and /v1/tools/builtin
 * and G4F's /tools read and write them through these statements, each
 * keyed by the caller's tenant.  No statement that answers a request
 * selects the sealed header values (`secrets`): only ST_TOOL_CALL and
 * ST_TOOL_SECRETS do, for a call and for an update that keeps them. */
#include "hub_servers_tool_registry.h"

#define TOOL_COLS \
    "id, name, scope, description, parameters, handler, timeout_seconds," \
    " enabled, created_by, iso8601(created_at) AS created_at," \
    " iso8601(updated_at) AS updated_at"

/* a skill's files without their content: [{path, size}] */
#define SKILL_FILE_LIST(f) \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('path', e->>'path'," \
    " 'size', octet_length(e->>'content')) ORDER BY e->>'path'), '[]')" \
    " FROM jsonb_array_elements(" f ") e)"

#define SKILL_COLS \
    "id, name, description, version, enabled, size, sha256, created_by," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"

/* clang-format off */
const hub_stmt_t hub_servers_tool_store_stmts[] = {
    /* ---- custom tools ---- */
    /* no row back: the name is taken in the tenant */
    [ST_TOOL_INSERT] = { "hub_ctool_insert",
      "INSERT INTO custom_tools (tenant_id, name, scope, description,"
      "  parameters, handler, secrets, server_id, timeout_seconds, enabled,"
      "  created_by)"
      " VALUES (%s::uuid, %s, coalesce(%s, 'tenant'), coalesce(%s, ''),"
      "  %s::jsonb, %s::jsonb, %s::jsonb, %s::uuid,"
      "  coalesce(%s::int, 30), coalesce(%s::boolean, true), %s)"
      " ON CONFLICT (tenant_id, name) DO NOTHING"
      " RETURNING " TOOL_COLS },
    [ST_TOOL_GET] = { "hub_ctool_get",
      "SELECT " TOOL_COLS " FROM custom_tools"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* for an update that keeps header values, and for a call */
    [ST_TOOL_SECRETS] = { "hub_ctool_secrets",
      "SELECT " TOOL_COLS ", secrets FROM custom_tools"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* what a call needs: the handler and its sealed values */
    [ST_TOOL_CALL] = { "hub_ctool_call",
      "SELECT id, name, parameters, handler, secrets, server_id,"
      "       timeout_seconds, enabled FROM custom_tools"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* an mcp handler's server, as the prober reaches it */
    [ST_TOOL_TARGET] = { "hub_ctool_target",
      "SELECT id, mode, endpoint, transport, auth_config, secrets, command,"
      "       args, enabled FROM servers"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* NULL keeps a column; the handler's three go together (%s flag) */
    [ST_TOOL_UPDATE] = { "hub_ctool_update",
      "UPDATE custom_tools SET"
      "  name = coalesce(%s, name),"
      "  scope = coalesce(%s, scope),"
      "  description = coalesce(%s, description),"
      "  parameters = coalesce(%s::jsonb, parameters),"
      "  handler = CASE WHEN %s::boolean THEN %s::jsonb ELSE handler END,"
      "  secrets = CASE WHEN %s::boolean THEN %s::jsonb ELSE secrets END,"
      "  server_id = CASE WHEN %s::boolean THEN %s::uuid ELSE server_id END,"
      "  timeout_seconds = coalesce(%s::int, timeout_seconds),"
      "  enabled = coalesce(%s::boolean, enabled),"
      "  updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid"
      " RETURNING " TOOL_COLS },
    [ST_TOOL_DELETE] = { "hub_ctool_delete",
      "DELETE FROM custom_tools WHERE id = %s::uuid AND tenant_id = %s::uuid"
      " RETURNING id" },
    [ST_TOOL_LIST] = { "hub_ctool_list",
      "SELECT " TOOL_COLS " FROM custom_tools"
      " WHERE tenant_id = %s::uuid ORDER BY name" },
    /* G4F's page: scope exact, q in the name or description (any case);
     * the newest first */
    [ST_TOOL_PAGE] = { "hub_ctool_page",
      "WITH f AS ("
      "  SELECT * FROM custom_tools"
      "   WHERE tenant_id = %s::uuid"
      "     AND (%s::text IS NULL OR scope = %s::text)"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(name), lower(%s::text)) > 0"
      "          OR strpos(lower(description), lower(%s::text)) > 0))"
      " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT " TOOL_COLS " FROM f"
      "                    ORDER BY f.created_at DESC, f.id DESC"
      "                    LIMIT %s::bigint OFFSET %s::bigint) p ON true" },
    /* an mcp handler's server, in the tenant */
    [ST_TOOL_SERVER] = { "hub_ctool_server",
      "SELECT id FROM servers WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    [ST_TOOL_PROJECT] = { "hub_ctool_project",
      "SELECT id FROM projects WHERE id = %s::uuid AND tenant_id = %s::uuid" },

    /* ---- skills ---- */
    [ST_SKILL_INSERT] = { "hub_skill_insert",
      "INSERT INTO skills (tenant_id, name, description, content, files,"
      "  size, sha256, created_by)"
      " VALUES (%s::uuid, %s, %s, %s, %s::jsonb, %s::int, %s, %s)"
      " ON CONFLICT (tenant_id, name) DO NOTHING"
      " RETURNING " SKILL_COLS ", " SKILL_FILE_LIST("files") " AS files" },
    [ST_SKILL_LIST] = { "hub_skill_list",
      "SELECT " SKILL_COLS ", " SKILL_FILE_LIST("files") " AS files"
      "  FROM skills WHERE tenant_id = %s::uuid ORDER BY name" },
    /* the whole package: SKILL.md and the files with their content */
    [ST_SKILL_GET] = { "hub_skill_get",
      "SELECT " SKILL_COLS ", content,"
      " (SELECT coalesce(jsonb_agg(jsonb_build_object('path', e->>'path',"
      "   'size', octet_length(e->>'content'), 'content', e->>'content')"
      "   ORDER BY e->>'path'), '[]')"
      "  FROM jsonb_array_elements(files) e) AS files"
      "  FROM skills WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* a new package for the skill: its version goes up */
    [ST_SKILL_REPLACE] = { "hub_skill_replace",
      "UPDATE skills SET name = %s, description = %s, content = %s,"
      "  files = %s::jsonb, size = %s::int, sha256 = %s,"
      "  version = version + 1, updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid RETURNING id" },
    [ST_SKILL_SETTINGS] = { "hub_skill_settings",
      "UPDATE skills SET enabled = coalesce(%s::boolean, enabled),"
      "  description = coalesce(%s, description), updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid RETURNING id" },
    [ST_SKILL_DELETE] = { "hub_skill_delete",
      "DELETE FROM skills WHERE id = %s::uuid AND tenant_id = %s::uuid"
      " RETURNING id" },

    /* ---- built-in tools' settings ---- */
    [ST_BUILTIN_LIST] = { "hub_builtin_list",
      "SELECT name, enabled, settings, iso8601(updated_at) AS updated_at"
      "  FROM builtin_tool_settings WHERE tenant_id = %s::uuid" },
    /* args: tenant, name, enabled, settings, enabled, settings */
    [ST_BUILTIN_SET] = { "hub_builtin_set",
      "INSERT INTO builtin_tool_settings AS b (tenant_id, name, enabled,"
      "  settings)"
      " VALUES (%s::uuid, %s, coalesce(%s::boolean, true),"
      "  coalesce(%s::jsonb, '{}'))"
      " ON CONFLICT (tenant_id, name) DO UPDATE SET"
      "  enabled = coalesce(%s::boolean, b.enabled),"
      "  settings = coalesce(%s::jsonb, b.settings), updated_at = now()"
      " RETURNING name, enabled, settings,"
      "  iso8601(updated_at) AS updated_at" },
    /* the gateway's question: has the tenant disabled it? */
    [ST_BUILTIN_OFF] = { "hub_builtin_off",
      "SELECT 1 FROM builtin_tool_settings"
      " WHERE tenant_id = %s::uuid AND name = %s AND NOT enabled" },
    [ST_COUNT] = { NULL, NULL }
};
/* clang-format on */
