/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports dashboard's queries for CpSqliteStore. Rows are streamed into
 * cp_report_add_*(), which decides the period of each (local days). */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-report.h"
#include "cp-sqlite-private.h"

static const char *
col (sqlite3_stmt *stmt,
     int           i)
{
  return (const char *) sqlite3_column_text (stmt, i);
}

static gboolean
read_payments (CpSqliteStore  *self,
               CpReport       *report,
               const char     *start,
               const char     *end,
               GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
    "SELECT p.id, p.created_at, p.amount, p.status, p.channel, p.failure_code, p.disputed, "
    "  p.stripe_payment_intent_id, i.number "
    "FROM payments p JOIN invoices i ON i.id = p.invoice_id "
    "WHERE p.created_at >= ?2 AND p.created_at < ?3 AND p.currency = ?1", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, report->currency);
  cp_sqlite_bind_text (stmt, 2, start);
  cp_sqlite_bind_text (stmt, 3, end);

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the report"), error))
    {
      CpPayment payment = { 0 };

      if (!has_row)
        return TRUE;
      /* Borrowed from the row: cp_report_add_payment copies what it keeps */
      payment.id = sqlite3_column_int64 (stmt, 0);
      payment.created_at = (char *) col (stmt, 1);
      payment.amount = sqlite3_column_int64 (stmt, 2);
      payment.status = (char *) col (stmt, 3);
      if (!cp_payment_channel_from_string (col (stmt, 4), &payment.channel))
        payment.channel = CP_PAYMENT_CHANNEL_DESK;
      payment.failure_code = (char *) col (stmt, 5);
      payment.disputed = sqlite3_column_int (stmt, 6) != 0;
      payment.stripe_payment_intent_id = (char *) col (stmt, 7);
      payment.currency = report->currency;
      if (!cp_report_add_payment (report, &payment, col (stmt, 8), error))
        return FALSE;
    }
  return FALSE;
}

static gboolean
read_refunds (CpSqliteStore  *self,
              CpReport       *report,
              const char     *start,
              const char     *end,
              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
    "SELECT created_at, amount, status FROM refunds "
    "WHERE created_at >= ?2 AND created_at < ?3 AND currency = ?1", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, report->currency);
  cp_sqlite_bind_text (stmt, 2, start);
  cp_sqlite_bind_text (stmt, 3, end);

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the report"), error))
    {
      CpRefund refund = { 0 };

      if (!has_row)
        return TRUE;
      refund.created_at = (char *) col (stmt, 0);
      refund.amount = sqlite3_column_int64 (stmt, 1);
      refund.status = (char *) col (stmt, 2);
      refund.currency = report->currency;
      if (!cp_report_add_refund (report, &refund, error))
        return FALSE;
    }
  return FALSE;
}

static gint64
sum_of (GArray *sums,
        gint64  invoice_id)
{
  const CpSqliteSum *sum = cp_sqlite_sums_find (sums, invoice_id);

  return sum != NULL ? sum->value : 0;
}

/* Open balances as of the end of `to`: invoices issued by then, with what
 * was paid and refunded by then, through the one status rule. Three grouped
 * scans looked up by id: about twice as fast on 100,000 invoices as one
 * query with a subquery per invoice. */
static gboolean
read_balances (CpSqliteStore  *self,
               CpReport       *report,
               const char     *end,
               GError        **error)
{
  g_autoptr(GArray) subtotals = NULL;
  g_autoptr(GArray) paid = NULL;
  g_autoptr(GArray) refunded = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *last_currency = NULL;
  gboolean own_currency_seen = FALSE;
  gboolean has_row;

  subtotals = cp_sqlite_store_read_sums (self, "SELECT invoice_id, SUM(quantity * unit_amount) FROM line_items "
                                               "GROUP BY invoice_id ORDER BY invoice_id",
                                         end, _("Could not read the report"), error);
  if (subtotals == NULL)
    return FALSE;
  paid = cp_sqlite_store_read_sums (self, "SELECT invoice_id, SUM(amount) FROM payments "
                                          "WHERE status = 'succeeded' AND created_at < ?1 "
                                          "GROUP BY invoice_id ORDER BY invoice_id",
                                    end, _("Could not read the report"), error);
  if (paid == NULL)
    return FALSE;
  refunded = cp_sqlite_store_read_sums (self, "SELECT invoice_id, SUM(amount) FROM refunds "
                                              "WHERE status IN ('succeeded', 'pending') AND created_at < ?1 "
                                              "GROUP BY invoice_id ORDER BY invoice_id",
                                        end, _("Could not read the report"), error);
  if (refunded == NULL)
    return FALSE;

  stmt = cp_sqlite_store_prepare (self,
    "SELECT id, due_date, tax_rate_bp, currency FROM invoices "
    "WHERE voided = 0 AND issue_date <= ?1 ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, report->to);

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the report"), error))
    {
      gint64 id, subtotal, tax, total, balance;
      const char *due_date, *currency;

      if (!has_row)
        return TRUE;
      /* Every currency with open invoices is offered, not only this one */
      currency = col (stmt, 3);
      if (g_strcmp0 (currency, report->currency) != 0)
        {
          if (g_strcmp0 (currency, last_currency) != 0)
            {
              cp_report_add_currency (report, currency);
              g_free (last_currency);
              last_currency = g_strdup (currency);
            }
          continue;
        }
      if (!own_currency_seen)
        {
          cp_report_add_currency (report, report->currency);
          own_currency_seen = TRUE;
        }
      id = sqlite3_column_int64 (stmt, 0);
      due_date = col (stmt, 1);
      subtotal = sum_of (subtotals, id);
      if (!cp_money_apply_rate_bp (subtotal, sqlite3_column_int (stmt, 2), &tax, error) ||
          !cp_money_add (subtotal, tax, &total, error))
        return FALSE;
      cp_invoice_status_compute (FALSE, total, sum_of (paid, id), sum_of (refunded, id),
                                 due_date, report->to, &balance);
      if (!cp_report_add_balance (report, due_date, balance, error))
        return FALSE;
    }
  return FALSE;
}

static gboolean
read_currencies (CpSqliteStore  *self,
                 CpReport       *report,
                 const char     *start,
                 const char     *end,
                 GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
    "SELECT DISTINCT currency FROM payments WHERE created_at >= ?1 AND created_at < ?2 "
    "UNION SELECT DISTINCT currency FROM refunds WHERE created_at >= ?1 AND created_at < ?2", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, start);
  cp_sqlite_bind_text (stmt, 2, end);

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the report"), error))
    {
      if (!has_row)
        return TRUE;
      cp_report_add_currency (report, col (stmt, 0));
    }
  return FALSE;
}

static gboolean
fill_report (CpStore   *store,
             CpReport  *report,
             GError   **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  sqlite3 *db = cp_sqlite_store_get_connection (self);
  const char *start = g_ptr_array_index (report->bounds, 0);
  const char *end = g_ptr_array_index (report->bounds, report->periods->len);
  gboolean ok;
  int rc;

  /* One read transaction so the figures agree with each other */
  rc = sqlite3_exec (db, "SAVEPOINT cp_report", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (db, rc, _("Could not read the report"), error);
      return FALSE;
    }
  ok = read_payments (self, report, start, end, error) &&
       read_refunds (self, report, start, end, error) &&
       read_balances (self, report, end, error) &&
       read_currencies (self, report, start, end, error);
  sqlite3_exec (db, "RELEASE cp_report", NULL, NULL, NULL);

  return ok && cp_report_finish (report, error);
}

void
cp_sqlite_report_iface_init (CpStoreInterface *iface)
{
  iface->fill_report = fill_report;
}
