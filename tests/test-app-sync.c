/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Payments that appear by themselves, under Xvfb: the staff window signed in,
 * the real carepay-stripe-sim (one per test, delivering signed webhooks to
 * the sync controller's listener), invoices paid directly on the simulator
 * as a patient's link or the kiosk would, and nothing clicked in the window.
 * Notifications are caught by a stand-in org.gtk.Notifications on the
 * session bus. With CAREPAY_SCREENSHOT_DIR set it saves reconcile.png. */
#include "config.h"

#include <string.h>
#include <signal.h>

#include "cp-application.h"
#include "cp-error.h"
#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-invoice-row.h"
#include "cp-ledger.h"
#include "cp-money.h"
#include "cp-notifier.h"
#include "cp-reconcile-dialog.h"
#include "cp-sync-controller.h"
#include "cp-window.h"
#include "stripe/cp-stripe-payment-intents.h"
#include "stripe/cp-stripe-refunds.h"
#include "notify-test-util.h"
#include "test-app-util.h"
#include "test-signin-util.h"

#define WEBHOOK_SECRET "whsec_test_app_sync"

static CpApplication *app;

/* --- notifications, caught by a stand-in server (notify-test-util.c) ------ */

static TestNotifyServer *notes;

static GVariant *
find_notification (gint64 invoice_id)
{
  g_autofree char *id = cp_notifier_dup_id (invoice_id);

  return test_notify_server_find (notes, id);
}

/* --- fixture ---------------------------------------------------------------- */

typedef struct {
  TestDb            db;
  GSubprocess      *sim;
  char             *sim_url;
  guint             webhook_port;
  GSettings        *settings;
  CpStripeClient   *client;
  CpLedger         *ledger;
  CpWindow         *window;
  CpSyncController *controller;
  GArray           *notified;    /* invoice ids of ::payment-notified */
  GError           *error;
} Fixture;

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
sim_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *f = user_data;

  f->sim = cp_training_simulator_start_finish (result, &f->sim_url, &f->error);
  if (f->sim == NULL && f->error == NULL)
    g_set_error_literal (&f->error, CP_ERROR, CP_ERROR_FAILED, "no simulator");
}

static void
payment_notified_cb (CpSyncController *controller,
                     gint64            invoice_id,
                     Fixture          *f)
{
  g_array_append_val (f->notified, invoice_id);
}

static gboolean
was_notified (Fixture *f,
              gint64   invoice_id)
{
  for (guint i = 0; i < f->notified->len; i++)
    if (g_array_index (f->notified, gint64, i) == invoice_id)
      return TRUE;
  return FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = cp_training_simulator_find ();
  g_autofree char *webhook_url = NULL;
  g_autoptr(CpStripeConfig) config = NULL;

  f->notified = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->settings = g_settings_new (APP_ID);
  g_settings_set_uint (f->settings, "sync-interval", 5);
  g_settings_set_uint (f->settings, "webhook-port", 0);

  /* The simulator delivers its events to the listener's port. */
  f->webhook_port = free_port ();
  webhook_url = g_strdup_printf ("http://127.0.0.1:%u/", f->webhook_port);
  g_assert_nonnull (path);
  cp_training_simulator_start_with_webhook_async (path, NULL, webhook_url, WEBHOOK_SECRET, NULL,
                                                  sim_started_cb, f);
  SPIN_UNTIL (f->sim != NULL || f->error != NULL, 30);
  g_assert_no_error (f->error);

  test_db_open (&f->db, 0);
  config = cp_training_stripe_config_new (f->sim_url);
  f->client = cp_stripe_client_new (config, NULL, f->db.store);
  f->ledger = cp_ledger_new (f->db.store, f->client);
  f->window = g_object_ref_sink (cp_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  cp_window_set_store (f->window, f->db.store);
  cp_window_set_ledger (f->window, f->ledger, TRUE);
  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (cp_window_get_signin_page (f->window))), 10);

  f->controller = cp_sync_controller_new (G_APPLICATION (app), f->ledger, WEBHOOK_SECRET);
  cp_sync_controller_set_window (f->controller, f->window);
  g_signal_connect (f->controller, "payment-notified", G_CALLBACK (payment_notified_cb), f);
}

