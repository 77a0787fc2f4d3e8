/* Unit tests of hub_json: depth counting, parsing limits, pool ownership. */
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_json.h"
#include "tap.h"

static int depth(const char *s, int limit)
{
    return hub_json_depth(s, strlen(s), limit);
}

static void test_depth(void)
{
    is_int(depth("1", 64), 0, "scalar has depth 0");
    is_int(depth("{}", 64), 1, "{} has depth 1");
    is_int(depth("[[[]]]", 64), 3, "[[[]]] has depth 3");
    is_int(depth("{\"a\":[{\"b\":[]}],\"c\":{}}", 64), 4,
           "mixed nesting counts the deepest branch");
    is_int(depth("[[],[],[]]", 64), 2, "siblings do not add up");
    is_int(depth("{\"a\":\"[[[[{{{{\"}", 64), 1,
           "brackets inside strings are ignored");
    is_int(depth("[\"\\\"[[[\"]", 64), 1,
           "an escaped quote does not end the string");
    is_int(depth("[\"\\\\\",[[]]]", 64), 3,
           "an escaped backslash before a quote ends the string");
    is_int(depth("[[[[[[[[[[", 3), 4,
           "counting stops once the limit is passed");
    is_int(hub_json_depth("[[[[[[", 2, 64), 2, "len bounds the scan");
}

static void test_parse_ok(apr_pool_t *p)
{
    hub_json_error_t err;
    const char *txt = "{\"name\": \"x\", \"n\": [1, 2, {\"k\": null}]}";
    json_t *j = hub_json_parse(p, txt, strlen(txt), 8, &err);

    ok(j != NULL, "valid object parses");
    ok(json_is_object(j), "result is an object");
    is_str(json_string_value(json_object_get(j, "name")), "x",
           "string member read back");
    is_str(hub_json_text(p, j), "{\"name\":\"x\",\"n\":[1,2,{\"k\":null}]}",
           "hub_json_text is compact and keeps key order");
    is_int(err.depth_exceeded, 0, "no depth error on success");

    j = hub_json_parse(p, "42", 2, 8, &err);
    ok(json_is_integer(j) && json_integer_value(j) == 42,
       "a bare scalar is accepted at the top");
    is_str(hub_json_text(p, j), "42", "hub_json_text of a scalar");
    j = hub_json_parse(p, "\"s\"", 3, 8, &err);
    is_str(hub_json_text(p, j), "\"s\"", "hub_json_text of a string");

    j = hub_json_parse(p, "[[[]]]", 6, 3, &err);
    ok(j != NULL, "depth equal to the limit is accepted");
}

static void test_parse_errors(apr_pool_t *p)
{
    hub_json_error_t err;
    const char *deep = "{\"a\":[[{\"b\":1}]]}";
    const char *bad = "{\n  \"a\": 1,\n  \"b\" 2\n}";
    const char *dup = "{\"a\": 1, \"a\": 2}";
    json_t *j;

    j = hub_json_parse(p, deep, strlen(deep), 3, &err);
    ok(j == NULL, "nesting deeper than the limit is rejected");
    is_int(err.depth_exceeded, 1, "depth_exceeded set");
    ok(strstr(err.text, "3") != NULL, "depth message names the limit: %s",
       err.text);

    j = hub_json_parse(p, bad, strlen(bad), 8, &err);
    ok(j == NULL, "malformed text is rejected");
    is_int(err.depth_exceeded, 0, "malformed text is not a depth error");
    is_int(err.line, 3, "error line is where parsing stopped");
    ok(err.column > 0, "error column is filled (%d)", err.column);
    ok(err.position > 0 && err.position <= (long)strlen(bad),
       "error position inside the text (%ld)", err.position);
    ok(err.text[0] != '\0', "error text is filled (%s)", err.text);

    j = hub_json_parse(p, "{\"a\":", 5, 8, &err);
    ok(j == NULL && err.text[0], "truncated text is rejected");
    j = hub_json_parse(p, "", 0, 8, &err);
    ok(j == NULL, "empty body is rejected");
    j = hub_json_parse(p, "{} {}", 5, 8, &err);
    ok(j == NULL, "trailing garbage is rejected");

    j = hub_json_parse(p, dup, strlen(dup), 8, &err);
    ok(j == NULL, "duplicate keys are rejected");
    ok(strstr(err.text, "a") != NULL, "duplicate key message: %s", err.text);

    j = hub_json_parse(p, "{\"a\":1}\0", 8, 8, &err);
    ok(j == NULL, "a NUL byte after the value is rejected");
    j = hub_json_parse(p, "[\"a\0b\"]", 7, 8, &err);
    ok(j == NULL, "a NUL byte inside a string is rejected");
    j = hub_json_parse(p, "[\"a\\u0000b\"]", 12, 8, &err);
    ok(j == NULL, "an escaped \\u0000 is rejected");
}

