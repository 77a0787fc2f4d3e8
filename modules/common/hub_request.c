/* Request plumbing shared by the hub modules: body in, JSON out, errors
 * in the profile's envelope. */
#include <httpd.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>
#include <apr_strings.h>
#include "hub_access.h"
#include "hub_crypto.h"
#include "hub_db.h"
#include "hub_error.h"
#include "hub_json.h"
#include "hub_page.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_time.h"
#include "hub_validate.h"
#include "mod_hub_auth.h"

/* httpd's number of each HUB_M_* (HEAD arrives as M_GET) */
static const int httpd_methods[HUB_M_COUNT] = {
    M_GET, M_PUT, M_POST, M_DELETE, M_PATCH, M_OPTIONS, M_GET
};

int hub_method_of(const request_rec *r)
{
    int i;
    for (i = 0; i < HUB_M_HEAD; i++) {
        if (httpd_methods[i] == r->method_number) {
            return i;
        }
    }
    return -1;
}

static APR_OPTIONAL_FN_TYPE(hub_auth_match) *match_fn;
static APR_OPTIONAL_FN_TYPE(hub_auth_loc_conf) *conf_fn;
static APR_OPTIONAL_FN_TYPE(hub_auth_principal) *who_fn;

void hub_dispatch_register(const char *owner, const hub_route_t *routes)
{
    APR_OPTIONAL_FN_TYPE(hub_auth_add_routes) *add = APR_RETRIEVE_OPTIONAL_FN(
        hub_auth_add_routes);
    match_fn = APR_RETRIEVE_OPTIONAL_FN(hub_auth_match);
    conf_fn = APR_RETRIEVE_OPTIONAL_FN(hub_auth_loc_conf);
    who_fn = APR_RETRIEVE_OPTIONAL_FN(hub_auth_principal);
    if (add) {
        add(owner, routes);
    }
}

const char *hub_param(const hub_req_t *hr, const char *name)
{
    return hub_match_param(hr->match, name);
}

const char *hub_query(const hub_req_t *hr, const char *name)
{
    return hr->query ? apr_table_get(hr->query, name) : NULL;
}

const char *hub_param_uuid(hub_req_t *hr, hub_result_t *res, const char *name)
{
    const char *id = hub_param(hr, name);
    if (hub_is_uuid(id)) {
        return id;
    }
    hub_err_field(res, "path", name, "uuid_parsing",
                  "Input should be a valid UUID");
    return NULL;
}

int hub_select_one(hub_req_t *hr, hub_result_t *res, const hub_stmt_t *st,
                   int nargs, const char **args, hub_rows_t **row,
                   const char *not_found)
{
    hub_db_status_e rc = hub_db_select(hr->r, st, row, nargs, args);
    if (rc != HUB_DB_OK) {
        return hub_err_db(res, rc, NULL, hr->request_id);
    }
    if ((*row)->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", not_found);
    }
    return DECLINED;
}

int hub_select_page(hub_req_t *hr, hub_result_t *res, const hub_stmt_t *st,
                    int nargs, const char **args, const hub_shape_t *shape,
                    const hub_page_t *pg, const char *not_found)
{
    hub_rows_t *rows;
    hub_db_status_e rc = hub_db_select(hr->r, st, &rows, nargs, args);
    if (rc != HUB_DB_OK) {
        return hub_err_db(res, rc, NULL, hr->request_id);
    }
    if (not_found && !rows->rows->nelts) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", not_found);
    }
    return hub_ok_page(res, hub_rows_json(rows, shape),
                       hub_rows_page_total(rows), pg);
}

/* An id for this request: mod_unique_id's when loaded, else a caller's
 * sane X-Request-Id, else a fresh one; echoed in X-Request-Id. */
static const char *request_id(request_rec *r)
{
    const char *id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    if (!id) {
        const char *h = apr_table_get(r->headers_in, "X-Request-Id");
        if (h && *h && strlen(h) <= 64
            && strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
                         "yz0123456789-_.")
                   == strlen(h)) {
            id = h;
        }
    }
    if (!id) {
        id = hub_uuid4(r->pool);
    }
    apr_table_setn(r->headers_out, "X-Request-Id", id);
    return id;
}

