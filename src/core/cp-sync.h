/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-ledger.h"

G_BEGIN_DECLS

/* Keeps the ledger up to date with Stripe by polling /v1/events.
 *
 * It resumes after the last event it applied (the cursor, kept in the
 * store's meta table as "sync.cursor", with "sync.cursor_created" and
 * "sync.last_sync"), walks newer events oldest first and applies them a
 * page (100 events) at a time: each event by its own body (the object as of
 * that event, listed from Stripe with our key), never undoing a newer state
 * the ledger already has (cp-ledger-bodies.c), and the cursor saved in one
 * transaction, so a crash mid-page leaves neither half a page nor a cursor
 * ahead of the ledger, and the next pass applies the page again. An event
 * whose body is not enough asks Stripe, outside the transaction. Links of
 * invoices a page paid are revoked after its commit, from a queue kept in
 * the same transaction, so a crash in between delays that to the next
 * pass rather than losing it. Stripe keeps
 * events for 30 days: when the cursor is older than that, or Stripe no
 * longer knows it, the sync catches up by listing the PaymentIntents and
 * refunds created since the last sync (with an hour's margin), applies
 * those, and carries on from Stripe's newest event.
 *
 * Signals are emitted on the thread that runs the sync (the main context
 * of the caller for cp_sync_run_async and the poller):
 *   ::payment-received (gint64 invoice_id)  a payment succeeded
 *   ::invoice-changed  (gint64 invoice_id)  its payments or refunds changed */

#define CP_TYPE_SYNC (cp_sync_get_type ())
G_DECLARE_FINAL_TYPE (CpSync, cp_sync, CP, SYNC, GObject)

#define CP_SYNC_DEFAULT_INTERVAL 30 /* seconds */

CpSync   *cp_sync_new          (CpLedger      *ledger);
CpLedger *cp_sync_get_ledger   (CpSync        *self);
guint     cp_sync_get_interval (CpSync        *self);
void      cp_sync_set_interval (CpSync        *self,
                                guint          seconds);

/* One pass, blocking (carepayctl, tests). *out_applied: how many money
 * events were applied for the first time (after a long gap, plus how many
 * listed objects changed an invoice). */
gboolean  cp_sync_run          (CpSync        *self,
                                GCancellable  *cancellable,
                                guint         *out_applied,
                                GError       **error);
/* One pass in a worker thread; signals come on the caller's context. */
void      cp_sync_run_async    (CpSync              *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
gboolean  cp_sync_run_finish   (CpSync        *self,
                                GAsyncResult  *result,
                                guint         *out_applied,
                                GError       **error);

/* Polls every `interval` seconds on the thread-default main context until
 * stopped (or the object is disposed). A pass still running is not
 * overlapped by the next one. */
void      cp_sync_start        (CpSync        *self);
void      cp_sync_stop         (CpSync        *self);


G_END_DECLS
