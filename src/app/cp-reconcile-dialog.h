/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"

G_BEGIN_DECLS

#define CP_TYPE_RECONCILE_DIALOG (cp_reconcile_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpReconcileDialog, cp_reconcile_dialog, CP, RECONCILE_DIALOG, AdwWindow)

/* Compares every invoice's payments and refunds with Stripe's
 * (cp_ledger_verify, in a worker thread) behind a spinner, then lists each
 * difference (invoice number, Stripe id, what) or says that everything
 * matches, with the number of invoices checked. reconcile.run checks again.
 * ::finished after each check. */
CpReconcileDialog *cp_reconcile_dialog_new            (GtkWindow         *parent,
                                                       CpLedger          *ledger);
/* Starts a check (one is started by _new). */
void               cp_reconcile_dialog_run            (CpReconcileDialog *self);
/* "working", "matches", "differences" or "error". */
const char        *cp_reconcile_dialog_get_state      (CpReconcileDialog *self);
/* The differences of the last check (CpLedgerDifference), or NULL. */
GPtrArray         *cp_reconcile_dialog_get_differences (CpReconcileDialog *self);
/* Invoices checked by the last check. */
guint              cp_reconcile_dialog_get_n_checked  (CpReconcileDialog *self);

G_END_DECLS
