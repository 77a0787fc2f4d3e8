/* Tool quality: the rubric of hub_quality.h, check by check. */
#include <stdarg.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_quality.h"

#define SHOWN_MAX 64 /* characters of a name quoted in a detail */

/* A check's type, severity, weight and the most its issues may cost. */
typedef struct check {
    const char *type, *severity;
    int weight, cap;
} check_t;

static const check_t NAME_INVALID = { "name_invalid", "error", 20, 20 };
static const check_t DESC_MISSING = { "description_missing", "error", 30, 30 };
static const check_t DESC_RESTATES = { "description_restates_name", "warning",
                                       15, 15 };
static const check_t DESC_SHORT = { "description_too_short", "warning", 15,
                                    15 };
static const check_t DESC_LONG = { "description_too_long", "warning", 10, 10 };
static const check_t SCHEMA_MISSING = { "input_schema_missing", "error", 25,
                                        25 };
static const check_t SCHEMA_NOT_OBJECT = { "input_schema_not_object", "error",
                                           25, 25 };
static const check_t SCHEMA_INVALID = { "input_schema_invalid", "error", 10,
                                        10 };
static const check_t PROP_UNTYPED = { "property_untyped", "warning", 5, 15 };
static const check_t PROP_UNDESCRIBED = { "property_undescribed", "warning", 5,
                                          15 };
static const check_t REQUIRED_UNKNOWN = { "required_unknown", "error", 10, 20 };

typedef struct scorer {
    apr_pool_t *p;
    hub_quality_t *out;
    int lost;
} scorer_t;

/* Record a failed check; its weight is what is left under its cap. */
static void fail(scorer_t *sc, const check_t *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(scorer_t *sc, const check_t *c, const char *fmt, ...)
{
    hub_quality_issue_t *is;
    int i, spent = 0;
    va_list ap;
    for (i = 0; i < sc->out->issues->nelts; i++) {
        is = &APR_ARRAY_IDX(sc->out->issues, i, hub_quality_issue_t);
        if (!strcmp(is->type, c->type)) {
            spent += is->weight;
        }
    }
    is = apr_array_push(sc->out->issues);
    is->type = c->type;
    is->severity = c->severity;
    va_start(ap, fmt);
    is->detail = apr_pvsprintf(sc->p, fmt, ap);
    va_end(ap);
    is->weight = c->weight < c->cap - spent ? c->weight : c->cap - spent;
    if (is->weight < 0) {
        is->weight = 0;
    }
    sc->lost += is->weight;
}

/* Characters (UTF-8 code points) in s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return n;
}

/* s for a detail: at most SHOWN_MAX characters, cut on a character. */
static const char *shown(apr_pool_t *p, const char *s)
{
    size_t n = 0, i;
    for (i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == SHOWN_MAX) {
            return apr_pstrcat(p, apr_pstrmemdup(p, s, i), "...", NULL);
        }
    }
    return s;
}

/* The letters and digits of s, lowercased (ASCII; other bytes kept). */
static char *folded(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80 || apr_isalnum(c)) {
            *o++ = (char)apr_tolower(c);
        }
    }
    *o = '\0';
    return out;
}

static int blank(const char *s)
{
    for (; s && *s; s++) {
        if (!apr_isspace(*s)) {
            return 0;
        }
    }
    return 1;
}

static void check_name(scorer_t *sc, const json_t *tool)
{
    const char *name = json_string_value(json_object_get(tool, "name"));
    size_t n, ok;
    if (!name || !*name) {
        fail(sc, &NAME_INVALID, "the tool has no name");
        return;
    }
    n = chars(name);
    ok = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789_-.");
    if (ok != strlen(name)) {
        fail(sc, &NAME_INVALID,
             "the name '%s' has characters other than "
             "A-Z, a-z, 0-9, '_', '-' and '.'",
             shown(sc->p, name));
    }
    else if (n > HUB_QUALITY_NAME_MAX) {
        fail(sc, &NAME_INVALID,
             "the name is %lu characters long (at most "
             "%d)",
             (unsigned long)n, HUB_QUALITY_NAME_MAX);
    }
}

