/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "CarePay-Kiosk"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-kiosk-checkout.h"
#include "cp-kiosk-private.h"
#include "cp-kiosk-receipt.h"
#include "cp-money.h"
#include "cp-timing-mark.h"

struct _CpKioskCheckout
{
  GtkWidget         parent_instance;

  CpStore          *store;
  CpLedger         *ledger;
  GSettings        *settings;
  char             *language;
  GCancellable     *cancellable;

  /* The patient's, and all of it goes with the kiosk's view. */
  CpPatient        *patient;
  CpInvoice        *invoice;
  CpPaymentAttempt *attempt;         /* begun when the bill was shown */
  gboolean          beginning;       /* an attempt is being begun */
  gint64            wanted_amount;   /* what the patient asked to pay, 0 before */
  gboolean          confirming;

  CpPaymentView    *payment_view;

  /* Template children */
  GtkWidget        *stack;
  GtkWidget        *invoice_back_button;
  GtkWidget        *invoice_title_label;
  GtkWidget        *invoice_dates_label;
  GtkWidget        *lines_list;
  GtkWidget        *total_value;
  GtkWidget        *paid_value;
  GtkWidget        *balance_value;
  GtkWidget        *pay_error_label;
  GtkWidget        *pay_spinner;
  GtkWidget        *pay_part_button;
  GtkWidget        *pay_full_button;
  GtkWidget        *part_revealer;
  GtkWidget        *part_entry;
  GtkWidget        *part_continue_button;
  GtkWidget        *part_hint_label;
  GtkWidget        *part_error_label;
  GtkWidget        *payment_cancel_button;
  GtkWidget        *payment_summary_label;
  GtkWidget        *decline_label;
  GtkWidget        *confirming_box;
  GtkWidget        *confirming_spinner;
  GtkWidget        *payment_bin;
  GtkWidget        *confirmation_number_label;
  GtkWidget        *confirmation_amount_label;
  GtkWidget        *confirmation_invoice_label;
  GtkWidget        *confirmation_date_label;
  GtkWidget        *another_button;
  GtkWidget        *done_button;
  /* The receipt of the payment just confirmed (cp-kiosk-receipt.c) */
  gint64            receipt_invoice_id;
  char             *receipt_pi;
  GtkWidget        *print_receipt_button;
  GtkWidget        *email_receipt_button;
  GtkWidget        *receipt_status_label;
};

G_DEFINE_FINAL_TYPE (CpKioskCheckout, cp_kiosk_checkout, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_page (CpKioskCheckout *self,
           const char      *name)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/* Our page while the kiosk shows it; NULL while the view shows one of its
 * own (the patient went back to their list, say). */
static const char *
on_screen_page (CpKioskCheckout *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (GTK_IS_STACK (parent) && gtk_stack_get_visible_child (GTK_STACK (parent)) != GTK_WIDGET (self))
    return NULL;
  return cp_kiosk_checkout_get_page (self);
}

static void prepare_payment (CpKioskCheckout *self);

/* --- the invoice --------------------------------------------------------- */

static GtkWidget *
line_row_new (CpLineItem *item,
              const char *currency)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;
  g_autofree char *date = cp_kiosk_format_date (item->service_date);
  g_autofree char *amount = cp_money_format (item->amount, currency);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (box, "kiosk-row");
  label = gtk_label_new (item->description);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (text), label);
  label = gtk_label_new (date);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "kiosk-hint");
  gtk_box_append (GTK_BOX (text), label);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  label = gtk_label_new (amount);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static gint64
minimum_payment (CpKioskCheckout *self)
{
  gint64 minimum = g_settings_get_int64 (self->settings, "kiosk-minimum-payment");

  return self->invoice != NULL ? MIN (MAX (minimum, 1), self->invoice->balance_due) : minimum;
}

