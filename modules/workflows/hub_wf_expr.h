/* The condition language of workflow nodes (condition, feedback_loop):
 * small, safe, evaluated by a parser of its own, never by code execution.
 * httpd-free (APR + jansson).
 *
 *   expr    := or
 *   or      := and ( "||" and )*
 *   and     := not ( "&&" not )*
 *   not     := "!" not | cmp
 *   cmp     := value ( op value )?      op: == != < <= > >= contains
 *   value   := number | 'string' | "string" | true | false | null
 *            | path | "(" expr ")"
 *   path    := name ( "." name | "[" digits "]" )*
 *              name: letters, digits, "_" and "-" (node ids such as
 *              node-1), not starting with a digit or "-"
 *
 * A path reads the execution's context: `input`, `nodes.<id>.output...`,
 * `<id>.output...` (and `<id>.<field>`, a field of that node's output),
 * `loop.iteration` inside a feedback loop.  A path that leads nowhere is
 * null.  == and != compare any two values (numbers by value); < <= > >=
 * compare two numbers or two strings, and are false otherwise;
 * `contains` is a substring of a string or a member of an array.  A value
 * standing alone is true unless it is null, false, 0, "" or empty. */
#ifndef HUB_WF_EXPR_H
#define HUB_WF_EXPR_H

#include <apr_pools.h>
#include <jansson.h>

#define HUB_WF_EXPR_MAX 4000 /* characters of one expression */

/* Evaluate expr against ctx (an object; may be NULL): 0 with *value (a
 * new reference), or -1 with *err (in p) saying what is wrong where. */
int hub_wf_expr_eval(apr_pool_t *p, const char *expr, const json_t *ctx,
                     json_t **value, const char **err);
/* The same, as true or false: 1, 0, or -1 with *err. */
int hub_wf_expr_test(apr_pool_t *p, const char *expr, const json_t *ctx,
                     const char **err);
/* Whether expr is well formed: NULL, or why not. */
const char *hub_wf_expr_check(apr_pool_t *p, const char *expr);
/* Truth of a value as the language sees it. */
int hub_wf_truthy(const json_t *v);
/* The value at a dotted path ("a.b[0].c" or "a.b.0.c") in ctx, NULL when
 * there is none (borrowed).  A node's entry in the context falls back to
 * its output: `<id>.<field>` is `<id>.output.<field>` when the entry has
 * no such member. */
const json_t *hub_wf_path(const json_t *ctx, const char *path);

#endif
