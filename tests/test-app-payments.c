/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Money at the desk, end to end under Xvfb: the staff window, the ledger and
 * the real carepay-stripe-sim (started by the app's own training-mode
 * launcher). Card details are typed with xdotool as real X key events into
 * the Payment Element's iframe, as a person would. With
 * CAREPAY_SCREENSHOT_DIR set it saves payment-dialog.png and
 * payment-link.png there. */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <signal.h>
#include <string.h>

#include "cp-application.h"
#include "cp-error.h"
#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-invoice-row.h"
#include "cp-ledger.h"
#include "cp-link-dialog.h"
#include "cp-money.h"
#include "cp-payment-dialog.h"
#include "cp-refund-dialog.h"
#include "cp-signin-page.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"
#include "webkit-test-util.h"

static GSubprocess *sim_process;
static char *sim_url;

typedef struct {
  TestDb          db;
  CpStripeClient *client;
  CpLedger       *ledger;
  CpWindow       *window;
} Fixture;

/* --- the simulator, through the app's training-mode launcher ------------- */

static void
sim_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  sim_process = cp_training_simulator_start_finish (result, &sim_url, error);
  if (sim_process == NULL && *error == NULL)
    g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "no simulator");
}

static void
start_sim (void)
{
  g_autofree char *path = cp_training_simulator_find ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  cp_training_simulator_start_async (path, NULL, NULL, sim_started_cb, &error);
  SPIN_UNTIL (sim_process != NULL || error != NULL, 30);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (sim_url, "http://127.0.0.1:"));
}

static void
stop_sim (void)
{
  if (sim_process == NULL)
    return;
  g_subprocess_send_signal (sim_process, SIGTERM);
  g_assert_true (g_subprocess_wait (sim_process, NULL, NULL));
  g_clear_object (&sim_process);
}

/* --- fixture -------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CpStripeConfig) config = cp_training_stripe_config_new (sim_url);

  test_db_open (&f->db, 0);
  f->client = cp_stripe_client_new (config, NULL, f->db.store);
  f->ledger = cp_ledger_new (f->db.store, f->client);
  f->window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  cp_window_set_store (f->window, f->db.store);
  cp_window_set_ledger (f->window, f->ledger, TRUE);
  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (cp_window_get_signin_page (f->window))), 10);
}

static void
destroy_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i - 1);

      if (CP_IS_PAYMENT_DIALOG (w) || CP_IS_LINK_DIALOG (w) || CP_IS_REFUND_DIALOG (w) ||
          ADW_IS_MESSAGE_DIALOG (w))
        gtk_window_destroy (w);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  destroy_dialogs ();
  gtk_window_destroy (GTK_WINDOW (f->window));
  /* Let workers and cancelled requests return before checking for leaks. */
  spin_briefly (300);
  g_assert_finalize_object (f->window);
  g_assert_finalize_object (f->ledger);
  g_assert_finalize_object (f->client);
  test_db_close (&f->db);
}

static void
sign_in_as (Fixture    *f,
            const char *username)
{
  test_sign_in (f->window, username);
  g_assert_cmpstr (cp_window_get_staff (f->window)->username, ==, username);
}

static void
sign_out (Fixture *f)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-out", NULL));
  g_assert_cmpstr (cp_window_get_page (f->window), ==, "signin");
}

/* An open invoice with nothing paid yet. */
static gint64
find_unpaid (Fixture *f,
             int      status)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;

  query.status = status;
  rows = cp_store_list_invoices (f->db.store, &query, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (rows, i);

      if (s->amount_paid == 0 && s->balance_due > 0)
        return s->id;
    }
  return 0;
}

static CpInvoice *
store_invoice (Fixture *f,
               gint64   id)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *inv = cp_store_get_invoice (f->db.store, id, &error);

  g_assert_no_error (error);
  return inv;
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

static CpInvoiceStatus
list_status (Fixture *f,
             gint64   id)
{
  GListModel *model = cp_invoice_list_get_model (cp_window_get_invoice_list (f->window));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CpInvoiceRow) row = g_list_model_get_item (model, i);

      if (cp_invoice_row_get_summary (row)->id == id)
        return cp_invoice_row_get_status (row);
    }
  return -1;
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        return w;
    }
  return NULL;
}

