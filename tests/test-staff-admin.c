/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staff administration is enforced by the store, whoever calls it: only an
 * active administrator (as the database has it) may add accounts or change
 * roles, the active flag and passwords; the last active administrator stays;
 * changes and refusals are in the audit log. A real file each time. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-store.h"

#define PASSWORD "correct horse"

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
  CpStaff       *clerk;
  CpStaff       *supervisor;
  CpStaff       *admin;
} Fixture;

static CpStaff *
sign_in (CpStore    *store,
         const char *username)
{
  g_autoptr(GError) error = NULL;
  CpStaff *staff = cp_store_authenticate (store, username, PASSWORD, &error);

  g_assert_no_error (error);
  return staff;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CpStore *store;

  f->dir = g_dir_make_tmp ("carepay-staff-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  store = CP_STORE (f->store);

  /* Provisioning, as seeding and first set-up do: no actor */
  g_assert_true (cp_store_create_staff (store, "casey", "Casey Clerk", CP_ROLE_CLERK, PASSWORD, &error));
  g_assert_true (cp_store_create_staff (store, "sam", "Sam Super", CP_ROLE_SUPERVISOR, PASSWORD, &error));
  g_assert_true (cp_store_create_staff (store, "ada", "Ada Admin", CP_ROLE_ADMIN, PASSWORD, &error));
  g_assert_no_error (error);
  f->clerk = sign_in (store, "casey");
  f->supervisor = sign_in (store, "sam");
  f->admin = sign_in (store, "ada");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_clear_pointer (&f->clerk, cp_staff_free);
  g_clear_pointer (&f->supervisor, cp_staff_free);
  g_clear_pointer (&f->admin, cp_staff_free);
  g_clear_object (&f->store);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

/* The account as the database has it (by signing in: proves the password) */
static CpStaff *
find_staff (CpStore    *store,
            const char *username)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = cp_store_list_staff (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CpStaff *s = all->pdata[i];

      if (g_strcmp0 (s->username, username) == 0)
        {
          CpStaff *copy = g_new0 (CpStaff, 1);

          copy->id = s->id;
          copy->username = g_strdup (s->username);
          copy->display_name = g_strdup (s->display_name);
          copy->role = s->role;
          copy->active = s->active;
          return copy;
        }
    }
  return NULL;
}

/* The audit entries with `action`, as "staff_id|object|details" lines */
static char *
audit_lines (CpStore    *store,
             const char *action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cp_store_list_audit (store, NULL, action, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      CpAuditEntry *e = entries->pdata[i];

      g_string_append_printf (out, "%" G_GINT64_FORMAT "|%s|%s\n", e->staff_id, e->object,
                              e->details != NULL ? e->details : "");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_chain_intact (CpStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 count = 0;
  g_autoptr(GPtrArray) problems = cp_store_audit_check (store, &count, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (count, >, 0);
}

static void
assert_refused (gboolean  ok,
                GError  **error)
{
  g_assert_false (ok);
  g_assert_error (*error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (error);
}

static void
test_others_refused (Fixture       *f,
                     gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  const CpStaff *actors[] = { f->clerk, f->supervisor, NULL };
  /* A copy that claims to be an admin: the database's role counts */
  CpStaff forged = *f->clerk;
  g_autoptr(CpStaff) clerk_after = NULL;
  g_autoptr(CpStaff) signed_in = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *expected = NULL;

  forged.role = CP_ROLE_ADMIN;
  forged.active = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (actors) + 1; i++)
    {
      const CpStaff *actor = i < G_N_ELEMENTS (actors) ? actors[i] : &forged;

      assert_refused (cp_store_set_staff_role (store, actor, f->clerk->id, CP_ROLE_ADMIN, &error), &error);
      assert_refused (cp_store_set_staff_active (store, actor, f->admin->id, FALSE, &error), &error);
      assert_refused (cp_store_set_staff_password (store, actor, f->admin->id, "taken over", &error), &error);
      assert_refused (cp_store_add_staff (store, actor, "mallory", "Mallory", CP_ROLE_ADMIN, "pw", &error),
                      &error);
      /* An unknown id tells a non-admin nothing more */
      assert_refused (cp_store_set_staff_role (store, actor, 999999, CP_ROLE_CLERK, &error), &error);
    }

  /* Nothing changed */
  clerk_after = find_staff (store, "casey");
  g_assert_cmpint (clerk_after->role, ==, CP_ROLE_CLERK);
  g_assert_null (find_staff (store, "mallory"));
  signed_in = sign_in (store, "ada");
  g_assert_true (signed_in->active);
  g_assert_cmpint (signed_in->role, ==, CP_ROLE_ADMIN);

  /* Each refusal is audited, with who asked, for what and why */
  refused = audit_lines (store, "staff.refused");
  {
    g_autoptr(GString) want = g_string_new (NULL);
    gint64 ids[] = { f->clerk->id, f->supervisor->id, 0, f->clerk->id };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      g_string_append_printf (want,
                              "%" G_GINT64_FORMAT "|staff:casey|asked=staff.role role=admin reason=not-admin\n"
                              "%" G_GINT64_FORMAT "|staff:ada|asked=staff.deactivate reason=not-admin\n"
                              "%" G_GINT64_FORMAT "|staff:ada|asked=staff.password reason=not-admin\n"
                              "%" G_GINT64_FORMAT "|staff:mallory|asked=staff.create role=admin reason=not-admin\n"
                              "%" G_GINT64_FORMAT "|staff:#999999|asked=staff.role role=clerk reason=not-admin\n",
                              ids[i], ids[i], ids[i], ids[i], ids[i]);
    expected = g_string_free (g_steal_pointer (&want), FALSE);
  }
  g_assert_cmpstr (refused, ==, expected);
  g_assert_null (strstr (refused, "taken over"));
  g_assert_null (strstr (refused, "pw"));
  assert_chain_intact (store);
}

static void
test_admin_allowed (Fixture       *f,
                    gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) dana = NULL;
  g_autoptr(CpStaff) again = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *want = NULL;

  g_assert_true (cp_store_add_staff (store, f->admin, "dana", "Dana Desk", CP_ROLE_CLERK, "dana-1", &error));
  g_assert_no_error (error);
  dana = find_staff (store, "dana");
  g_assert_nonnull (dana);
  g_assert_true (cp_store_set_staff_role (store, f->admin, dana->id, CP_ROLE_SUPERVISOR, &error));
  g_assert_true (cp_store_set_staff_active (store, f->admin, dana->id, FALSE, &error));
  g_assert_true (cp_store_set_staff_active (store, f->admin, dana->id, TRUE, &error));
  g_assert_true (cp_store_set_staff_password (store, f->admin, dana->id, "dana-2", &error));
  g_assert_no_error (error);

  again = cp_store_authenticate (store, "dana", "dana-2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->role, ==, CP_ROLE_SUPERVISOR);
  g_assert_true (again->active);

  /* Taken usernames and unknown ids, for an admin */
  g_assert_false (cp_store_add_staff (store, f->admin, "dana", "Again", CP_ROLE_CLERK, "x", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (cp_store_set_staff_active (store, f->admin, 999999, FALSE, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  lines = audit_lines (store, NULL);
  want = g_strdup_printf ("%1$" G_GINT64_FORMAT "|staff:dana|clerk\n"
                          "%1$" G_GINT64_FORMAT "|staff:dana|supervisor\n"
                          "%1$" G_GINT64_FORMAT "|staff:dana|\n"
                          "%1$" G_GINT64_FORMAT "|staff:dana|\n"
                          "%1$" G_GINT64_FORMAT "|staff:dana|\n", f->admin->id);
  g_assert_cmpstr (lines, ==, want);
  g_clear_pointer (&lines, g_free);
  lines = audit_lines (store, "staff.deactivate");
  g_assert_nonnull (strstr (lines, "staff:dana"));
  g_clear_pointer (&lines, g_free);
  lines = audit_lines (store, "staff.password");
  g_assert_null (strstr (lines, "dana-2"));
  assert_chain_intact (store);
}

static void
test_last_admin (Fixture       *f,
                 gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) bo = NULL;
  g_autoptr(CpStaff) ada = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *want = NULL;

  /* The only admin can neither demote nor deactivate itself */
  assert_refused (cp_store_set_staff_role (store, f->admin, f->admin->id, CP_ROLE_SUPERVISOR, &error), &error);
  assert_refused (cp_store_set_staff_active (store, f->admin, f->admin->id, FALSE, &error), &error);
  /* Harmless changes to it still go through */
  g_assert_true (cp_store_set_staff_role (store, f->admin, f->admin->id, CP_ROLE_ADMIN, &error));
  g_assert_true (cp_store_set_staff_password (store, f->admin, f->admin->id, PASSWORD, &error));
  g_assert_no_error (error);

  /* With a second admin, one may go; then the other is the last */
  g_assert_true (cp_store_add_staff (store, f->admin, "bo", "Bo Boss", CP_ROLE_ADMIN, PASSWORD, &error));
  g_assert_no_error (error);
  bo = sign_in (store, "bo");
  g_assert_true (cp_store_set_staff_active (store, bo, f->admin->id, FALSE, &error));
  g_assert_no_error (error);
  assert_refused (cp_store_set_staff_role (store, bo, bo->id, CP_ROLE_CLERK, &error), &error);
  assert_refused (cp_store_set_staff_active (store, bo, bo->id, FALSE, &error), &error);
  /* The deactivated admin's old session is no admin any more */
  assert_refused (cp_store_set_staff_active (store, f->admin, f->admin->id, TRUE, &error), &error);
  /* A deactivated admin demoted is no loss */
  g_assert_true (cp_store_set_staff_role (store, bo, f->admin->id, CP_ROLE_CLERK, &error));
  g_assert_no_error (error);
  ada = find_staff (store, "ada");
  g_assert_cmpint (ada->role, ==, CP_ROLE_CLERK);
  g_assert_false (ada->active);

  refused = audit_lines (store, "staff.refused");
  want = g_strdup_printf ("%1$" G_GINT64_FORMAT "|staff:ada|asked=staff.role role=supervisor reason=last-admin\n"
                          "%1$" G_GINT64_FORMAT "|staff:ada|asked=staff.deactivate reason=last-admin\n"
                          "%2$" G_GINT64_FORMAT "|staff:bo|asked=staff.role role=clerk reason=last-admin\n"
                          "%2$" G_GINT64_FORMAT "|staff:bo|asked=staff.deactivate reason=last-admin\n"
                          "%1$" G_GINT64_FORMAT "|staff:ada|asked=staff.activate reason=not-admin\n",
                          f->admin->id, bo->id);
  g_assert_cmpstr (refused, ==, want);
  assert_chain_intact (store);
}

/* The gate for the other admin-only changes (the preferences' settings) */
static void
test_require_admin (Fixture       *f,
                    gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *want = NULL;

  g_assert_true (cp_store_require_admin (store, f->admin, "settings.change", "setting:currency", &error));
  g_assert_no_error (error);
  assert_refused (cp_store_require_admin (store, f->supervisor, "settings.change", "setting:currency", &error),
                  &error);
  assert_refused (cp_store_require_admin (store, NULL, "settings.change", "keyring:smtp-password", &error),
                  &error);

  lines = audit_lines (store, "settings.refused");
  want = g_strdup_printf ("%" G_GINT64_FORMAT "|setting:currency|asked=settings.change reason=not-admin\n"
                          "0|keyring:smtp-password|asked=settings.change reason=not-admin\n",
                          f->supervisor->id);
  g_assert_cmpstr (lines, ==, want);
  assert_chain_intact (store);
}

/* Two admins on two connections, each deactivating the other at once: the
 * check and the change share one write transaction, so one of them wins and
 * an active admin is always left. */
typedef struct {
  const char    *path;
  gint64         actor_id;
  gint64         target_id;
  GThread       *thread;
  gboolean       ok;
  GError        *error;
} Racer;

static gpointer
racer_run (gpointer data)
{
  Racer *r = data;
  g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (r->path, CP_SQLITE_OPEN_DEFAULT, &r->error);
  CpStaff actor = { .id = r->actor_id };

  if (store != NULL)
    r->ok = cp_store_set_staff_active (CP_STORE (store), &actor, r->target_id, FALSE, &r->error);
  return NULL;
}

static void
test_last_admin_race (Fixture       *f,
                      gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) bo = NULL;

  g_assert_true (cp_store_add_staff (store, f->admin, "bo", "Bo Boss", CP_ROLE_ADMIN, PASSWORD, &error));
  g_assert_no_error (error);
  bo = sign_in (store, "bo");

  for (guint round = 0; round < 10; round++)
    {
      Racer a = { f->db, f->admin->id, bo->id, NULL, FALSE, NULL };
      Racer b = { f->db, bo->id, f->admin->id, NULL, FALSE, NULL };
      g_autoptr(CpStaff) ada_now = NULL;
      g_autoptr(CpStaff) bo_now = NULL;

      a.thread = g_thread_new ("racer-a", racer_run, &a);
      b.thread = g_thread_new ("racer-b", racer_run, &b);
      g_thread_join (a.thread);
      g_thread_join (b.thread);

      /* Exactly one wins; the loser is refused, never a database error */
      g_assert_true (a.ok != b.ok);
      if (a.error != NULL)
        g_assert_error (a.error, CP_ERROR, CP_ERROR_PERMISSION);
      if (b.error != NULL)
        g_assert_error (b.error, CP_ERROR, CP_ERROR_PERMISSION);
      g_clear_error (&a.error);
      g_clear_error (&b.error);
      ada_now = find_staff (store, "ada");
      bo_now = find_staff (store, "bo");
      g_assert_true (ada_now->active != bo_now->active);

      /* The one left brings the other back for the next round */
      g_assert_true (cp_store_set_staff_active (store, ada_now->active ? ada_now : bo_now,
                                                ada_now->active ? bo_now->id : ada_now->id, TRUE, &error));
      g_assert_no_error (error);
    }
  assert_chain_intact (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/carepay/staff-admin/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("others-refused", test_others_refused);
  ADD ("admin-allowed", test_admin_allowed);
  ADD ("last-admin", test_last_admin);
  ADD ("last-admin-race", test_last_admin_race);
  ADD ("require-admin", test_require_admin);
#undef ADD

  return g_test_run ();
}
