/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's receipt: print it or e-mail it to the address on file. */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-kiosk-receipt.h"
#include "cp-mail.h"
#include "cp-receipt.h"
#include "cp-smtp-secret.h"

typedef struct {
  char            *name;
  char            *address;
  char            *logo;
  CpReceiptHeader  header;
} Issuer;

static void
issuer_load (Issuer *issuer)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  issuer->name = g_settings_get_string (settings, "hospital-name");
  issuer->address = g_settings_get_string (settings, "hospital-address");
  issuer->logo = g_settings_get_string (settings, "hospital-logo");
  if (*issuer->name == '\0')
    {
      g_free (issuer->name);
      issuer->name = g_strdup (_("Billing office"));
    }
  if (*issuer->logo == '\0' || !g_file_test (issuer->logo, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer (&issuer->logo, g_free);
  issuer->header.name = issuer->name;
  issuer->header.address = issuer->address;
  issuer->header.logo_path = issuer->logo;
  issuer->header.paper = CP_PAPER_AUTO;
}

static void
issuer_clear (Issuer *issuer)
{
  g_clear_pointer (&issuer->name, g_free);
  g_clear_pointer (&issuer->address, g_free);
  g_clear_pointer (&issuer->logo, g_free);
}

/* The invoice, fresh from the store, and its payment `pi` (succeeded) */
static CpInvoice *
load_paid_invoice (CpStore          *store,
                   gint64            invoice_id,
                   const char       *pi,
                   const CpPayment **out_payment,
                   GError          **error)
{
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, invoice_id, error);

  if (invoice == NULL)
    return NULL;
  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      const CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (g_strcmp0 (payment->stripe_payment_intent_id, pi) == 0 &&
          cp_payment_status_counts (payment->status))
        {
          *out_payment = payment;
          return g_steal_pointer (&invoice);
        }
    }
  g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("%s has no payment %s"), invoice->number, pi);
  return NULL;
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CpReceiptPages    *pages)
{
  gtk_print_operation_set_n_pages (operation, (int) cp_receipt_pages_get_n_pages (pages));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              CpReceiptPages    *pages)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = MIN (gtk_print_context_get_width (context) / pages->width,
                      gtk_print_context_get_height (context) / pages->height);

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cp_receipt_pages_draw (pages, (guint) page_nr, cr);
  cairo_restore (cr);
}

gboolean
cp_kiosk_receipt_print (GtkWindow   *parent,
                        CpStore     *store,
                        gint64       invoice_id,
                        const char  *payment_intent_id,
                        const char  *export_filename,
                        GError     **error)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) setup = NULL;
  g_autoptr(GtkPaperSize) paper = NULL;
  const CpPayment *payment = NULL;
  CpReceiptPages *pages;
  Issuer issuer = { NULL };
  GtkPrintOperationResult result;

  g_return_val_if_fail (CP_IS_STORE (store), FALSE);

  invoice = load_paid_invoice (store, invoice_id, payment_intent_id, &payment, error);
  if (invoice == NULL)
    return FALSE;
  issuer_load (&issuer);
  pages = cp_receipt_render_payment_pages (&issuer.header, invoice, payment, error);
  issuer_clear (&issuer);
  if (pages == NULL)
    return FALSE;

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, invoice->number);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  setup = gtk_page_setup_new ();
  paper = gtk_paper_size_new_custom ("carepay-receipt", _("Receipt"), pages->width, pages->height,
                                     GTK_UNIT_POINTS);
  gtk_page_setup_set_paper_size_and_default_margins (setup, paper);
  gtk_print_operation_set_default_page_setup (operation, setup);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), pages);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), pages);
  g_object_set_data_full (G_OBJECT (operation), "cp-receipt-pages", pages,
                          (GDestroyNotify) cp_receipt_pages_free);
  /* A kiosk shows no print dialog: straight to the printer */
  if (export_filename != NULL)
    gtk_print_operation_set_export_filename (operation, export_filename);
  result = gtk_print_operation_run (operation,
                                    export_filename != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                            : GTK_PRINT_OPERATION_ACTION_PRINT,
                                    parent, error);
  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}

static CpMailConfig *
mail_config (GError **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CpMailConfig) config = NULL;

  if (g_getenv ("CAREPAY_SMTP_HOST") != NULL)
    return cp_mail_config_from_env (error);
  settings = g_settings_new (APP_ID);
  config = cp_mail_config_new ();
  config->host = g_settings_get_string (settings, "smtp-host");
  config->port = g_settings_get_uint (settings, "smtp-port");
  config->security = (CpMailSecurity) g_settings_get_enum (settings, "smtp-security");
  config->username = g_settings_get_string (settings, "smtp-username");
  config->from_address = g_settings_get_string (settings, "smtp-from");
  if (*config->username == '\0')
    g_clear_pointer (&config->username, g_free);
  if (*config->host == '\0' || *config->from_address == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("E-mail is not set up"));
      return NULL;
    }
  return g_steal_pointer (&config);
}

typedef struct {
  CpStore       *store;
  CpMailConfig  *config;
  CpMailMessage *message;
} EmailData;

static void
email_data_free (EmailData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->config, cp_mail_config_free);
  g_clear_pointer (&data->message, cp_mail_message_free);
  g_free (data);
}

static void
email_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EmailData *data = task_data;
  g_autoptr(CpMailer) mailer = NULL;
  GError *error = NULL;

  if (data->config->username != NULL && data->config->password == NULL)
    {
      char *password = cp_smtp_password_lookup (data->config->host, data->config->username,
                                                cancellable, &error);

      if (error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      data->config->password = g_strdup (password);
      if (password != NULL)
        cp_smtp_password_free (password);
    }
  mailer = cp_mailer_new (data->config, data->store);
  if (cp_mailer_send (mailer, data->message, NULL, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cp_kiosk_receipt_email_async (CpStore             *store,
                              gint64               invoice_id,
                              const char          *payment_intent_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GBytes) pdf = NULL;
  const CpPayment *payment = NULL;
  CpMailContext context = { 0 };
  Issuer issuer = { NULL };
  GError *error = NULL;
  EmailData *data;

  g_return_if_fail (CP_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_kiosk_receipt_email_async);
  invoice = load_paid_invoice (store, invoice_id, payment_intent_id, &payment, &error);
  if (invoice == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (EmailData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) email_data_free);
  data->store = g_object_ref (store);
  data->config = mail_config (&error);
  if (data->config == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  issuer_load (&issuer);
  pdf = cp_receipt_render_payment (&issuer.header, invoice, payment, &error);
  context.hospital_name = issuer.name;
  context.hospital_address = issuer.address;
  context.invoice = invoice;
  context.payment = payment;
  context.pdf = pdf;
  /* To the patient's address on file: cp_mail_compose() takes nothing else */
  if (pdf != NULL)
    data->message = cp_mail_compose (CP_MAIL_KIND_RECEIPT, &context, &error);
  issuer_clear (&issuer);
  if (data->message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, email_thread);
}

gboolean
cp_kiosk_receipt_email_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
