/* Patchwork's POST /api/v1/heartbeat/ (HeartbeatIn -> HeartbeatOut):
 * what a server's middleware reports about itself, recorded in one
 * statement with everything it changes.
 *
 * Who may report: the server's own key (Patchwork's ServerKeyAuth,
 * `hubs_...`), for its own server only (a `server_slug` naming another
 * server is 403, whether or not that server exists); or an API key of
 * the server's team with write access, naming the server in
 * `server_slug` (required then; an unknown slug or another team's
 * server is 404).  The check is hub_servers_reporter.c, shared with the
 * feedback.
 *
 * Decisions where the document is open:
 * - Every heartbeat is stored with every field (30 days are kept); the
 *   server keeps the latest delivery counters (consecutive_failures,
 *   last_error_type, heartbeats_sent/failed are the middleware's own
 *   counts of heartbeats it could not deliver, not the server's health)
 *   and the latest scan_results.  A field left out keeps what was
 *   stored; tool_names left out, or [] beside a positive tool_count,
 *   means "names not reported".
 * - For servers in `heartbeat` mode the heartbeat is what a probe is
 *   for the others: the reported names become the server's tools (a
 *   changed set writes a tool-change event, as the prober does, except
 *   for the first listing), tool_count follows (the names' count, else
 *   the reported count), health_status becomes `healthy`, and
 *   uptime_24h is the share of the last 24 hours covered by heartbeats
 *   (sql/011: each covers up to the next, at most the stale window).
 *   Servers the prober reaches (remote) or runs (stdio) have their
 *   heartbeats and counters recorded, while tools and health stay the
 *   prober's.
 * - Stale: a heartbeat server with no heartbeat for three of its
 *   intervals (the median gap of its last ten heartbeats; 60 s, the
 *   middleware's default, until it has shown one) goes `stale`; the
 *   prober's tick marks it, within a second.  The next heartbeat makes
 *   it healthy again.
 * - Answer: 200 {"status": "ok", "server_slug": ...}.
 * - A server's heartbeats are expected one at a time; two at once for
 *   one server are serialised on its row, but the second still compares
 *   tools with what it saw when it began, so a change can be written
 *   twice.  The feedback's duplicate rule has the same blind spot. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_servers_reporter.h"

#define MAX_NAMES    1000 /* tool_names entries */
#define MAX_NAME_LEN 256  /* characters of one tool name */
#define MAX_SCAN     1000 /* scan_results entries */
#define MAX_DETAIL   2000 /* characters of a scan issue's detail */
#define MAX_INT      2147483647L
#define MAX_COUNTER  1000000000000000L