static void
show_invoice (CpKioskCheckout *self)
{
  CpInvoice *inv = self->invoice;
  g_autofree char *title = g_strdup_printf (_("Invoice %s"), inv->number);
  g_autofree char *issued = cp_kiosk_format_date (inv->issue_date);
  g_autofree char *due = cp_kiosk_format_date (inv->due_date);
  g_autofree char *dates = NULL;
  g_autofree char *total = cp_money_format (inv->total, inv->currency);
  g_autofree char *paid = cp_money_format (inv->amount_paid - inv->amount_refunded, inv->currency);
  g_autofree char *balance = cp_money_format (inv->balance_due, inv->currency);
  g_autofree char *full = NULL;
  g_autofree char *min = cp_money_format (minimum_payment (self), inv->currency);
  g_autofree char *hint = NULL;

  gtk_label_set_text (GTK_LABEL (self->invoice_title_label), title);
  /* TRANSLATORS: "Issued March 1, 2026 · Due March 31, 2026 · Overdue" */
  dates = g_strdup_printf (_("Issued %s · Due %s · %s"), issued, due, cp_invoice_status_label (inv->status));
  gtk_label_set_text (GTK_LABEL (self->invoice_dates_label), dates);

  cp_kiosk_clear_list (self->lines_list);
  for (guint i = 0; inv->line_items != NULL && i < inv->line_items->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->lines_list),
                         line_row_new (g_ptr_array_index (inv->line_items, i), inv->currency));
  if (inv->tax > 0)
    {
      CpLineItem tax = { 0 };
      GtkWidget *row;

      tax.description = (char *) _("Tax");
      tax.amount = inv->tax;
      row = line_row_new (&tax, inv->currency);
      gtk_list_box_append (GTK_LIST_BOX (self->lines_list), row);
    }

  gtk_label_set_text (GTK_LABEL (self->total_value), total);
  gtk_label_set_text (GTK_LABEL (self->paid_value), paid);
  gtk_label_set_text (GTK_LABEL (self->balance_value), balance);
  /* TRANSLATORS: the big button, with the balance due: "Pay $125.00" */
  full = g_strdup_printf (_("Pay full balance %s"), balance);
  gtk_button_set_label (GTK_BUTTON (self->pay_full_button), full);

  /* TRANSLATORS: the limits of a partial payment, "Between $5.00 and $125.00" */
  hint = g_strdup_printf (_("Between %s and %s"), min, balance);
  gtk_label_set_text (GTK_LABEL (self->part_hint_label), hint);
  gtk_editable_set_text (GTK_EDITABLE (self->part_entry), "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->part_entry), min);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->part_revealer), FALSE);
  cp_kiosk_show_error (self->part_error_label, NULL);
  cp_kiosk_show_error (self->pay_error_label, NULL);
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
  gtk_widget_set_sensitive (self->pay_full_button, inv->balance_due > 0);
  gtk_widget_set_sensitive (self->pay_part_button, inv->balance_due > 0);
  gtk_widget_set_sensitive (self->part_continue_button, TRUE);
  show_page (self, "invoice");
  prepare_payment (self);
}

static void
invoice_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CpKioskCheckout *self = user_data;
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice;

  invoice = cp_store_get_invoice_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (invoice == NULL)
    {
      g_warning ("Kiosk could not load an invoice: %s", error->message);
      return;
    }
  /* Only the patient's own bills. */
  if (self->patient == NULL || invoice->patient == NULL || invoice->patient->id != self->patient->id)
    {
      cp_invoice_free (invoice);
      return;
    }
  cp_kiosk_checkout_show_invoice (self, invoice);
}

/* --- paying --------------------------------------------------------------- */

/* The PaymentIntent is begun for the full balance as soon as a bill is
 * shown, and the Payment Element mounted in the (hidden) payment page, so the
 * card form is ready when the patient presses Pay: creating the intent and
 * loading the element's frame take most of a second. A patient who pays part,
 * picks another bill or walks away gets that intent cancelled (as any
 * abandoned one); until then it holds the bill's balance like any open
 * attempt. */

static void begin_payment_now (CpKioskCheckout *self, gint64 amount);

/* Forgets the open attempt, cancelling it at Stripe, and gets a fresh card
 * session ready. */
static void
drop_attempt (CpKioskCheckout *self)
{
  if (self->attempt == NULL || self->confirming)
    return;
  cp_kiosk_cancel_payment (self->ledger, self->attempt->payment_intent_id, NULL);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  cp_payment_view_reset (self->payment_view);
}

