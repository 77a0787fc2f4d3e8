/* Small text rules the endpoints share: slugs, PostgreSQL array
 * literals, names of environment variables, lower case, lists joined
 * for a message.  httpd-free. */
#ifndef HUB_TEXT_H
#define HUB_TEXT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* The slug of a name: lowercase letters, digits, '-' and '_' (other runs
 * become '-'), at most 100; NULL when nothing is left. */
char *hub_slugify(apr_pool_t *p, const char *name);

/* The name an aggregating MCP endpoint (the gateway) shows for a tool:
 * "prefix__tool", or the tool alone when prefix is NULL or "".  Every
 * character outside MCP's tool-name set [A-Za-z0-9_.-] becomes '_', and
 * a name over 128 characters keeps its first 119 and ends in '_' and 8
 * hex digits of a hash (FNV-1a) of the whole: still unique in practice,
 * and the same on every host and every listing. */
#define HUB_TOOL_NAME_MAX 128
char *hub_tool_public_name(apr_pool_t *p, const char *prefix, const char *tool);
/* 1 when s is already a slug (1 to 100 of a-z 0-9 - _, starting with a
 * letter or a digit). */
int hub_is_slug(const char *s);

/* PostgreSQL's text[] literal of a JSON array of strings (others are
 * skipped): {"a","b \"c\""}. */
const char *hub_pg_array(apr_pool_t *p, const json_t *strings);
/* The same of an array of const char *. */
const char *hub_pg_array_strv(apr_pool_t *p, const apr_array_header_t *a);

/* The elements of a text[] literal that start with prefix, without it,
 * as a JSON array (new reference); [] for NULL. */
json_t *hub_pg_array_prefixed(const char *pg_array, const char *prefix);

/* 1 when s names an environment variable: letters, digits and '_', not
 * starting with a digit, 1 to 200 long. */
int hub_is_env_name(const char *s);

/* The LIKE/ILIKE pattern that finds s as a substring: s between two %,
 * its own %, _ and \ escaped (text to find, not a pattern); NULL for
 * NULL. */
const char *hub_like_contains(apr_pool_t *p, const char *s);

/* s in lower case (ASCII); "" for NULL. */
char *hub_lower(apr_pool_t *p, const char *s);
/* 1 when s is one of values (NULL-ended); 0 for NULL. */
int hub_one_of(const char *s, const char *const *values);
/* The strings of a JSON array joined by sep; NULL when there are none. */
const char *hub_join(apr_pool_t *p, const json_t *strings, const char *sep);

#endif
