#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "hub_access.h"
#include "hub_error.h"
#include "hub_openapi.h"
#include "hub_profile.h"
#include "hub_query.h"
#include "hub_result.h"
#include "hub_route.h"
#include "hub_rows.h"
#include "hub_validate.h"

const char *hub_openapi_path(apr_pool_t *p, const char *route_path)
{
    const char *s = route_path;
    char *out = apr_palloc(p, 2 * strlen(route_path) + 1), *o = out;
    while (*s) {
        if (*s == ':' && (s == route_path || s[-1] == '/')) {
            *o++ = '{';
            s++;
            while (*s && *s != '/') {
                *o++ = *s++;
            }
            *o++ = '}';
        }
        else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* One document being built: its components as they are named. */
typedef struct {
    apr_pool_t *p;
    unsigned profile;
    json_t *schemas;        /* components.schemas */
    json_t *schemes;        /* components.securitySchemes */
    apr_hash_t *by_shape;   /* const hub_shape_t * -> its schema's name */
    const hub_field_t *raw; /* the body table of uploads */
} doc_t;

static json_t *ref(apr_pool_t *p, const char *name)
{
    return json_pack("{s:s}", "$ref",
                     apr_pstrcat(p, "#/components/schemas/", name, NULL));
}

/* ---- input: body fields and query parameters ------------------------------ */

static json_t *field_schema(const hub_field_t *f)
{
    json_t *s = json_pack("{s:s}", "type", hub_type_name(f->type));
    if (f->type == HUB_T_ANY) {
        json_object_del(s, "type");
    }
    if (f->description) {
        json_object_set_new(s, "description", json_string(f->description));
    }
    if (f->type == HUB_T_STRING && f->min) {
        json_object_set_new(s, "minLength", json_integer(f->min));
    }
    if (f->type == HUB_T_STRING && f->max) {
        json_object_set_new(s, "maxLength", json_integer(f->max));
    }
    if (f->type == HUB_T_INTEGER && (f->min || f->max)) {
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
    }
    if (f->one_of) {
        const char *const *o;
        json_t *e = json_array();
        for (o = f->one_of; *o; o++) {
            json_array_append_new(e, json_string(*o));
        }
        json_object_set_new(s, "enum", e);
    }
    if (f->flags & HUB_F_NULLABLE) {
        json_object_set_new(s, "nullable", json_true());
    }
    return s;
}

static json_t *body_schema(const hub_field_t *fields, unsigned profile)
{
    json_t *props = json_object(), *req = json_array();
    json_t *schema = json_pack("{s:s}", "type", "object");
    const hub_field_t *f;
    for (f = fields; f->name; f++) {
        json_object_set_new(props, f->name, field_schema(f));
        if (f->flags & HUB_F_REQUIRED) {
            json_array_append_new(req, json_string(f->name));
        }
    }
    json_object_set_new(schema, "properties", props);
    if (json_array_size(req)) {
        json_object_set_new(schema, "required", req);
    }
    else {
        json_decref(req);
    }
    /* Patchwork's models forbid what they do not name (hub_request.c) */
    if (profile == HUB_PATCHWORK) {
        json_object_set_new(schema, "additionalProperties", json_false());
    }
    return schema;
}

static json_t *qfield_schema(const hub_qfield_t *q)
{
    json_t *s = json_object();
    const char *const *o;
    switch (q->type) {
    case HUB_Q_INT:
        json_object_set_new(s, "type", json_string("integer"));
        if (q->min || q->max) {
            json_object_set_new(s, "minimum", json_integer(q->min));
            json_object_set_new(s, "maximum", json_integer(q->max));
        }
        if (q->def || q->min || q->max) {
            json_object_set_new(s, "default", json_integer(q->def));
        }
        break;
    case HUB_Q_BOOL:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case HUB_Q_ENUM:
        json_object_set_new(s, "type", json_string("string"));
        if (q->one_of) {
            json_t *e = json_array();
            for (o = q->one_of; *o; o++) {
                json_array_append_new(e, json_string(*o));
            }
            json_object_set_new(s, "enum", e);
        }
        break;
    case HUB_Q_UUID:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("uuid"));
        break;
    case HUB_Q_DATETIME:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case HUB_Q_OFFSET:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(0));
        break;
    case HUB_Q_CURSOR: /* opaque: what the page before handed out */
    default:
        json_object_set_new(s, "type", json_string("string"));
        if (q->min) {
            json_object_set_new(s, "minLength", json_integer(q->min));
        }
        if (q->max) {
            json_object_set_new(s, "maxLength", json_integer(q->max));
        }
        break;
    }
    return s;
}