/* Links are built on HubPublicUrl when it is set (a reverse proxy in
 * front), else on httpd's own view of the request: ap_construct_url
 * honours UseCanonicalName and a ServerName with a scheme. */
static const char *base_url(request_rec *r, const hub_loc_conf_t *conf)
{
    const char *prefix = conf->prefix;
    size_t n = strlen(prefix);
    if (n && prefix[n - 1] == '/') {
        prefix = apr_pstrmemdup(r->pool, prefix, n - 1);
    }
    return apr_pstrcat(r->pool,
                       conf->public_url ? conf->public_url
                                        : ap_construct_url(r->pool, "", r),
                       prefix, NULL);
}

const char *hub_req_origin(request_rec *r)
{
    const hub_loc_conf_t *conf = conf_fn ? conf_fn(r) : NULL;
    if (conf && conf->public_origin) {
        return conf->public_origin;
    }
    return ap_construct_url(r->pool, "", r);
}

/* application/json, application/<x>+json, with any parameters */
static int is_json_type(const char *ct)
{
    size_t n;
    if (!ct) {
        return 0;
    }
    n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) {
        n--;
    }
    return (n == 16 && !strncasecmp(ct, "application/json", 16))
           || (n > 17 && !strncasecmp(ct, "application/", 12)
               && !strncasecmp(ct + n - 5, "+json", 5));
}

/* Read the whole body, refusing it once it passes `limit` bytes (on the
 * declared Content-Length first, then on what actually arrives, for
 * chunked bodies).  Memory grows with the body, not with the limit.
 * Returns OK, or the status to answer: 413 over the limit, 400 when the
 * client broke off. */
static int read_body(request_rec *r, apr_off_t limit, char **buf,
                     apr_size_t *len)
{
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, ba);
    apr_bucket_brigade *all = apr_brigade_create(r->pool, ba);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t total = 0;
    int seen_eos = 0;

    if (cl) {
        char *end;
        apr_off_t n;
        if (apr_strtoff(&n, cl, &end, 10) != APR_SUCCESS || *end || n < 0) {
            return HTTP_BAD_REQUEST;
        }
        if (n > limit) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
    }
    while (!seen_eos) {
        apr_off_t n = 0;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            return rv == AP_FILTER_ERROR || rv == APR_ENOSPC
                       ? HTTP_REQUEST_ENTITY_TOO_LARGE
                       : HTTP_BAD_REQUEST;
        }
        if (!APR_BRIGADE_EMPTY(bb) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
            seen_eos = 1;
        }
        if (apr_brigade_length(bb, 1, &n) != APR_SUCCESS) {
            return HTTP_BAD_REQUEST;
        }
        total += n;
        if (total > limit) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        if (ap_save_brigade(NULL, &all, &bb, r->pool) != APR_SUCCESS) {
            return HTTP_BAD_REQUEST;
        }
        apr_brigade_cleanup(bb);
    }
    if (apr_brigade_pflatten(all, buf, len, r->pool) != APR_SUCCESS) {
        return HTTP_BAD_REQUEST;
    }
    apr_brigade_cleanup(all);
    return OK;
}

/* A body that is not JSON; FastAPI (Caylex) reports it as a validation
 * item of type json_invalid. */
static int fail_malformed(hub_req_t *hr, const char *message)
{
    hub_result_t *res = hr->res;
    hub_err(res, hub_error_status_malformed(hr->profile), "INVALID_JSON", "%s",
            message);
    if (hr->profile & HUB_CAYLEX) {
        hub_invalid_t *inv;
        res->invalid = apr_array_make(hr->pool, 1, sizeof(hub_invalid_t));
        inv = apr_array_push(res->invalid);
        inv->field = NULL;
        inv->type = "json_invalid";
        inv->msg = message;
        res->loc_root = "body";
    }
    return HUB_DONE;
}

/* Content type, size, JSON syntax and depth, then the route's fields:
 * DECLINED when the body is good, else HUB_DONE with the error in
 * hr->res. */
