/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data safety: online backups (SQLite's backup API), the backup scheduler,
 * a checked restore, the integrity check at open, a locked database and a
 * full disk, and file modes, on real SQLite files in a temp dir and through
 * the built carepayctl. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include <time.h>
#include <utime.h>

#include "cp-backup-scheduler.h"
#include "cp-error.h"
#include "cp-sqlite-backup.h"
#include "cp-sqlite-private.h"
#include "ctl-test-util.h"
#include "ledger-test-util.h"
#include "sqlite-test-util.h"
#include "test-util.h"

static const char *self_path;

/* Fixture: the ledger tests' database (a patient, three invoices, staff) */

static void
setup (LedgerFixture *f,
       gconstpointer  data)
{
  memset (f, 0, sizeof *f);
  lt_make_database (f);
}

static void
teardown (LedgerFixture *f,
          gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->clerk, cp_staff_free);
  g_clear_pointer (&f->supervisor, cp_staff_free);
  if (f->dir != NULL)
    test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->path, g_free);
}

static char *
in_dir (LedgerFixture *f,
        const char    *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static CpPatient *
make_patient (guint n)
{
  CpPatient *patient = cp_patient_new ();

  patient->mrn = g_strdup_printf ("SAFE-%05u", n);
  patient->given_name = g_strdup_printf ("Given %u", n);
  patient->family_name = g_strdup ("Safety");
  return patient;
}

static guint
count_patients (CpStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cp_store_list_patients (store, "Safety", 0, &error);

  g_assert_no_error (error);
  return patients->len;
}

static int
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* carepayctl --db DB ARGS... (NULL-terminated) */
#define ctl(run, db, ...) ctl_run (run, NULL, "--db", db, __VA_ARGS__)

static void
assert_one_line_error (CtlRun     *run,
                       const char *words)
{
  ctl_assert_one_line_error (run, 1);
  if (words != NULL)
    g_assert_nonnull (strstr (run->err, words));
}

/* Backups */

static void
test_backup_online (LedgerFixture *f,
                    gconstpointer  data)
{
  g_autofree char *backup = in_dir (f, "backups/one.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) copy = NULL;
  g_autoptr(CpPatient) committed = make_patient (1);
  sqlite3 *other = NULL;
  int schema = 0;

  g_assert_true (cp_store_save_patient (CP_STORE (f->store), committed, &error));
  g_assert_no_error (error);

  /* Another connection is mid-transaction: its row is not in the backup */
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE; "
                                 "INSERT INTO patients (mrn, given_name, family_name) "
                                 "VALUES ('SAFE-99999', 'Not', 'Safety')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_true (cp_sqlite_store_backup (f->store, backup, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  g_assert_cmpint (file_mode (backup), ==, 0600);
  g_assert_true (cp_sqlite_backup_check (backup, &schema, &error));
  g_assert_no_error (error);
  g_assert_cmpint (schema, ==, CP_SQLITE_SCHEMA_VERSION);

  /* A self-contained file: nothing beside it */
  {
    g_autofree char *wal = g_strconcat (backup, "-wal", NULL);
    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }

  copy = cp_sqlite_store_open (backup, CP_SQLITE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_patients (CP_STORE (copy)), ==, 1);
  {
    g_autoptr(CpInvoice) b = cp_store_get_invoice_by_number (CP_STORE (copy), "INV-2026-000002", &error);
    g_assert_no_error (error);
    g_assert_cmpint (b->total, ==, 25000);
  }

  /* Never over the database itself */
  g_assert_false (cp_sqlite_store_backup (f->store, f->path, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_file_modes (LedgerFixture *f,
                 gconstpointer  data)
{
  mode_t masks[] = { 0000, 0022, 0077 };

  for (guint i = 0; i < G_N_ELEMENTS (masks); i++)
    {
      g_autofree char *name = g_strdup_printf ("umask-%u.db", i);
      g_autofree char *path = in_dir (f, name);
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autofree char *backup_name = g_strdup_printf ("backup-%u/b.db", i);
      g_autofree char *backup = in_dir (f, backup_name);
      g_autofree char *backup_dir = g_path_get_dirname (backup);
      g_autofree char *sched_name = g_strdup_printf ("scheduled-%u", i);
      g_autofree char *sched_dir = in_dir (f, sched_name);
      g_autofree char *scheduled = NULL;
      g_autoptr(CpSqliteStore) store = NULL;
      g_autoptr(CpBackupScheduler) scheduler = NULL;
      g_autoptr(CpPatient) patient = make_patient (i);
      g_autoptr(GError) error = NULL;
      g_auto(CtlRun) run = { 0 };
      g_autofree char *ctl_backup = g_strdup_printf ("%s/ctl-%u.db", f->dir, i);
      mode_t old = umask (masks[i]);

      store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_CREATE, &error);
      g_assert_no_error (error);
      g_assert_true (cp_store_save_patient (CP_STORE (store), patient, &error));
      g_assert_true (cp_sqlite_store_backup (store, backup, &error));
      g_assert_no_error (error);
      scheduler = cp_backup_scheduler_new (store, sched_dir, 3600, 3);
      scheduled = cp_backup_scheduler_run_now (scheduler, &error);
      g_assert_no_error (error);
      ctl (&run, path, "backup", "--output", ctl_backup, NULL);
      umask (old);
      g_assert_cmpint (run.status, ==, 0);

      g_assert_cmpint (file_mode (path), ==, 0600);
      g_assert_cmpint (file_mode (wal), ==, 0600);
      g_assert_cmpint (file_mode (shm), ==, 0600);
      g_assert_cmpint (file_mode (backup), ==, 0600);
      g_assert_cmpint (file_mode (scheduled), ==, 0600);
      g_assert_cmpint (file_mode (ctl_backup), ==, 0600);
      g_assert_cmpint (file_mode (sched_dir), ==, 0700);
      g_assert_cmpint (file_mode (backup_dir) & 0077, ==, 0);
    }
}

typedef struct {
  GMainLoop *loop;
  guint      done;
  guint      failed;
} SchedulerWait;

static void
on_backup_done (CpBackupScheduler *scheduler,
                const char        *path,
                SchedulerWait     *wait)
{
  g_assert_true (cp_sqlite_backup_check (path, NULL, NULL));
  if (++wait->done >= 4)
    g_main_loop_quit (wait->loop);
}

static void
on_backup_failed (CpBackupScheduler *scheduler,
                  const char        *message,
                  SchedulerWait     *wait)
{
  wait->failed++;
  g_main_loop_quit (wait->loop);
}

static void
test_scheduler (LedgerFixture *f,
                gconstpointer  data)
{
  g_autofree char *dir = in_dir (f, "scheduled");
  g_autofree char *stray = NULL;
  g_autoptr(CpBackupScheduler) scheduler = cp_backup_scheduler_new (f->store, dir, 1, 2);
  g_autoptr(GPtrArray) kept = NULL;
  SchedulerWait wait = { g_main_loop_new (NULL, FALSE), 0, 0 };

  /* Another file in the directory is left alone */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  stray = g_build_filename (dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (stray, "mine", -1, NULL));

  g_signal_connect (scheduler, "backup-done", G_CALLBACK (on_backup_done), &wait);
  g_signal_connect (scheduler, "backup-failed", G_CALLBACK (on_backup_failed), &wait);
  cp_backup_scheduler_start (scheduler);
  g_main_loop_run (wait.loop);
  cp_backup_scheduler_stop (scheduler);
  g_main_loop_unref (wait.loop);

  g_assert_cmpuint (wait.failed, ==, 0);
  g_assert_cmpuint (wait.done, ==, 4);
  kept = cp_backup_scheduler_list (scheduler);
  g_assert_cmpuint (kept->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (kept, 0), >, g_ptr_array_index (kept, 1));
  for (guint i = 0; i < kept->len; i++)
    g_assert_true (cp_sqlite_backup_check (g_ptr_array_index (kept, i), NULL, NULL));
  g_assert_true (g_file_test (stray, G_FILE_TEST_EXISTS));
}

/* A desk app is closed every evening: the first backup after a start is due
 * by the newest backup's age, not a whole interval after the start. */
static void
test_scheduler_first_delay (LedgerFixture *f,
                            gconstpointer  data)
{
  g_autofree char *dir = in_dir (f, "first-delay");
  g_autoptr(CpBackupScheduler) scheduler = cp_backup_scheduler_new (f->store, dir, 24 * 3600, 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  struct utimbuf two_days_ago;
  guint delay;

  /* None yet: one soon after the start */
  g_assert_cmpuint (cp_backup_scheduler_get_first_delay (scheduler), ==, CP_BACKUP_STARTUP_DELAY);

  /* One just made: the next a whole interval later */
  path = cp_backup_scheduler_run_now (scheduler, &error);
  g_assert_no_error (error);
  delay = cp_backup_scheduler_get_first_delay (scheduler);
  g_assert_cmpuint (delay, <=, 24 * 3600);
  g_assert_cmpuint (delay, >, 24 * 3600 - 60);

  /* The newest is older than the interval: due soon again */
  two_days_ago.actime = two_days_ago.modtime = time (NULL) - 2 * 24 * 3600;
  g_assert_cmpint (utime (path, &two_days_ago), ==, 0);
  g_assert_cmpuint (cp_backup_scheduler_get_first_delay (scheduler), ==, CP_BACKUP_STARTUP_DELAY);
}

/* Restore */

static void
test_restore (LedgerFixture *f,
              gconstpointer  data)
{
  g_autofree char *backup = in_dir (f, "restore-me.db");
  g_autofree char *before = g_strconcat (f->path, ".before-restore", NULL);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autoptr(CpPatient) later = make_patient (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) old = NULL;
  g_auto(CtlRun) made = { 0 };
  g_auto(CtlRun) restored = { 0 };
  g_auto(CtlRun) listed = { 0 };

  ctl (&made, f->path, "backup", "--output", backup, NULL);
  g_assert_cmpint (made.status, ==, 0);

  /* Written after the backup, kept only in .before-restore */
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), later, &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);

  ctl (&restored, f->path, "restore", backup, NULL);
  g_assert_cmpint (restored.status, ==, 0);
  g_assert_nonnull (strstr (restored.out, ".before-restore"));

  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_patients (CP_STORE (f->store)), ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM invoices"), ==, 3);
  g_assert_cmpint (file_mode (f->path), ==, 0600);

  old = cp_sqlite_store_open (before, CP_SQLITE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_patients (CP_STORE (old)), ==, 1);
  g_assert_cmpint (file_mode (before), ==, 0600);

  ctl (&listed, f->path, "invoices", NULL);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_nonnull (strstr (listed.out, "INV-2026-000003"));
  (void) wal;
}

/* Another process (the app) has the database open: no restore under it */
static int
hold_open (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
  char line[16];

  if (store == NULL || count_patients (CP_STORE (store)) != 0)
    return 1;
  printf ("open\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    line[0] = '\0';
  return 0;
}

static void
test_restore_in_use (LedgerFixture *f,
                     gconstpointer  data)
{
  g_autofree char *backup = in_dir (f, "in-use.db");
  g_autofree char *before = g_strconcat (f->path, ".before-restore", NULL);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto(CtlRun) refused = { 0 };
  g_auto(CtlRun) restored = { 0 };

  g_assert_true (cp_sqlite_store_backup (f->store, backup, &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);

  app = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          self_path, "--hold-open", f->path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "open");

  ctl (&refused, f->path, "restore", backup, NULL);
  assert_one_line_error (&refused, "in use by another program");
  g_assert_false (g_file_test (before, G_FILE_TEST_EXISTS));

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (app), "go\n", 3, NULL, NULL, &error));
  g_assert_true (g_subprocess_wait_check (app, NULL, &error));
  g_assert_no_error (error);

  ctl (&restored, f->path, "restore", backup, NULL);
  g_assert_cmpint (restored.status, ==, 0);
  g_assert_true (g_file_test (before, G_FILE_TEST_EXISTS));
}

static void
make_other_database (const char *path,
                     const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_restore_refusals (LedgerFixture *f,
                       gconstpointer  data)
{
  g_autofree char *garbage = in_dir (f, "garbage.db");
  g_autofree char *foreign = in_dir (f, "foreign.db");
  g_autofree char *newer = in_dir (f, "newer.db");
  g_autofree char *broken = in_dir (f, "broken.db");
  g_autofree char *missing = in_dir (f, "missing.db");
  g_autofree char *before_sum = NULL;
  g_autofree char *before_path = g_strconcat (f->path, ".before-restore", NULL);
  g_autoptr(GError) error = NULL;
  struct { const char *path; const char *words; } cases[] = {
    { garbage, "not an SQLite file" },
    { foreign, "not a CarePay database" },
    { newer, "schema 99" },
    { broken, "damaged" },
    { missing, "missing.db" },
  };

  g_assert_true (g_file_set_contents (garbage, "this is not a database, it is a shopping list\n", -1, NULL));
  make_other_database (foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  make_other_database (newer, "CREATE TABLE t (x); PRAGMA application_id = 1129333081; PRAGMA user_version = 99");
  g_assert_true (cp_sqlite_store_backup (f->store, broken, &error));
  g_assert_no_error (error);
  test_damage_table (broken, "invoices");

  g_clear_object (&f->store);
  {
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close (db);
  }
  before_sum = test_file_checksum (f->path);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(CtlRun) run = { 0 };
      g_autofree char *after_sum = NULL;

      g_clear_error (&error);
      g_assert_false (cp_sqlite_backup_check (cases[i].path, NULL, &error));
      g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
      g_assert_nonnull (strstr (error->message, cases[i].words));

      ctl (&run, f->path, "restore", cases[i].path, NULL);
      assert_one_line_error (&run, cases[i].words);
      after_sum = test_file_checksum (f->path);
      g_assert_cmpstr (after_sum, ==, before_sum);
      g_assert_false (g_file_test (before_path, G_FILE_TEST_EXISTS));
    }
}

/* The reason to restore: the database is damaged */
static void
test_restore_over_damaged (LedgerFixture *f,
                           gconstpointer  data)
{
  g_autofree char *backup = in_dir (f, "good.db");
  g_autofree char *before = g_strconcat (f->path, ".before-restore", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(CtlRun) refused = { 0 };
  g_auto(CtlRun) restored = { 0 };

  g_assert_true (cp_sqlite_store_backup (f->store, backup, &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);
  test_damage_table (f->path, "invoices");

  ctl (&refused, f->path, "invoices", NULL);
  assert_one_line_error (&refused, "damaged");

  ctl (&restored, f->path, "restore", backup, NULL);
  g_assert_cmpint (restored.status, ==, 0);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM invoices"), ==, 3);

  /* The damaged one is kept as it was, for whoever wants to look */
  g_assert_true (g_file_test (before, G_FILE_TEST_EXISTS));
  g_assert_cmpint (file_mode (before), ==, 0600);
  g_assert_false (cp_sqlite_backup_check (before, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
}

/* Integrity at open */

static void
test_damaged_at_open (LedgerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_auto(CtlRun) run = { 0 };

  g_clear_object (&f->store);
  test_damage_table (f->path, "invoices");

  store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_assert_nonnull (strstr (error->message, "backup"));
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);

  store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_READ_ONLY, &error);
  g_assert_null (store);
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);

  ctl (&run, f->path, "invoices", NULL);
  assert_one_line_error (&run, "damaged");
}

/* Integrity in the background: the app reads at once, writes wait */

static void
test_damaged_in_background (LedgerFixture *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpPatient) patient = make_patient (100);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *other = NULL;

  g_clear_object (&f->store);
  test_damage_table (f->path, "invoices");
  before = test_file_checksum (f->path);

  store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CHECK_IN_BACKGROUND, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  /* Writes wait for the check, then fail as the open would have */
  g_assert_false (cp_store_save_patient (CP_STORE (store), patient, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  g_assert_false (cp_store_audit_append (CP_STORE (store), 0, "test", "x", NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  g_assert_false (cp_store_begin (CP_STORE (store), &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  g_assert_false (cp_sqlite_store_wait_checked (store, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "backup"));
  g_clear_error (&error);

  /* The file keeps its write lock while it is open: nobody else writes either */
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_BUSY);
  sqlite3_close (other);

  g_clear_object (&store);
  after = test_file_checksum (f->path);
  g_assert_cmpstr (after, ==, before);
}

static void
wait_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  int *outcome = user_data;
  g_autoptr(GError) error = NULL;

  *outcome = cp_sqlite_store_wait_checked_finish (CP_SQLITE_STORE (source), result, &error) ? 1 : 2;
  g_assert_no_error (error);
}

static void
test_checked_in_background (LedgerFixture *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpPatient) patient = make_patient (100);
  int outcome = 0;

  g_clear_object (&f->store);
  store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CHECK_IN_BACKGROUND, &error);
  g_assert_no_error (error);

  cp_sqlite_store_wait_checked_async (store, NULL, wait_checked_cb, &outcome);
  /* A write waits for the check and goes through */
  g_assert_true (cp_store_save_patient (CP_STORE (store), patient, &error));
  g_assert_no_error (error);
  g_assert_true (cp_sqlite_store_wait_checked (store, &error));
  g_assert_no_error (error);
  while (outcome == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (outcome, ==, 1);
  g_assert_cmpuint (count_patients (CP_STORE (store)), ==, 1);

  /* Another program can write again once the check is done */
  {
    sqlite3 *other = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
    sqlite3_busy_timeout (other, 5000);
    g_assert_cmpint (sqlite3_exec (other, "UPDATE patients SET given_name = 'Other' WHERE mrn = 'SAFE-00100'",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (other);
  }
}

/* A lock held by another process */

static int
hold_lock (const char *path)
{
  sqlite3 *db = NULL;
  char line[16];

  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, "BEGIN EXCLUSIVE; "
                    "INSERT INTO patients (mrn, given_name, family_name) "
                    "VALUES ('LOCK-1', 'Held', 'Lock')", NULL, NULL, NULL) != SQLITE_OK)
    return 1;
  printf ("locked\n");
  fflush (stdout);
  /* Until the test says so (or goes away) */
  if (fgets (line, sizeof line, stdin) == NULL)
    line[0] = '\0';
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return 0;
}

static void
test_locked (LedgerFixture *f,
             gconstpointer  data)
{
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(CpPatient) blocked = make_patient (100);
  g_autoptr(CpPatient) after = make_patient (101);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CpPatient) patient = make_patient (i);
      g_assert_true (cp_store_save_patient (CP_STORE (f->store), patient, &error));
      g_assert_no_error (error);
    }

  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_path, "--hold-lock", f->path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "locked");

  /* Waits out the busy timeout, then says so plainly */
  g_assert_false (cp_store_save_patient (CP_STORE (f->store), blocked, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "locked by another program"));
  g_clear_error (&error);

  /* Reads still work meanwhile (WAL) */
  g_assert_cmpuint (count_patients (CP_STORE (f->store)), ==, 5);

  /* Opening meanwhile checks in the foreground: the lock is not ours to take */
  {
    g_autoptr(CpSqliteStore) second = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CHECK_IN_BACKGROUND, &error);

    g_assert_no_error (error);
    g_assert_true (cp_sqlite_store_wait_checked (second, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_patients (CP_STORE (second)), ==, 5);
  }

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (holder), "go\n", 3, NULL, NULL, &error));
  g_assert_true (g_subprocess_wait_check (holder, NULL, &error));
  g_assert_no_error (error);

  /* Nothing lost; the store works again */
  g_clear_object (&f->store);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_patients (CP_STORE (f->store)), ==, 5);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM patients WHERE mrn = 'LOCK-1'"), ==, 0);
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), after, &error));
  g_assert_no_error (error);
}

