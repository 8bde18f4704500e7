/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-kiosk-checkout.h"
#include "cp-kiosk-view.h"
#include "cp-kiosk-window.h"

G_BEGIN_DECLS

/* Shared by the kiosk's pages (cp-kiosk-view.c, cp-kiosk-checkout.c). */
/* Shows `message` in `label`, or hides the label for NULL. */
void         cp_kiosk_show_error                (GtkWidget     *label,
                                                 const char    *message);
void         cp_kiosk_clear_list                (GtkWidget     *list);
/* "2026-03-12" as the patient reads it: "March 12, 2026". */
char        *cp_kiosk_format_date               (const char    *iso);
/* Cancels a PaymentIntent the patient left, in the background; a failure
 * is logged as a warning unless the call was cancelled. */
void         cp_kiosk_cancel_payment            (CpLedger      *ledger,
                                                 const char    *payment_intent_id,
                                                 GCancellable  *cancellable);

/* For the tests: a template child of the view by its id in cp-kiosk-view.ui. */
GtkWidget   *cp_kiosk_view_get_child            (CpKioskView   *self,
                                                 const char    *id);
GtkWidget   *cp_kiosk_checkout_get_child        (CpKioskCheckout *self,
                                                 const char      *id);
CpKioskView *cp_kiosk_window_get_view           (CpKioskWindow *self);
GtkWindow   *cp_kiosk_window_get_countdown      (CpKioskWindow *self);
GtkWindow   *cp_kiosk_window_get_exit_dialog    (CpKioskWindow *self);
/* The exit dialog's parts, NULL while it is closed. */
void         cp_kiosk_window_get_exit_widgets   (CpKioskWindow *self,
                                                 GtkWidget    **username,
                                                 GtkWidget    **password,
                                                 GtkWidget    **leave_button,
                                                 GtkWidget    **error_label);

G_END_DECLS