static json_t *parameters(apr_pool_t *p, const hub_route_t *rt,
                          const hub_match_t *params)
{
    json_t *plist = json_array();
    const hub_qfield_t *q;
    int i;
    (void)p;
    for (i = 0; i < params->nparams; i++) {
        json_array_append_new(plist, json_pack("{s:s,s:s,s:b,s:{s:s}}", "name",
                                               params->names[i], "in", "path",
                                               "required", 1, "schema", "type",
                                               "string"));
    }
    for (q = rt->query; q && q->name; q++) {
        json_t *one = json_pack("{s:s,s:s,s:b,s:o}", "name", q->name, "in",
                                "query", "required",
                                (q->flags & HUB_Q_REQUIRED) != 0, "schema",
                                qfield_schema(q));
        if (q->description) {
            json_object_set_new(one, "description",
                                json_string(q->description));
        }
        json_array_append_new(plist, one);
    }
    return plist;
}

/* A body the operation reads itself (an upload): the raw table the
 * caller named (hub_body_raw, which lives in the httpd glue). */
static int raw_body(const doc_t *d, const hub_route_t *rt)
{
    return rt->body && d->raw && rt->body == d->raw;
}

/* ---- answers: shapes, wrappers, envelopes --------------------------------- */

/* A shape's members: every one is there (SQL NULL as null, where the
 * shape does not say the column is NOT NULL), but for omitempty ones,
 * which are left out when empty. */
static json_t *shape_schema(const hub_shape_t *shape)
{
    json_t *props = json_object(), *req = json_array();
    const hub_shape_t *s;
    for (s = shape; s->name; s++) {
        hub_json_kind_e kind = HUB_J_KIND(s->kind);
        json_t *one;
        switch (kind) {
        case HUB_J_INT: one = json_pack("{s:s}", "type", "integer"); break;
        case HUB_J_BOOL: one = json_pack("{s:s}", "type", "boolean"); break;
        case HUB_J_STRINGS:
            one = json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type",
                            "string");
            break;
        case HUB_J_JSON: one = json_object(); break; /* any JSON value */
        default: one = json_pack("{s:s}", "type", "string"); break;
        }
        if (kind != HUB_J_JSON && kind != HUB_J_OMITEMPTY
            && !(s->kind & HUB_J_NOTNULL)) {
            json_object_set_new(one, "nullable", json_true());
        }
        json_object_set_new(props, s->name, one);
        if (kind != HUB_J_OMITEMPTY) {
            json_array_append_new(req, json_string(s->name));
        }
    }
    return json_pack("{s:s,s:o,s:o}", "type", "object", "properties", props,
                     "required", req);
}

/* "List Servers" -> "ListServers" */
static char *camel(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;
    int up = 1;
    for (; *s; s++) {
        if (isalnum((unsigned char)*s)) {
            *o++ = up ? (char)toupper((unsigned char)*s) : *s;
            up = 0;
        }
        else {
            up = 1;
        }
    }
    *o = '\0';
    return out;
}

/* The spec's name of the route's answer: its hint's, else its doc's. */
static const char *model_of(const hub_route_t *rt, const hub_openapi_hint_t *h)
{
    if (h && h->model) {
        return h->model;
    }
    return rt->doc ? rt->doc->model : NULL;
}

/* The name of the shape's schema, made on first use: the model, else
 * from the summary of the first route that answers with it. */
static const char *shape_ref(doc_t *d, const hub_route_t *rt,
                             const hub_openapi_hint_t *h, const char *opid)
{
    const char *name = apr_hash_get(d->by_shape, &rt->shape, sizeof(rt->shape));
    const char *model = model_of(rt, h);
    int n;
    if (name) {
        return name;
    }
    name = model ? model
                 : apr_pstrcat(d->p,
                               camel(d->p, rt->summary ? rt->summary : opid),
                               "Item", NULL);
    for (n = 2; json_object_get(d->schemas, name); n++) {
        name = apr_psprintf(d->p, "%s%d", model ? model : name, n);
    }
    json_object_set_new(d->schemas, name, shape_schema(rt->shape));
    /* keyed by the shape's address, not by what it points to */
    apr_hash_set(d->by_shape, &rt->shape, sizeof(rt->shape), name);
    return name;
}

