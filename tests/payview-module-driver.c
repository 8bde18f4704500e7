/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Preloaded (LD_PRELOAD) into the built `carepay` executable by
 * test-app-payview-module: from inside that real process it signs in as the
 * clerk and takes a card payment at the desk, so the payment dialog gets its
 * view from libcarepay-payview.so, opened by cp-payview-module.c exactly as
 * when a person pays. It links nothing of CarePay: the app's and the core's
 * functions are the executable's own (exported with export_dynamic).
 * The card is typed by payview-module-typer.so (WebKit, xdotool), opened
 * only once the app has loaded WebKit for the payment.
 *
 * It writes "invoice id, PaymentIntent id, amount" to $CAREPAY_TEST_RESULT
 * and quits the application; anything unexpected aborts the process, which
 * the test reports with the app's output. */
#include "config.h"

#include <gmodule.h>

#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-money.h"
#include "cp-payment-dialog.h"
#include "cp-payment-view.h"
#include "cp-signin-page.h"
#include "cp-window.h"
#include "test-app-util.h"

typedef void (*TypeCardFunc) (CpPaymentView *view,
                              const char    *number);

static gboolean
maps_have (const char *name)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, name) != NULL;
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

static void
sign_in (CpWindow *window)
{
  GtkWidget *page = GTK_WIDGET (cp_window_get_signin_page (window));
  CpInvoiceList *list = cp_window_get_invoice_list (window);

  gtk_editable_set_text (GTK_EDITABLE (find_widget (page, GTK_TYPE_ENTRY, NULL, NULL)), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (find_widget (page, GTK_TYPE_PASSWORD_ENTRY, NULL, NULL)), "clerk");
  g_assert_true (gtk_widget_activate_action (page, "signin.submit", NULL));
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_strcmp0 (cp_invoice_list_get_state (list), "loading") != 0, 30);
}

/* An overdue invoice of the demo set with nothing paid yet. */
static CpInvoice *
find_unpaid (CpWindow *window)
{
  CpStore *store = cp_window_get_store (window);
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  query.status = CP_INVOICE_STATUS_OVERDUE;
  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (rows, i);

      if (s->amount_paid == 0 && s->balance_due > 0)
        {
          CpInvoice *invoice = cp_store_get_invoice (store, s->id, &error);

          g_assert_no_error (error);
          return invoice;
        }
    }
  g_error ("No unpaid overdue invoice in the training database");
  return NULL;
}

static void
open_invoice (CpWindow *window,
              gint64    id)
{
  CpInvoiceList *list = cp_window_get_invoice_list (window);
  CpInvoiceDetail *detail = cp_window_get_invoice_detail (window);

  g_assert_true (cp_invoice_list_select_invoice (list, id));
  cp_invoice_list_activate_selected (list);
  SPIN_UNTIL (!cp_invoice_detail_get_loading (detail) && cp_invoice_detail_get_invoice (detail) != NULL &&
              cp_invoice_detail_get_invoice (detail)->id == id, 20);
}

static TypeCardFunc
load_typer (void)
{
  const char *path = g_getenv ("CAREPAY_TEST_TYPER");
  GModule *module;
  gpointer symbol = NULL;

  g_assert_nonnull (path);
  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_error ("Cannot open %s: %s", path, g_module_error ());
  g_module_make_resident (module);
  g_assert_true (g_module_symbol (module, "payview_module_type_card", &symbol));
  return (TypeCardFunc) symbol;
}

static void
write_result (gint64           invoice_id,
              const CpPayment *payment)
{
  const char *path = g_getenv ("CAREPAY_TEST_RESULT");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n%s\n%" G_GINT64_FORMAT "\n",
                                           invoice_id, payment->stripe_payment_intent_id, payment->amount);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static gboolean
drive_cb (gpointer user_data)
{
  CpWindow *window;
  CpInvoiceDetail *detail;
  CpPaymentDialog *dialog;
  CpPaymentView *view;
  const CpPayment *payment;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autofree char *balance = NULL;

  /* The staff window, with the training simulator running and its demo
   * payments made (the ledger is handed out after that). */
  SPIN_UNTIL ((window = find_toplevel (CP_TYPE_WINDOW)) != NULL, 60);
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), 30);
  SPIN_UNTIL (cp_window_get_store (window) != NULL && cp_window_get_ledger (window) != NULL, 120);
  g_assert_true (cp_window_get_training (window));
  g_assert_false (maps_have ("libcarepay-payview"));
  g_assert_false (maps_have ("libwebkitgtk-6.0"));

  sign_in (window);
  invoice = find_unpaid (window);
  open_invoice (window, invoice->id);
  g_assert_false (maps_have ("libcarepay-payview"));

  /* Take Payment, for the balance. */
  detail = cp_window_get_invoice_detail (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "invoice.take-payment", NULL));
  SPIN_UNTIL ((dialog = find_toplevel (CP_TYPE_PAYMENT_DIALOG)) != NULL, 10);
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
  balance = cp_money_format_full (invoice->balance_due, invoice->currency, NULL, NULL, FALSE);
  cp_payment_dialog_set_amount_text (dialog, balance);
  g_assert_true (cp_payment_dialog_continue (dialog));
  SPIN_UNTIL (cp_payment_dialog_get_view (dialog) != NULL ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "working") != 0, 60);
  if (cp_payment_dialog_get_error (dialog) != NULL)
    g_error ("Payment did not start: %s", cp_payment_dialog_get_error (dialog));
  view = cp_payment_dialog_get_view (dialog);
  g_assert_nonnull (view);
  SPIN_UNTIL (cp_payment_view_get_state (view) == CP_PAYMENT_VIEW_STATE_READY ||
              cp_payment_view_get_state (view) == CP_PAYMENT_VIEW_STATE_ERROR, 60);
  if (cp_payment_view_get_state (view) != CP_PAYMENT_VIEW_STATE_READY)
    g_error ("The card form did not load: %s", cp_payment_view_get_error_message (view));
  /* The view came from the module, which brought WebKit. */
  g_assert_true (maps_have ("libcarepay-payview"));
  g_assert_true (maps_have ("libwebkitgtk-6.0"));

  /* A good card, typed as a person does, then the view's own Pay. */
  load_typer () (view, "4242 4242 4242 4242");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "payment.submit", NULL));
  SPIN_UNTIL (g_strcmp0 (cp_payment_dialog_get_page (dialog), "done") == 0 ||
              g_strcmp0 (cp_payment_dialog_get_page (dialog), "error") == 0, 90);
  if (g_strcmp0 (cp_payment_dialog_get_page (dialog), "done") != 0)
    g_error ("The payment failed: %s", cp_payment_dialog_get_error (dialog));
  payment = cp_payment_dialog_get_payment (dialog);
  g_assert_nonnull (payment);
  write_result (invoice->id, payment);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "payment.close", NULL);
  SPIN_UNTIL (find_toplevel (CP_TYPE_PAYMENT_DIALOG) == NULL, 10);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

__attribute__((constructor)) static void
driver_init (void)
{
  /* Only `carepay` itself: not the simulator or WebKit's processes it starts. */
  g_unsetenv ("LD_PRELOAD");
  g_timeout_add (200, drive_cb, NULL);
}
