/* Unit tests of hub_validate: field tables against request bodies. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_validate.h"
#include "tap.h"

static const char *const colours[] = { "red", "green", NULL };

/* clang-format off */
static const struct hub_field fields[] = {
    { "name",  HUB_T_STRING,  HUB_F_REQUIRED, 2, 5, NULL, "a name" },
    { "count", HUB_T_INTEGER, 0, 1, 10, NULL, NULL },
    { "ratio", HUB_T_NUMBER,  0, 0, 0, NULL, NULL },
    { "on",    HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { "meta",  HUB_T_OBJECT,  0, 0, 0, NULL, NULL },
    { "tags",  HUB_T_ARRAY,   0, 0, 0, NULL, NULL },
    { "any",   HUB_T_ANY,     0, 0, 0, NULL, NULL },
    { "note",  HUB_T_STRING,  HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "colour", HUB_T_STRING, 0, 0, 0, colours, NULL },
    { NULL, HUB_T_ANY, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* Validate a JSON text; the problems land in *out. */
static int check(apr_pool_t *p, const char *text, apr_array_header_t **out)
{
    json_error_t je;
    json_t *body = json_loads(text, JSON_DECODE_ANY, &je);
    int n;
    *out = apr_array_make(p, 4, sizeof(hub_invalid_t));
    if (!body) {
        diag("bad test JSON %s: %s", text, je.text);
        return -1;
    }
    n = hub_validate(body, fields, p, *out);
    json_decref(body);
    return n;
}

static const hub_invalid_t *nth(apr_array_header_t *a, int i)
{
    return i < a->nelts ? &APR_ARRAY_IDX(a, i, hub_invalid_t) : NULL;
}

/* One problem with the given field and type, or a failing test. */
static void one_problem(apr_pool_t *p, const char *text, const char *field,
                        const char *type)
{
    apr_array_header_t *a;
    int n = check(p, text, &a);
    const hub_invalid_t *inv = nth(a, 0);
    ok(n == 1 && a->nelts == 1, "%s: one problem (got %d)", text, n);
    is_str(inv ? inv->field : "(none)", field, "  ... names the field");
    is_str(inv ? inv->type : "(none)", type, "  ... has the right type");
    ok(inv && inv->msg && *inv->msg, "  ... has a message");
}

static void no_problem(apr_pool_t *p, const char *text)
{
    apr_array_header_t *a;
    int n = check(p, text, &a);
    ok(n == 0 && a->nelts == 0, "%s: valid (got %d problems)", text, n);
}

static void test_valid(apr_pool_t *p)
{
    no_problem(p, "{\"name\":\"bob\"}");
    no_problem(p, "{\"name\":\"bob\",\"count\":10,\"ratio\":1,\"on\":false,"
                  "\"meta\":{},\"tags\":[],\"any\":[1],\"note\":null,"
                  "\"colour\":\"green\",\"extra\":1}");
    no_problem(p, "{\"name\":\"ab\",\"ratio\":0.5,\"any\":\"s\"}");
    no_problem(p, "{\"name\":\"abcde\",\"count\":1}");
}

static void test_missing(apr_pool_t *p)
{
    apr_array_header_t *a;
    one_problem(p, "{}", "name", "missing");
    check(p, "{}", &a);
    is_str(nth(a, 0) ? nth(a, 0)->msg : NULL, "Field required",
           "missing message is FastAPI's");
}

static void test_types(apr_pool_t *p)
{
    one_problem(p, "{\"name\":5}", "name", "string_type");
    one_problem(p, "{\"name\":\"bob\",\"count\":\"3\"}", "count",
                "integer_type");
    one_problem(p, "{\"name\":\"bob\",\"count\":2.5}", "count", "integer_type");
    one_problem(p, "{\"name\":\"bob\",\"ratio\":\"1\"}", "ratio",
                "number_type");
    one_problem(p, "{\"name\":\"bob\",\"on\":1}", "on", "boolean_type");
    one_problem(p, "{\"name\":\"bob\",\"meta\":[]}", "meta", "object_type");
    one_problem(p, "{\"name\":\"bob\",\"tags\":{}}", "tags", "array_type");
}

static void test_null(apr_pool_t *p)
{
    one_problem(p, "{\"name\":null}", "name", "string_type");
    one_problem(p, "{\"name\":\"bob\",\"count\":null}", "count",
                "integer_type");
    no_problem(p, "{\"name\":\"bob\",\"note\":null}");
}

static void test_bounds(apr_pool_t *p)
{
    one_problem(p, "{\"name\":\"a\"}", "name", "string_too_short");
    one_problem(p, "{\"name\":\"abcdef\"}", "name", "string_too_long");
    one_problem(p, "{\"name\":\"bob\",\"count\":0}", "count",
                "integer_out_of_range");
    one_problem(p, "{\"name\":\"bob\",\"count\":11}", "count",
                "integer_out_of_range");
    one_problem(p, "{\"name\":\"bob\",\"colour\":\"blue\"}", "colour", "enum");
    /* lengths are in characters, as the message says and pydantic counts:
     * "héllo" is 5 characters (6 bytes) and within max 5 */
    no_problem(p, "{\"name\":\"h\\u00e9llo\"}");
}

static void test_counts(apr_pool_t *p)
{
    apr_array_header_t *a;
    json_t *arr = json_array();
    int n;

    n = check(p, "{\"name\":1,\"count\":\"x\",\"on\":null,\"colour\":\"x\"}",
              &a);
    is_int(n, 4, "four problems counted");
    is_int(a->nelts, 4, "four problems appended");

    /* problems append to what is there; the count is only the new ones */
    n = hub_validate(arr, fields, p, a);
    is_int(n, 1, "non-object body: one problem");
    is_int(a->nelts, 5, "appended after the earlier four");
    is_str(nth(a, 4)->field, NULL, "non-object body: field is NULL");
    is_str(nth(a, 4)->type, "model_type", "non-object body: model_type");
    json_decref(arr);

    n = check(p, "\"text\"", &a);
    ok(n == 1 && nth(a, 0)->field == NULL, "string body: one problem, "
                                           "field NULL");
    n = check(p, "null", &a);
    ok(n == 1 && nth(a, 0)->field == NULL, "null body: one problem, "
                                           "field NULL");

    a = apr_array_make(p, 1, sizeof(hub_invalid_t));
    arr = json_object();
    is_int(hub_validate(arr, NULL, p, a), 0, "NULL field table: valid");
    json_decref(arr);
}

static void test_type_names(void)
{
    is_str(hub_type_name(HUB_T_STRING), "string", "type name string");
    is_str(hub_type_name(HUB_T_INTEGER), "integer", "type name integer");
    is_str(hub_type_name(HUB_T_NUMBER), "number", "type name number");
    is_str(hub_type_name(HUB_T_BOOLEAN), "boolean", "type name boolean");
    is_str(hub_type_name(HUB_T_OBJECT), "object", "type name object");
    is_str(hub_type_name(HUB_T_ARRAY), "array", "type name array");
    is_str(hub_type_name(HUB_T_ANY), "any", "type name any");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_valid(p);
    test_missing(p);
    test_types(p);
    test_null(p);
    test_bounds(p);
    test_counts(p);
    test_type_names();

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
