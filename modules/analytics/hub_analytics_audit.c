/* The audit trail (audit_events, sql/031), read by two profiles:
 *
 *   g4f    GET /audit         {items[] id, ts, actor_user_id, project_id,
 *                              type, data; next_cursor}
 *   goclaw GET /v1/activity   {logs[], total, limit, offset}, as GoClaw's
 *                              own ActivityHandler answers it
 *
 * What feeds it: every G4F settings change (a trigger on settings_audit,
 * type settings.changed, data {path, from, to}) and the mutations that
 * call hub_audit (hub_audit.h): projects created and deleted through
 * Caylex and G4F (project.created, project.deleted), API keys and
 * platform tokens made and revoked (api_key.created, api_key.revoked;
 * entity_type the key's kind), telemetry alerts made here
 * (telemetry.alert_created).  Decisions:
 * - newest first; G4F: limit 1..200 (50), cursor the offset next_cursor
 *   gave, project_id (a UUID: 400 otherwise) and type exact; GoClaw:
 *   limit 1..200 (50), offset, and its own filters actor_type, actor_id,
 *   action (the type), entity_type, entity_id, all exact.
 * - GoClaw's log entry: id, actor_type (user | key | system), actor_id,
 *   action, entity_type, entity_id, details (the data), ip_address,
 *   created_at.
 * - only the caller's tenant: another tenant's project id finds
 *   nothing. */
#include <apr_strings.h>
#include "hub_analytics_private.h"

/* clang-format off */
const hub_stmt_t hub_analytics_audit_stmts[] = {
    { "hub_an_g4f_audit",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS project,"
      "                  %s::text AS type),"
      " f AS (SELECT a.* FROM audit_events a, p"
      "        WHERE a.tenant_id = p.tenant"
      "          AND (p.project IS NULL OR a.project_id = p.project)"
      "          AND (p.type IS NULL OR a.type = p.type))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM (SELECT 1) one LEFT JOIN LATERAL ("
      "    SELECT id, iso8601(created_at) AS ts, actor_user_id, project_id,"
      "           type, data::text AS data"
      "      FROM f ORDER BY f.seq DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_an_gc_activity",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::text AS actor_type,"
      "                  %s::text AS actor_id, %s::text AS action,"
      "                  %s::text AS entity_type, %s::text AS entity_id),"
      " f AS (SELECT a.* FROM audit_events a, p"
      "        WHERE a.tenant_id = p.tenant"
      "          AND (p.actor_type IS NULL OR a.actor_type = p.actor_type)"
      "          AND (p.actor_id IS NULL OR a.actor_id = p.actor_id)"
      "          AND (p.action IS NULL OR a.type = p.action)"
      "          AND (p.entity_type IS NULL OR a.entity_type = p.entity_type)"
      "          AND (p.entity_id IS NULL OR a.entity_id = p.entity_id))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM (SELECT 1) one LEFT JOIN LATERAL ("
      "    SELECT id, actor_type, actor_id, type AS action, entity_type,"
      "           entity_id, data::text AS details, ip_address,"
      "           iso8601(created_at) AS created_at"
      "      FROM f ORDER BY f.seq DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_G4F, ST_GC };
#define STMT(i) (&hub_analytics_audit_stmts[i])

/* clang-format off */
static const hub_shape_t g4f_event[] = {
    { "id", NULL, HUB_J_STRING },
    { "ts", NULL, HUB_J_STRING },
    { "actor_user_id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "type", NULL, HUB_J_STRING },
    { "data", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static const hub_shape_t gc_log[] = {
    { "id", NULL, HUB_J_STRING },
    { "actor_type", NULL, HUB_J_STRING },
    { "actor_id", NULL, HUB_J_STRING },
    { "action", NULL, HUB_J_STRING },
    { "entity_type", NULL, HUB_J_STRING },
    { "entity_id", NULL, HUB_J_STRING },
    { "details", NULL, HUB_J_JSON },
    { "ip_address", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t g4f_query[] = {
    { "project_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Project ID filter." },
    { "type", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 100, 0, NULL,
      "Type filter." },
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};

#define GC_FILTER(name, what) \
    { name, HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL, what }
static const hub_qfield_t gc_query[] = {
    { "limit", HUB_Q_INT, 0, 1, 200, 50, NULL, "entries per page" },
    { "offset", HUB_Q_OFFSET, 0, 0, 0, 0, NULL, "entries to skip" },
    GC_FILTER("actor_type", "user, key or system"),
    GC_FILTER("actor_id", "the actor's id"),
    GC_FILTER("action", "e.g. settings.changed"),
    GC_FILTER("entity_type", "what the action was on"),
    GC_FILTER("entity_id", "its id"),
    HUB_Q_END
};
/* clang-format on */

static int g4f_audit(hub_req_t *hr, hub_result_t *res)
{
    const char *args[5];
    hub_page_t pg;

    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = hub_qv_str(&hr->q, "project_id");
    args[2] = hub_qv_str(&hr->q, "type");
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_G4F), 5, args, g4f_event, &pg,
                           NULL);
}

static int gc_activity(hub_req_t *hr, hub_result_t *res)
{
    static const char *const filters[] = { "actor_type", "actor_id", "action",
                                           "entity_type", "entity_id" };
    const char *args[8];
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    long total;
    int i;

    hub_qv_page(&hr->q, "limit", "offset", &pg);
    args[0] = hr->who->tenant_id;
    for (i = 0; i < 5; i++) {
        args[1 + i] = hub_qv_str(&hr->q, filters[i]);
    }
    args[6] = apr_ltoa(hr->pool, pg.limit);
    args[7] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, STMT(ST_GC), &rows, 8, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    return hub_ok(res,
                  json_pack("{s:o,s:I,s:I,s:I}", "logs",
                            hub_rows_json(rows, gc_log), "total",
                            (json_int_t)total, "limit", (json_int_t)pg.limit,
                            "offset", (json_int_t)pg.offset));
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_analytics_audit_routes[] = {
    { HUB_G4F, HUB_M_GET, "/audit", g4f_audit, NULL, G4F_IN, 0,
      "Notifications / Audit / Admin: GET /audit",
      .need = HUB_NEED_READ, .query = g4f_query, .shape = g4f_event,
      .wrap = HUB_WRAP_G4F_PAGE },
    { HUB_GOCLAW, HUB_M_GET, "/v1/activity", gc_activity, NULL, 0, 0,
      "List audit activity logs",
      .need = HUB_NEED_READ, .query = gc_query },
    { 0 }
};
/* clang-format on */
