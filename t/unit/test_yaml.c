/* Unit tests of hub_yaml: JSON to block-style YAML, exact text. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_json.h"
#include "hub_yaml.h"
#include "tap.h"

/* YAML of a JSON text, "(bad JSON)" when the test's own text is wrong. */
static const char *yaml_of(apr_pool_t *p, const char *json)
{
    json_error_t je;
    json_t *j = hub_json_own(p, json_loads(json, JSON_DECODE_ANY, &je));
    if (!j) {
        diag("bad test JSON %s: %s", json, je.text);
        return "(bad JSON)";
    }
    return hub_json_to_yaml(p, j);
}

static void test_scalars(apr_pool_t *p)
{
    is_str(yaml_of(p, "1"), "1\n", "integer");
    is_str(yaml_of(p, "-2.5"), "-2.5\n", "real");
    is_str(yaml_of(p, "true"), "true\n", "true");
    is_str(yaml_of(p, "false"), "false\n", "false");
    is_str(yaml_of(p, "null"), "null\n", "null");
    is_str(yaml_of(p, "\"x\""), "\"x\"\n", "string is quoted");
    is_str(yaml_of(p, "{}"), "{}\n", "empty object at the top");
    is_str(yaml_of(p, "[]"), "[]\n", "empty array at the top");
}

/* Strings YAML would read as another type must keep their quotes. */
static void test_lookalikes(apr_pool_t *p)
{
    is_str(yaml_of(p, "[\"1\",\"1.5\",\"true\",\"no\",\"null\",\"~\",\"\"]"),
           "- \"1\"\n- \"1.5\"\n- \"true\"\n- \"no\"\n- \"null\"\n- \"~\"\n"
           "- \"\"\n",
           "number/boolean/null look-alikes stay quoted");
    is_str(yaml_of(p, "{\"a\":\"x: y\",\"b\":\"- z\",\"c\":\"#c\"}"),
           "\"a\": \"x: y\"\n\"b\": \"- z\"\n\"c\": \"#c\"\n",
           "YAML syntax inside strings stays quoted");
    is_str(yaml_of(p, "{\"s\":\"a\\\"b\\nc\\\\d\"}"),
           "\"s\": \"a\\\"b\\nc\\\\d\"\n",
           "quotes, newlines and backslashes escaped");
}

/* YAML forbids raw DEL and C1 controls, and YAML 1.1 readers take a raw
 * NEL (U+0085) as a line break and fold it into a space: all must come
 * out escaped, or a value changes or the document is unreadable. */
static void test_unprintable(apr_pool_t *p)
{
    is_str(yaml_of(p, "\"a\\u007fb\""), "\"a\\u007fb\"\n",
           "DEL (U+007F) is escaped");
    is_str(yaml_of(p, "\"a\\u0085b\""), "\"a\\u0085b\"\n",
           "NEL (U+0085) is escaped");
    is_str(yaml_of(p, "{\"k\\u009f\":1}"), "\"k\\u009f\": 1\n",
           "a C1 control in a key is escaped");
    is_str(yaml_of(p, "\"\\u00e9\\u2028\""), "\"\xc3\xa9\xe2\x80\xa8\"\n",
           "printable non-ASCII stays as UTF-8");
}

static void test_keys(apr_pool_t *p)
{
    is_str(yaml_of(p, "{\"true\":1,\"1\":2,\"a b:c\":3,\"\":4}"),
           "\"true\": 1\n\"1\": 2\n\"a b:c\": 3\n\"\": 4\n",
           "keys are always quoted");
}

static void test_document(apr_pool_t *p)
{
    /* clang-format off */
    const char *json =
        "{\"openapi\":\"3.0.3\","
        "\"info\":{\"title\":\"T\",\"version\":\"1.0\"},"
        "\"tags\":[],"
        "\"security\":{},"
        "\"servers\":[{\"url\":\"/api\",\"vars\":[1,[2,3],[]]}],"
        "\"n\":7}";
    /* clang-format on */
    const char *want =
        "\"openapi\": \"3.0.3\"\n"
        "\"info\":\n"
        "  \"title\": \"T\"\n"
        "  \"version\": \"1.0\"\n"
        "\"tags\": []\n"
        "\"security\": {}\n"
        "\"servers\":\n"
        "  -\n"
        "    \"url\": \"/api\"\n"
        "    \"vars\":\n"
        "      - 1\n"
        "      -\n"
        "        - 2\n"
        "        - 3\n"
        "      - []\n"
        "\"n\": 7\n";
    is_str(yaml_of(p, json), want, "small nested document, exact text");
}

/* A large document grows the buffer many times over. */
static void test_large(apr_pool_t *p)
{
    json_t *arr = hub_json_own(p, json_array());
    const char *y;
    int i;
    for (i = 0; i < 5000; i++) {
        json_array_append_new(arr, json_integer(i));
    }
    y = hub_json_to_yaml(p, arr);
    ok(y && strlen(y) == 5000 * 3 + (10 * 1 + 90 * 2 + 900 * 3 + 4000 * 4),
       "5000 items: every line present");
    ok(y && !strcmp(y + strlen(y) - 7, "- 4999\n"), "  ... the last one last");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_scalars(p);
    test_lookalikes(p);
    test_keys(p);
    test_unprintable(p);
    test_document(p);
    test_large(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
