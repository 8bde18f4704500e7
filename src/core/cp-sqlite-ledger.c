/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ledger methods of CpSqliteStore (schema v2): payments by
 * PaymentIntent, applied events, payment links. Kept apart from
 * cp-sqlite-store.c so neither file grows past what one reads in a sitting. */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"

static void
bind_id_or_null (sqlite3_stmt *stmt,
                 int           idx,
                 gint64        id)
{
  if (id <= 0)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_int64 (stmt, idx, id);
}

CpPayment *
cp_sqlite_payment_from_row (sqlite3_stmt *stmt)
{
  CpPayment *payment = cp_payment_new ();
  CpPaymentChannel channel = CP_PAYMENT_CHANNEL_DESK;

  payment->id = sqlite3_column_int64 (stmt, 0);
  payment->invoice_id = sqlite3_column_int64 (stmt, 1);
  payment->stripe_payment_intent_id = cp_sqlite_col_text (stmt, 2);
  payment->stripe_charge_id = cp_sqlite_col_text (stmt, 3);
  payment->amount = sqlite3_column_int64 (stmt, 4);
  payment->currency = cp_sqlite_col_text (stmt, 5);
  payment->status = cp_sqlite_col_text (stmt, 6);
  payment->card_brand = cp_sqlite_col_text (stmt, 7);
  payment->card_last4 = cp_sqlite_col_text (stmt, 8);
  payment->failure_code = cp_sqlite_col_text (stmt, 9);
  payment->failure_message = cp_sqlite_col_text (stmt, 10);
  payment->receipt_url = cp_sqlite_col_text (stmt, 11);
  cp_payment_channel_from_string ((const char *) sqlite3_column_text (stmt, 12), &channel);
  payment->channel = channel;
  payment->staff_id = sqlite3_column_int64 (stmt, 13);
  payment->created_at = cp_sqlite_col_text (stmt, 14);
  payment->disputed = sqlite3_column_int (stmt, 15) != 0;
  payment->attempt_id = cp_sqlite_col_text (stmt, 16);
  payment->overpaid = sqlite3_column_int (stmt, 17) != 0;
  return payment;
}

CpRefund *
cp_sqlite_refund_from_row (sqlite3_stmt *stmt)
{
  CpRefund *refund = cp_refund_new ();

  refund->id = sqlite3_column_int64 (stmt, 0);
  refund->invoice_id = sqlite3_column_int64 (stmt, 1);
  refund->payment_id = sqlite3_column_int64 (stmt, 2);
  refund->stripe_refund_id = cp_sqlite_col_text (stmt, 3);
  refund->amount = sqlite3_column_int64 (stmt, 4);
  refund->currency = cp_sqlite_col_text (stmt, 5);
  refund->status = cp_sqlite_col_text (stmt, 6);
  refund->reason = cp_sqlite_col_text (stmt, 7);
  refund->staff_id = sqlite3_column_int64 (stmt, 8);
  refund->created_at = cp_sqlite_col_text (stmt, 9);
  refund->failure_reason = cp_sqlite_col_text (stmt, 10);
  return refund;
}

/* Payments and refunds, idempotent by Stripe id */

