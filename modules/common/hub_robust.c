/* The robust z-score (hub_robust.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hub_robust.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v (sorted in place). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void hub_robust_fit(apr_pool_t *p, const double *x, int n, hub_robust_t *out)
{
    double *v = apr_palloc(p, sizeof(*v) * (n > 0 ? n : 1));
    double sum = 0;
    int i;

    memset(out, 0, sizeof(*out));
    if (n <= 0) {
        return;
    }
    memcpy(v, x, sizeof(*v) * n);
    out->median = median(v, n);
    for (i = 0; i < n; i++) {
        v[i] = fabs(x[i] - out->median);
        sum += v[i];
    }
    out->meanad = sum / n;
    out->mad = median(v, n);
    out->fallback = out->mad == 0;
}

double hub_robust_z(const hub_robust_t *fit, double x)
{
    if (fit->mad > 0) {
        return 0.6745 * (x - fit->median) / fit->mad;
    }
    if (fit->meanad > 0) {
        return (x - fit->median) / (1.253314 * fit->meanad);
    }
    return 0;
}
