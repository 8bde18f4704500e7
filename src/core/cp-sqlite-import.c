/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The import, export and audit methods of CpSqliteStore: upserting imported
 * invoices, listing payments and refunds by date for the accounting export,
 * and reading and checking the audit log's hash chain. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-sqlite-private.h"

/* Invoices */

static gboolean
has_live_payments (CpInvoice *invoice)
{
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (payment->status) || cp_payment_status_is_open (payment->status))
        return TRUE;
    }
  return invoice->refunds->len > 0;
}

static gboolean
same_items (CpInvoice *a,
            CpInvoice *b)
{
  if (a->line_items->len != b->line_items->len)
    return FALSE;

  for (guint i = 0; i < a->line_items->len; i++)
    {
      CpLineItem *x = g_ptr_array_index (a->line_items, i);
      CpLineItem *y = g_ptr_array_index (b->line_items, i);

      if (g_strcmp0 (x->description, y->description) != 0 ||
          g_strcmp0 (x->service_code, y->service_code) != 0 ||
          x->quantity != y->quantity || x->unit_amount != y->unit_amount ||
          g_strcmp0 (x->service_date, y->service_date) != 0 ||
          g_strcmp0 (x->provider, y->provider) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_import (CpInvoice  *invoice,
              GError    **error)
{
  if (invoice->number == NULL || *invoice->number == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("An imported invoice needs a number"));
      return FALSE;
    }
  if (invoice->patient == NULL || invoice->patient->id <= 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The invoice has no saved patient"));
      return FALSE;
    }
  if (!cp_date_is_valid (invoice->issue_date) || !cp_date_is_valid (invoice->due_date) ||
      strcmp (invoice->due_date, invoice->issue_date) < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("Issue and due dates must be YYYY-MM-DD dates, the due date not before the issue date"));
      return FALSE;
    }
  if (invoice->currency == NULL || !cp_currency_is_known (invoice->currency) ||
      invoice->tax_rate_bp < 0 || invoice->tax_rate_bp > 10000)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Unknown currency or tax rate out of range"));
      return FALSE;
    }
  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);

      if (item->quantity <= 0 || item->unit_amount < 0 ||
          (item->service_date != NULL && !cp_date_is_valid (item->service_date)))
        {
          g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               _("Line items need a positive quantity, an amount of zero or more and a valid date"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
replace_invoice_locked (CpSqliteStore  *self,
                        gint64          id,
                        CpInvoice      *invoice,
                        GError        **error)
{
  {
    g_autoptr(sqlite3_stmt) stmt =
      cp_sqlite_store_prepare (self,
                               "UPDATE invoices SET patient_id = ?2, issue_date = ?3, due_date = ?4, "
                               "currency = ?5, tax_rate_bp = ?6, notes = ?7, voided = ?8 WHERE id = ?1",
                               error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_int64 (stmt, 2, invoice->patient->id);
    cp_sqlite_bind_text (stmt, 3, invoice->issue_date);
    cp_sqlite_bind_text (stmt, 4, invoice->due_date);
    cp_sqlite_bind_text (stmt, 5, invoice->currency);
    sqlite3_bind_int (stmt, 6, invoice->tax_rate_bp);
    cp_sqlite_bind_text (stmt, 7, invoice->notes);
    sqlite3_bind_int (stmt, 8, invoice->voided ? 1 : 0);
    if (!cp_sqlite_store_step_done (self, stmt, _("Could not update the invoice"), error))
      return FALSE;
  }
  {
    g_autoptr(sqlite3_stmt) stmt =
      cp_sqlite_store_prepare (self, "DELETE FROM line_items WHERE invoice_id = ?1", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    if (!cp_sqlite_store_step_done (self, stmt, _("Could not update the invoice"), error))
      return FALSE;
  }
  return cp_sqlite_store_insert_line_items (self, id, invoice->line_items, error);
}

static gboolean
update_header_locked (CpSqliteStore  *self,
                      gint64          id,
                      CpInvoice      *invoice,
                      GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    cp_sqlite_store_prepare (self, "UPDATE invoices SET due_date = ?2, notes = ?3 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  cp_sqlite_bind_text (stmt, 2, invoice->due_date);
  cp_sqlite_bind_text (stmt, 3, invoice->notes);
  return cp_sqlite_store_step_done (self, stmt, _("Could not update the invoice"), error);
}

static gboolean
import_invoice (CpStore    *store,
                CpInvoice  *invoice,
                gboolean   *out_created,
                GError    **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(CpInvoice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *today = NULL;
  gboolean ok;

  if (!check_import (invoice, error))
    return FALSE;

  existing = cp_store_get_invoice_by_number (store, invoice->number, &local_error);
  if (existing == NULL)
    {
      if (!g_error_matches (local_error, CP_ERROR, CP_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (out_created != NULL)
        *out_created = TRUE;
      return cp_store_create_invoice (store, invoice, error);
    }

  if (out_created != NULL)
    *out_created = FALSE;

  if (!cp_store_begin (store, error))
    return FALSE;

  if (has_live_payments (existing))
    {
      if (existing->patient->id != invoice->patient->id ||
          g_strcmp0 (existing->currency, invoice->currency) != 0 ||
          g_strcmp0 (existing->issue_date, invoice->issue_date) != 0 ||
          existing->tax_rate_bp != invoice->tax_rate_bp ||
          existing->voided != invoice->voided ||
          !same_items (existing, invoice))
        {
          cp_store_rollback (store);
          g_set_error (error, CP_ERROR, CP_ERROR_PERMISSION,
                       _("Invoice %s has payments: its patient, dates, currency, tax rate, line items "
                         "and voided state cannot be replaced by an import (only the due date and notes)"),
                       invoice->number);
          return FALSE;
        }
      ok = update_header_locked (self, existing->id, invoice, error);
    }
  else
    ok = replace_invoice_locked (self, existing->id, invoice, error);

  if (!ok)
    {
      cp_store_rollback (store);
      return FALSE;
    }
  if (!cp_store_commit (store, error))
    return FALSE;

  invoice->id = existing->id;
  today = cp_today ();
  return cp_invoice_compute (invoice, today, error);
}

/* Ledger by date */

static char *
day_after (const char *date)
{
  g_autoptr(GDateTime) day = NULL;
  int y, m, d;

  if (date == NULL || sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup ("9999-12-31");
  day = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (day == NULL)
    return g_strdup ("9999-12-31");
  {
    g_autoptr(GDateTime) next = g_date_time_add_days (day, 1);

    if (next == NULL)
      return g_strdup ("9999-12-32");
    return g_date_time_format (next, "%Y-%m-%d");
  }
}

static gboolean
check_range (const char  *from,
             const char  *to,
             GError     **error)
{
  if ((from != NULL && !cp_date_is_valid (from)) || (to != NULL && !cp_date_is_valid (to)))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Dates must be YYYY-MM-DD"));
      return FALSE;
    }
  if (from != NULL && to != NULL && strcmp (from, to) > 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The range %s to %s ends before it starts"), from, to);
      return FALSE;
    }
  return TRUE;
}

/* Payments or refunds (`sql` with the range as ?1 and ?2, its rows read by
 * `from_row`) created from `from` to `to`, both days included. */
static GPtrArray *
list_between (CpStore         *store,
              const char      *sql,
              const char      *what,
              CpSqliteFromRow  from_row,
              GDestroyNotify   free_func,
              const char      *from,
              const char      *to,
              GError         **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *end = NULL;

  if (!check_range (from, to, error))
    return NULL;
  end = day_after (to);
  stmt = cp_sqlite_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  cp_sqlite_bind_text (stmt, 1, from != NULL ? from : "");
  cp_sqlite_bind_text (stmt, 2, end);
  return cp_sqlite_store_read_rows (self, stmt, from_row, free_func, what, error);
}

static GPtrArray *
list_payments_between (CpStore     *store,
                       const char  *from,
                       const char  *to,
                       GError     **error)
{
  return list_between (store,
                       "SELECT " PAYMENT_COLUMNS " FROM payments "
                       "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
                       _("Could not list payments"), (CpSqliteFromRow) cp_sqlite_payment_from_row,
                       (GDestroyNotify) cp_payment_free, from, to, error);
}

static GPtrArray *
list_refunds_between (CpStore     *store,
                      const char  *from,
                      const char  *to,
                      GError     **error)
{
  return list_between (store,
                       "SELECT " REFUND_COLUMNS " FROM refunds "
                       "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
                       _("Could not list refunds"), (CpSqliteFromRow) cp_sqlite_refund_from_row,
                       (GDestroyNotify) cp_refund_free, from, to, error);
}

/* Audit log */

static CpAuditEntry *
audit_entry_from_row (sqlite3_stmt *stmt)
{
  CpAuditEntry *entry = cp_audit_entry_new ();

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->at = cp_sqlite_col_text (stmt, 1);
  entry->staff_id = sqlite3_column_int64 (stmt, 2);
  entry->staff_username = cp_sqlite_col_text (stmt, 3);
  entry->action = cp_sqlite_col_text (stmt, 4);
  entry->object = cp_sqlite_col_text (stmt, 5);
  entry->details = cp_sqlite_col_text (stmt, 6);
  entry->prev_hash = cp_sqlite_col_text (stmt, 7);
  entry->hash = cp_sqlite_col_text (stmt, 8);
  return entry;
}

static GPtrArray *
list_audit (CpStore     *store,
            const char  *since,
            const char  *action,
            GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (since != NULL && !cp_date_is_valid (since))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), since);
      return NULL;
    }
  stmt = cp_sqlite_store_prepare (self,
                                  "SELECT a.id, a.at, a.staff_id, s.username, a.action, a.object, a.details, "
                                  "a.prev_hash, a.hash FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id "
                                  "WHERE (?1 IS NULL OR a.at >= ?1) AND (?2 IS NULL OR a.action = ?2) "
                                  "ORDER BY a.id", error);
  if (stmt == NULL)
    return NULL;
  cp_sqlite_bind_text (stmt, 1, since);
  cp_sqlite_bind_text (stmt, 2, action);
  return cp_sqlite_store_read_rows (self, stmt, (CpSqliteFromRow) audit_entry_from_row,
                                    (GDestroyNotify) cp_audit_entry_free, _("Could not read the audit log"),
                                    error);
}

/* Every entry must hash to its stored hash (else it was edited) and chain
 * onto the entry before it (else entries between were deleted, or the one
 * before was edited and re-hashed). Deleting the newest entries leaves a
 * valid chain: only an outside copy of the last hash can show that. */
static GPtrArray *
audit_check (CpStore  *store,
             gint64   *out_count,
             GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_audit_problem_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *expected_prev = g_strdup (CP_SQLITE_AUDIT_FIRST_PREV);
  gint64 prev_id = 0;
  gint64 count = 0;
  gboolean has_row;

  stmt = cp_sqlite_store_prepare (self,
                                  "SELECT id, at, staff_id, action, object, details, prev_hash, hash "
                                  "FROM audit_log ORDER BY id", error);
  if (stmt == NULL)
    return NULL;

  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the audit log"), error))
    {
      gint64 id;
      const char *prev;
      const char *stored;
      g_autofree char *hash = NULL;

      if (!has_row)
        {
          if (out_count != NULL)
            *out_count = count;
          return g_steal_pointer (&problems);
        }

      id = sqlite3_column_int64 (stmt, 0);
      prev = (const char *) sqlite3_column_text (stmt, 6);
      stored = (const char *) sqlite3_column_text (stmt, 7);
      hash = cp_sqlite_audit_hash (prev ? prev : "",
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   sqlite3_column_int64 (stmt, 2),
                                   (const char *) sqlite3_column_text (stmt, 3),
                                   (const char *) sqlite3_column_text (stmt, 4),
                                   (const char *) sqlite3_column_text (stmt, 5));

      if (g_strcmp0 (hash, stored) != 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("entry %" PRId64 " was changed after it was written: "
                               "its contents do not match its hash"), id);
          g_ptr_array_add (problems, cp_audit_problem_new (id, message));
        }

      if (g_strcmp0 (prev, expected_prev) != 0)
        {
          g_autofree char *message = NULL;

          if (prev_id == 0 && id == 2)
            message = g_strdup_printf (_("entry 1 is missing (deleted): entry %" PRId64
                                         " does not start the chain"), id);
          else if (prev_id == 0 && id > 1)
            message = g_strdup_printf (_("entries 1 to %" PRId64 " are missing (deleted): "
                                         "entry %" PRId64 " does not start the chain"), id - 1, id);
          else if (prev_id == 0)
            message = g_strdup_printf (_("entry %" PRId64 " does not start the chain "
                                         "(its previous hash is not zero)"), id);
          else if (id == prev_id + 2)
            message = g_strdup_printf (_("entry %" PRId64 " is missing (deleted): entry %"
                                         PRId64 " does not chain onto entry %" PRId64),
                                       prev_id + 1, id, prev_id);
          else if (id > prev_id + 2)
            message = g_strdup_printf (_("entries %" PRId64 " to %" PRId64 " are missing "
                                         "(deleted): entry %" PRId64 " does not chain onto entry %"
                                         PRId64),
                                       prev_id + 1, id - 1, id, prev_id);
          else
            message = g_strdup_printf (_("entry %" PRId64 " does not chain onto entry %" PRId64
                                         ": entry %" PRId64 " was changed and re-hashed, "
                                         "or entries were inserted"), id, prev_id, prev_id);
          g_ptr_array_add (problems, cp_audit_problem_new (id, message));
        }

      g_free (expected_prev);
      expected_prev = g_strdup (stored ? stored : "");
      prev_id = id;
      count++;
    }
  return NULL;
}

void
cp_sqlite_import_iface_init (CpStoreInterface *iface)
{
  iface->import_invoice = import_invoice;
  iface->list_payments_between = list_payments_between;
  iface->list_refunds_between = list_refunds_between;
  iface->list_audit = list_audit;
  iface->audit_check = audit_check;
}
