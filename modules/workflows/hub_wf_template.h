/* {{path}} substitution in workflow nodes (template nodes, prompts, tool
 * arguments, http URLs and bodies).  A path is the condition language's
 * (hub_wf_expr.h): {{input}}, {{node-1.output}}, {{node-1.text}} (a field
 * of node-1's output), {{nodes.node-1.output.items[0]}}.  A string value
 * is put in as it is, anything else as compact JSON, nothing for a path
 * that leads nowhere.  httpd-free. */
#ifndef HUB_WF_TEMPLATE_H
#define HUB_WF_TEMPLATE_H

#include <apr_pools.h>
#include <jansson.h>

/* tpl with every {{path}} replaced (in p). */
const char *hub_wf_template_render(apr_pool_t *p, const char *tpl,
                                   const json_t *ctx);
/* A copy of v (new reference) with every string in it rendered; a string
 * that is one {{path}} and nothing else becomes the value itself (an
 * argument keeps its type). */
json_t *hub_wf_template_json(apr_pool_t *p, const json_t *v, const json_t *ctx);

#endif
