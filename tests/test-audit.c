/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit log's hash chain: clean, then tampered with through the sqlite3
 * shell after dropping the triggers that keep it append-only. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"
#include "ctl-test-util.h"
#include "test-util.h"

#define TODAY "2026-03-15"

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
  char          *shell;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char *const actions[] = { "refund", "void", "refund", "login", "refund" };

  f->dir = g_dir_make_tmp ("carepay-audit-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->shell = g_find_program_in_path ("sqlite3");

  g_assert_true (cp_store_create_staff (CP_STORE (f->store), "sam", "Sam Supervisor", CP_ROLE_SUPERVISOR,
                                        "correct horse", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autofree char *object = g_strdup_printf ("INV-2026-%06u", i + 1);
      g_autofree char *details = g_strdup_printf ("{\"amount\":%u}", 2500 + i);

      g_assert_true (cp_store_audit_append (CP_STORE (f->store), i % 2 ? 0 : 1, actions[i], object, details,
                                            &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->shell);
}

/* carepayctl ARGS... (NULL-terminated) on the tests' fixed day. */
static const char * const today_env[] = { "CAREPAY_TODAY=" TODAY, NULL };
#define ctl(run, ...) ctl_run (run, today_env, __VA_ARGS__)

/* Runs SQL through the sqlite3 shell, as someone tampering would. */
static int
shell (Fixture    *f,
       const char *sql)
{
  g_auto(CtlRun) run = { 0, };
  const char *argv[] = { f->shell, f->db, sql, NULL };

  ctl_run_argv (&run, today_env, argv);
  return run.status;
}

static GPtrArray *
check (Fixture *f,
       gint64  *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_READ_ONLY, &error);
  GPtrArray *problems;

  g_assert_no_error (error);
  problems = cp_store_audit_check (CP_STORE (store), count, &error);
  g_assert_no_error (error);
  return problems;
}

static void
test_clean (Fixture       *f,
            gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;

  problems = cp_store_audit_check (CP_STORE (f->store), &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (count, ==, 5);
  /* The store's own walk agrees */
  g_assert_true (cp_sqlite_audit_verify (f->store, &count, &error));
  g_assert_cmpint (count, ==, 5);

  g_clear_object (&f->store);
  ctl (&run, "--db", f->db, "audit", "verify", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "The audit log is intact: 5 entries\n");

  /* The triggers refuse edits while they are there */
  if (f->shell != NULL)
    {
      g_assert_cmpint (shell (f, "UPDATE audit_log SET details = 'x' WHERE id = 3;"), !=, 0);
      g_assert_cmpint (shell (f, "DELETE FROM audit_log WHERE id = 3;"), !=, 0);
      ctl (&run, "--db", f->db, "audit", "verify", NULL);
      g_assert_cmpint (run.status, ==, 0);
    }
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  CpAuditEntry *entry;
  JsonArray *array;
  JsonObject *first;

  entries = cp_store_list_audit (CP_STORE (f->store), NULL, "refund", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  entry = g_ptr_array_index (entries, 1);
  g_assert_cmpint (entry->id, ==, 3);
  g_assert_cmpstr (entry->object, ==, "INV-2026-000003");
  g_assert_cmpstr (entry->details, ==, "{\"amount\":2502}");
  g_assert_cmpstr (entry->staff_username, ==, "sam");
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = cp_store_list_audit (CP_STORE (f->store), "2999-01-01", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);

  g_clear_object (&f->store);
  ctl (&run, "--db", f->db, "audit", "--action", "refund", "--since", "2000-01-01", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  first = json_array_get_object_element (array, 0);
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "action"), ==, "refund");
  g_assert_cmpstr (json_object_get_string_member (first, "staff"), ==, "sam");

  ctl (&run, "--db", f->db, "audit", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "login"));
  g_assert_nonnull (strstr (run.out, "INV-2026-000005"));

  ctl (&run, "--db", f->db, "audit", "--since", "yesterday", NULL);
  g_assert_cmpint (run.status, ==, 2);
  ctl (&run, "--db", f->db, "audit", "verify", "--action", "refund", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

static void
test_edited (Fixture       *f,
             gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CpAuditProblem *problem;
  JsonObject *root;
  gint64 count;

  if (f->shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed");
      return;
    }
  g_clear_object (&f->store);

  g_assert_cmpint (shell (f, "DROP TRIGGER audit_log_no_update; "
                             "UPDATE audit_log SET details = '{\"amount\":9900}' WHERE id = 3;"), ==, 0);

  problems = check (f, &count);
  g_assert_cmpint (count, ==, 5);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->entry_id, ==, 3);
  g_assert_cmpstr (problem->message, ==, "entry 3 was changed after it was written: its contents do not match its hash");

  ctl (&run, "--db", f->db, "audit", "verify", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "entry 3 was changed after it was written: its contents do not match its hash\n");
  g_assert_nonnull (strstr (run.err, "tampered with: 1 problems in 5 entries"));

  ctl (&run, "--db", f->db, "audit", "verify", "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (json_object_get_array_member (root, "problems"), 0), "entry"),
                   ==, 3);
}

static void
test_deleted (Fixture       *f,
              gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autoptr(GPtrArray) problems = NULL;
  CpAuditProblem *problem;
  gint64 count;

  if (f->shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed");
      return;
    }
  g_clear_object (&f->store);

  g_assert_cmpint (shell (f, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2;"), ==, 0);

  problems = check (f, &count);
  g_assert_cmpint (count, ==, 4);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->entry_id, ==, 3);
  g_assert_cmpstr (problem->message, ==, "entry 2 is missing (deleted): entry 3 does not chain onto entry 1");

  ctl (&run, "--db", f->db, "audit", "verify", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "entry 2 is missing (deleted)"));

  /* Then the first one too, and two in a row */
  g_assert_cmpint (shell (f, "DROP TRIGGER IF EXISTS audit_log_no_delete; "
                             "DELETE FROM audit_log WHERE id IN (1, 4);"), ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = check (f, &count);
  g_assert_cmpint (count, ==, 2);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((CpAuditProblem *) g_ptr_array_index (problems, 0))->message, ==,
                   "entries 1 to 2 are missing (deleted): entry 3 does not start the chain");
  g_assert_cmpstr (((CpAuditProblem *) g_ptr_array_index (problems, 1))->message, ==,
                   "entry 4 is missing (deleted): entry 5 does not chain onto entry 3");
}

/* Edited and re-hashed, so the entry itself checks out: the next one shows it. */
static void
test_rehashed (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *sql = NULL;
  CpAuditEntry *third;
  gint64 count;

  if (f->shell == NULL)
    {
      g_test_skip ("the sqlite3 shell is not installed");
      return;
    }

  entries = cp_store_list_audit (CP_STORE (f->store), NULL, NULL, &error);
  g_assert_no_error (error);
  third = g_ptr_array_index (entries, 2);
  hash = cp_sqlite_audit_hash (third->prev_hash, third->at, third->staff_id, third->action, third->object,
                               "{\"amount\":1}");
  sql = g_strdup_printf ("DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET details = '{\"amount\":1}', hash = '%s' WHERE id = 3;", hash);
  g_clear_object (&f->store);
  g_assert_cmpint (shell (f, sql), ==, 0);

  problems = check (f, &count);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpint (((CpAuditProblem *) g_ptr_array_index (problems, 0))->entry_id, ==, 4);
  g_assert_cmpstr (((CpAuditProblem *) g_ptr_array_index (problems, 0))->message, ==,
                   "entry 4 does not chain onto entry 3: entry 3 was changed and re-hashed, or entries were inserted");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/carepay/audit/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("clean", test_clean);
  ADD ("list", test_list);
  ADD ("edited", test_edited);
  ADD ("deleted", test_deleted);
  ADD ("rehashed", test_rehashed);
#undef ADD

  return g_test_run ();
}
