/* Unit tests of hub_rows: column look-up, shaping rows into JSON, and
 * PostgreSQL's text[] as a JSON array. */
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_rows.h"
#include "tap.h"

/* Compare a JSON value with the JSON text it should equal. */
static int is_json(json_t *got, const char *want, const char *name)
{
    json_error_t err;
    json_t *w = json_loads(want, JSON_DECODE_ANY, &err);
    int same = got && w && json_equal(got, w);
    if (!ok(same, "%s", name)) {
        char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        diag("  got: %s\n  expected: %s", g ? g : "NULL", want);
        free(g);
    }
    json_decref(w);
    return same;
}

/* clang-format off */
static const char *cols[] = {
    "id", "name", "n", "active", "tags", "meta", "created_by"
};
/* clang-format on */
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

static hub_rows_t *make_rows(apr_pool_t *p, int nrows)
{
    /* clang-format off */
    static const char *row0[] = {
        "11111111-1111-1111-1111-111111111111", "alpha", "42", "t",
        "{a,\"b c\"}", "{\"k\":[1,2],\"s\":\"x\"}", "ann@example.com"
    };
    static const char *row1[] = {
        "22222222-2222-2222-2222-222222222222", NULL, "-7", "f",
        "{}", "null", NULL
    };
    /* clang-format on */
    hub_rows_t *r = apr_pcalloc(p, sizeof(*r));
    int i;

    r->ncols = NCOLS;
    r->cols = cols;
    r->rows = apr_array_make(p, 2, sizeof(const char **));
    for (i = 0; i < nrows; i++) {
        APR_ARRAY_PUSH(r->rows, const char **) = i % 2 ? row1 : row0;
    }
    return r;
}

/* clang-format off */
static const hub_shape_t shape[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "count", "n", HUB_J_INT },               /* JSON name != column */
    { "active", NULL, HUB_J_BOOL },
    { "tags", NULL, HUB_J_STRINGS },
    { "meta", NULL, HUB_J_JSON },
    { "author", "created_by", HUB_J_STRING },
    { NULL, NULL, HUB_J_STRING }
};
/* clang-format on */

static void test_get(apr_pool_t *p)
{
    hub_rows_t *r = make_rows(p, 2);

    is_str(hub_rows_get(r, 0, "name"), "alpha", "row 0, name");
    is_str(hub_rows_get(r, 0, "id"), "11111111-1111-1111-1111-111111111111",
           "row 0, first column");
    is_str(hub_rows_get(r, 0, "created_by"), "ann@example.com",
           "row 0, last column");
    is_str(hub_rows_get(r, 1, "n"), "-7", "row 1, n");
    is_str(hub_rows_get(r, 1, "name"), NULL, "SQL NULL gives NULL");
    is_str(hub_rows_get(r, 0, "nope"), NULL, "missing column gives NULL");
    is_str(hub_rows_get(r, 0, "Name"), NULL, "column names are case-sensitive");
    is_str(hub_rows_get(r, 0, ""), NULL, "empty column name gives NULL");
    is_str(hub_rows_get(r, 2, "name"), NULL, "row past the end gives NULL");
    is_str(hub_rows_get(r, -1, "name"), NULL, "negative row gives NULL");
    is_str(hub_rows_get(NULL, 0, "name"), NULL, "NULL rows give NULL");
    is_str(hub_rows_get(make_rows(p, 0), 0, "name"), NULL,
           "no rows: row 0 gives NULL");
}

