/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staff administration for CpSqliteStore: new accounts, role, active flag
 * and password. The rules live here, not only in the preferences: the actor
 * must be an active administrator in the database, and the last active
 * administrator is never demoted or deactivated. Both are checked in the
 * write transaction of the change, which also holds its audit entry; a
 * refusal commits only its own audit entry ("staff.refused"). */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"

typedef enum {
  OP_ROLE,
  OP_ACTIVE,
  OP_PASSWORD,
} Op;

/* The account `id` as the database has it, or NULL with CP_ERROR_NOT_FOUND. */
static CpStaff *
read_staff_locked (CpSqliteStore  *self,
                   gint64          id,
                   GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT " STAFF_COLUMNS " FROM staff WHERE id = ?1",
                                                          error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the staff account"), error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No staff account with id %" PRId64), id);
      return NULL;
    }
  return cp_sqlite_staff_from_row (stmt);
}

/* Whether `actor_id` is an active administrator now, in this transaction. */
static gboolean
actor_is_admin_locked (CpSqliteStore  *self,
                       gint64          actor_id,
                       gboolean       *is_admin,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CpStaff) actor = NULL;

  *is_admin = FALSE;
  if (actor_id <= 0)
    return TRUE;
  actor = read_staff_locked (self, actor_id, &local_error);
  if (actor == NULL && !g_error_matches (local_error, CP_ERROR, CP_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *is_admin = actor != NULL && actor->active && actor->role == CP_ROLE_ADMIN;
  return TRUE;
}

static gboolean
count_other_admins_locked (CpSqliteStore  *self,
                           gint64          staff_id,
                           gint64         *count,
                           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = cp_sqlite_store_prepare (self,
                                                          "SELECT COUNT(*) FROM staff "
                                                          "WHERE role = 'admin' AND active = 1 AND id != ?1",
                                                          error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, staff_id);
  if (!cp_sqlite_store_step_row (self, stmt, &has_row, _("Could not read the staff accounts"), error))
    return FALSE;
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Ends the transaction begun by the caller with only the refusal's audit
 * entry in it ("AREA.refused", AREA from `asked`: "staff.role" is in
 * "staff"), and fails with CP_ERROR_PERMISSION and `message`. */
static gboolean
refuse (CpSqliteStore  *self,
        gint64          actor_id,
        const char     *asked,
        const char     *object,
        const char     *details,
        const char     *message,
        GError        **error)
{
  CpStore *store = CP_STORE (self);
  g_autoptr(GError) audit_error = NULL;
  const char *dot = strchr (asked, '.');
  int area = dot != NULL ? (int) (dot - asked) : (int) strlen (asked);
  g_autofree char *action = g_strdup_printf ("%.*s.refused", area, asked);

  if (cp_store_audit_append (store, actor_id, action, object, details, &audit_error))
    cp_store_commit (store, &audit_error);
  else
    cp_store_rollback (store);
  if (audit_error != NULL)
    g_warning ("Refused staff change not audited: %s", audit_error->message);

  g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION, message);
  return FALSE;
}

/* In the transaction begun by the caller: TRUE when `actor_id` is an active
 * administrator. Otherwise ends the transaction (with the refusal's audit
 * entry, see refuse(), or rolled back on a database error) and fails. */
static gboolean
check_admin_locked (CpSqliteStore  *self,
                    gint64          actor_id,
                    const char     *object,
                    const char     *asked,
                    const char     *message,
                    GError        **error)
{
  g_autofree char *details = NULL;
  gboolean is_admin;

  if (!actor_is_admin_locked (self, actor_id, &is_admin, error))
    {
      cp_store_rollback (CP_STORE (self));
      return FALSE;
    }
  if (is_admin)
    return TRUE;
  details = g_strdup_printf ("asked=%s reason=not-admin", asked);
  return refuse (self, actor_id, asked, object, details, message, error);
}

/* Commits the transaction with the change's audit entry, or rolls it back. */
static gboolean
audit_and_commit (CpSqliteStore  *self,
                  gint64          actor_id,
                  const char     *action,
                  const char     *object,
                  const char     *details,
                  GError        **error)
{
  CpStore *store = CP_STORE (self);

  if (!cp_store_audit_append (store, actor_id, action, object, details, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }
  return cp_store_commit (store, error);
}

static gboolean
administer (CpSqliteStore  *self,
            gint64          actor_id,
            gint64          staff_id,
            Op              op,
            CpRole          role,
            gboolean        active,
            const char     *password_hash,
            GError        **error)
{
  CpStore *store = CP_STORE (self);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(CpStaff) target = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autofree char *object = NULL;
  g_autofree char *asked = NULL;
  const char *action;
  sqlite3_stmt *stmt = NULL;

  switch (op)
    {
    case OP_ROLE:
      action = "staff.role";
      asked = g_strdup_printf ("staff.role role=%s", cp_role_to_string (role));
      break;
    case OP_ACTIVE:
      action = active ? "staff.activate" : "staff.deactivate";
      asked = g_strdup (action);
      break;
    case OP_PASSWORD:
    default:
      action = "staff.password";
      asked = g_strdup (action);
      break;
    }

  if (!cp_store_begin (store, error))
    return FALSE;

  target = read_staff_locked (self, staff_id, &lookup_error);
  if (target == NULL && !g_error_matches (lookup_error, CP_ERROR, CP_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      goto fail;
    }
  object = target != NULL ? g_strdup_printf ("staff:%s", target->username)
                          : g_strdup_printf ("staff:#%" PRId64, staff_id);
  /* Whoever is not an administrator learns nothing, not even whether the id exists */
  if (!check_admin_locked (self, actor_id, object, asked,
                           _("Only an active administrator may manage staff accounts"), error))
    return FALSE;
  if (target == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      goto fail;
    }

  if (target->active && target->role == CP_ROLE_ADMIN &&
      ((op == OP_ROLE && role != CP_ROLE_ADMIN) || (op == OP_ACTIVE && !active)))
    {
      gint64 others = 0;

      if (!count_other_admins_locked (self, staff_id, &others, error))
        goto fail;
      if (others == 0)
        {
          g_autofree char *details = g_strdup_printf ("asked=%s reason=last-admin", asked);

          return refuse (self, actor_id, asked, object, details,
                         _("CarePay needs at least one active administrator"), error);
        }
    }

  switch (op)
    {
    case OP_ROLE:
      stmt = cp_sqlite_store_prepare (self, "UPDATE staff SET role = ?2 WHERE id = ?1", error);
      if (stmt != NULL)
        sqlite3_bind_text (stmt, 2, cp_role_to_string (role), -1, SQLITE_STATIC);
      break;
    case OP_ACTIVE:
      stmt = cp_sqlite_store_prepare (self, "UPDATE staff SET active = ?2 WHERE id = ?1", error);
      if (stmt != NULL)
        sqlite3_bind_int (stmt, 2, active ? 1 : 0);
      break;
    case OP_PASSWORD:
    default:
      stmt = cp_sqlite_store_prepare (self, "UPDATE staff SET password_hash = ?2 WHERE id = ?1", error);
      if (stmt != NULL)
        sqlite3_bind_text (stmt, 2, password_hash, -1, SQLITE_TRANSIENT);
      break;
    }
  if (stmt == NULL)
    goto fail;
  {
    g_autoptr(sqlite3_stmt) update = stmt;

    sqlite3_bind_int64 (update, 1, staff_id);
    if (!cp_sqlite_store_step_done (self, update, _("Could not update the staff account"), error))
      goto fail;
  }

  return audit_and_commit (self, actor_id, action, object,
                           op == OP_ROLE ? cp_role_to_string (role) : NULL, error);

fail:
  cp_store_rollback (store);
  return FALSE;
}

static gboolean
set_staff_role (CpStore  *store,
                gint64    actor_id,
                gint64    staff_id,
                CpRole    role,
                GError  **error)
{
  if (cp_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Unknown role"));
      return FALSE;
    }
  return administer (CP_SQLITE_STORE (store), actor_id, staff_id, OP_ROLE, role, FALSE, NULL, error);
}

static gboolean
set_staff_active (CpStore   *store,
                  gint64     actor_id,
                  gint64     staff_id,
                  gboolean   active,
                  GError   **error)
{
  return administer (CP_SQLITE_STORE (store), actor_id, staff_id, OP_ACTIVE, CP_ROLE_CLERK, active, NULL,
                     error);
}

static gboolean
set_staff_password (CpStore     *store,
                    gint64       actor_id,
                    gint64       staff_id,
                    const char  *password,
                    GError     **error)
{
  g_autofree char *hash = NULL;
  gboolean ok;

  if (*password == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The password is empty"));
      return FALSE;
    }
  /* Hash before the transaction: yescrypt is deliberately slow */
  hash = cp_sqlite_hash_password (password, error);
  if (hash == NULL)
    return FALSE;
  ok = administer (CP_SQLITE_STORE (store), actor_id, staff_id, OP_PASSWORD, CP_ROLE_CLERK, FALSE, hash, error);
  explicit_bzero (hash, strlen (hash));
  return ok;
}

static gboolean
add_staff (CpStore     *store,
           gint64       actor_id,
           const char  *username,
           const char  *display_name,
           CpRole       role,
           const char  *password,
           GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  g_autofree char *hash = NULL;
  g_autofree char *object = NULL;
  g_autofree char *asked = NULL;

  if (*username == '\0' || *password == '\0' || cp_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A staff account needs a username, a password and a role"));
      return FALSE;
    }
  hash = cp_sqlite_hash_password (password, error);
  if (hash == NULL)
    return FALSE;
  object = g_strdup_printf ("staff:%s", username);
  asked = g_strdup_printf ("staff.create role=%s", cp_role_to_string (role));

  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  {
    CP_SQLITE_LOCK (self);

    if (!cp_store_begin (store, error))
      return FALSE;
    if (!check_admin_locked (self, actor_id, object, asked,
                             _("Only an active administrator may manage staff accounts"), error))
      return FALSE;

    {
      g_autoptr(sqlite3_stmt) stmt =
        cp_sqlite_store_prepare (self,
                                 "INSERT INTO staff (username, display_name, role, password_hash, active) "
                                 "VALUES (?1, ?2, ?3, ?4, 1)", error);
      if (stmt == NULL)
        {
          cp_store_rollback (store);
          return FALSE;
        }
      cp_sqlite_bind_text (stmt, 1, username);
      cp_sqlite_bind_text (stmt, 2, display_name != NULL ? display_name : username);
      cp_sqlite_bind_text (stmt, 3, cp_role_to_string (role));
      cp_sqlite_bind_text (stmt, 4, hash);
      if (!cp_sqlite_store_step_done (self, stmt, _("Could not create the staff account"), error))
        {
          if (error != NULL && *error != NULL && (*error)->code == CP_ERROR_EXISTS)
            {
              g_clear_error (error);
              g_set_error (error, CP_ERROR, CP_ERROR_EXISTS, _("The username “%s” is taken"), username);
            }
          g_clear_pointer (&stmt, cp_sqlite_stmt_release);
          cp_store_rollback (store);
          return FALSE;
        }
    }
    return audit_and_commit (self, actor_id, "staff.create", object, cp_role_to_string (role), error);
  }
}

static gboolean
require_admin (CpStore     *store,
               gint64       actor_id,
               const char  *asked,
               const char  *object,
               GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);

  /* A write transaction, so the refusal's audit entry chains like any other */
  if (!cp_store_begin (store, error))
    return FALSE;
  if (!check_admin_locked (self, actor_id, object, asked, _("Only an active administrator may do this"),
                           error))
    return FALSE;
  return cp_store_commit (store, error);
}

void
cp_sqlite_staff_iface_init (CpStoreInterface *iface)
{
  iface->set_staff_role = set_staff_role;
  iface->set_staff_active = set_staff_active;
  iface->set_staff_password = set_staff_password;
  iface->add_staff = add_staff;
  iface->require_admin = require_admin;
}
