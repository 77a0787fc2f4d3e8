/* Unit tests of hub_robust: the modified z-score and its fallback. */
#include <math.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "hub_robust.h"
#include "tap.h"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

int main(void)
{
    apr_pool_t *p;
    hub_robust_t f;
    /* median 3, |x - 3| = 2 1 0 1 97: MAD 1 */
    double spike[] = { 1, 2, 3, 4, 100 };
    /* six equal values and a spike: MAD 0, MeanAD 10/7 */
    double flat[] = { 5, 5, 5, 5, 5, 5, 15 };
    double same[] = { 7, 7, 7 };
    double even[] = { 4, 1, 3, 2 };

    apr_initialize();
    apr_pool_create(&p, NULL);

    hub_robust_fit(p, spike, 5, &f);
    ok(near(f.median, 3) && near(f.mad, 1) && !f.fallback,
       "median 3 and MAD 1");
    ok(near(hub_robust_z(&f, 100), 0.6745 * 97), "the spike's score");
    ok(fabs(hub_robust_z(&f, 100)) > HUB_ROBUST_Z_DEFAULT, "  is an outlier");
    ok(fabs(hub_robust_z(&f, 1)) < HUB_ROBUST_Z_DEFAULT, "1 is not");
    ok(near(spike[4], 100) && near(spike[0], 1), "the input is not sorted");

    hub_robust_fit(p, flat, 7, &f);
    ok(f.mad == 0 && f.fallback, "a flat series: MAD 0, the fallback");
    ok(near(hub_robust_z(&f, 15), 10 / (1.253314 * (10.0 / 7))),
       "  the spike scored by the mean absolute deviation");
    ok(near(hub_robust_z(&f, 5), 0), "  the flat values score 0");

    hub_robust_fit(p, same, 3, &f);
    ok(near(hub_robust_z(&f, 7), 0), "all equal: no score at all");

    hub_robust_fit(p, even, 4, &f);
    ok(near(f.median, 2.5), "an even count: the middle two's mean");

    hub_robust_fit(p, NULL, 0, &f);
    ok(near(hub_robust_z(&f, 1), 0), "no values: nothing scores");

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
