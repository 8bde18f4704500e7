/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"
#include "cp-sync.h"
#include "cp-window.h"

G_BEGIN_DECLS

/* Payments that arrive by themselves: keeps the staff window up to date with
 * Stripe while it is open.
 *
 * - Runs CpSync every GSettings sync-interval seconds (re-read when the key
 *   changes) in a worker thread (cp_sync_run_async), never overlapping two
 *   passes; cp_sync_controller_sync_now() runs one at once.
 * - When GSettings webhook-port is not 0 and a webhook signing secret is
 *   known, a CpWebhookListener on 127.0.0.1:webhook-port, in a thread with
 *   its own GMainContext (it blocks its context for a Stripe request).
 * - On each changed invoice the window's list reloads (coalesced, once per
 *   burst) and the detail reloads if it shows that invoice; on each payment
 *   received, a desktop notification (cp-notifier.c) unless the newest
 *   payment was taken at this desk by the signed-in staff member a moment
 *   ago (the desk's own payment dialog already showed its success page).
 * - The sync status goes to the list's footer: "Synced 12:04" or
 *   "Sync failed: <reason> — retrying".
 * - With an application: app.sync-now (F5, Ctrl+Shift+R) and app.reconcile
 *   (opens CpReconcileDialog).
 *
 * Signals:
 *   ::payment-notified (gint64 invoice_id)  a notification was sent
 *   ::synced ()                             a sync pass ended (see status) */

#define CP_TYPE_SYNC_CONTROLLER (cp_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (CpSyncController, cp_sync_controller, CP, SYNC_CONTROLLER, GObject)

/* `application` may be NULL (tests): no actions, no notifications are sent
 * (::payment-notified is still emitted). `webhook_secret` may be NULL: no
 * webhook listener then. */
CpSyncController *cp_sync_controller_new             (GApplication     *application,
                                                      CpLedger         *ledger,
                                                      const char       *webhook_secret);
/* The staff window to keep up to date (held weakly). */
void              cp_sync_controller_set_window      (CpSyncController *self,
                                                      CpWindow         *window);
void              cp_sync_controller_start           (CpSyncController *self);
void              cp_sync_controller_stop            (CpSyncController *self);
/* Runs a pass now (or right after the one running). */
void              cp_sync_controller_sync_now        (CpSyncController *self);
/* Opens the reconcile dialog over the window; NULL (and nothing) while
 * nobody is signed in to it. */
GtkWindow        *cp_sync_controller_reconcile       (CpSyncController *self);

CpSync           *cp_sync_controller_get_sync        (CpSyncController *self);
/* The footer text; NULL before the first pass ends. */
const char       *cp_sync_controller_get_status      (CpSyncController *self);
/* Passes finished, successful or not. */
guint             cp_sync_controller_get_n_passes    (CpSyncController *self);
/* The port the webhook listener listens on, 0 when there is none. */
guint             cp_sync_controller_get_webhook_port (CpSyncController *self);
/* Webhook events applied so far. */
guint             cp_sync_controller_get_n_webhooks  (CpSyncController *self);

G_END_DECLS
