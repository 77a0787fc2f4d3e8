/* Unit tests of the tool registries' httpd-free parts: the JSON Schema
 * subset that checks a tool's arguments (hub_servers_schema.c) and the
 * multipart/form-data reader of skill uploads (hub_servers_multipart.c). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_servers_multipart.h"
#include "hub_servers_schema.h"
#include "hub_validate.h"
#include "tap.h"

static apr_pool_t *pool;

/* "field type; field type" of the problems of value against schema */
static const char *problems_of(const char *schema, const char *value)
{
    json_t *s = json_loads(schema, 0, NULL);
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    apr_array_header_t *pr = apr_array_make(pool, 2, sizeof(hub_invalid_t));
    const char *out = "";
    int i;
    if (!s || !v) {
        return "(bad test JSON)";
    }
    hub_schema_check(pool, s, v, "args", pr);
    for (i = 0; i < pr->nelts; i++) {
        const hub_invalid_t *p = &APR_ARRAY_IDX(pr, i, hub_invalid_t);
        out = apr_pstrcat(pool, out, i ? "; " : "", p->field, " ", p->type,
                          NULL);
    }
    json_decref(s);
    json_decref(v);
    return out;
}

static const char *schema_problem(const char *schema)
{
    json_t *s = json_loads(schema, 0, NULL);
    const char *why = hub_schema_problem(pool, s);
    json_decref(s);
    return why ? why : "";
}

static void test_schema(void)
{
    static const char obj[] =
        "{\"type\":\"object\",\"required\":[\"a\"],"
        "\"additionalProperties\":false,\"properties\":{"
        "\"a\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
        "\"s\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":3},"
        "\"e\":{\"enum\":[\"x\",1]},"
        "\"l\":{\"type\":\"array\",\"items\":{\"type\":\"number\"},"
        "\"maxItems\":2,\"uniqueItems\":true},"
        "\"n\":{\"type\":[\"string\",\"null\"]}}}";

    is_str(problems_of(obj, "{\"a\":5}"), "", "a fitting object");
    is_str(problems_of(obj, "{\"a\":5.0}"), "", "5.0 is an integer");
    is_str(problems_of(obj, "{\"a\":5.5}"), "args.a type_error", "5.5 is not");
    is_str(problems_of(obj, "{}"), "args.a missing", "a required member");
    is_str(problems_of(obj, "{\"a\":0}"), "args.a greater_than_equal",
           "minimum");
    is_str(problems_of(obj, "{\"a\":11}"), "args.a less_than_equal", "maximum");
    is_str(problems_of(obj, "{\"a\":1,\"z\":1}"), "args.z extra_forbidden",
           "additionalProperties false");
    is_str(problems_of(obj, "{\"a\":1,\"s\":\"\xc3\xa9\xc3\xa9\"}"), "",
           "lengths count code points, not bytes");
    is_str(problems_of(obj, "{\"a\":1,\"s\":\"abcd\"}"),
           "args.s string_too_long", "maxLength");
    is_str(problems_of(obj, "{\"a\":1,\"e\":1.0}"), "", "enum: 1.0 equals 1");
    is_str(problems_of(obj, "{\"a\":1,\"e\":\"y\"}"), "args.e enum", "enum");
    is_str(problems_of(obj, "{\"a\":1,\"l\":[1,\"x\"]}"),
           "args.l[1] type_error", "items, with the index");
    is_str(problems_of(obj, "{\"a\":1,\"l\":[1,1]}"), "args.l unique_items",
           "uniqueItems");
    is_str(problems_of(obj, "{\"a\":1,\"l\":[1,2,3]}"), "args.l too_long",
           "maxItems");
    is_str(problems_of(obj, "{\"a\":1,\"n\":null}"), "", "a list of types");
    is_str(problems_of(obj, "{\"a\":1,\"n\":3}"), "args.n type_error",
           "  and what is none of them");
    is_str(problems_of(obj, "[]"), "args type_error", "not an object at all");
    is_str(problems_of("{\"anyOf\":[{\"type\":\"string\"},{\"type\":"
                       "\"integer\"}]}",
                       "true"),
           "args union_error", "anyOf");
    is_str(problems_of("{\"oneOf\":[{\"type\":\"number\"},{\"type\":"
                       "\"integer\"}]}",
                       "3"),
           "args union_error", "oneOf: 3 fits both");
    is_str(problems_of("{\"not\":{\"const\":\"x\"}}", "\"x\""),
           "args value_error", "not");
    is_str(problems_of("{\"multipleOf\":0.5}", "1.5"), "", "multipleOf 0.5");
    is_str(problems_of("{\"multipleOf\":3}", "-7"), "args multiple_of",
           "  -7 is no multiple of 3");

    is_str(schema_problem("{\"type\":\"object\"}"), "", "an object schema");
    is_str(schema_problem("{}"), "", "no type at all");
    ok(*schema_problem("{\"type\":\"string\"}"),
       "a schema of a string is refused (arguments are named)");
    ok(strstr(schema_problem("{\"properties\":{\"x\":{\"type\":\"strin\"}}}"),
              "properties.x.type")
           != NULL,
       "an unknown type is named by its path");
    ok(*schema_problem("{\"required\":\"a\"}"), "required must be a list");
    ok(*schema_problem("{\"properties\":{\"x\":{\"minLength\":-1}}}"),
       "a negative minLength");
    ok(*schema_problem("{\"anyOf\":[]}"), "an empty anyOf");
    {
        /* nested deeper than the check recurses */
        char *deep = apr_pstrdup(pool, "{}");
        int i;
        for (i = 0; i < 20; i++) {
            deep = apr_psprintf(pool, "{\"items\":%s}", deep);
        }
        ok(*schema_problem(deep), "a schema nested 20 deep is refused");
    }
}

