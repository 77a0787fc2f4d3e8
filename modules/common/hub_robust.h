/* Outliers of a series by the robust (modified) z-score of Iglewicz and
 * Hoaglin (1993, "How to Detect and Handle Outliers"):
 *
 *     z_i = 0.6745 * (x_i - median) / MAD,  MAD = median |x_i - median|
 *
 * and x_i is an outlier when |z_i| > threshold (3.5 is their advice).
 * The median and MAD, unlike the mean and standard deviation, are not
 * dragged by the very spikes being looked for.  When MAD is 0 (more than
 * half the values are equal: a flat series with a spike), the score
 * falls back to the mean absolute deviation from the median, as IBM's
 * SPSS Modeler does: z_i = (x_i - median) / (1.253314 * MeanAD).  When
 * that is 0 too, every value is the median and none is an outlier.
 * httpd-free. */
#ifndef HUB_ROBUST_H
#define HUB_ROBUST_H

#include <apr_pools.h>

#define HUB_ROBUST_Z_DEFAULT 3.5

typedef struct hub_robust {
    double median;
    double mad;    /* median absolute deviation */
    double meanad; /* mean absolute deviation from the median */
    int fallback;  /* 1: scored with meanad (mad was 0) */
} hub_robust_t;

/* The centre and spread of n values (n > 0), into *out; p for scratch. */
void hub_robust_fit(apr_pool_t *p, const double *x, int n, hub_robust_t *out);

/* The score of x under fit; 0 when the spread is 0. */
double hub_robust_z(const hub_robust_t *fit, double x);

#endif
