/* Unit tests of hub_openapi: the document built from route/field tables. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_json.h"
#include "hub_openapi.h"
#include "hub_openapi_schema.h"
#include "hub_profile.h"
#include "hub_query.h"
#include "hub_result.h"
#include "hub_route.h"
#include "hub_rows.h"
#include "hub_validate.h"
#include "tap.h"

static int op_dummy(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}

static const char *const kinds[] = { "stdio", "http", NULL };

static const hub_shape_t item_shape[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "count", NULL, HUB_J_INT },
    { "on", NULL, HUB_J_BOOL },
    { "tags", NULL, HUB_J_STRINGS },
    { "meta", NULL, HUB_J_JSON },
    { "note", NULL, HUB_J_OMITEMPTY },
    { NULL, NULL, 0 }
};

/* an upload's body, read by its operation; and a JSON body of any members */
static const hub_field_t upload_body[] = { { NULL, 0, 0, 0, 0, NULL, NULL } };
static const hub_field_t any_body[] = { { NULL, 0, 0, 0, 0, NULL, NULL } };

static const hub_qfield_t item_query[] = {
    HUB_Q_CX_PAGE,
    { "on", HUB_Q_BOOL, 0, 0, 0, 0, NULL, NULL },
    { "mode", HUB_Q_ENUM, HUB_Q_REQUIRED, 0, 0, 0, kinds, NULL },
    HUB_Q_END
};

static const hub_field_t server_fields[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL, "display name" },
    { "port", HUB_T_INTEGER, HUB_F_REQUIRED, 1, 65535, NULL, NULL },
    { "kind", HUB_T_STRING, 0, 0, 0, kinds, NULL },
    { "tags", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "extra", HUB_T_ANY, 0, 0, 0, NULL, NULL },
    { NULL, HUB_T_ANY, 0, 0, 0, NULL, NULL }
};

/* clang-format off */
static const hub_route_t routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/servers", op_dummy, NULL, 0, 0,
      "List servers",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers", op_dummy, server_fields, 0, 0,
      "Create a server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers/:id", NULL, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_DELETE, "/servers/{id}/tools/:tool", NULL, NULL,
      0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/health", NULL, NULL, HUB_IN_PUBLIC, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/debug", NULL, NULL, 0, HUB_ROUTE_DIAG, NULL,
      .need = HUB_NEED_ANY },
    { HUB_G4F, HUB_M_GET, "/items", op_dummy, NULL, 0, 0, "List Items",
      .need = HUB_NEED_READ, .query = item_query, .shape = item_shape,
      .wrap = HUB_WRAP_CX_PAGE },
    { HUB_G4F, HUB_M_POST, "/items", op_dummy, server_fields, 0, 0,
      "Create Item",
      .need = HUB_NEED_WRITE, .shape = item_shape, .status = 201 },
    { HUB_G4F, HUB_M_GET, "/items/:id", op_dummy, NULL, 0, 0, "Get Item",
      .need = HUB_NEED_READ, .shape = item_shape, .wrap = HUB_WRAP_KEY,
      .key = "item" },
    { HUB_G4F, HUB_M_POST, "/upload", op_dummy, upload_body, 0, 0, "Upload",
      .need = HUB_NEED_WRITE },
    { HUB_G4F, HUB_M_PUT, "/anything", op_dummy, any_body, 0, 0, "Any",
      .need = HUB_NEED_WRITE },
    { HUB_GOCLAW, HUB_M_GET, "/tools", NULL, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_GET, "/servers", NULL, NULL, 0, 0, "goclaw list",
      .need = HUB_NEED_ANY },
    /* answers declared on the rows (hub_doc_t) */
    { HUB_PATCHWORK, HUB_M_GET, "/things", op_dummy, NULL, 0, 0, "List",
      .need = HUB_NEED_READ, .doc = HUB_DOC("Thing", OBJ("\"id\":" STR, "\"id\"")) },
    { HUB_PATCHWORK, HUB_M_POST, "/things", op_dummy, server_fields, 0, 0,
      "Make", .need = HUB_NEED_WRITE, .status = 201,
      .doc = HUB_DOC("Thing", OBJ("\"id\":" STR, "\"id\"")) },
    { HUB_PATCHWORK, HUB_M_GET, "/things/mine", op_dummy, NULL, 0, 0, "Mine",
      .need = HUB_NEED_READ,
      .doc = HUB_DOC_ONE("Mine", OBJ("\"n\":" INT, "\"n\"")) },
    { HUB_PATCHWORK, HUB_M_GET, "/things/:id", op_dummy, NULL, 0, 0, "One",
      .need = HUB_NEED_READ, .shape = item_shape,
      .doc = HUB_DOC("ThingRow", NULL) },
    { HUB_PATCHWORK, HUB_M_GET, "/named", op_dummy, NULL, 0, 0, "Named Thing",
      .need = HUB_NEED_READ, .doc = HUB_DOC_ONE(NULL, OBJ("\"a\":" STR, "")) },
    { HUB_PATCHWORK, HUB_M_GET, "/broken", op_dummy, NULL, 0, 0, "Broken",
      .need = HUB_NEED_READ, .doc = HUB_DOC_ONE("Broken", "{not json") },
    { 0 }
};
/* clang-format on */

