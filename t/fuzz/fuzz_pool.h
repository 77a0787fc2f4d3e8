/* What every libFuzzer target here shares: APR started once, and a pool
 * per input with an allocator of its own, so destroying it gives every
 * byte back to malloc and ASan/LSan see the pool's life exactly. */
#ifndef FUZZ_POOL_H
#define FUZZ_POOL_H

#include <stdlib.h>
#include <apr_general.h>
#include <apr_pools.h>

static void fuzz_apr_start(void)
{
    if (apr_initialize() != APR_SUCCESS) {
        abort();
    }
}

static apr_pool_t *pool_make(void)
{
    apr_allocator_t *a;
    apr_pool_t *p;
    if (apr_allocator_create(&a) != APR_SUCCESS
        || apr_pool_create_ex(&p, NULL, NULL, a) != APR_SUCCESS) {
        abort();
    }
    apr_allocator_owner_set(a, p);
    return p;
}

#endif