static int take_body(hub_req_t *hr)
{
    request_rec *r = hr->r;
    apr_off_t limit = hub_conf_max_body(hr->conf);
    hub_json_error_t jerr = { 0 };
    apr_array_header_t *problems;
    char *buf = NULL;
    apr_size_t len = 0;
    int rc;

    if (!is_json_type(apr_table_get(r->headers_in, "Content-Type"))) {
        return hub_err(hr->res, HTTP_UNSUPPORTED_MEDIA_TYPE,
                       "UNSUPPORTED_MEDIA_TYPE",
                       "Content-Type must be application/json");
    }
    rc = read_body(r, limit, &buf, &len);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        r->connection->keepalive = AP_CONN_CLOSE;
        return hub_err(hr->res, rc, "PAYLOAD_TOO_LARGE",
                       "request body is larger than %" APR_OFF_T_FMT " bytes",
                       limit);
    }
    if (rc != OK) {
        return hub_err(hr->res, rc, "BAD_REQUEST", "request body incomplete");
    }
    hr->body = len ? hub_json_parse(r->pool, buf, len,
                                    hub_conf_max_depth(hr->conf), &jerr)
                   : NULL;
    if (!hr->body) {
        return fail_malformed(
            hr, len == 0 ? "request body is empty; a JSON document is required"
                : jerr.depth_exceeded
                    ? apr_pstrdup(r->pool, jerr.text)
                    : apr_psprintf(r->pool,
                                   "malformed JSON at line %d column %d: "
                                   "%s",
                                   jerr.line, jerr.column, jerr.text));
    }
    problems = apr_array_make(r->pool, 4, sizeof(hub_invalid_t));
    hub_validate(hr->body, hr->route->body, r->pool, problems);
    /* Patchwork's models forbid what they do not name: a typo (`url` for
     * `endpoint`) is a 422, not a silently different server */
    if (hr->profile == HUB_PATCHWORK) {
        hub_validate_extras(hr->body, hr->route->body, problems);
    }
    if (problems->nelts) {
        return hub_err_invalid(hr->res, "body", problems);
    }
    return DECLINED; /* go on */
}

int hub_read_body(hub_req_t *hr, apr_off_t limit, char **buf, apr_size_t *len)
{
    return read_body(hr->r, limit, buf, len);
}

const hub_field_t hub_body_raw[] = { { NULL, 0, 0, 0, 0, NULL, NULL } };

static int method_has_body(int m)
{
    return m == HUB_M_POST || m == HUB_M_PUT || m == HUB_M_PATCH;
}

/* ---- the one place that writes the answer -------------------------------- */

static int add_header(void *data, const char *key, const char *val)
{
    apr_table_addn(data, key, val);
    return 1;
}

/* 15 digits: 99.6, not 99.599999999999994 */
#define ANSWER_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

static int has_body(int status)
{
    return status != HTTP_NO_CONTENT && status != HTTP_NOT_MODIFIED;
}

/* A JSON answer: text of len bytes, or no body when text is NULL */
static void send_text(request_rec *r, int status, const char *text,
                      apr_size_t len)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool,
                                                r->connection->bucket_alloc);
    r->status = status;
    ap_set_content_type(r, "application/json");
    if (!apr_table_get(r->err_headers_out, "Cache-Control")) {
        apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    }
    if (text && has_body(status)) {
        /* one buffer, one bucket: a brigade write per token cost more
         * than the encoding (perf, servers list) */
        apr_brigade_write(bb, NULL, NULL, text, len);
        apr_brigade_write(bb, NULL, NULL, "\n", 1);
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    ap_pass_brigade(r->output_filters, bb);
}

/* An answer that could not be encoded (a NaN or bad UTF-8 from below):
 * a broken one is not sent */
static void send_unencodable(request_rec *r)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "HUB00048: the answer could not be encoded as JSON");
    send_text(r, HTTP_INTERNAL_SERVER_ERROR, "{}", 2);
}

static apr_size_t send_json(request_rec *r, int status, json_t *body)
{
    apr_size_t len = 0;
    char *text;
    if (!body || !has_body(status)) {
        send_text(r, status, NULL, 0);
    }
    else if (!(text = hub_json_dump(r->pool, body, ANSWER_FLAGS, &len))) {
        send_unencodable(r);
        len = 0;
    }
    else {
        send_text(r, status, text, len);
    }
    return len;
}

