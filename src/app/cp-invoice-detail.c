/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-invoice-detail.h"
#include "cp-link-dialog.h"
#include "cp-money.h"
#include "cp-payment-dialog.h"
#include "cp-receipt-actions.h"
#include "cp-refund-dialog.h"
#include "cp-ui-util.h"

struct _CpInvoiceDetail
{
  AdwBin        parent_instance;

  CpStore      *store;
  CpLedger     *ledger;
  CpStaff      *staff;
  GCancellable *cancellable;
  CpInvoice    *invoice;
  GPtrArray    *mail_log;     /* CpMailLogEntry of `invoice`, read with it; NULL if unread */
  gint64        invoice_id;
  gboolean      loading;

  GtkStack      *stack;
  AdwStatusPage *error_page;
  GtkLabel      *number_label;
  GtkLabel      *status_badge;
  GtkLabel      *issue_date_label;
  GtkLabel      *due_date_label;
  GtkWidget     *payment_actions;
  GtkWidget     *manage_actions;
  GtkLabel      *patient_name_label;
  GtkLabel      *mrn_label;
  GtkLabel      *dob_label;
  GtkLabel      *email_label;
  GtkLabel      *phone_label;
  GtkLabel      *address_label;
  GtkListBox    *items_list;
  GtkLabel      *subtotal_label;
  GtkLabel      *tax_title_label;
  GtkLabel      *tax_label;
  GtkLabel      *total_label;
  GtkLabel      *paid_label;
  GtkLabel      *refunded_label;
  GtkLabel      *balance_label;
  GtkListBox    *payments_list;
  GtkListBox    *mail_log_list;
  GtkWidget     *notes_box;
  GtkLabel      *notes_label;
};

G_DEFINE_FINAL_TYPE (CpInvoiceDetail, cp_invoice_detail, ADW_TYPE_BIN)

enum {
  PATIENT_ACTIVATED,
  LOADED,
  INVOICE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_supervisor (const CpStaff *staff)
{
  return staff != NULL && (staff->role == CP_ROLE_SUPERVISOR || staff->role == CP_ROLE_ADMIN);
}

static void
update_money_actions (CpInvoiceDetail *self)
{
  const CpInvoice *inv = self->invoice;
  gboolean ready = self->ledger != NULL && self->staff != NULL && inv != NULL;
  gboolean open = inv != NULL && !inv->voided && cp_ui_status_is_open (inv->status) &&
                  inv->balance_due > 0;
  gboolean refundable = inv != NULL && inv->amount_paid - inv->amount_refunded > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.take-payment", ready && open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.send-link", ready && open);
  /* The ledger refuses clerks too; this only keeps the buttons honest. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.refund",
                                 ready && refundable && is_supervisor (self->staff));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.void",
                                 ready && open && is_supervisor (self->staff));
  gtk_widget_set_visible (self->manage_actions, ready && (refundable || open));
}

static void
clear_list_box (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
label_new (const char *text,
           float       xalign,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
line_item_row_new (const CpLineItem *item,
                   const char       *currency)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *description;
  GtkWidget *details;
  GtkWidget *qty;
  GtkWidget *amount;
  g_autofree char *date = cp_ui_format_date (item->service_date);
  g_autofree char *unit = cp_money_format (item->unit_amount, currency);
  g_autofree char *total = cp_money_format (item->amount, currency);
  g_autofree char *qty_text = NULL;
  g_autoptr(GString) detail_text = g_string_new (NULL);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_add_css_class (grid, "line-item");

  description = label_new (item->description, 0, NULL);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (description), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (description, TRUE);

  if (item->service_code != NULL && *item->service_code != '\0')
    g_string_append (detail_text, item->service_code);
  if (detail_text->len > 0)
    g_string_append (detail_text, " · ");
  g_string_append (detail_text, date);
  if (item->provider != NULL && *item->provider != '\0')
    g_string_append_printf (detail_text, " · %s", item->provider);
  details = label_new (detail_text->str, 0, "caption");
  gtk_widget_add_css_class (details, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (details), TRUE);

  /* Translators: quantity times unit price on an invoice line, "2 × $120.00" */
  qty_text = g_strdup_printf (_("%d × %s"), (int) item->quantity, unit);
  qty = label_new (qty_text, 1, "caption");
  gtk_widget_add_css_class (qty, "dim-label");
  gtk_widget_add_css_class (qty, "numeric");
  amount = label_new (total, 1, "numeric");
  gtk_widget_set_valign (amount, GTK_ALIGN_START);