static gboolean
action_enabled (Fixture    *f,
                const char *action)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (cp_window_get_invoice_detail (f->window)), action);

  g_assert_nonnull (button);
  return gtk_widget_is_sensitive (button);
}

/* --- typing into the Payment Element, as a person --------------------------- */

/* The dialog is a second toplevel: it gets the X focus before the click. */
static void
type_card (CpPaymentDialog  *dialog,
           const char       *number)
{
  test_web_type_card (cp_payment_dialog_get_view (dialog), number,
                      TEST_WEB_CARD_FOCUS_WINDOW | TEST_WEB_CARD_BLOCKING_XDO);
}

/* Opens Take Payment on the shown invoice and gets to the card form. */
static CpPaymentDialog *
start_payment (Fixture    *f,
               const char *amount_text)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  CpPaymentDialog *dialog;
  CpPaymentView *view;

  g_assert_true (action_enabled (f, "invoice.take-payment"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.take-payment", NULL));
  dialog = find_toplevel (CP_TYPE_PAYMENT_DIALOG);
  g_assert_nonnull (dialog);
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "amount");
  if (amount_text != NULL)
    cp_payment_dialog_set_amount_text (dialog, amount_text);
  g_assert_true (cp_payment_dialog_continue (dialog));
  SPIN_UNTIL (cp_payment_dialog_get_view (dialog) != NULL ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "working") != 0, 60);
  if (cp_payment_dialog_get_error (dialog) != NULL)
    g_error ("Payment did not start: %s", cp_payment_dialog_get_error (dialog));
  view = cp_payment_dialog_get_view (dialog);
  g_assert_nonnull (view);
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "card");
  SPIN_UNTIL (cp_payment_view_get_state (view) == CP_PAYMENT_VIEW_STATE_READY ||
              cp_payment_view_get_state (view) == CP_PAYMENT_VIEW_STATE_ERROR, 60);
  if (cp_payment_view_get_state (view) != CP_PAYMENT_VIEW_STATE_READY)
    g_error ("The card form did not load: %s", cp_payment_view_get_error_message (view));
  return dialog;
}

static void
save_window_screenshot (GtkWidget  *window,
                        const char *name)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    return;
  spin_briefly (500);
  test_web_import_window (window, name);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_training_mode (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *labels = collect_labels (GTK_WIDGET (f->window));
  CpStripeConfig *config = cp_stripe_client_get_config (f->client);
  g_autofree char *js = g_strconcat (sim_url, "/v3/", NULL);

  g_assert_true (cp_window_get_training (f->window));
  g_assert_true (labels_have (labels, "Training mode — payments go to the local simulator"));
  g_assert_cmpstr (cp_stripe_config_get_api_base (config), ==, sim_url);
  g_assert_cmpstr (cp_stripe_config_get_js_url (config), ==, js);
  g_assert_cmpstr (cp_stripe_config_get_secret_key (config), ==, "sk_test_carepay_training");
  g_assert_cmpstr (cp_stripe_config_get_publishable_key (config), ==, "pk_test_carepay_training");
  g_assert_nonnull (g_subprocess_get_identifier (sim_process));

  /* Without a ledger (no keys, no simulator) payments stay off. */
  sign_in_as (f, "clerk");
  open_invoice (f, find_unpaid (f, CP_INVOICE_STATUS_OVERDUE));
  g_assert_true (action_enabled (f, "invoice.take-payment"));
  cp_window_set_ledger (f->window, NULL, FALSE);
  g_assert_false (action_enabled (f, "invoice.take-payment"));
  g_assert_false (action_enabled (f, "invoice.send-link"));
  g_assert_false (cp_window_get_training (f->window));
}