static gboolean
record_payment (CpStore    *store,
                                CpPayment  *payment,
                                GError    **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = NULL;
  gboolean has_row;

  if (payment->stripe_payment_intent_id == NULL || *payment->stripe_payment_intent_id == '\0' ||
      payment->status == NULL || payment->currency == NULL || payment->amount < 0 ||
      payment->invoice_id <= 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           "A payment needs an invoice, a PaymentIntent id, an amount, a currency and a status");
      return FALSE;
    }

  stmt = cp_sqlite_store_prepare (self,
                  "INSERT INTO payments (invoice_id, stripe_payment_intent_id, stripe_charge_id, amount, "
                  "  currency, status, card_brand, card_last4, failure_code, failure_message, receipt_url, "
                  "  channel, staff_id, created_at, disputed, attempt_id, overpaid) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
                  "ON CONFLICT (stripe_payment_intent_id) DO UPDATE SET "
                  "  stripe_charge_id = COALESCE(excluded.stripe_charge_id, stripe_charge_id), "
                  "  amount = excluded.amount, status = excluded.status, "
                  "  card_brand = COALESCE(excluded.card_brand, card_brand), "
                  "  card_last4 = COALESCE(excluded.card_last4, card_last4), "
                  /* A decline's reason stays on the attempt after it is cancelled */
                  "  failure_code = CASE WHEN excluded.status = 'succeeded' THEN NULL "
                  "    ELSE COALESCE(excluded.failure_code, failure_code) END, "
                  "  failure_message = CASE WHEN excluded.status = 'succeeded' THEN NULL "
                  "    ELSE COALESCE(excluded.failure_message, failure_message) END, "
                  "  receipt_url = COALESCE(excluded.receipt_url, receipt_url), "
                  "  disputed = MAX(disputed, excluded.disputed), "
                  "  attempt_id = COALESCE(attempt_id, excluded.attempt_id), "
                  "  overpaid = MAX(overpaid, excluded.overpaid) "
                  "RETURNING id, invoice_id, created_at, channel, staff_id", error);
  if (stmt == NULL)
    return FALSE;

  now = cp_sqlite_now_utc ();
  sqlite3_bind_int64 (stmt, 1, payment->invoice_id);
  cp_sqlite_bind_text (stmt, 2, payment->stripe_payment_intent_id);
  cp_sqlite_bind_text (stmt, 3, payment->stripe_charge_id);
  sqlite3_bind_int64 (stmt, 4, payment->amount);
  cp_sqlite_bind_text (stmt, 5, payment->currency);
  cp_sqlite_bind_text (stmt, 6, payment->status);
  cp_sqlite_bind_text (stmt, 7, payment->card_brand);
  cp_sqlite_bind_text (stmt, 8, payment->card_last4);
  cp_sqlite_bind_text (stmt, 9, payment->failure_code);
  cp_sqlite_bind_text (stmt, 10, payment->failure_message);
  cp_sqlite_bind_text (stmt, 11, payment->receipt_url);
  cp_sqlite_bind_text (stmt, 12, cp_payment_channel_to_string (payment->channel));
  bind_id_or_null (stmt, 13, payment->staff_id);
  cp_sqlite_bind_text (stmt, 14, payment->created_at ? payment->created_at : now);
  sqlite3_bind_int (stmt, 15, payment->disputed ? 1 : 0);
  cp_sqlite_bind_text (stmt, 16, payment->attempt_id);
  sqlite3_bind_int (stmt, 17, payment->overpaid ? 1 : 0);

  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not record the payment"), error))
    return FALSE;
  g_assert (has_row);

  payment->id = sqlite3_column_int64 (stmt, 0);
  payment->invoice_id = sqlite3_column_int64 (stmt, 1);
  g_free (payment->created_at);
  payment->created_at = cp_sqlite_col_text (stmt, 2);
  /* Drain RETURNING so the statement completes its write */
  return cp_sqlite_store_step_done (self, stmt, _("Could not record the payment"), error);
}

static gboolean
record_refund (CpStore   *store,
                               CpRefund  *refund,
                               GError   **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = NULL;
  gint64 invoice_id;
  gboolean has_row;

  if (refund->stripe_refund_id == NULL || *refund->stripe_refund_id == '\0' ||
      refund->status == NULL || refund->currency == NULL || refund->amount < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           "A refund needs a refund id, a payment, an amount, a currency and a status");
      return FALSE;
    }

  stmt = cp_sqlite_store_prepare (self, "SELECT invoice_id FROM payments WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, refund->payment_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not record the refund"), error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No payment with id %" PRId64), refund->payment_id);
      return FALSE;
    }
  invoice_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, cp_sqlite_stmt_release);

  stmt = cp_sqlite_store_prepare (self,
                  "INSERT INTO refunds (stripe_refund_id, payment_id, invoice_id, amount, currency, status, "
                  "  reason, staff_id, created_at, failure_reason) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                  "ON CONFLICT (stripe_refund_id) DO UPDATE SET "
                  "  amount = excluded.amount, status = excluded.status, "
                  "  reason = COALESCE(reason, excluded.reason), "
                  "  failure_reason = COALESCE(excluded.failure_reason, failure_reason) "
                  "RETURNING id, invoice_id, payment_id, created_at", error);
  if (stmt == NULL)
    return FALSE;

  now = cp_sqlite_now_utc ();
  cp_sqlite_bind_text (stmt, 1, refund->stripe_refund_id);
  sqlite3_bind_int64 (stmt, 2, refund->payment_id);
  sqlite3_bind_int64 (stmt, 3, invoice_id);
  sqlite3_bind_int64 (stmt, 4, refund->amount);
  cp_sqlite_bind_text (stmt, 5, refund->currency);
  cp_sqlite_bind_text (stmt, 6, refund->status);
  cp_sqlite_bind_text (stmt, 7, refund->reason);
  bind_id_or_null (stmt, 8, refund->staff_id);
  cp_sqlite_bind_text (stmt, 9, refund->created_at ? refund->created_at : now);
  cp_sqlite_bind_text (stmt, 10, refund->failure_reason);

  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not record the refund"), error))
    return FALSE;
  g_assert (has_row);

  refund->id = sqlite3_column_int64 (stmt, 0);
  refund->invoice_id = sqlite3_column_int64 (stmt, 1);
  refund->payment_id = sqlite3_column_int64 (stmt, 2);
  g_free (refund->created_at);
  refund->created_at = cp_sqlite_col_text (stmt, 3);
  return cp_sqlite_store_step_done (self, stmt, _("Could not record the refund"), error);
}