  gtk_grid_attach (GTK_GRID (grid), description, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), amount, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), details, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), qty, 1, 1, 1, 1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  return row;
}

static const char *
channel_label (CpPaymentChannel channel)
{
  switch (channel)
    {
    case CP_PAYMENT_CHANNEL_KIOSK:
      return _("Kiosk");
    case CP_PAYMENT_CHANNEL_LINK:
      return _("Payment link");
    case CP_PAYMENT_CHANNEL_DESK:
    default:
      return _("Desk");
    }
}

static const char *
stripe_status_label (const char *status)
{
  if (status == NULL)
    return "";
  if (g_str_equal (status, "succeeded"))
    return _("Succeeded");
  if (g_str_equal (status, "pending") || g_str_equal (status, "processing"))
    return _("Pending");
  if (g_str_equal (status, "requires_payment_method") || g_str_equal (status, "failed"))
    return _("Failed");
  if (g_str_equal (status, "canceled"))
    return _("Canceled");
  if (g_str_has_prefix (status, "requires_"))
    return _("Incomplete");
  return status;
}

static GtkWidget *
history_row_new (const char *when,
                 const char *title,
                 const char *subtitle,
                 const char *amount_text,
                 const char *status,
                 gboolean    is_refund)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *title_label = label_new (title, 0, NULL);
  GtkWidget *subtitle_label = label_new (subtitle, 0, "caption");
  GtkWidget *amount = label_new (amount_text, 1, "numeric");
  GtkWidget *status_label = label_new (status, 1, "caption");
  g_autofree char *when_text = cp_ui_format_timestamp (when);
  g_autofree char *sub = g_strdup_printf ("%s · %s", when_text, subtitle);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_add_css_class (grid, "line-item");
  gtk_label_set_text (GTK_LABEL (subtitle_label), sub);
  gtk_widget_add_css_class (subtitle_label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (subtitle_label), TRUE);
  gtk_widget_set_hexpand (title_label, TRUE);
  if (is_refund)
    gtk_widget_add_css_class (amount, "warning");
  gtk_widget_add_css_class (status_label, "dim-label");

  gtk_grid_attach (GTK_GRID (grid), title_label, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), amount, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), subtitle_label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), status_label, 1, 1, 1, 1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  return row;
}

/* A flag staff must act on, under the payment or refund it is about. */
static GtkWidget *
flag_row_new (const char *text)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = label_new (text, 0, NULL);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (box, "line-item");
  gtk_widget_add_css_class (box, "payment-flag");
  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_add_css_class (label, "warning");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
