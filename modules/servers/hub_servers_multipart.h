/* multipart/form-data bodies, read whole (hub_servers_multipart.c).
 * httpd-free. */
#ifndef HUB_SERVERS_MULTIPART_H
#define HUB_SERVERS_MULTIPART_H

#include <apr_pools.h>
#include <apr_tables.h>

#define HUB_MP_MAX_PARTS 64

typedef struct hub_mp_part {
    const char *name;         /* the form field */
    const char *filename;     /* NULL when the part is no file */
    const char *content_type; /* as claimed; NULL when none */
    const char *data;         /* into the body, not NUL-terminated */
    apr_size_t len;
} hub_mp_part_t;

/* The boundary of a multipart/form-data Content-Type; NULL when it has
 * none usable, with *not_multipart set when the type is another. */
const char *hub_mp_boundary(apr_pool_t *p, const char *content_type,
                            int *not_multipart);
/* Every part of body: 0 with *parts (hub_mp_part_t), or -1 when the body
 * is not well-formed multipart with this boundary. */
int hub_mp_parse(apr_pool_t *p, const char *body, apr_size_t len,
                 const char *boundary, apr_array_header_t **parts);
/* The first part named name, or NULL. */
const hub_mp_part_t *hub_mp_find(const apr_array_header_t *parts,
                                 const char *name);
/* A parameter of a header value (name="v" or name=v), or NULL. */
const char *hub_mp_param(apr_pool_t *p, const char *value, const char *name);

#endif
