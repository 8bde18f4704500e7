/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"

G_BEGIN_DECLS

#define CP_TYPE_REFUND_DIALOG (cp_refund_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpRefundDialog, cp_refund_dialog, CP, REFUND_DIALOG, AdwWindow)

/* Refund (supervisors and admins; the ledger checks the role again): an
 * amount, by default the refundable remainder, and Stripe's reason.
 * ::refunded (gint64 invoice id) after the ledger recorded it; then closes. */
CpRefundDialog *cp_refund_dialog_new        (GtkWindow       *parent,
                                             CpLedger        *ledger,
                                             const CpStaff   *staff,
                                             const CpInvoice *invoice);
void            cp_refund_dialog_set_amount_text (CpRefundDialog *self,
                                                  const char     *text);
/* "requested_by_customer", "duplicate" or "fraudulent". */
void            cp_refund_dialog_set_reason (CpRefundDialog *self,
                                             const char     *reason);
/* As the Refund button: FALSE with an inline error if the amount is wrong. */
gboolean        cp_refund_dialog_submit     (CpRefundDialog *self);
gboolean        cp_refund_dialog_get_busy   (CpRefundDialog *self);
const char     *cp_refund_dialog_get_error  (CpRefundDialog *self);

G_END_DECLS
