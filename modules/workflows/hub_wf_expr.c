/* hub_wf_expr.h: a recursive-descent parser that evaluates as it reads.
 * Nothing is executed: the only things an expression can do are read the
 * context and compare values. */
#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_wf_expr.h"

#define MAX_DEPTH 64 /* nesting of ( and ! */

typedef struct {
    apr_pool_t *p;
    const char *s, *at;
    const json_t *ctx;
    const char *err;
    int depth;
} parser_t;

static json_t *parse_or(parser_t *ps);

static int fail(parser_t *ps, const char *what)
{
    if (!ps->err) {
        ps->err = apr_psprintf(ps->p, "%s at character %ld", what,
                               (long)(ps->at - ps->s) + 1);
    }
    return -1;
}

static void skip_ws(parser_t *ps)
{
    while (*ps->at && isspace((unsigned char)*ps->at)) {
        ps->at++;
    }
}

static int eat(parser_t *ps, const char *tok)
{
    size_t n = strlen(tok);
    skip_ws(ps);
    if (!strncmp(ps->at, tok, n)) {
        ps->at += n;
        return 1;
    }
    return 0;
}

int hub_wf_truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v)) {
        return 0;
    }
    if (json_is_number(v)) {
        return json_number_value(v) != 0;
    }
    if (json_is_string(v)) {
        return json_string_length(v) > 0;
    }
    if (json_is_array(v)) {
        return json_array_size(v) > 0;
    }
    if (json_is_object(v)) {
        return json_object_size(v) > 0;
    }
    return 1;
}

/* One segment of a path applied to v; an object without the member
 * falls back to its "output" (a node's entry). */
static const json_t *step(const json_t *v, const char *seg, size_t n)
{
    char key[256];
    const json_t *got;
    if (!v || n >= sizeof(key)) {
        return NULL;
    }
    memcpy(key, seg, n);
    key[n] = '\0';
    if (json_is_array(v)) {
        char *end;
        long i = strtol(key, &end, 10);
        return *end || i < 0 ? NULL : json_array_get(v, (size_t)i);
    }
    if (!json_is_object(v)) {
        return NULL;
    }
    got = json_object_get(v, key);
    if (!got) {
        const json_t *out = json_object_get(v, "output");
        got = json_is_object(out) ? json_object_get(out, key) : NULL;
    }
    return got;
}

const json_t *hub_wf_path(const json_t *ctx, const char *path)
{
    const json_t *v = ctx;
    const char *a = path;
    while (v && *a) {
        size_t n = strcspn(a, ".[]");
        if (n) {
            v = step(v, a, n);
        }
        a += n;
        while (*a == '.' || *a == '[' || *a == ']') {
            a++;
        }
    }
    return v;
}

static int name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-';
}

/* A path: its text checked for shape, then looked up. */
static json_t *parse_path(parser_t *ps)
{
    const char *start = ps->at;
    const json_t *v;
    char *text;
    for (;;) {
        if (!isalpha((unsigned char)*ps->at) && *ps->at != '_'
            && ps->at == start) {
            fail(ps, "a value expected");
            return NULL;
        }
        while (name_char((unsigned char)*ps->at)) {
            ps->at++;
        }
        if (*ps->at == '.' && name_char((unsigned char)ps->at[1])) {
            ps->at++;
            continue;
        }
        if (*ps->at == '[') {
            const char *d = ps->at + 1;
            while (isdigit((unsigned char)*d)) {
                d++;
            }
            if (d == ps->at + 1 || *d != ']') {
                fail(ps, "an index [digits] expected");
                return NULL;
            }
            ps->at = d + 1;
            if (*ps->at == '.' && name_char((unsigned char)ps->at[1])) {
                ps->at++;
                continue;
            }
        }
        break;
    }
    text = apr_pstrmemdup(ps->p, start, ps->at - start);
    v = hub_wf_path(ps->ctx, text);
    return v ? json_deep_copy(v) : json_null();
}

static json_t *parse_string(parser_t *ps)
{
    char q = *ps->at++;
    char *buf = apr_palloc(ps->p, strlen(ps->at) + 1), *o = buf;
    json_t *v;
    while (*ps->at && *ps->at != q) {
        if (*ps->at == '\\' && ps->at[1]) {
            ps->at++;
            *o++ = *ps->at == 'n' ? '\n' : *ps->at == 't' ? '\t' : *ps->at;
            ps->at++;
            continue;
        }
        *o++ = *ps->at++;
    }
    if (*ps->at != q) {
        fail(ps, "an unterminated string");
        return NULL;
    }
    ps->at++;
    *o = '\0';
    v = json_string(buf);
    if (!v) {
        fail(ps, "a string that is not UTF-8");
    }
    return v;
}

static json_t *parse_number(parser_t *ps)
{
    char *end;
    double d = strtod(ps->at, &end);
    long long i;
    if (end == ps->at) {
        fail(ps, "a number expected");
        return NULL;
    }
    if (!memchr(ps->at, '.', end - ps->at) && !memchr(ps->at, 'e', end - ps->at)
        && !memchr(ps->at, 'E', end - ps->at)) {
        i = strtoll(ps->at, NULL, 10);
        ps->at = end;
        return json_integer(i);
    }
    ps->at = end;
    return json_real(d);
}

static int keyword(parser_t *ps, const char *kw)
{
    size_t n = strlen(kw);
    if (!strncmp(ps->at, kw, n) && !name_char((unsigned char)ps->at[n])
        && ps->at[n] != '.' && ps->at[n] != '[') {
        ps->at += n;
        return 1;
    }
    return 0;
}