static CpPayment *
get_payment_by_intent (CpStore     *store,
                       const char  *payment_intent_id,
                       GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT " PAYMENT_COLUMNS " FROM payments "
                                                          "WHERE stripe_payment_intent_id = ?1", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  cp_sqlite_bind_text (stmt, 1, payment_intent_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the payment"), error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No payment for %s"), payment_intent_id);
      return NULL;
    }
  return cp_sqlite_payment_from_row (stmt);
}

/* Rows of `sql` (one ?1 = invoice id, 0 for all) turned into records by `from_row`. */
static GPtrArray *
list_for_invoice (CpStore         *store,
                  const char      *sql,
                  gint64           invoice_id,
                  CpSqliteFromRow  from_row,
                  GDestroyNotify   free_func,
                  const char      *what,
                  GError         **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, MAX (invoice_id, 0));
  return cp_sqlite_store_read_rows (self, stmt, from_row, free_func, what, error);
}

static GPtrArray *
list_payments (CpStore  *store,
               gint64    invoice_id,
               GError  **error)
{
  return list_for_invoice (store,
                           "SELECT " PAYMENT_COLUMNS " FROM payments "
                           "WHERE ?1 = 0 OR invoice_id = ?1 ORDER BY created_at, id",
                           invoice_id, (CpSqliteFromRow) cp_sqlite_payment_from_row,
                           (GDestroyNotify) cp_payment_free, _("Could not read payments"), error);
}

static GPtrArray *
list_refunds (CpStore  *store,
              gint64    invoice_id,
              GError  **error)
{
  return list_for_invoice (store,
                           "SELECT " REFUND_COLUMNS " FROM refunds "
                           "WHERE ?1 = 0 OR invoice_id = ?1 ORDER BY created_at, id",
                           invoice_id, (CpSqliteFromRow) cp_sqlite_refund_from_row,
                           (GDestroyNotify) cp_refund_free, _("Could not read refunds"), error);
}

static gboolean
event_applied (CpStore     *store,
               const char  *event_id,
               GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT 1 FROM applied_events WHERE event_id = ?1",
                                                          error);
  gboolean has_row = FALSE;

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, event_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read applied events"), error))
    return FALSE;
  return has_row;
}

static gboolean
mark_event_applied (CpStore     *store,
                    const char  *event_id,
                    const char  *type,
                    GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "INSERT INTO applied_events (event_id, type, applied_at) "
                                                          "VALUES (?1, ?2, ?3) ON CONFLICT (event_id) DO NOTHING",
                                                          error);
  g_autofree char *now = cp_sqlite_now_utc ();

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, event_id);
  cp_sqlite_bind_text (stmt, 2, type != NULL ? type : "");
  cp_sqlite_bind_text (stmt, 3, now);
  return cp_sqlite_store_step_done (self, stmt, _("Could not record the event"), error);
}

#define LINK_COLUMNS "id, invoice_id, url, amount, currency, active, created_at, revoked_at, reason"

