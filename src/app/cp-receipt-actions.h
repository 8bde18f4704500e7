/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-mail.h"
#include "cp-receipt.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* Receipts and statements from the staff app: Save as PDF, Print (the same
 * pages drawn by cp-receipt with cairo into the print context) and Email
 * (CpMailer with the smtp-* preferences, logged in the store's send log).
 * The issuer comes from the hospital-* preferences. */

/* The latest payment that counts (succeeded), or NULL. */
const CpPayment *cp_receipt_actions_latest_payment  (const CpInvoice *invoice);

/* Builds the PDF of the latest payment's receipt, or the patient's statement
 * of open invoices (read from `store`) as of cp_today(). */
GBytes   *cp_receipt_actions_render_receipt   (const CpInvoice  *invoice,
                                               GError          **error);
GBytes   *cp_receipt_actions_render_statement (CpStore          *store,
                                               const CpInvoice  *invoice,
                                               GError          **error);

/* Prints the latest payment's receipt. With `export_filename` the operation
 * runs without a dialog and writes a PDF there (GTK_PRINT_OPERATION_ACTION_EXPORT). */
GtkPrintOperationResult cp_receipt_actions_print_receipt (GtkWindow        *parent,
                                                          const CpInvoice  *invoice,
                                                          const char       *export_filename,
                                                          GError          **error);

/* The relay from the smtp-* preferences (password from the keyring, looked
 * up by the send) or, when CAREPAY_SMTP_HOST is set, from the environment. */
CpMailConfig *cp_receipt_actions_mail_config  (GError **error);

/* Mails the latest payment's receipt, PDF attached, to the patient's address
 * on file. `config` NULL: cp_receipt_actions_mail_config(). The send log
 * gets the message whether it went or not. */
void      cp_receipt_actions_email_async      (CpStore             *store,
                                               const CpInvoice     *invoice,
                                               const CpMailConfig  *config,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  cp_receipt_actions_email_finish     (GAsyncResult        *result,
                                               GError             **error);

/* invoice.save-receipt, invoice.print-receipt, invoice.email-receipt and
 * invoice.save-statement on a widget class whose instances give the invoice
 * and store through `get_invoice` and `get_store`. Messages go to the
 * nearest AdwToastOverlay; the last one is also kept as the widget's
 * CP_RECEIPT_ACTIONS_MESSAGE data (a string). `sent` is called after an
 * e-mail went or failed (to refresh a send log list); may be NULL. */
#define CP_RECEIPT_ACTIONS_MESSAGE "cp-receipt-actions-message"
typedef const CpInvoice *(*CpReceiptInvoiceFunc) (GtkWidget *widget);
typedef CpStore         *(*CpReceiptStoreFunc)   (GtkWidget *widget);
typedef void             (*CpReceiptSentFunc)    (GtkWidget *widget);
void      cp_receipt_actions_install          (GtkWidgetClass       *widget_class,
                                               CpReceiptInvoiceFunc  get_invoice,
                                               CpReceiptStoreFunc    get_store,
                                               CpReceiptSentFunc     sent);
/* Enables the actions: receipts with a payment, the statement with a
 * patient, e-mail with a payment and a patient's address. */
void      cp_receipt_actions_update           (GtkWidget            *widget,
                                               const CpInvoice      *invoice);

/* Fills `list` with an invoice's send log (CpMailLogEntry: kind, recipient,
 * status, time), read by the caller off the main thread; NULL empties it. */
void      cp_receipt_actions_show_mail_log    (GtkListBox           *list,
                                               GPtrArray            *log);

G_END_DECLS