static void
test_take_payment (Fixture       *f,
                   gconstpointer  data)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  gint64 id;
  g_autoptr(CpInvoice) before = NULL;
  g_autoptr(CpInvoice) after = NULL;
  CpPaymentDialog *dialog;
  const CpPayment *payment;
  g_autofree char *balance = NULL;
  int attempts = audit_count (f->db.path, "payment.attempt");

  sign_in_as (f, "clerk");
  id = find_unpaid (f, CP_INVOICE_STATUS_OVERDUE);
  g_assert_cmpint (id, >, 0);
  before = store_invoice (f, id);
  open_invoice (f, id);

  /* More than the balance: an inline error, nothing sent. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.take-payment", NULL));
  dialog = find_toplevel (CP_TYPE_PAYMENT_DIALOG);
  g_assert_nonnull (dialog);
  {
    g_autofree char *too_much = cp_money_format_full (before->balance_due + 100, before->currency, NULL, NULL, FALSE);

    cp_payment_dialog_set_amount_text (dialog, too_much);
    g_assert_false (cp_payment_dialog_continue (dialog));
    g_assert_nonnull (cp_payment_dialog_get_amount_error (dialog));
    g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "amount");
    cp_payment_dialog_set_amount_text (dialog, "twelve");
    g_assert_false (cp_payment_dialog_continue (dialog));
    g_assert_nonnull (cp_payment_dialog_get_amount_error (dialog));
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (audit_count (f->db.path, "payment.attempt"), ==, attempts);

  /* The full balance (the default), a good card. */
  balance = cp_money_format_full (before->balance_due, before->currency, NULL, NULL, FALSE);
  dialog = start_payment (f, balance);
  type_card (dialog, "4242 4242 4242 4242");
  SPIN_UNTIL (cp_payment_view_get_complete (cp_payment_dialog_get_view (dialog)), 30);
  save_window_screenshot (GTK_WIDGET (dialog), "payment-dialog.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (cp_payment_dialog_get_view (dialog)),
                                             "payment.submit", NULL));
  SPIN_UNTIL (g_strcmp0 (cp_payment_dialog_get_page (dialog), "done") == 0 ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "error") == 0, 90);
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "done");

  /* What the ledger recorded after asking Stripe, shown to the clerk. */
  payment = cp_payment_dialog_get_payment (dialog);
  g_assert_nonnull (payment);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpint (payment->amount, ==, before->balance_due);
  g_assert_cmpstr (payment->card_last4, ==, "4242");
  {
    g_autofree char *labels = collect_labels (GTK_WIDGET (dialog));
    g_autofree char *amount = cp_money_format (before->balance_due, before->currency);

    g_assert_true (labels_have (labels, payment->stripe_payment_intent_id));
    g_assert_true (labels_have (labels, amount));
    g_assert_true (labels_have (labels, "Visa •••• 4242"));
  }

  after = store_invoice (f, id);
  g_assert_cmpint (after->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (after->balance_due, ==, 0);

  /* The list row and the detail follow at once. */
  SPIN_UNTIL (list_status (f, id) == CP_INVOICE_STATUS_PAID, 20);
  SPIN_UNTIL (cp_invoice_detail_get_invoice (detail) != NULL &&
              cp_invoice_detail_get_invoice (detail)->status == CP_INVOICE_STATUS_PAID, 20);
  {
    g_autofree char *labels = collect_labels (GTK_WIDGET (detail));

    g_assert_true (labels_have (labels, cp_invoice_status_label (CP_INVOICE_STATUS_PAID)));
    g_assert_false (cp_invoice_detail_get_payment_actions_visible (detail));
  }

  gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.close", NULL);
  SPIN_UNTIL (find_toplevel (CP_TYPE_PAYMENT_DIALOG) == NULL, 10);
}

static void
note_incomplete (CpPaymentView *view,
                 GParamSpec    *pspec,
                 gboolean      *saw_incomplete)
{
  if (!cp_payment_view_get_complete (view))
    *saw_incomplete = TRUE;
}

static gboolean
first_payment_canceled (Fixture *f,
                        gint64   id)
{
  g_autoptr(CpInvoice) inv = store_invoice (f, id);

  return inv->payments->len > 0 &&
         g_strcmp0 (((CpPayment *) g_ptr_array_index (inv->payments, 0))->status, "canceled") == 0;
}