static void
destroy_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i - 1);

      if (CP_IS_RECONCILE_DIALOG (w))
        gtk_window_destroy (w);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  destroy_dialogs ();
  cp_sync_controller_stop (f->controller);
  gtk_window_destroy (GTK_WINDOW (f->window));
  /* Let workers and cancelled requests return before checking for leaks. */
  spin_briefly (500);
  g_assert_finalize_object (f->controller);
  g_assert_finalize_object (f->window);
  g_assert_finalize_object (f->ledger);
  g_assert_finalize_object (f->client);
  test_db_close (&f->db);

  g_subprocess_send_signal (f->sim, SIGTERM);
  g_assert_true (g_subprocess_wait (f->sim, NULL, NULL));
  g_clear_object (&f->sim);
  g_free (f->sim_url);
  g_settings_reset (f->settings, "sync-interval");
  g_settings_reset (f->settings, "webhook-port");
  g_clear_object (&f->settings);
  g_array_unref (f->notified);
}

/* --- helpers ---------------------------------------------------------------- */

static void
sign_in_window (CpWindow   *window,
                const char *username)
{
  test_sign_in (window, username);
}

static void
sign_in_as (Fixture    *f,
            const char *username)
{
  sign_in_window (f->window, username);
}

/* Starts the controller and waits for its first pass to end. */
static void
start_syncing (Fixture *f)
{
  cp_sync_controller_start (f->controller);
  SPIN_UNTIL (cp_sync_controller_get_n_passes (f->controller) >= 1, 60);
}

/* Unpaid invoices, in list order. */
static CpInvoiceSummary *
find_unpaid_in (CpStore *store,
                guint    skip)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (rows, i);

      if (s->amount_paid == 0 && s->balance_due > 0 && !s->voided && skip-- == 0)
        return g_ptr_array_steal_index (rows, i);
    }
  g_assert_not_reached ();
  return NULL;
}

/* As a payment link or the kiosk would: a PaymentIntent with the invoice in
 * its metadata, confirmed on Stripe, the app not involved. */
static CpInvoiceSummary *
find_unpaid (Fixture *f,
             guint    skip)
{
  return find_unpaid_in (f->db.store, skip);
}

static char *
pay_with_client (CpStripeClient         *client,
                 const CpInvoiceSummary *invoice,
                 gint64                  amount,
                 const char             *payment_method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) done = NULL;
  CpStripePaymentIntentParams params = { 0 };

  params.amount = amount;
  params.currency = invoice->currency;
  params.invoice_id = invoice->id;
  params.invoice_number = invoice->number;
  params.card_only = TRUE;
  pi = cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  done = cp_stripe_payment_intent_confirm (client, pi->id, payment_method, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (done->status, ==, "succeeded");
  return g_strdup (pi->id);
}

static char *
pay_directly_amount (Fixture                *f,
                     const CpInvoiceSummary *invoice,
                     gint64                  amount,
                     const char             *payment_method)
{
  return pay_with_client (f->client, invoice, amount, payment_method);
}

static CpInvoiceRow *
window_row (CpWindow *window,
            gint64    id)
{
  GListModel *model = cp_invoice_list_get_model (cp_window_get_invoice_list (window));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CpInvoiceRow) row = g_list_model_get_item (model, i);

      if (cp_invoice_row_get_id (row) == id)
        return row;  /* the model keeps it */
    }
  return NULL;
}

static CpInvoiceRow *
list_row (Fixture *f,
          gint64   id)
{
  return window_row (f->window, id);
}

static int
list_status (Fixture *f,
             gint64   id)
{
  CpInvoiceRow *row = list_row (f, id);

  return row != NULL ? (int) cp_invoice_row_get_status (row) : -1;
}

