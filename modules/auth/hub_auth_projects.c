/* The project operations: one create, get, update, delete and page for
 * every profile that serves projects.  What a profile says differently
 * (its not-found and conflict words, its page's query names, what a write
 * answers, extra body checks, members its shape cannot give) comes from
 * the route's words (hub_project_words_t); its shape and wrapper from the
 * route row.  The rows come from the one store
 * (hub_auth_projects_store.c), always in the caller's tenant. */
#include <apr_strings.h>
#include "hub_auth_projects.h"
#include "hub_audit.h"

static const hub_project_words_t *words(const hub_req_t *hr)
{
    return hr->route->words;
}

static int not_found(const hub_req_t *hr, hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s",
                   words(hr)->not_found);
}

static json_t *project_json(hub_req_t *hr, const hub_rows_t *rows, int i,
                            int listing)
{
    json_t *o = hub_row_json(rows, i, hr->route->shape);
    if (words(hr)->decorate) {
        words(hr)->decorate(hr, o, listing);
    }
    return o;
}

/* The one project a get or an update found: DECLINED, or HUB_DONE with
 * the error (database, conflict in the profile's words, not found). */
static int one_found(hub_req_t *hr, hub_result_t *res, hub_db_status_e st,
                     const hub_rows_t *row, const char *conflict)
{
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, conflict, hr->request_id);
    }
    return row->rows->nelts == 1 ? DECLINED : not_found(hr, res);
}

/* What a write answers, as the profile's words say. */
static int answer(hub_req_t *hr, hub_result_t *res, hub_proj_answer_e how,
                  const hub_rows_t *row, const char *id)
{
    switch (how) {
    case HUB_PROJ_ANSWER_ID: return hub_ok(res, json_pack("{s:s}", "id", id));
    case HUB_PROJ_ANSWER_OK: return hub_ok(res, json_pack("{s:b}", "ok", 1));
    default: return hub_ok(res, project_json(hr, row, 0, 0));
    }
}

/* The body's fields by the route's table, then the profile's own checks:
 * DECLINED, or HUB_DONE with the error in res. */
static int body_in(hub_req_t *hr, hub_result_t *res, hub_project_in_t *in)
{
    hub_auth_project_in(hr->pool, hr->body, hr->route->body, in);
    return words(hr)->take ? words(hr)->take(hr, res, in) : DECLINED;
}

int hub_auth_project_op_create(hub_req_t *hr, hub_result_t *res)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    if (body_in(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_auth_project_create(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, words(hr)->conflict, hr->request_id);
    }
    hub_audit(hr, "project.created", hub_rows_get(row, 0, "id"), "project",
              hub_rows_get(row, 0, "id"), NULL);
    return answer(hr, res, words(hr)->created, row, hub_rows_get(row, 0, "id"));
}

int hub_auth_project_op_get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    hub_db_status_e st;

    st = hub_auth_project_get(hr, hub_param(hr, "project_id"), &row);
    if (one_found(hr, res, st, row, NULL) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, project_json(hr, row, 0, 0));
}

int hub_auth_project_op_update(hub_req_t *hr, hub_result_t *res)
{
    hub_project_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;

    if (body_in(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    if (words(hr)->need_one && !hub_auth_project_in_count(&in)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR", "%s",
                       words(hr)->need_one);
    }
    st = hub_auth_project_update(hr, hub_param(hr, "project_id"), &in, &row);
    if (one_found(hr, res, st, row, words(hr)->conflict) != DECLINED) {
        return HUB_DONE;
    }
    return answer(hr, res, words(hr)->updated, row, hub_rows_get(row, 0, "id"));
}

int hub_auth_project_op_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "project_id");
    hub_db_status_e st;
    int found;

    st = hub_auth_project_delete(hr, id, &found);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!found) {
        return not_found(hr, res);
    }
    hub_audit(hr, "project.deleted", id, "project", id, NULL);
    return answer(hr, res, words(hr)->deleted, NULL, id);
}

int hub_auth_projects_op_page(hub_req_t *hr, hub_result_t *res)
{
    hub_project_filter_t f = { 0 };
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    hub_qv_page(&hr->q, words(hr)->size, "cursor", &pg);
    f.limit = pg.limit;
    f.offset = pg.offset;
    f.q = hub_qv_str(&hr->q, words(hr)->search);
    /* NULL when the route's query table has no such parameter */
    f.status = hub_qv_str(&hr->q, "status");
    f.environment = hub_qv_str(&hr->q, "environment");
    st = hub_auth_projects_page(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, project_json(hr, rows, i, 1));
    }
    return hub_ok_page(res, items, total, &pg);
}