static void
show_payment_page (CpKioskCheckout *self)
{
  g_autofree char *amount = cp_money_format (self->attempt->amount, self->attempt->currency);
  g_autofree char *summary = NULL;

  self->wanted_amount = 0;
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
  gtk_widget_set_sensitive (self->pay_full_button, TRUE);
  gtk_widget_set_sensitive (self->pay_part_button, TRUE);
  gtk_widget_set_sensitive (self->part_continue_button, TRUE);
  /* TRANSLATORS: "Paying $125.00 for invoice INV-2026-000123. Enter your card, then press Pay." */
  summary = g_strdup_printf (_("Paying %s for invoice %s. Enter your card, then press Pay."),
                             amount, self->attempt->invoice_number);
  gtk_label_set_text (GTK_LABEL (self->payment_summary_label), summary);
  cp_kiosk_show_error (self->decline_label, NULL);
  gtk_widget_set_visible (self->confirming_box, FALSE);
  gtk_widget_set_sensitive (self->payment_cancel_button, TRUE);
  show_page (self, "payment");
}

static void
payment_begun_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpKioskCheckout) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *name = NULL;

  attempt = cp_ledger_begin_payment_finish (CP_LEDGER (source), result, &error);
  self->beginning = FALSE;
  /* Begun without a cancellable, so that an intent made at Stripe is never
   * lost: one nobody needs any more (the patient left, or went to another
   * bill) is cancelled here. */
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL || self->ledger == NULL || self->invoice == NULL)
    {
      if (attempt != NULL)
        cp_kiosk_cancel_payment (CP_LEDGER (source), attempt->payment_intent_id, NULL);
      return;
    }
  if (attempt != NULL && attempt->invoice_id != self->invoice->id)
    {
      cp_kiosk_cancel_payment (CP_LEDGER (source), attempt->payment_intent_id, NULL);
      if (self->wanted_amount != 0)
        begin_payment_now (self, self->wanted_amount);
      else
        prepare_payment (self);
      return;
    }
  /* Made ahead for a bill the patient has left, or chosen to pay part of. */
  if (attempt != NULL && self->wanted_amount == 0 &&
      (g_strcmp0 (on_screen_page (self), "invoice") != 0 ||
       gtk_revealer_get_reveal_child (GTK_REVEALER (self->part_revealer))))
    {
      cp_kiosk_cancel_payment (CP_LEDGER (source), attempt->payment_intent_id, NULL);
      return;
    }

  if (attempt == NULL)
    {
      gboolean asked = self->wanted_amount != 0;

      self->wanted_amount = 0;
      gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), FALSE);
      gtk_widget_set_sensitive (self->pay_full_button, TRUE);
      gtk_widget_set_sensitive (self->pay_part_button, TRUE);
      gtk_widget_set_sensitive (self->part_continue_button, TRUE);
      /* Ahead of time, a failure is only said once the patient asks to pay. */
      if (!asked)
        {
          g_debug ("Could not begin a payment ahead of time: %s", error->message);
          return;
        }
      g_warning ("Kiosk could not start a payment: %s", error->message);
      cp_kiosk_show_error (self->pay_error_label,
                           g_error_matches (error, CP_ERROR, CP_ERROR_INVALID_INPUT) ||
                           g_error_matches (error, CP_ERROR, CP_ERROR_EXISTS)
                           ? error->message
                           : _("Card payments are not working right now. Please try again later or pay at the front desk."));
      return;
    }

  cp_timing_mark ("kiosk-payment-intent-created");
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  self->attempt = g_steal_pointer (&attempt);
  amount = cp_money_format (self->attempt->amount, self->attempt->currency);
  name = cp_patient_display_name (self->patient);
  cp_payment_view_start (self->payment_view, self->attempt->client_secret, amount,
                         self->attempt->invoice_number, name, self->language);

  /* The patient pressed Pay meanwhile. */
  if (self->wanted_amount == self->attempt->amount)
    show_payment_page (self);
  else if (self->wanted_amount != 0)
    {
      gint64 wanted = self->wanted_amount;

      drop_attempt (self);
      begin_payment_now (self, wanted);
    }
}

static void
begin_payment_now (CpKioskCheckout *self,
                   gint64           amount)
{
  cp_timing_mark ("kiosk-payment-begin");
  self->beginning = TRUE;
  cp_ledger_begin_payment_async (self->ledger, self->invoice->id, amount, CP_PAYMENT_CHANNEL_KIOSK,
                                 NULL, NULL, payment_begun_cb, g_object_ref (self));
}

