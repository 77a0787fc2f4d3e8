/* Query parameters as field tables: a route row names its table, the
 * dispatcher parses the query against it before the operation runs, and
 * the operation reads typed values.  One rule per type for every profile
 * (booleans as pydantic parses them, the form FastAPI's Caylex and
 * Patchwork answer with), problems reported as hub_invalid_t in FastAPI's
 * words; the profile's envelope says them.  The same tables can feed the
 * served OpenAPI documents.  httpd-free. */
#ifndef HUB_QUERY_H
#define HUB_QUERY_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_page.h"

typedef enum {
    HUB_Q_STRING = 0, /* text; min/max bound its length when set */
    HUB_Q_INT,        /* decimal in [min, max]; def when absent */
    HUB_Q_BOOL,       /* 1/0, true/false, yes/no, on/off, t/f, y/n */
    HUB_Q_ENUM,       /* one of one_of */
    HUB_Q_UUID,       /* canonical 8-4-4-4-12 */
    HUB_Q_DATETIME,   /* ISO-8601 (hub_parse_iso8601) */
    HUB_Q_CURSOR,     /* an opaque cursor this hub issued: an offset */
    HUB_Q_OFFSET      /* a plain non-negative offset ("cursor" of G4F) */
} hub_qtype_e;

#define HUB_Q_REQUIRED   0x01u /* absent is an error */
#define HUB_Q_EMPTY_NONE 0x02u /* "" counts as absent */

typedef struct hub_qfield {
    const char *name; /* NULL ends a table */
    hub_qtype_e type;
    unsigned flags;            /* HUB_Q_* */
    long min, max;             /* INT range / STRING length; 0 0:
                                  unbounded */
    long def;                  /* INT default, when absent */
    const char *const *one_of; /* ENUM values, NULL-ended */
    const char *description;
} hub_qfield_t;

/* What a query said, by the table it was read with. */
typedef struct hub_qvals {
    const hub_qfield_t *fields;
    int n;
    const char **text; /* as given, NULL when absent */
    long *num;         /* INT, BOOL, CURSOR, OFFSET; the
                          DATETIME's apr_time_t in seconds */
} hub_qvals_t;

/* Parse args (decoded arguments; NULL: none) by fields into *out.
 * Returns the number of problems, each appended to problems (type and msg
 * in pydantic's words, field the parameter's name). */
int hub_query_parse(apr_pool_t *p, const hub_qfield_t *fields,
                    const apr_table_t *args, hub_qvals_t *out,
                    apr_array_header_t *problems);

/* The parameter's text: NULL when absent (or "" under EMPTY_NONE). */
const char *hub_qv_str(const hub_qvals_t *q, const char *name);
/* Its number (INT: def when absent; BOOL: 0/1, 0 when absent). */
long hub_qv_long(const hub_qvals_t *q, const char *name);
int hub_qv_given(const hub_qvals_t *q, const char *name);

/* The page of a table with `limit` or `size` and `cursor` (or `offset`):
 * the limit from the first, the offset from the second. */
void hub_qv_page(const hub_qvals_t *q, const char *limit_name,
                 const char *offset_name, hub_page_t *pg);

/* pydantic's boolean rule; 1 when s is one, with *out set. */
int hub_parse_bool(const char *s, int *out);

/* Caylex's page parameters, for any Caylex table: size 1..100 (default
 * 20) and the opaque cursor of meta.next_cursor. */
/* clang-format off */
#define HUB_Q_CX_PAGE                                                      \
    { "size", HUB_Q_INT, 0, 1, 100, 20, NULL, "page size" },               \
    { "cursor", HUB_Q_CURSOR, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,            \
      "meta.next_cursor of the page before" }

/* G4F's offset pages, for its lists: limit 1..200 (default 50) and the
 * next_cursor of the page before (an offset). */
#define HUB_Q_G4F_PAGE                                                     \
    { "limit", HUB_Q_INT, 0, 1, 200, 50, NULL, "items per page" },         \
    { "cursor", HUB_Q_OFFSET, 0, 0, 0, 0, NULL,                            \
      "next_cursor of the page before" }

#define HUB_Q_END { NULL, 0, 0, 0, 0, 0, NULL, NULL }
/* clang-format on */

#endif