static json_t *build(apr_pool_t *p, unsigned profile, unsigned flags_ok)
{
    apr_array_header_t *t = apr_array_make(p, 1, sizeof(hub_route_table_t));
    hub_route_table_t *tab = apr_array_push(t);
    tab->owner = "hub_test";
    tab->routes = routes;
    return hub_json_own(p, hub_openapi_build(p, t, profile, flags_ok, "1.2.3",
                                             "/caylex/api/v1", upload_body));
}

/* Text of the value at a JSON pointer-ish path of object keys, NULL when
 * any step is missing. */
static const char *at(apr_pool_t *p, json_t *doc, const char *const *keys)
{
    json_t *j = doc;
    for (; j && *keys; keys++) {
        j = json_object_get(j, *keys);
    }
    return j ? hub_json_text(p, j) : NULL;
}

#define AT(...) at(p, doc, (const char *const[]){ __VA_ARGS__, NULL })

static void test_paths(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_CAYLEX, 0);
    json_t *paths = json_object_get(doc, "paths");

    ok(doc != NULL, "document built");
    is_str(AT("openapi"), "\"3.0.3\"", "openapi version");
    is_str(AT("info", "title"), "\"Caylex API Service\"",
           "info.title is the profile's title");
    is_str(json_string_value(
               json_object_get(json_object_get(doc, "info"), "title")),
           hub_profile_title(HUB_CAYLEX), "  ... from hub_profile_title");
    is_str(AT("info", "version"), "\"1.2.3\"", "info.version as given");
    is_str(hub_json_text(p, json_object_get(doc, "servers")),
           "[{\"url\":\"/caylex/api/v1\"}]", "servers url as given");

    is_int((long long)json_object_size(paths), 4,
           "four caylex paths (diag and goclaw left out)");
    ok(json_object_get(paths, "/servers/{id}") != NULL, ":id becomes {id}");
    ok(json_object_get(paths, "/servers/:id") == NULL, "no :id path left");
    ok(json_object_get(paths, "/servers/{id}/tools/{tool}") != NULL,
       "mixed {id} and :tool both in braces");
    ok(json_object_get(paths, "/tools") == NULL,
       "goclaw-only path absent from caylex");
    ok(json_object_get(paths, "/debug") == NULL,
       "DIAG route absent without flags_ok");
    is_int((long long)json_object_size(json_object_get(paths, "/servers")), 2,
           "/servers has get and post");
    is_str(AT("paths", "/servers", "get", "summary"), "\"List servers\"",
           "summary of the caylex row, not the goclaw one");
    ok(AT("paths", "/servers", "get", "operationId") != NULL,
       "operationId present");
    is_str(AT("paths", "/health", "get", "security"), "[]",
           "public route: empty security");
    is_str(AT("paths", "/servers", "get", "security"),
           "[{\"bearerAuth\":[]},{\"cookieAuth\":[]},{\"ApiKeyHeader\":[]}]",
           "other routes: the profile's ways in, by its scheme names");
    is_str(AT("components", "securitySchemes", "cookieAuth", "name"), "\"DS\"",
           "  ... declared in components");
}

static void test_params(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_CAYLEX, 0);

    is_str(AT("paths", "/servers/{id}", "get", "parameters"),
           "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
           "\"schema\":{\"type\":\"string\"}}]",
           "path parameter id listed");
    is_str(AT("paths", "/servers/{id}/tools/{tool}", "delete", "parameters"),
           "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
           "\"schema\":{\"type\":\"string\"}},{\"name\":\"tool\",\"in\":"
           "\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}]",
           "two path parameters, in order");
    is_str(AT("paths", "/servers", "get", "parameters"), NULL,
           "no parameters key without path parameters");
}

