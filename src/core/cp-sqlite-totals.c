/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figures on the cards above the invoice list, for CpSqliteStore. The
 * open balances are streamed: each invoice's sums come from per-invoice
 * aggregates read in invoice id order alongside the invoices themselves, so
 * nothing is kept per invoice (at 100,000 invoices the list's summaries
 * would be tens of megabytes). */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-sqlite-private.h"

/* Sums as cp_store_list_invoices() makes them for its rows. Each is grouped
 * along an index on invoice_id, so SQLite streams the groups in order. */
static const char subtotals_sql[] =
  "SELECT invoice_id, SUM(quantity * unit_amount) FROM line_items "
  "GROUP BY invoice_id ORDER BY invoice_id";
static const char paid_sql[] =
  "SELECT invoice_id, SUM(amount) FROM payments WHERE status = 'succeeded' "
  "GROUP BY invoice_id ORDER BY invoice_id";
static const char refunded_sql[] =
  "SELECT invoice_id, SUM(amount) FROM refunds WHERE status IN ('succeeded', 'pending') "
  "GROUP BY invoice_id ORDER BY invoice_id";
/* patient_id is NOT NULL with enforced foreign keys, so every invoice has the
 * patient the list joins. */
static const char invoices_sql[] =
  "SELECT id, due_date, tax_rate_bp, voided FROM invoices WHERE currency = ?1 ORDER BY id";
/* One statement, so the three figures agree with each other. */
static const char month_sql[] =
  "SELECT (SELECT COALESCE(SUM(amount), 0) FROM payments "
  "        WHERE status = 'succeeded' AND currency = ?1 AND created_at >= ?2 AND created_at < ?3), "
  "       (SELECT COUNT(*) FROM payments "
  "        WHERE status = 'succeeded' AND currency = ?1 AND created_at >= ?2 AND created_at < ?3), "
  "       (SELECT COALESCE(SUM(amount), 0) FROM refunds "
  "        WHERE status IN ('succeeded', 'pending') AND currency = ?1 "
  "        AND created_at >= ?2 AND created_at < ?3)";

/* One of the aggregates above, read along with the invoices. */
typedef struct {
  sqlite3_stmt *stmt;
  gboolean      has_row;
} Cursor;

static gboolean
cursor_open (CpSqliteStore  *self,
             Cursor         *cursor,
             const char     *sql,
             GError        **error)
{
  cursor->stmt = cp_sqlite_store_prepare (self, sql, error);
  return cursor->stmt != NULL &&
         cp_sqlite_store_step_row (self, cursor->stmt, &cursor->has_row,
                                   _("Could not read totals"), error);
}

static void
cursor_close (Cursor *cursor)
{
  if (cursor->stmt != NULL)
    cp_sqlite_stmt_release (cursor->stmt);
}

/* The cursor's value for `invoice_id` (0 without a row), leaving it on the
 * first row past it. Invoice ids only grow, so rows skipped belong to
 * invoices in another currency. */
static gboolean
cursor_value (CpSqliteStore  *self,
              Cursor         *cursor,
              gint64          invoice_id,
              gint64         *out,
              GError        **error)
{
  *out = 0;
  while (cursor->has_row)
    {
      gint64 id = sqlite3_column_int64 (cursor->stmt, 0);

      if (id > invoice_id)
        break;
      if (id == invoice_id)
        *out = sqlite3_column_int64 (cursor->stmt, 1);
      if (!cp_sqlite_store_step_row (self, cursor->stmt, &cursor->has_row,
                                     _("Could not read totals"), error))
        return FALSE;
    }
  return TRUE;
}

/* Adds the invoices of `currency` with a balance to outstanding (and, when
 * past due, to overdue), with the status rules of the list. */