/* A bill is on screen: its PaymentIntent and card form get ready. */
static void
prepare_payment (CpKioskCheckout *self)
{
  if (self->ledger == NULL || self->invoice == NULL || self->payment_view == NULL ||
      self->invoice->balance_due <= 0 || self->beginning || self->confirming)
    return;
  if (self->attempt != NULL && self->attempt->invoice_id != self->invoice->id)
    drop_attempt (self);
  if (self->attempt == NULL)
    begin_payment_now (self, self->invoice->balance_due);
}

/* The patient asks to pay `amount` of the bill on screen. */
static void
begin_payment (CpKioskCheckout *self,
               gint64           amount)
{
  if (self->ledger == NULL || self->invoice == NULL || self->payment_view == NULL)
    return;
  self->wanted_amount = amount;
  cp_kiosk_show_error (self->pay_error_label, NULL);
  if (self->attempt != NULL && self->attempt->invoice_id == self->invoice->id &&
      self->attempt->amount == amount)
    {
      show_payment_page (self);
      return;
    }
  gtk_spinner_set_spinning (GTK_SPINNER (self->pay_spinner), TRUE);
  gtk_widget_set_sensitive (self->pay_full_button, FALSE);
  gtk_widget_set_sensitive (self->pay_part_button, FALSE);
  gtk_widget_set_sensitive (self->part_continue_button, FALSE);
  /* An intent on its way is dealt with when it arrives. */
  if (self->beginning)
    return;
  drop_attempt (self);
  begin_payment_now (self, amount);
}

static void
pay_full_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);

  if (self->invoice != NULL && self->invoice->balance_due > 0)
    begin_payment (self, self->invoice->balance_due);
}

static void
pay_part_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);

  /* The full balance's intent goes; a fresh card session gets ready while
   * the patient types the amount. */
  drop_attempt (self);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->part_revealer), TRUE);
  gtk_widget_grab_focus (self->part_entry);
}

static void
pay_part_amount_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->part_entry));
  g_autoptr(GError) error = NULL;
  gint64 amount = 0;
  gint64 minimum;

  if (self->invoice == NULL)
    return;
  minimum = minimum_payment (self);
  if (!cp_money_parse (text, self->invoice->currency, CP_MONEY_PARSE_DEFAULT, &amount, &error))
    {
      /* In the patient's way of writing numbers ("50,00" in Spain): it parses back */
      g_autofree char *example = cp_money_format_full (minimum, self->invoice->currency, NULL, NULL, FALSE);
      g_autofree char *msg = g_strdup_printf (_("Please enter an amount, for example %s."), example);

      cp_kiosk_show_error (self->part_error_label, msg);
      return;
    }
  if (amount < minimum)
    {
      g_autofree char *min = cp_money_format (minimum, self->invoice->currency);
      g_autofree char *msg = g_strdup_printf (_("The smallest amount you can pay here is %s."), min);

      cp_kiosk_show_error (self->part_error_label, msg);
      return;
    }
  if (amount > self->invoice->balance_due)
    {
      g_autofree char *max = cp_money_format (self->invoice->balance_due, self->invoice->currency);
      g_autofree char *msg = g_strdup_printf (_("That is more than you owe. The most you can pay is %s."), max);

      cp_kiosk_show_error (self->part_error_label, msg);
      return;
    }
  cp_kiosk_show_error (self->part_error_label, NULL);
  begin_payment (self, amount);
}

static void
part_entry_activate_cb (CpKioskCheckout *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "checkout.pay-part-amount", NULL);
}

static void
part_entry_changed_cb (CpKioskCheckout *self)
{
  cp_kiosk_show_error (self->part_error_label, NULL);
}

static void
cancel_payment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);

  if (self->confirming)
    return;
  /* Cancelled at Stripe, and a new session for the next card. */
  drop_attempt (self);
  show_page (self, "invoice");
}