static void test_row_json(apr_pool_t *p)
{
    hub_rows_t *r = make_rows(p, 2);
    json_t *j;

    j = hub_row_json(r, 0, shape);
    is_json(j,
            "{\"id\":\"11111111-1111-1111-1111-111111111111\","
            "\"name\":\"alpha\",\"count\":42,\"active\":true,"
            "\"tags\":[\"a\",\"b c\"],\"meta\":{\"k\":[1,2],\"s\":\"x\"},"
            "\"author\":\"ann@example.com\"}",
            "row 0 as JSON");
    ok(json_is_integer(json_object_get(j, "count")), "  ... INT is a number");
    ok(json_is_true(json_object_get(j, "active")), "  ... 't' is true");
    ok(json_is_array(json_object_get(j, "tags")), "  ... STRINGS is an array");
    ok(json_is_object(json_object_get(j, "meta")), "  ... JSON is embedded");
    ok(json_object_get(j, "n") == NULL
           && json_object_get(j, "created_by") == NULL,
       "  ... under the JSON names, not the column names");
    is_int((long long)json_object_size(j), 7, "  ... one member per shape");
    json_decref(j);

    j = hub_row_json(r, 1, shape);
    is_json(j,
            "{\"id\":\"22222222-2222-2222-2222-222222222222\","
            "\"name\":null,\"count\":-7,\"active\":false,\"tags\":[],"
            "\"meta\":null,\"author\":null}",
            "row 1 as JSON");
    ok(json_is_null(json_object_get(j, "name")), "  ... SQL NULL is null");
    ok(json_is_false(json_object_get(j, "active")), "  ... 'f' is false");
    json_decref(j);

    {
        static const hub_shape_t odd[] = {
            { "missing", "no_such_column", HUB_J_INT },
            { "flag", "active", HUB_J_BOOL },
            { "n_as_text", "n", HUB_J_STRING },
            { NULL, NULL, HUB_J_STRING }
        };
        j = hub_row_json(r, 0, odd);
        is_json(j, "{\"missing\":null,\"flag\":true,\"n_as_text\":\"42\"}",
                "absent column is null; a column can be read as text");
        json_decref(j);
    }
    {
        static const hub_shape_t none[] = { { NULL, NULL, HUB_J_STRING } };
        j = hub_row_json(r, 0, none);
        is_json(j, "{}", "an empty shape gives {}");
        json_decref(j);
    }
    {
        /* an int8 beyond 2^53 stays exact */
        static const char *big[] = { "9007199254740993" };
        static const char *bigcol[] = { "n" };
        /* clang-format off */
        static const hub_shape_t s[] = {
            { "n", NULL, HUB_J_INT }, { NULL, NULL, HUB_J_STRING }
        };
        /* clang-format on */
        hub_rows_t rr;
        rr.ncols = 1;
        rr.cols = bigcol;
        rr.rows = apr_array_make(p, 1, sizeof(const char **));
        APR_ARRAY_PUSH(rr.rows, const char **) = big;
        j = hub_row_json(&rr, 0, s);
        ok(json_integer_value(json_object_get(j, "n")) == 9007199254740993LL,
           "int8 9007199254740993 kept exact");
        json_decref(j);
    }
}

static void test_rows_json(apr_pool_t *p)
{
    json_t *j;

    j = hub_rows_json(make_rows(p, 0), shape);
    is_json(j, "[]", "no rows: []");
    json_decref(j);

    j = hub_rows_json(make_rows(p, 2), shape);
    ok(json_is_array(j) && json_array_size(j) == 2, "two rows: two elements");
    is_str(json_string_value(json_object_get(json_array_get(j, 0), "id")),
           "11111111-1111-1111-1111-111111111111", "  ... in order (first)");
    is_str(json_string_value(json_object_get(json_array_get(j, 1), "id")),
           "22222222-2222-2222-2222-222222222222", "  ... in order (second)");
    {
        json_t *one = hub_row_json(make_rows(p, 2), 1, shape);
        ok(json_equal(json_array_get(j, 1), one),
           "  ... each element is hub_row_json of its row");
        json_decref(one);
    }
    json_decref(j);

    j = hub_rows_json(NULL, shape);
    is_json(j, "[]", "NULL rows: []");
    json_decref(j);
}

static void pg_array(const char *text, const char *want, const char *name)
{
    json_t *j = hub_pg_array_json(text);
    if (want) {
        is_json(j, want, name);
    }
    else if (!ok(j == NULL, "%s", name)) {
        char *g = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        diag("  got: %s\n  expected: NULL", g ? g : "?");
        free(g);
    }
    json_decref(j);
}

