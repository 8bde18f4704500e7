/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Benchmark (meson benchmark 'kiosk', suite 'perf'; build-aux/run-benchmarks):
 * the real kiosk window under Xvfb against the real simulator, on a SQLite
 * file seeded with 1,000, 10,000 and 100,000 invoices. Per size and scenario
 * a new kiosk window serves --lookups patients one after the other: each
 * waits `typing` after the start page, looks up an open bill by invoice
 * number and date of birth, reads it for `reading`, presses "Pay full
 * balance" and walks away (kiosk.reset) once the Payment Element is ready.
 * Scenarios: typing 0 s (the worst case: Find at once after the previous
 * patient left), typing 3 s, and typing 3 s with 1.5 s reading the bill.
 * It prints, for the first patient after the window opened and over the
 * later ones (median, and nearest-rank p95: with 7, the slowest):
 *   lookup      Find pressed → the bill shown (the store's lookup, in a thread)
 *   bill→ready  the bill shown → the Payment Element ready (CpPaymentView
 *               "ready": PaymentIntent made, element mounted in the page)
 *   Pay→ready   Pay pressed → ready (what the patient waits for)
 * and in how many lookups Stripe.js was already loaded at Find. Times in
 * milliseconds, wall clock (the load average is printed with them); nothing
 * is asserted. With CAREPAY_TRACE_TIMING=1 the kiosk's markers
 * (src/core/cp-timing-mark.h) break each step down on stderr.
 * Options: --sizes 1000,10000 --lookups N --typing-ms 0,3000 --reading-ms 0,1500 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "bench-stats.h"
#include "cp-application.h"
#include "cp-kiosk-private.h"
#include "cp-ledger.h"
#include "cp-renderer-choice.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"

#define TODAY "2026-11-20"

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the main loop until COND holds; the limit only stops a hung run. */
#define WAIT_UNTIL(cond, seconds)                                          \
  G_STMT_START {                                                           \
    gint64 _end = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;    \
    guint _tick = g_timeout_add (20, tick, NULL);                          \
    while (!(cond) && g_get_monotonic_time () < _end)                      \
      g_main_context_iteration (NULL, TRUE);                               \
    g_source_remove (_tick);                                               \
    if (!(cond))                                                           \
      g_error ("Timed out waiting for %s", #cond);                         \
  } G_STMT_END

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint id = g_timeout_add (10, tick, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* --- the kiosk ------------------------------------------------------------ */

static CpKioskView *
view_of (CpKioskWindow *window)
{
  return cp_kiosk_window_get_view (window);
}

static GtkWidget *
child (CpKioskWindow *window,
       const char    *id)
{
  GtkWidget *widget = cp_kiosk_view_get_child (view_of (window), id);

  if (widget == NULL)
    g_error ("No widget “%s” in the kiosk view", id);
  return widget;
}

static const char *
page (CpKioskWindow *window)
{
  return cp_kiosk_view_get_page (view_of (window));
}

static CpPaymentViewState
payment_state (CpKioskWindow *window)
{
  CpPaymentView *pv = cp_kiosk_view_get_payment_view (view_of (window));

  return pv != NULL ? cp_payment_view_get_state (pv) : CP_PAYMENT_VIEW_STATE_LOADING;
}

static void
click (CpKioskWindow *window,
       const char    *id)
{
  g_signal_emit_by_name (child (window, id), "clicked");
}

/* --- statistics ----------------------------------------------------------- */

/* Nearest-rank percentile of the samples (sorted in place). */
static double
percentile (GArray *samples,
            double  p)
{
  return bench_percentile ((double *) samples->data, samples->len, p);
}

/* The machine's 1-minute load average: these are wall-clock times. */
static const char *
load_average (void)
{
  static char text[32];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "?";
  g_strlcpy (text, contents, sizeof text);
  text[strcspn (text, " ")] = '\0';
  return text;
}

/* --- one patient ---------------------------------------------------------- */

typedef struct {
  char *number;
  char *dob;
} Bill;

static void
bill_free (Bill *bill)
{
  g_free (bill->number);
  g_free (bill->dob);
  g_free (bill);
}

/* Up to n open bills of different patients, spread over the whole file. */
static GPtrArray *
pick_bills (CpStore *store,
            guint    n)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = cp_store_list_invoices (store, &query, &error);
  g_autoptr(GHashTable) patients = g_hash_table_new (g_int64_hash, g_int64_equal);
  GPtrArray *bills = g_ptr_array_new_with_free_func ((GDestroyNotify) bill_free);
  guint step;

  g_assert_no_error (error);
  step = MAX (1, all->len / (n * 2));
  for (guint i = 0; i < all->len && bills->len < n; i += step)
    {
      for (guint j = i; j < MIN (all->len, i + step); j++)
        {
          CpInvoiceSummary *s = g_ptr_array_index (all, j);
          g_autoptr(CpPatient) patient = NULL;
          Bill *bill;

          if (s->balance_due <= 0 || g_hash_table_contains (patients, &s->patient_id) ||
              !(s->status == CP_INVOICE_STATUS_PENDING || s->status == CP_INVOICE_STATUS_OVERDUE ||
                s->status == CP_INVOICE_STATUS_PARTIALLY_PAID))
            continue;
          patient = cp_store_get_patient_by_mrn (store, s->mrn, &error);
          g_assert_no_error (error);
          g_hash_table_add (patients, &s->patient_id);
          bill = g_new0 (Bill, 1);
          bill->number = g_strdup (s->number);
          bill->dob = g_strdup (patient->date_of_birth);
          g_ptr_array_add (bills, bill);
          break;
        }
    }
  g_assert_cmpuint (bills->len, ==, n);
  return bills;
}

typedef struct {
  double lookup_ms;    /* Find → the bill shown */
  double ready_ms;     /* the bill shown → Payment Element ready */
  double pay_ms;       /* Pay pressed → Payment Element ready */
  gboolean prepared;   /* Stripe.js was loaded when Find was pressed */
} Sample;

static Sample
serve_patient (CpKioskWindow *window,
               Bill          *bill,
               guint          typing_ms,
               guint          reading_ms)
{
  g_auto(GStrv) dob = g_strsplit (bill->dob, "-", 3);
  CpPaymentView *pv;
  Sample sample = { 0 };
  gint64 t_find, t_bill, t_pay, t_ready;

  WAIT_UNTIL (g_strcmp0 (page (window), "start") == 0, 60);
  click (window, "start_button");
  gtk_editable_set_text (GTK_EDITABLE (child (window, "id_entry")), bill->number);
  gtk_editable_set_text (GTK_EDITABLE (child (window, "year_entry")), dob[0]);
  gtk_editable_set_text (GTK_EDITABLE (child (window, "month_entry")), dob[1]);
  gtk_editable_set_text (GTK_EDITABLE (child (window, "day_entry")), dob[2]);
  /* The patient typing: the kiosk may get ready meanwhile. */
  spin (typing_ms);

  pv = cp_kiosk_view_get_payment_view (view_of (window));
  sample.prepared = pv != NULL && cp_payment_view_get_prepared (pv);
  t_find = g_get_monotonic_time ();
  click (window, "find_button");
  WAIT_UNTIL (g_strcmp0 (page (window), "invoice") == 0, 120);
  t_bill = g_get_monotonic_time ();
  /* The patient reading the bill. */
  spin (reading_ms);
  t_pay = g_get_monotonic_time ();
  click (window, "pay_full_button");
  WAIT_UNTIL (g_strcmp0 (page (window), "payment") == 0 && payment_state (window) != CP_PAYMENT_VIEW_STATE_LOADING,
              120);
  t_ready = g_get_monotonic_time ();
  if (payment_state (window) != CP_PAYMENT_VIEW_STATE_READY)
    g_error ("The Payment Element did not get ready (state %d)", payment_state (window));

  sample.lookup_ms = (t_bill - t_find) / 1000.0;
  sample.ready_ms = (t_ready - t_bill) / 1000.0;
  sample.pay_ms = (t_ready - t_pay) / 1000.0;
  /* The patient walks away: the PaymentIntent is cancelled, the kiosk forgets them. */
  gtk_widget_activate_action (GTK_WIDGET (window), "kiosk.reset", NULL);
  return sample;
}

/* --- main ----------------------------------------------------------------- */

static GSubprocess *sim;

static void
sim_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  char **url = user_data;
  g_autoptr(GError) error = NULL;

  sim = cp_training_simulator_start_finish (result, url, &error);
  g_assert_no_error (error);
}

static guint *
parse_list (const char *text,
            guint      *n_out)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint *values = g_new0 (guint, g_strv_length (parts) + 1);
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 v;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 0, 10000000, &v, NULL))
        g_error ("Not a number: %s", parts[i]);
      values[n++] = (guint) v;
    }
  *n_out = n;
  return values;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *sizes_arg = NULL;
  g_autofree char *typing_arg = NULL;
  g_autofree char *reading_arg = NULL;
  int lookups = 8;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes_arg, "Invoice counts, e.g. 1000,10000,100000", "LIST" },
    { "lookups", 0, 0, G_OPTION_ARG_INT, &lookups, "Patients per window (at least 6)", "N" },
    { "typing-ms", 0, 0, G_OPTION_ARG_STRING, &typing_arg, "Typing times before Find, e.g. 0,3000,3000", "LIST" },
    { "reading-ms", 0, 0, G_OPTION_ARG_STRING, &reading_arg, "Reading times before Pay, one per typing time, e.g. 0,0,1500", "LIST" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the kiosk's lookup and Payment Element times");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *sim_path = NULL;
  g_autofree char *url = NULL;
  g_autofree guint *sizes = NULL;
  g_autofree guint *typing = NULL;
  g_autofree guint *reading = NULL;
  guint n_sizes, n_typing, n_reading;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  /* As `carepay --kiosk` does: with cairo, no OpenGL in GTK, and WebKit
   * told so. */
  cp_renderer_choose ();
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  sizes = parse_list (sizes_arg != NULL ? sizes_arg : "1000,10000,100000", &n_sizes);
  typing = parse_list (typing_arg != NULL ? typing_arg : "0,3000,3000", &n_typing);
  reading = parse_list (reading_arg != NULL ? reading_arg : (typing_arg != NULL ? "0" : "0,0,1500"), &n_reading);
  lookups = MAX (lookups, 6);

  gtk_init ();
  adw_init ();
  sim_path = cp_training_simulator_find ();
  if (sim_path == NULL)
    {
      g_printerr ("bench-kiosk: no carepay-stripe-sim (set CAREPAY_STRIPE_SIM)\n");
      return 77;
    }
  tmp_dir = g_dir_make_tmp ("carepay-bench-kiosk-XXXXXX", &error);
  g_assert_no_error (error);

  cp_training_simulator_start_async (sim_path, NULL, NULL, sim_started_cb, &url);

  printf ("# kiosk, ms: lookup = Find pressed → the bill shown; bill→ready = the bill shown → the\n"
          "# Payment Element ready; Pay→ready = \"Pay full balance\" pressed → ready. typing = time from\n"
          "# the start page to Find, reading = from the bill shown to Pay. %d patients per window:\n"
          "# the first after it opened, then p50/p95 over the other %d.\n",
          lookups, lookups - 1);
  printf ("%-8s %-6s %-7s | %-24s | %-26s | %-15s | %-8s | %s\n", "invoices", "typing", "reading",
          "lookup: first  p50  p95", "bill→ready: first  p50  p95", "Pay→ready p50 p95", "prepared",
          "load avg");

  for (guint s = 0; s < n_sizes; s++)
    {
      g_autofree char *db = g_strdup_printf ("%s/bench-%u.db", tmp_dir, sizes[s]);
      g_autoptr(CpStore) store = NULL;
      g_autoptr(CpLedger) ledger = NULL;
      g_autoptr(CpStripeClient) client = NULL;
      g_autoptr(CpStripeConfig) config = NULL;
      g_autoptr(GPtrArray) bills = NULL;
      guint used = 0;

      store = CP_STORE (cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error));
      g_assert_no_error (error);
      g_assert_true (cp_seed_demo (store, sizes[s], 42, TODAY, &error));
      g_assert_no_error (error);
      bills = pick_bills (store, lookups * n_typing);

      WAIT_UNTIL (url != NULL, 30);
      config = cp_training_stripe_config_new (url);
      client = cp_stripe_client_new (config, NULL, store);
      ledger = cp_ledger_new (store, client);

      for (guint t = 0; t < n_typing; t++)
        {
          CpKioskWindow *window = cp_kiosk_window_new (NULL);
          g_autoptr(GArray) lookup_ms = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GArray) ready_ms = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GArray) pay_ms = g_array_new (FALSE, FALSE, sizeof (double));
          guint read = reading[MIN (t, n_reading - 1)];
          Sample first = { 0 };
          guint n_prepared = 0;

          cp_kiosk_window_set_store (window, store);
          cp_kiosk_window_set_ledger (window, ledger);
          gtk_window_present (GTK_WINDOW (window));
          WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), 60);

          for (int i = 0; i < lookups; i++)
            {
              Sample sample = serve_patient (window, g_ptr_array_index (bills, used++), typing[t], read);

              n_prepared += sample.prepared;
              if (i == 0)
                first = sample;
              else
                {
                  g_array_append_val (lookup_ms, sample.lookup_ms);
                  g_array_append_val (ready_ms, sample.ready_ms);
                  g_array_append_val (pay_ms, sample.pay_ms);
                }
            }
          printf ("%-8u %4.1f s %5.1f s | %12.0f %5.0f %5.0f | %15.0f %5.0f %5.0f | %9.0f %5.0f | %3u of %d | %s\n",
                  sizes[s], typing[t] / 1000.0, read / 1000.0,
                  first.lookup_ms, percentile (lookup_ms, 50), percentile (lookup_ms, 95),
                  first.ready_ms, percentile (ready_ms, 50), percentile (ready_ms, 95),
                  percentile (pay_ms, 50), percentile (pay_ms, 95),
                  n_prepared, lookups, load_average ());
          fflush (stdout);
          gtk_window_destroy (GTK_WINDOW (window));
          spin (200);
        }
    }

  if (sim != NULL)
    {
      g_subprocess_send_signal (sim, 15);
      g_subprocess_wait (sim, NULL, NULL);
      g_clear_object (&sim);
    }
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    (void) system (cmd);
  }
  return 0;
}
