/* Result values of operations, and their rendering into JSON bodies. */
#include <stdarg.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_result.h"
#include "hub_validate.h"

void hub_result_init(hub_result_t *res, apr_pool_t *p)
{
    memset(res, 0, sizeof(*res));
    res->pool = p;
}

static void clear_success(hub_result_t *res)
{
    res->json = NULL;
    res->rows = NULL;
    res->shape = NULL;
    res->one = res->paged = 0;
    res->text = NULL;
}

int hub_ok(hub_result_t *res, json_t *json)
{
    return hub_ok_status(res, 0, json);
}

int hub_ok_status(hub_result_t *res, int status, json_t *json)
{
    clear_success(res);
    res->kind = HUB_RES_JSON;
    res->status = status;
    res->json = json ? hub_json_own(res->pool, json) : NULL;
    return HUB_DONE;
}

int hub_ok_rows(hub_result_t *res, const hub_rows_t *rows,
                const hub_shape_t *shape)
{
    clear_success(res);
    res->kind = HUB_RES_ROWS;
    res->rows = rows;
    res->shape = shape;
    return HUB_DONE;
}

int hub_ok_row(hub_result_t *res, const hub_rows_t *rows,
               const hub_shape_t *shape)
{
    hub_ok_rows(res, rows, shape);
    res->one = 1;
    return HUB_DONE;
}

int hub_ok_page(hub_result_t *res, json_t *items, long total,
                const hub_page_t *pg)
{
    hub_ok_status(res, 0, items);
    res->paged = 1;
    res->total = total;
    res->page = *pg;
    return HUB_DONE;
}

int hub_ok_empty(hub_result_t *res, int status)
{
    clear_success(res);
    res->kind = HUB_RES_NONE;
    res->status = status ? status : 204;
    return HUB_DONE;
}

int hub_ok_text(hub_result_t *res, int status, const char *content_type,
                const char *text, apr_size_t len)
{
    clear_success(res);
    res->kind = HUB_RES_TEXT;
    res->status = status;
    res->content_type = content_type;
    res->text = text;
    res->len = len;
    return HUB_DONE;
}

static int set_error(hub_result_t *res, int status, const char *code,
                     const char *detail)
{
    clear_success(res);
    res->kind = HUB_RES_ERROR;
    res->status = status;
    res->code = code;
    res->detail = detail;
    res->invalid = NULL;
    res->loc_root = NULL;
    res->retryable = status >= 500;
    return HUB_DONE;
}

int hub_err(hub_result_t *res, int status, const char *code, const char *fmt,
            ...)
{
    va_list ap;
    const char *detail;
    va_start(ap, fmt);
    detail = apr_pvsprintf(res->pool, fmt, ap);
    va_end(ap);
    return set_error(res, status, code, detail);
}

int hub_err_invalid(hub_result_t *res, const char *where,
                    apr_array_header_t *problems)
{
    /* the status is the profile's (422 or 400): the dispatcher sets it */
    set_error(res, 0, "VALIDATION_ERROR",
              apr_psprintf(res->pool, "invalid %s", where));
    res->invalid = problems;
    res->loc_root = where;
    return HUB_DONE;
}

int hub_err_field(hub_result_t *res, const char *where, const char *field,
                  const char *type, const char *msg)
{
    apr_array_header_t *problems = apr_array_make(res->pool, 1,
                                                  sizeof(hub_invalid_t));
    hub_invalid_add(problems, field, type, msg);
    return hub_err_invalid(res, where, problems);
}

/* pydantic's words: "Input should be 'a', 'b' or 'c'" */
int hub_err_enum(hub_result_t *res, const char *where, const char *field,
                 const char *const *values)
{
    const char *msg = "Input should be ";
    int i;
    for (i = 0; values[i]; i++) {
        msg = apr_pstrcat(res->pool, msg,
                          i ? (values[i + 1] ? ", " : " or ") : "", "'",
                          values[i], "'", NULL);
    }
    return hub_err_field(res, where, field, "enum", msg);
}

int hub_err_db(hub_result_t *res, hub_db_status_e st, const char *conflict,
               const char *request_id)
{
    switch (st) {
    case HUB_DB_UNAVAILABLE:
        hub_result_header(res, "Retry-After", "5");
        return hub_err(res, 503, "SERVICE_UNAVAILABLE",
                       "database unavailable, try again shortly");
    case HUB_DB_CONFLICT:
        return hub_err(res, 409, "CONFLICT", "%s",
                       conflict ? conflict
                                : "conflicts with an existing record");
    default:
        return hub_err(res, 500, "INTERNAL_ERROR",
                       "internal error; see the server log (request %s)",
                       request_id ? request_id : "-");
    }
}