/* A full disk */

static gboolean
mount_tiny_tmpfs (const char *dir)
{
  if (geteuid () != 0)
    return FALSE;
  return mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k,mode=0700") == 0;
}

static void
test_disk_full (LedgerFixture *f,
                gconstpointer  data)
{
  g_autofree char *small = in_dir (f, "small");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  gboolean tmpfs;
  guint n;

  g_assert_cmpint (g_mkdir_with_parents (small, 0700), ==, 0);
  tmpfs = mount_tiny_tmpfs (small);
  g_test_message ("full disk by %s", tmpfs ? "a 512 KiB tmpfs" : "PRAGMA max_page_count");
  path = g_build_filename (small, "carepay.db", NULL);

  store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_CREATE, &error);
  if (store == NULL && tmpfs)
    {
      /* Too small even for the schema: then it must say so, and we go on
       * with a limit SQLite enforces instead */
      g_assert_nonnull (strstr (error->message, "disk is full"));
      g_clear_error (&error);
      umount2 (small, MNT_DETACH);
      tmpfs = FALSE;
      g_test_message ("the tmpfs could not hold the schema; using PRAGMA max_page_count");
      store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_CREATE, &error);
    }
  g_assert_no_error (error);
  if (!tmpfs)
    {
      sqlite3 *db = cp_sqlite_store_get_connection (store);
      sqlite3_stmt *stmt = NULL;
      g_autofree char *limit = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_count", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      limit = g_strdup_printf ("PRAGMA max_page_count = %d", sqlite3_column_int (stmt, 0) + 8);
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_exec (db, limit, NULL, NULL, NULL), ==, SQLITE_OK);
    }

  for (n = 0; n < 100000; n++)
    {
      g_autoptr(CpPatient) patient = make_patient (n);

      g_free (patient->address);
      patient->address = g_strnfill (300, 'x');
      if (!cp_store_save_patient (CP_STORE (store), patient, &error))
        break;
      g_ptr_array_add (saved, g_strdup (patient->mrn));
    }
  g_assert_error (error, CP_ERROR, CP_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_assert_cmpuint (saved->len, >, 0);
  g_test_message ("%u patients saved before: %s", saved->len, error->message);
  g_clear_error (&error);
  g_clear_object (&store);

  /* Every row committed before the failure is there after a reopen */
  store = cp_sqlite_store_open (path, tmpfs ? CP_SQLITE_OPEN_DEFAULT : CP_SQLITE_OPEN_READ_ONLY, &error);
  if (store == NULL && tmpfs)
    {
      /* Opening for writing may itself need room; reading must work */
      g_clear_error (&error);
      store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_READ_ONLY, &error);
    }
  g_assert_no_error (error);
  for (guint i = 0; i < saved->len; i++)
    {
      g_autoptr(CpPatient) patient = cp_store_get_patient_by_mrn (CP_STORE (store), g_ptr_array_index (saved, i), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (patient->address), ==, 300);
    }
  g_assert_cmpuint (count_patients (CP_STORE (store)), ==, saved->len);
  g_clear_object (&store);

  if (tmpfs)
    g_assert_cmpint (umount2 (small, MNT_DETACH), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  if (argc == 3 && g_str_equal (argv[1], "--hold-lock"))
    return hold_lock (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--hold-open"))
    return hold_open (argv[2]);
  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/carepay/safety/" path, LedgerFixture, NULL, setup, func, teardown)
  ADD ("backup-online", test_backup_online);
  ADD ("file-modes", test_file_modes);
  ADD ("scheduler", test_scheduler);
  ADD ("scheduler-first-delay", test_scheduler_first_delay);
  ADD ("restore", test_restore);
  ADD ("restore-refusals", test_restore_refusals);
  ADD ("restore-in-use", test_restore_in_use);
  ADD ("restore-over-damaged", test_restore_over_damaged);
  ADD ("damaged-at-open", test_damaged_at_open);
  ADD ("damaged-in-background", test_damaged_in_background);
  ADD ("checked-in-background", test_checked_in_background);
  ADD ("locked", test_locked);
  ADD ("disk-full", test_disk_full);
#undef ADD

  return g_test_run ();
}
