#include <apr_strings.h>
#include "hub_error.h"
#include "hub_profile.h"
#include "hub_validate.h"

/* clang-format off */
static const struct {
    int status;
    const char *code;
} codes[] = {
    { 400, "BAD_REQUEST" },
    { 401, "UNAUTHORIZED" },
    { 403, "FORBIDDEN" },
    { 404, "NOT_FOUND" },
    { 405, "METHOD_NOT_ALLOWED" },
    { 409, "CONFLICT" },
    { 413, "PAYLOAD_TOO_LARGE" },
    { 415, "UNSUPPORTED_MEDIA_TYPE" },
    { 422, "VALIDATION_ERROR" },
    { 429, "RATE_LIMITED" },
    { 500, "INTERNAL_ERROR" },
    { 501, "NOT_IMPLEMENTED" },
    { 503, "SERVICE_UNAVAILABLE" },
};
/* clang-format on */

const char *hub_error_code(int status)
{
    size_t i;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (codes[i].status == status) {
            return codes[i].code;
        }
    }
    return status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
}

int hub_error_status_malformed(unsigned profile)
{
    return profile == HUB_CAYLEX ? 422 : 400;
}

int hub_error_status_invalid(unsigned profile)
{
    return (profile == HUB_CAYLEX || profile == HUB_PATCHWORK) ? 422 : 400;
}

/* "name: Field required; count: Input should be a valid integer" */
static const char *invalid_summary(const hub_error_t *e, apr_pool_t *p)
{
    const char *out = NULL;
    int i;
    for (i = 0; e->invalid && i < e->invalid->nelts; i++) {
        const hub_invalid_t *inv = &APR_ARRAY_IDX(e->invalid, i, hub_invalid_t);
        const char *one = inv->field
                              ? apr_pstrcat(p, inv->field, ": ", inv->msg, NULL)
                              : inv->msg;
        out = out ? apr_pstrcat(p, out, "; ", one, NULL) : one;
    }
    return out;
}

/* FastAPI's HTTPValidationError: {"detail": [{"loc","msg","type"}]} */
static json_t *fastapi_detail(const hub_error_t *e)
{
    json_t *list = json_array();
    int i;
    for (i = 0; i < e->invalid->nelts; i++) {
        const hub_invalid_t *inv = &APR_ARRAY_IDX(e->invalid, i, hub_invalid_t);
        json_t *loc = json_array();
        json_array_append_new(loc,
                              json_string(e->loc_root ? e->loc_root : "body"));
        if (inv->field) {
            json_array_append_new(loc, json_string(inv->field));
        }
        /* clang-format off */
        json_array_append_new(list, json_pack("{s:o,s:s,s:s}", "loc", loc,
                                              "msg", inv->msg,
                                              "type", inv->type));
        /* clang-format on */
    }
    return json_pack("{s:o}", "detail", list);
}

static json_t *details_object(const hub_error_t *e)
{
    json_t *d = json_object();
    if (e->invalid && e->invalid->nelts) {
        json_t *fields = json_array();
        int i;
        for (i = 0; i < e->invalid->nelts; i++) {
            const hub_invalid_t *inv = &APR_ARRAY_IDX(e->invalid, i,
                                                      hub_invalid_t);
            json_array_append_new(fields,
                                  json_pack("{s:s?,s:s,s:s}", "field",
                                            inv->field, "type", inv->type,
                                            "msg", inv->msg));
        }
        json_object_set_new(d, "fields", fields);
    }
    return d;
}

json_t *hub_error_body(apr_pool_t *p, unsigned profile, const hub_error_t *e)
{
    const char *msg, *code;
    json_t *out;

    if (profile == HUB_CAYLEX && e->invalid && e->invalid->nelts) {
        return fastapi_detail(e);
    }
    msg = e->message;
    if (e->invalid && e->invalid->nelts) {
        const char *s = invalid_summary(e, p);
        msg = msg ? apr_pstrcat(p, msg, ": ", s, NULL) : s;
    }
    if (!msg) {
        msg = "error";
    }
    code = e->code ? e->code : hub_error_code(e->status);
    switch (profile) {
    case HUB_GOCLAW: out = json_pack("{s:s}", "error", msg); break;
    case HUB_TOOLHUB:
        out = json_pack("{s:{s:s,s:s}}", "error", "code",
                        e->code ? e->code
                                : apr_psprintf(p, "HTTP_%d", e->status),
                        "message", msg);
        break;
    case HUB_G4F:
        /* clang-format off */
        out = json_pack("{s:{s:s,s:s,s:s,s:b,s:o}}", "error",
                        "code", code, "message", msg,
                        "request_id", e->request_id ? e->request_id : "",
                        "retryable", e->retryable,
                        "details", details_object(e));
        /* clang-format on */
        break;
    default: /* patchwork, caylex */
        out = json_pack("{s:s}", "detail", msg);
        break;
    }
    return out;
}
