/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-patient-view.h"
#include "cp-signin-page.h"
#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_WINDOW (cp_window_get_type ())
G_DECLARE_FINAL_TYPE (CpWindow, cp_window, CP, WINDOW, AdwApplicationWindow)


/* `application` may be NULL (tests). Shows a spinner until cp_window_set_store(). */
CpWindow        *cp_window_new                (GtkApplication *application);
/* Shows the sign-in page for `store`. */
void             cp_window_set_store          (CpWindow       *self,
                                               CpStore        *store);
/* Shows the sign-in page while the store is still opening: a sign-in
 * submitted meanwhile waits for cp_window_set_store(). */
void             cp_window_show_signin        (CpWindow       *self);
CpStore         *cp_window_get_store          (CpWindow       *self);
/* Turns on payments, links, refunds and voids. `training`: the ledger talks
 * to the local simulator, and a banner says so. */
void             cp_window_set_ledger         (CpWindow       *self,
                                               CpLedger       *ledger,
                                               gboolean        training);
CpLedger        *cp_window_get_ledger         (CpWindow       *self);
/* Whether the training-mode banner is shown. */
gboolean         cp_window_get_training       (CpWindow       *self);
AdwToastOverlay *cp_window_get_toast_overlay  (CpWindow       *self);
/* Shows what went wrong opening the database at `path`, and what to do. */
void             cp_window_show_store_error   (CpWindow       *self,
                                               const char     *path,
                                               const GError   *error);
/* The signed-in staff member, or NULL. */
const CpStaff   *cp_window_get_staff          (CpWindow       *self);
/* "loading", "error", "signin" or "main". */
const char      *cp_window_get_page           (CpWindow       *self);
/* Shows the invoice in the detail pane (and goes to it when folded). */
void             cp_window_open_invoice       (CpWindow       *self,
                                               gint64          invoice_id);
void             cp_window_open_patient       (CpWindow       *self,
                                               gint64          patient_id);

CpSigninPage    *cp_window_get_signin_page    (CpWindow       *self);
CpInvoiceList   *cp_window_get_invoice_list   (CpWindow       *self);
CpInvoiceDetail *cp_window_get_invoice_detail (CpWindow       *self);
CpPatientView   *cp_window_get_patient_view   (CpWindow       *self);
AdwLeaflet      *cp_window_get_leaflet        (CpWindow       *self);
/* "invoice" or "patient": what the detail pane shows. */
const char      *cp_window_get_detail_page    (CpWindow       *self);

G_END_DECLS
