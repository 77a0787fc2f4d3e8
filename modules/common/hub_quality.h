/* Tool quality: one MCP tool definition (the JSON object a server gives in
 * tools/list: name, description, inputSchema, ...) scored 0-100 by a fixed
 * rubric.  Each failed check is an issue {type, severity, detail} and
 * costs its weight; the score is 100 minus the weights, never below 0.
 * httpd-free.
 *
 * | type                      | severity | weight          | fails when |
 * |---------------------------|----------|-----------------|------------|
 * | name_invalid              | error    | 20              | no name, or not 1..128 characters of A-Z a-z 0-9 _ - . (MCP 2025-11-25, "Tool names") |
 * | description_missing       | error    | 30              | no description, or only white space |
 * | description_restates_name | warning  | 15              | the description is the name again (letters and digits compared, any case) |
 * | description_too_short     | warning  | 15              | fewer than 20 characters (else) |
 * | description_too_long      | warning  | 10              | more than 1024 characters |
 * | input_schema_missing      | error    | 25              | no inputSchema, or not a JSON object |
 * | input_schema_not_object   | error    | 25              | inputSchema.type is not "object" |
 * | input_schema_invalid      | error    | 10              | properties not an object, or required not an array of strings |
 * | property_untyped          | warning  | 5 each, max 15  | a property without type, enum, const, $ref, anyOf, oneOf or allOf |
 * | property_undescribed      | warning  | 5 each, max 15  | a property without a description |
 * | required_unknown          | error    | 10 each, max 20 | required names a property that is not in properties |
 *
 * Lengths count characters (UTF-8 code points), not bytes. */
#ifndef HUB_QUALITY_H
#define HUB_QUALITY_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* Bumped whenever a check or a weight changes: stored scores of an older
 * rubric are computed again. */
#define HUB_QUALITY_RUBRIC "1"

#define HUB_QUALITY_NAME_MAX 128
#define HUB_QUALITY_DESC_MIN 20
#define HUB_QUALITY_DESC_MAX 1024

typedef struct hub_quality_issue {
    const char *type;     /* "description_missing", ... */
    const char *severity; /* "error" | "warning" */
    const char *detail;   /* a sentence naming what is wrong */
    int weight;           /* what it cost (after the caps) */
} hub_quality_issue_t;

typedef struct hub_quality {
    int score;                  /* 0..100 */
    apr_array_header_t *issues; /* hub_quality_issue_t, rubric order */
} hub_quality_t;

/* Score one tool definition; everything is allocated in p.  A definition
 * that is not an object scores 0 with the issues of a missing name,
 * description and schema.  Returns out->score. */
int hub_quality_score(apr_pool_t *p, const json_t *tool, hub_quality_t *out);

/* The issues as [{type, severity, detail}].  New reference. */
json_t *hub_quality_issues_json(const hub_quality_t *q);

#endif
