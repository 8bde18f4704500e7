/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The invoice list's cards on a 100,000-invoice store (cp_seed_demo): the
 * store's cp_store_get_totals(), and the list's way (the month's payments
 * from the store, the open balances from the index it already holds). Time,
 * CPU time and the peak RSS each adds; prints a table, asserts no speed.
 * CAREPAY_BENCH_DB reuses a seeded file; CAREPAY_BENCH_INVOICES changes the
 * size. The peak is measured first, in a fresh process, before anything
 * else has grown the heap. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cp-invoice-index.h"
#include "bench-store-util.h"

#define TODAY "2026-11-20"
#define RUNS 5

static gint64
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) ||
      (line = strstr (text, field)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field) + 1, NULL, 10);
}

/* Resets VmHWM to the current RSS (Linux 4.0+); FALSE where it cannot. */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

typedef struct {
  const char *name;
  double      first, best, best_cpu;
  gint64      peak_kb;   /* VmHWM over VmRSS before the first run, -1: unknown */
} Row;

typedef gboolean (*TotalsFunc) (CpStore *store, CpInvoiceIndex *index, CpInvoiceTotals *out);

static gboolean
store_totals (CpStore         *store,
              CpInvoiceIndex  *index,
              CpInvoiceTotals *out)
{
  g_autoptr(GError) error = NULL;

  if (!cp_store_get_totals (store, out, &error))
    g_error ("%s", error->message);
  return TRUE;
}

static gboolean
list_totals (CpStore         *store,
             CpInvoiceIndex  *index,
             CpInvoiceTotals *out)
{
  g_autoptr(GError) error = NULL;

  if (!cp_store_get_paid_this_month (store, out, &error) ||
      !cp_invoice_index_add_open_totals (index, out, &error))
    g_error ("%s", error->message);
  return TRUE;
}

static void
measure (Row             *row,
         TotalsFunc       func,
         CpStore         *store,
         CpInvoiceIndex  *index,
         CpInvoiceTotals *out)
{
  gboolean peak = reset_peak ();
  gint64 rss = status_kb ("VmRSS:");

  for (int r = 0; r < RUNS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      double cpu = bench_cpu_ms ();
      double ms;

      cp_invoice_totals_clear (out);
      memset (out, 0, sizeof *out);
      func (store, index, out);
      cpu = bench_cpu_ms () - cpu;
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (r == 0)
        {
          row->peak_kb = peak && rss >= 0 ? status_kb ("VmHWM:") - rss : -1;
          row->first = row->best = ms;
          row->best_cpu = cpu;
        }
      row->best = MIN (row->best, ms);
      row->best_cpu = MIN (row->best_cpu, cpu);
    }
}

int
main (int   argc,
      char *argv[])
{
  BenchStore bench = { NULL };
  g_autoptr(CpInvoiceIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  CpInvoiceTotals by_store = { 0 }, by_list = { 0 };
  Row rows[2] = { { "cp_store_get_totals" }, { "list: month + index" } };
  double index_ms;
  gint64 start;

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  bench_store_open (&bench, "totals", TODAY);

  measure (&rows[0], store_totals, CP_STORE (bench.store), NULL, &by_store);

  /* The list has its index anyway; building it is not the cards' cost. */
  start = g_get_monotonic_time ();
  index = cp_invoice_index_new_from_store (CP_STORE (bench.store), &error);
  g_assert_no_error (error);
  index_ms = (g_get_monotonic_time () - start) / 1000.0;
  measure (&rows[1], list_totals, CP_STORE (bench.store), index, &by_list);

  printf ("# %u invoices; %s; index built in %.0f ms (not counted)\n",
          cp_invoice_index_get_n_rows (index), TODAY, index_ms);
  printf ("%-22s %10s %10s %12s %14s\n", "totals", "first ms", "best ms", "best cpu ms", "peak +RSS MB");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      char peak[32] = "n/a";

      if (rows[i].peak_kb >= 0)
        g_snprintf (peak, sizeof peak, "%.1f", rows[i].peak_kb / 1024.0);
      printf ("%-22s %10.1f %10.1f %12.1f %14s\n", rows[i].name, rows[i].first, rows[i].best,
              rows[i].best_cpu, peak);
    }
  printf ("# figures (%s): outstanding %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT "), overdue %"
          G_GINT64_FORMAT " (%" G_GINT64_FORMAT "), paid this month %" G_GINT64_FORMAT " (%"
          G_GINT64_FORMAT ")%s\n",
          by_store.currency, by_store.outstanding, by_store.outstanding_count, by_store.overdue,
          by_store.overdue_count, by_store.paid_this_month, by_store.paid_this_month_count,
          by_store.outstanding == by_list.outstanding && by_store.overdue == by_list.overdue &&
          by_store.outstanding_count == by_list.outstanding_count &&
          by_store.overdue_count == by_list.overdue_count &&
          by_store.paid_this_month == by_list.paid_this_month ? "; the list's agree" : "; THE LIST'S DIFFER");
  cp_invoice_totals_clear (&by_store);
  cp_invoice_totals_clear (&by_list);

  bench_store_close (&bench);
  return 0;
}
