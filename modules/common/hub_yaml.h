/* JSON to YAML (block style) for /docs/openapi.yaml. httpd-free. */
#ifndef HUB_YAML_H
#define HUB_YAML_H

#include <apr_pools.h>
#include <jansson.h>

/* YAML text of j.  Strings are written double-quoted with JSON's escapes,
 * which YAML reads the same way, so no value can change its type. */
char *hub_json_to_yaml(apr_pool_t *p, const json_t *j);

#endif
