#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_openapi.h"
#include "hub_profile.h"
#include "hub_route.h"
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

static json_t *body_schema(const hub_field_t *fields)
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
    return schema;
}

static json_t *operation(apr_pool_t *p, const hub_route_t *rt,
                         const hub_match_t *params)
{
    json_t *op = json_object(), *plist = json_array();
    int i;
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
    for (i = 0; i < params->nparams; i++) {
        json_array_append_new(plist, json_pack("{s:s,s:s,s:b,s:{s:s}}", "name",
                                               params->names[i], "in", "path",
                                               "required", 1, "schema", "type",
                                               "string"));
    }
    if (json_array_size(plist)) {
        json_object_set_new(op, "parameters", plist);
    }
    else {
        json_decref(plist);
    }
    if (rt->body) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:{s:o}}}", "required", 1,
                                      "content", "application/json", "schema",
                                      body_schema(rt->body)));
    }
    if (rt->ways_in & HUB_IN_PUBLIC) {
        json_object_set_new(op, "security", json_array());
    }
    json_object_set_new(op, "responses",
                        json_pack("{s:{s:s,s:{s:{s:{s:s}}}}}", "200",
                                  "description", "OK", "content",
                                  "application/json", "schema", "type",
                                  "object"));
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
                          const char *version, const char *server_url)
{
    json_t *paths = json_object();
    int t;
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
            json_object_set_new(item, m, operation(p, rt, &params));
        }
    }
    /* clang-format off */
    return json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o}",
        "openapi", "3.0.3",
        "info", "title", hub_profile_title(profile), "version", version,
        "description", "Served by mod_hub: the operations of this API that "
                       "this hub implements.",
        "servers", "url", server_url,
        "paths", paths);
    /* clang-format on */
}