static void
open_invoice (Fixture *f,
              gint64   id)
{
  CpInvoiceList *list = cp_window_get_invoice_list (f->window);
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);

  g_assert_true (cp_invoice_list_select_invoice (list, id));
  cp_invoice_list_activate_selected (list);
  SPIN_UNTIL (!cp_invoice_detail_get_loading (detail) && cp_invoice_detail_get_invoice (detail) != NULL &&
              cp_invoice_detail_get_invoice (detail)->id == id, 20);
}

static gboolean
detail_paid (Fixture *f)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  const CpInvoice *inv = cp_invoice_detail_get_invoice (detail);

  return !cp_invoice_detail_get_loading (detail) && inv != NULL && inv->amount_paid > 0;
}

static gboolean
has_label_text (GtkWidget     *widget,
                gconstpointer  data)
{
  return gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static char *
pay_directly (Fixture                *f,
              const CpInvoiceSummary *invoice,
              const char             *payment_method)
{
  return pay_directly_amount (f, invoice, invoice->balance_due, payment_method);
}

/* --- tests ------------------------------------------------------------------ */

/* Polling: a payment made elsewhere shows in the list and the open detail,
 * and a notification goes out; nothing is clicked. */
static void
test_poll (Fixture       *f,
           gconstpointer  data)
{
  CpInvoiceList *list = cp_window_get_invoice_list (f->window);
  g_autoptr(CpInvoiceSummary) first = NULL;
  g_autoptr(CpInvoiceSummary) second = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *pi2 = NULL;
  g_autofree char *amount = NULL;
  GVariant *notification;
  const char *body = NULL;
  const char *action = NULL;

  sign_in_as (f, "clerk");
  start_syncing (f);
  g_assert_true (g_str_has_prefix (cp_sync_controller_get_status (f->controller), "Synced "));
  g_assert_cmpstr (cp_invoice_list_get_sync_status (list), ==, cp_sync_controller_get_status (f->controller));
  g_assert_cmpuint (cp_sync_controller_get_webhook_port (f->controller), ==, 0);

  first = find_unpaid (f, 0);
  open_invoice (f, first->id);
  g_assert_false (detail_paid (f));
  g_assert_cmpint (list_status (f, first->id), !=, CP_INVOICE_STATUS_PAID);

  pi = pay_directly (f, first, "pm_card_visa");
  g_test_message ("Paid %s directly: %s", first->number, pi);
  SPIN_UNTIL (list_status (f, first->id) == CP_INVOICE_STATUS_PAID, 90);
  SPIN_UNTIL (detail_paid (f), 30);
  SPIN_UNTIL (was_notified (f, first->id), 30);
  SPIN_UNTIL (find_notification (first->id) != NULL, 30);

  notification = find_notification (first->id);
  g_assert_true (g_variant_lookup (notification, "body", "&s", &body));
  g_test_message ("Notification: %s", body);
  g_assert_nonnull (strstr (body, first->number));
  amount = cp_money_format (first->balance_due, first->currency);
  g_assert_nonnull (strstr (body, amount));
  /* Says where the money came from, so the desk knows if the patient is there */
  g_assert_true (strstr (body, ", paid at the kiosk") != NULL || strstr (body, ", paid by payment link") != NULL ||
                 strstr (body, ", taken at the desk") != NULL);
  g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
  g_assert_cmpstr (action, ==, "app.open-invoice");
  {
    g_autoptr(GVariant) target = g_variant_lookup_value (notification, "default-action-target", NULL);

    g_assert_nonnull (target);
    g_assert_cmpint (g_variant_get_int64 (target), ==, first->id);
  }
  g_assert_true (g_str_has_prefix (cp_invoice_list_get_sync_status (list), "Synced "));

  /* The interval is re-read: at an hour, only app.sync-now brings the next one. */
  g_settings_set_uint (f->settings, "sync-interval", 3600);
  second = find_unpaid (f, 0);
  g_assert_cmpint (second->id, !=, first->id);
  pi2 = pay_directly (f, second, "pm_card_visa");
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "sync-now"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (list_status (f, second->id) == CP_INVOICE_STATUS_PAID, 60);
  SPIN_UNTIL (was_notified (f, second->id), 30);
  /* Each payment is announced once, however often it is seen. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  {
    guint passes = cp_sync_controller_get_n_passes (f->controller);

    SPIN_UNTIL (cp_sync_controller_get_n_passes (f->controller) > passes, 60);
  }
  g_assert_cmpuint (f->notified->len, ==, 2);
}

/* A webhook delivered to the listener updates the list by itself. */
static void
test_webhook (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) invoice = NULL;
  g_autofree char *pi = NULL;

  /* No poll will come after the first one. */
  g_settings_set_uint (f->settings, "sync-interval", 3600);
  g_settings_set_uint (f->settings, "webhook-port", f->webhook_port);
  sign_in_as (f, "clerk");
  start_syncing (f);
  g_assert_cmpuint (cp_sync_controller_get_webhook_port (f->controller), ==, f->webhook_port);
  g_assert_cmpuint (cp_sync_controller_get_n_passes (f->controller), ==, 1);

  invoice = find_unpaid (f, 1);
  pi = pay_directly (f, invoice, "pm_card_visa");
  SPIN_UNTIL (list_status (f, invoice->id) == CP_INVOICE_STATUS_PAID, 60);
  g_assert_cmpuint (cp_sync_controller_get_n_webhooks (f->controller), >=, 1);
  g_assert_cmpuint (cp_sync_controller_get_n_passes (f->controller), ==, 1);
  SPIN_UNTIL (was_notified (f, invoice->id), 30);

  /* Turning the port off stops the listener. */
  g_settings_set_uint (f->settings, "webhook-port", 0);
  g_assert_cmpuint (cp_sync_controller_get_webhook_port (f->controller), ==, 0);
}

static gboolean
dialog_done (CpReconcileDialog *dialog)
{
  return g_strcmp0 (cp_reconcile_dialog_get_state (dialog), "working") != 0;
}

/* The demo set's payments were never on this simulator: a database whose
 * money all went through Stripe has none of them. */
static void
drop_demo_money (Fixture *f)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db.path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_exec (db,
                "DELETE FROM refunds WHERE payment_id IN"
                "  (SELECT id FROM payments WHERE stripe_payment_intent_id LIKE 'pi_demo_%');"
                "DELETE FROM payments WHERE stripe_payment_intent_id LIKE 'pi_demo_%';",
                NULL, NULL, &message);
  g_assert_null (message);
  sqlite3_close (db);
}

