/* Tool quality: Patchwork's GET /api/v1/servers/{slug}/quality/
 * (ToolQualityOut).
 *
 * Each tool the prober stored is scored 0-100 by the rubric of
 * modules/common/hub_quality.h from its definition as the server gave it.
 * A score is computed when asked for and kept with the definition's hash
 * (sql/010): the same definition listed again keeps its score and
 * last_analyzed_at; a changed definition (or rubric) is scored afresh, all
 * of a server's in one statement.  average_score is the mean over the
 * tools to one decimal, null when the server has none; tools are in name
 * order.  Another tenant's server, or an unknown slug, is 404. */
#include <apr_hash.h>
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_quality.h"
#include "hub_rows.h"
#include "hub_time.h"

const hub_stmt_t hub_servers_quality_stmts[] = {
    { "hub_srv_quality_tools",
      "SELECT s.id AS server_id, s.slug, t.id, t.name, t.definition,"
      "       md5(t.definition::text) AS def_md5,"
      "       coalesce(%s::text || ':' || md5(t.definition::text)"
      "                = t.quality_basis, false) AS fresh,"
      "       t.quality_score, t.quality_issues,"
      "       iso8601(t.quality_analyzed_at) AS analyzed_at"
      "  FROM servers s LEFT JOIN tools t"
      "    ON t.server_id = s.id AND t.tenant_id = s.tenant_id"
      " WHERE s.tenant_id = %s::uuid AND s.slug = %s"
      " ORDER BY t.name" },
    /* a definition the prober changed meanwhile is not stored over */
    { "hub_srv_quality_store",
      "UPDATE tools t SET quality_score = q.score,"
      "       quality_issues = q.issues,"
      "       quality_basis = %s::text || ':' || q.def_md5,"
      "       quality_analyzed_at = now()"
      "  FROM jsonb_to_recordset(%s::jsonb)"
      "       AS q(id uuid, score integer, issues jsonb, def_md5 text)"
      " WHERE t.id = q.id AND t.tenant_id = %s::uuid"
      "   AND md5(t.definition::text) = q.def_md5"
      " RETURNING t.id, iso8601(t.quality_analyzed_at) AS analyzed_at" },
    { NULL, NULL }
};

#define ST_TOOLS (&hub_servers_quality_stmts[0])
#define ST_STORE (&hub_servers_quality_stmts[1])

static int is_true(const hub_rows_t *rows, int i, const char *col)
{
    const char *v = hub_rows_get(rows, i, col);
    return v && !strcmp(v, "t");
}

/* A tool's item with its stored score, or with none yet when that is
 * missing or stale. */
static json_t *stored_item(const hub_rows_t *rows, int i)
{
    const char *score = hub_rows_get(rows, i, "quality_score");
    const char *issues = hub_rows_get(rows, i, "quality_issues");
    json_t *o = json_pack("{s:s,s:n,s:[],s:n}", "tool_name",
                          hub_rows_get(rows, i, "name"), "quality_score",
                          "quality_issues", "last_analyzed_at");
    json_t *j;
    if (is_true(rows, i, "fresh") && score && issues
        && (j = json_loads(issues, 0, NULL))) {
        json_object_set_new(o, "quality_score", json_integer(atoi(score)));
        json_object_set_new(o, "quality_issues", j);
        json_object_set_new(o, "last_analyzed_at",
                            hub_json_str_or_null(
                                hub_rows_get(rows, i, "analyzed_at")));
    }
    return o;
}

/* Score the tools whose items have no score yet and store the scores (one
 * statement); the items get the scores and when they were made. */