/* The name of a doc's schema (one item of a hand-built answer): its
 * model, one component for every route of that model (the first one's
 * text), else from the route's summary.  NULL when the text is not a
 * JSON object: the route is then described as if it had no doc. */
static const char *doc_ref(doc_t *d, const hub_route_t *rt,
                           const hub_openapi_hint_t *h, const char *opid)
{
    const char *name = model_of(rt, h);
    json_t *v;
    int n;
    if (name && json_object_get(d->schemas, name)) {
        return name;
    }
    v = json_loads(rt->doc->schema, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    if (!name) {
        const char *base = camel(d->p, rt->summary ? rt->summary : opid);
        name = apr_pstrcat(d->p, base, "Response", NULL);
        for (n = 2; json_object_get(d->schemas, name); n++) {
            name = apr_psprintf(d->p, "%sResponse%d", base, n);
        }
    }
    json_object_set_new(d->schemas, name, v);
    return name;
}

/* A GET whose path ends in a literal lists; anything else is one. */
static int answers_many(const hub_route_t *rt, const hub_openapi_hint_t *h)
{
    const char *last;
    size_t n = strlen(rt->path);
    if (h && h->many) {
        return h->many == HUB_OA_MANY;
    }
    if (rt->doc && rt->doc->one) {
        return 0;
    }
    /* a hand-built answer is one object, but where it is paged */
    if (!rt->shape && !(rt->doc && rt->doc->schema)
        && rt->wrap != HUB_WRAP_CX_PAGE && rt->wrap != HUB_WRAP_G4F_PAGE) {
        return 0;
    }
    if (rt->method != HUB_M_GET) {
        return 0;
    }
    while (n && rt->path[n - 1] == '/') {
        n--;
    }
    for (last = rt->path + n; last > rt->path && last[-1] != '/'; last--) {
    }
    return *last != ':' && *last != '{';
}

static const char *page_meta(doc_t *d)
{
    if (!json_object_get(d->schemas, "PageMeta")) {
        /* clang-format off */
        json_object_set_new(d->schemas, "PageMeta", json_pack(
            "{s:s,s:{s:{s:s},s:{s:s},s:{s:s,s:b},s:{s:s},s:{s:s}},"
            "s:[s,s,s,s,s]}",
            "type", "object", "properties",
            "size", "type", "integer",
            "total", "type", "integer",
            "next_cursor", "type", "string", "nullable", 1,
            "has_next", "type", "boolean",
            "has_prev", "type", "boolean",
            "required", "size", "total", "next_cursor", "has_next",
            "has_prev"));
        /* clang-format on */
    }
    return "PageMeta";
}

/* The page of items named `item` (a component) or of `inline_item`. */
static json_t *page_schema(doc_t *d, hub_wrap_e wrap, const char *item,
                           json_t *inline_item)
{
    json_t *items = json_pack("{s:s,s:o}", "type", "array", "items",
                              item ? ref(d->p, item)
                                   : json_incref(inline_item));
    json_t *page;
    const char *name = NULL;
    if (wrap == HUB_WRAP_CX_PAGE) {
        page = json_pack("{s:s,s:{s:o,s:o},s:[s,s]}", "type", "object",
                         "properties", "items", items, "meta",
                         ref(d->p, page_meta(d)), "required", "items", "meta");
        name = item ? apr_pstrcat(d->p, "Page_", item, "_", NULL) : NULL;
    }
    else {
        page = json_pack("{s:s,s:{s:o,s:{s:s,s:b}},s:[s,s]}", "type", "object",
                         "properties", "items", items, "next_cursor", "type",
                         "integer", "nullable", 1, "required", "items",
                         "next_cursor");
        name = item ? apr_pstrcat(d->p, item, "Page", NULL) : NULL;
    }
    json_decref(inline_item);
    if (!name) {
        return page;
    }
    if (!json_object_get(d->schemas, name)) {
        json_object_set_new(d->schemas, name, page);
    }
    else {
        json_decref(page);
    }
    return ref(d->p, name);
}

/* The success body's schema: NULL when there is none to say. */
static json_t *answer_schema(doc_t *d, const hub_route_t *rt,
                             const hub_openapi_hint_t *h, const char *opid)
{
    const char *item = NULL;
    json_t *v, *inline_item = NULL;
    int many = answers_many(rt, h);

    if (h && h->schema) {
        v = json_loads(h->schema, 0, NULL);
        if (v && h->model) {
            /* a model of the spec: a component of its name */
            if (!json_object_get(d->schemas, h->model)) {
                json_object_set(d->schemas, h->model, v);
            }
            json_decref(v);
            return ref(d->p, h->model);
        }
        if (v) {
            return v;
        }
    }
    if (rt->doc && rt->doc->schema) {
        item = doc_ref(d, rt, h, opid);
    }
    if (!item && rt->shape) {
        item = shape_ref(d, rt, h, opid);
    }
    if (!item) {
        inline_item = json_pack("{s:s}", "type", "object");
    }
    if (many
        && (rt->wrap == HUB_WRAP_CX_PAGE || rt->wrap == HUB_WRAP_G4F_PAGE)) {
        v = page_schema(d, rt->wrap, item, inline_item);
    }
    else {
        v = item ? ref(d->p, item) : inline_item;
        if (many) {
            v = json_pack("{s:s,s:o}", "type", "array", "items", v);
        }
    }
    if (rt->wrap == HUB_WRAP_KEY) {
        const char *key = rt->key ? rt->key : "data";
        v = json_pack("{s:s,s:{s:o},s:[s]}", "type", "object", "properties",
                      key, v, "required", key);
    }
    return v;
}

/* The profile's error envelope (hub_error.c) as components; the name of
 * the one most errors use. */
static const char *error_schemas(doc_t *d)
{
    json_t *s = d->schemas;
    switch (d->profile) {
    case HUB_CAYLEX:
        /* clang-format off */
        json_object_set_new(s, "HTTPError", json_pack(
            "{s:s,s:{s:{s:s}},s:[s]}", "type", "object", "properties",
            "detail", "type", "string", "required", "detail"));
        json_object_set_new(s, "ValidationError", json_pack(
            "{s:s,s:{s:{s:s,s:{s:[{s:s},{s:s}]}},s:{s:s},s:{s:s}},"
            "s:[s,s,s]}", "type", "object", "properties",
            "loc", "type", "array", "items", "anyOf", "type", "string",
            "type", "integer",
            "msg", "type", "string", "type", "type", "string",
            "required", "loc", "msg", "type"));
        json_object_set_new(s, "HTTPValidationError", json_pack(
            "{s:s,s:{s:{s:s,s:o}},s:[s]}", "type", "object", "properties",
            "detail", "type", "array", "items",
            ref(d->p, "ValidationError"), "required", "detail"));
        /* clang-format on */
        return "HTTPError";
    case HUB_PATCHWORK:
        json_object_set_new(s, "ErrorOut",
                            json_pack("{s:s,s:{s:{s:s}},s:[s]}", "type",
                                      "object", "properties", "detail", "type",
                                      "string", "required", "detail"));
        return "ErrorOut";
    case HUB_GOCLAW:
        json_object_set_new(s, "Error",
                            json_pack("{s:s,s:{s:{s:s}},s:[s]}", "type",
                                      "object", "properties", "error", "type",
                                      "string", "required", "error"));
        return "Error";
    case HUB_TOOLHUB:
        /* clang-format off */
        json_object_set_new(s, "Error", json_pack(
            "{s:s,s:{s:{s:s,s:{s:{s:s},s:{s:s}},s:[s,s]}},s:[s]}",
            "type", "object", "properties", "error", "type", "object",
            "properties", "code", "type", "string", "message", "type",
            "string", "required", "code", "message", "required", "error"));
        /* clang-format on */
        return "Error";
    default: /* g4f */
        /* clang-format off */
        json_object_set_new(s, "Error", json_pack(
            "{s:s,s:{s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},"
            "s:{s:s,s:{s:{s:s,s:{s:s,s:{s:{s:s,s:b},s:{s:s},s:{s:s}}}}}}},"
            "s:[s,s,s,s]}},s:[s]}",
            "type", "object", "properties", "error", "type", "object",
            "properties", "code", "type", "string", "message", "type",
            "string", "request_id", "type", "string", "retryable", "type",
            "boolean", "details", "type", "object", "properties", "fields",
            "type", "array", "items", "type", "object", "properties",
            "field", "type", "string", "nullable", 1, "type", "type",
            "string", "msg", "type", "string",
            "required", "code", "message", "request_id", "retryable",
            "required", "error"));
        /* clang-format on */
        return "Error";
    }
}

static const char *reason(int status)
{
    /* clang-format off */
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request: the query, path or body is invalid";
    case 401: return "Unauthorized: no credential this route accepts";
    case 403: return "Forbidden: the caller may not do this";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type: the body must be JSON";
    case 422: return "Validation Error";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable: the database is away";
    default:  return status < 400 ? "Success" : "Error";
    }
    /* clang-format on */
}

