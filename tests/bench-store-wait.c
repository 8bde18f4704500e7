/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the list's index costs the store's other callers on a 100,000-invoice
 * store (cp_seed_demo): while one thread reads every invoice (the index, as
 * the list builds it after sign-in and after each change), another makes
 * short calls, as the detail pane, a payment or the password check do.
 * Prints how long those calls take, with the read going on and without;
 * asserts no speed. CAREPAY_BENCH_DB reuses a seeded file;
 * CAREPAY_BENCH_INVOICES changes the size. */
#include "config.h"

#include <stdio.h>

#include "cp-invoice-index.h"
#include "bench-stats.h"
#include "bench-store-util.h"

#define TODAY "2026-11-20"
#define RUNS 5
#define CALLS 20

typedef struct {
  CpStore  *store;
  gint64    elapsed_us;
  gboolean  done;        /* atomic */
} IndexRead;

static gpointer
read_index_thread (gpointer data)
{
  IndexRead *read = data;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  CpInvoiceIndex *index = cp_invoice_index_new_from_store (read->store, &error);

  g_assert_no_error (error);
  read->elapsed_us = g_get_monotonic_time () - start;
  cp_invoice_index_unref (index);
  g_atomic_int_set (&read->done, TRUE);
  return NULL;
}

/* One short call: an invoice with its items and payments, as the detail pane reads it */
static double
short_call_ms (CpStore *store,
               gint64   invoice_id)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, invoice_id, &error);

  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
print_row (const char *what,
           GArray     *ms)
{
  double *values = (double *) ms->data;

  printf ("%-44s %6u %9.1f %9.1f %9.1f\n", what, ms->len, bench_median (values, ms->len),
          bench_percentile (values, ms->len, 95), bench_percentile (values, ms->len, 100));
}

int
main (int   argc,
      char *argv[])
{
  BenchStore bench = { 0 };
  g_autoptr(GArray) idle = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) busy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) reads = g_array_new (FALSE, FALSE, sizeof (double));

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  bench_store_open (&bench, "store-wait", TODAY);

  for (int run = 0; run < RUNS; run++)
    {
      IndexRead read = { CP_STORE (bench.store), 0, FALSE };
      GThread *thread;
      double ms;

      for (int i = 0; i < CALLS; i++)
        {
          ms = short_call_ms (read.store, 1 + g_random_int_range (0, 1000));
          g_array_append_val (idle, ms);
        }

      thread = g_thread_new ("index", read_index_thread, &read);
      /* Calls spread over the read, the first once it is under way */
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
      while (!g_atomic_int_get (&read.done))
        {
          ms = short_call_ms (read.store, 1 + g_random_int_range (0, 1000));
          if (!g_atomic_int_get (&read.done))
            g_array_append_val (busy, ms);
          g_usleep (20 * G_TIME_SPAN_MILLISECOND);
        }
      g_thread_join (thread);
      ms = read.elapsed_us / 1000.0;
      g_array_append_val (reads, ms);
    }

  printf ("# %s; %d runs\n", bench.path, RUNS);
  printf ("%-44s %6s %9s %9s %9s\n", "ms", "calls", "median", "p95", "max");
  print_row ("reading every invoice (the index)", reads);
  print_row ("an invoice (get_invoice), store idle", idle);
  print_row ("an invoice while the index is read", busy);
  printf ("\nThe index is read on a connection of its own (cp-sqlite-store.c): a call\n"
          "made meanwhile should take about as long as on an idle store, not wait\n"
          "for the read to end.\n");

  bench_store_close (&bench);
  return 0;
}
