/* Notifications, one table (sql/031) read by two profiles:
 *
 *   caylex GET  /notifications                 Page[NotificationResponse]
 *   caylex GET  /notifications/unread-count    {"count"}
 *   caylex POST /notifications/read-all        {"status": "ok"}
 *   caylex POST /notifications/clear-all       {"status": "ok"}
 *   caylex GET  /webhooks/event-types          {"scopes": [...]}
 *   g4f    GET  /notifications                 {items, next_cursor}
 *   g4f    POST /notifications/ack             {"ok": true}
 *
 * Rows are written by the analytics watchdog (hub_analytics_events.c:
 * failed gateway calls, alerts that fire).  Decisions:
 * - the reader is the user behind the credentials, else the key itself;
 *   a Caylex platform access token is no reader at all
 *   (hub_notification_reader, sql/031): it sees every row unread and
 *   uncleared, and its read-all / clear-all answer ok and change
 *   nothing ("Platform tokens no-op").
 * - Caylex: is_read is created_at <= the reader's last_read_at; rows at
 *   or before last_cleared_at are not listed nor counted; clear-all
 *   moves both watermarks to now.  Watermarks only move forward.
 *   `search` is a case-insensitive substring of body, severity, data (as
 *   JSON text) or actor_id, with LIKE's wildcards taken literally.  Newest
 *   first; size 1..100 (20) and the opaque cursor of meta.next_cursor.
 * - G4F: level is the severity; acked is per reader, set by ack.  ack
 *   takes 1..1000 ids; ids of no notification of the caller's tenant
 *   are ignored (another tenant's rows are never touched); acking twice
 *   is the same as once.  Caylex's watermarks and G4F's acks are two
 *   views of one table and neither moves the other.  limit 1..200 (50),
 *   cursor the offset next_cursor gave.
 * - event types: the project scope lists the types Caylex's worker
 *   knows (the watchdog writes the three error ones); tenant and system
 *   are reserved and empty.  `scope` repeats; the answer follows the
 *   request's order; an unknown scope is 400. */
#include <apr_strings.h>
#include "hub_analytics_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_text.h"
#include "hub_validate.h"

/* the reader's watermarks: exactly one row, NULLs when none */
#define ME \
    "me AS (SELECT w.last_read_at, w.last_cleared_at" \
    "  FROM (SELECT hub_notification_reader(p.key, p.usr) AS reader" \
    "          FROM p) r" \
    "  LEFT JOIN notification_watermarks w" \
    "    ON w.tenant_id = (SELECT tenant FROM p) AND w.reader_id = r.reader)"

#define VISIBLE \
    " n.tenant_id = p.tenant" \
    " AND (me.last_cleared_at IS NULL OR n.created_at > me.last_cleared_at)" \
    " AND (p.project IS NULL OR n.project_id = p.project)"

