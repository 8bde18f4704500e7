/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* `carepay --kiosk`: a fullscreen window for patients. It cannot be closed
 * (close-request is refused) until an administrator signs in through the
 * discreet corner button or Ctrl+Alt+Q. After "Done" or kiosk-idle-timeout
 * seconds without input (and a countdown) it forgets the patient: a new view,
 * a new payment session, the open PaymentIntent cancelled. */

#define CP_TYPE_KIOSK_WINDOW (cp_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (CpKioskWindow, cp_kiosk_window, CP, KIOSK_WINDOW, AdwApplicationWindow)

CpKioskWindow *cp_kiosk_window_new             (GtkApplication *application);
void           cp_kiosk_window_set_store       (CpKioskWindow  *self,
                                                CpStore        *store);
/* The ledger's Stripe client's configuration gives the payment view its
 * Stripe.js URL and publishable key. */
void           cp_kiosk_window_set_ledger      (CpKioskWindow  *self,
                                                CpLedger       *ledger);
/* Payments cannot be taken (no database, no Stripe): says so to patients. */
void           cp_kiosk_window_set_unavailable (CpKioskWindow  *self,
                                                const char     *message);
/* Back to the start, forgetting the patient. */
void           cp_kiosk_window_reset           (CpKioskWindow  *self);
gboolean       cp_kiosk_window_get_unlocked    (CpKioskWindow  *self);

G_END_DECLS