static void test_pg_array(apr_pool_t *p)
{
    pg_array("{}", "[]", "{} -> []");
    pg_array("{a}", "[\"a\"]", "{a}");
    pg_array("{a,b}", "[\"a\",\"b\"]", "{a,b}");
    pg_array("{\"a b\",\"c\\\"d\"}", "[\"a b\",\"c\\\"d\"]",
             "quoted elements, escaped quote");
    pg_array("{\"back\\\\slash\"}", "[\"back\\\\slash\"]", "escaped backslash");
    pg_array("{\"a,b\",c}", "[\"a,b\",\"c\"]", "comma inside quotes");
    pg_array("{\"a}b\"}", "[\"a}b\"]", "brace inside quotes");
    pg_array("{\"\"}", "[\"\"]", "an empty quoted element");
    pg_array("{x,\"\",y}", "[\"x\",\"\",\"y\"]", "empty element in the middle");
    pg_array("{caf\xc3\xa9}", "[\"caf\xc3\xa9\"]", "UTF-8 kept");

    pg_array(NULL, NULL, "NULL -> NULL");
    pg_array("", NULL, "\"\" -> NULL");
    pg_array("x", NULL, "\"x\" -> NULL");
    pg_array("a,b}", NULL, "no opening brace -> NULL");
    pg_array("{a", NULL, "\"{a\" -> NULL");
    pg_array("{a,b", NULL, "\"{a,b\" -> NULL");
    pg_array("{\"a", NULL, "unterminated quote -> NULL");
    pg_array("{\"a\"b}", NULL, "text after a quoted element -> NULL");
    /* the same: no closing brace, which the loop does not check for */
    pg_array("{", NULL, "\"{\" -> NULL");
    pg_array("{a,", NULL, "\"{a,\" -> NULL");
    pg_array("{\"a\",", NULL, "\"{\\\"a\\\",\" -> NULL");

    {
        /* an element longer than the parser's 1 KiB buffer must not be
         * lost: a text[] of long URLs or notes is legitimate */
        /* clang-format off */
        static const hub_shape_t s[] = {
            { "tags", NULL, HUB_J_STRINGS }, { NULL, NULL, HUB_J_STRING }
        };
        /* clang-format on */
        static const char *tagcol[] = { "tags" };
        const char *row[1];
        hub_rows_t rr;
        char *longel = apr_palloc(p, 2001);
        const char *text;
        json_t *j;
        memset(longel, 'x', 2000);
        longel[2000] = '\0';

        text = apr_pstrcat(p, "{", longel, ",b}", NULL);
        j = hub_pg_array_json(text);
        ok(j && json_array_size(j) == 2
               && strlen(json_string_value(json_array_get(j, 0))) == 2000,
           "unquoted 2000-byte element kept whole (got %s)",
           !j ? "NULL"
              : apr_psprintf(p, "%d elements", (int)json_array_size(j)));
        json_decref(j);
        text = apr_pstrcat(p, "{\"", longel, "\",b}", NULL);
        j = hub_pg_array_json(text);
        ok(j && json_array_size(j) == 2
               && strlen(json_string_value(json_array_get(j, 0))) == 2000,
           "quoted 2000-byte element kept whole (got %s)",
           !j ? "NULL"
              : apr_psprintf(p, "%d elements", (int)json_array_size(j)));
        json_decref(j);

        /* through a shape, the same text[] must not turn into [] */
        rr.ncols = 1;
        rr.cols = tagcol;
        rr.rows = apr_array_make(p, 1, sizeof(const char **));
        row[0] = text;
        APR_ARRAY_PUSH(rr.rows, const char **) = row;
        j = hub_row_json(&rr, 0, s);
        is_int((long long)json_array_size(json_object_get(j, "tags")), 2,
               "STRINGS column with a long element keeps both elements");
        json_decref(j);
    }
}