/* clang-format off */
const hub_stmt_t hub_analytics_notifications_stmts[] = {
    { "hub_an_cx_notifications",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS key,"
      "                  %s::uuid AS usr, %s::uuid AS project,"
      "                  %s::text AS event_type, %s::text AS severity,"
      "                  %s::text AS pattern),"
      " " ME ","
      " f AS (SELECT n.*, coalesce(n.created_at <= me.last_read_at, false)"
      "              AS is_read"
      "         FROM notifications n, p, me WHERE" VISIBLE
      "          AND (p.event_type IS NULL OR n.event_type = p.event_type)"
      "          AND (p.severity IS NULL OR n.severity = p.severity)"
      "          AND (p.pattern IS NULL OR n.body ILIKE p.pattern"
      "               OR n.severity ILIKE p.pattern"
      "               OR n.data::text ILIKE p.pattern"
      "               OR n.actor_id::text ILIKE p.pattern))"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM (SELECT 1) one LEFT JOIN LATERAL ("
      "    SELECT id, project_id, event_type, title, body, severity,"
      "           data::text AS data, is_read, iso8601(created_at)"
      "           AS created_at, target_type, target_id, actor_id"
      "      FROM f ORDER BY f.created_at DESC, f.seq DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_an_cx_unread",
      "WITH p AS (SELECT %s::uuid AS tenant, %s::uuid AS key,"
      "                  %s::uuid AS usr, %s::uuid AS project),"
      " " ME
      " SELECT count(*) AS count FROM notifications n, p, me WHERE" VISIBLE
      "    AND (me.last_read_at IS NULL OR n.created_at > me.last_read_at)" },
    /* read-all ($4 false) and clear-all ($4 true): forward only */
    { "hub_an_cx_watermark",
      "INSERT INTO notification_watermarks (tenant_id, reader_id,"
      "                                     last_read_at, last_cleared_at)"
      " SELECT %s::uuid, r.reader, now(),"
      "        CASE WHEN %s::boolean THEN now() END"
      "   FROM (SELECT hub_notification_reader(%s::uuid, %s::uuid)"
      "                AS reader) r"
      "  WHERE r.reader IS NOT NULL"
      " ON CONFLICT (tenant_id, reader_id) DO UPDATE SET"
      "   last_read_at = greatest(notification_watermarks.last_read_at,"
      "                           EXCLUDED.last_read_at),"
      "   last_cleared_at = greatest(notification_watermarks.last_cleared_at,"
      "                              EXCLUDED.last_cleared_at)" },
    { "hub_an_g4f_notifications",
      "WITH p AS (SELECT %s::uuid AS tenant,"
      "                  hub_notification_reader(%s::uuid, %s::uuid)"
      "                  AS reader)"
      " SELECT (SELECT count(*) FROM notifications n, p"
      "          WHERE n.tenant_id = p.tenant) AS total, x.*"
      "   FROM (SELECT 1) one LEFT JOIN LATERAL ("
      "    SELECT n.id, iso8601(n.created_at) AS ts, n.severity AS level,"
      "           n.title, n.body, EXISTS (SELECT 1 FROM notification_acks a"
      "             WHERE a.notification_id = n.id"
      "               AND a.reader_id = p.reader) AS acked"
      "      FROM notifications n, p WHERE n.tenant_id = p.tenant"
      "     ORDER BY n.created_at DESC, n.seq DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_an_g4f_ack",
      "INSERT INTO notification_acks (tenant_id, notification_id, reader_id)"
      " SELECT n.tenant_id, n.id, r.reader"
      "   FROM notifications n,"
      "        (SELECT hub_notification_reader(%s::uuid, %s::uuid)"
      "                AS reader) r"
      "  WHERE n.tenant_id = %s::uuid AND r.reader IS NOT NULL"
      "    AND n.id = ANY (%s::uuid[])"
      " ON CONFLICT DO NOTHING" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_CX_PAGE, ST_CX_UNREAD, ST_CX_MARK, ST_G4F_PAGE, ST_G4F_ACK };
#define STMT(i) (&hub_analytics_notifications_stmts[i])

#define ACK_MAX 1000

/* ---- Caylex -------------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t cx_notification[] = {
    { "id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "event_type", NULL, HUB_J_STRING },
    { "title", NULL, HUB_J_STRING },
    { "body", NULL, HUB_J_STRING },
    { "severity", NULL, HUB_J_STRING },
    { "data", NULL, HUB_J_JSON },
    { "is_read", NULL, HUB_J_BOOL },
    { "created_at", NULL, HUB_J_STRING },
    { "target_type", NULL, HUB_J_STRING },
    { "target_id", NULL, HUB_J_STRING },
    { "actor_id", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t cx_list_query[] = {
    { "project_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Filter by project" },
    { "event_type", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 100, 0, NULL,
      "Filter by event type" },
    { "severity", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 20, 0, NULL,
      "Filter by severity" },
    { "search", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "Search body, severity, data (JSON), or actor_id" },
    HUB_Q_CX_PAGE,
    HUB_Q_END
};

static const hub_qfield_t cx_unread_query[] = {
    { "project_id", HUB_Q_UUID, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "Filter by project" },
    HUB_Q_END
};
/* clang-format on */

static int cx_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[9];
    hub_page_t pg;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = hr->who->key_id;
    args[2] = hr->who->user_id;
    args[3] = hub_qv_str(&hr->q, "project_id");
    args[4] = hub_qv_str(&hr->q, "event_type");
    args[5] = hub_qv_str(&hr->q, "severity");
    args[6] = hub_like_contains(hr->pool, hub_qv_str(&hr->q, "search"));
    args[7] = apr_ltoa(hr->pool, pg.limit);
    args[8] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_CX_PAGE), 9, args, cx_notification,
                           &pg, NULL);
}