static json_t *parse_value(parser_t *ps)
{
    json_t *v;
    skip_ws(ps);
    if (*ps->at == '(') {
        if (++ps->depth > MAX_DEPTH) {
            fail(ps, "nesting too deep");
            return NULL;
        }
        ps->at++;
        v = parse_or(ps);
        if (v && !eat(ps, ")")) {
            json_decref(v);
            fail(ps, "')' expected");
            return NULL;
        }
        ps->depth--;
        return v;
    }
    if (*ps->at == '"' || *ps->at == '\'') {
        return parse_string(ps);
    }
    if (isdigit((unsigned char)*ps->at)
        || (*ps->at == '-' && isdigit((unsigned char)ps->at[1]))) {
        return parse_number(ps);
    }
    if (keyword(ps, "true")) {
        return json_true();
    }
    if (keyword(ps, "false")) {
        return json_false();
    }
    if (keyword(ps, "null")) {
        return json_null();
    }
    return parse_path(ps);
}

static int compare(const char *op, const json_t *a, const json_t *b)
{
    int c;
    if (!strcmp(op, "contains")) {
        size_t i;
        if (json_is_string(a) && json_is_string(b)) {
            return strstr(json_string_value(a), json_string_value(b)) != NULL;
        }
        for (i = 0; json_is_array(a) && i < json_array_size(a); i++) {
            if (compare("==", json_array_get(a, i), b)) {
                return 1;
            }
        }
        return 0;
    }
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        c = x < y ? -1 : x > y;
    }
    else if (json_is_string(a) && json_is_string(b)) {
        c = strcmp(json_string_value(a), json_string_value(b));
    }
    else if (!strcmp(op, "==")) {
        return json_equal(a, b);
    }
    else if (!strcmp(op, "!=")) {
        return !json_equal(a, b);
    }
    else {
        return 0; /* an order of values that have none */
    }
    return !strcmp(op, "==")   ? c == 0
           : !strcmp(op, "!=") ? c != 0
           : !strcmp(op, "<=") ? c <= 0
           : !strcmp(op, ">=") ? c >= 0
           : !strcmp(op, "<")  ? c < 0
                               : c > 0;
}

static json_t *parse_cmp(parser_t *ps)
{
    static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", NULL };
    json_t *a = parse_value(ps), *b;
    const char *op = NULL;
    int i;
    if (!a) {
        return NULL;
    }
    skip_ws(ps);
    for (i = 0; ops[i]; i++) {
        if (eat(ps, ops[i])) {
            op = ops[i];
            break;
        }
    }
    if (!op && keyword(ps, "contains")) {
        op = "contains";
    }
    if (!op) {
        return a;
    }
    b = parse_value(ps);
    if (!b) {
        json_decref(a);
        return NULL;
    }
    i = compare(op, a, b);
    json_decref(a);
    json_decref(b);
    return json_boolean(i);
}

static json_t *parse_not(parser_t *ps)
{
    json_t *v;
    skip_ws(ps);
    if (*ps->at == '!' && ps->at[1] != '=') {
        ps->at++;
        if (++ps->depth > MAX_DEPTH) {
            fail(ps, "nesting too deep");
            return NULL;
        }
        v = parse_not(ps);
        ps->depth--;
        if (v) {
            int t = hub_wf_truthy(v);
            json_decref(v);
            return json_boolean(!t);
        }
        return NULL;
    }
    return parse_cmp(ps);
}

/* Both sides are always read (so a malformed right side is an error
 * whatever the left side says); the value is the language's truth. */
static json_t *parse_bin(parser_t *ps, const char *op,
                         json_t *(*side)(parser_t *))
{
    json_t *a = side(ps), *b;
    while (a && eat(ps, op)) {
        int t;
        b = side(ps);
        if (!b) {
            json_decref(a);
            return NULL;
        }
        t = *op == '&' ? hub_wf_truthy(a) && hub_wf_truthy(b)
                       : hub_wf_truthy(a) || hub_wf_truthy(b);
        json_decref(a);
        json_decref(b);
        a = json_boolean(t);
    }
    return a;
}

static json_t *parse_and(parser_t *ps)
{
    return parse_bin(ps, "&&", parse_not);
}

static json_t *parse_or(parser_t *ps)
{
    return parse_bin(ps, "||", parse_and);
}

int hub_wf_expr_eval(apr_pool_t *p, const char *expr, const json_t *ctx,
                     json_t **value, const char **err)
{
    parser_t ps = { p, expr, expr, ctx, NULL, 0 };
    json_t *v;
    *value = NULL;
    if (!expr || !*expr) {
        *err = "an empty expression";
        return -1;
    }
    if (strlen(expr) > HUB_WF_EXPR_MAX) {
        *err = "an expression longer than 4000 characters";
        return -1;
    }
    v = parse_or(&ps);
    if (v) {
        skip_ws(&ps);
        if (*ps.at) {
            json_decref(v);
            v = NULL;
            fail(&ps, "an operator expected");
        }
    }
    if (!v) {
        *err = ps.err ? ps.err : "a malformed expression";
        return -1;
    }
    *value = v;
    return 0;
}

int hub_wf_expr_test(apr_pool_t *p, const char *expr, const json_t *ctx,
                     const char **err)
{
    json_t *v;
    int t;
    if (hub_wf_expr_eval(p, expr, ctx, &v, err)) {
        return -1;
    }
    t = hub_wf_truthy(v);
    json_decref(v);
    return t;
}

const char *hub_wf_expr_check(apr_pool_t *p, const char *expr)
{
    const char *err = NULL;
    json_t *v;
    if (hub_wf_expr_eval(p, expr, NULL, &v, &err)) {
        return err;
    }
    json_decref(v);
    return NULL;
}