add_payment_rows (CpInvoiceDetail *self)
{
  const CpInvoice *inv = self->invoice;
  guint n = 0;

  clear_list_box (self->payments_list);

  for (guint i = 0; inv->payments != NULL && i < inv->payments->len; i++)
    {
      const CpPayment *p = g_ptr_array_index (inv->payments, i);
      g_autofree char *amount = cp_money_format (p->amount, p->currency ? p->currency : inv->currency);
      g_autofree char *card = NULL;
      const char *status = stripe_status_label (p->status);
      g_autofree char *status_text = NULL;

      /* A form opened and left without a card (the kiosk prepares one for every
       * bill it shows) is not a payment attempt; the audit log still has it. */
      if (g_strcmp0 (p->status, "canceled") == 0 && p->card_last4 == NULL && p->failure_code == NULL)
        continue;

      if (p->card_last4 != NULL)
        /* Translators: card brand and last four digits, "Visa •••• 4242" */
        card = g_strdup_printf (_("%s •••• %s"),
                                p->card_brand ? p->card_brand : _("Card"), p->card_last4);
      else
        card = g_strdup (_("Card payment"));
      if (p->disputed)
        status_text = g_strdup_printf (_("%s, disputed"), status);
      else if (p->failure_message != NULL && !cp_payment_status_counts (p->status))
        status_text = g_strdup_printf ("%s: %s", status, p->failure_message);
      else
        status_text = g_strdup (status);

      gtk_list_box_append (self->payments_list,
                           history_row_new (p->created_at, card, channel_label (p->channel),
                                            amount, status_text, FALSE));
      if (p->disputed)
        gtk_list_box_append (self->payments_list,
                             flag_row_new (_("Disputed — the cardholder’s bank is disputing this payment")));
      if (p->overpaid)
        gtk_list_box_append (self->payments_list, flag_row_new (_("Overpaid — refund needed")));
      n++;
    }

  for (guint i = 0; inv->refunds != NULL && i < inv->refunds->len; i++)
    {
      const CpRefund *r = g_ptr_array_index (inv->refunds, i);
      g_autofree char *amount = cp_money_format (-r->amount, r->currency ? r->currency : inv->currency);
      g_autofree char *title = NULL;

      if (r->reason != NULL && *r->reason != '\0')
        title = g_strdup_printf (_("Refund: %s"), r->reason);
      else
        title = g_strdup (_("Refund"));
      gtk_list_box_append (self->payments_list,
                           history_row_new (r->created_at, title, _("Refund to card"),
                                            amount, stripe_status_label (r->status), TRUE));
      if (g_strcmp0 (r->status, "failed") == 0)
        {
          g_autofree char *text = NULL;

          /* Translators: the reason is Stripe's, e.g. "expired_or_canceled_card" */
          text = g_strdup_printf (_("Refund failed: %s — the money is still owed to the patient"),
                                  r->failure_reason != NULL && *r->failure_reason != '\0' ? r->failure_reason
                                                                                        : _("unknown reason"));
          gtk_list_box_append (self->payments_list, flag_row_new (text));
        }
      n++;
    }

  if (n == 0)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *label = label_new (_("No payments yet"), 0, "dim-label");

      gtk_widget_add_css_class (label, "line-item");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_list_box_append (self->payments_list, row);
    }
}

