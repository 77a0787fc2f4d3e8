/* One operation for "which projects is this connected to", for every
 * resource that is connected to projects (Caylex's servers and
 * navigators): GET lists every project of the tenant by name with the
 * resource's instance in it, POST makes the set of connected projects
 * exactly project_ids.  The route's words (hub_srv_connections_words_t)
 * name the path parameter, the two statements (kept beside the rest of
 * the SQL over their tables) and the words of a 404. */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_text.h"

static const hub_srv_connections_words_t *words(const hub_req_t *hr)
{
    return hr->route->words;
}

/* The id of the path: NULL with the answer (422 when the document types
 * it a UUID, else 404: no such thing) in res. */
static const char *owner_id(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_connections_words_t *w = words(hr);
    const char *id = hub_param(hr, w->param);
    if (hub_is_uuid(id)) {
        return id;
    }
    if (w->uuid_path) {
        hub_err_field(res, "path", w->param, "uuid_parsing",
                      "Input should be a valid UUID");
    }
    else {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
    }
    return NULL;
}

int hub_servers_op_connections_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { owner_id(hr, res), hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!args[0]) {
        return HUB_DONE;
    }
    st = hub_db_select(hr->r, words(hr)->list, &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s",
                       words(hr)->not_found);
    }
    if (!hub_rows_get(rows, 0, "project_id")) {
        rows->rows->nelts = 0; /* a tenant without projects */
    }
    return hub_ok_rows(res, rows, NULL);
}

/* clang-format off */
const hub_field_t hub_servers_connections_in[] = {
    { "project_ids", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "every project to be connected to (UUIDs); the others are "
      "disconnected" },
    { NULL, 0, 0, 0, 0, NULL, NULL },
};
/* clang-format on */

/* project_ids as a uuid[] literal; NULL with the 422 in res. */
static const char *project_ids(hub_req_t *hr, hub_result_t *res)
{
    json_t *list = json_object_get(hr->body, "project_ids"), *v;
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    size_t i;
    json_array_foreach(list, i, v) {
        const char *id = json_string_value(v);
        if (!hub_is_uuid(id)) {
            hub_invalid_add(problems,
                            apr_psprintf(hr->pool, "project_ids[%u]",
                                         (unsigned)i),
                            id ? "uuid_parsing" : "string_type",
                            id ? "Input should be a valid UUID"
                               : "Input should be a valid string");
        }
    }
    if (problems->nelts) {
        hub_err_invalid(res, "body", problems);
        return NULL;
    }
    return hub_pg_array(hr->pool, list);
}

int hub_servers_op_connections_set(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_connections_words_t *w = words(hr);
    const char *id, *missing;
    const char *args[5];
    hub_rows_t *row;
    hub_db_status_e st;

    /* the body first, as FastAPI reports it */
    if (!(args[2] = project_ids(hr, res)) || !(id = owner_id(hr, res))) {
        return HUB_DONE;
    }
    args[0] = id;
    args[1] = args[3] = args[4] = hr->who->tenant_id;
    st = hub_db_select(hr->r, w->connect, &row, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
    }
    if ((missing = hub_rows_get(row, 0, "missing"))) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Project %s not found or not accessible", missing);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00531: %s %s connections in tenant %s: %s added, %s "
                  "removed, by %s",
                  w->what, id, hr->who->tenant_slug,
                  hub_rows_get(row, 0, "added"),
                  hub_rows_get(row, 0, "removed"), hr->who->name);
    return hub_ok(res, json_pack("{s:s}", "id", id));
}
