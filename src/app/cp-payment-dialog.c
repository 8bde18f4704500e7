/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-payment-dialog.h"
#include "cp-receipt-actions.h"
#include "cp-ui-util.h"

struct _CpPaymentDialog
{
  AdwWindow          parent_instance;

  CpLedger          *ledger;
  CpStaff           *staff;
  CpInvoice         *invoice;
  CpInvoice         *receipt_invoice;  /* reloaded with the payment, for its receipt */
  GCancellable      *cancellable;
  CpPaymentAttempt  *attempt;
  CpPayment         *payment;
  CpPaymentView     *view;
  char              *decline_message;
  char              *error_message;
  gboolean           completing;
  gboolean           completed;

  AdwWindowTitle    *window_title;
  GtkWidget         *cancel_button;
  GtkWidget         *continue_button;
  GtkWidget         *close_button;
  GtkStack          *stack;
  GtkLabel          *patient_label;
  GtkLabel          *invoice_label;
  GtkLabel          *balance_label;
  AdwEntryRow       *amount_row;
  GtkLabel          *amount_error_label;
  GtkSpinner        *spinner;
  GtkLabel          *working_label;
  GtkBox            *card_box;
  GtkRevealer       *decline_revealer;
  GtkLabel          *decline_label;
  AdwStatusPage     *done_page;
  GtkLabel          *done_amount_label;
  GtkLabel          *done_card_label;
  GtkLabel          *done_confirmation_label;
  AdwStatusPage     *error_page;
};

G_DEFINE_FINAL_TYPE (CpPaymentDialog, cp_payment_dialog, ADW_TYPE_WINDOW)

enum {
  PAYMENT_COMPLETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_page (CpPaymentDialog *self,
           const char      *page)
{
  gboolean on_amount = g_str_equal (page, "amount");
  gboolean finished = g_str_equal (page, "done") || g_str_equal (page, "error");

  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "working"));
  gtk_widget_set_visible (self->continue_button, on_amount);
  gtk_widget_set_visible (self->close_button, finished);
  gtk_widget_set_visible (self->cancel_button, !finished);
  /* While the ledger records a charge Stripe has made, there is nothing to cancel. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payment.cancel", !self->completing);
}

static void
show_working (CpPaymentDialog *self,
              const char      *text)
{
  gtk_label_set_text (self->working_label, text);
  show_page (self, "working");
}

static void
show_error (CpPaymentDialog *self,
            const char      *title,
            const char      *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, message);
  show_page (self, "error");
}

static void
set_amount_error (CpPaymentDialog *self,
                  const char      *message)
{
  gtk_label_set_text (self->amount_error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->amount_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
}

static void
amount_changed_cb (CpPaymentDialog *self)
{
  set_amount_error (self, NULL);
}

static char *
view_locale (void)
{
  const char * const *names = g_get_language_names ();
  const char *name = names != NULL && names[0] != NULL ? names[0] : "C";

  if (g_str_equal (name, "C") || g_str_has_prefix (name, "C.") || g_str_equal (name, "POSIX"))
    return g_strdup ("en");
  return g_strndup (name, strcspn (name, "_.@"));
}

/* Completion */

static void
receipt_invoice_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CpPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice = cp_store_get_invoice_finish (CP_STORE (source), result, &error);

  if (invoice == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("No receipt: the invoice could not be read again: %s", error->message);
      return;
    }
  g_clear_pointer (&self->receipt_invoice, cp_invoice_free);
  self->receipt_invoice = invoice;
  cp_receipt_actions_update (GTK_WIDGET (self), self->receipt_invoice);
}

static void
show_done (CpPaymentDialog *self)
{
  const CpPayment *p = self->payment;
  g_autofree char *amount = cp_money_format (p->amount, p->currency ? p->currency : self->invoice->currency);
  g_autofree char *card = NULL;
  g_autofree char *description = NULL;

  if (p->card_last4 != NULL)
    /* Translators: card brand and last four digits, "Visa •••• 4242" */
    card = g_strdup_printf (_("%s •••• %s"), cp_ui_card_brand_label (p->card_brand), p->card_last4);
  else
    card = g_strdup (_("Card"));

  gtk_label_set_text (self->done_amount_label, amount);
  gtk_label_set_text (self->done_card_label, card);
  gtk_label_set_text (self->done_confirmation_label, p->stripe_payment_intent_id);
  /* Translators: "Invoice INV-2026-0042 · Ana María Pérez" */
  description = g_strdup_printf (_("Recorded on invoice %s."), self->invoice->number);
  adw_status_page_set_description (self->done_page, description);
  /* The receipt's buttons come once the invoice with this payment is read. */
  g_clear_pointer (&self->receipt_invoice, cp_invoice_free);
  cp_receipt_actions_update (GTK_WIDGET (self), NULL);
  cp_store_get_invoice_async (cp_ledger_get_store (self->ledger), self->invoice->id, self->cancellable,
                              receipt_invoice_cb, g_object_ref (self));
  show_page (self, "done");
}

