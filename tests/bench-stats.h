/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the benchmarks: medians and nearest-rank percentiles. */
#pragma once

#include <stdlib.h>
#include <glib.h>

static inline int
bench_compare_double (const void *a,
                      const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median of `n` values (for an even n, the mean of the middle two),
 * sorted in place; 0 for none. */
static inline double
bench_median (double *values,
              guint   n)
{
  if (n == 0)
    return 0;
  qsort (values, n, sizeof (double), bench_compare_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The nearest-rank `p`th percentile (0–100) of `n` values, sorted in
 * place; 0 for none. */
static inline double
bench_percentile (double *values,
                  guint   n,
                  double  p)
{
  guint rank;

  if (n == 0)
    return 0;
  qsort (values, n, sizeof (double), bench_compare_double);
  rank = (guint) MAX (1.0, (p / 100.0) * n + 0.999999);
  return values[MIN (rank, n) - 1];
}