static void
delete_payment (Fixture    *f,
                const char *payment_intent)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db.path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "DELETE FROM payments WHERE stripe_payment_intent_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, payment_intent, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Reconcile: everything matches on a clean database; a payment deleted
 * behind the app's back is reported. */
static void
test_reconcile (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) invoice = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *labels = NULL;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) all = NULL;
  CpReconcileDialog *dialog;
  GPtrArray *differences;
  gboolean found = FALSE;
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  drop_demo_money (f);
  /* Nobody signed in: no reconcile. */
  g_assert_null (cp_sync_controller_reconcile (f->controller));
  sign_in_as (f, "clerk");
  start_syncing (f);
  invoice = find_unpaid (f, 2);
  pi = pay_directly (f, invoice, "pm_card_visa");
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (list_status (f, invoice->id) == CP_INVOICE_STATUS_PAID, 60);
  all = cp_store_list_invoices (f->db.store, &query, NULL);
  g_assert_nonnull (all);

  /* Clean: everything matches, with the count. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "reconcile"));
  dialog = CP_RECONCILE_DIALOG (cp_sync_controller_reconcile (f->controller));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  SPIN_UNTIL (dialog_done (dialog), 120);
  for (guint i = 0; cp_reconcile_dialog_get_differences (dialog) != NULL && i < cp_reconcile_dialog_get_differences (dialog)->len; i++)
    {
      CpLedgerDifference *d = g_ptr_array_index (cp_reconcile_dialog_get_differences (dialog), i);

      g_test_message ("Unexpected difference: %s %s %s", d->invoice_number, d->stripe_id, d->what);
    }
  g_assert_cmpstr (cp_reconcile_dialog_get_state (dialog), ==, "matches");
  g_assert_cmpuint (cp_reconcile_dialog_get_n_checked (dialog), ==, all->len);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "Everything matches Stripe"));
  {
    g_autofree char *checked = g_strdup_printf ("%u invoices checked", all->len);

    g_assert_true (labels_have (labels, checked));
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The payment is gone locally; Stripe still has it. */
  delete_payment (f, pi);
  g_action_group_activate_action (G_ACTION_GROUP (app), "reconcile", NULL);
  spin_briefly (50);
  dialog = NULL;
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (CP_IS_RECONCILE_DIALOG (w))
          dialog = CP_RECONCILE_DIALOG (w);
      }
  }
  g_assert_nonnull (dialog);
  SPIN_UNTIL (dialog_done (dialog), 120);
  g_assert_cmpstr (cp_reconcile_dialog_get_state (dialog), ==, "differences");
  differences = cp_reconcile_dialog_get_differences (dialog);
  g_assert_cmpuint (differences->len, >=, 1);
  for (guint i = 0; i < differences->len; i++)
    {
      CpLedgerDifference *d = g_ptr_array_index (differences, i);

      g_test_message ("Difference: %s %s %s", d->invoice_number, d->stripe_id, d->what);
      if (g_strcmp0 (d->invoice_number, invoice->number) == 0)
        {
          found = TRUE;
          /* The row shows the number and, under it, the Stripe id and what. */
          g_assert_nonnull (find_widget (GTK_WIDGET (dialog), GTK_TYPE_LABEL, has_label_text, d->invoice_number));
        }
    }
  g_assert_true (found);
  if (dir != NULL && *dir != '\0')
    {
      g_mkdir_with_parents (dir, 0755);
      save_screenshot (GTK_WIDGET (dialog), dir, "reconcile.png");
    }
}