apr_size_t hub_send_json(request_rec *r, int status, json_t *body)
{
    return send_json(r, status, body);
}

int hub_body_read(request_rec *r, apr_off_t limit, char **buf, apr_size_t *len)
{
    return read_body(r, limit, buf, len);
}

static void send_bytes(request_rec *r, int status, const char *ctype,
                       const char *bytes, apr_size_t len)
{
    r->status = status;
    ap_set_content_type(r, ctype);
    if (status != HTTP_NOT_MODIFIED && status != HTTP_NO_CONTENT) {
        ap_set_content_length(r, (apr_off_t)len);
        if (!r->header_only) {
            ap_rwrite(bytes, (int)len, r);
        }
    }
}

/* Render hr->res once: the error envelope of the profile, or the body
 * in the route's shape and wrapper with the route's status. */
static int render(hub_req_t *hr)
{
    request_rec *r = hr->r;
    hub_result_t *res = hr->res;
    const hub_route_t *rt = hr->route;
    int status;

    if (res->written) {
        return res->handler_rc;
    }
    if (res->headers) {
        /* err_headers_out: they hold on errors too (Set-Cookie) */
        apr_table_do(add_header, r->err_headers_out, res->headers, NULL);
    }
    if (res->close) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    if (res->kind == HUB_RES_ERROR) {
        hub_error_t e = { 0 };
        e.status = res->status ? res->status
                               : hub_error_status_invalid(hr->profile);
        e.code = res->code;
        e.message = res->detail;
        e.invalid = res->invalid;
        e.loc_root = res->loc_root;
        e.request_id = hr->request_id;
        e.retryable = res->retryable || e.status >= 500;
        send_json(r, e.status,
                  hub_json_own(r->pool,
                               hub_error_body(hr->pool, hr->profile, &e)));
        return OK;
    }
    status = res->status                 ? res->status
             : rt && rt->status          ? rt->status
             : res->kind == HUB_RES_NONE ? HTTP_NO_CONTENT
                                         : HTTP_OK;
    if (res->kind == HUB_RES_TEXT) {
        send_bytes(r, status, res->content_type, res->text, res->len);
        return OK;
    }
    if (!has_body(status)) {
        send_text(r, status, NULL, 0);
    }
    else {
        apr_size_t len = 0;
        int empty;
        char *text = hub_result_text(hr->pool, res, rt ? rt->shape : NULL,
                                     rt ? rt->wrap : 0, rt ? rt->key : NULL,
                                     ANSWER_FLAGS, &len, &empty);
        if (!text && !empty) {
            send_unencodable(r);
        }
        else {
            send_text(r, status, text, len);
        }
    }
    return OK;
}

/* 405 with Allow: the path is a hub route, not for this method. */
static int not_allowed(hub_req_t *hr, const hub_match_t *m)
{
    request_rec *r = hr->r;
    int i;
    r->allowed = 0;
    for (i = 0; i < HUB_M_COUNT; i++) {
        if (m->allow & (1u << i)) {
            r->allowed |= AP_METHOD_BIT << httpd_methods[i];
        }
    }
    hub_result_header(hr->res, "Allow", hub_methods_allow(r->pool, m->allow));
    return hub_err(hr->res, HTTP_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                   "method %s not allowed here; allowed: %s", r->method,
                   hub_methods_allow(r->pool, m->allow));
}

/* The ways in, then the route's need: DECLINED when the caller may go
 * on, else HUB_DONE with 503, 401 or 403 in hr->res. */
