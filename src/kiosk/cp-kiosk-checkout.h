/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-ledger.h"
#include "cp-payment-view.h"
#include "cp-records.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* The kiosk's paying pages for one bill, inside a CpKioskView: the invoice,
 * card payment (the Payment Element, with the bill's PaymentIntent made as
 * soon as the bill is shown) and the confirmation with its receipt. Its
 * buttons go back through the view's actions (view.show-invoices) and the
 * window's (kiosk.reset); after a payment it activates view.refresh-invoices. */

#define CP_TYPE_KIOSK_CHECKOUT (cp_kiosk_checkout_get_type ())
G_DECLARE_FINAL_TYPE (CpKioskCheckout, cp_kiosk_checkout, CP, KIOSK_CHECKOUT, GtkWidget)

/* Once, from the view: store and ledger may be NULL (not ready); without a
 * ledger there is no payment view. language is "en" or "es". */
void           cp_kiosk_checkout_setup                 (CpKioskCheckout *self,
                                                        CpStore         *store,
                                                        CpLedger        *ledger,
                                                        const char      *language);
/* The patient found by the lookup: only their bills are shown. */
void           cp_kiosk_checkout_set_patient           (CpKioskCheckout *self,
                                                        const CpPatient *patient);
/* Shows `invoice` (taken) on the invoice page and gets its payment ready. */
void           cp_kiosk_checkout_show_invoice          (CpKioskCheckout *self,
                                                        CpInvoice       *invoice);
/* Reads the invoice from the store, then shows it if it is the patient's. */
void           cp_kiosk_checkout_load_invoice          (CpKioskCheckout *self,
                                                        gint64           invoice_id);
/* The patient left the bill: its PaymentIntent is cancelled. */
void           cp_kiosk_checkout_leave                 (CpKioskCheckout *self);
/* Whether "Pay another bill" is offered on the confirmation page. */
void           cp_kiosk_checkout_set_another_bill      (CpKioskCheckout *self,
                                                        gboolean         another);
/* "invoice", "payment" or "confirmation". */
const char    *cp_kiosk_checkout_get_page              (CpKioskCheckout *self);
const char    *cp_kiosk_checkout_get_open_payment_intent (CpKioskCheckout *self);
CpPaymentView *cp_kiosk_checkout_get_payment_view      (CpKioskCheckout *self);

G_END_DECLS