void hub_result_header(hub_result_t *res, const char *name, const char *value)
{
    if (!res->headers) {
        res->headers = apr_table_make(res->pool, 2);
    }
    apr_table_setn(res->headers, name, value);
}

void hub_result_header_add(hub_result_t *res, const char *name,
                           const char *value)
{
    if (!res->headers) {
        res->headers = apr_table_make(res->pool, 2);
    }
    apr_table_addn(res->headers, name, value);
}

int hub_result_failed(const hub_result_t *res)
{
    return res->kind == HUB_RES_ERROR;
}

/* ---- rendering ------------------------------------------------------------ */

/* n: how many items (the array may be a hole that rows fill) */
static json_t *cx_page(apr_pool_t *p, json_t *items, long n, long total,
                       const hub_page_t *pg)
{
    long next = pg->offset + n;
    int has_next = next < total && n > 0;
    /* clang-format off */
    return json_pack("{s:o,s:{s:I,s:I,s:o,s:b,s:b}}", "items", items,
                     "meta", "size", (json_int_t)pg->limit,
                     "total", (json_int_t)total,
                     "next_cursor", has_next
                         ? json_string(hub_cursor_encode(p, next))
                         : json_null(),
                     "has_next", has_next, "has_prev", pg->offset > 0);
    /* clang-format on */
}

static json_t *g4f_page(json_t *items, long n, long total, const hub_page_t *pg)
{
    long next = pg->offset + n;
    return json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     n && next < total ? json_integer(next) : json_null());
}

/* v (a reference taken) in the route's wrapper; n: its items */
static json_t *wrapped(apr_pool_t *p, const hub_result_t *res, json_t *v,
                       long n, hub_wrap_e wrap, const char *key)
{
    switch (wrap) {
    case HUB_WRAP_KEY: return json_pack("{s:o}", key ? key : "data", v);
    case HUB_WRAP_CX_PAGE:
        return json_is_array(v) ? cx_page(p, v, n, res->total, &res->page) : v;
    case HUB_WRAP_G4F_PAGE:
        return json_is_array(v) ? g4f_page(v, n, res->total, &res->page) : v;
    default: return v;
    }
}

json_t *hub_result_body(apr_pool_t *p, const hub_result_t *res,
                        const hub_shape_t *shape, hub_wrap_e wrap,
                        const char *key)
{
    json_t *v;
    if (res->kind == HUB_RES_ROWS) {
        const hub_shape_t *sh = res->shape ? res->shape : shape;
        if (!sh) {
            return NULL;
        }
        v = res->one ? hub_row_json(res->rows, 0, sh)
                     : hub_rows_json(res->rows, sh);
    }
    else if (res->kind == HUB_RES_JSON && res->json) {
        v = json_incref(res->json);
    }
    else {
        return NULL;
    }
    return wrapped(p, res, v, json_is_array(v) ? (long)json_array_size(v) : 0,
                   wrap, key);
}

typedef struct {
    const hub_result_t *res;
    const hub_shape_t *shape;
} rows_fill_t;

static int fill_rows(hub_json_buf_t *b, void *ctx)
{
    rows_fill_t *f = ctx;
    return hub_rows_write(b, f->res->rows, f->shape, f->res->one);
}

char *hub_result_text(apr_pool_t *p, const hub_result_t *res,
                      const hub_shape_t *shape, hub_wrap_e wrap,
                      const char *key, size_t flags, apr_size_t *len,
                      int *empty)
{
    rows_fill_t fill;
    hub_json_hole_t hole;
    json_t *body;
    char *text;

    *empty = 0;
    if (res->kind != HUB_RES_ROWS) {
        body = hub_result_body(p, res, shape, wrap, key);
        if (!body) {
            *empty = 1;
            return NULL;
        }
        text = hub_json_dump(p, body, flags, len);
        json_decref(body);
        return text;
    }
    fill.res = res;
    fill.shape = res->shape ? res->shape : shape;
    if (!fill.shape) {
        *empty = 1;
        return NULL;
    }
    /* the wrapper around a placeholder the rows are written into */
    hole.at = res->one ? json_object() : json_array();
    hole.fill = fill_rows;
    hole.ctx = &fill;
    body = wrapped(p, res, (json_t *)hole.at,
                   res->rows ? res->rows->rows->nelts : 0, wrap, key);
    text = hub_json_dump_hole(p, body, flags, len, &hole);
    json_decref(body);
    return text;
}

int hub_ok_written(hub_result_t *res, int rc)
{
    res->written = 1;
    res->handler_rc = rc;
    return HUB_DONE;
}