static void
show_current (CpInvoiceDetail *self)
{
  const CpInvoice *inv = self->invoice;
  const CpPatient *patient = inv->patient;
  g_autofree char *issue = cp_ui_format_date (inv->issue_date);
  g_autofree char *due = cp_ui_format_date (inv->due_date);
  g_autofree char *dob = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tax_title = NULL;
  g_autofree char *rate = NULL;

  gtk_label_set_text (self->number_label, inv->number);
  cp_ui_label_set_status (self->status_badge, inv->status);
  gtk_label_set_text (self->issue_date_label, issue);
  gtk_label_set_text (self->due_date_label, due);
  if (inv->status == CP_INVOICE_STATUS_OVERDUE)
    gtk_widget_add_css_class (GTK_WIDGET (self->due_date_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->due_date_label), "error");
  gtk_widget_set_visible (self->payment_actions, cp_ui_status_is_open (inv->status));
  update_money_actions (self);

  if (patient != NULL)
    {
      name = cp_patient_display_name (patient);
      dob = patient->date_of_birth ? cp_ui_format_date (patient->date_of_birth) : NULL;
      gtk_label_set_text (self->patient_name_label, name);
      cp_ui_label_set_text_or_dash (self->mrn_label, patient->mrn);
      cp_ui_label_set_text_or_dash (self->dob_label, dob);
      cp_ui_label_set_text_or_dash (self->email_label, patient->email);
      cp_ui_label_set_text_or_dash (self->phone_label, patient->phone);
      cp_ui_label_set_text_or_dash (self->address_label, patient->address);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.open-patient", patient != NULL);

  clear_list_box (self->items_list);
  for (guint i = 0; inv->line_items != NULL && i < inv->line_items->len; i++)
    gtk_list_box_append (self->items_list,
                         line_item_row_new (g_ptr_array_index (inv->line_items, i), inv->currency));

  cp_ui_label_set_money (self->subtotal_label, inv->subtotal, inv->currency);
  rate = cp_percent_bp_format (inv->tax_rate_bp);
  /* Translators: "Tax (8.25 %)" */
  tax_title = g_strdup_printf (_("Tax (%s %%)"), rate);
  gtk_label_set_text (self->tax_title_label, tax_title);
  cp_ui_label_set_money (self->tax_label, inv->tax, inv->currency);
  cp_ui_label_set_money (self->total_label, inv->total, inv->currency);
  cp_ui_label_set_money (self->paid_label, inv->amount_paid, inv->currency);
  cp_ui_label_set_money (self->refunded_label, inv->amount_refunded, inv->currency);
  cp_ui_label_set_money (self->balance_label, inv->balance_due, inv->currency);

  add_payment_rows (self);
  cp_receipt_actions_update (GTK_WIDGET (self), inv);
  cp_receipt_actions_show_mail_log (self->mail_log_list, self->mail_log);

  gtk_widget_set_visible (self->notes_box, inv->notes != NULL && *inv->notes != '\0');
  gtk_label_set_text (self->notes_label, inv->notes ? inv->notes : "");

  gtk_stack_set_visible_child_name (self->stack, "invoice");
}

/* The invoice and its send log, read together in a worker: a read on the
 * main thread would wait for whatever else holds the store (a sync page, an
 * import, a report). */
typedef struct {
  CpInvoice *invoice;
  GPtrArray *mail_log;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->invoice, cp_invoice_free);
  g_clear_pointer (&loaded->mail_log, g_ptr_array_unref);
  g_free (loaded);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CpStore *store = source_object;
  gint64 id = *(gint64 *) task_data;
  GError *error = NULL;
  Loaded *loaded;

  if (g_task_return_error_if_cancelled (task))
    return;
  loaded = g_new0 (Loaded, 1);
  loaded->invoice = cp_store_get_invoice (store, id, &error);
  if (loaded->invoice == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, error);
      return;
    }
  loaded->mail_log = cp_store_list_mail_log (store, id, NULL, &error);
  if (loaded->mail_log == NULL)
    {
      g_warning ("Could not read the send log: %s", error->message);
      g_clear_error (&error);
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
get_invoice_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpInvoiceDetail) self = user_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  g_clear_pointer (&self->invoice, cp_invoice_free);
  g_clear_pointer (&self->mail_log, g_ptr_array_unref);

  if (loaded == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      self->invoice = g_steal_pointer (&loaded->invoice);
      self->mail_log = g_steal_pointer (&loaded->mail_log);
      loaded_free (loaded);
      show_current (self);
    }
  update_money_actions (self);

  g_signal_emit (self, signals[LOADED], 0);
}

void
cp_invoice_detail_reload (CpInvoiceDetail *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_INVOICE_DETAIL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->loading = FALSE;

  if (self->store == NULL || self->invoice_id == 0)
    {
      g_clear_pointer (&self->invoice, cp_invoice_free);
      g_clear_pointer (&self->mail_log, g_ptr_array_unref);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_money_actions (self);
      return;
    }

  /* Keep showing the same invoice while it reloads; a spinner only for a new one. */
  if (self->invoice == NULL || self->invoice->id != self->invoice_id)
    {
      g_clear_pointer (&self->invoice, cp_invoice_free);
      g_clear_pointer (&self->mail_log, g_ptr_array_unref);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self->store, self->cancellable, get_invoice_cb, g_object_ref (self));
  g_task_set_source_tag (task, cp_invoice_detail_reload);
  g_task_set_task_data (task, g_memdup2 (&self->invoice_id, sizeof self->invoice_id), g_free);
  g_task_run_in_thread (task, load_thread);
}

static void
open_patient_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);

  if (self->invoice != NULL && self->invoice->patient != NULL)
    g_signal_emit (self, signals[PATIENT_ACTIVATED], 0, self->invoice->patient->id);
}

static void
invoice_changed (CpInvoiceDetail *self,
                 gint64           id,
                 const char      *message)
{
  if (id == self->invoice_id)
    cp_invoice_detail_reload (self);
  g_signal_emit (self, signals[INVOICE_CHANGED], 0, id, message);
}

static void
payment_completed_cb (CpInvoiceDetail *self,
                      gint64           id)
{
  invoice_changed (self, id, _("Payment recorded"));
}