/* A disputed payment: the Disputed badge in the list, a warning in the detail. */
static void
test_dispute (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) invoice = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *labels = NULL;
  CpInvoiceRow *row;

  sign_in_as (f, "clerk");
  start_syncing (f);
  invoice = find_unpaid (f, 3);
  g_assert_null (find_widget (GTK_WIDGET (cp_window_get_invoice_list (f->window)), GTK_TYPE_LABEL,
                              has_label_text, "Disputed"));
  pi = pay_directly (f, invoice, "pm_card_createDispute");
  SPIN_UNTIL ((row = list_row (f, invoice->id)) != NULL && cp_invoice_row_get_summary (row)->disputed, 120);
  /* The row is on screen at the top of the list: its badge shows. */
  g_assert_true (cp_invoice_list_select_invoice (cp_window_get_invoice_list (f->window), invoice->id));
  SPIN_UNTIL (find_widget (GTK_WIDGET (cp_window_get_invoice_list (f->window)), GTK_TYPE_LABEL,
                           has_label_text, "Disputed") != NULL, 20);

  open_invoice (f, invoice->id);
  labels = collect_labels (GTK_WIDGET (cp_window_get_invoice_detail (f->window)));
  g_assert_true (labels_have (labels, "Disputed — the cardholder’s bank is disputing this payment"));
}

/* A payment begun at this desk by the signed-in clerk and confirmed on
 * Stripe is shown by sync, but not announced: the desk saw it succeed. */
static void
test_desk_payment (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) desk = NULL;
  g_autoptr(CpInvoiceSummary) link = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpStripePaymentIntent) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pi = NULL;
  guint passes;

  sign_in_as (f, "clerk");
  start_syncing (f);
  desk = find_unpaid (f, 4);
  attempt = cp_ledger_begin_payment (f->ledger, desk->id, desk->balance_due, CP_PAYMENT_CHANNEL_DESK,
                                     cp_window_get_staff (f->window), NULL, &error);
  g_assert_no_error (error);
  done = cp_stripe_payment_intent_confirm (f->client, attempt->payment_intent_id, "pm_card_visa",
                                           NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (done->status, ==, "succeeded");
  /* And a link payment in the same pass, which is announced. */
  link = find_unpaid (f, 5);
  pi = pay_directly (f, link, "pm_card_visa");

  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (list_status (f, desk->id) == CP_INVOICE_STATUS_PAID &&
              list_status (f, link->id) == CP_INVOICE_STATUS_PAID, 60);
  SPIN_UNTIL (was_notified (f, link->id), 30);
  passes = cp_sync_controller_get_n_passes (f->controller);
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (cp_sync_controller_get_n_passes (f->controller) > passes, 60);
  g_assert_false (was_notified (f, desk->id));
  g_assert_null (find_notification (desk->id));
}

