/* Unit tests of hub_json: depth counting, parsing limits, pool ownership. */
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
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

/* A deterministic generator, so a failure is the same on every run */
static unsigned long seed = 20261207UL;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

/* Bytes of every kind the writer treats apart: plain ASCII, the quote,
 * the backslash, each control character, valid 2-, 3- and 4-byte UTF-8,
 * and (when bad) sequences jansson refuses. */
static size_t random_text(char *buf, int bad)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        "9",
        " ",
        "/",
        "\"",
        "\\",
        "\b",
        "\f",
        "\n",
        "\r",
        "\t",
        "\x01",
        "\x1f",
        "\x7f",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "\xed\x9f\xbf",
        "\xee\x80\x80",
        "\xf4\x8f\xbf\xbf",
        "plain words",
    };
    static const char *const broken[] = {
        "\xff",         "\xc0\xaf",     "\xc3",
        "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\x80",         "\xe2\x82",     "\xf8\x88\x80\x80\x80",
    };
    size_t n = 0, k, count = rnd(12);
    for (k = 0; k < count; k++) {
        const char *piece = pieces[rnd(sizeof(pieces) / sizeof(*pieces))];
        memcpy(buf + n, piece, strlen(piece));
        n += strlen(piece);
    }
    if (bad) {
        const char *piece = broken[rnd(sizeof(broken) / sizeof(*broken))];
        size_t at = n ? rnd((unsigned)n + 1) : 0;
        memmove(buf + at + strlen(piece), buf + at, n - at);
        memcpy(buf + at, piece, strlen(piece));
        n += strlen(piece);
    }
    return n;
}

static json_t *random_value(int depth, int bad)
{
    static const double reals[] = {
        0.0,      -0.0,
        1.0,      -1.5,
        99.6,     1e5,
        1e-5,     1e15,
        1e16,     1e17,
        1e21,     1e100,
        1e-100,   123456789012345678.0,
        0.1,      1.0 / 3,
        2.5e-308, 1.7976931348623157e308,
        5e-324,   -7e22,
        4.35,     100.0,
    };
    static const json_int_t ints[] = {
        0, 1, -1, 42, 9223372036854775807LL, -9223372036854775807LL - 1,
    };
    char text[512];
    size_t n;
    json_t *j;
    unsigned i, count;
    switch (rnd(depth > 3 ? 6 : 8)) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: return json_integer(ints[rnd(sizeof(ints) / sizeof(*ints))]);
    case 3:
        return json_real(rnd(2) ? reals[rnd(sizeof(reals) / sizeof(*reals))]
                                : (double)rnd(1000000) / (1 + rnd(997)));
    case 4:
    case 5:
        n = random_text(text, bad && !rnd(4));
        return json_stringn_nocheck(text, n);
    case 6:
        j = json_array();
        for (i = 0, count = rnd(5); i < count; i++) {
            json_array_append_new(j, random_value(depth + 1, bad));
        }
        return j;
    default:
        j = json_object();
        for (i = 0, count = rnd(5); i < count; i++) {
            /* keys always valid: jansson 2.14 ignores a bad key's
             * failure and writes broken text (test_dump_literals) */
            n = random_text(text, 0);
            json_object_setn_new_nocheck(j, text, n,
                                         random_value(depth + 1, bad));
        }
        return j;
    }
}

/* The writer against json_dumps itself over generated values: the same
 * bytes, or both refusing */
static void test_dump_as_jansson(apr_pool_t *p)
{
    static const size_t flag_sets[] = {
        JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15),
        JSON_COMPACT | JSON_ENCODE_ANY,
        JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(3),
        JSON_COMPACT,
    };
    int i, same = 0, refused = 0, total = 4000;
    const char *first_diff = NULL;
    for (i = 0; i < total; i++) {
        size_t flags = flag_sets[i % 4];
        json_t *j = random_value(0, i % 3 == 0);
        char *want = json_dumps(j, flags);
        char *got = hub_json_dump(p, j, flags, NULL);
        if ((!want && !got) || (want && got && !strcmp(want, got))) {
            same++;
            refused += !want;
        }
        else if (!first_diff) {
            first_diff = apr_psprintf(p, "jansson %s, hub %s",
                                      want ? want : "(refused)",
                                      got ? got : "(refused)");
        }
        free(want);
        json_decref(j);
    }
    is_int(same, total, "dump: 4000 generated values, as jansson writes them");
    if (first_diff) {
        diag("first difference: %s", first_diff);
    }
    ok(refused > 100 && refused < total / 2,
       "dump: the generated values include ones both refuse");
}

static void test_dump_literals(apr_pool_t *p)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    json_t *j = json_pack("[f,f,f,f,s]", 1e5, 1e-5, 3.0, -0.0, "\x1f\t");
    is_str(hub_json_dump(p, j, flags, NULL),
           "[100000.0,1.0000000000000001e-5,3.0,-0.0,\"\\u001F\\t\"]",
           "dump: reals keep a point, exponents lose + and zeros");
    json_decref(j);
    j = json_pack("[f]", 1e-5);
    is_str(hub_json_dump(p, j, flags | JSON_REAL_PRECISION(15), NULL), "[1e-5]",
           "dump: 15 digits of 1e-5");
    json_decref(j);
    j = json_object();
    json_object_setn_new_nocheck(j, "ab\xc3", 3, json_null());
    ok(hub_json_dump(p, j, flags, NULL) == NULL,
       "dump: a key of bad UTF-8 is refused (jansson writes {\":null})");
    json_decref(j);
    j = json_integer(7);
    ok(hub_json_dump(p, j, JSON_COMPACT, NULL) == NULL,
       "dump: a bare value needs JSON_ENCODE_ANY");
    json_decref(j);
    j = json_pack("{s:[i,i]}", "a", 1, 2);
    is_str(hub_json_dump(p, j, JSON_INDENT(1), NULL),
           "{\n \"a\": [\n  1,\n  2\n ]\n}",
           "dump: other flags are jansson's own");
    json_decref(j);
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
    test_dump_as_jansson(p);
    test_dump_literals(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