const hub_stmt_t hub_servers_heartbeat_stmts[] = {
    /* the lock on the server, then the heartbeat, its tools and tool
     * change, counters, health and uptime: one call, so the lock is
     * held for the work alone (sql/017) */
    { "hub_srv_heartbeat",
      "SELECT slug FROM hub_heartbeat_record(%s::uuid, %s::uuid, %s, %s,"
      " %s::uuid, %s::int, %s::jsonb, %s::jsonb, %s, %s::int, %s,"
      " %s::bigint, %s::bigint, %s::bigint)" },
    /* a new server's key (hub_servers_patchwork.c): prefix, SHA-256 */
    { "hub_srv_server_key_issue",
      "INSERT INTO server_keys (tenant_id, server_id, prefix, key_hash)"
      " SELECT tenant_id, id, %s, %s FROM servers"
      "  WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { NULL, NULL }
};

#define ST_HEARTBEAT (&hub_servers_heartbeat_stmts[0])

static const hub_field_t heartbeat_in[] = {
    { "server_slug", HUB_T_STRING, HUB_F_NULLABLE, 1, 100, NULL,
      "the server's slug; required with an API key, optional with the "
      "server's own key (which must then name its server)" },
    { "tool_count", HUB_T_INTEGER, HUB_F_NULLABLE, 0, MAX_INT, NULL,
      "tools the server offers" },
    { "tool_names", HUB_T_ARRAY, 0, 0, 0, NULL,
      "default []; strings, at most 1000 of at most 256 characters" },
    { "scan_results", HUB_T_ARRAY, 0, 0, 0, NULL,
      "default []; ScanIssue objects {tool, type, severity, detail}" },
    { "last_error_type", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL,
      "the type of the middleware's last delivery error" },
    { "consecutive_failures", HUB_T_INTEGER, HUB_F_NULLABLE, 0, MAX_INT, NULL,
      "heartbeats in a row the middleware could not deliver" },
    { "sent_at", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL,
      "when the middleware sent it, kept as written" },
    { "middleware_uptime_seconds", HUB_T_INTEGER, HUB_F_NULLABLE, 0,
      MAX_COUNTER, NULL, "seconds since the middleware started" },
    { "heartbeats_sent", HUB_T_INTEGER, HUB_F_NULLABLE, 0, MAX_COUNTER, NULL,
      "heartbeats the middleware sent" },
    { "heartbeats_failed", HUB_T_INTEGER, HUB_F_NULLABLE, 0, MAX_COUNTER, NULL,
      "heartbeats the middleware could not deliver" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* ---- the arrays the field table cannot check ------------------------ */

static long chars(const char *s)
{
    long n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

/* A string member of a scan issue: required unless dflt, 1..max. */
static void scan_string(apr_pool_t *p, json_t *issue, size_t i,
                        const char *name, long max, int required,
                        apr_array_header_t *problems)
{
    json_t *v = json_object_get(issue, name);
    const char *field = apr_psprintf(p, "scan_results.%lu.%s", (unsigned long)i,
                                     name);
    if (!v) {
        if (required) {
            hub_invalid_add(problems, field, "missing", "Field required");
        }
    }
    else if (!json_is_string(v)) {
        hub_invalid_add(problems, field, "string_type",
                        "Input should be a valid string");
    }
    else if (chars(json_string_value(v)) > max) {
        hub_invalid_add(problems, field, "string_too_long",
                        apr_psprintf(p,
                                     "String should have at most %ld "
                                     "characters",
                                     max));
    }
}

static void check_arrays(hub_req_t *hr, apr_array_header_t *problems)
{
    json_t *names = json_object_get(hr->body, "tool_names");
    json_t *scan = json_object_get(hr->body, "scan_results"), *v;
    size_t i;
    if (json_array_size(names) > MAX_NAMES) {
        hub_invalid_add(problems, "tool_names", "too_long",
                        "List should have at most 1000 items");
    }
    json_array_foreach(names, i, v) {
        if (!json_is_string(v) || !json_string_length(v)
            || chars(json_string_value(v)) > MAX_NAME_LEN) {
            hub_invalid_add(problems,
                            apr_psprintf(hr->pool, "tool_names.%lu",
                                         (unsigned long)i),
                            "string_type",
                            "Input should be a tool name: a "
                            "string of 1 to 256 characters");
            break;
        }
    }
    if (json_array_size(scan) > MAX_SCAN) {
        hub_invalid_add(problems, "scan_results", "too_long",
                        "List should have at most 1000 items");
    }
    json_array_foreach(scan, i, v) {
        if (!json_is_object(v)) {
            hub_invalid_add(problems,
                            apr_psprintf(hr->pool, "scan_results.%lu",
                                         (unsigned long)i),
                            "model_type",
                            "Input should be a valid ScanIssue object");
            break;
        }
        scan_string(hr->pool, v, i, "tool", MAX_NAME_LEN, 1, problems);
        scan_string(hr->pool, v, i, "type", 100, 1, problems);
        scan_string(hr->pool, v, i, "severity", 100, 1, problems);
        scan_string(hr->pool, v, i, "detail", MAX_DETAIL, 0, problems);
        if (problems->nelts) {
            break;
        }
    }
}

/* scan_results as stored: each issue with exactly the four fields */
static const char *scan_text(apr_pool_t *p, json_t *scan)
{
    json_t *out = hub_json_own(p, json_array()), *v;
    size_t i;
    if (!scan) {
        return NULL;
    }
    json_array_foreach(scan, i, v) {
        const char *detail = json_string_value(json_object_get(v, "detail"));
        /* clang-format off */
        json_array_append_new(out, json_pack(
            "{s:O,s:O,s:O,s:s}", "tool", json_object_get(v, "tool"),
            "type", json_object_get(v, "type"),
            "severity", json_object_get(v, "severity"),
            "detail", detail ? detail : ""));
        /* clang-format on */
    }
    return hub_json_text(p, out);
}

/* ---- the endpoint ---------------------------------------------------- */

static const char *int_arg(hub_req_t *hr, const char *name)
{
    json_t *v = json_object_get(hr->body, name);
    return json_is_integer(v) ? apr_psprintf(hr->pool, "%" APR_INT64_T_FMT,
                                             (apr_int64_t)json_integer_value(v))
                              : NULL;
}

static const char *str_arg(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

static int heartbeat(hub_req_t *hr, hub_result_t *res)
{
    json_t *names = json_object_get(hr->body, "tool_names");
    const char *tool_count, *args[14];
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    hub_reporter_t rep;
    hub_rows_t *rows;
    hub_db_status_e st;
    int rc, n;

    rc = hub_servers_reporter(hr, res, "reporting heartbeats",
                              "the server it reports for", problems, &rep);
    if (rc != DECLINED) {
        return rc;
    }
    check_arrays(hr, problems);
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    tool_count = int_arg(hr, "tool_count");
    /* [] beside a positive count: the names were not reported */
    if (!json_array_size(names) && tool_count && strcmp(tool_count, "0")) {
        names = NULL;
    }
    for (n = 0; n < HUB_REPORTER_NARGS; n++) {
        args[n] = rep.args[n];
    }
    args[5] = tool_count;
    args[6] = names ? hub_json_text(hr->pool, names) : NULL;
    args[7] = scan_text(hr->pool, json_object_get(hr->body, "scan_results"));
    args[8] = str_arg(hr, "last_error_type");
    args[9] = int_arg(hr, "consecutive_failures");
    args[10] = str_arg(hr, "sent_at");
    args[11] = int_arg(hr, "middleware_uptime_seconds");
    args[12] = int_arg(hr, "heartbeats_sent");
    args[13] = int_arg(hr, "heartbeats_failed");
    st = hub_db_select(hr->r, ST_HEARTBEAT, &rows, 14, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_servers_reporter_missing(&rep, res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, hr->r,
                  "HUB00450: heartbeat "
                  "of server %s (tenant %s) by %s",
                  hub_rows_get(rows, 0, "slug"), hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok(res, json_pack("{s:s,s:s}", "status", "ok", "server_slug",
                                 hub_rows_get(rows, 0, "slug")));
}

/* heartbeat: taken, for which server */
#define HEARTBEAT_OUT \
    HUB_DOC("HeartbeatOut", \
            OBJ("\"status\":" ENUM("\"ok\"") ",\"server_slug\":" STR, \
                "\"status\",\"server_slug\""))

const hub_route_t hub_servers_heartbeat_routes[] = {
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/heartbeat/", heartbeat, heartbeat_in,
      HUB_IN_SERVERKEY | HUB_IN_APIKEY, 0, "Heartbeat",
      /* a server key carries no role: the operation asks API keys for
       * write access and holds a server key to its own server */
      .need = HUB_NEED_ANY, .doc = HEARTBEAT_OUT },
    { 0 }
};
