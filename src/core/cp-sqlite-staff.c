/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staff administration for CpSqliteStore: role, active flag and password of
 * an existing account. Audit entries are the caller's (it knows who acted). */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"

#define LOCK(self) g_autoptr(GRecMutexLocker) G_GNUC_UNUSED _locker = \
  g_rec_mutex_locker_new (cp_sqlite_store_get_lock (self))

/* Runs `stmt` (already bound, ?1 = id) and fails with NOT_FOUND when no row changed. */
static gboolean
update_one (CpSqliteStore  *self,
            sqlite3_stmt   *stmt,
            gint64          staff_id,
            GError        **error)
{
  sqlite3 *db = cp_sqlite_store_get_connection (self);

  if (!cp_sqlite_store_step_done (self, stmt, _("Could not update the staff account"), error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND,
                   _("No staff account with id %" PRId64), staff_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_staff_role (CpStore  *store,
                gint64    staff_id,
                CpRole    role,
                GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  const char *name = cp_role_to_string (role);

  if (name == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Unknown role"));
      return FALSE;
    }

  {
    LOCK (self);
    g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                            "UPDATE staff SET role = ?2 WHERE id = ?1",
                                                            error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, staff_id);
    sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
    return update_one (self, stmt, staff_id, error);
  }
}

static gboolean
set_staff_active (CpStore   *store,
                  gint64     staff_id,
                  gboolean   active,
                  GError   **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "UPDATE staff SET active = ?2 WHERE id = ?1",
                                                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, staff_id);
  sqlite3_bind_int (stmt, 2, active ? 1 : 0);
  return update_one (self, stmt, staff_id, error);
}

static gboolean
set_staff_password (CpStore     *store,
                    gint64       staff_id,
                    const char  *password,
                    GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  g_autofree char *hash = NULL;

  if (*password == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The password is empty"));
      return FALSE;
    }
  /* Hash before taking the lock: yescrypt is deliberately slow */
  hash = cp_sqlite_hash_password (password, error);
  if (hash == NULL)
    return FALSE;

  {
    LOCK (self);
    g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                            "UPDATE staff SET password_hash = ?2 WHERE id = ?1",
                                                            error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, staff_id);
    sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
    return update_one (self, stmt, staff_id, error);
  }
}

void
cp_sqlite_staff_iface_init (CpStoreInterface *iface)
{
  iface->set_staff_role = set_staff_role;
  iface->set_staff_active = set_staff_active;
  iface->set_staff_password = set_staff_password;
}
