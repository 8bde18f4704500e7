/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-kiosk-guard.h"
#include "cp-ledger.h"
#include "cp-payment-view.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* The kiosk's pages for one patient: start, lookup, the patient's open
 * invoices, then one invoice, card payment and confirmation (those three in
 * its CpKioskCheckout, cp-kiosk-checkout.c). Everything a patient enters or
 * sees lives in this widget, so the window forgets a patient by throwing the
 * view away and making a new one. The guard outlives views. */

#define CP_TYPE_KIOSK_VIEW (cp_kiosk_view_get_type ())
G_DECLARE_FINAL_TYPE (CpKioskView, cp_kiosk_view, CP, KIOSK_VIEW, GtkWidget)

/* store and ledger may be NULL while they are not ready ("Getting ready…");
 * language is "en" or "es". */
GtkWidget     *cp_kiosk_view_new                     (CpStore      *store,
                                                      CpLedger     *ledger,
                                                      CpKioskGuard *guard,
                                                      const char   *language);
const char    *cp_kiosk_view_get_language            (CpKioskView  *self);
/* The visible page: "loading", "start", "lookup", "invoices", "invoice",
 * "payment" or "confirmation". */
const char    *cp_kiosk_view_get_page                (CpKioskView  *self);
/* TRUE on the start page before anyone touched anything. */
gboolean       cp_kiosk_view_get_pristine            (CpKioskView  *self);
/* The PaymentIntent waiting for a card, if any: cancel it when the patient leaves. */
const char    *cp_kiosk_view_get_open_payment_intent (CpKioskView  *self);
CpPaymentView *cp_kiosk_view_get_payment_view        (CpKioskView  *self);
/* Shown instead of the start page when payments cannot be taken. */
void           cp_kiosk_view_set_unavailable         (CpKioskView  *self,
                                                      const char   *message);

/* The day/month/year fields' order for `language` in the current locale,
 * as a string of 'd', 'm' and 'y' ("mdy", "dmy", "ymd"). */
char          *cp_kiosk_date_order                   (const char   *language);

G_END_DECLS
