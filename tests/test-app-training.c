/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application in training mode on a new database: it starts its own
 * carepay-stripe-sim, seeds the demo set and makes the demo payments on the
 * simulator before the window gets the ledger, so a trainee's first
 * reconcile finds everything matching. Under Xvfb, the real simulator. */
#include "config.h"

#include <string.h>

#include "cp-application.h"
#include "cp-ledger.h"
#include "cp-window.h"
#include "test-app-util.h"

typedef struct {
  CpApplication *app;
  gboolean       seen;
  gboolean       training;
  int            counts[CP_N_INVOICE_STATUSES];
  guint          n_invoices;
  guint          n_payments;
  guint          n_made_up;     /* "pi_demo_…" ids Stripe never saw */
  guint          n_differences;
  char          *verify_error;
  gint64         deadline;
} AppRun;

/* Once the window has the ledger: what the database holds, and what the
 * reconcile ("Reconcile with Stripe") finds. */
static gboolean
app_check_cb (gpointer data)
{
  AppRun *run = data;
  CpLedger *ledger = cp_application_get_ledger (run->app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  CpStore *store = cp_application_get_store (run->app);
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GPtrArray) differences = NULL;
  g_autoptr(GError) error = NULL;

  if (ledger == NULL || store == NULL || !CP_IS_WINDOW (window) ||
      cp_window_get_ledger (CP_WINDOW (window)) != ledger)
    {
      /* Only stops a hung test; the assertions say what was missing. */
      if (g_get_monotonic_time () < run->deadline)
        return G_SOURCE_CONTINUE;
      g_application_quit (G_APPLICATION (run->app));
      return G_SOURCE_REMOVE;
    }

  run->seen = TRUE;
  run->training = cp_application_get_training (run->app);
  invoices = cp_store_list_invoices (store, NULL, &error);
  g_assert_no_error (error);
  run->n_invoices = invoices->len;
  for (guint i = 0; i < invoices->len; i++)
    run->counts[((CpInvoiceSummary *) g_ptr_array_index (invoices, i))->status]++;
  payments = cp_store_list_payments (store, 0, &error);
  g_assert_no_error (error);
  run->n_payments = payments->len;
  for (guint i = 0; i < payments->len; i++)
    if (g_str_has_prefix (((CpPayment *) payments->pdata[i])->stripe_payment_intent_id, "pi_demo_"))
      run->n_made_up++;

  differences = cp_ledger_verify (ledger, NULL, &error);
  if (differences == NULL)
    run->verify_error = g_strdup (error->message);
  else
    {
      run->n_differences = differences->len;
      for (guint i = 0; i < differences->len; i++)
        {
          CpLedgerDifference *d = g_ptr_array_index (differences, i);

          g_test_message ("Unexpected difference: %s %s %s", d->invoice_number, d->stripe_id, d->what);
        }
    }
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
remove_files (const char *dir)
{
  const char *names[] = { "carepay.db", "carepay.db-wal", "carepay.db-shm", "simulator.json" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_build_filename (dir, names[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static void
test_reconciles_clean (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = g_dir_make_tmp ("carepay-app-training-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "carepay.db", NULL);
  char *argv[] = { (char *) "carepay", NULL };
  AppRun run = { 0 };

  g_assert_no_error (error);
  g_setenv ("CAREPAY_DB", db, TRUE);
  g_unsetenv ("CAREPAY_STRIPE_SECRET_KEY");
  g_settings_set_uint (settings, "webhook-port", 0);

  run.app = cp_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  run.deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  g_timeout_add (100, app_check_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 1, argv), ==, 0);
  g_clear_object (&run.app);

  g_assert_true (run.seen);
  g_assert_true (run.training);
  /* The demo set with its classic mix, its paid invoices paid on "Stripe". */
  g_assert_cmpuint (run.n_invoices, ==, 15);
  g_assert_cmpint (run.counts[CP_INVOICE_STATUS_PENDING], ==, 6);
  g_assert_cmpint (run.counts[CP_INVOICE_STATUS_OVERDUE], ==, 4);
  g_assert_cmpint (run.counts[CP_INVOICE_STATUS_PAID], ==, 3);
  g_assert_cmpint (run.counts[CP_INVOICE_STATUS_PARTIALLY_PAID], ==, 1);
  g_assert_cmpint (run.counts[CP_INVOICE_STATUS_CANCELLED], ==, 1);
  g_assert_cmpuint (run.n_payments, ==, 4);
  g_assert_cmpuint (run.n_made_up, ==, 0);
  g_assert_null (run.verify_error);
  g_assert_cmpuint (run.n_differences, ==, 0);

  g_settings_reset (settings, "webhook-port");
  g_unsetenv ("CAREPAY_DB");
  remove_files (dir);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);
  g_test_add_func ("/carepay/app-training/reconciles-clean", test_reconciles_clean);
  return g_test_run ();
}