static int cx_unread(hub_req_t *hr, hub_result_t *res)
{
    const char *args[4] = { hr->who->tenant_id, hr->who->key_id,
                            hr->who->user_id,
                            hub_qv_str(&hr->q, "project_id") };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(hr->r, STMT(ST_CX_UNREAD), &rows, 4,
                                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:I}", "count",
                            (json_int_t)atol(hub_rows_get(rows, 0, "count"))));
}

static int cx_mark(hub_req_t *hr, hub_result_t *res, int clear)
{
    const char *args[4] = { hr->who->tenant_id, clear ? "true" : "false",
                            hr->who->key_id, hr->who->user_id };
    hub_db_status_e st = hub_db_exec(hr->r, STMT(ST_CX_MARK), NULL, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:s}", "status", "ok"));
}

static int cx_read_all(hub_req_t *hr, hub_result_t *res)
{
    return cx_mark(hr, res, 0);
}

static int cx_clear_all(hub_req_t *hr, hub_result_t *res)
{
    return cx_mark(hr, res, 1);
}

/* ---- Caylex: webhook event types ------------------------------------------ */

static const char *const project_events[] = {
    "query.created",
    "tool_call.completed",
    "tool_call.error",
    "tool_call.rejected",
    "credentials.resolve_failed",
    "proxy_tool.error",
    NULL
};
static const char *const scopes[] = { "project", "tenant", "system", NULL };

static json_t *scope_json(const char *scope)
{
    json_t *types = json_array();
    int i;
    if (!strcmp(scope, "project")) {
        for (i = 0; project_events[i]; i++) {
            json_array_append_new(types, json_string(project_events[i]));
        }
    }
    return json_pack("{s:s,s:o}", "scope", scope, "event_types", types);
}

/* The scopes asked for, in order, from the raw query: `scope` repeats,
 * and httpd's parsed arguments keep one value per name.  NULL with
 * *unknown set at the first scope that is none. */
static apr_array_header_t *asked_scopes(hub_req_t *hr, const char **unknown)
{
    apr_array_header_t *out = apr_array_make(hr->pool, 3, sizeof(char *));
    char *args = apr_pstrdup(hr->pool, hr->r->args ? hr->r->args : "");
    char *last, *pair;
    int i;

    for (pair = apr_strtok(args, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        const char *v;
        if (strncmp(pair, "scope=", 6)) {
            continue;
        }
        v = hub_url_decode(hr->pool, pair + 6, strlen(pair + 6));
        for (i = 0; v && scopes[i] && strcmp(scopes[i], v); i++) {
        }
        if (!v || !scopes[i]) {
            *unknown = v ? v : pair + 6;
            return NULL;
        }
        APR_ARRAY_PUSH(out, const char *) = scopes[i];
    }
    return out;
}

static int cx_event_types(hub_req_t *hr, hub_result_t *res)
{
    const char *unknown = NULL;
    apr_array_header_t *asked = asked_scopes(hr, &unknown);
    json_t *out;
    int i;

    if (!asked) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Unknown scope '%s'; known scopes: project, tenant, "
                       "system",
                       unknown);
    }
    out = json_array();
    for (i = 0; i < asked->nelts; i++) {
        json_array_append_new(out, scope_json(APR_ARRAY_IDX(asked, i, char *)));
    }
    for (i = 0; !asked->nelts && scopes[i]; i++) {
        json_array_append_new(out, scope_json(scopes[i]));
    }
    return hub_ok(res, json_pack("{s:o}", "scopes", out));
}

