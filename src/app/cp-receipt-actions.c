/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Receipts and statements from the staff app: save, print and e-mail. */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-hospital.h"
#include "cp-mail-log.h"
#include "cp-mail-send.h"
#include "cp-receipt-actions.h"
#include "cp-receipt-print.h"
#include "cp-ui-util.h"

const CpPayment *
cp_receipt_actions_latest_payment (const CpInvoice *invoice)
{
  const CpPayment *found = NULL;

  if (invoice == NULL || invoice->payments == NULL)
    return NULL;
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      const CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (payment->status))
        found = payment;
    }
  return found;
}

static const CpPayment *
require_payment (const CpInvoice  *invoice,
                 GError          **error)
{
  const CpPayment *payment = cp_receipt_actions_latest_payment (invoice);

  if (payment == NULL)
    g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("%s has no successful payment"),
                 invoice != NULL ? invoice->number : "?");
  return payment;
}

GBytes *
cp_receipt_actions_render_receipt (const CpInvoice  *invoice,
                                   GError          **error)
{
  const CpPayment *payment = require_payment (invoice, error);
  CpReceiptHeader header = { NULL };
  g_auto(CpHospital) hospital = { NULL };

  if (payment == NULL)
    return NULL;
  cp_hospital_load (&hospital);
  cp_hospital_header (&hospital, &header);
  return cp_receipt_render_payment (&header, invoice, payment, error);
}

static GPtrArray *
open_invoices (CpStore          *store,
               const CpInvoice  *invoice,
               GError          **error)
{
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_free);
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;

  query.patient_id = invoice->patient->id;
  summaries = cp_store_list_invoices (store, &query, error);
  if (summaries == NULL)
    return NULL;
  for (guint i = 0; i < summaries->len; i++)
    {
      CpInvoiceSummary *summary = g_ptr_array_index (summaries, i);
      CpInvoice *open;

      if (summary->voided || summary->balance_due <= 0)
        continue;
      open = cp_store_get_invoice (store, summary->id, error);
      if (open == NULL)
        return NULL;
      g_ptr_array_add (invoices, open);
    }
  return g_steal_pointer (&invoices);
}

GBytes *
cp_receipt_actions_render_statement (CpStore          *store,
                                     const CpInvoice  *invoice,
                                     GError          **error)
{
  g_autoptr(GPtrArray) invoices = NULL;
  g_autofree char *today = cp_today ();
  CpReceiptHeader header = { NULL };
  g_auto(CpHospital) hospital = { NULL };

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  if (invoice == NULL || invoice->patient == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The invoice has no patient"));
      return NULL;
    }
  invoices = open_invoices (store, invoice, error);
  if (invoices == NULL)
    return NULL;
  cp_hospital_load (&hospital);
  cp_hospital_header (&hospital, &header);
  return cp_receipt_render_statement (&header, invoice->patient, invoices, today, error);
}

GtkPrintOperationResult
cp_receipt_actions_print_receipt (GtkWindow        *parent,
                                  const CpInvoice  *invoice,
                                  const char       *export_filename,
                                  GError          **error)
{
  const CpPayment *payment = require_payment (invoice, error);
  g_autofree char *job = NULL;
  CpReceiptHeader header = { NULL };
  g_auto(CpHospital) hospital = { NULL };
  CpReceiptPages *pages;

  if (payment == NULL)
    return GTK_PRINT_OPERATION_RESULT_ERROR;
  cp_hospital_load (&hospital);
  cp_hospital_header (&hospital, &header);
  pages = cp_receipt_render_payment_pages (&header, invoice, payment, error);
  if (pages == NULL)
    return GTK_PRINT_OPERATION_RESULT_ERROR;

  /* Translators: the print job's name, %s is an invoice number */
  job = g_strdup_printf (_("Receipt %s"), invoice->number);
  return cp_receipt_print_pages (parent, pages, job, TRUE, export_filename, error);
}

CpMailConfig *
cp_receipt_actions_mail_config (GError **error)
{
  return cp_hospital_mail_config (_("E-mail is not set up: enter the mail server and sender in Preferences"),
                                  error);
}

void
cp_receipt_actions_email_async (CpStore             *store,
                                const CpInvoice     *invoice,
                                const CpMailConfig  *config,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(CpMailConfig) own_config = NULL;
  g_autoptr(GBytes) pdf = NULL;
  GError *error = NULL;
  const CpPayment *payment;
  CpMailContext context = { 0 };
  g_auto(CpHospital) hospital = { NULL };
  CpMailMessage *message = NULL;

  g_return_if_fail (CP_IS_STORE (store));

  if ((payment = require_payment (invoice, &error)) == NULL ||
      (config == NULL && (config = own_config = cp_receipt_actions_mail_config (&error)) == NULL) ||
      (pdf = cp_receipt_actions_render_receipt (invoice, &error)) == NULL)
    {
      g_task_report_error (NULL, callback, user_data, cp_receipt_actions_email_async, error);
      return;
    }
  cp_hospital_load (&hospital);
  context.hospital_name = hospital.name;
  context.hospital_address = hospital.address;
  context.invoice = invoice;
  context.payment = payment;
  context.pdf = pdf;
  message = cp_mail_compose (CP_MAIL_KIND_RECEIPT, &context, &error);
  if (message == NULL)
    {
      g_task_report_error (NULL, callback, user_data, cp_receipt_actions_email_async, error);
      return;
    }
  cp_mail_send_async (store, config, message, cp_receipt_actions_email_async, cancellable, callback,
                      user_data);
}

