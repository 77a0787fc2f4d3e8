#include <string.h>
#include <apr_strings.h>
#include "hub_validate.h"

const char *hub_type_name(hub_type_e t)
{
    switch (t) {
    case HUB_T_STRING: return "string";
    case HUB_T_INTEGER: return "integer";
    case HUB_T_NUMBER: return "number";
    case HUB_T_BOOLEAN: return "boolean";
    case HUB_T_OBJECT: return "object";
    case HUB_T_ARRAY: return "array";
    default: return "any";
    }
}

void hub_invalid_add(apr_array_header_t *problems, const char *field,
                     const char *type, const char *msg)
{
    hub_invalid_t *inv = apr_array_push(problems);
    inv->field = field;
    inv->type = type;
    inv->msg = msg;
}

static int type_ok(const json_t *v, hub_type_e t)
{
    switch (t) {
    case HUB_T_STRING: return json_is_string(v);
    case HUB_T_INTEGER: return json_is_integer(v);
    case HUB_T_NUMBER: return json_is_number(v);
    case HUB_T_BOOLEAN: return json_is_boolean(v);
    case HUB_T_OBJECT: return json_is_object(v);
    case HUB_T_ARRAY: return json_is_array(v);
    default: return 1;
    }
}

/* Length in characters, as pydantic counts: UTF-8 continuation bytes
 * (10xxxxxx) do not start a character. */
static long utf8_length(const json_t *v)
{
    const unsigned char *s = (const unsigned char *)json_string_value(v);
    size_t i, len = json_string_length(v);
    long n = 0;
    for (i = 0; i < len; i++) {
        n += (s[i] & 0xC0) != 0x80;
    }
    return n;
}

/* The checks beyond the type: lengths, ranges, allowed values. */
static void check_bounds(const json_t *v, const struct hub_field *f,
                         apr_pool_t *p, apr_array_header_t *problems)
{
    if (f->type == HUB_T_STRING) {
        long n = utf8_length(v);
        if (f->min && n < f->min) {
            hub_invalid_add(problems, f->name, "string_too_short",
                            apr_psprintf(p,
                                         "String should have at least %ld "
                                         "characters",
                                         f->min));
        }
        else if (f->max && n > f->max) {
            hub_invalid_add(problems, f->name, "string_too_long",
                            apr_psprintf(p,
                                         "String should have at most %ld "
                                         "characters",
                                         f->max));
        }
        if (f->one_of) {
            const char *const *o;
            const char *s = json_string_value(v);
            for (o = f->one_of; *o && strcmp(*o, s); o++) {
            }
            if (!*o) {
                hub_invalid_add(
                    problems, f->name, "enum",
                    apr_psprintf(p,
                                 "Input should be one of the allowed "
                                 "values of '%s'",
                                 f->name));
            }
        }
    }
    else if (f->type == HUB_T_INTEGER && (f->min || f->max)) {
        json_int_t n = json_integer_value(v);
        if (n < f->min || n > f->max) {
            hub_invalid_add(problems, f->name, "integer_out_of_range",
                            apr_psprintf(p,
                                         "Input should be between %ld and %ld",
                                         f->min, f->max));
        }
    }
}

int hub_validate_extras(const json_t *body, const struct hub_field *fields,
                        apr_array_header_t *problems)
{
    const char *key;
    json_t *v;
    int before = problems->nelts;

    if (!json_is_object(body)) {
        return 0;
    }
    json_object_foreach((json_t *)body, key, v) {
        const struct hub_field *f;
        for (f = fields; f && f->name && strcmp(f->name, key); f++) {
        }
        if (!f || !f->name) {
            hub_invalid_add(problems, key, "extra_forbidden",
                            "Extra inputs are not permitted");
        }
    }
    return problems->nelts - before;
}

int hub_validate(const json_t *body, const struct hub_field *fields,
                 apr_pool_t *p, apr_array_header_t *problems)
{
    const struct hub_field *f;
    int before = problems->nelts;

    if (!json_is_object(body)) {
        hub_invalid_add(problems, NULL, "model_type",
                        "Input should be a valid JSON object");
        return problems->nelts - before;
    }
    for (f = fields; f && f->name; f++) {
        const json_t *v = json_object_get(body, f->name);
        if (!v) {
            if (f->flags & HUB_F_REQUIRED) {
                hub_invalid_add(problems, f->name, "missing", "Field required");
            }
            continue;
        }
        if (json_is_null(v)) {
            if (!(f->flags & HUB_F_NULLABLE)) {
                hub_invalid_add(problems, f->name,
                                apr_pstrcat(p, hub_type_name(f->type), "_type",
                                            NULL),
                                apr_psprintf(p,
                                             "Input should be a valid %s, "
                                             "not null",
                                             hub_type_name(f->type)));
            }
            continue;
        }
        if (!type_ok(v, f->type)) {
            hub_invalid_add(problems, f->name,
                            apr_pstrcat(p, hub_type_name(f->type), "_type",
                                        NULL),
                            apr_psprintf(p, "Input should be a valid %s",
                                         hub_type_name(f->type)));
            continue;
        }
        check_bounds(v, f, p, problems);
    }
    return problems->nelts - before;
}
