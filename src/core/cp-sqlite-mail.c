/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mail send log of CpSqliteStore (schema v3). */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"

#define MAIL_LOG_COLUMNS \
  "id, invoice_id, kind, recipient, subject, status, attempts, last_error, created_at, " \
  "sent_at, message_id"

static gboolean
save_mail_log (CpStore         *store,
               CpMailLogEntry  *entry,
               GError         **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (entry->kind == NULL || entry->recipient == NULL || entry->status == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A mail log entry needs a kind, a recipient and a status"));
      return FALSE;
    }

  if (entry->id == 0)
    {
      if (entry->created_at == NULL)
        entry->created_at = cp_sqlite_now_utc ();
      stmt = cp_sqlite_store_prepare (self,
                                      "INSERT INTO mail_log (invoice_id, kind, recipient, subject, status, "
                                      "attempts, last_error, created_at, sent_at, message_id) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
    }
  else
    stmt = cp_sqlite_store_prepare (self,
                                    "UPDATE mail_log SET invoice_id = ?1, kind = ?2, recipient = ?3, "
                                    "subject = ?4, status = ?5, attempts = ?6, last_error = ?7, "
                                    "created_at = ?8, sent_at = ?9, message_id = ?10 WHERE id = ?11",
                                    error);
  if (stmt == NULL)
    return FALSE;

  if (entry->invoice_id > 0)
    sqlite3_bind_int64 (stmt, 1, entry->invoice_id);
  else
    sqlite3_bind_null (stmt, 1);
  cp_sqlite_bind_text (stmt, 2, entry->kind);
  cp_sqlite_bind_text (stmt, 3, entry->recipient);
  cp_sqlite_bind_text (stmt, 4, entry->subject != NULL ? entry->subject : "");
  cp_sqlite_bind_text (stmt, 5, entry->status);
  sqlite3_bind_int (stmt, 6, entry->attempts);
  cp_sqlite_bind_text (stmt, 7, entry->last_error);
  cp_sqlite_bind_text (stmt, 8, entry->created_at);
  cp_sqlite_bind_text (stmt, 9, entry->sent_at);
  cp_sqlite_bind_text (stmt, 10, entry->message_id);
  if (entry->id != 0)
    sqlite3_bind_int64 (stmt, 11, entry->id);

  if (!cp_sqlite_store_step_done (self, stmt, _("Could not save the mail log"), error))
    return FALSE;

  if (entry->id == 0)
    entry->id = sqlite3_last_insert_rowid (cp_sqlite_store_get_connection (self));
  else if (sqlite3_changes (cp_sqlite_store_get_connection (self)) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND,
                   _("No mail log entry %" PRId64), entry->id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
list_mail_log (CpStore     *store,
               gint64       invoice_id,
               const char  *kind,
               GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT " MAIL_LOG_COLUMNS " FROM mail_log "
                                                          "WHERE (?1 = 0 OR invoice_id = ?1) "
                                                          "AND (?2 IS NULL OR kind = ?2) "
                                                          "ORDER BY created_at, id", error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_mail_log_entry_free);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, MAX (invoice_id, 0));
  cp_sqlite_bind_text (stmt, 2, kind);
  while (cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the mail log"), error))
    {
      CpMailLogEntry *entry;

      if (!has_row)
        return g_steal_pointer (&rows);
      entry = cp_mail_log_entry_new ();
      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->invoice_id = sqlite3_column_int64 (stmt, 1);
      entry->kind = cp_sqlite_col_text (stmt, 2);
      entry->recipient = cp_sqlite_col_text (stmt, 3);
      entry->subject = cp_sqlite_col_text (stmt, 4);
      entry->status = cp_sqlite_col_text (stmt, 5);
      entry->attempts = sqlite3_column_int (stmt, 6);
      entry->last_error = cp_sqlite_col_text (stmt, 7);
      entry->created_at = cp_sqlite_col_text (stmt, 8);
      entry->sent_at = cp_sqlite_col_text (stmt, 9);
      entry->message_id = cp_sqlite_col_text (stmt, 10);
      g_ptr_array_add (rows, entry);
    }
  return NULL;
}

void
cp_sqlite_mail_iface_init (CpStoreInterface *iface)
{
  iface->save_mail_log = save_mail_log;
  iface->list_mail_log = list_mail_log;
}
