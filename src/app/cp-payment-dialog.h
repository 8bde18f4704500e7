/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"
#include "cp-payment-view.h"

G_BEGIN_DECLS

#define CP_TYPE_PAYMENT_DIALOG (cp_payment_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpPaymentDialog, cp_payment_dialog, CP, PAYMENT_DIALOG, AdwWindow)

/* Take Payment at the desk: the amount (balance or part of it), then the
 * card in Stripe's Payment Element (CpPaymentView), then what the ledger
 * recorded after asking Stripe itself. Only the ledger's result counts: a
 * page that says "succeeded" is a reason to ask, not proof.
 * ::payment-completed (gint64 invoice id) once a payment is recorded as
 * succeeded. Cancel (or closing) cancels an attempt still open. */
CpPaymentDialog  *cp_payment_dialog_new            (GtkWindow       *parent,
                                                    CpLedger        *ledger,
                                                    const CpStaff   *staff,
                                                    const CpInvoice *invoice);
/* "amount", "working", "card", "done" or "error". */
const char       *cp_payment_dialog_get_page       (CpPaymentDialog *self);
void              cp_payment_dialog_set_amount_text (CpPaymentDialog *self,
                                                     const char      *text);
/* As the Continue button: FALSE with an inline error if the amount is wrong. */
gboolean          cp_payment_dialog_continue       (CpPaymentDialog *self);
const char       *cp_payment_dialog_get_amount_error (CpPaymentDialog *self);
/* The card view; NULL before Continue has started the payment. */
CpPaymentView    *cp_payment_dialog_get_view       (CpPaymentDialog *self);
/* The decline reason shown after a failed card, or NULL. */
const char       *cp_payment_dialog_get_decline_message (CpPaymentDialog *self);
/* The payment as the ledger recorded it (after completion), or NULL. */
const CpPayment  *cp_payment_dialog_get_payment    (CpPaymentDialog *self);
/* The message on the error page, or NULL. */
const char       *cp_payment_dialog_get_error      (CpPaymentDialog *self);

G_END_DECLS
