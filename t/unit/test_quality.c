/* Unit tests of hub_quality: every check of the rubric, alone and
 * together, the caps, and the scores of known definitions (tools as
 * server-everything and the test servers list them). */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "hub_quality.h"
#include "tap.h"

static apr_pool_t *pool;

/* Score a definition given as JSON text (single quotes for double). */
static hub_quality_t score(const char *text)
{
    hub_quality_t q;
    char *t = apr_pstrdup(pool, text), *c;
    json_error_t err;
    json_t *j;
    for (c = t; *c; c++) {
        if (*c == '\'') {
            *c = '"';
        }
    }
    j = json_loads(t, 0, &err);
    if (!j) {
        diag("bad test JSON: %s: %s", err.text, t);
    }
    hub_quality_score(pool, j, &q);
    json_decref(j);
    return q;
}

/* The issue types, in order, comma-separated. */
static const char *types(const hub_quality_t *q)
{
    const char *s = "";
    int i;
    for (i = 0; i < q->issues->nelts; i++) {
        s = apr_pstrcat(pool, s, i ? "," : "",
                        APR_ARRAY_IDX(q->issues, i, hub_quality_issue_t).type,
                        NULL);
    }
    return s;
}

static const hub_quality_issue_t *issue(const hub_quality_t *q, int i)
{
    return &APR_ARRAY_IDX(q->issues, i, hub_quality_issue_t);
}

#define GOOD_SCHEMA \
    "'inputSchema': {'type': 'object', 'properties': {" \
    "'message': {'type': 'string', 'description': 'Message to echo'}}," \
    " 'required': ['message']}"

static void test_perfect(void)
{
    hub_quality_t q = score("{'name': 'echo', 'description': 'Echoes back "
                            "the input string', " GOOD_SCHEMA "}");
    is_int(q.score, 100, "server-everything's echo: 100");
    is_int(q.issues->nelts, 0, "  no issues");
    q = score("{'name': 'get-tiny-image', 'description': 'Returns a tiny MCP"
              " logo image.', 'inputSchema': {'type': 'object', "
              "'properties': {}}}");
    is_int(q.score, 100, "a tool without parameters: 100");
    q = score("{'name': 'toggle', 'description': 'Toggles simulated logging "
              "on or off.', 'inputSchema': {'type': 'object'}}");
    is_int(q.score, 100, "no properties at all: 100");
    q = score("{'name': 'admin.tools.list_v2-x', 'description': 'Lists the "
              "tools of the admin area', " GOOD_SCHEMA "}");
    is_int(q.score, 100, "dots, underscores, dashes are valid in names");
}