static void
show_decline (CpPaymentDialog *self,
              const char      *message)
{
  g_free (self->decline_message);
  self->decline_message = g_strdup (message != NULL && *message != '\0'
                                    ? message : _("The card was declined."));
  gtk_label_set_text (self->decline_label, self->decline_message);
  gtk_revealer_set_reveal_child (self->decline_revealer, TRUE);
}

static void
complete_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CpPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;

  payment = cp_ledger_complete_payment_finish (CP_LEDGER (source), result, &error);
  self->completing = FALSE;

  if (payment == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The payment could not be confirmed with Stripe: %s\n\n"
                           "If the card was charged, the payment appears on the invoice as soon as "
                           "CarePay can reach Stripe again. Do not charge the card a second time."),
                         error->message);
      show_error (self, _("Payment Not Confirmed"), message);
      return;
    }

  g_clear_pointer (&self->payment, cp_payment_free);
  self->payment = g_steal_pointer (&payment);

  if (cp_payment_status_counts (self->payment->status))
    {
      self->completed = TRUE;
      show_done (self);
      g_signal_emit (self, signals[PAYMENT_COMPLETED], 0, self->invoice->id);
    }
  else if (g_strcmp0 (self->payment->status, "processing") == 0)
    {
      show_error (self, _("Payment Processing"),
                  _("The card’s bank has not answered yet. The invoice is updated when it does."));
      g_signal_emit (self, signals[PAYMENT_COMPLETED], 0, self->invoice->id);
    }
  else
    {
      /* Stripe says it did not go through, whatever the page said. */
      show_decline (self, self->payment->failure_message);
      show_page (self, "card");
    }
}

static void
record_failure_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;

  payment = cp_ledger_complete_payment_finish (CP_LEDGER (source), result, &error);
  if (payment == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not record the declined attempt: %s", error->message);
      return;
    }
  /* The page's message came first; Stripe's own words are as good. */
  if (self->decline_message == NULL && payment->failure_message != NULL)
    show_decline (self, payment->failure_message);
}

static void
view_state_cb (CpPaymentDialog *self)
{
  CpPaymentViewState state = cp_payment_view_get_state (self->view);

  switch (state)
    {
    case CP_PAYMENT_VIEW_STATE_PROCESSING:
      gtk_revealer_set_reveal_child (self->decline_revealer, FALSE);
      g_clear_pointer (&self->decline_message, g_free);
      break;

    case CP_PAYMENT_VIEW_STATE_SUCCEEDED:
      if (self->completing || self->completed)
        break;
      self->completing = TRUE;
      show_working (self, _("Confirming the payment with Stripe…"));
      /* Not cancellable: Stripe may have charged the card, the ledger must hear it. */
      cp_ledger_complete_payment_async (self->ledger, self->attempt->payment_intent_id, NULL,
                                        complete_cb, g_object_ref (self));
      break;

    case CP_PAYMENT_VIEW_STATE_FAILED:
      show_decline (self, cp_payment_view_get_error_message (self->view));
      cp_ledger_complete_payment_async (self->ledger, self->attempt->payment_intent_id,
                                        self->cancellable, record_failure_cb, g_object_ref (self));
      break;

    case CP_PAYMENT_VIEW_STATE_ERROR:
      show_error (self, _("Card Payments Unavailable"),
                  cp_payment_view_get_error_message (self->view)
                  ? cp_payment_view_get_error_message (self->view)
                  : _("The card form could not be loaded."));
      break;

    case CP_PAYMENT_VIEW_STATE_LOADING:
    case CP_PAYMENT_VIEW_STATE_READY:
    default:
      break;
    }
}

/* Beginning */

