/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How long the reports dashboard takes to fill on a 100,000-invoice store
 * (cp_seed_demo). Prints a table; asserts no speed. CAREPAY_BENCH_DB reuses
 * a seeded file; CAREPAY_BENCH_INVOICES changes the size. */
#include "config.h"

#include <stdio.h>

#include "cp-report.h"
#include "bench-store-util.h"

#define TODAY "2026-11-20"

/* Wall-clock ms; *out_cpu: CPU ms (the machine may be shared) */
static double
fill_ms (CpStore             *store,
         const char          *from,
         CpReportGranularity  by,
         double              *out_cpu,
         gint64              *out_collected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReport) report = cp_report_new (from, TODAY, by, "USD", &error);
  gint64 start;
  double cpu;

  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  cpu = bench_cpu_ms ();
  if (!cp_store_fill_report (store, report, &error))
    g_error ("%s", error->message);
  *out_cpu = bench_cpu_ms () - cpu;
  *out_collected = report->collected;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; const char *from; CpReportGranularity by; } cases[] = {
    { "20 days by day", "2026-11-01", CP_REPORT_BY_DAY },
    { "90 days by day", "2026-08-23", CP_REPORT_BY_DAY },
    { "1 year by week", "2025-11-21", CP_REPORT_BY_WEEK },
    { "2 years by month", "2024-11-01", CP_REPORT_BY_MONTH },
  };
  BenchStore bench = { NULL };

  bench_store_open (&bench, "report", TODAY);

  printf ("%-20s %10s %10s %12s %16s\n", "range", "first ms", "best ms", "best cpu ms", "collected");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 collected = 0;
      double cpu, best_cpu;
      double first = fill_ms (CP_STORE (bench.store), cases[i].from, cases[i].by, &best_cpu, &collected);
      double best = first;

      for (int r = 0; r < 4; r++)
        {
          best = MIN (best, fill_ms (CP_STORE (bench.store), cases[i].from, cases[i].by, &cpu, &collected));
          best_cpu = MIN (best_cpu, cpu);
        }
      printf ("%-20s %10.1f %10.1f %12.1f %16" G_GINT64_FORMAT "\n", cases[i].name, first, best, best_cpu,
              collected);
    }

  bench_store_close (&bench);
  return 0;
}