static void
test_declined (Fixture       *f,
               gconstpointer  data)
{
  gint64 id;
  g_autoptr(CpInvoice) before = NULL;
  g_autoptr(CpInvoice) after = NULL;
  CpPaymentDialog *dialog;
  CpPaymentView *view;

  sign_in_as (f, "clerk");
  id = find_unpaid (f, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpint (id, >, 0);
  before = store_invoice (f, id);
  open_invoice (f, id);

  /* A part of the balance, then a card the bank declines. */
  dialog = start_payment (f, "10.00");
  view = cp_payment_dialog_get_view (dialog);
  type_card (dialog, "4000 0000 0000 0002");
  SPIN_UNTIL (cp_payment_view_get_complete (view), 30);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "payment.submit", NULL));
  SPIN_UNTIL (cp_payment_dialog_get_decline_message (dialog) != NULL ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "card") != 0, 60);
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "card");
  g_assert_nonnull (cp_payment_dialog_get_decline_message (dialog));
  g_test_message ("Decline shown: %s", cp_payment_dialog_get_decline_message (dialog));
  {
    g_autofree char *labels = collect_labels (GTK_WIDGET (dialog));

    g_assert_true (labels_have (labels, cp_payment_dialog_get_decline_message (dialog)));
  }
  /* The patient may try another card: the same attempt, Pay still there. */
  g_assert_cmpint (cp_payment_view_get_state (view), ==, CP_PAYMENT_VIEW_STATE_FAILED);

  after = store_invoice (f, id);
  g_assert_cmpint (after->status, ==, before->status);
  g_assert_cmpint (after->balance_due, ==, before->balance_due);
  g_assert_cmpint (after->amount_paid, ==, 0);

  /* Another card on the same attempt goes through. */
  {
    gboolean saw_incomplete = FALSE;
    gulong handler = g_signal_connect (view, "notify::complete", G_CALLBACK (note_incomplete), &saw_incomplete);

    GtkWidget *revealer = find_widget (GTK_WIDGET (dialog), GTK_TYPE_REVEALER, NULL, NULL);

    /* The decline message slides in above the form; type once it stands still. */
    SPIN_UNTIL (gtk_revealer_get_child_revealed (GTK_REVEALER (revealer)), 10);
    spin_briefly (100);
    test_web_type_card (view, "4242 4242 4242 4242",
                        TEST_WEB_CARD_FOCUS_WINDOW | TEST_WEB_CARD_BLOCKING_XDO | TEST_WEB_CARD_NUMBER_ONLY);
    /* The form went incomplete while the old number was erased, then complete again. */
    SPIN_UNTIL (saw_incomplete && cp_payment_view_get_complete (view), 30);
    g_signal_handler_disconnect (view, handler);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "payment.submit", NULL));
  SPIN_UNTIL (g_strcmp0 (cp_payment_dialog_get_page (dialog), "done") == 0 ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "error") == 0, 90);
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "done");
  g_assert_cmpint (cp_payment_dialog_get_payment (dialog)->amount, ==, 1000);
  g_clear_pointer (&after, cp_invoice_free);
  after = store_invoice (f, id);
  g_assert_cmpint (after->status, ==, CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_cmpint (after->balance_due, ==, before->balance_due - 1000);
  SPIN_UNTIL (list_status (f, id) == CP_INVOICE_STATUS_PARTIALLY_PAID, 20);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.close", NULL);
  SPIN_UNTIL (find_toplevel (CP_TYPE_PAYMENT_DIALOG) == NULL, 10);
}

