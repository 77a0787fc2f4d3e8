/* Patchwork's feedback: POST /api/v1/feedback/ (FeedbackIn ->
 * FeedbackOut, 201), what agents say a server lacks, and GET
 * /api/v1/servers/{slug}/stats (ServerStatsOut).
 *
 * Who may post: the server's own key (for its own server only: a
 * `server_slug` naming another server is 403), or an API key of the
 * server's team with write access, naming the server in `server_slug`
 * (required then; unknown or another team's: 404): hub_servers_reporter.c,
 * shared with the heartbeats.  The stats need read
 * access (a session or an API key); another team's server is 404.
 *
 * Decisions where the document is open:
 * - gap_type is one of missing_tool, incomplete_results,
 *   missing_parameter, wrong_format, other (default other); any other
 *   value is 422.
 * - Every field is stored.  Junk is stored too, `filtered` with a
 *   `filter_reason`, and counted nowhere (not in the stats' totals, gap
 *   types or recent items):
 *     empty      what_i_needed has nothing but white space;
 *     oversized  a text field (what_i_needed, what_i_tried, suggestion,
 *                user_goal, resolution) over 10000 characters, a short
 *                one (agent_model, session_id, client_type) over 200, or
 *                tools_available over 500 names or a name over 256; the
 *                stored copy is cut to those sizes;
 *     duplicate  the same what_i_needed and what_i_tried (case and runs
 *                of white space aside) for the same server from the same
 *                session_id (no session_id counts as one session) within
 *                10 minutes.
 *   The first rule that applies is the reason.  A filtered post is still
 *   201: the agent is told why in `guidance`, so it does not retry.
 * - FeedbackOut: status `received` (or `filtered`), a message, guidance
 *   for the agent, filtered, filter_reason ("" when not filtered).
 * - Stats: total_feedback and unreviewed count unfiltered feedback (none
 *   is reviewed yet: the document has no endpoint for it);
 *   by_gap_type has all five types; recent is the newest 20, each with
 *   every field, `reviewed` and created_at. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_servers_reporter.h"

#define TEXT_MAX    10000 /* characters of a text field */
#define SHORT_MAX   200   /* agent_model, session_id, client_type */
#define TOOLS_MAX   500   /* tools_available names */
#define TOOL_MAX    256   /* characters of one of them */
#define REPEAT_SECS 600   /* the window of the duplicate rule */
#define RECENT      20    /* stats: recent items */

/* normalised words: lower case, runs of white space as one space */
#define NORM(x) "lower(regexp_replace(btrim(" x "), '\\s+', ' ', 'g'))"