static CpRefund *
store_refund (Fixture *f,
              gint64   invoice_id)
{
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice (f->db.store, invoice_id, NULL);

  if (invoice == NULL || invoice->refunds == NULL || invoice->refunds->len == 0)
    return NULL;
  return g_ptr_array_steal_index (invoice->refunds, 0);
}

static gboolean
detail_has_label (Fixture    *f,
                  const char *text)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  g_autofree char *labels = NULL;

  if (cp_invoice_detail_get_loading (detail))
    return FALSE;
  labels = collect_labels (GTK_WIDGET (detail));
  return labels_have (labels, text);
}

static gboolean
refund_failed (Fixture *f,
               gint64   invoice_id)
{
  g_autoptr(CpRefund) refund = store_refund (f, invoice_id);

  return refund != NULL && g_strcmp0 (refund->status, "failed") == 0;
}

/* Overpaid payments and failed refunds are flagged in the detail. */
static void
test_flags (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) over = NULL;
  g_autoptr(CpInvoiceSummary) failing = NULL;
  g_autoptr(CpStripeRefund) re = NULL;
  g_autoptr(CpRefund) refund = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *pi2 = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *expected = NULL;
  CpStripeRefundParams params = { 0 };
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);

  sign_in_as (f, "clerk");
  start_syncing (f);

  /* A link paid twice over: more than the balance due was taken. */
  over = find_unpaid (f, 6);
  pi = pay_directly_amount (f, over, over->balance_due + 1000, "pm_card_visa");
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (list_status (f, over->id) == CP_INVOICE_STATUS_PAID, 60);
  open_invoice (f, over->id);
  labels = collect_labels (GTK_WIDGET (detail));
  g_assert_true (labels_have (labels, "Overpaid — refund needed"));
  g_assert_false (labels_have (labels, "Disputed — the cardholder’s bank is disputing this payment"));
  g_clear_pointer (&labels, g_free);

  /* A refund the card's bank sends back. */
  failing = find_unpaid (f, 6);
  g_assert_cmpint (failing->id, !=, over->id);
  pi2 = pay_directly (f, failing, "pm_card_refundFail");
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  SPIN_UNTIL (list_status (f, failing->id) == CP_INVOICE_STATUS_PAID, 60);
  open_invoice (f, failing->id);
  params.payment_intent = pi2;
  params.invoice_id = failing->id;
  re = cp_stripe_refund_create (f->client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The failure comes a moment later, by the next passes. */
  SPIN_UNTIL (refund_failed (f, failing->id), 120);
  refund = store_refund (f, failing->id);
  g_assert_nonnull (refund->failure_reason);
  expected = g_strdup_printf ("Refund failed: %s — the money is still owed to the patient", refund->failure_reason);
  SPIN_UNTIL (detail_has_label (f, expected), 30);
  g_test_message ("%s", expected);
}

/* The application itself in training mode: it starts the simulator with
 * --webhook-url for its own listener on webhook-port, and its sync
 * controller keeps the staff window up to date. */
