/* A subset of JSON Schema (2020-12) for tool arguments: what MCP tools
 * and LLM function declarations use.
 *
 * Checked: type (a name or a list of names; "integer" is a number
 * without a fraction), enum, const, properties, required,
 * additionalProperties (false or a schema), minProperties/maxProperties,
 * items (a schema), minItems/maxItems, uniqueItems, minLength/maxLength
 * (in code points), minimum/maximum/exclusiveMinimum/exclusiveMaximum
 * (numbers), multipleOf, and allOf/anyOf/oneOf/not.  Other keywords
 * (description, title, default, examples, format, pattern, $ref, ...)
 * are accepted and not checked: a tool's own handler may check more.
 * Schemas deeper than SCHEMA_DEPTH are refused when the tool is stored,
 * so the check's recursion is bounded. */
#include <apr_strings.h>
#include <stdarg.h>
#include <string.h>
#include "hub_servers_schema.h"
#include "hub_validate.h"

#define SCHEMA_DEPTH 16

static const char *const type_names[] = {
    "object", "array", "string", "number", "integer", "boolean", "null", NULL
};

static int known_type(const char *t)
{
    int i;
    for (i = 0; t && type_names[i]; i++) {
        if (!strcmp(t, type_names[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_count(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* ---- the schema itself --------------------------------------------------- */

static const char *problem_at(apr_pool_t *p, const json_t *s, const char *at,
                              int depth)
{
    const json_t *v;
    const char *key, *why;
    size_t i;

    if (json_is_boolean(s)) {
        return NULL;
    }
    if (!json_is_object(s)) {
        return apr_psprintf(p, "%s must be an object (a schema)", at);
    }
    if (depth > SCHEMA_DEPTH) {
        return apr_psprintf(p, "%s: nested deeper than %d", at, SCHEMA_DEPTH);
    }
    if ((v = json_object_get(s, "type"))) {
        if (json_is_array(v)) {
            json_t *t;
            json_array_foreach(v, i, t) {
                if (!known_type(json_string_value(t))) {
                    return apr_psprintf(p, "%s.type: unknown type", at);
                }
            }
        }
        else if (!known_type(json_string_value(v))) {
            return apr_psprintf(p, "%s.type: unknown type", at);
        }
    }
    if ((v = json_object_get(s, "enum")) && !json_is_array(v)) {
        return apr_psprintf(p, "%s.enum must be an array", at);
    }
    if ((v = json_object_get(s, "required"))) {
        json_t *n;
        if (!json_is_array(v)) {
            return apr_psprintf(p, "%s.required must be an array", at);
        }
        json_array_foreach(v, i, n) {
            if (!json_is_string(n)) {
                return apr_psprintf(p, "%s.required must list names", at);
            }
        }
    }
    if ((v = json_object_get(s, "properties"))) {
        json_t *sub;
        if (!json_is_object(v)) {
            return apr_psprintf(p, "%s.properties must be an object", at);
        }
        json_object_foreach((json_t *)v, key, sub) {
            if ((why = problem_at(p, sub,
                                  apr_pstrcat(p, at, ".properties.", key, NULL),
                                  depth + 1))) {
                return why;
            }
        }
    }
    {
        static const char *const subs[] = { "items", "additionalProperties",
                                            "not", NULL };
        int k;
        for (k = 0; subs[k]; k++) {
            if ((v = json_object_get(s, subs[k]))
                && (why = problem_at(p, v,
                                     apr_pstrcat(p, at, ".", subs[k], NULL),
                                     depth + 1))) {
                return why;
            }
        }
    }
    {
        static const char *const lists[] = { "allOf", "anyOf", "oneOf", NULL };
        int k;
        for (k = 0; lists[k]; k++) {
            json_t *sub;
            if (!(v = json_object_get(s, lists[k]))) {
                continue;
            }
            if (!json_is_array(v) || !json_array_size(v)) {
                return apr_psprintf(p, "%s.%s must be a non-empty array", at,
                                    lists[k]);
            }
            json_array_foreach(v, i, sub) {
                if ((why = problem_at(p, sub,
                                      apr_psprintf(p,
                                                   "%s.%s[%" APR_SIZE_T_FMT "]",
                                                   at, lists[k], i),
                                      depth + 1))) {
                    return why;
                }
            }
        }
    }
    {
        static const char *const counts[] = {
            "minLength",     "maxLength",     "minItems", "maxItems",
            "minProperties", "maxProperties", NULL
        };
        static const char *const nums[] = {
            "minimum",          "maximum",    "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", NULL
        };
        int k;
        for (k = 0; counts[k]; k++) {
            if ((v = json_object_get(s, counts[k])) && !is_count(v)) {
                return apr_psprintf(p, "%s.%s must be a non-negative integer",
                                    at, counts[k]);
            }
        }
        for (k = 0; nums[k]; k++) {
            if ((v = json_object_get(s, nums[k])) && !json_is_number(v)) {
                return apr_psprintf(p, "%s.%s must be a number", at, nums[k]);
            }
        }
        if ((v = json_object_get(s, "multipleOf"))
            && json_number_value(v) <= 0) {
            return apr_psprintf(p, "%s.multipleOf must be positive", at);
        }
    }
    return NULL;
}

const char *hub_schema_problem(apr_pool_t *p, const json_t *schema)
{
    const json_t *t;
    if (!json_is_object(schema)) {
        return "the schema must be a JSON object";
    }
    t = json_object_get(schema, "type");
    if (t && !(json_is_string(t) && !strcmp(json_string_value(t), "object"))) {
        return "the schema must describe an object (type \"object\"): "
               "a tool's arguments are named";
    }
    return problem_at(p, schema, "schema", 0);
}

/* ---- a value against it -------------------------------------------------- */

/* x has no fraction (beyond the range of long long every double is
 * whole); without libm, which the module does not link */
static int whole(double x)
{
    if (x > 9e18 || x < -9e18) {
        return 1;
    }
    return (double)(long long)x == x;
}

static int has_type(const json_t *v, const char *t)
{
    if (!strcmp(t, "object")) {
        return json_is_object(v);
    }
    if (!strcmp(t, "array")) {
        return json_is_array(v);
    }
    if (!strcmp(t, "string")) {
        return json_is_string(v);
    }
    if (!strcmp(t, "number")) {
        return json_is_number(v);
    }
    if (!strcmp(t, "integer")) {
        return json_is_integer(v)
               || (json_is_real(v) && whole(json_real_value(v)));
    }
    if (!strcmp(t, "boolean")) {
        return json_is_boolean(v);
    }
    return !strcmp(t, "null") && json_is_null(v);
}

/* jansson's equality, but 1 equals 1.0 as in JSON Schema */
static int same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        return json_number_value(a) == json_number_value(b);
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

static void add(apr_pool_t *p, apr_array_header_t *problems, const char *at,
                const char *type, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(apr_pool_t *p, apr_array_header_t *problems, const char *at,
                const char *type, const char *fmt, ...)
{
    va_list ap;
    const char *msg;
    va_start(ap, fmt);
    msg = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    hub_invalid_add(problems, at, type, msg);
}

static int check(apr_pool_t *p, const json_t *s, const json_t *v,
                 const char *at, apr_array_header_t *problems);

/* How many of the list's schemas v fits, checked on a scratch list. */
static int fits(apr_pool_t *p, const json_t *list, const json_t *v,
                const char *at)
{
    apr_array_header_t *scratch = apr_array_make(p, 2, sizeof(hub_invalid_t));
    const json_t *sub;
    size_t i;
    int n = 0;
    json_array_foreach((json_t *)list, i, sub) {
        scratch->nelts = 0;
        n += !check(p, sub, v, at, scratch);
    }
    return n;
}

static void check_number(apr_pool_t *p, const json_t *s, const json_t *v,
                         const char *at, apr_array_header_t *problems)
{
    double x = json_number_value(v);
    const json_t *k;
    if ((k = json_object_get(s, "minimum")) && x < json_number_value(k)) {
        add(p, problems, at, "greater_than_equal",
            "Input should be greater than or equal to %g",
            json_number_value(k));
    }
    if ((k = json_object_get(s, "maximum")) && x > json_number_value(k)) {
        add(p, problems, at, "less_than_equal",
            "Input should be less than or equal to %g", json_number_value(k));
    }
    if ((k = json_object_get(s, "exclusiveMinimum"))
        && x <= json_number_value(k)) {
        add(p, problems, at, "greater_than", "Input should be greater than %g",
            json_number_value(k));
    }
    if ((k = json_object_get(s, "exclusiveMaximum"))
        && x >= json_number_value(k)) {
        add(p, problems, at, "less_than", "Input should be less than %g",
            json_number_value(k));
    }
    if ((k = json_object_get(s, "multipleOf"))) {
        double q = x / json_number_value(k);
        double frac = q < 9e18 && q > -9e18 ? q - (double)(long long)q : 0;
        if (frac < 0) {
            frac = -frac;
        }
        if (frac > 1e-9 && frac < 1 - 1e-9) {
            add(p, problems, at, "multiple_of",
                "Input should be a multiple of %g", json_number_value(k));
        }
    }
}

static void check_object(apr_pool_t *p, const json_t *s, const json_t *v,
                         const char *at, apr_array_header_t *problems)
{
    const json_t *props = json_object_get(s, "properties");
    const json_t *extra = json_object_get(s, "additionalProperties");
    const json_t *req = json_object_get(s, "required"), *k, *sub;
    const char *key;
    size_t i, n = json_object_size(v);

    json_array_foreach((json_t *)req, i, k) {
        const char *name = json_string_value(k);
        if (name && !json_object_get(v, name)) {
            add(p, problems, apr_pstrcat(p, at, ".", name, NULL), "missing",
                "Field required");
        }
    }
    json_object_foreach((json_t *)v, key, sub) {
        const char *below = apr_pstrcat(p, at, ".", key, NULL);
        const json_t *ps = json_object_get(props, key);
        if (ps) {
            check(p, ps, sub, below, problems);
        }
        else if (json_is_false(extra)) {
            add(p, problems, below, "extra_forbidden",
                "Extra inputs are not permitted");
        }
        else if (json_is_object(extra)) {
            check(p, extra, sub, below, problems);
        }
    }
    if ((k = json_object_get(s, "minProperties"))
        && n < (size_t)json_integer_value(k)) {
        add(p, problems, at, "too_short",
            "Object should have at least %lld "
            "properties",
            (long long)json_integer_value(k));
    }
    if ((k = json_object_get(s, "maxProperties"))
        && n > (size_t)json_integer_value(k)) {
        add(p, problems, at, "too_long",
            "Object should have at most %lld "
            "properties",
            (long long)json_integer_value(k));
    }
}

static void check_array(apr_pool_t *p, const json_t *s, const json_t *v,
                        const char *at, apr_array_header_t *problems)
{
    const json_t *items = json_object_get(s, "items"), *k, *e;
    size_t i, j, n = json_array_size(v);
    if (items) {
        json_array_foreach((json_t *)v, i, e) {
            check(p, items, e,
                  apr_psprintf(p, "%s[%" APR_SIZE_T_FMT "]", at, i), problems);
        }
    }
    if ((k = json_object_get(s, "minItems"))
        && n < (size_t)json_integer_value(k)) {
        add(p, problems, at, "too_short",
            "List should have at least %lld items",
            (long long)json_integer_value(k));
    }
    if ((k = json_object_get(s, "maxItems"))
        && n > (size_t)json_integer_value(k)) {
        add(p, problems, at, "too_long", "List should have at most %lld items",
            (long long)json_integer_value(k));
    }
    if (json_is_true(json_object_get(s, "uniqueItems"))) {
        for (i = 0; i < n; i++) {
            for (j = i + 1; j < n; j++) {
                if (same(json_array_get(v, i), json_array_get(v, j))) {
                    add(p, problems, at, "unique_items",
                        "List items should be unique");
                    return;
                }
            }
        }
    }
}

static int check(apr_pool_t *p, const json_t *s, const json_t *v,
                 const char *at, apr_array_header_t *problems)
{
    int before = problems->nelts;
    const json_t *t, *k;
    size_t i;

    if (json_is_boolean(s)) {
        if (json_is_false(s)) {
            add(p, problems, at, "value_error", "No value is allowed here");
        }
        return problems->nelts - before;
    }
    if ((t = json_object_get(s, "type"))) {
        int ok = 0;
        if (json_is_array(t)) {
            const json_t *one;
            json_array_foreach((json_t *)t, i, one) {
                ok |= has_type(v, json_string_value(one));
            }
        }
        else {
            ok = has_type(v, json_string_value(t));
        }
        if (!ok) {
            add(p, problems, at, "type_error", "Input should be of type %s",
                json_is_string(t) ? json_string_value(t)
                                  : "one of the listed types");
            return problems->nelts - before; /* the rest would be noise */
        }
    }
    if ((k = json_object_get(s, "enum"))) {
        const json_t *one;
        int found = 0;
        json_array_foreach((json_t *)k, i, one) {
            found |= same(one, v);
        }
        if (!found) {
            add(p, problems, at, "enum",
                "Input should be one of the schema's enum values");
        }
    }
    if ((k = json_object_get(s, "const")) && !same(k, v)) {
        add(p, problems, at, "literal_error",
            "Input should be the schema's const value");
    }
    if (json_is_string(v)) {
        size_t n = code_points(json_string_value(v));
        if ((k = json_object_get(s, "minLength"))
            && n < (size_t)json_integer_value(k)) {
            add(p, problems, at, "string_too_short",
                "String should have at least %lld characters",
                (long long)json_integer_value(k));
        }
        if ((k = json_object_get(s, "maxLength"))
            && n > (size_t)json_integer_value(k)) {
            add(p, problems, at, "string_too_long",
                "String should have at most %lld characters",
                (long long)json_integer_value(k));
        }
    }
    else if (json_is_number(v)) {
        check_number(p, s, v, at, problems);
    }
    else if (json_is_object(v)) {
        check_object(p, s, v, at, problems);
    }
    else if (json_is_array(v)) {
        check_array(p, s, v, at, problems);
    }
    if ((k = json_object_get(s, "allOf"))) {
        const json_t *sub;
        json_array_foreach((json_t *)k, i, sub) {
            check(p, sub, v, at, problems);
        }
    }
    if ((k = json_object_get(s, "anyOf")) && !fits(p, k, v, at)) {
        add(p, problems, at, "union_error",
            "Input should match at least one of anyOf's schemas");
    }
    if ((k = json_object_get(s, "oneOf")) && fits(p, k, v, at) != 1) {
        add(p, problems, at, "union_error",
            "Input should match exactly one of oneOf's schemas");
    }
    if ((k = json_object_get(s, "not"))) {
        apr_array_header_t *scratch = apr_array_make(p, 2,
                                                     sizeof(hub_invalid_t));
        if (!check(p, k, v, at, scratch)) {
            add(p, problems, at, "value_error",
                "Input should not match the schema's not");
        }
    }
    return problems->nelts - before;
}

int hub_schema_check(apr_pool_t *p, const json_t *schema, const json_t *value,
                     const char *root, apr_array_header_t *problems)
{
    return check(p, schema, value, root, problems);
}