static void
refunded_cb (CpInvoiceDetail *self,
             gint64           id)
{
  invoice_changed (self, id, _("Refund recorded"));
}

static GtkWindow *
parent_window (CpInvoiceDetail *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
take_payment_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);
  CpPaymentDialog *dialog;

  if (self->ledger == NULL || self->staff == NULL || self->invoice == NULL)
    return;
  dialog = cp_payment_dialog_new (parent_window (self), self->ledger, self->staff, self->invoice);
  g_signal_connect_object (dialog, "payment-completed", G_CALLBACK (payment_completed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
send_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);
  CpLinkDialog *dialog;

  if (self->ledger == NULL || self->staff == NULL || self->invoice == NULL)
    return;
  dialog = cp_link_dialog_new (parent_window (self), self->ledger, self->staff, self->invoice);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
refund_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);
  CpRefundDialog *dialog;

  if (self->ledger == NULL || !is_supervisor (self->staff) || self->invoice == NULL)
    return;
  dialog = cp_refund_dialog_new (parent_window (self), self->ledger, self->staff, self->invoice);
  g_signal_connect_object (dialog, "refunded", G_CALLBACK (refunded_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  CpInvoiceDetail *self;
  gint64           id;
} VoidData;

static void
void_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  VoidData *data = user_data;
  g_autoptr(CpInvoiceDetail) self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 id = data->id;

  g_free (data);
  if (!cp_ledger_void_invoice_finish (CP_LEDGER (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not void the invoice: %s"), error->message);

      g_signal_emit (self, signals[INVOICE_CHANGED], 0, id, message);
      return;
    }
  invoice_changed (self, id, _("Invoice voided"));
}

static void
void_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  CpInvoiceDetail  *self)
{
  VoidData *data;

  if (g_strcmp0 (response, "void") != 0 || self->ledger == NULL || self->invoice == NULL)
    return;
  data = g_new0 (VoidData, 1);
  data->self = g_object_ref (self);
  data->id = self->invoice->id;
  cp_ledger_void_invoice_async (self->ledger, self->invoice->id, self->staff, NULL, void_cb, data);
}

static void
void_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->ledger == NULL || !is_supervisor (self->staff) || self->invoice == NULL)
    return;
  /* Translators: "Void Invoice INV-2026-0042?" */
  heading = g_strdup_printf (_("Void Invoice %s?"), self->invoice->number);
  dialog = adw_message_dialog_new (parent_window (self), heading,
                                   _("The invoice can no longer be paid: payments in progress "
                                     "are cancelled and payment links stop working. This cannot "
                                     "be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "void", _("_Void Invoice"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "void",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (void_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
retry_cb (CpInvoiceDetail *self)
{
  cp_invoice_detail_reload (self);
}

static void
cp_invoice_detail_dispose (GObject *object)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);

  G_OBJECT_CLASS (cp_invoice_detail_parent_class)->dispose (object);
}

static void
cp_invoice_detail_finalize (GObject *object)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (object);

  g_clear_pointer (&self->invoice, cp_invoice_free);
  g_clear_pointer (&self->mail_log, g_ptr_array_unref);
  g_clear_pointer (&self->staff, cp_staff_free);

  G_OBJECT_CLASS (cp_invoice_detail_parent_class)->finalize (object);
}

/* Receipts, statements and e-mail (cp-receipt-actions.c) */
static const CpInvoice *
receipt_invoice_hook (GtkWidget *widget)
{
  return CP_INVOICE_DETAIL (widget)->invoice;
}

static CpStore *
receipt_store_hook (GtkWidget *widget)
{
  return CP_INVOICE_DETAIL (widget)->store;
}

static void
receipt_sent_hook (GtkWidget *widget)
{
  CpInvoiceDetail *self = CP_INVOICE_DETAIL (widget);

  /* The send log changed: read it again with the invoice (kept on screen). */
  if (self->invoice != NULL)
    cp_invoice_detail_reload (self);
}