static void test_name(void)
{
    hub_quality_t q;
    char *long_name = apr_palloc(pool, 130), *json;
    memset(long_name, 'a', 129);
    long_name[129] = '\0';

    /* clang-format off */
    q = score("{'description': 'Echoes back the input string', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_str(types(&q), "name_invalid", "no name");
    is_int(q.score, 80, "  costs 20");
    is_str(issue(&q, 0)->severity, "error", "  an error");
    is_str(issue(&q, 0)->detail, "the tool has no name", "  detail");

    /* clang-format off */
    q = score("{'name': '', 'description': 'Echoes back the input string', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_str(types(&q), "name_invalid", "an empty name");

    q = score("{'name': 'read file', 'description': 'Reads one file from "
              "disk', " GOOD_SCHEMA "}");
    is_str(types(&q), "name_invalid", "a space in the name");
    is_str(issue(&q, 0)->detail,
           "the name 'read file' has characters other "
           "than A-Z, a-z, 0-9, '_', '-' and '.'",
           "  detail");
    q = score("{'name': 'files/read', 'description': 'Reads one file from "
              "disk', " GOOD_SCHEMA "}");
    is_str(types(&q), "name_invalid",
           "a slash (allowed by SEP-986, not by "
           "the 2025-11-25 spec)");
    q = score("{'name': 'caf\\u00e9', 'description': 'Reads one file from "
              "disk', " GOOD_SCHEMA "}");
    is_str(types(&q), "name_invalid", "a non-ASCII letter");
    /* clang-format off */
    q = score("{'name': 42, 'description': 'Reads one file from disk', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_str(types(&q), "name_invalid", "a name that is no string");

    json = apr_psprintf(pool,
                        "{'name': '%s', 'description': 'Reads one "
                        "file from disk', " GOOD_SCHEMA "}",
                        long_name);
    q = score(json);
    is_str(types(&q), "name_invalid", "129 characters");
    is_str(issue(&q, 0)->detail,
           "the name is 129 characters long (at most "
           "128)",
           "  detail");
    long_name[128] = '\0';
    json = apr_psprintf(pool,
                        "{'name': '%s', 'description': 'Reads one "
                        "file from disk', " GOOD_SCHEMA "}",
                        long_name);
    q = score(json);
    is_int(q.score, 100, "128 characters are fine");
}

static void test_description(void)
{
    hub_quality_t q;
    char *big = apr_palloc(pool, 1100), *json;

    q = score("{'name': 'echo', " GOOD_SCHEMA "}");
    is_str(types(&q), "description_missing", "no description");
    is_int(q.score, 70, "  costs 30");
    is_str(issue(&q, 0)->severity, "error", "  an error");
    q = score("{'name': 'echo', 'description': '  \\n ', " GOOD_SCHEMA "}");
    is_str(types(&q), "description_missing", "white space only");
    q = score("{'name': 'echo', 'description': null, " GOOD_SCHEMA "}");
    is_str(types(&q), "description_missing", "null");

    /* clang-format off */
    q = score("{'name': 'echo', 'description': 'Echoes text', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_str(types(&q), "description_too_short", "11 characters");
    is_int(q.score, 85, "  costs 15");
    is_str(issue(&q, 0)->severity, "warning", "  a warning");
    is_str(issue(&q, 0)->detail,
           "the description is 11 characters long (at "
           "least 20 say what the tool does)",
           "  detail");
    /* clang-format off */
    q = score("{'name': 'echo', 'description': 'Echoes back the input', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_int(q.score, 100, "21 characters are enough");
    /* clang-format off */
    q = score("{'name': 'echo', 'description': '\\u00e9\\u00e9\\u00e9\\u00e9"
              "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9 bytes', "
              GOOD_SCHEMA "}");
    /* clang-format on */
    is_str(types(&q), "description_too_short",
           "characters are counted, not "
           "bytes");

    q = score("{'name': 'get_weather_forecast', 'description': 'Get weather "
              "forecast', " GOOD_SCHEMA "}");
    is_str(types(&q), "description_restates_name", "the name again");
    is_int(q.score, 85, "  costs 15 (and not also too short)");

    memset(big, 'x', 1025);
    big[1025] = '\0';
    /* clang-format off */
    json = apr_psprintf(pool, "{'name': 'echo', 'description': '%s', "
                        GOOD_SCHEMA "}", big);
    /* clang-format on */
    q = score(json);
    is_str(types(&q), "description_too_long", "1025 characters");
    is_int(q.score, 90, "  costs 10");
    big[1024] = '\0';
    /* clang-format off */
    json = apr_psprintf(pool, "{'name': 'echo', 'description': '%s', "
                        GOOD_SCHEMA "}", big);
    /* clang-format on */
    is_int(score(json).score, 100, "1024 are fine");
}

static void test_schema(void)
{
    hub_quality_t q;
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string'}");
    is_str(types(&q), "input_schema_missing", "no inputSchema");
    is_int(q.score, 75, "  costs 25");
    is_str(issue(&q, 0)->detail, "the tool has no inputSchema", "  detail");
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': 'object'}");
    is_str(types(&q), "input_schema_missing", "inputSchema a string");
    is_str(issue(&q, 0)->detail, "inputSchema is not a JSON object",
           "  detail");

    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'array', 'items': {}}}");
    is_str(types(&q), "input_schema_not_object", "type array");
    is_int(q.score, 75, "  costs 25");
    is_str(issue(&q, 0)->detail, "inputSchema.type is 'array', not 'object'",
           "  detail");
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'properties': {}}}");
    is_str(types(&q), "input_schema_not_object", "no type");

    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'properties': "
              "[]}}");
    is_str(types(&q), "input_schema_invalid", "properties an array");
    is_int(q.score, 90, "  costs 10");
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'required': "
              "'message'}}");
    is_str(types(&q), "input_schema_invalid", "required a string");
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'required': [1]}}");
    is_str(types(&q), "input_schema_invalid", "required holds a number");
}