static gboolean
sum_open_invoices (CpSqliteStore    *self,
                   const char       *currency,
                   const char       *today,
                   CpInvoiceTotals  *totals,
                   GError          **error)
{
  Cursor subtotals = { 0 }, paid = { 0 }, refunded = { 0 };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;
  gboolean ok = FALSE;

  if (!cursor_open (self, &subtotals, subtotals_sql, error) ||
      !cursor_open (self, &paid, paid_sql, error) ||
      !cursor_open (self, &refunded, refunded_sql, error))
    goto out;
  stmt = cp_sqlite_store_prepare (self, invoices_sql, error);
  if (stmt == NULL)
    goto out;
  cp_sqlite_bind_text (stmt, 1, currency);

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read totals"), error))
    {
      gint64 id, subtotal, tax, total, amount_paid, amount_refunded, balance;
      CpInvoiceStatus status;

      if (!has_row)
        {
          ok = TRUE;
          break;
        }
      id = sqlite3_column_int64 (stmt, 0);
      if (!cursor_value (self, &subtotals, id, &subtotal, error) ||
          !cursor_value (self, &paid, id, &amount_paid, error) ||
          !cursor_value (self, &refunded, id, &amount_refunded, error) ||
          !cp_money_apply_rate_bp (subtotal, sqlite3_column_int (stmt, 2), &tax, error) ||
          !cp_money_add (subtotal, tax, &total, error))
        break;
      status = cp_invoice_status_compute (sqlite3_column_int (stmt, 3) != 0, total,
                                          amount_paid, amount_refunded,
                                          (const char *) sqlite3_column_text (stmt, 1),
                                          today, &balance);
      if (!cp_invoice_totals_add_open (totals, status, balance, error))
        break;
    }

out:
  cursor_close (&subtotals);
  cursor_close (&paid);
  cursor_close (&refunded);
  return ok;
}

/* The first day of the month of `today` and of the month after it. */
static void
month_bounds (const char  *today,
              char       **start,
              char       **end)
{
  int year = atoi (today);
  int month = atoi (today + 5);

  *start = g_strdup_printf ("%04d-%02d-01", year, month);
  if (month == 12)
    *end = g_strdup_printf ("%04d-01-01", year + 1);
  else
    *end = g_strdup_printf ("%04d-%02d-01", year, month + 1);
}

static gboolean
read_paid_this_month (CpSqliteStore    *self,
                      const char       *currency,
                      const char       *today,
                      CpInvoiceTotals  *totals,
                      GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self, month_sql, error);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  month_bounds (today, &start, &end);
  cp_sqlite_bind_text (stmt, 1, currency);
  cp_sqlite_bind_text (stmt, 2, start);
  cp_sqlite_bind_text (stmt, 3, end);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read totals"), error))
    return FALSE;
  totals->paid_this_month = sqlite3_column_int64 (stmt, 0) - sqlite3_column_int64 (stmt, 2);
  totals->paid_this_month_count = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static char *
hospital_currency (CpStore *store)
{
  char *currency = cp_store_get_meta (store, "currency");

  return currency != NULL ? currency : g_strdup ("USD");
}

static gboolean
get_totals (CpStore          *store,
            CpInvoiceTotals  *out,
            GError          **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  sqlite3 *db = cp_sqlite_store_get_connection (self);
  g_autofree char *today = cp_today ();
  g_autofree char *currency = hospital_currency (store);
  CpInvoiceTotals totals = { 0 };
  int rc;

  /* One transaction so the figures agree with each other */
  rc = sqlite3_exec (db, "SAVEPOINT cp_totals", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (db, rc, _("Could not read totals"), error);
      return FALSE;
    }
  if (!sum_open_invoices (self, currency, today, &totals, error) ||
      !read_paid_this_month (self, currency, today, &totals, error))
    {
      sqlite3_exec (db, "ROLLBACK TO cp_totals; RELEASE cp_totals", NULL, NULL, NULL);
      return FALSE;
    }
  sqlite3_exec (db, "RELEASE cp_totals", NULL, NULL, NULL);

  cp_invoice_totals_clear (out);
  *out = totals;
  out->currency = g_steal_pointer (&currency);
  return TRUE;
}

static gboolean
get_paid_this_month (CpStore          *store,
                     CpInvoiceTotals  *out,
                     GError          **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autofree char *today = cp_today ();
  g_autofree char *currency = hospital_currency (store);
  CpInvoiceTotals totals = { 0 };

  if (!read_paid_this_month (self, currency, today, &totals, error))
    return FALSE;
  cp_invoice_totals_clear (out);
  *out = totals;
  out->currency = g_steal_pointer (&currency);
  return TRUE;
}

void
cp_sqlite_totals_iface_init (CpStoreInterface *iface)
{
  iface->get_totals = get_totals;
  iface->get_paid_this_month = get_paid_this_month;
}