/* ---- G4F ----------------------------------------------------------------- */

/* clang-format off */
static const hub_shape_t g4f_notification[] = {
    { "id", NULL, HUB_J_STRING },
    { "ts", NULL, HUB_J_STRING },
    { "level", NULL, HUB_J_STRING },
    { "title", NULL, HUB_J_STRING },
    { "body", NULL, HUB_J_STRING },
    { "acked", NULL, HUB_J_BOOL },
    { NULL, NULL, 0 }
};

static const hub_qfield_t g4f_list_query[] = {
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};

static const hub_field_t g4f_ack_in[] = {
    { "ids", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "the notifications to acknowledge (1..1000 ids)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int g4f_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[5];
    hub_page_t pg;

    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = hr->who->tenant_id;
    args[1] = hr->who->key_id;
    args[2] = hr->who->user_id;
    args[3] = apr_ltoa(hr->pool, pg.limit);
    args[4] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_G4F_PAGE), 5, args,
                           g4f_notification, &pg, NULL);
}

/* ids as PostgreSQL's uuid[] literal, or NULL with the problem in res */
static const char *ack_ids(hub_req_t *hr, hub_result_t *res)
{
    json_t *ids = json_object_get(hr->body, "ids"), *v;
    size_t i;

    if (!json_array_size(ids) || json_array_size(ids) > ACK_MAX) {
        hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                "ids: give 1 to %d notification ids", ACK_MAX);
        return NULL;
    }
    json_array_foreach(ids, i, v) {
        if (!hub_is_uuid(json_string_value(v))) {
            hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                    "ids[%u]: not a notification id (a UUID)", (unsigned)i);
            return NULL;
        }
    }
    return hub_pg_array(hr->pool, ids);
}

static int g4f_ack(hub_req_t *hr, hub_result_t *res)
{
    const char *args[4];
    hub_db_status_e st;

    if (!(args[3] = ack_ids(hr, res))) {
        return HUB_DONE;
    }
    args[0] = hr->who->key_id;
    args[1] = hr->who->user_id;
    args[2] = hr->who->tenant_id;
    st = hub_db_exec(hr->r, STMT(ST_G4F_ACK), NULL, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_analytics_notifications_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/notifications", cx_list, NULL, 0, 0,
      "List notifications",
      .need = HUB_NEED_READ, .query = cx_list_query,
      .wrap = HUB_WRAP_CX_PAGE, .shape = cx_notification,
      .doc = HUB_DOC("NotificationResponse", NULL) },
    { HUB_CAYLEX, HUB_M_GET, "/notifications/unread-count", cx_unread, NULL,
      0, 0, "Get unread notification count",
      .need = HUB_NEED_READ, .query = cx_unread_query },
    { HUB_CAYLEX, HUB_M_POST, "/notifications/read-all", cx_read_all, NULL,
      0, 0, "Mark all current notifications as read for the calling user",
      .need = HUB_NEED_READ },
    { HUB_CAYLEX, HUB_M_POST, "/notifications/clear-all", cx_clear_all, NULL,
      0, 0, "Clear the inbox for the calling user",
      .need = HUB_NEED_READ },
    { HUB_CAYLEX, HUB_M_GET, "/webhooks/event-types", cx_event_types, NULL,
      0, 0, "List Webhook Event Types by Scope",
      .need = HUB_NEED_READ },
    { HUB_G4F, HUB_M_GET, "/notifications", g4f_list, NULL, G4F_IN, 0,
      "Notifications / Audit / Admin: GET /notifications",
      .need = HUB_NEED_READ, .query = g4f_list_query,
      .shape = g4f_notification, .wrap = HUB_WRAP_G4F_PAGE },
    { HUB_G4F, HUB_M_POST, "/notifications/ack", g4f_ack, g4f_ack_in, G4F_IN,
      0, "Notifications / Audit / Admin: POST /notifications/ack",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