static void test_properties(void)
{
    hub_quality_t q;
    q = score("{'name': 'get-resource-reference', 'description': 'Returns a "
              "resource reference that can be used by MCP clients', "
              "'inputSchema': {'type': 'object', 'properties': {"
              "'resourceId': {'type': 'number', 'default': 1, 'description': "
              "'ID of the text resource to fetch'}, 'resourceType': {'type': "
              "'string', 'enum': ['Text', 'Blob'], 'default': 'Text'}}}}");
    is_str(types(&q), "property_undescribed",
           "server-everything's "
           "get-resource-reference: one property undescribed");
    is_int(q.score, 95, "  scores 95");
    is_str(issue(&q, 0)->detail,
           "property 'resourceType' has no "
           "description",
           "  detail names it");
    is_str(issue(&q, 0)->severity, "warning", "  a warning");

    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'properties': {"
              "'a': {'description': 'first'}, 'b': {'enum': [1, 2], "
              "'description': 'second'}, 'c': {'anyOf': [{'type': 'string'}],"
              " 'description': 'third'}, 'd': {'$ref': '#/$defs/x', "
              "'description': 'fourth'}, 'e': {'const': 1, 'description': "
              "'fifth'}}}}");
    is_str(types(&q), "property_untyped",
           "only the property without type, "
           "enum, anyOf, $ref or const is untyped");
    is_int(q.score, 95, "  costs 5");
    is_str(issue(&q, 0)->detail, "property 'a' has no type", "  detail");

    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'properties': {"
              "'a': true}}}");
    is_str(types(&q), "property_untyped,property_undescribed",
           "a boolean schema is neither typed nor described");

    q = score("{'name': 'many', 'description': 'A tool with many bad "
              "parameters', 'inputSchema': {'type': 'object', 'properties': "
              "{'a': {}, 'b': {}, 'c': {}, 'd': {}, 'e': {}}}}");
    is_int(q.issues->nelts, 10, "five bare properties: ten issues");
    is_int(q.score, 70, "  but each kind costs at most 15");
    is_int(issue(&q, 4)->weight, 5, "  the third untyped costs 5");
    is_int(issue(&q, 6)->weight, 0, "  the fourth costs nothing");
}

static void test_required(void)
{
    hub_quality_t q;
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', 'properties': {"
              "'message': {'type': 'string', 'description': 'Text'}}, "
              "'required': ['message', 'mesage']}}");
    is_str(types(&q), "required_unknown",
           "a required name that is no "
           "property");
    is_int(q.score, 90, "  costs 10");
    is_str(issue(&q, 0)->detail,
           "required names 'mesage', which is not "
           "among the properties",
           "  detail");
    is_str(issue(&q, 0)->severity, "error", "  an error");
    q = score("{'name': 'echo', 'description': 'Echoes back the input "
              "string', 'inputSchema': {'type': 'object', "
              "'required': ['a', 'b', 'c']}}");
    is_str(types(&q), "required_unknown,required_unknown,required_unknown",
           "required without properties: each is unknown");
    is_int(q.score, 80, "  capped at 20");
}

static void test_together(void)
{
    hub_quality_t q;
    json_t *j;
    q = score("{'name': 'bad tool!', 'description': 'x', 'inputSchema': {"
              "'type': 'string', 'properties': {'p': {}}, 'required': "
              "['q']}}");
    is_str(types(&q),
           "name_invalid,description_too_short,"
           "input_schema_not_object,property_untyped,property_undescribed,"
           "required_unknown",
           "a bad tool fails many checks, in order");
    is_int(q.score, 100 - 20 - 15 - 25 - 5 - 5 - 10, "  scores 20");

    q = score("{'name': 'bad tool!', 'inputSchema': 7}");
    is_int(q.score, 100 - 20 - 30 - 25, "no description and no schema: 25");
    q = score("{}");
    is_int(q.score, 25, "an empty object: 25");
    q = score("[1, 2]");
    is_str(types(&q), "name_invalid,description_missing,input_schema_missing",
           "not an object: the three basic checks fail");
    is_int(q.score, 25, "  25");
    hub_quality_score(pool, NULL, &q);
    is_int(q.score, 25, "NULL: the same");

    q = score("{'name': 'bad tool!', 'description': 'x', 'inputSchema': {"
              "'type': 'string', 'properties': {'p': {}}, 'required': "
              "['q']}}");
    j = hub_quality_issues_json(&q);
    is_int((int)json_array_size(j), 6, "issues as JSON: one per issue");
    is_str(json_string_value(json_object_get(json_array_get(j, 0), "type")),
           "name_invalid", "  with type");
    is_str(json_string_value(json_object_get(json_array_get(j, 0), "severity")),
           "error", "  severity");
    ok(json_is_string(json_object_get(json_array_get(j, 0), "detail")),
       "  and detail");
    is_int((int)json_object_size(json_array_get(j, 0)), 3,
           "  and nothing else (no weight)");
    json_decref(j);
}

static void test_long_quotes(void)
{
    hub_quality_t q;
    char *name = apr_palloc(pool, 201), *json;
    memset(name, 'b', 200);
    name[0] = ' ';
    name[200] = '\0';
    json = apr_psprintf(pool,
                        "{'name': '%s', 'description': 'Reads one "
                        "file from disk', " GOOD_SCHEMA "}",
                        name);
    q = score(json);
    ok(strlen(issue(&q, 0)->detail) < 150, "a long bad name is cut in the "
                                           "detail");
    ok(strstr(issue(&q, 0)->detail, "...") != NULL, "  marked with ...");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_perfect();
    test_name();
    test_description();
    test_schema();
    test_properties();
    test_required();
    test_together();
    test_long_quotes();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
