/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A card payment at the desk through the built `carepay` executable, whose
 * payment dialog gets its view from libcarepay-payview.so (opened by
 * cp-payview-module.c at the first payment), not from the static library
 * the other tests link. The executable runs as it ships, in training mode
 * with its own simulator and demo database; payview-module-driver.so,
 * preloaded into it, does what the clerk does (sign in, Take Payment, a
 * test card typed into the real WebKit view). The invoice must then be paid
 * in the SQLite file the app wrote. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "cp-sqlite-store.h"

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, NULL));
}

static void
test_desk_payment (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-payview-module-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "carepay.db", NULL);
  g_autofree char *result = g_build_filename (dir, "result", NULL);
  g_autofree char *log = g_build_filename (dir, "carepay.log", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *asan = g_strjoin (":", "verify_asan_link_order=0", g_getenv ("ASAN_OPTIONS"), NULL);
  g_autofree char *text = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  CpPayment *payment = NULL;
  gboolean waited = FALSE;
  gboolean timed_out = FALSE;
  gint64 invoice_id;
  gint64 amount;
  guint timeout;

  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", PAYVIEW_MODULE_DRIVER, TRUE);
  /* The driver's library is built like the rest: with ASan it comes before
   * libasan in the link order, which ASan otherwise refuses. */
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_TEST_TYPER", PAYVIEW_MODULE_TYPER, TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_TEST_RESULT", result, TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_TODAY", "2026-11-22", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  /* Training mode: no keys, so the app starts its own simulator. */
  g_subprocess_launcher_unsetenv (launcher, "CAREPAY_STRIPE_SECRET_KEY");
  g_subprocess_launcher_unsetenv (launcher, "CAREPAY_STRIPE_PUBLISHABLE_KEY");
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  process = g_subprocess_launcher_spawn (launcher, &error, CAREPAY_BIN, "--db", db, NULL);
  g_assert_no_error (error);

  /* The limit only stops a hung app; the driver fails faster on its own. */
  timeout = g_timeout_add_seconds (400, timed_out_cb, &timed_out);
  g_subprocess_wait_async (process, NULL, waited_cb, &waited);
  while (!waited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  if (!waited)
    {
      g_subprocess_send_signal (process, SIGTERM);
      g_subprocess_wait (process, NULL, NULL);
    }
  g_file_get_contents (log, &output, NULL, NULL);
  if (!waited || !g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_test_message ("carepay's output:\n%s", output != NULL ? output : "");
      g_error ("carepay did not pay and quit (%s)", waited ? "it failed" : "it hung");
    }

  /* What the driver saw the dialog confirm ... */
  g_assert_true (g_file_get_contents (result, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 3);
  invoice_id = g_ascii_strtoll (lines[0], NULL, 10);
  amount = g_ascii_strtoll (lines[2], NULL, 10);
  g_assert_cmpint (invoice_id, >, 0);
  g_assert_true (g_str_has_prefix (lines[1], "pi_"));
  g_test_message ("Paid invoice %" G_GINT64_FORMAT " with %s", invoice_id, lines[1]);

  /* ... is what the app's SQLite file holds: the invoice paid, by that
   * PaymentIntent, at the desk, with the test card. */
  store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  invoice = cp_store_get_invoice (CP_STORE (store), invoice_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 0);
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *p = g_ptr_array_index (invoice->payments, i);

      if (g_strcmp0 (p->stripe_payment_intent_id, lines[1]) == 0)
        payment = p;
    }
  g_assert_nonnull (payment);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpint (payment->amount, ==, amount);
  g_assert_cmpint (payment->amount, ==, invoice->total);
  g_assert_cmpint (payment->channel, ==, CP_PAYMENT_CHANNEL_DESK);
  g_assert_cmpstr (payment->card_last4, ==, "4242");

  g_clear_pointer (&invoice, cp_invoice_free);
  g_clear_object (&store);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/carepay/app-payview-module/desk-payment", test_desk_payment);
  return g_test_run ();
}