gboolean
cp_receipt_actions_email_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return cp_mail_send_finish (result, error);
}

/* The actions */

typedef struct {
  CpReceiptInvoiceFunc get_invoice;
  CpReceiptStoreFunc   get_store;
  CpReceiptSentFunc    sent;
} Hooks;

static GQuark
hooks_quark (void)
{
  return g_quark_from_static_string ("cp-receipt-actions-hooks");
}

static const Hooks *
hooks_for (GtkWidget *widget)
{
  for (GType type = G_OBJECT_TYPE (widget); type != 0; type = g_type_parent (type))
    {
      const Hooks *hooks = g_type_get_qdata (type, hooks_quark ());

      if (hooks != NULL)
        return hooks;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
show_message (GtkWidget  *widget,
              const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  AdwToast *previous = g_object_get_data (G_OBJECT (widget), "cp-receipt-actions-toast");

  g_object_set_data_full (G_OBJECT (widget), CP_RECEIPT_ACTIONS_MESSAGE, g_strdup (text), g_free);
  /* One message at a time: "Sending…" gives way to how it went */
  if (previous != NULL)
    adw_toast_dismiss (previous);
  if (overlay != NULL)
    {
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 8);
      g_object_set_data_full (G_OBJECT (widget), "cp-receipt-actions-toast", g_object_ref (toast),
                              g_object_unref);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
  else
    g_debug ("%s", text);
}

static void
show_error (GtkWidget    *widget,
            const char   *what,
            const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);
  GtkRoot *root = gtk_widget_get_root (widget);

  show_message (widget, text);
  /* Without a toast overlay (a dialog): a message nobody can miss */
  if (gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY) == NULL && GTK_IS_WINDOW (root))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), what, error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static GtkWindow *
widget_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

typedef struct {
  GtkWidget *widget;
  GBytes    *pdf;
} SaveData;

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  SaveData        *data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        show_message (data->widget, _("Choose a local file to save to"));
      else if (!cp_receipt_save (data->pdf, path, &error))
        show_error (data->widget, _("Could not save the PDF"), error);
      else
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *text = g_strdup_printf (_("Saved %s"), base);

          show_message (data->widget, text);
        }
    }
  g_object_unref (data->widget);
  g_bytes_unref (data->pdf);
  g_free (data);
  g_object_unref (dialog);
}

static void
save_pdf (GtkWidget  *widget,
          GBytes     *pdf,
          const char *title,
          const char *name)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  SaveData *data = g_new0 (SaveData, 1);

  chooser = gtk_file_chooser_native_new (title, widget_window (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_pattern (filter, "*.pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  data->widget = g_object_ref (widget);
  data->pdf = g_bytes_ref (pdf);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_receipt_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  const CpInvoice *invoice = hooks_for (widget)->get_invoice (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = cp_receipt_actions_render_receipt (invoice, &error);
  g_autofree char *name = NULL;

  if (pdf == NULL)
    {
      show_error (widget, _("Could not make the receipt"), error);
      return;
    }
  /* Translators: a file name, %s is an invoice number */
  name = g_strdup_printf (_("Receipt %s.pdf"), invoice->number);
  save_pdf (widget, pdf, _("Save Receipt as PDF"), name);
}

static void
save_statement_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  const Hooks *hooks = hooks_for (widget);
  const CpInvoice *invoice = hooks->get_invoice (widget);
  CpStore *store = hooks->get_store (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *name = NULL;

  if (store == NULL || invoice == NULL)
    return;
  pdf = cp_receipt_actions_render_statement (store, invoice, &error);
  if (pdf == NULL)
    {
      show_error (widget, _("Could not make the statement"), error);
      return;
    }
  /* Translators: a file name, %s is a medical record number */
  name = g_strdup_printf (_("Statement %s.pdf"), invoice->patient->mrn);
  save_pdf (widget, pdf, _("Save Statement as PDF"), name);
}

static void
print_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  const CpInvoice *invoice = hooks_for (widget)->get_invoice (widget);
  g_autoptr(GError) error = NULL;

  if (cp_receipt_actions_print_receipt (widget_window (widget), invoice, NULL, &error)
      == GTK_PRINT_OPERATION_RESULT_ERROR)
    show_error (widget, _("Could not print the receipt"), error);
}

static void
email_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GtkWidget) widget = user_data;
  g_autoptr(GError) error = NULL;
  const Hooks *hooks = hooks_for (widget);

  if (!cp_receipt_actions_email_finish (result, &error))
    show_error (widget, _("Could not e-mail the receipt"), error);
  else
    show_message (widget, _("Receipt e-mailed"));
  cp_receipt_actions_update (widget, hooks->get_invoice (widget));
  if (hooks->sent != NULL)
    hooks->sent (widget);
}

