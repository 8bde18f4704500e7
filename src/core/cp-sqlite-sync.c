/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync's own tables (schema v5): object versions and link checks. */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"
#include "cp-sqlite-sync.h"

gboolean
cp_sqlite_sync_get_version (CpSqliteStore    *self,
                            const char       *object_id,
                            CpStripeVersion  *out_version,
                            GError          **error)
{
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);

  *out_version = (CpStripeVersion) { 0 };
  if (object_id == NULL)
    return TRUE;
  stmt = cp_sqlite_store_prepare (self, "SELECT seen_us, event_id IS NOT NULL FROM stripe_versions "
                                        "WHERE object_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, object_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read what sync applied"), error))
    return FALSE;
  if (has_row)
    {
      out_version->known = TRUE;
      out_version->seen_us = sqlite3_column_int64 (stmt, 0);
      out_version->from_event = sqlite3_column_int (stmt, 1) != 0;
    }
  return TRUE;
}

gboolean
cp_sqlite_sync_note_version (CpSqliteStore  *self,
                             const char     *object_id,
                             gint64          seen_us,
                             const char     *event_id,
                             GError        **error)
{
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);
  g_return_val_if_fail (object_id != NULL, FALSE);

  stmt = cp_sqlite_store_prepare (self, "INSERT INTO stripe_versions (object_id, seen_us, event_id) "
                                        "VALUES (?1, ?2, ?3) ON CONFLICT (object_id) DO UPDATE SET "
                                        "  seen_us = excluded.seen_us, event_id = excluded.event_id "
                                        "WHERE excluded.seen_us >= seen_us", error);
  if (stmt == NULL)
    return FALSE;
  cp_sqlite_bind_text (stmt, 1, object_id);
  sqlite3_bind_int64 (stmt, 2, seen_us);
  cp_sqlite_bind_text (stmt, 3, event_id);
  return cp_sqlite_store_step_done (self, stmt, _("Could not record what sync applied"), error);
}

gboolean
cp_sqlite_sync_invoice_brief (CpSqliteStore  *self,
                              gint64          invoice_id,
                              char          **out_number,
                              char          **out_currency,
                              GError        **error)
{
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row = FALSE;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);

  stmt = cp_sqlite_store_prepare (self, "SELECT number, currency FROM invoices WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, invoice_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the invoice"), error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No invoice with id %" PRId64), invoice_id);
      return FALSE;
    }
  *out_number = cp_sqlite_col_text (stmt, 0);
  *out_currency = cp_sqlite_col_text (stmt, 1);
  return TRUE;
}

gboolean
cp_sqlite_sync_queue_link_check (CpSqliteStore  *self,
                                 gint64          invoice_id,
                                 GError        **error)
{
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = cp_sqlite_now_utc ();

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);

  stmt = cp_sqlite_store_prepare (self, "INSERT INTO link_checks (invoice_id, queued_at) VALUES (?1, ?2) "
                                        "ON CONFLICT (invoice_id) DO NOTHING", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, invoice_id);
  cp_sqlite_bind_text (stmt, 2, now);
  return cp_sqlite_store_step_done (self, stmt, _("Could not queue a payment link check"), error);
}

GArray *
cp_sqlite_sync_list_link_checks (CpSqliteStore  *self,
                                 GError        **error)
{
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_row = TRUE;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), NULL);

  stmt = cp_sqlite_store_prepare (self, "SELECT invoice_id FROM link_checks ORDER BY queued_at, invoice_id",
                                  error);
  if (stmt == NULL)
    return NULL;
  while (TRUE)
    {
      gint64 id;

      if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read payment link checks"), error))
        return NULL;
      if (!has_row)
        break;
      id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

gboolean
cp_sqlite_sync_link_check_done (CpSqliteStore  *self,
                                gint64          invoice_id,
                                GError        **error)
{
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);

  stmt = cp_sqlite_store_prepare (self, "DELETE FROM link_checks WHERE invoice_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, invoice_id);
  return cp_sqlite_store_step_done (self, stmt, _("Could not clear a payment link check"), error);
}