/* Cancel, after a declined card, ends the attempt at Stripe too. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  gint64 id;
  g_autoptr(CpInvoice) before = NULL;
  g_autoptr(CpInvoice) cancelled = NULL;
  CpPaymentDialog *dialog;
  CpPaymentView *view;

  sign_in_as (f, "clerk");
  id = find_unpaid (f, CP_INVOICE_STATUS_PENDING);
  before = store_invoice (f, id);
  open_invoice (f, id);
  dialog = start_payment (f, NULL);
  view = cp_payment_dialog_get_view (dialog);
  type_card (dialog, "4000 0000 0000 0002");
  SPIN_UNTIL (cp_payment_view_get_complete (view), 30);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "payment.submit", NULL));
  SPIN_UNTIL (cp_payment_dialog_get_decline_message (dialog) != NULL, 60);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.cancel", NULL));
  SPIN_UNTIL (find_toplevel (CP_TYPE_PAYMENT_DIALOG) == NULL, 10);
  SPIN_UNTIL (first_payment_canceled (f, id), 30);
  cancelled = store_invoice (f, id);
  g_assert_cmpint (cancelled->balance_due, ==, before->balance_due);
}

static void
clipboard_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static void
test_payment_link (Fixture       *f,
                   gconstpointer  data)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  CpLinkDialog *dialog;
  GtkWidget *qr;
  g_autofree char *clip = NULL;
  gint64 id;

  sign_in_as (f, "clerk");
  id = find_unpaid (f, CP_INVOICE_STATUS_OVERDUE);
  open_invoice (f, id);
  g_assert_true (action_enabled (f, "invoice.send-link"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.send-link", NULL));
  dialog = find_toplevel (CP_TYPE_LINK_DIALOG);
  g_assert_nonnull (dialog);
  SPIN_UNTIL (g_strcmp0 (cp_link_dialog_get_page (dialog), "working") != 0, 60);
  if (cp_link_dialog_get_error (dialog) != NULL)
    g_error ("No link: %s", cp_link_dialog_get_error (dialog));
  g_assert_cmpstr (cp_link_dialog_get_page (dialog), ==, "link");

  /* The address is the simulator's, shown whole and selectable. */
  g_assert_true (g_str_has_prefix (cp_link_dialog_get_url (dialog), sim_url));
  {
    g_autofree char *labels = collect_labels (GTK_WIDGET (dialog));

    g_assert_true (labels_have (labels, cp_link_dialog_get_url (dialog)));
  }

  /* A QR code of at least version 1, big enough to scan from a screen. */
  qr = cp_link_dialog_get_qr_widget (dialog);
  SPIN_UNTIL (gtk_widget_get_mapped (qr) && gtk_widget_get_width (qr) > 0, 10);
  g_assert_cmpint (cp_link_dialog_get_qr_modules (dialog), >=, 21);
  g_assert_cmpint (gtk_widget_get_width (qr), >=, 2 * (cp_link_dialog_get_qr_modules (dialog) + 8));
  save_window_screenshot (GTK_WIDGET (dialog), "payment-link.png");

  /* Copy puts it on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "link.copy", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (dialog)), NULL, clipboard_cb, &clip);
  SPIN_UNTIL (clip != NULL, 10);
  g_assert_cmpstr (clip, ==, cp_link_dialog_get_url (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A payment the simulator knows, through the ledger as carepayctl makes it. */
