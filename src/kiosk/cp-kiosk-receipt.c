/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's receipt: print it or e-mail it to the address on file. */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-hospital.h"
#include "cp-kiosk-receipt.h"
#include "cp-mail-send.h"
#include "cp-receipt.h"
#include "cp-receipt-print.h"

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

gboolean
cp_kiosk_receipt_print (GtkWindow   *parent,
                        CpStore     *store,
                        gint64       invoice_id,
                        const char  *payment_intent_id,
                        const char  *language,
                        const char  *export_filename,
                        GError     **error)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_auto(CpHospital) hospital = { NULL };
  CpReceiptHeader header = { NULL };
  const CpPayment *payment = NULL;
  CpReceiptPages *pages;

  g_return_val_if_fail (CP_IS_STORE (store), FALSE);

  invoice = load_paid_invoice (store, invoice_id, payment_intent_id, &payment, error);
  if (invoice == NULL)
    return FALSE;
  cp_hospital_load (&hospital);
  cp_hospital_header (&hospital, &header);
  header.language = language;
  pages = cp_receipt_render_payment_pages (&header, invoice, payment, error);
  if (pages == NULL)
    return FALSE;
  /* A kiosk shows no print dialog: straight to the printer */
  return cp_receipt_print_pages (parent, pages, invoice->number, FALSE, export_filename, error)
         != GTK_PRINT_OPERATION_RESULT_ERROR;
}

void
cp_kiosk_receipt_email_async (CpStore             *store,
                              gint64               invoice_id,
                              const char          *payment_intent_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpMailConfig) config = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_auto(CpHospital) hospital = { NULL };
  CpReceiptHeader header = { NULL };
  const CpPayment *payment = NULL;
  CpMailContext context = { 0 };
  CpMailMessage *message = NULL;
  GError *error = NULL;

  g_return_if_fail (CP_IS_STORE (store));

  if ((invoice = load_paid_invoice (store, invoice_id, payment_intent_id, &payment, &error)) == NULL ||
      (config = cp_hospital_mail_config (_("E-mail is not set up"), &error)) == NULL)
    {
      g_task_report_error (NULL, callback, user_data, cp_kiosk_receipt_email_async, error);
      return;
    }
  cp_hospital_load (&hospital);
  cp_hospital_header (&hospital, &header);
  pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  context.hospital_name = hospital.name;
  context.hospital_address = hospital.address;
  context.invoice = invoice;
  context.payment = payment;
  context.pdf = pdf;
  /* To the patient's address on file: cp_mail_compose() takes nothing else */
  if (pdf != NULL)
    message = cp_mail_compose (CP_MAIL_KIND_RECEIPT, &context, &error);
  if (message == NULL)
    {
      g_task_report_error (NULL, callback, user_data, cp_kiosk_receipt_email_async, error);
      return;
    }
  cp_mail_send_async (store, config, message, cp_kiosk_receipt_email_async, cancellable, callback,
                      user_data);
}

gboolean
cp_kiosk_receipt_email_finish (GAsyncResult  *result,
                               GError       **error)
{
  return cp_mail_send_finish (result, error);
}