static void
begin_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CpPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  CpPaymentAttempt *attempt;
  CpStripeConfig *config;
  g_autofree char *amount = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *locale = NULL;

  attempt = cp_ledger_begin_payment_finish (CP_LEDGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (attempt == NULL)
    {
      if (g_error_matches (error, CP_ERROR, CP_ERROR_INVALID_INPUT))
        {
          set_amount_error (self, error->message);
          show_page (self, "amount");
        }
      else
        show_error (self, _("Payment Not Started"), error->message);
      return;
    }
  self->attempt = attempt;

  config = cp_stripe_client_get_config (cp_ledger_get_client (self->ledger));
  self->view = CP_PAYMENT_VIEW (cp_payment_view_new (cp_stripe_config_get_js_url (config),
                                                     cp_stripe_config_get_publishable_key (config)));
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);
  gtk_box_append (self->card_box, GTK_WIDGET (self->view));
  g_signal_connect_object (self->view, "notify::state", G_CALLBACK (view_state_cb),
                           self, G_CONNECT_SWAPPED);

  amount = cp_money_format (attempt->amount, attempt->currency);
  patient = self->invoice->patient ? cp_patient_display_name (self->invoice->patient) : g_strdup ("");
  locale = view_locale ();
  cp_payment_view_start (self->view, attempt->client_secret, amount, attempt->invoice_number,
                         patient, locale);
  show_page (self, "card");
  view_state_cb (self);
}

gboolean
cp_payment_dialog_continue (CpPaymentDialog *self)
{
  g_autoptr(GError) error = NULL;
  const char *text;
  const char *publishable;
  gint64 amount = 0;

  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), FALSE);

  if (self->attempt != NULL || !g_str_equal (gtk_stack_get_visible_child_name (self->stack), "amount"))
    return FALSE;

  text = gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
  if (!cp_money_parse (text, self->invoice->currency, CP_MONEY_PARSE_DEFAULT, &amount, &error))
    {
      set_amount_error (self, error->message);
      return FALSE;
    }
  if (amount > self->invoice->balance_due)
    {
      g_autofree char *balance = cp_money_format (self->invoice->balance_due, self->invoice->currency);
      g_autofree char *message = g_strdup_printf (_("That is more than the %s due."), balance);

      set_amount_error (self, message);
      return FALSE;
    }

  /* The card form needs it: say so before asking Stripe for anything */
  publishable = cp_stripe_config_get_publishable_key (cp_stripe_client_get_config (cp_ledger_get_client (self->ledger)));
  if (publishable == NULL)
    {
      show_error (self, _("Payment Not Started"),
                  _("Card payments need Stripe’s publishable key, which is not set up. "
                    "Ask an administrator to add it in Preferences."));
      return FALSE;
    }

  set_amount_error (self, NULL);
  show_working (self, _("Preparing the payment…"));
  cp_ledger_begin_payment_async (self->ledger, self->invoice->id, amount, CP_PAYMENT_CHANNEL_DESK,
                                 self->staff, self->cancellable, begin_cb, g_object_ref (self));
  return TRUE;
}

static void
amount_activated_cb (CpPaymentDialog *self)
{
  cp_payment_dialog_continue (self);
}

/* Actions */

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  cp_payment_dialog_continue (CP_PAYMENT_DIALOG (widget));
}

static void
cancel_attempt (CpPaymentDialog *self)
{
  if (self->attempt == NULL || self->completed || self->completing)
    return;
  /* Fire and forget: the ledger outlives the dialog. */
  cp_ledger_cancel_payment_async (self->ledger, self->attempt->payment_intent_id, NULL, NULL, NULL);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
cp_payment_dialog_close_request (GtkWindow *window)
{
  CpPaymentDialog *self = CP_PAYMENT_DIALOG (window);

  if (self->completing)
    return TRUE;   /* wait for the ledger; the spinner says so */
  cancel_attempt (self);
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cp_payment_dialog_parent_class)->close_request (window);
}

static void
cp_payment_dialog_dispose (GObject *object)
{
  CpPaymentDialog *self = CP_PAYMENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->ledger);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_PAYMENT_DIALOG);

  G_OBJECT_CLASS (cp_payment_dialog_parent_class)->dispose (object);
}

static void
cp_payment_dialog_finalize (GObject *object)
{
  CpPaymentDialog *self = CP_PAYMENT_DIALOG (object);

  g_clear_pointer (&self->staff, cp_staff_free);
  g_clear_pointer (&self->invoice, cp_invoice_free);
  g_clear_pointer (&self->receipt_invoice, cp_invoice_free);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  g_clear_pointer (&self->payment, cp_payment_free);
  g_free (self->decline_message);
  g_free (self->error_message);

  G_OBJECT_CLASS (cp_payment_dialog_parent_class)->finalize (object);
}