/* Plain words for a declined card. */
static const char *
decline_reason (const char *code,
                const char *decline_code,
                const char *message)
{
  const char *c = decline_code != NULL && *decline_code != '\0' ? decline_code : code;

  if (g_strcmp0 (c, "insufficient_funds") == 0)
    return _("Your card was declined: there is not enough money on it. Please try another card.");
  if (g_strcmp0 (c, "expired_card") == 0)
    return _("Your card has expired. Please try another card.");
  if (g_strcmp0 (c, "incorrect_cvc") == 0 || g_strcmp0 (c, "invalid_cvc") == 0)
    return _("The security code (CVC) is not right. Please check it or try another card.");
  if (g_strcmp0 (c, "incorrect_number") == 0 || g_strcmp0 (c, "invalid_number") == 0)
    return _("The card number is not right. Please check it.");
  if (g_strcmp0 (c, "lost_card") == 0 || g_strcmp0 (c, "stolen_card") == 0 ||
      g_strcmp0 (c, "generic_decline") == 0 || g_strcmp0 (c, "card_declined") == 0 ||
      g_strcmp0 (c, "do_not_honor") == 0 || g_strcmp0 (c, "fraudulent") == 0)
    return _("Your card was declined. Please try another card, or call your bank.");
  if (g_strcmp0 (c, "payment_intent_authentication_failure") == 0)
    return _("Your bank could not confirm it was you. Please try again or use another card.");
  if (g_strcmp0 (c, "processing_error") == 0)
    return _("Something went wrong while processing your card. Please try again.");
  return message != NULL && *message != '\0' ? message : _("Your card was not accepted. Please try another card.");
}

static void
payment_failed_cb (CpKioskCheckout *self,
                   const char      *code,
                   const char      *decline_code,
                   const char      *message,
                   CpPaymentView   *view)
{
  cp_kiosk_show_error (self->decline_label, decline_reason (code, decline_code, message));
}

static void
payment_completed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  /* The reference taken when the payment was sent, held to the end. */
  g_autoptr(CpKioskCheckout) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *today = NULL;
  g_autofree char *date = NULL;

  payment = cp_ledger_complete_payment_finish (CP_LEDGER (source), result, &error);
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    {
      /* The kiosk was reset meanwhile: the ledger has recorded what Stripe says. */
      return;
    }
  self->confirming = FALSE;
  gtk_spinner_set_spinning (GTK_SPINNER (self->confirming_spinner), FALSE);
  gtk_widget_set_visible (self->confirming_box, FALSE);
  gtk_widget_set_sensitive (self->payment_cancel_button, TRUE);

  /* Only what Stripe told the ledger counts, not what the page said. */
  if (payment == NULL || g_strcmp0 (payment->status, "succeeded") != 0)
    {
      if (error != NULL)
        g_warning ("Kiosk payment not confirmed: %s", error->message);
      cp_kiosk_show_error (self->decline_label,
                           payment != NULL
                           ? decline_reason (payment->failure_code, NULL, payment->failure_message)
                           : _("We could not confirm your payment. Please ask at the front desk before trying again."));
      return;
    }

  amount = cp_money_format (payment->amount, payment->currency);
  today = cp_today ();
  date = cp_kiosk_format_date (today);
  gtk_label_set_text (GTK_LABEL (self->confirmation_number_label), payment->stripe_payment_intent_id);
  gtk_label_set_text (GTK_LABEL (self->confirmation_amount_label), amount);
  gtk_label_set_text (GTK_LABEL (self->confirmation_invoice_label),
                      self->attempt != NULL ? self->attempt->invoice_number : self->invoice->number);
  gtk_label_set_text (GTK_LABEL (self->confirmation_date_label), date);
  self->receipt_invoice_id = payment->invoice_id != 0 ? payment->invoice_id
                             : self->invoice != NULL ? self->invoice->id : 0;
  g_free (self->receipt_pi);
  self->receipt_pi = g_strdup (payment->stripe_payment_intent_id);
  gtk_label_set_text (GTK_LABEL (self->receipt_status_label), "");
  gtk_widget_set_sensitive (self->print_receipt_button, TRUE);
  gtk_widget_set_sensitive (self->email_receipt_button, TRUE);
  /* Only to the address on file: nobody types one at the kiosk */
  gtk_widget_set_visible (self->email_receipt_button,
                          self->patient != NULL && self->patient->email != NULL && *self->patient->email != '\0');
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);
  /* The card's session goes; a fresh one gets ready for another bill. */
  cp_payment_view_reset (self->payment_view);
  gtk_widget_set_visible (self->another_button, FALSE);
  /* The view reads the patient's bills again: a bill just paid leaves the
   * list, and "Pay another bill" shows while there is another. */
  gtk_widget_activate_action (GTK_WIDGET (self), "view.refresh-invoices", NULL);
  show_page (self, "confirmation");
  gtk_widget_grab_focus (self->done_button);
}

