/* libFuzzer target: JSON to YAML.  The input is parsed as JSON (as a
 * request body, with a depth limit); when it parses, hub_json_to_yaml
 * turns it into YAML.  Checks the promise of hub_yaml.c: no raw control
 * character (other than the line breaks it writes), DEL or C1 control
 * ever reaches the output, and the output ends with a newline.
 * Build and run: tools/fuzz yaml */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_json.h"
#include "hub_yaml.h"
#include "fuzz_pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = pool_make();
    hub_json_error_t err;
    json_t *j = hub_json_parse(p, (const char *)data, size, 64, &err);

    if (j) {
        const unsigned char *y = (const unsigned char *)hub_json_to_yaml(p, j);
        size_t n, k;
        if (!y) {
            abort();
        }
        n = strlen((const char *)y);
        if (n == 0 || y[n - 1] != '\n') {
            abort();
        }
        for (k = 0; k < n; k++) {
            if ((y[k] < 0x20 && y[k] != '\n') || y[k] == 0x7f
                || (y[k] == 0xc2 && y[k + 1] >= 0x80 && y[k + 1] <= 0x9f)) {
                fprintf(stderr, "fuzz_yaml: raw control 0x%02x at %zu\n", y[k],
                        k);
                abort();
            }
        }
    }
    apr_pool_destroy(p); /* releases j */
    return 0;
}
