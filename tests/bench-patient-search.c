/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The New Invoice dialog's patient search on a 100,000-invoice store
 * (cp_seed_demo: ~30,000 patients): cp_store_list_patients for what a clerk
 * types, every match (as the dialog fetched before session 9) against the
 * screenful and one more it fetches now. The search runs in a worker either
 * way; this is how long the answer takes to come. Asserts no speed.
 * CAREPAY_BENCH_DB reuses a seeded file; CAREPAY_BENCH_INVOICES changes the
 * size. */
#include "config.h"

#include <stdio.h>

#include "bench-stats.h"
#include "bench-store-util.h"

#define TODAY "2026-11-20"
#define RUNS 7
#define SHOWN 8

static double
search_ms (CpStore    *store,
           const char *text,
           guint       limit,
           guint      *out_rows)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) found = cp_store_list_patients (store, text, limit, &error);

  g_assert_no_error (error);
  *out_rows = found->len;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  static const char * const typed[] = {
    "a", "ga", "gar", "garc", "garcia", "smith", "mrn-02", "mrn-0200874", "zz",
  };
  BenchStore bench = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  CpStore *store;

  bench_store_open (&bench, "patients", TODAY);
  store = CP_STORE (bench.store);
  patients = cp_store_list_patients (store, NULL, 0, &error);
  g_assert_no_error (error);

  printf ("Patient search (New Invoice dialog), %u patients; ms, median / max of %d\n",
          patients->len, RUNS);
  printf ("%-14s %8s %16s %16s\n", "typed", "matches", "every match", "first 9");
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      double all[RUNS], first[RUNS];
      guint n_all = 0, n_first = 0;

      for (int r = 0; r < RUNS; r++)
        {
          all[r] = search_ms (store, typed[i], 0, &n_all);
          first[r] = search_ms (store, typed[i], SHOWN + 1, &n_first);
        }
      g_assert_cmpuint (n_first, ==, MIN (n_all, SHOWN + 1));
      printf ("%-14s %8u %8.1f / %5.1f %8.1f / %5.1f\n", typed[i], n_all,
              bench_median (all, RUNS), bench_percentile (all, RUNS, 100),
              bench_median (first, RUNS), bench_percentile (first, RUNS, 100));
    }
  bench_store_close (&bench);
  return 0;
}
