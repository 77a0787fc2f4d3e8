/* libFuzzer target: PostgreSQL's text form of a text[] column, as the
 * database (an upstream server) sends it, and an API key's scopes column.
 * Runs hub_pg_array_json and hub_scopes_parse on the input (as a C
 * string) and checks: an array's elements are strings or nulls and
 * survive a re-quote round trip; a scopes list that parses is also a
 * valid text[], and hub_scopes_pg of its bits parses to the same bits.
 * Build and run: tools/fuzz rows */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <jansson.h>
#include "hub_rows.h"
#include "hub_principal.h"
#include "fuzz_pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    return 0;
}

/* PostgreSQL's own quoting of a text[]: every element quoted, " and \
 * escaped, SQL NULL as a bare NULL. */
static const char *pg_quote(apr_pool_t *p, const json_t *arr)
{
    const char *out = "{";
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *sep = i ? "," : "";
        if (json_is_null(v)) {
            out = apr_pstrcat(p, out, sep, "NULL", NULL);
        }
        else {
            const char *s = json_string_value(v);
            size_t n = strlen(s), k, o = 0;
            char *q = apr_palloc(p, 2 * n + 3);
            q[o++] = '"';
            for (k = 0; k < n; k++) {
                if (s[k] == '"' || s[k] == '\\')
                    q[o++] = '\\';
                q[o++] = s[k];
            }
            q[o++] = '"';
            q[o] = '\0';
            out = apr_pstrcat(p, out, sep, q, NULL);
        }
    }
    return apr_pstrcat(p, out, "}", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = pool_make();
    const char *s = apr_pstrmemdup(p, (const char *)data, size);
    json_t *arr, *again;
    unsigned bits = 0, bits2 = 0;
    size_t i;
    json_t *v;

    arr = hub_pg_array_json(s);
    if (arr) {
        if (!json_is_array(arr)) {
            abort();
        }
        json_array_foreach(arr, i, v) {
            if (!json_is_string(v) && !json_is_null(v)) {
                abort();
            }
        }
        again = hub_pg_array_json(pg_quote(p, arr));
        if (!again || !json_equal(arr, again)) {
            abort(); /* PostgreSQL's quoting of it reads back different */
        }
        json_decref(again);
    }

    if (hub_scopes_parse(s, &bits) == 0) {
        if (!arr) {
            abort(); /* scopes that are no text[] */
        }
        if (hub_scopes_parse(hub_scopes_pg(p, bits), &bits2) || bits2 != bits) {
            abort();
        }
    }
    json_decref(arr); /* NULL is fine */
    apr_pool_destroy(p);
    return 0;
}
