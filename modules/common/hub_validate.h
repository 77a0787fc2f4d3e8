/* Request-body validation driven by field tables.  The same tables feed
 * the served OpenAPI documents.  httpd-free. */
#ifndef HUB_VALIDATE_H
#define HUB_VALIDATE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

typedef enum {
    HUB_T_ANY = 0,
    HUB_T_STRING,
    HUB_T_INTEGER,
    HUB_T_NUMBER,
    HUB_T_BOOLEAN,
    HUB_T_OBJECT,
    HUB_T_ARRAY
} hub_type_e;

#define HUB_F_REQUIRED 0x01u
#define HUB_F_NULLABLE 0x02u

struct hub_field {
    const char *name; /* NULL ends a table */
    hub_type_e type;
    unsigned flags;            /* HUB_F_* */
    long min, max;             /* string length or integer range;
                                       both 0: unbounded */
    const char *const *one_of; /* allowed string values, NULL-ended */
    const char *description;
};

/* A route whose op reads the body itself (a multipart upload): give it
 * this table as its body and the dispatcher leaves the body unread. */
#define HUB_BODY_RAW 1
extern const struct hub_field hub_body_raw[];

/* One problem with the body, in the words FastAPI uses. */
typedef struct hub_invalid {
    const char *field; /* NULL: the body itself */
    const char *type;  /* "missing", "string_type", ... */
    const char *msg;   /* "Field required", ... */
} hub_invalid_t;

/* Append one problem to `problems` (an array of hub_invalid_t). */
void hub_invalid_add(apr_array_header_t *problems, const char *field,
                     const char *type, const char *msg);

/* Check `body` against `fields`; appends a hub_invalid_t to `problems` for
 * each failure and returns how many there were.  A body that is not an
 * object is one problem. */
int hub_validate(const json_t *body, const struct hub_field *fields,
                 apr_pool_t *p, apr_array_header_t *problems);

/* Members of the object `body` that `fields` does not name: one
 * extra_forbidden problem each (pydantic's extra='forbid'), in the body's
 * order.  Returns how many. */
int hub_validate_extras(const json_t *body, const struct hub_field *fields,
                        apr_array_header_t *problems);

/* JSON-schema type name of a hub_type_e ("string", ...). */
const char *hub_type_name(hub_type_e t);

#endif