static hub_db_status_e rescore(hub_req_t *hr, const hub_rows_t *rows,
                               json_t **items)
{
    json_t *batch = hub_json_own(hr->pool, json_array());
    apr_hash_t *at = apr_hash_make(hr->pool);
    const char *args[3], *now = hub_iso8601_ms(hr->pool, apr_time_now());
    hub_rows_t *done;
    hub_db_status_e st;
    int i;

    for (i = 0; i < rows->rows->nelts; i++) {
        const char *def = hub_rows_get(rows, i, "definition");
        hub_quality_t q;
        json_t *issues;
        if (!items[i]
            || !json_is_null(json_object_get(items[i], "quality_score"))) {
            continue;
        }
        hub_quality_score(hr->pool,
                          hub_json_own(hr->pool,
                                       json_loads(def ? def : "null",
                                                  JSON_DECODE_ANY, NULL)),
                          &q);
        issues = hub_quality_issues_json(&q);
        json_object_set_new(items[i], "quality_score", json_integer(q.score));
        json_object_set(items[i], "quality_issues", issues);
        json_array_append_new(batch,
                              json_pack("{s:s,s:i,s:o,s:s}", "id",
                                        hub_rows_get(rows, i, "id"), "score",
                                        q.score, "issues", issues, "def_md5",
                                        hub_rows_get(rows, i, "def_md5")));
    }
    if (!json_array_size(batch)) {
        return HUB_DB_OK;
    }
    args[0] = HUB_QUALITY_RUBRIC;
    args[1] = hub_json_text(hr->pool, batch);
    args[2] = hr->who->tenant_id;
    st = hub_db_select(hr->r, ST_STORE, &done, 3, args);
    if (st != HUB_DB_OK) {
        return st;
    }
    for (i = 0; i < done->rows->nelts; i++) {
        apr_hash_set(at, hub_rows_get(done, i, "id"), APR_HASH_KEY_STRING,
                     hub_rows_get(done, i, "analyzed_at"));
    }
    for (i = 0; i < rows->rows->nelts; i++) {
        const char *when;
        if (!items[i]
            || !json_is_null(json_object_get(items[i], "last_analyzed_at"))) {
            continue;
        }
        /* not stored only when the prober changed it meanwhile */
        when = apr_hash_get(at, hub_rows_get(rows, i, "id"),
                            APR_HASH_KEY_STRING);
        json_object_set_new(items[i], "last_analyzed_at",
                            json_string(when ? when : now));
    }
    return HUB_DB_OK;
}

static int pw_quality(hub_req_t *hr, hub_result_t *res)
{
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t **items, *tools;
    long sum = 0;
    int i, n = 0;

    args[0] = HUB_QUALITY_RUBRIC;
    args[1] = hr->who->tenant_id;
    args[2] = hub_param(hr, "slug");
    st = hub_db_select(hr->r, ST_TOOLS, &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
    }
    items = apr_pcalloc(hr->pool, sizeof(json_t *) * rows->rows->nelts);
    tools = hub_json_own(hr->pool, json_array());
    for (i = 0; i < rows->rows->nelts; i++) {
        if (hub_rows_get(rows, i, "id")) {
            items[i] = stored_item(rows, i);
            json_array_append_new(tools, items[i]);
        }
    }
    if ((st = rescore(hr, rows, items)) != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    for (i = 0; i < rows->rows->nelts; i++) {
        if (items[i]) {
            sum += json_integer_value(
                json_object_get(items[i], "quality_score"));
            n++;
        }
    }
    /* the mean to one decimal, half up */
    return hub_ok(res, json_pack("{s:s,s:i,s:o,s:O}", "server_slug",
                                 hub_rows_get(rows, 0, "slug"), "tool_count", n,
                                 "average_score",
                                 n ? json_real(
                                     (double)((sum * 10 + n / 2) / n) / 10.0)
                                   : json_null(),
                                 "tools", tools));
}

/* pw_quality: every tool's score and issues, null when not scored yet */
#define QUALITY_OUT \
    HUB_DOC_ONE( \
        "ToolQualityOut", \
        OBJ("\"server_slug\":" STR ",\"tool_count\":" INT \
            ",\"average_score\":" NNUM ",\"tools\":" ARRAY_OF(OBJ( \
                "\"tool_name\":" STR ",\"quality_score\":" NINT \
                ",\"quality_issues\":" ARRAY_OF(OBJ( \
                    "\"type\":" STR ",\"severity\":" STR ",\"detail\":" STR, \
                    "\"type\",\"severity\",\"detail\"")) ",\"last_analyzed_at\":" NSTR, \
                "\"tool_name\",\"quality_score\"," \
                "\"quality_issues\",\"last_analyzed_at\"")), \
            "\"server_slug\",\"tool_count\",\"average_score\",\"tools\""))

/* clang-format off */
const hub_route_t hub_servers_quality_routes[] = {
    { HUB_PATCHWORK, HUB_M_GET, "/api/v1/servers/{slug}/quality/", pw_quality,
      NULL, 0, 0, "Get Tool Quality",
      .need = HUB_NEED_READ, .doc = QUALITY_OUT },
    { 0 }
};
/* clang-format on */