static void
test_application (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CpInvoiceSummary) invoice = NULL;
  g_autofree char *pi = NULL;
  guint port = free_port ();
  CpSyncController *controller;
  CpInvoiceList *list;
  CpWindow *window;
  CpInvoiceRow *row;

  /* Only a webhook can bring the payment: no poll after the first. */
  g_settings_set_uint (settings, "sync-interval", 3600);
  g_settings_set_uint (settings, "webhook-port", port);
  g_application_activate (G_APPLICATION (app));
  window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (CP_IS_WINDOW (window));
  SPIN_UNTIL (cp_application_get_sync_controller (app) != NULL, 60);
  controller = cp_application_get_sync_controller (app);
  g_assert_true (cp_application_get_training (app));
  g_assert_cmpuint (cp_sync_controller_get_webhook_port (controller), ==, port);
  SPIN_UNTIL (cp_sync_controller_get_n_passes (controller) >= 1, 60);

  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "signin") == 0, 30);
  sign_in_window (window, "clerk");
  list = cp_window_get_invoice_list (window);
  g_assert_true (g_str_has_prefix (cp_invoice_list_get_sync_status (list), "Synced "));

  invoice = find_unpaid_in (cp_application_get_store (app), 0);
  pi = pay_with_client (cp_ledger_get_client (cp_application_get_ledger (app)), invoice,
                        invoice->balance_due, "pm_card_visa");
  SPIN_UNTIL ((row = window_row (window, invoice->id)) != NULL &&
              cp_invoice_row_get_status (row) == CP_INVOICE_STATUS_PAID, 60);
  g_assert_cmpuint (cp_sync_controller_get_n_webhooks (controller), >=, 1);
  g_assert_cmpuint (cp_sync_controller_get_n_passes (controller), ==, 1);
  SPIN_UNTIL (find_notification (invoice->id) != NULL, 30);

  /* The notification's action opens the invoice. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-invoice", g_variant_new_int64 (invoice->id));
  g_assert_cmpint (cp_invoice_detail_get_invoice_id (cp_window_get_invoice_detail (window)), ==, invoice->id);

  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (200);
  g_settings_reset (settings, "sync-interval");
  g_settings_reset (settings, "webhook-port");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_dir = NULL;
  g_autofree char *app_db = NULL;
  int status;

  /* The application's own database (test_application), in a temporary folder. */
  app_dir = g_dir_make_tmp ("carepay-app-sync-XXXXXX", &error);
  g_assert_no_error (error);
  app_db = g_build_filename (app_dir, "carepay.db", NULL);
  g_setenv ("CAREPAY_DB", app_db, TRUE);
  g_unsetenv ("CAREPAY_STRIPE_SECRET_KEY");
  test_app_init (&argc, &argv);

  notes = test_notify_server_new ();

  app = cp_application_new ();
  /* On the bus, without taking the name (a running CarePay may hold it). */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/carepay/app-sync/poll", Fixture, NULL, fixture_setup, test_poll, fixture_teardown);
  g_test_add ("/carepay/app-sync/webhook", Fixture, NULL, fixture_setup, test_webhook, fixture_teardown);
  g_test_add ("/carepay/app-sync/reconcile", Fixture, NULL, fixture_setup, test_reconcile, fixture_teardown);
  g_test_add ("/carepay/app-sync/dispute", Fixture, NULL, fixture_setup, test_dispute, fixture_teardown);
  g_test_add ("/carepay/app-sync/desk-payment", Fixture, NULL, fixture_setup, test_desk_payment, fixture_teardown);
  g_test_add ("/carepay/app-sync/flags", Fixture, NULL, fixture_setup, test_flags, fixture_teardown);
  g_test_add_func ("/carepay/app-sync/application", test_application);
  status = g_test_run ();

  /* As at the end of g_application_run(): its shutdown stops the simulator,
   * which saves its state file first. */
  g_signal_emit_by_name (app, "shutdown");
  /* Not unreferenced: finalizing a registered GtkApplication outside
   * g_application_run() is a fatal warning. The process exit frees it. */
  {
    const char *leftovers[] = { "carepay.db", "carepay.db-wal", "carepay.db-shm", "simulator.json" };

    for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
      {
        g_autofree char *file = g_build_filename (app_dir, leftovers[i], NULL);

        g_unlink (file);
      }
    g_rmdir (app_dir);
  }
  g_clear_pointer (&notes, test_notify_server_free);
  return status;
}
