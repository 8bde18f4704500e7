/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-money.h"
#include "cp-refund-dialog.h"

static const char *reasons[] = { "requested_by_customer", "duplicate", "fraudulent" };

struct _CpRefundDialog
{
  AdwWindow          parent_instance;

  CpLedger          *ledger;
  CpStaff           *staff;
  GCancellable      *cancellable;
  gint64             invoice_id;
  gint64             refundable;
  char              *currency;
  gboolean           busy;

  AdwWindowTitle    *window_title;
  GtkStack          *button_stack;
  GtkSpinner        *spinner;
  AdwPreferencesGroup *group;
  AdwEntryRow       *amount_row;
  AdwComboRow       *reason_row;
  GtkLabel          *error_label;
};

G_DEFINE_FINAL_TYPE (CpRefundDialog, cp_refund_dialog, ADW_TYPE_WINDOW)

enum {
  REFUNDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_error (CpRefundDialog *self,
           const char     *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (CpRefundDialog *self,
          gboolean        busy)
{
  self->busy = busy;
  /* Focus leaves the fields before they go insensitive: GTK 4.8 loses the
   * focused text's focus-out otherwise (GTK issue 5845), and comes back to
   * the amount when they can be edited again. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "spinner" : "button");
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->group), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "refund.submit", !busy);
  if (!busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
}

static void
changed_cb (CpRefundDialog *self)
{
  set_error (self, NULL);
}

static void
refund_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CpRefundDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refunds = NULL;

  refunds = cp_ledger_refund_finish (CP_LEDGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (refunds == NULL)
    {
      set_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[REFUNDED], 0, self->invoice_id);
  gtk_window_destroy (GTK_WINDOW (self));
}

gboolean
cp_refund_dialog_submit (CpRefundDialog *self)
{
  g_autoptr(GError) error = NULL;
  gint64 amount = 0;
  guint reason;

  g_return_val_if_fail (CP_IS_REFUND_DIALOG (self), FALSE);

  if (self->busy)
    return FALSE;
  if (!cp_money_parse (gtk_editable_get_text (GTK_EDITABLE (self->amount_row)), self->currency,
                       CP_MONEY_PARSE_DEFAULT, &amount, &error))
    {
      set_error (self, error->message);
      return FALSE;
    }
  if (amount > self->refundable)
    {
      g_autofree char *max = cp_money_format (self->refundable, self->currency);
      g_autofree char *message = g_strdup_printf (_("At most %s can be refunded."), max);

      set_error (self, message);
      return FALSE;
    }

  reason = adw_combo_row_get_selected (self->reason_row);
  if (reason >= G_N_ELEMENTS (reasons))
    reason = 0;
  set_error (self, NULL);
  set_busy (self, TRUE);
  cp_ledger_refund_async (self->ledger, self->invoice_id, amount, reasons[reason], self->staff,
                          self->cancellable, refund_cb, g_object_ref (self));
  return TRUE;
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cp_refund_dialog_submit (CP_REFUND_DIALOG (widget));
}

static void
cp_refund_dialog_dispose (GObject *object)
{
  CpRefundDialog *self = CP_REFUND_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->ledger);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_REFUND_DIALOG);

  G_OBJECT_CLASS (cp_refund_dialog_parent_class)->dispose (object);
}

static void
cp_refund_dialog_finalize (GObject *object)
{
  CpRefundDialog *self = CP_REFUND_DIALOG (object);

  g_clear_pointer (&self->staff, cp_staff_free);
  g_free (self->currency);

  G_OBJECT_CLASS (cp_refund_dialog_parent_class)->finalize (object);
}

static void
cp_refund_dialog_class_init (CpRefundDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_refund_dialog_dispose;
  object_class->finalize = cp_refund_dialog_finalize;

  signals[REFUNDED] = g_signal_new ("refunded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-refund-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpRefundDialog, name)
  BIND (window_title);
  BIND (button_stack);
  BIND (spinner);
  BIND (group);
  BIND (amount_row);
  BIND (reason_row);
  BIND (error_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);

  gtk_widget_class_install_action (widget_class, "refund.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_refund_dialog_init (CpRefundDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

CpRefundDialog *
cp_refund_dialog_new (GtkWindow       *parent,
                      CpLedger        *ledger,
                      const CpStaff   *staff,
                      const CpInvoice *invoice)
{
  CpRefundDialog *self;
  g_autofree char *plain = NULL;
  g_autofree char *max = NULL;
  g_autofree char *description = NULL;

  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);
  g_return_val_if_fail (staff != NULL, NULL);
  g_return_val_if_fail (invoice != NULL, NULL);

  self = g_object_new (CP_TYPE_REFUND_DIALOG, "transient-for", parent, NULL);
  self->ledger = g_object_ref (ledger);
  self->staff = cp_staff_copy (staff);
  self->invoice_id = invoice->id;
  self->currency = g_strdup (invoice->currency);
  self->refundable = MAX (0, invoice->amount_paid - invoice->amount_refunded);

  plain = cp_money_format_full (self->refundable, invoice->currency, NULL, NULL, FALSE);
  max = cp_money_format (self->refundable, invoice->currency);
  /* Translators: "Up to $120.00 of the payments on this invoice can go back to the card." */
  description = g_strdup_printf (_("Up to %s of the payments on this invoice can go back to the card."), max);
  adw_window_title_set_subtitle (self->window_title, invoice->number);
  adw_preferences_group_set_description (self->group, description);
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), plain);
  set_busy (self, FALSE);
  set_error (self, NULL);
  /* The amount first, as in the payment dialog: typing replaces it. */
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
  return self;
}

void
cp_refund_dialog_set_amount_text (CpRefundDialog *self,
                                  const char     *text)
{
  g_return_if_fail (CP_IS_REFUND_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
}

void
cp_refund_dialog_set_reason (CpRefundDialog *self,
                             const char     *reason)
{
  g_return_if_fail (CP_IS_REFUND_DIALOG (self));
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_strcmp0 (reasons[i], reason) == 0)
      adw_combo_row_set_selected (self->reason_row, i);
}

gboolean
cp_refund_dialog_get_busy (CpRefundDialog *self)
{
  g_return_val_if_fail (CP_IS_REFUND_DIALOG (self), FALSE);
  return self->busy;
}

const char *
cp_refund_dialog_get_error (CpRefundDialog *self)
{
  g_return_val_if_fail (CP_IS_REFUND_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}