static void
payment_succeeded_cb (CpKioskCheckout *self,
                      const char      *payment_intent_id,
                      CpPaymentView   *view)
{
  if (self->attempt == NULL || self->confirming)
    return;
  if (g_strcmp0 (payment_intent_id, self->attempt->payment_intent_id) != 0)
    g_warning ("The payment page reported another PaymentIntent than the kiosk started");
  self->confirming = TRUE;
  cp_kiosk_show_error (self->decline_label, NULL);
  gtk_widget_set_visible (self->confirming_box, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->confirming_spinner), TRUE);
  gtk_widget_set_sensitive (self->payment_cancel_button, FALSE);
  /* Ask Stripe (through the ledger) about our own attempt, whatever the page says. */
  /* Not cancelled with the view: Stripe may have taken the money, so the
   * ledger records it even when the patient has gone. */
  cp_ledger_complete_payment_async (self->ledger, self->attempt->payment_intent_id, NULL,
                                    payment_completed_cb, g_object_ref (self));
}

static void
create_payment_view (CpKioskCheckout *self)
{
  CpStripeConfig *config;

  if (self->ledger == NULL || self->payment_view != NULL)
    return;
  config = cp_stripe_client_get_config (cp_ledger_get_client (self->ledger));
  self->payment_view = CP_PAYMENT_VIEW (cp_payment_view_new (cp_stripe_config_get_js_url (config),
                                                             cp_stripe_config_get_publishable_key (config)));
  g_signal_connect_object (self->payment_view, "succeeded", G_CALLBACK (payment_succeeded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->payment_view, "failed", G_CALLBACK (payment_failed_cb), self, G_CONNECT_SWAPPED);
  adw_bin_set_child (ADW_BIN (self->payment_bin), GTK_WIDGET (self->payment_view));
}

/* --- the receipt ---------------------------------------------------------- */

/* Print receipt and Email receipt on the confirmation page */
static void
print_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->receipt_pi == NULL)
    return;
  if (cp_kiosk_receipt_print (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                              self->receipt_invoice_id, self->receipt_pi, self->language, NULL, &error))
    gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Your receipt is printing."));
  else
    {
      g_warning ("Kiosk receipt not printed: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->receipt_status_label),
                          _("We could not print your receipt. Please ask at the front desk."));
    }
}

static void
email_receipt_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpKioskCheckout) self = user_data;
  g_autoptr(GError) error = NULL;

  if (cp_kiosk_receipt_email_finish (result, &error))
    gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Your receipt was sent to your email address on file."));
  else
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Kiosk receipt not e-mailed: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->receipt_status_label),
                          _("We could not send your receipt. Please ask at the front desk."));
      gtk_widget_set_sensitive (self->email_receipt_button, TRUE);
    }
}

static void
email_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (widget);

  if (self->store == NULL || self->receipt_pi == NULL)
    return;
  gtk_widget_set_sensitive (self->email_receipt_button, FALSE);
  gtk_label_set_text (GTK_LABEL (self->receipt_status_label), _("Sending your receipt…"));
  cp_kiosk_receipt_email_async (self->store, self->receipt_invoice_id, self->receipt_pi,
                                self->cancellable, email_receipt_cb, g_object_ref (self));
}

/* --- GObject -------------------------------------------------------------- */

static void
cp_kiosk_checkout_dispose (GObject *object)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_KIOSK_CHECKOUT);
  self->payment_view = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->receipt_pi, g_free);
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->invoice, cp_invoice_free);
  g_clear_pointer (&self->attempt, cp_payment_attempt_free);

  G_OBJECT_CLASS (cp_kiosk_checkout_parent_class)->dispose (object);
}

static void
cp_kiosk_checkout_finalize (GObject *object)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (object);

  g_free (self->language);

  G_OBJECT_CLASS (cp_kiosk_checkout_parent_class)->finalize (object);
}