static int parts_of(const char *body, const char *boundary,
                    apr_array_header_t **parts)
{
    return hub_mp_parse(pool, body, strlen(body), boundary, parts);
}

static void test_multipart(void)
{
    apr_array_header_t *parts;
    const hub_mp_part_t *p;
    int np;
    static const char good[] =
        "preamble\r\n"
        "--XX\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"SKILL.md\""
        "\r\nContent-Type: text/markdown\r\n\r\n"
        "line one\r\n--X not the end\r\n"
        "--XX\r\n"
        "Content-Disposition: form-data; name=files; filename=\"a/b.txt\"\r\n"
        "\r\n"
        "\r\n"
        "--XX--\r\nepilogue";

    is_str(hub_mp_boundary(pool, "multipart/form-data; boundary=\"a b\"", &np),
           "a b", "a quoted boundary");
    ok(!hub_mp_boundary(pool, "multipart/form-data", &np) && !np,
       "multipart without a boundary");
    ok(!hub_mp_boundary(pool, "application/json", &np) && np, "another type");
    ok(!hub_mp_boundary(pool,
                        "multipart/form-data; boundary=0123456789012345678901"
                        "2345678901234567890123456789012345678901234567890",
                        &np),
       "a boundary over 70 characters");

    is_int(parts_of(good, "XX", &parts), 0, "a body with preamble, epilogue");
    is_int(parts->nelts, 2, "  two parts");
    p = hub_mp_find(parts, "file");
    ok(p && !strcmp(p->filename, "SKILL.md")
           && !strcmp(p->content_type, "text/markdown"),
       "  name, filename, type");
    ok(p && p->len == strlen("line one\r\n--X not the end")
           && !memcmp(p->data, "line one\r\n--X not the end", p->len),
       "  data up to the delimiter, a look-alike line inside");
    p = hub_mp_find(parts, "files");
    ok(p && !strcmp(p->filename, "a/b.txt") && p->len == 0,
       "  an unquoted name and an empty part");

    is_int(parts_of(good, "YY", &parts), -1, "another boundary");
    is_int(parts_of("--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n"
                    "\r\nno end",
                    "XX", &parts),
           -1, "a part never ended");
    is_int(parts_of("--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n"
                    "\r\ndata\r\n--XX",
                    "XX", &parts),
           -1, "no closing delimiter");
    is_int(parts_of("--XX\r\nContent-Type: text/plain\r\n\r\nd\r\n--XX--", "XX",
                    &parts),
           -1, "a part without Content-Disposition");
    is_int(parts_of("--XX\r\nContent-Disposition: attachment; name=\"f\""
                    "\r\n\r\nd\r\n--XX--",
                    "XX", &parts),
           -1, "a disposition that is not form-data");
    is_int(parts_of("--XX--", "XX", &parts), 0, "no parts at all");
    is_int(parts->nelts, 0, "  none");
    {
        char *many = "";
        int i;
        for (i = 0; i <= HUB_MP_MAX_PARTS; i++) {
            many = apr_pstrcat(pool, many,
                               "--XX\r\nContent-Disposition: form-data; "
                               "name=\"f\"\r\n\r\nx\r\n",
                               NULL);
        }
        many = apr_pstrcat(pool, many, "--XX--", NULL);
        is_int(parts_of(many, "XX", &parts), -1, "more parts than allowed");
    }
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_schema();
    test_multipart();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