/* documents that are not JSON: "text/css image/png" */
static json_t *text_content(apr_pool_t *p, const char *types)
{
    json_t *c = json_object();
    char *list = apr_pstrdup(p, types), *last, *t;
    for (t = apr_strtok(list, " ", &last); t;
         t = apr_strtok(NULL, " ", &last)) {
        json_object_set_new(c, t,
                            json_pack("{s:{s:s}}", "schema", "type", "string"));
    }
    return c;
}

static json_t *json_content(json_t *schema)
{
    return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

static void error_response(doc_t *d, json_t *responses, int status,
                           const char *envelope)
{
    char key[8];
    json_t *schema;
    apr_snprintf(key, sizeof(key), "%d", status);
    if (json_object_get(responses, key)) {
        return;
    }
    /* FastAPI's validation answer, or a sentence when an operation
     * refuses on its own */
    schema = d->profile == HUB_CAYLEX && status == 422
                 ? json_pack("{s:[o,o]}", "anyOf",
                             ref(d->p, "HTTPValidationError"),
                             ref(d->p, envelope))
                 : ref(d->p, envelope);
    json_object_set_new(responses, key,
                        json_pack("{s:s,s:o}", "description", reason(status),
                                  "content", json_content(schema)));
}

/* statuses written "200 503" */
static void each_status(const char *list, int *out, int *n, int max)
{
    char *end;
    while (list && *list && *n < max) {
        long v = strtol(list, &end, 10);
        if (end == list) {
            break;
        }
        out[(*n)++] = (int)v;
        list = end;
    }
}

static json_t *responses(doc_t *d, const hub_route_t *rt,
                         const hub_openapi_hint_t *h, const char *opid,
                         const char *envelope, int nparams)
{
    json_t *out = json_object(), *schema = NULL;
    int ok[8], nok = 0, errs[8], nerr = 0, i;
    int invalid = hub_error_status_invalid(rt->profile);
    int has_body = rt->body && !raw_body(d, rt);
    int is_public = hub_access_ways_in(rt) & HUB_IN_PUBLIC;

    if (h && h->ok) {
        each_status(h->ok, ok, &nok, 8);
    }
    else {
        ok[nok++] = rt->status ? rt->status : 200;
    }
    for (i = 0; i < nok; i++) {
        char key[8];
        json_t *resp;
        apr_snprintf(key, sizeof(key), "%d", ok[i]);
        resp = json_pack("{s:s}", "description", reason(ok[i]));
        if (ok[i] != 204 && ok[i] != 304) {
            if (h && h->content_type) {
                json_object_set_new(resp, "content",
                                    text_content(d->p, h->content_type));
            }
            else {
                if (!schema) {
                    schema = answer_schema(d, rt, h, opid);
                }
                json_object_set_new(resp, "content",
                                    json_content(json_incref(schema)));
            }
        }
        json_object_set_new(out, key, resp);
    }
    json_decref(schema);

    /* what the dispatcher answers before (or for) the operation */
    if (!is_public) {
        error_response(d, out, 401, envelope);
        error_response(d, out, 403, envelope);
        error_response(d, out, 503, envelope);
    }
    if (nparams || rt->query || has_body) {
        error_response(d, out, invalid, envelope);
    }
    if (nparams) {
        error_response(d, out, 404, envelope);
    }
    if (has_body) {
        error_response(d, out, hub_error_status_malformed(rt->profile),
                       envelope);
        error_response(d, out, 400, envelope); /* a body cut short */
    }
    if (rt->body) {
        error_response(d, out, 413, envelope);
        error_response(d, out, 415, envelope);
    }
    if (!is_public && rt->method != HUB_M_GET) {
        error_response(d, out, 409, envelope); /* a unique key taken */
    }
    if (h && h->errors) {
        each_status(h->errors, errs, &nerr, 8);
    }
    for (i = 0; i < nerr; i++) {
        error_response(d, out, errs[i], envelope);
    }
    json_object_set_new(out, "default",
                        json_pack("{s:s,s:o}", "description",
                                  "Unexpected error (500)", "content",
                                  json_content(ref(d->p, envelope))));
    return out;
}

/* ---- security ---------------------------------------------------------- */

typedef struct {
    unsigned ways;    /* HUB_IN_* it stands for */
    unsigned profile; /* 0: any profile */
    const char *name;
    const char *scheme; /* JSON text */
} scheme_t;

/* The ways in, by the names the profiles' documents give them where they
 * have one (Patchwork's ApiKeyAuth and SessionAuth, Caylex's bearerAuth
 * and cookieAuth, GoClaw's bearerAuth for its token or a key); the first
 * row that stands for a way names it.  An API key may also come in
 * X-API-Key, the ApiKeyHeader of every profile. */
#define JWT_OR_KEY \
    "{\"type\":\"http\",\"scheme\":\"bearer\",\"bearerFormat\":\"JWT\"," \
    "\"description\":\"A signed access token (HS256), or an API key " \
    "hub_... where the route takes keys\"}"
/* clang-format off */
static const scheme_t schemes[] = {
    { HUB_IN_APIKEY, HUB_PATCHWORK, "ApiKeyAuth",
      "{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":"
      "\"A team API key: Authorization: Bearer hub_...\"}" },
    { HUB_IN_SESSION, HUB_PATCHWORK, "SessionAuth",
      "{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":\"pw_sessionid\","
      "\"description\":\"The session of POST /api/v1/auth/login/; changes "
      "also send its X-CSRF-Token\"}" },
    { HUB_IN_SESSION, HUB_CAYLEX, "cookieAuth",
      "{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":\"DS\","
      "\"description\":\"The session of POST /auth/login; changes also "
      "send its X-CSRF-Token\"}" },
    { HUB_IN_GATEWAY | HUB_IN_APIKEY, HUB_GOCLAW, "bearerAuth",
      "{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":"
      "\"The gateway token (HubGatewayToken) or an API key hub_...\"}" },
    { HUB_IN_SERVERKEY, 0, "ServerKeyAuth",
      "{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":"
      "\"A server's own key (hubs_...), for its heartbeats and "
      "feedback\"}" },
    { HUB_IN_JWT | HUB_IN_APIKEY | HUB_IN_GATEWAY, 0, "bearerAuth",
      JWT_OR_KEY },
    { 0, 0, NULL, NULL }
};
/* clang-format on */

static const char *const key_header =
    "{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"X-API-Key\","
    "\"description\":\"An API key hub_... in a header of its own\"}";

static void add_scheme(doc_t *d, json_t *alts, apr_hash_t *seen,
                       const char *name, const char *text)
{
    if (apr_hash_get(seen, name, APR_HASH_KEY_STRING)) {
        return;
    }
    apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
    if (!json_object_get(d->schemes, name)) {
        json_object_set_new(d->schemes, name, json_loads(text, 0, NULL));
    }
    json_array_append_new(alts, json_pack("{s:[]}", name));
}

/* The alternatives of a route's ways in: [{"bearerAuth": []}, ...];
 * none for a public route. */
static json_t *security(doc_t *d, const hub_route_t *rt)
{
    unsigned ways = hub_access_ways_in(rt);
    json_t *alts = json_array();
    apr_hash_t *seen = apr_hash_make(d->p);
    unsigned bit;
    if (ways & HUB_IN_PUBLIC) {
        return alts;
    }
    for (bit = HUB_IN_APIKEY; bit <= HUB_IN_SERVERKEY; bit <<= 1) {
        const scheme_t *s;
        if (!(ways & bit)) {
            continue;
        }
        for (s = schemes; s->name; s++) {
            if ((s->ways & bit) && (!s->profile || s->profile == d->profile)) {
                add_scheme(d, alts, seen, s->name, s->scheme);
                break;
            }
        }
    }
    if (ways & HUB_IN_APIKEY) {
        add_scheme(d, alts, seen, "ApiKeyHeader", key_header);
    }
    return alts;
}

/* ---- operations -------------------------------------------------------- */

static json_t *operation(doc_t *d, const hub_route_t *rt,
                         const hub_match_t *params, const char *envelope)
{
    apr_pool_t *p = d->p;
    json_t *op = json_object(), *plist;
    const hub_openapi_hint_t *h = hub_openapi_hint(rt->profile, rt->method,
                                                   rt->path);
    char *opid = apr_psprintf(p, "%s_%s", hub_method_name(rt->method),
                              rt->path);
    char *c;
    for (c = opid; *c; c++) {
        *c = isalnum((unsigned char)*c) ? (char)tolower((unsigned char)*c)
                                        : '_';
    }
    json_object_set_new(op, "operationId", json_string(opid));
    if (rt->summary) {
        json_object_set_new(op, "summary", json_string(rt->summary));
    }
    if (rt->need > HUB_NEED_PUBLIC) {
        json_object_set_new(op, "description",
                            json_string(apr_psprintf(p, "Needs %s access.",
                                                     hub_need_name(rt->need))));
    }
    plist = parameters(p, rt, params);
    if (json_array_size(plist)) {
        json_object_set_new(op, "parameters", plist);
    }
    else {
        json_decref(plist);
    }
    if (raw_body(d, rt)) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:{s:{s:s}}}}", "required", 1,
                                      "content", "multipart/form-data",
                                      "schema", "type", "object"));
    }
    else if (rt->body) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:{s:o}}}", "required", 1,
                                      "content", "application/json", "schema",
                                      body_schema(rt->body, rt->profile)));
    }
    json_object_set_new(op, "security", security(d, rt));
    json_object_set_new(op, "responses",
                        responses(d, rt, h, opid, envelope, params->nparams));
    return op;
}