/* clang-format off */
const hub_stmt_t hub_servers_feedback_stmts[] = {
    { "hub_srv_feedback_insert",
      "WITH args AS ("
      "  SELECT %s::uuid AS tid, %s::uuid AS ksid, %s::text AS slug,"
      "         %s::text AS via, %s::uuid AS key_id, %s::text AS needed,"
      "         %s::text AS tried, coalesce(%s::text, 'other') AS gap,"
      "         coalesce(%s::text, '') AS suggestion,"
      "         coalesce(%s::text, '') AS goal,"
      "         coalesce(%s::text, '') AS resolution,"
      "         coalesce(%s::text[], '{}') AS tools,"
      "         coalesce(%s::text, '') AS model,"
      "         coalesce(%s::text, '') AS session,"
      "         coalesce(%s::text, '') AS client, %s::text AS reason,"
      "         %s::int AS text_max, %s::int AS short_max,"
      "         %s::int AS tools_max, %s::int AS tool_max, %s::int AS secs),"
      " srv AS (SELECT s.id, s.slug FROM servers s, args a"
      "   WHERE s.tenant_id = a.tid"
      "     AND CASE WHEN a.ksid IS NOT NULL"
      "              THEN s.id = a.ksid AND (a.slug IS NULL OR s.slug = a.slug)"
      "              ELSE s.slug = a.slug END),"
      /* what is stored: cut to the sizes (a no-op unless oversized) */
      " v AS (SELECT left(a.needed, a.text_max) AS needed,"
      "         left(a.tried, a.text_max) AS tried,"
      "         left(a.suggestion, a.text_max) AS suggestion,"
      "         left(a.goal, a.text_max) AS goal,"
      "         left(a.resolution, a.text_max) AS resolution,"
      "         ARRAY(SELECT left(x, a.tool_max)"
      "                 FROM unnest(a.tools) WITH ORDINALITY u (x, i)"
      "                WHERE i <= a.tools_max ORDER BY i) AS tools,"
      "         left(a.model, a.short_max) AS model,"
      "         left(a.session, a.short_max) AS session,"
      "         left(a.client, a.short_max) AS client FROM args a),"
      " fp AS (SELECT md5(" NORM("v.needed") " || chr(31) || "
      NORM("v.tried") ") AS fp FROM v),"
      " dup AS (SELECT EXISTS (SELECT 1 FROM feedback f, srv, v, fp, args a"
      "   WHERE f.server_id = srv.id AND f.session_id = v.session"
      "     AND f.fingerprint = fp.fp"
      "     AND f.created_at > now() - make_interval(secs => a.secs)) AS yes)"
      " INSERT INTO feedback (tenant_id, server_id, via, key_id,"
      "        what_i_needed, what_i_tried, gap_type, suggestion, user_goal,"
      "        resolution, tools_available, agent_model, session_id,"
      "        client_type, fingerprint, filter_reason)"
      " SELECT a.tid, srv.id, a.via, a.key_id, v.needed, v.tried, a.gap,"
      "        v.suggestion, v.goal, v.resolution, v.tools, v.model,"
      "        v.session, v.client, fp.fp,"
      "        coalesce(a.reason, CASE WHEN dup.yes THEN 'duplicate' END)"
      "   FROM args a, srv, v, fp, dup"
      " RETURNING id, filtered, coalesce(filter_reason, '') AS filter_reason,"
      "           (SELECT slug FROM srv) AS slug" },
    { "hub_srv_feedback_stats",
      "WITH srv AS (SELECT id, name, mode FROM servers"
      "              WHERE tenant_id = %s::uuid AND slug = %s),"
      " f AS (SELECT f.* FROM feedback f, srv"
      "        WHERE f.server_id = srv.id AND NOT f.filtered)"
      " SELECT srv.id AS server_id, srv.name AS server_name, srv.mode,"
      "   (SELECT count(*) FROM f) AS total_feedback,"
      "   (SELECT count(*) FROM f WHERE reviewed_at IS NULL) AS unreviewed,"
      "   (SELECT jsonb_object_agg(g, (SELECT count(*) FROM f"
      "                                 WHERE f.gap_type = g))"
      "      FROM unnest(ARRAY['missing_tool', 'incomplete_results',"
      "                        'missing_parameter', 'wrong_format',"
      "                        'other']) g) AS by_gap_type,"
      "   (SELECT coalesce(jsonb_agg(jsonb_build_object("
      "        'id', r.id, 'what_i_needed', r.what_i_needed,"
      "        'what_i_tried', r.what_i_tried, 'gap_type', r.gap_type,"
      "        'suggestion', r.suggestion, 'user_goal', r.user_goal,"
      "        'resolution', r.resolution,"
      "        'tools_available', to_jsonb(r.tools_available),"
      "        'agent_model', r.agent_model, 'session_id', r.session_id,"
      "        'client_type', r.client_type,"
      "        'reviewed', r.reviewed_at IS NOT NULL,"
      "        'created_at', iso8601(r.created_at))"
      "        ORDER BY r.created_at DESC, r.id), '[]')"
      "      FROM (SELECT * FROM f ORDER BY created_at DESC, id"
      "             LIMIT %s::int) r) AS recent"
      "   FROM srv" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_INSERT (&hub_servers_feedback_stmts[0])
#define ST_STATS  (&hub_servers_feedback_stmts[1])

/* clang-format off */
static const char *const gap_types[] = {
    "missing_tool", "incomplete_results", "missing_parameter",
    "wrong_format", "other", NULL
};

static const hub_field_t feedback_in[] = {
    { "server_slug", HUB_T_STRING, HUB_F_NULLABLE, 1, 100, NULL,
      "the server's slug; required with an API key, optional with the "
      "server's own key (which must then name its server)" },
    { "what_i_needed", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, NULL,
      "what the agent needed" },
    { "what_i_tried", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, NULL,
      "what the agent tried" },
    { "gap_type", HUB_T_STRING, 0, 0, 0, gap_types, "default other" },
    { "suggestion", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { "user_goal", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { "resolution", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { "tools_available", HUB_T_ARRAY, 0, 0, 0, NULL,
      "default []; tool names" },
    { "agent_model", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { "session_id", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { "client_type", HUB_T_STRING, 0, 0, 0, NULL, "default \"\"" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t stats_out[] = {
    { "server_id", NULL, HUB_J_STRING },
    { "server_name", NULL, HUB_J_STRING },
    { "mode", NULL, HUB_J_STRING },
    { "total_feedback", NULL, HUB_J_INT },
    { "unreviewed", NULL, HUB_J_INT },
    { "by_gap_type", NULL, HUB_J_JSON },
    { "recent", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};
/* clang-format on */

static const char *str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

static long chars(const char *s)
{
    long n = 0;
    for (; s && *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static int blank(const char *s)
{
    for (; s && *s; s++) {
        if (!apr_isspace(*s)) {
            return 0;
        }
    }
    return 1;
}

/* The reason the rules that need no history give, or NULL. */
static const char *junk(hub_req_t *hr, json_t *tools)
{
    /* clang-format off */
    static const char *const texts[] = {
        "what_i_needed", "what_i_tried", "suggestion", "user_goal",
        "resolution", NULL
    };
    static const char *const shorts[] = {
        "agent_model", "session_id", "client_type", NULL
    };
    /* clang-format on */
    const char *const *f;
    json_t *v;
    size_t i;
    if (blank(str(hr, "what_i_needed"))) {
        return "empty";
    }
    for (f = texts; *f; f++) {
        if (chars(str(hr, *f)) > TEXT_MAX) {
            return "oversized";
        }
    }
    for (f = shorts; *f; f++) {
        if (chars(str(hr, *f)) > SHORT_MAX) {
            return "oversized";
        }
    }
    if (json_array_size(tools) > TOOLS_MAX) {
        return "oversized";
    }
    json_array_foreach(tools, i, v) {
        if (chars(json_string_value(v)) > TOOL_MAX) {
            return "oversized";
        }
    }
    return NULL;
}

static const char *guidance(const char *reason)
{
    if (!*reason) {
        return "The gap is recorded for the server's maintainers. Tell the "
               "user it was reported; there is no need to send it again.";
    }
    if (!strcmp(reason, "empty")) {
        return "Nothing was said in what_i_needed. Describe the capability "
               "you needed and what you tried, then send it again.";
    }
    if (!strcmp(reason, "oversized")) {
        return "Keep what_i_needed, what_i_tried, suggestion, user_goal and "
               "resolution under 10000 characters, the other fields under "
               "200, and tools_available to 500 names.";
    }
    return "This gap was already reported in this session; it is counted "
           "once. Continue helping the user.";
}

static int submit(hub_req_t *hr, hub_result_t *res)
{
    json_t *tools = json_object_get(hr->body, "tools_available"), *v;
    const char *reason, *args[21];
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    hub_reporter_t rep;
    hub_rows_t *rows;
    hub_db_status_e st;
    int n, rc;
    size_t i;

    rc = hub_servers_reporter(hr, res, "submitting feedback",
                              "the server it is for", problems, &rep);
    if (rc != DECLINED) {
        return rc;
    }
    json_array_foreach(tools, i, v) {
        if (!json_is_string(v)) {
            hub_invalid_add(problems,
                            apr_psprintf(hr->pool, "tools_available.%lu",
                                         (unsigned long)i),
                            "string_type", "Input should be a valid string");
            break;
        }
    }
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    reason = junk(hr, tools);
    for (n = 0; n < HUB_REPORTER_NARGS; n++) {
        args[n] = rep.args[n];
    }
    args[n++] = str(hr, "what_i_needed");
    args[n++] = str(hr, "what_i_tried");
    args[n++] = str(hr, "gap_type");
    args[n++] = str(hr, "suggestion");
    args[n++] = str(hr, "user_goal");
    args[n++] = str(hr, "resolution");
    args[n++] = tools ? hub_servers_pg_array(hr->pool, tools) : NULL;
    args[n++] = str(hr, "agent_model");
    args[n++] = str(hr, "session_id");
    args[n++] = str(hr, "client_type");
    args[n++] = reason;
    args[n++] = apr_itoa(hr->pool, TEXT_MAX);
    args[n++] = apr_itoa(hr->pool, SHORT_MAX);
    args[n++] = apr_itoa(hr->pool, TOOLS_MAX);
    args[n++] = apr_itoa(hr->pool, TOOL_MAX);
    args[n++] = apr_itoa(hr->pool, REPEAT_SECS);
    st = hub_db_select(hr->r, ST_INSERT, &rows, n, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_servers_reporter_missing(&rep, res);
    }
    reason = hub_rows_get(rows, 0, "filter_reason");
    if (*reason) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB00460: feedback "
                      "%s for server %s (tenant %s) filtered: %s",
                      hub_rows_get(rows, 0, "id"),
                      hub_rows_get(rows, 0, "slug"), hr->who->tenant_slug,
                      reason);
    }
    /* clang-format off */
    return hub_ok_status(res, HTTP_CREATED, json_pack(
        "{s:s,s:s,s:s,s:s,s:b,s:s}",
        "id", hub_rows_get(rows, 0, "id"),
        "status", *reason ? "filtered" : "received",
        "message", *reason
            ? apr_pstrcat(hr->pool, "Feedback recorded but filtered (",
                          reason, "); it is not counted.", NULL)
            : "Feedback received. Thank you.",
        "guidance", guidance(reason),
        "filtered", *reason != '\0',
        "filter_reason", reason));
    /* clang-format on */
}

static int stats(hub_req_t *hr, hub_result_t *res)
{
    const char *args[3] = { hr->who->tenant_id, hub_param(hr, "slug"),
                            apr_itoa(hr->pool, RECENT) };
    hub_rows_t *rows;
    hub_db_status_e st;
    st = hub_db_select(hr->r, ST_STATS, &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
    }
    return hub_ok(res, hub_row_json(rows, 0, stats_out));
}

/* submit: the feedback kept, and what to tell the user */
#define FEEDBACK_OUT \
    HUB_DOC("FeedbackOut", \
            OBJ("\"id\":" STR ",\"status\":" ENUM( \
                    "\"received\",\"filtered\"") ",\"message\":" STR \
                                                 ",\"guidance\":" STR \
                                                 ",\"filtered\":" BOOL \
                                                 ",\"filter_reason\":" STR, \
                "\"id\",\"status\",\"message\",\"guidance\",\"filtered\"," \
                "\"filter_reason\""))

/* stats: the counts by gap type and the newest feedback */
#define STATS_OUT \
    HUB_DOC_ONE( \
        "ServerStatsOut", \
        OBJ("\"server_id\":" STR ",\"server_name\":" STR ",\"mode\":" STR \
            ",\"total_feedback\":" INT ",\"unreviewed\":" INT \
            ",\"by_gap_type\":" \
            "{\"type\":\"object\",\"additionalProperties\":" INT "}" \
            ",\"recent\":" ARRAY_OF( \
                OBJ("\"id\":" STR ",\"what_i_needed\":" STR \
                    ",\"what_i_tried\":" STR ",\"gap_type\":" NSTR \
                    ",\"suggestion\":" NSTR ",\"user_goal\":" NSTR \
                    ",\"resolution\":" NSTR ",\"tools_available\":" \
                    "{\"type\":\"array\",\"items\":" STR ",\"nullable\":true}" \
                    ",\"agent_model\":" NSTR ",\"session_id\":" NSTR \
                    ",\"client_type\":" NSTR ",\"reviewed\":" BOOL \
                    ",\"created_at\":" STR, \
                    "\"id\",\"what_i_needed\",\"what_i_tried\"," \
                    "\"gap_type\",\"suggestion\",\"user_goal\"," \
                    "\"resolution\",\"tools_available\"," \
                    "\"agent_model\",\"session_id\",\"client_type\"," \
                    "\"reviewed\",\"created_at\"")), \
            "\"server_id\",\"server_name\",\"mode\",\"total_feedback\"," \
            "\"unreviewed\",\"by_gap_type\",\"recent\""))

/* clang-format off */
const hub_route_t hub_servers_feedback_routes[] = {
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/feedback/", submit, feedback_in,
      HUB_IN_SERVERKEY | HUB_IN_APIKEY, 0, "Submit Feedback",
      /* a server key carries no role: the operation asks API keys for
       * write access and holds a server key to its own server */
      .need = HUB_NEED_ANY, .status = 201, .doc = FEEDBACK_OUT },
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/servers/{slug}/stats", stats, NULL,
      0, 0, "Get Server Stats",
      .need = HUB_NEED_READ, .doc = STATS_OUT },
    { 0 }
};
/* clang-format on */