static gint64
pay_one (Fixture *f)
{
  g_autoptr(CpStaff) clerk = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = find_unpaid (f, CP_INVOICE_STATUS_OVERDUE);

  clerk = cp_store_authenticate (f->db.store, "clerk", "clerk", &error);
  g_assert_no_error (error);
  payment = cp_ledger_pay_with_test_method (f->ledger, id, 0, "pm_card_visa", CP_PAYMENT_CHANNEL_DESK,
                                            clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  return id;
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  CpRefundDialog *dialog;
  g_autoptr(CpInvoice) paid = NULL;
  g_autoptr(CpInvoice) after = NULL;
  gint64 id = pay_one (f);

  paid = store_invoice (f, id);
  g_assert_cmpint (paid->status, ==, CP_INVOICE_STATUS_PAID);

  /* A clerk cannot refund: the action is off, and the ledger says no too. */
  sign_in_as (f, "clerk");
  open_invoice (f, id);
  g_assert_false (action_enabled (f, "invoice.refund"));
  g_assert_false (action_enabled (f, "invoice.void"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) refunds = cp_ledger_refund (f->ledger, id, 100, "requested_by_customer",
                                                     cp_window_get_staff (f->window), NULL, &error);

    g_assert_null (refunds);
    g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  }
  sign_out (f);

  /* A supervisor refunds part of it. */
  sign_in_as (f, "supervisor");
  open_invoice (f, id);
  g_assert_true (action_enabled (f, "invoice.refund"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.refund", NULL));
  dialog = find_toplevel (CP_TYPE_REFUND_DIALOG);
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  cp_refund_dialog_set_amount_text (dialog, "100000.00");
  g_assert_false (cp_refund_dialog_submit (dialog));
  g_assert_nonnull (cp_refund_dialog_get_error (dialog));

  cp_refund_dialog_set_amount_text (dialog, "25.00");
  cp_refund_dialog_set_reason (dialog, "requested_by_customer");
  g_assert_true (cp_refund_dialog_submit (dialog));
  SPIN_UNTIL (dialog == NULL || (!cp_refund_dialog_get_busy (dialog) && cp_refund_dialog_get_error (dialog)), 60);
  if (dialog != NULL)
    g_error ("Refund failed: %s", cp_refund_dialog_get_error (dialog));

  after = store_invoice (f, id);
  g_assert_cmpint (after->amount_refunded, ==, 2500);
  SPIN_UNTIL (cp_invoice_detail_get_invoice (detail) != NULL &&
              cp_invoice_detail_get_invoice (detail)->amount_refunded == 2500, 20);
  {
    g_autofree char *labels = collect_labels (GTK_WIDGET (detail));
    g_autofree char *refunded = cp_money_format (2500, after->currency);
    g_autofree char *negative = cp_money_format (-2500, after->currency);

    g_assert_true (labels_have (labels, refunded));
    g_assert_true (labels_have (labels, negative));
  }
  g_assert_cmpint (audit_count (f->db.path, "refund"), ==, 1);
}

static void
test_void (Fixture       *f,
           gconstpointer  data)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  AdwMessageDialog *confirm;
  gint64 id;

  sign_in_as (f, "supervisor");
  id = find_unpaid (f, CP_INVOICE_STATUS_PENDING);
  open_invoice (f, id);
  g_assert_true (action_enabled (f, "invoice.void"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.void", NULL));
  confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "void");
  SPIN_UNTIL (cp_invoice_detail_get_invoice (detail) != NULL &&
              cp_invoice_detail_get_invoice (detail)->status == CP_INVOICE_STATUS_CANCELLED, 30);
  SPIN_UNTIL (list_status (f, id) == CP_INVOICE_STATUS_CANCELLED, 20);
  g_assert_false (action_enabled (f, "invoice.take-payment"));
  g_assert_false (action_enabled (f, "invoice.void"));
}

/* Without Stripe's publishable key the card form cannot load: the dialog says
 * so before anything is asked of Stripe, and nothing is recorded. */
static void
test_no_publishable_key (Fixture       *f,
                         gconstpointer  data)
{
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (f->window);
  CpStripeConfig *config = cp_stripe_client_get_config (f->client);
  CpPaymentDialog *dialog;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  sign_in_as (f, "clerk");
  id = find_unpaid (f, CP_INVOICE_STATUS_PENDING);
  open_invoice (f, id);
  before = cp_store_list_payments (f->db.store, id, &error);
  g_assert_no_error (error);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_PUBLISHABLE, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.take-payment", NULL));
  dialog = find_toplevel (CP_TYPE_PAYMENT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_false (cp_payment_dialog_continue (dialog));
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "error");
  g_assert_nonnull (strstr (cp_payment_dialog_get_error (dialog), "publishable key"));
  g_assert_null (cp_payment_dialog_get_view (dialog));
  save_window_screenshot (GTK_WIDGET (dialog), "payment-no-publishable-key.png");
  after = cp_store_list_payments (f->db.store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Each dialog builds from its template and goes away without a leak, also
 * while its first request is still out. */
static void
test_dialogs_create_destroy (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CpStaff) staff = NULL;
  g_autoptr(CpInvoice) inv = NULL;
  g_autoptr(GError) error = NULL;
  gpointer dialog;

  staff = cp_store_authenticate (f->db.store, "supervisor", "supervisor", &error);
  g_assert_no_error (error);
  inv = store_invoice (f, find_unpaid (f, CP_INVOICE_STATUS_OVERDUE));

  dialog = g_object_ref (cp_payment_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, inv));
  g_assert_cmpstr (cp_payment_dialog_get_page (dialog), ==, "amount");
  g_assert_null (cp_payment_dialog_get_view (dialog));
  gtk_window_destroy (dialog);
  g_assert_finalize_object (dialog);

  dialog = g_object_ref (cp_refund_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, inv));
  gtk_window_destroy (dialog);
  g_assert_finalize_object (dialog);

  dialog = cp_link_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, inv);
  g_object_add_weak_pointer (dialog, &dialog);
  g_assert_cmpstr (cp_link_dialog_get_page (dialog), ==, "working");
  gtk_window_destroy (dialog);
  SPIN_UNTIL (dialog == NULL, 30);
}

/* The application itself: with stripe-mode 'simulator' and no secret key it
 * starts the simulator as its child, gives the window a ledger on it with
 * the training keys and banner, and stops it on shutdown. */
typedef struct {
  gboolean  seen;
  char     *api_base;
  gboolean  window_training;
  gboolean  app_training;
} AppRun;

static gboolean
app_poll_cb (gpointer data)
{
  CpApplication *app = data;
  AppRun *run = g_object_get_data (G_OBJECT (app), "test-run");
  CpLedger *ledger = cp_application_get_ledger (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (ledger == NULL || !CP_IS_WINDOW (window) || cp_window_get_ledger (CP_WINDOW (window)) != ledger)
    return G_SOURCE_CONTINUE;

  run->seen = TRUE;
  run->api_base = g_strdup (cp_stripe_config_get_api_base (cp_stripe_client_get_config (cp_ledger_get_client (ledger))));
  run->window_training = cp_window_get_training (CP_WINDOW (window));
  run->app_training = cp_application_get_training (app);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
app_give_up_cb (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_REMOVE;
}

static void
test_application_training (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-app-training-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "carepay.db", NULL);
  g_autofree char *state = g_build_filename (dir, "simulator.json", NULL);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(CpApplication) app = NULL;
  char *argv[] = { (char *) "carepay", NULL };
  AppRun run = { 0 };
  guint poll_id, give_up_id;

  g_assert_no_error (error);
  g_setenv ("CAREPAY_DB", db, TRUE);
  g_unsetenv ("CAREPAY_STRIPE_SECRET_KEY");

  app = cp_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "test-run", &run);
  poll_id = g_timeout_add (100, app_poll_cb, app);
  give_up_id = g_timeout_add_seconds (60, app_give_up_cb, app);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  if (!run.seen)
    g_source_remove (poll_id);
  else
    g_source_remove (give_up_id);

  g_assert_true (run.seen);
  g_assert_true (run.app_training);
  g_assert_true (run.window_training);
  g_assert_true (g_str_has_prefix (run.api_base, "http://127.0.0.1:"));

  /* Shut down with the application: nothing listens there, the state is saved. */
  uri = g_uri_parse (run.api_base, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", g_uri_get_port (uri), NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (g_file_test (state, G_FILE_TEST_EXISTS));

  g_free (run.api_base);
  g_unsetenv ("CAREPAY_DB");
  g_unlink (state);
  test_unlink_sqlite (db);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  test_app_init (&argc, &argv);
  start_sim ();

#define ADD(path, func) \
  g_test_add ("/carepay/app-payments/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("training-mode", test_training_mode);
  ADD ("take-payment", test_take_payment);
  ADD ("declined", test_declined);
  ADD ("cancel", test_cancel);
  ADD ("payment-link", test_payment_link);
  ADD ("refund", test_refund);
  ADD ("void", test_void);
  ADD ("no-publishable-key", test_no_publishable_key);
  ADD ("dialogs-create-destroy", test_dialogs_create_destroy);
#undef ADD
  g_test_add_func ("/carepay/app-payments/application-training", test_application_training);

  ret = g_test_run ();
  stop_sim ();
  return ret;
}