/* Objects are released by the pool's cleanup: destroying the pool must
 * neither crash nor double-free, even with a reference handed out. */
static void test_ownership(apr_pool_t *parent)
{
    apr_pool_t *p;
    hub_json_error_t err;
    json_t *j, *kept;

    apr_pool_create(&p, parent);
    j = hub_json_parse(p, "{\"a\":[1,2,3]}", 13, 8, &err);
    kept = json_incref(j);
    hub_json_own(p, json_array());
    ok(hub_json_own(p, NULL) == NULL, "hub_json_own(NULL) is NULL");
    is_int((long long)kept->refcount, 2, "the pool holds one reference");
    apr_pool_destroy(p);
    is_int((long long)kept->refcount, 1,
           "destroying the pool gave its reference back");
    is_int((long long)json_array_size(json_object_get(kept, "a")), 3,
           "a reference taken before still lives");
    json_decref(kept);

    apr_pool_create(&p, parent);
    j = json_incref(hub_json_own(p, json_string("x")));
    apr_pool_clear(p);
    is_int((long long)j->refcount, 1, "clearing the pool releases it too");
    apr_pool_destroy(p);
    is_int((long long)j->refcount, 1,
           "and destroying it after a clear releases nothing twice");
    json_decref(j);
}

static void test_str_or_null(apr_pool_t *p)
{
    json_t *s = hub_json_own(p, hub_json_str_or_null("v"));
    json_t *n = hub_json_own(p, hub_json_str_or_null(NULL));
    is_str(json_string_value(s), "v", "str_or_null of a string");
    ok(json_is_null(n), "str_or_null of NULL is null");
    is_str(hub_json_text(p, n), "null", "null as text");
}

/* hub_json_dump writes what jansson's own encoder writes, byte for byte,
 * for bodies smaller and much larger than its first buffer; text
 * jansson refuses is NULL. */
static void test_dump(apr_pool_t *p)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY
                         | JSON_REAL_PRECISION(15);
    json_t *big = json_array(), *bad;
    char *want, *got;
    apr_size_t len = 0;
    int i;

    for (i = 0; i < 500; i++) {
        json_array_append_new(big, json_pack("{s:i,s:f,s:s,s:n}", "n", i, "r",
                                             i / 7.0, "s",
                                             "caf\xc3\xa9 \"x\"\n", "z"));
    }
    want = json_dumps(big, flags);
    got = hub_json_dump(p, big, flags, &len);
    ok(got && !strcmp(got, want), "dump: 500 objects as jansson writes them");
    is_int((int)len, (int)strlen(want), "dump: the length is the text's");
    free(want);
    is_str(hub_json_dump(p, json_object_get(json_array_get(big, 0), "n"), flags,
                         NULL),
           "0", "dump: a bare value with JSON_ENCODE_ANY");
    json_decref(big);
    bad = json_array();
    json_array_append_new(bad, json_string_nocheck("\xff"));
    ok(hub_json_dump(p, bad, flags, NULL) == NULL,
       "dump: bad UTF-8 (let in unchecked) is refused, not written");
    is_str(hub_json_text(p, bad), "null",
           "text: what cannot be encoded is null");
    json_decref(bad);
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_depth();
    test_parse_ok(p);
    test_parse_errors(p);
    test_ownership(p);
    test_str_or_null(p);
    test_dump(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