static void test_body(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_CAYLEX, 0);
    const char *schema = AT("paths", "/servers", "post", "requestBody",
                            "content", "application/json", "schema");

    is_str(AT("paths", "/servers", "post", "requestBody", "required"), "true",
           "requestBody required");
    is_str(schema,
           "{\"type\":\"object\",\"properties\":{"
           "\"name\":{\"type\":\"string\",\"description\":\"display name\","
           "\"minLength\":1,\"maxLength\":64},"
           "\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535},"
           "\"kind\":{\"type\":\"string\",\"enum\":[\"stdio\",\"http\"]},"
           "\"tags\":{\"type\":\"array\",\"nullable\":true},"
           "\"extra\":{}},"
           "\"required\":[\"name\",\"port\"]}",
           "body schema: types, bounds, enum, nullable, required list");
    is_str(AT("paths", "/servers", "get", "requestBody"), NULL,
           "no requestBody without a field table");
}

static void test_flags_profiles(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_CAYLEX, HUB_ROUTE_DIAG);
    ok(AT("paths", "/debug", "get") != NULL,
       "DIAG route present with flags_ok");

    doc = build(p, HUB_GOCLAW, 0);
    is_int((long long)json_object_size(json_object_get(doc, "paths")), 2,
           "goclaw document: its two paths only");
    is_str(AT("paths", "/servers", "get", "summary"), "\"goclaw list\"",
           "goclaw /servers is goclaw's row");
    is_str(AT("info", "title"), "\"GoClaw Gateway API\"", "goclaw title");

    doc = build(p, HUB_TOOLHUB, 0);
    is_str(AT("paths"), "{}", "profile without routes: empty paths");
}

static void test_answers(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_G4F, 0);
    const char *item = "#/components/schemas/ListItemsItem";

    is_str(AT("paths", "/items", "post", "responses", "201", "content",
              "application/json", "schema", "$ref"),
           apr_psprintf(p, "\"%s\"", item),
           "create: 201 (the row's status) with the shape's schema");
    ok(AT("paths", "/items", "post", "responses", "200") == NULL,
       "  ... and no 200");
    is_str(AT("components", "schemas", "ListItemsItem"),
           "{\"type\":\"object\",\"properties\":{"
           "\"id\":{\"type\":\"string\"},"
           "\"count\":{\"type\":\"integer\",\"nullable\":true},"
           "\"on\":{\"type\":\"boolean\",\"nullable\":true},"
           "\"tags\":{\"type\":\"array\",\"items\":{\"type\":"
           "\"string\"},\"nullable\":true},"
           "\"meta\":{},\"note\":{\"type\":\"string\"}},"
           "\"required\":[\"id\",\"count\",\"on\",\"tags\",\"meta\"]}",
           "one schema per shape: types, nulls (but NOT NULL columns), "
           "omitempty not required");
    is_str(AT("paths", "/items", "get", "responses", "200", "content",
              "application/json", "schema", "$ref"),
           "\"#/components/schemas/Page_ListItemsItem_\"",
           "a paged list: the page of the shape");
    is_str(AT("components", "schemas", "Page_ListItemsItem_", "properties",
              "items", "items", "$ref"),
           apr_psprintf(p, "\"%s\"", item), "  ... whose items are the shape");
    is_str(AT("components", "schemas", "PageMeta", "required"),
           "[\"size\",\"total\",\"next_cursor\",\"has_next\","
           "\"has_prev\"]",
           "  ... and its meta");
    is_str(AT("paths", "/items/{id}", "get", "responses", "200", "content",
              "application/json", "schema"),
           apr_psprintf(p,
                        "{\"type\":\"object\",\"properties\":{\"item\":"
                        "{\"$ref\":\"%s\"}},\"required\":[\"item\"]}",
                        item),
           "one object under its key");
    ok(AT("paths", "/items/{id}", "get", "responses", "404") != NULL,
       "a path parameter: 404 declared");
    is_str(AT("paths", "/items/{id}", "get", "responses", "400", "content",
              "application/json", "schema", "$ref"),
           "\"#/components/schemas/Error\"",
           "g4f validation: 400 in its Error envelope");
    ok(AT("paths", "/items", "get", "responses", "401") != NULL
           && AT("paths", "/items", "get", "responses", "403") != NULL,
       "not public: 401 and 403 declared");
    ok(AT("paths", "/items", "post", "responses", "415") != NULL
           && AT("paths", "/items", "post", "responses", "413") != NULL,
       "a body: 415 and 413 declared");
    ok(AT("paths", "/items", "get", "responses", "default") != NULL,
       "default: the envelope for anything else");
    ok(AT("paths", "/upload", "post", "requestBody", "content",
          "multipart/form-data")
           != NULL,
       "the upload's body is multipart");
    ok(AT("paths", "/upload", "post", "responses", "415") != NULL,
       "  ... with its 415");
    is_str(AT("paths", "/anything", "put", "requestBody", "content",
              "application/json", "schema"),
           "{\"type\":\"object\",\"properties\":{}}",
           "an empty field table is a JSON object of any members");
    is_str(AT("components", "schemas", "Error", "required"), "[\"error\"]",
           "g4f's envelope");

    is_str(AT("paths", "/items", "get", "parameters"),
           "[{\"name\":\"size\",\"in\":\"query\",\"required\":false,"
           "\"schema\":{\"type\":\"integer\",\"minimum\":1,"
           "\"maximum\":100,\"default\":20},\"description\":"
           "\"page size\"},"
           "{\"name\":\"cursor\",\"in\":\"query\",\"required\":false,"
           "\"schema\":{\"type\":\"string\"},\"description\":"
           "\"meta.next_cursor of the page before\"},"
           "{\"name\":\"on\",\"in\":\"query\",\"required\":false,"
           "\"schema\":{\"type\":\"boolean\"}},"
           "{\"name\":\"mode\",\"in\":\"query\",\"required\":true,"
           "\"schema\":{\"type\":\"string\",\"enum\":[\"stdio\","
           "\"http\"]}}]",
           "query parameters: types, bounds, defaults, enums, required");
    ok(AT("paths", "/items", "get", "responses", "400") != NULL,
       "a query: the validation status declared");
}