static CpPaymentLink *
link_from_row (sqlite3_stmt *stmt)
{
  CpPaymentLink *link = cp_payment_link_new ();

  link->id = cp_sqlite_col_text (stmt, 0);
  link->invoice_id = sqlite3_column_int64 (stmt, 1);
  link->url = cp_sqlite_col_text (stmt, 2);
  link->amount = sqlite3_column_int64 (stmt, 3);
  link->currency = cp_sqlite_col_text (stmt, 4);
  link->active = sqlite3_column_int (stmt, 5) != 0;
  link->created_at = cp_sqlite_col_text (stmt, 6);
  link->revoked_at = cp_sqlite_col_text (stmt, 7);
  link->reason = cp_sqlite_col_text (stmt, 8);
  return link;
}

static gboolean
save_payment_link (CpStore        *store,
                   CpPaymentLink  *link,
                   GError        **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = cp_sqlite_now_utc ();

  if (link->id == NULL || link->url == NULL || link->currency == NULL || link->invoice_id <= 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           "A payment link needs an id, a URL, an invoice and a currency");
      return FALSE;
    }

  stmt = cp_sqlite_store_prepare (self,
                                  "INSERT INTO payment_links (id, invoice_id, url, amount, currency, active, "
                                  "  created_at, revoked_at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                                  "ON CONFLICT (id) DO UPDATE SET active = excluded.active, "
                                  "  revoked_at = excluded.revoked_at, reason = excluded.reason", error);
  if (stmt == NULL)
    return FALSE;
  if (link->created_at == NULL)
    link->created_at = g_strdup (now);
  cp_sqlite_bind_text (stmt, 1, link->id);
  sqlite3_bind_int64 (stmt, 2, link->invoice_id);
  cp_sqlite_bind_text (stmt, 3, link->url);
  sqlite3_bind_int64 (stmt, 4, link->amount);
  cp_sqlite_bind_text (stmt, 5, link->currency);
  sqlite3_bind_int (stmt, 6, link->active ? 1 : 0);
  cp_sqlite_bind_text (stmt, 7, link->created_at);
  cp_sqlite_bind_text (stmt, 8, link->revoked_at);
  cp_sqlite_bind_text (stmt, 9, link->reason);
  return cp_sqlite_store_step_done (self, stmt, _("Could not save the payment link"), error);
}

static CpPaymentLink *
get_active_payment_link (CpStore  *store,
                         gint64    invoice_id,
                         GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT " LINK_COLUMNS " FROM payment_links "
                                                          "WHERE invoice_id = ?1 AND active = 1 "
                                                          "ORDER BY created_at DESC, rowid DESC LIMIT 1", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, invoice_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read payment links"), error) || !has_row)
    return NULL;
  return link_from_row (stmt);
}

static GPtrArray *
list_payment_links (CpStore  *store,
                    gint64    invoice_id,
                    GError  **error)
{
  return list_for_invoice (store,
                           "SELECT " LINK_COLUMNS " FROM payment_links "
                           "WHERE ?1 = 0 OR invoice_id = ?1 ORDER BY created_at, rowid",
                           invoice_id, (CpSqliteFromRow) link_from_row, (GDestroyNotify) cp_payment_link_free,
                           _("Could not read payment links"), error);
}

static gboolean
revoke_payment_link (CpStore     *store,
                     const char  *link_id,
                     const char  *reason,
                     GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "UPDATE payment_links SET active = 0, "
                                                          "  revoked_at = COALESCE(revoked_at, ?2), "
                                                          "  reason = COALESCE(reason, ?3) WHERE id = ?1", error);
  g_autofree char *now = cp_sqlite_now_utc ();

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, link_id);
  cp_sqlite_bind_text (stmt, 2, now);
  cp_sqlite_bind_text (stmt, 3, reason);
  if (!cp_sqlite_store_step_done (self, stmt, _("Could not revoke the payment link"), error))
    return FALSE;
  if (sqlite3_changes (cp_sqlite_store_get_connection (self)) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No payment link %s"), link_id);
      return FALSE;
    }
  return TRUE;
}

void
cp_sqlite_ledger_iface_init (CpStoreInterface *iface)
{
  iface->record_payment = record_payment;
  iface->record_refund = record_refund;
  iface->get_payment_by_intent = get_payment_by_intent;
  iface->list_payments = list_payments;
  iface->list_refunds = list_refunds;
  iface->event_applied = event_applied;
  iface->mark_event_applied = mark_event_applied;
  iface->save_payment_link = save_payment_link;
  iface->get_active_payment_link = get_active_payment_link;
  iface->list_payment_links = list_payment_links;
  iface->revoke_payment_link = revoke_payment_link;
}
