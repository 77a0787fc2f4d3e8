/* Query field tables: one parser, pydantic's rules and words. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "hub_crypto.h"
#include "hub_query.h"
#include "hub_time.h"
#include "hub_validate.h"

int hub_parse_bool(const char *s, int *out)
{
    /* pydantic's str -> bool table, any case */
    static const char *const yes[] = { "1", "on", "t", "true", "y", "yes" };
    static const char *const no[] = { "0", "off", "f", "false", "n", "no" };
    size_t i;
    for (i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
            *out = !strcasecmp(s, yes[i]);
            return 1;
        }
    }
    return 0;
}

static int is_one_of(const char *s, const char *const *values)
{
    int i;
    for (i = 0; values && values[i]; i++) {
        if (!strcmp(s, values[i])) {
            return 1;
        }
    }
    return 0;
}

static const char *enum_msg(apr_pool_t *p, const char *const *values)
{
    const char *msg = "Input should be ";
    int i;
    for (i = 0; values && values[i]; i++) {
        msg = apr_pstrcat(p, msg, i ? (values[i + 1] ? ", " : " or ") : "", "'",
                          values[i], "'", NULL);
    }
    return msg;
}

/* A decimal integer (sign allowed) in [min, max]: 0, or a problem. */
static int int_value(apr_pool_t *p, const hub_qfield_t *f, const char *s,
                     long *out, apr_array_header_t *problems)
{
    char *end;
    long v;
    int bounded = f->min || f->max;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || (s[0] == '+' && !s[1])) {
        hub_invalid_add(problems, f->name, "int_parsing",
                        "Input should be a valid "
                        "integer, unable to parse string as an integer");
        return -1;
    }
    if (bounded && (v < f->min || (errno == ERANGE && v == LONG_MIN))) {
        hub_invalid_add(problems, f->name, "greater_than_equal",
                        apr_psprintf(p,
                                     "Input should be greater than or equal to "
                                     "%ld",
                                     f->min));
        return -1;
    }
    if (bounded && (v > f->max || errno == ERANGE)) {
        hub_invalid_add(
            problems, f->name, "less_than_equal",
            apr_psprintf(p, "Input should be less than or equal to %ld",
                         f->max));
        return -1;
    }
    if (errno == ERANGE) {
        hub_invalid_add(problems, f->name, "int_parsing",
                        "Input should be a valid "
                        "integer, unable to parse string as an integer");
        return -1;
    }
    *out = v;
    return 0;
}

static int string_value(apr_pool_t *p, const hub_qfield_t *f, const char *s,
                        apr_array_header_t *problems)
{
    long n = (long)strlen(s);
    if ((f->min || f->max) && n < f->min) {
        hub_invalid_add(problems, f->name, "string_too_short",
                        apr_psprintf(p,
                                     "String should have at least %ld "
                                     "character%s",
                                     f->min, f->min == 1 ? "" : "s"));
        return -1;
    }
    if (f->max && n > f->max) {
        hub_invalid_add(problems, f->name, "string_too_long",
                        apr_psprintf(p,
                                     "String should have at most %ld "
                                     "character%s",
                                     f->max, f->max == 1 ? "" : "s"));
        return -1;
    }
    return 0;
}

/* One given value by its type: 0, or -1 with the problem appended. */
static int one_value(apr_pool_t *p, const hub_qfield_t *f, const char *s,
                     long *num, apr_array_header_t *problems)
{
    apr_time_t t;
    int b;
    switch (f->type) {
    case HUB_Q_INT: return int_value(p, f, s, num, problems);
    case HUB_Q_OFFSET: {
        hub_qfield_t nonneg = *f;
        nonneg.min = 0;
        nonneg.max = 1L << 40;
        return int_value(p, &nonneg, s, num, problems);
    }
    case HUB_Q_BOOL:
        if (!hub_parse_bool(s, &b)) {
            hub_invalid_add(problems, f->name, "bool_parsing",
                            "Input should be a "
                            "valid boolean, unable to interpret input");
            return -1;
        }
        *num = b;
        return 0;
    case HUB_Q_ENUM:
        if (!is_one_of(s, f->one_of)) {
            hub_invalid_add(problems, f->name, "enum", enum_msg(p, f->one_of));
            return -1;
        }
        return 0;
    case HUB_Q_UUID:
        if (!hub_is_uuid(s)) {
            hub_invalid_add(problems, f->name, "uuid_parsing",
                            "Input should be a valid UUID");
            return -1;
        }
        return 0;
    case HUB_Q_DATETIME:
        if (hub_parse_iso8601(s, &t)) {
            hub_invalid_add(problems, f->name, "datetime_parsing",
                            "Input should be a valid datetime");
            return -1;
        }
        *num = (long)apr_time_sec(t);
        return 0;
    case HUB_Q_CURSOR:
        if (hub_cursor_decode(p, s, num)) {
            hub_invalid_add(problems, f->name, "value_error",
                            "Value error, not a cursor this server issued");
            return -1;
        }
        return 0;
    default: return string_value(p, f, s, problems);
    }
}

int hub_query_parse(apr_pool_t *p, const hub_qfield_t *fields,
                    const apr_table_t *args, hub_qvals_t *out,
                    apr_array_header_t *problems)
{
    int i, before = problems->nelts;
    memset(out, 0, sizeof(*out));
    out->fields = fields;
    for (i = 0; fields && fields[i].name; i++) {
    }
    out->n = i;
    out->text = apr_pcalloc(p, sizeof(*out->text) * (i + 1));
    out->num = apr_pcalloc(p, sizeof(*out->num) * (i + 1));
    for (i = 0; i < out->n; i++) {
        const hub_qfield_t *f = &fields[i];
        const char *s = args ? apr_table_get(args, f->name) : NULL;
        if (s && !*s && (f->flags & HUB_Q_EMPTY_NONE)) {
            s = NULL;
        }
        out->num[i] = f->type == HUB_Q_INT ? f->def : 0;
        if (!s) {
            if (f->flags & HUB_Q_REQUIRED) {
                hub_invalid_add(problems, f->name, "missing", "Field required");
            }
            continue;
        }
        if (one_value(p, f, s, &out->num[i], problems) == 0) {
            out->text[i] = s;
        }
    }
    return problems->nelts - before;
}

static int index_of(const hub_qvals_t *q, const char *name)
{
    int i;
    for (i = 0; q && i < q->n; i++) {
        if (!strcmp(q->fields[i].name, name)) {
            return i;
        }
    }
    return -1;
}

const char *hub_qv_str(const hub_qvals_t *q, const char *name)
{
    int i = index_of(q, name);
    return i < 0 ? NULL : q->text[i];
}

long hub_qv_long(const hub_qvals_t *q, const char *name)
{
    int i = index_of(q, name);
    return i < 0 ? 0 : q->num[i];
}

int hub_qv_given(const hub_qvals_t *q, const char *name)
{
    return hub_qv_str(q, name) != NULL;
}

void hub_qv_page(const hub_qvals_t *q, const char *limit_name,
                 const char *offset_name, hub_page_t *pg)
{
    pg->limit = hub_qv_long(q, limit_name);
    pg->offset = hub_qv_long(q, offset_name);
}
