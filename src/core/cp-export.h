/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-store.h"

G_BEGIN_DECLS

/* The payments and refunds of a date range as CSV for accounting (RFC 4180,
 * CRLF line ends, UTF-8, a header row). Columns:
 *   date, type, invoice_number, patient_mrn, amount, currency, stripe_id,
 *   status, channel, card_brand, card_last4, staff, created_at
 * date is the UTC day of created_at; type is "payment" or "refund"; amount
 * is exact decimal text ("1234.50"), negative for refunds so that a column
 * sum is the net taken; channel, card brand and last4 of a refund are those
 * of the payment it refunds; staff is a username, empty for kiosk and link
 * payments. Text that a spreadsheet would run as a formula (starting with
 * = + - @) gets a leading apostrophe. */

typedef enum {
  CP_EXPORT_FLAGS_NONE = 0,
  /* Also failed, canceled and unfinished attempts (by default only
   * succeeded payments and succeeded or pending refunds). */
  CP_EXPORT_ALL_STATUSES = 1 << 0,
} CpExportFlags;

/* from and to are YYYY-MM-DD, inclusive, UTC. Returns the CSV text. */
char *cp_export_payments_csv (CpStore        *store,
                              const char     *from,
                              const char     *to,
                              CpExportFlags   flags,
                              guint          *out_rows,
                              GError        **error);

/* The same in a worker thread, for the app. */
void  cp_export_payments_csv_async  (CpStore             *store,
                                     const char          *from,
                                     const char          *to,
                                     CpExportFlags        flags,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
char *cp_export_payments_csv_finish (CpStore             *store,
                                     GAsyncResult        *result,
                                     GError             **error);

/* One CSV field, quoted when needed (exposed for the tests). */
void  cp_export_append_field (GString        *line,
                              const char     *value,
                              gboolean        guard_formula);

G_END_DECLS
