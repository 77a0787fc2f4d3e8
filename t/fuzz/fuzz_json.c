/* libFuzzer target: a request body as a client sends it.
 * hub_json_parse (depth limit from the first byte) and, when it parses,
 * hub_validate against a small field table.  Checks, beyond "no crash,
 * no leak": a parsed value never nests deeper than the limit, and
 * hub_validate's count equals the problems it appended.
 * Build and run: tools/fuzz json */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_json.h"
#include "hub_validate.h"
#include "fuzz_pool.h"

static const char *const kinds[] = { "stdio", "sse", "http", NULL };

/* clang-format off */
static const struct hub_field fields[] = {
    { "name",        HUB_T_STRING,  HUB_F_REQUIRED, 1, 64, NULL, "name" },
    { "kind",        HUB_T_STRING,  0, 0, 0, kinds, "transport" },
    { "port",        HUB_T_INTEGER, HUB_F_NULLABLE, 1, 65535, NULL, "port" },
    { "weight",      HUB_T_NUMBER,  0, 0, 0, NULL, "weight" },
    { "enabled",     HUB_T_BOOLEAN, 0, 0, 0, NULL, "enabled" },
    { "meta",        HUB_T_OBJECT,  HUB_F_NULLABLE, 0, 0, NULL, "meta" },
    { "tags",        HUB_T_ARRAY,   0, 0, 0, NULL, "tags" },
    { "description", HUB_T_STRING,  HUB_F_NULLABLE, 0, 200, NULL, "text" },
    { "extra",       HUB_T_ANY,     0, 0, 0, NULL, "anything" },
    { NULL, HUB_T_ANY, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int depth_of(const json_t *j)
{
    int d = 0, c;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            if ((c = depth_of(v)) > d)
                d = c;
        }
        return d + 1;
    }
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            if ((c = depth_of(v)) > d)
                d = c;
        }
        return d + 1;
    }
    return 0;
}

/* A pool with an allocator of its own, so destroying it gives every byte
 * back to malloc and ASan/LSan see the pool's life exactly. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    hub_json_error_t err;
    json_t *j;
    int max_depth;

    if (size < 1) {
        return 0;
    }
    max_depth = 1 + data[0] % 40;
    data++;
    size--;

    p = pool_make();
    j = hub_json_parse(p, (const char *)data, size, max_depth, &err);
    if (j) {
        apr_array_header_t *problems = apr_array_make(p, 2,
                                                      sizeof(hub_invalid_t));
        int n, i;
        if (depth_of(j) > max_depth) {
            abort(); /* the depth limit let a deeper value through */
        }
        n = hub_validate(j, fields, p, problems);
        if (n != problems->nelts) {
            abort();
        }
        for (i = 0; i < problems->nelts; i++) {
            const hub_invalid_t *inv = &APR_ARRAY_IDX(problems, i,
                                                      hub_invalid_t);
            if (!inv->type || !inv->msg) {
                abort();
            }
            (void)strlen(inv->msg);
            if (inv->field) {
                (void)strlen(inv->field);
            }
        }
        /* the NULL-table and wrong-type-body paths */
        hub_validate(j, NULL, p, problems);
        (void)hub_json_text(p, j);
    }
    else if (!err.depth_exceeded && !err.text[0]) {
        abort(); /* failure without a reason */
    }
    apr_pool_destroy(p); /* releases j through its pool cleanup */
    return 0;
}