/* Go's omitempty (GoClaw's answers), and a LEFT JOIN's childless row */
static void test_omitempty_having(apr_pool_t *p)
{
    static const hub_shape_t go[] = {
        { "id", NULL, HUB_J_STRING },
        { "name", NULL, HUB_J_OMITEMPTY },
        { "author", "created_by", HUB_J_OMITEMPTY },
        { NULL, NULL, HUB_J_STRING }
    };
    static const char *blank[] = { "3", "", "", "t", "{}", "null", "x" };
    hub_rows_t *r = make_rows(p, 2);
    const hub_rows_t *h;
    json_t *j;

    j = hub_row_json(r, 0, go);
    is_json(j,
            "{\"id\":\"11111111-1111-1111-1111-111111111111\","
            "\"name\":\"alpha\",\"author\":\"ann@example.com\"}",
            "omitempty: a value is written");
    json_decref(j);
    j = hub_row_json(r, 1, go);
    is_json(j, "{\"id\":\"22222222-2222-2222-2222-222222222222\"}",
            "omitempty: SQL NULL leaves the member out");
    json_decref(j);
    APR_ARRAY_PUSH(r->rows, const char **) = blank;
    j = hub_row_json(r, 2, go);
    is_json(j, "{\"id\":\"3\",\"author\":\"x\"}",
            "omitempty: an empty string leaves the member out");
    json_decref(j);

    h = hub_rows_having(p, r, "name");
    is_int(h->rows->nelts, 2, "having: the row with a NULL name drops out");
    is_str(hub_rows_get(h, 1, "id"), "3", "having: the others keep order");
    is_int(r->rows->nelts, 3, "having: the rows given are left as they were");
    ok(hub_rows_having(p, r, "id") == r,
       "having: rows where every row has it come back as they are");
    is_int(hub_rows_having(p, make_rows(p, 1), "created_by")->rows->nelts, 1,
           "having: one row with the column");
    r = make_rows(p, 0);
    is_int(hub_rows_having(p, r, "id")->rows->nelts, 0, "having: no rows");
}

/* HUB_J_JSON over number text (a float8 or integer column) makes the same
 * JSON number as parsing the text, and anything else still goes through
 * the parser: arrays, objects, and text that is no JSON (null). */
static void test_json_numbers(apr_pool_t *p)
{
    /* clang-format off */
    static const char *texts[] = {
        "0.915454706352645", "12", "-3", "1e-05", "-2.5E+30", "0",
        "9223372036854775807", "[1,2]", "{\"a\":1}", "\"s\"", "true",
        "NaN", "Infinity", "0x10", "1-2", "-", ""
    };
    /* clang-format on */
    static const char *mcols[] = { "v" };
    static const hub_shape_t one[] = { { "v", NULL, HUB_J_JSON },
                                       { NULL, NULL, 0 } };
    hub_rows_t r = { 1, mcols, NULL };
    size_t i;

    r.rows = apr_array_make(p, 1, sizeof(const char **));
    APR_ARRAY_PUSH(r.rows, const char **) = NULL;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *row[1];
        json_t *got, *want = json_loads(texts[i], JSON_DECODE_ANY, NULL);
        row[0] = texts[i];
        APR_ARRAY_IDX(r.rows, 0, const char **) = row;
        got = hub_row_json(&r, 0, one);
        want = want ? want : json_null();
        ok(json_equal(json_object_get(got, "v"), want)
               && json_typeof(json_object_get(got, "v")) == json_typeof(want),
           "HUB_J_JSON %s: as json_loads makes it", texts[i]);
        json_decref(got);
        json_decref(want);
    }
}

/* A page statement's answer: the count, and no row for an empty page */
static void test_page_total(apr_pool_t *p)
{
    static const char *cols2[] = { "total", "id" };
    static const char *full0[] = { "7", "a" }, *full1[] = { "7", "b" };
    static const char *past[] = { "7", NULL };
    hub_rows_t *r = apr_pcalloc(p, sizeof(*r));
    r->ncols = 2;
    r->cols = cols2;
    r->rows = apr_array_make(p, 2, sizeof(const char **));
    APR_ARRAY_PUSH(r->rows, const char **) = full0;
    APR_ARRAY_PUSH(r->rows, const char **) = full1;
    is_int((int)hub_rows_page_total(r), 7, "page: the count of all");
    is_int(r->rows->nelts, 2, "page: its rows stay");
    r->rows->nelts = 0;
    APR_ARRAY_PUSH(r->rows, const char **) = past;
    is_int((int)hub_rows_page_total(r), 7, "past the end: the count still");
    is_int(r->rows->nelts, 0, "past the end: no rows");
    is_int((int)hub_rows_page_total(r), 0, "no row at all: 0");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_get(p);
    test_row_json(p);
    test_rows_json(p);
    test_pg_array(p);
    test_omitempty_having(p);
    test_json_numbers(p);
    test_page_total(p);

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