static void
email_receipt_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  const Hooks *hooks = hooks_for (widget);
  const CpInvoice *invoice = hooks->get_invoice (widget);
  CpStore *store = hooks->get_store (widget);

  if (store == NULL || invoice == NULL)
    return;
  gtk_widget_action_set_enabled (widget, "invoice.email-receipt", FALSE);
  show_message (widget, _("Sending the receipt…"));
  cp_receipt_actions_email_async (store, invoice, NULL, NULL, email_cb, g_object_ref (widget));
}

void
cp_receipt_actions_install (GtkWidgetClass       *widget_class,
                            CpReceiptInvoiceFunc  get_invoice,
                            CpReceiptStoreFunc    get_store,
                            CpReceiptSentFunc     sent)
{
  Hooks *hooks = g_new0 (Hooks, 1);

  hooks->get_invoice = get_invoice;
  hooks->get_store = get_store;
  hooks->sent = sent;
  g_type_set_qdata (G_TYPE_FROM_CLASS (widget_class), hooks_quark (), hooks);
  gtk_widget_class_install_action (widget_class, "invoice.save-receipt", NULL, save_receipt_action);
  gtk_widget_class_install_action (widget_class, "invoice.print-receipt", NULL, print_receipt_action);
  gtk_widget_class_install_action (widget_class, "invoice.email-receipt", NULL, email_receipt_action);
  gtk_widget_class_install_action (widget_class, "invoice.save-statement", NULL, save_statement_action);
}

void
cp_receipt_actions_update (GtkWidget       *widget,
                           const CpInvoice *invoice)
{
  gboolean paid = cp_receipt_actions_latest_payment (invoice) != NULL;
  gboolean patient = invoice != NULL && invoice->patient != NULL;
  gboolean email = patient && invoice->patient->email != NULL && *invoice->patient->email != '\0';

  gtk_widget_action_set_enabled (widget, "invoice.save-receipt", paid);
  gtk_widget_action_set_enabled (widget, "invoice.print-receipt", paid);
  gtk_widget_action_set_enabled (widget, "invoice.email-receipt", paid && email);
  gtk_widget_action_set_enabled (widget, "invoice.save-statement", patient);
}

static const char *
mail_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "receipt") == 0)
    return _("Receipt");
  if (g_strcmp0 (kind, "refund") == 0)
    return _("Refund confirmation");
  if (g_strcmp0 (kind, "invoice") == 0)
    return _("Invoice");
  if (g_strcmp0 (kind, "statement") == 0)
    return _("Statement");
  if (kind != NULL && g_str_has_prefix (kind, "reminder"))
    return _("Reminder");
  return kind;
}

static const char *
mail_status_label (const char *status)
{
  if (g_strcmp0 (status, "sent") == 0)
    return _("Sent");
  if (g_strcmp0 (status, "failed") == 0)
    return _("Failed");
  if (g_strcmp0 (status, "retrying") == 0)
    return _("Retrying");
  if (g_strcmp0 (status, "sending") == 0)
    return _("Sending");
  return status;
}

void
cp_receipt_actions_show_mail_log (GtkListBox *list,
                                  GPtrArray  *log)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_LIST_BOX (list));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
  if (log == NULL)
    return;
  if (log->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No messages sent"));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (list, row);
      return;
    }
  for (guint i = 0; i < log->len; i++)
    {
      CpMailLogEntry *entry = g_ptr_array_index (log, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *status = gtk_label_new (mail_status_label (entry->status));
      g_autofree char *title = NULL;
      g_autofree char *when = cp_ui_format_timestamp (entry->sent_at != NULL ? entry->sent_at : entry->created_at);
      g_autofree char *subtitle = NULL;

      title = g_markup_printf_escaped ("%s — %s", mail_kind_label (entry->kind), entry->recipient);
      if (entry->last_error != NULL && g_strcmp0 (entry->status, "sent") != 0)
        subtitle = g_markup_printf_escaped ("%s · %s", when, entry->last_error);
      else
        subtitle = g_markup_escape_text (when, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (status, "caption-heading");
      gtk_widget_add_css_class (status, g_strcmp0 (entry->status, "sent") == 0 ? "success"
                                        : g_strcmp0 (entry->status, "failed") == 0 ? "error" : "warning");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);
      gtk_widget_set_name (row, entry->status);
      gtk_list_box_append (list, row);
    }
}