static int check_access(hub_req_t *hr)
{
    request_rec *r = hr->r;
    const hub_route_t *rt = hr->route;
    unsigned ways = hub_access_ways_in(rt);
    const hub_principal_t *who;
    const char *code, *msg;

    if (ways & HUB_IN_PUBLIC) {
        return DECLINED;
    }
    who = who_fn ? who_fn(r) : NULL;
    if (who && who->unavailable) {
        return hub_err_db(hr->res, HUB_DB_UNAVAILABLE, NULL, hr->request_id);
    }
    if (who && who->csrf_failed && (ways & HUB_IN_SESSION)) {
        return hub_err(hr->res, HTTP_FORBIDDEN, "CSRF_FAILED",
                       "a change made with a session cookie needs the "
                       "session's X-CSRF-Token header");
    }
    if (!who || !(who->via & ways)) {
        /* the body is not read: answer and close rather than drain */
        hr->res->close = 1;
        hub_result_header(hr->res, "WWW-Authenticate",
                          "Bearer realm=\"mod_hub\"");
        return hub_err(hr->res, HTTP_UNAUTHORIZED,
                       hr->profile == HUB_TOOLHUB ? "INVALID_TOKEN"
                                                  : "UNAUTHORIZED",
                       "%s",
                       who ? "these credentials are not accepted here"
                           : "authentication required: missing, "
                             "invalid, expired or revoked "
                             "credentials");
    }
    hr->who = who;
    /* the access log's %u: who made the call */
    if (!r->user && who->name) {
        r->user = apr_pstrdup(r->pool, who->name);
    }
    if (!hub_access_allows(who, rt->need)) {
        hr->res->close = method_has_body(rt->method);
        msg = hub_access_refusal(hr->pool, rt, &code);
        return hub_err(hr->res, HTTP_FORBIDDEN, code, "%s", msg);
    }
    return DECLINED;
}

/* The query by the route's table, then the body: DECLINED or HUB_DONE. */
static int take_input(hub_req_t *hr)
{
    const hub_route_t *rt = hr->route;
    request_rec *r = hr->r;
    int rc;

    ap_args_to_table(r, &hr->query);
    if (rt->query) {
        apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                      sizeof(hub_invalid_t));
        if (hub_query_parse(hr->pool, rt->query, hr->query, &hr->q, problems)) {
            hr->res->close = method_has_body(rt->method);
            return hub_err_invalid(hr->res, "query", problems);
        }
    }
    if (rt->body == hub_body_raw) {
        return DECLINED; /* the op reads the body itself */
    }
    if (method_has_body(rt->method) && rt->body) {
        return take_body(hr);
    }
    if ((rc = ap_discard_request_body(r)) != OK) {
        hr->res->close = 1;
        return hub_err(hr->res,
                       rc == HTTP_REQUEST_ENTITY_TOO_LARGE ? rc
                                                           : HTTP_BAD_REQUEST,
                       NULL, "request body could not be read");
    }
    return DECLINED;
}

int hub_dispatch(request_rec *r, const char *owner)
{
    const hub_match_t *m;
    hub_req_t *hr;

    if (!r->handler || strcmp(r->handler, HUB_HANDLER) || !match_fn
        || !(m = match_fn(r))) {
        return DECLINED;
    }
    /* a route belongs to the module that registered it; a path without a
     * route for this method is answered by the registry's owner */
    if (m->route ? strcmp(m->owner, owner)
                 : strcmp(HUB_REGISTRY_OWNER, owner)) {
        return DECLINED;
    }
    hr = apr_pcalloc(r->pool, sizeof(*hr));
    hr->r = r;
    hr->pool = r->pool;
    hr->match = m;
    hr->route = m->route;
    hr->conf = conf_fn(r);
    hr->profile = m->route ? m->route->profile : m->profile;
    hr->request_id = request_id(r);
    hr->base_url = base_url(r, hr->conf);
    hr->res = apr_palloc(r->pool, sizeof(*hr->res));
    hub_result_init(hr->res, r->pool);
    if (m->redirect) {
        /* as FastAPI's redirect_slashes: 307, the query kept, no body */
        apr_table_setn(r->headers_out, "Location",
                       apr_pstrcat(r->pool, hr->base_url, m->redirect,
                                   r->args ? "?" : "", r->args, NULL));
        send_text(r, HTTP_TEMPORARY_REDIRECT, NULL, 0);
        return OK;
    }
    if (m->missing) {
        hub_err(hr->res, HTTP_NOT_FOUND, "NOT_FOUND", "Not Found");
    }
    else if (!m->route) {
        not_allowed(hr, m);
    }
    else if (check_access(hr) == DECLINED && take_input(hr) == DECLINED) {
        m->route->op(hr, hr->res);
    }
    return render(hr);
}
