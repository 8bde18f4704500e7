/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"
#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_DETAIL (cp_invoice_detail_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceDetail, cp_invoice_detail, CP, INVOICE_DETAIL, AdwBin)

/* One invoice: header, patient, line items, totals and payment history.
 * Installs invoice.take-payment and invoice.send-link (disabled until the
 * payments work enables them) and invoice.open-patient, which emits
 * ::patient-activated (gint64 patient id). ::loaded after each load. */
GtkWidget       *cp_invoice_detail_new          (void);
void             cp_invoice_detail_set_store    (CpInvoiceDetail *self,
                                                 CpStore         *store);
/* The money actions (take payment, link, refund, void) work once both a
 * ledger and a signed-in staff member are set; refund and void only for
 * supervisors and admins. ::invoice-changed (gint64 id, const char *message)
 * after one of them changed an invoice (the detail has reloaded itself). */
void             cp_invoice_detail_set_ledger   (CpInvoiceDetail *self,
                                                 CpLedger        *ledger);
CpLedger        *cp_invoice_detail_get_ledger   (CpInvoiceDetail *self);
void             cp_invoice_detail_set_staff    (CpInvoiceDetail *self,
                                                 const CpStaff   *staff);
/* Loads and shows the invoice; 0 shows the empty state. */
void             cp_invoice_detail_show_invoice (CpInvoiceDetail *self,
                                                 gint64           id);
void             cp_invoice_detail_reload       (CpInvoiceDetail *self);
gint64           cp_invoice_detail_get_invoice_id (CpInvoiceDetail *self);
/* The invoice shown, or NULL while loading or on error. */
const CpInvoice *cp_invoice_detail_get_invoice  (CpInvoiceDetail *self);
gboolean         cp_invoice_detail_get_loading  (CpInvoiceDetail *self);
/* Whether Take Payment and Send Payment Link are shown. */
gboolean         cp_invoice_detail_get_payment_actions_visible (CpInvoiceDetail *self);

G_END_DECLS