/* every hint's schema is JSON, and names a real way to answer */
static void test_hints(apr_pool_t *p)
{
    const hub_openapi_hint_t *h;
    int bad = 0, n = 0;
    (void)p;
    for (h = hub_openapi_hints(); h->profile; h++, n++) {
        json_t *v = h->schema ? json_loads(h->schema, 0, NULL) : NULL;
        if (h->schema && !json_is_object(v)) {
            diag("hint %s: schema is not a JSON object", h->path);
            bad++;
        }
        json_decref(v);
        if (!h->path || h->path[0] != '/') {
            bad++;
        }
        else if (hub_openapi_hint(h->profile, h->method, h->path) != h) {
            diag("hint %s: shadowed by an earlier one", h->path);
            bad++;
        }
    }
    ok(n > 10, "hints are there");
    is_int(bad, 0, "every hint's schema is a JSON object, none shadowed");
}

/* answers declared on the route rows: named components, arrays for a
 * GET that lists (but HUB_DOC_ONE), a shape by the doc's model */
static void test_docs(apr_pool_t *p)
{
    json_t *doc = build(p, HUB_PATCHWORK, 0);
#define OK200(path, m) \
    AT("paths", path, m, "responses", "200", "content", "application/json", \
       "schema")
    is_str(OK200("/things", "get"),
           "{\"type\":\"array\",\"items\":"
           "{\"$ref\":\"#/components/schemas/Thing\"}}",
           "a doc on a GET of a collection: an array of its model");
    is_str(AT("paths", "/things", "post", "responses", "201", "content",
              "application/json", "schema"),
           "{\"$ref\":\"#/components/schemas/Thing\"}",
           "a doc on a write: its model, at the row's status");
    is_str(AT("components", "schemas", "Thing"),
           "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
           "\"string\"}},\"required\":[\"id\"]}",
           "  the model is the doc's schema, once");
    is_str(OK200("/things/mine", "get"),
           "{\"$ref\":\"#/components/schemas/Mine\"}",
           "HUB_DOC_ONE: one object on a GET that would list");
    is_str(OK200("/things/{id}", "get"),
           "{\"$ref\":\"#/components/schemas/ThingRow\"}",
           "a doc without a schema names the row's shape");
    ok(AT("components", "schemas", "ThingRow", "properties", "count") != NULL,
       "  the shape's schema under the doc's model");
    is_str(OK200("/named", "get"),
           "{\"$ref\":\"#/components/schemas/NamedThingResponse\"}",
           "a doc without a model: named from the summary");
    is_str(OK200("/broken", "get"), "{\"type\":\"object\"}",
           "a doc whose schema is not JSON: a bare object (t/http/63 fails "
           "on it)");
#undef OK200
}

static void test_path_conversion(apr_pool_t *p)
{
    is_str(hub_openapi_path(p, "/a/:b/c/:d"), "/a/{b}/c/{d}",
           ":params become {params}");
    is_str(hub_openapi_path(p, "/a/{b}"), "/a/{b}", "{params} unchanged");
    is_str(hub_openapi_path(p, "/a:b/c"), "/a:b/c",
           "a colon inside a segment is literal");
    is_str(hub_openapi_path(p, "/"), "/", "root unchanged");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_paths(p);
    test_params(p);
    test_body(p);
    test_flags_profiles(p);
    test_answers(p);
    test_hints(p);
    test_docs(p);
    test_path_conversion(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