static void
cp_invoice_detail_class_init (CpInvoiceDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_invoice_detail_dispose;
  object_class->finalize = cp_invoice_detail_finalize;

  signals[PATIENT_ACTIVATED] = g_signal_new ("patient-activated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[INVOICE_CHANGED] = g_signal_new ("invoice-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-invoice-detail.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpInvoiceDetail, name)
  BIND (stack);
  BIND (error_page);
  BIND (number_label);
  BIND (status_badge);
  BIND (issue_date_label);
  BIND (due_date_label);
  BIND (payment_actions);
  BIND (manage_actions);
  BIND (patient_name_label);
  BIND (mrn_label);
  BIND (dob_label);
  BIND (email_label);
  BIND (phone_label);
  BIND (address_label);
  BIND (items_list);
  BIND (subtotal_label);
  BIND (tax_title_label);
  BIND (tax_label);
  BIND (total_label);
  BIND (paid_label);
  BIND (refunded_label);
  BIND (balance_label);
  BIND (payments_list);
  BIND (mail_log_list);
  BIND (notes_box);
  BIND (notes_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, retry_cb);

  gtk_widget_class_install_action (widget_class, "invoice.take-payment", NULL, take_payment_action);
  gtk_widget_class_install_action (widget_class, "invoice.send-link", NULL, send_link_action);
  gtk_widget_class_install_action (widget_class, "invoice.refund", NULL, refund_action);
  gtk_widget_class_install_action (widget_class, "invoice.void", NULL, void_action);
  gtk_widget_class_install_action (widget_class, "invoice.open-patient", NULL, open_patient_action);
  cp_receipt_actions_install (widget_class, receipt_invoice_hook, receipt_store_hook, receipt_sent_hook);
}

static void
cp_invoice_detail_init (CpInvoiceDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.take-payment", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.send-link", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.refund", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.void", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "invoice.open-patient", FALSE);
  cp_receipt_actions_update (GTK_WIDGET (self), NULL);
}

GtkWidget *
cp_invoice_detail_new (void)
{
  return g_object_new (CP_TYPE_INVOICE_DETAIL, NULL);
}

void
cp_invoice_detail_set_store (CpInvoiceDetail *self,
                             CpStore         *store)
{
  g_return_if_fail (CP_IS_INVOICE_DETAIL (self));

  if (g_set_object (&self->store, store))
    {
      self->invoice_id = 0;
      cp_invoice_detail_reload (self);
    }
}

void
cp_invoice_detail_show_invoice (CpInvoiceDetail *self,
                                gint64           id)
{
  g_return_if_fail (CP_IS_INVOICE_DETAIL (self));

  if (id == self->invoice_id && (self->invoice != NULL || self->loading))
    return;
  self->invoice_id = id;
  cp_invoice_detail_reload (self);
}

void
cp_invoice_detail_set_ledger (CpInvoiceDetail *self,
                              CpLedger        *ledger)
{
  g_return_if_fail (CP_IS_INVOICE_DETAIL (self));
  g_return_if_fail (ledger == NULL || CP_IS_LEDGER (ledger));

  g_set_object (&self->ledger, ledger);
  update_money_actions (self);
}

CpLedger *
cp_invoice_detail_get_ledger (CpInvoiceDetail *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_DETAIL (self), NULL);
  return self->ledger;
}

void
cp_invoice_detail_set_staff (CpInvoiceDetail *self,
                             const CpStaff   *staff)
{
  g_return_if_fail (CP_IS_INVOICE_DETAIL (self));

  g_clear_pointer (&self->staff, cp_staff_free);
  self->staff = cp_staff_copy (staff);
  update_money_actions (self);
}

gint64
cp_invoice_detail_get_invoice_id (CpInvoiceDetail *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_DETAIL (self), 0);

  return self->invoice_id;
}

const CpInvoice *
cp_invoice_detail_get_invoice (CpInvoiceDetail *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_DETAIL (self), NULL);

  return self->invoice;
}

gboolean
cp_invoice_detail_get_loading (CpInvoiceDetail *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_DETAIL (self), FALSE);

  return self->loading;
}

gboolean
cp_invoice_detail_get_payment_actions_visible (CpInvoiceDetail *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_DETAIL (self), FALSE);

  return self->invoice != NULL && gtk_widget_get_visible (self->payment_actions);
}
