/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-reconcile-dialog.h"

struct _CpReconcileDialog
{
  AdwWindow       parent_instance;

  CpLedger       *ledger;
  GCancellable   *cancellable;
  GPtrArray      *differences;
  guint           n_checked;
  gboolean        running;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  AdwStatusPage  *matches_page;
  GtkLabel       *summary_label;
  GtkListBox     *differences_list;
  AdwStatusPage  *error_page;
};

G_DEFINE_FINAL_TYPE (CpReconcileDialog, cp_reconcile_dialog, ADW_TYPE_WINDOW)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  GPtrArray *differences;
  guint      n_checked;
} VerifyResult;

static void
verify_result_free (gpointer data)
{
  VerifyResult *result = data;

  g_clear_pointer (&result->differences, g_ptr_array_unref);
  g_free (result);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpLedger *ledger = task_data;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GError) error = NULL;
  VerifyResult *result;

  invoices = cp_store_list_invoices (cp_ledger_get_store (ledger), &query, &error);
  if (invoices == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result = g_new0 (VerifyResult, 1);
  result->n_checked = invoices->len;
  result->differences = cp_ledger_verify (ledger, cancellable, &error);
  if (result->differences == NULL)
    {
      verify_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, verify_result_free);
}

static GtkWidget *
difference_row_new (const CpLedgerDifference *difference)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 difference->invoice_number != NULL ? difference->invoice_number
                                                                    : _("No invoice here"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Translators: "pi_3Nx… — payment missing locally" */
  subtitle = g_strdup_printf (_("%s — %s"), difference->stripe_id != NULL ? difference->stripe_id : "—",
                              difference->what != NULL ? difference->what : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  return row;
}

static void
show_result (CpReconcileDialog *self)
{
  g_autofree char *checked = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->differences_list))) != NULL)
    gtk_list_box_remove (self->differences_list, child);

  checked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u invoice checked", "%u invoices checked",
                                          self->n_checked), self->n_checked);
  if (self->differences->len == 0)
    {
      adw_status_page_set_description (self->matches_page, checked);
      gtk_stack_set_visible_child_name (self->stack, "matches");
      adw_window_title_set_subtitle (self->window_title, checked);
      return;
    }

  {
    g_autofree char *summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u difference with Stripe",
                                                             "%u differences with Stripe",
                                                             self->differences->len),
                                                self->differences->len);

    gtk_label_set_text (self->summary_label, summary);
  }
  for (guint i = 0; i < self->differences->len; i++)
    gtk_list_box_append (self->differences_list, difference_row_new (g_ptr_array_index (self->differences, i)));
  adw_window_title_set_subtitle (self->window_title, checked);
  gtk_stack_set_visible_child_name (self->stack, "differences");
}

static void
verify_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpReconcileDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  VerifyResult *vr;

  vr = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->ledger == NULL)
    {
      g_clear_pointer (&vr, verify_result_free);
      return;
    }
  self->running = FALSE;
  gtk_spinner_stop (self->spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reconcile.run", TRUE);
  if (vr == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      g_clear_pointer (&self->differences, g_ptr_array_unref);
      self->differences = g_steal_pointer (&vr->differences);
      self->n_checked = vr->n_checked;
      verify_result_free (vr);
      show_result (self);
    }
  g_signal_emit (self, signals[FINISHED], 0);
}

void
cp_reconcile_dialog_run (CpReconcileDialog *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_RECONCILE_DIALOG (self));

  if (self->running || self->ledger == NULL)
    return;
  self->running = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reconcile.run", FALSE);
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "working");
  adw_window_title_set_subtitle (self->window_title, NULL);

  task = g_task_new (NULL, self->cancellable, verify_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, cp_reconcile_dialog_run);
  g_task_set_task_data (task, g_object_ref (self->ledger), g_object_unref);
  g_task_run_in_thread (task, verify_thread);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  cp_reconcile_dialog_run (CP_RECONCILE_DIALOG (widget));
}

const char *
cp_reconcile_dialog_get_state (CpReconcileDialog *self)
{
  g_return_val_if_fail (CP_IS_RECONCILE_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GPtrArray *
cp_reconcile_dialog_get_differences (CpReconcileDialog *self)
{
  g_return_val_if_fail (CP_IS_RECONCILE_DIALOG (self), NULL);

  return self->differences;
}

guint
cp_reconcile_dialog_get_n_checked (CpReconcileDialog *self)
{
  g_return_val_if_fail (CP_IS_RECONCILE_DIALOG (self), 0);

  return self->n_checked;
}

static void
cp_reconcile_dialog_dispose (GObject *object)
{
  CpReconcileDialog *self = CP_RECONCILE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->ledger);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_RECONCILE_DIALOG);

  G_OBJECT_CLASS (cp_reconcile_dialog_parent_class)->dispose (object);
}

static void
cp_reconcile_dialog_finalize (GObject *object)
{
  CpReconcileDialog *self = CP_RECONCILE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->differences, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_reconcile_dialog_parent_class)->finalize (object);
}

static void
cp_reconcile_dialog_class_init (CpReconcileDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_reconcile_dialog_dispose;
  object_class->finalize = cp_reconcile_dialog_finalize;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-reconcile-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpReconcileDialog, name)
  BIND (window_title);
  BIND (stack);
  BIND (spinner);
  BIND (matches_page);
  BIND (summary_label);
  BIND (differences_list);
  BIND (error_page);
#undef BIND
  gtk_widget_class_install_action (widget_class, "reconcile.run", NULL, run_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_reconcile_dialog_init (CpReconcileDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

CpReconcileDialog *
cp_reconcile_dialog_new (GtkWindow *parent,
                         CpLedger  *ledger)
{
  CpReconcileDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);

  self = g_object_new (CP_TYPE_RECONCILE_DIALOG, "transient-for", parent, NULL);
  self->ledger = g_object_ref (ledger);
  cp_reconcile_dialog_run (self);
  return self;
}
