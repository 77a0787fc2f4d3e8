/* Result rows as strings, and the field tables that shape them into each
 * document's JSON (DESIGN.md: "a field mapping from columns to that
 * document's JSON names and types").  httpd-free. */
#ifndef HUB_ROWS_H
#define HUB_ROWS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_json.h"

typedef struct hub_rows {
    int ncols;
    const char **cols;        /* column names */
    apr_array_header_t *rows; /* const char ** per row, NULL = SQL NULL */
} hub_rows_t;

/* The value of a column by name in row i, NULL when absent or SQL NULL. */
const char *hub_rows_get(const hub_rows_t *rows, int i, const char *col);

typedef enum {
    HUB_J_STRING = 0, /* text as it is */
    HUB_J_INT,        /* integer text */
    HUB_J_BOOL,       /* PostgreSQL's t / f */
    HUB_J_STRINGS,    /* text[] ({a,"b c"}) as an array of strings */
    HUB_J_JSON,       /* json/jsonb text, embedded */
    HUB_J_OMITEMPTY   /* text, and no member at all when NULL or "" (Go's
                         `json:",omitempty"`, as GoClaw answers) */
} hub_json_kind_e;

/* or-ed into a shape's kind: the column is never NULL (a NOT NULL
 * column, a count), so the served OpenAPI documents do not call the
 * member nullable (hub_openapi.c) */
#define HUB_J_NOTNULL 0x100u
/* the hub_json_kind_e of a shape's kind */
#define HUB_J_KIND(k) ((hub_json_kind_e)((k)&0xffu))

typedef struct hub_shape {
    const char *name; /* JSON name; NULL ends a table */
    const char *col;  /* column; NULL: same as name */
    unsigned kind;    /* hub_json_kind_e, | HUB_J_NOTNULL */
} hub_shape_t;

/* The rows whose column col is not NULL (a LEFT JOIN's parent row without
 * children drops out); rows itself when every row has it. */
const hub_rows_t *hub_rows_having(apr_pool_t *p, const hub_rows_t *rows,
                                  const char *col);

/* The answer of a page statement (the count of all that match, LEFT
 * JOIN LATERAL the page: "SELECT n.total, p.* ..."): the count from its
 * first row (0 when there is none), and rows emptied when the page is
 * (its one row then carries the count alone, with a NULL id). */
long hub_rows_page_total(hub_rows_t *rows);

/* Row i as a JSON object by the shape (SQL NULL -> null).  New ref. */
json_t *hub_row_json(const hub_rows_t *rows, int i, const hub_shape_t *shape);
/* Every row, as an array.  New ref. */
json_t *hub_rows_json(const hub_rows_t *rows, const hub_shape_t *shape);

/* The same JSON text as hub_json_dump of hub_rows_json (one: of
 * hub_row_json of row 0), written into b straight from the strings:
 * no json_t for a text, number or boolean column.  -1 when a value
 * cannot be encoded (bad UTF-8). */
int hub_rows_write(hub_json_buf_t *b, const hub_rows_t *rows,
                   const hub_shape_t *shape, int one);

/* PostgreSQL's text form of a text[] as a JSON array of strings; NULL
 * when it is not one. */
json_t *hub_pg_array_json(const char *text);

#endif