static void
cp_kiosk_checkout_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CpKioskCheckout *self = CP_KIOSK_CHECKOUT (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_string (value, cp_kiosk_checkout_get_page (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_kiosk_checkout_class_init (CpKioskCheckoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_kiosk_checkout_dispose;
  object_class->finalize = cp_kiosk_checkout_finalize;
  object_class->get_property = cp_kiosk_checkout_get_property;

  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ADW_TYPE_CLAMP);
  g_type_ensure (ADW_TYPE_BIN);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/kiosk/cp-kiosk-checkout.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpKioskCheckout, name)
  BIND (stack);
  BIND (invoice_back_button);
  BIND (invoice_title_label);
  BIND (invoice_dates_label);
  BIND (lines_list);
  BIND (total_value);
  BIND (paid_value);
  BIND (balance_value);
  BIND (pay_error_label);
  BIND (pay_spinner);
  BIND (pay_part_button);
  BIND (pay_full_button);
  BIND (part_revealer);
  BIND (part_entry);
  BIND (part_continue_button);
  BIND (part_hint_label);
  BIND (part_error_label);
  BIND (payment_cancel_button);
  BIND (payment_summary_label);
  BIND (decline_label);
  BIND (confirming_box);
  BIND (confirming_spinner);
  BIND (payment_bin);
  BIND (confirmation_number_label);
  BIND (confirmation_amount_label);
  BIND (confirmation_invoice_label);
  BIND (confirmation_date_label);
  BIND (another_button);
  BIND (done_button);
  BIND (print_receipt_button);
  BIND (email_receipt_button);
  BIND (receipt_status_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, part_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, part_entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "checkout.pay-full", NULL, pay_full_action);
  gtk_widget_class_install_action (widget_class, "checkout.pay-part", NULL, pay_part_action);
  gtk_widget_class_install_action (widget_class, "checkout.pay-part-amount", NULL, pay_part_amount_action);
  gtk_widget_class_install_action (widget_class, "checkout.cancel-payment", NULL, cancel_payment_action);
  gtk_widget_class_install_action (widget_class, "checkout.print-receipt", NULL, print_receipt_action);
  gtk_widget_class_install_action (widget_class, "checkout.email-receipt", NULL, email_receipt_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cpkioskcheckout");
}

static void
cp_kiosk_checkout_init (CpKioskCheckout *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->language = g_strdup ("en");
}

void
cp_kiosk_checkout_setup (CpKioskCheckout *self,
                         CpStore         *store,
                         CpLedger        *ledger,
                         const char      *language)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));
  g_return_if_fail (store == NULL || CP_IS_STORE (store));
  g_return_if_fail (ledger == NULL || CP_IS_LEDGER (ledger));

  g_set_object (&self->store, store);
  g_set_object (&self->ledger, ledger);
  g_free (self->language);
  self->language = g_strdup (g_strcmp0 (language, "es") == 0 ? "es" : "en");
  create_payment_view (self);
}

void
cp_kiosk_checkout_set_patient (CpKioskCheckout *self,
                               const CpPatient *patient)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));

  g_clear_pointer (&self->patient, cp_patient_free);
  if (patient != NULL)
    self->patient = cp_patient_copy (patient);
}

void
cp_kiosk_checkout_show_invoice (CpKioskCheckout *self,
                                CpInvoice       *invoice)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));
  g_return_if_fail (invoice != NULL);

  g_clear_pointer (&self->invoice, cp_invoice_free);
  self->invoice = invoice;
  cp_timing_mark ("kiosk-invoice-shown");
  show_invoice (self);
}

void
cp_kiosk_checkout_load_invoice (CpKioskCheckout *self,
                                gint64           invoice_id)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));

  cp_store_get_invoice_async (self->store, invoice_id, self->cancellable, invoice_loaded_cb, self);
}

void
cp_kiosk_checkout_leave (CpKioskCheckout *self)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));

  drop_attempt (self);
}

void
cp_kiosk_checkout_set_another_bill (CpKioskCheckout *self,
                                    gboolean         another)
{
  g_return_if_fail (CP_IS_KIOSK_CHECKOUT (self));

  gtk_widget_set_visible (self->another_button, another);
}

const char *
cp_kiosk_checkout_get_page (CpKioskCheckout *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_CHECKOUT (self), NULL);

  return gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
}

const char *
cp_kiosk_checkout_get_open_payment_intent (CpKioskCheckout *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_CHECKOUT (self), NULL);

  return self->attempt != NULL && !self->confirming ? self->attempt->payment_intent_id : NULL;
}

CpPaymentView *
cp_kiosk_checkout_get_payment_view (CpKioskCheckout *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_CHECKOUT (self), NULL);

  return self->payment_view;
}

GtkWidget *
cp_kiosk_checkout_get_child (CpKioskCheckout *self,
                             const char      *id)
{
  g_return_val_if_fail (CP_IS_KIOSK_CHECKOUT (self), NULL);

  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self), CP_TYPE_KIOSK_CHECKOUT, id));
}