static void check_description(scorer_t *sc, const json_t *tool)
{
    const char *d = json_string_value(json_object_get(tool, "description"));
    const char *name = json_string_value(json_object_get(tool, "name"));
    size_t n;
    if (blank(d)) {
        fail(sc, &DESC_MISSING, "the tool has no description");
        return;
    }
    n = chars(d);
    if (name && *folded(sc->p, name)
        && !strcmp(folded(sc->p, d), folded(sc->p, name))) {
        fail(sc, &DESC_RESTATES,
             "the description only restates the tool's "
             "name");
    }
    else if (n < HUB_QUALITY_DESC_MIN) {
        fail(sc, &DESC_SHORT,
             "the description is %lu characters long (at "
             "least %d say what the tool does)",
             (unsigned long)n, HUB_QUALITY_DESC_MIN);
    }
    if (n > HUB_QUALITY_DESC_MAX) {
        fail(sc, &DESC_LONG,
             "the description is %lu characters long (at "
             "most %d)",
             (unsigned long)n, HUB_QUALITY_DESC_MAX);
    }
}

/* A property schema that says what its values are. */
static int typed(const json_t *prop)
{
    /* clang-format off */
    static const char *const keys[] = { "type", "enum", "const", "$ref",
                                        "anyOf", "oneOf", "allOf", NULL };
    /* clang-format on */
    int i;
    for (i = 0; keys[i]; i++) {
        if (json_object_get(prop, keys[i])) {
            return 1;
        }
    }
    return 0;
}

static void check_properties(scorer_t *sc, const json_t *props)
{
    const char *key;
    json_t *prop;
    json_object_foreach((json_t *)props, key, prop) {
        if (!json_is_object(prop) || !typed(prop)) {
            fail(sc, &PROP_UNTYPED, "property '%s' has no type",
                 shown(sc->p, key));
        }
        if (!json_is_object(prop)
            || blank(json_string_value(json_object_get(prop, "description")))) {
            fail(sc, &PROP_UNDESCRIBED, "property '%s' has no description",
                 shown(sc->p, key));
        }
    }
}

static void check_required(scorer_t *sc, const json_t *req, const json_t *props)
{
    json_t *v;
    size_t i;
    json_array_foreach(req, i, v) {
        if (!json_is_string(v)) {
            fail(sc, &SCHEMA_INVALID,
                 "inputSchema.required[%lu] is not a "
                 "property name",
                 (unsigned long)i);
            return;
        }
    }
    json_array_foreach(req, i, v) {
        if (!json_object_get(props, json_string_value(v))) {
            fail(sc, &REQUIRED_UNKNOWN,
                 "required names '%s', which is not "
                 "among the properties",
                 shown(sc->p, json_string_value(v)));
        }
    }
}

static void check_schema(scorer_t *sc, const json_t *tool)
{
    const json_t *schema = json_object_get(tool, "inputSchema");
    const json_t *type, *props, *req;
    if (!json_is_object(schema)) {
        fail(sc, &SCHEMA_MISSING,
             schema ? "inputSchema is not a JSON object"
                    : "the tool has no inputSchema");
        return;
    }
    type = json_object_get(schema, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "object")) {
        if (json_is_string(type)) {
            fail(sc, &SCHEMA_NOT_OBJECT,
                 "inputSchema.type is '%s', not "
                 "'object'",
                 shown(sc->p, json_string_value(type)));
        }
        else {
            fail(sc, &SCHEMA_NOT_OBJECT, "inputSchema.type is not 'object'");
        }
    }
    props = json_object_get(schema, "properties");
    if (props && !json_is_object(props)) {
        fail(sc, &SCHEMA_INVALID, "inputSchema.properties is not an object");
        props = NULL;
    }
    if (props) {
        check_properties(sc, props);
    }
    req = json_object_get(schema, "required");
    if (req && !json_is_array(req)) {
        fail(sc, &SCHEMA_INVALID, "inputSchema.required is not an array");
    }
    else if (req) {
        check_required(sc, req, props);
    }
}

int hub_quality_score(apr_pool_t *p, const json_t *tool, hub_quality_t *out)
{
    scorer_t sc;
    sc.p = p;
    sc.out = out;
    sc.lost = 0;
    out->issues = apr_array_make(p, 4, sizeof(hub_quality_issue_t));
    if (!json_is_object(tool)) {
        tool = NULL; /* every check fails on a non-object */
    }
    check_name(&sc, tool);
    check_description(&sc, tool);
    check_schema(&sc, tool);
    out->score = sc.lost >= 100 ? 0 : 100 - sc.lost;
    return out->score;
}

json_t *hub_quality_issues_json(const hub_quality_t *q)
{
    json_t *a = json_array();
    int i;
    for (i = 0; q->issues && i < q->issues->nelts; i++) {
        const hub_quality_issue_t *is = &APR_ARRAY_IDX(q->issues, i,
                                                       hub_quality_issue_t);
        /* clang-format off */
        json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "type", is->type,
                                           "severity", is->severity,
                                           "detail", is->detail));
        /* clang-format on */
    }
    return a;
}
