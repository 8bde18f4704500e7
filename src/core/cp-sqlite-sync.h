/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* What the sync keeps beside the ledger (schema v5), written in the same
 * transaction as the page of events it belongs to. Used by cp-ledger*.c. */

/* The newest state of a Stripe object the ledger applied: an event's
 * created second in microseconds with the event's id, or when we asked
 * Stripe (event_id NULL). */
typedef struct {
  gboolean known;
  gint64   seen_us;
  gboolean from_event;
} CpStripeVersion;

gboolean cp_sqlite_sync_get_version   (CpSqliteStore    *self,
                                       const char       *object_id,
                                       CpStripeVersion  *out_version,
                                       GError          **error);
/* Kept only when not older than what is there. */
gboolean cp_sqlite_sync_note_version  (CpSqliteStore    *self,
                                       const char       *object_id,
                                       gint64            seen_us,
                                       const char       *event_id,
                                       GError          **error);

/* An invoice's number and currency, without its lines and sums (what most
 * events need of it); CP_ERROR_NOT_FOUND if there is no such invoice. */
gboolean cp_sqlite_sync_invoice_brief (CpSqliteStore    *self,
                                       gint64            invoice_id,
                                       char            **out_number,
                                       char            **out_currency,
                                       GError          **error);

/* Invoices whose payment link is to be seen to after a commit. */
gboolean cp_sqlite_sync_queue_link_check (CpSqliteStore  *self,
                                          gint64          invoice_id,
                                          GError        **error);
/* The queued invoice ids (gint64), oldest first. */
GArray  *cp_sqlite_sync_list_link_checks (CpSqliteStore  *self,
                                          GError        **error);
gboolean cp_sqlite_sync_link_check_done  (CpSqliteStore  *self,
                                          gint64          invoice_id,
                                          GError        **error);

G_END_DECLS