/* Print Receipt and Email Receipt on the done page (cp-receipt-actions.c) */
static const CpInvoice *
receipt_invoice_hook (GtkWidget *widget)
{
  return CP_PAYMENT_DIALOG (widget)->receipt_invoice;
}

static CpStore *
receipt_store_hook (GtkWidget *widget)
{
  CpPaymentDialog *self = CP_PAYMENT_DIALOG (widget);

  return self->ledger != NULL ? cp_ledger_get_store (self->ledger) : NULL;
}

static void
cp_payment_dialog_class_init (CpPaymentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_payment_dialog_dispose;
  object_class->finalize = cp_payment_dialog_finalize;
  window_class->close_request = cp_payment_dialog_close_request;

  signals[PAYMENT_COMPLETED] = g_signal_new ("payment-completed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-payment-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpPaymentDialog, name)
  BIND (window_title);
  BIND (cancel_button);
  BIND (continue_button);
  BIND (close_button);
  BIND (stack);
  BIND (patient_label);
  BIND (invoice_label);
  BIND (balance_label);
  BIND (amount_row);
  BIND (amount_error_label);
  BIND (spinner);
  BIND (working_label);
  BIND (card_box);
  BIND (decline_revealer);
  BIND (decline_label);
  BIND (done_page);
  BIND (done_amount_label);
  BIND (done_card_label);
  BIND (done_confirmation_label);
  BIND (error_page);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, amount_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, amount_changed_cb);

  gtk_widget_class_install_action (widget_class, "payment.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "payment.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "payment.close", NULL, close_action);
  cp_receipt_actions_install (widget_class, receipt_invoice_hook, receipt_store_hook, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "payment.cancel", NULL);
}

static void
cp_payment_dialog_init (CpPaymentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  cp_receipt_actions_update (GTK_WIDGET (self), NULL);
}

CpPaymentDialog *
cp_payment_dialog_new (GtkWindow       *parent,
                       CpLedger        *ledger,
                       const CpStaff   *staff,
                       const CpInvoice *invoice)
{
  CpPaymentDialog *self;
  g_autofree char *balance = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *number = NULL;

  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);
  g_return_val_if_fail (staff != NULL, NULL);
  g_return_val_if_fail (invoice != NULL, NULL);

  self = g_object_new (CP_TYPE_PAYMENT_DIALOG, "transient-for", parent, NULL);
  self->ledger = g_object_ref (ledger);
  self->staff = cp_staff_copy (staff);
  /* Our own copy: the detail may reload while the dialog is open. */
  self->invoice = cp_invoice_new ();
  self->invoice->id = invoice->id;
  self->invoice->number = g_strdup (invoice->number);
  self->invoice->currency = g_strdup (invoice->currency);
  self->invoice->balance_due = invoice->balance_due;
  if (invoice->patient != NULL)
    {
      self->invoice->patient = cp_patient_new ();
      self->invoice->patient->id = invoice->patient->id;
      self->invoice->patient->given_name = g_strdup (invoice->patient->given_name);
      self->invoice->patient->family_name = g_strdup (invoice->patient->family_name);
      name = cp_patient_display_name (invoice->patient);
    }

  balance = cp_money_format (invoice->balance_due, invoice->currency);
  plain = cp_money_format_full (invoice->balance_due, invoice->currency, NULL, NULL, FALSE);
  /* Translators: "Invoice INV-2026-0042" */
  number = g_strdup_printf (_("Invoice %s"), invoice->number);
  subtitle = name ? g_strdup_printf ("%s · %s", invoice->number, name) : g_strdup (invoice->number);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_label_set_text (self->patient_label, name ? name : "");
  gtk_label_set_text (self->invoice_label, number);
  gtk_label_set_text (self->balance_label, balance);
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), plain);
  set_amount_error (self, NULL);
  show_page (self, "amount");
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
  return self;
}

const char *
cp_payment_dialog_get_page (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
cp_payment_dialog_set_amount_text (CpPaymentDialog *self,
                                   const char      *text)
{
  g_return_if_fail (CP_IS_PAYMENT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
}

const char *
cp_payment_dialog_get_amount_error (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->amount_error_label)))
    return NULL;
  return gtk_label_get_text (self->amount_error_label);
}

CpPaymentView *
cp_payment_dialog_get_view (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  return self->view;
}

const char *
cp_payment_dialog_get_decline_message (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  return self->decline_message;
}

const CpPayment *
cp_payment_dialog_get_payment (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  return self->payment;
}

const char *
cp_payment_dialog_get_error (CpPaymentDialog *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_DIALOG (self), NULL);
  return self->error_message;
}