/* The names of a route's parameters, in order, without matching. */
static void route_params(apr_pool_t *p, const char *path, hub_match_t *m)
{
    const char *s = path;
    m->nparams = 0;
    while (*s && m->nparams < HUB_MAX_PARAMS) {
        size_t n;
        while (*s == '/') {
            s++;
        }
        n = strcspn(s, "/");
        if (n && s[0] == ':') {
            m->names[m->nparams++] = apr_pstrmemdup(p, s + 1, n - 1);
        }
        else if (n > 1 && s[0] == '{' && s[n - 1] == '}') {
            m->names[m->nparams++] = apr_pstrmemdup(p, s + 1, n - 2);
        }
        s += n;
    }
}

json_t *hub_openapi_build(apr_pool_t *p, const apr_array_header_t *tables,
                          unsigned profile, unsigned flags_ok,
                          const char *version, const char *server_url,
                          const hub_field_t *raw_body)
{
    json_t *paths = json_object();
    const char *envelope;
    doc_t d;
    int t;

    d.p = p;
    d.profile = profile;
    d.schemas = json_object();
    d.schemes = json_object();
    d.by_shape = apr_hash_make(p);
    d.raw = raw_body;
    envelope = error_schemas(&d);
    for (t = 0; tables && t < tables->nelts; t++) {
        const hub_route_t *rt =
            APR_ARRAY_IDX(tables, t, hub_route_table_t).routes;
        for (; rt->path; rt++) {
            const char *key;
            json_t *item;
            char *m;
            hub_match_t params;
            if (rt->profile != profile || (rt->flags & ~flags_ok)) {
                continue;
            }
            key = hub_openapi_path(p, rt->path);
            item = json_object_get(paths, key);
            if (!item) {
                item = json_object();
                json_object_set_new(paths, key, item);
            }
            m = apr_pstrdup(p, hub_method_name(rt->method));
            for (char *c = m; *c; c++) {
                *c = (char)tolower((unsigned char)*c);
            }
            route_params(p, rt->path, &params);
            json_object_set_new(item, m, operation(&d, rt, &params, envelope));
        }
    }
    /* clang-format off */
    return json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:o}}",
        "openapi", "3.0.3",
        "info", "title", hub_profile_title(profile), "version", version,
        "description", "Served by mod_hub: the operations of this API that "
                       "this hub implements, with the statuses, answers "
                       "and errors this hub gives.",
        "servers", "url", server_url,
        "paths", paths,
        "components", "schemas", d.schemas, "securitySchemes", d.schemes);
    /* clang-format on */
}
