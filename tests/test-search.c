/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's searches ignore accents and case as the invoice list's index
 * does (one folding function): in the store, in carepayctl, after an import
 * and after the v4 and v6 migrations of an older database. A real file each
 * time. */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ctl-test-util.h"
#include "cp-invoice-index.h"
#include "cp-sqlite-private.h"

#define TODAY "2026-03-15"

static const char * const today_env[] = { "CAREPAY_TODAY=" TODAY, NULL };

/* given, family, MRN: accents, ñ, ü, ß, a ligature and plain ASCII twins */
static const char *const people[][3] = {
  { "José", "Álvarez", "MRN-ÄB1" },
  { "Jose", "Alvarez", "MRN-AB2" },
  { "Jürgen", "Müller", "MRN-3" },
  { "Íñigo", "Núñez", "MRN-4" },
  { "Anna", "Großmann", "MRN-5" },
  { "Zoë", "Ǆuric", "MRN-6" },
  { "Mary", "Smith", "MRN-7" },
  { "Øystein", "Łukasiewicz-Bær", "MRN-8" },  /* letters with no decomposition */
};

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
} Fixture;

static void
add_invoice (CpStore    *store,
             CpPatient  *patient,
             const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  CpLineItem *item = cp_line_item_new ();

  invoice->number = g_strdup (number);
  invoice->patient = cp_patient_copy (patient);
  invoice->issue_date = g_strdup ("2026-03-01");
  invoice->due_date = g_strdup ("2026-03-31");
  item->description = g_strdup ("Consultation");
  item->quantity = 1;
  item->unit_amount = 12000;
  g_ptr_array_add (invoice->line_items, item);
  g_assert_true (cp_store_create_invoice (store, invoice, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("carepay-search-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(CpPatient) patient = cp_patient_new ();
      g_autofree char *number = g_strdup_printf ("INV-2026-%06u", i + 1);

      patient->given_name = g_strdup (people[i][0]);
      patient->family_name = g_strdup (people[i][1]);
      patient->mrn = g_strdup (people[i][2]);
      g_assert_true (cp_store_save_patient (CP_STORE (f->store), patient, &error));
      g_assert_no_error (error);
      add_invoice (CP_STORE (f->store), patient, number);
    }
  /* An invoice number with a non-ASCII letter, as an import may bring */
  {
    g_autoptr(CpPatient) smith = cp_store_get_patient_by_mrn (CP_STORE (f->store), "MRN-7", &error);
    add_invoice (CP_STORE (f->store), smith, "FACTURA-Ñ-9");
  }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

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

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The invoice numbers the store finds for `typed`, sorted, joined by " ". */
static char *
store_numbers (CpStore    *store,
               const char *typed)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) numbers = g_ptr_array_new ();

  query.search = typed;
  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (numbers, ((CpInvoiceSummary *) rows->pdata[i])->number);
  g_ptr_array_sort (numbers, compare_strings);
  g_ptr_array_add (numbers, NULL);
  return g_strjoinv (" ", (char **) numbers->pdata);
}

/* The same from the invoice list's in-memory index */
static char *
index_numbers (CpInvoiceIndex *index,
               const char     *typed)
{
  g_autofree char *stripped = g_strstrip (g_strdup (typed));
  g_autofree char *needle = cp_invoice_index_fold (stripped);
  guint n = cp_invoice_index_get_n_rows (index);
  g_autofree guint32 *out = g_new (guint32, MAX (n, 1));
  g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  guint found = cp_invoice_index_filter (index, NULL, n, FALSE, -1, needle, out);

  for (guint i = 0; i < found; i++)
    {
      g_autoptr(CpInvoiceSummary) s = cp_invoice_index_dup_summary (index, out[i]);
      g_ptr_array_add (numbers, g_strdup (s->number));
    }
  g_ptr_array_sort (numbers, compare_strings);
  g_ptr_array_add (numbers, NULL);
  return g_strjoinv (" ", (char **) numbers->pdata);
}

static const struct {
  const char *typed;
  const char *numbers;
} searches[] = {
  { "jose", "INV-2026-000001 INV-2026-000002" },
  { "JOSÉ", "INV-2026-000001 INV-2026-000002" },
  { "álvarez, josé", "INV-2026-000001 INV-2026-000002" },
  { "muller", "INV-2026-000003" },
  { "MÜLLER", "INV-2026-000003" },
  { "jurgen mu", "INV-2026-000003" },
  { "nunez", "INV-2026-000004" },
  { "Íñigo", "INV-2026-000004" },
  { "grossmann", "INV-2026-000005" },
  { "GROẞMANN", "INV-2026-000005" },
  { "zoe dzu", "INV-2026-000006" },
  { "mrn-ab", "INV-2026-000001 INV-2026-000002" },
  { "factura-n", "FACTURA-Ñ-9" },
  { "inv-2026-00000", "INV-2026-000001 INV-2026-000002 INV-2026-000003 INV-2026-000004 "
                      "INV-2026-000005 INV-2026-000006 INV-2026-000007 INV-2026-000008" },
  { "lukasiewicz", "INV-2026-000008" },
  { "ŁUKASIEWICZ-BÆR", "INV-2026-000008" },
  { "oystein lukasiewicz", "INV-2026-000008" },
  { "baer, oys", "INV-2026-000008" },
  { "bær", "INV-2026-000008" },
  { "smith  ", "FACTURA-Ñ-9 INV-2026-000007" },
  { "mu_ler", "" },
  { "%", "" },
};

static void
test_store_agrees_with_index (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoiceIndex) index = cp_invoice_index_new_from_store (CP_STORE (f->store), &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autofree char *from_store = store_numbers (CP_STORE (f->store), searches[i].typed);
      g_autofree char *from_index = index_numbers (index, searches[i].typed);

      g_test_message ("search “%s”", searches[i].typed);
      g_assert_cmpstr (from_store, ==, searches[i].numbers);
      g_assert_cmpstr (from_index, ==, from_store);
    }
}

static guint
n_patients_found (CpStore    *store,
                  const char *typed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cp_store_list_patients (store, typed, 0, &error);

  g_assert_no_error (error);
  return patients->len;
}

static void
test_patients (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) jurgen = cp_store_get_patient_by_mrn (CP_STORE (f->store), "MRN-3", &error);

  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "jose"), ==, 2);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "NÚÑEZ"), ==, 1);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "grossmann, anna"), ==, 1);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "mrn-äb"), ==, 2);

  /* An update keeps the key: the old name is no longer found, the new one is */
  g_free (jurgen->family_name);
  jurgen->family_name = g_strdup ("Schröder");
  jurgen->email = g_strdup ("J.Schroeder@Example.org");
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), jurgen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "muller"), ==, 0);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "schroder"), ==, 1);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "schroeder@example"), ==, 1);
  g_assert_cmpuint (n_patients_found (CP_STORE (f->store), "  "), ==, G_N_ELEMENTS (people));
}

/* Every row's key is what cp-sqlite-search.c makes of the row now. */
static void
assert_keys_current (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT mrn, given_name, family_name, search_key FROM patients",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = cp_sqlite_search_patient_key ((const char *) sqlite3_column_text (stmt, 0),
                                                           (const char *) sqlite3_column_text (stmt, 1),
                                                           (const char *) sqlite3_column_text (stmt, 2));
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, key);
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT number, search_key FROM invoices", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = cp_sqlite_search_invoice_key ((const char *) sqlite3_column_text (stmt, 0));
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, key);
      rows++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (rows, >, 0);
}

/* carepayctl invoices --search TYPED --json: the patients' names, sorted */
static char *
ctl_names (const char *db,
           const char *typed)
{
  g_auto(CtlRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonArray *array;

  ctl_run (&run, today_env, "--db", db, "invoices", "--search", typed, "--json", NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *patient = json_object_get_object_member (json_array_get_object_element (array, i), "patient");
      g_ptr_array_add (names, (gpointer) json_object_get_string_member (patient, "name"));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("; ", (char **) names->pdata);
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
import_file (const char *db,
             const char *path)
{
  g_auto(CtlRun) run = { 0 };

  ctl_run (&run, today_env, "--db", db, "import", path, NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_ctl_and_import (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *patients = g_build_filename (f->dir, "patients.csv", NULL);
  g_autofree char *renamed = g_build_filename (f->dir, "renamed.csv", NULL);
  g_autofree char *invoices = g_build_filename (f->dir, "invoices.csv", NULL);
  g_autofree char *names = NULL;

  g_clear_object (&f->store);

  /* Both ways: plain letters find accents, accents find plain letters */
  names = ctl_names (f->db, "jose alvarez");
  g_assert_cmpstr (names, ==, "Jose Alvarez; José Álvarez");
  g_clear_pointer (&names, g_free);
  names = ctl_names (f->db, "JOSÉ ÁLVAREZ");
  g_assert_cmpstr (names, ==, "Jose Alvarez; José Álvarez");
  g_clear_pointer (&names, g_free);
  names = ctl_names (f->db, "muller");
  g_assert_cmpstr (names, ==, "Jürgen Müller");
  g_clear_pointer (&names, g_free);
  names = ctl_names (f->db, "Großmann");
  g_assert_cmpstr (names, ==, "Anna Großmann");
  g_clear_pointer (&names, g_free);

  write_file (patients, "mrn,given_name,family_name\r\n"
                        "MRN-100,Begoña,Ibáñez\r\n"
                        "MRN-101,Søren,Kierkegaard\r\n");
  write_file (invoices, "invoice_number,mrn,issue_date,currency,description,quantity,unit_price\r\n"
                        "IMP-1,MRN-100,2026-03-02,USD,Visit,1,80.00\r\n"
                        "IMP-2,MRN-101,2026-03-02,USD,Visit,1,80.00\r\n");
  import_file (f->db, patients);
  import_file (f->db, invoices);
  names = ctl_names (f->db, "begona ibanez");
  g_assert_cmpstr (names, ==, "Begoña Ibáñez");
  g_clear_pointer (&names, g_free);
  names = ctl_names (f->db, "imp-");
  g_assert_cmpstr (names, ==, "Begoña Ibáñez; Søren Kierkegaard");
  g_clear_pointer (&names, g_free);

  /* Importing again updates the patient, and its key with it */
  write_file (renamed, "mrn,given_name,family_name\r\nMRN-100,Begoña,Peñalver\r\n");
  import_file (f->db, renamed);
  names = ctl_names (f->db, "ibanez");
  g_assert_cmpstr (names, ==, "");
  g_clear_pointer (&names, g_free);
  names = ctl_names (f->db, "PENALVER");
  g_assert_cmpstr (names, ==, "Begoña Peñalver");

  assert_keys_current (f->db);
}

/* A version 3 database (before the keys) gets them filled when opened. */
static void
test_migration_fills_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);

  {
    g_autoptr(CpSqliteStore) old = cp_sqlite_store_open_at_version (path, 3, &error);
    sqlite3 *db;

    g_assert_no_error (error);
    db = cp_sqlite_store_get_connection (old);
    g_assert_cmpint (sqlite3_exec (db,
                                   "INSERT INTO patients (id, mrn, given_name, family_name) VALUES "
                                   "  (1, 'MRN-1', 'Renée', 'Lefèvre'), (2, 'MRN-2', 'Ole', 'Ødegård');"
                                   "INSERT INTO invoices (number, patient_id, issue_date, due_date, currency, created_at) VALUES "
                                   "  ('INV-2025-000001', 1, '2025-01-01', '2025-01-31', 'EUR', '2025-01-01T00:00:00Z'),"
                                   "  ('INV-2025-000002', 2, '2025-01-01', '2025-01-31', 'EUR', '2025-01-01T00:00:00Z');",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
  }
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
    g_autofree char *found = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (cp_sqlite_store_get_schema_version (store), ==, CP_SQLITE_SCHEMA_VERSION);
    found = store_numbers (CP_STORE (store), "renee lefevre");
    g_assert_cmpstr (found, ==, "INV-2025-000001");
    g_clear_pointer (&found, g_free);
    found = store_numbers (CP_STORE (store), "ØDEGARD");
    g_assert_cmpstr (found, ==, "INV-2025-000002");
    g_clear_pointer (&found, g_free);
    found = store_numbers (CP_STORE (store), "ole odegard");  /* Ø has no decomposition: spelt o */
    g_assert_cmpstr (found, ==, "INV-2025-000002");
  }
  assert_keys_current (path);

  g_unlink (path);
  g_rmdir (dir);
}

/* Puts the keys of a version 5 database back as version 5 wrote them (ø,
 * ł, æ only lowered), as a file from before the v6 fold would have them. */
static void
write_v5_keys (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE patients SET search_key = lower(family_name || ', ' || given_name || char(10) || "
                                 "  given_name || ' ' || family_name || char(10) || mrn);"
                                 "UPDATE patients SET search_key = replace(replace(replace(search_key, 'Ø', 'ø'), 'Ł', 'ł'), 'Æ', 'æ');"
                                 "UPDATE invoices SET search_key = lower(number);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
}

/* A version 5 database has its keys remade by the v6 step, in the
 * transaction that sets the version: a failing step leaves it at version 5
 * with its keys as they were, and the next open migrates it. */
static void
test_migration_v6_remakes_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "v5.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  {
    g_autoptr(CpSqliteStore) old = cp_sqlite_store_open_at_version (path, 5, &error);
    sqlite3 *db;

    g_assert_no_error (error);
    g_assert_cmpint (cp_sqlite_store_get_schema_version (old), ==, 5);
    db = cp_sqlite_store_get_connection (old);
    g_assert_cmpint (sqlite3_exec (db,
                                   "INSERT INTO patients (id, mrn, given_name, family_name) VALUES "
                                   "  (1, 'MRN-1', 'Øystein', 'Løvstad'), (2, 'MRN-2', 'Jan', 'Łukasiewicz'),"
                                   "  (3, 'MRN-3', 'Mary', 'Smith');"
                                   "INSERT INTO invoices (number, patient_id, issue_date, due_date, currency, created_at) VALUES "
                                   "  ('INV-2025-000001', 1, '2025-01-01', '2025-01-31', 'EUR', '2025-01-01T00:00:00Z'),"
                                   "  ('INV-2025-000002', 2, '2025-01-01', '2025-01-31', 'EUR', '2025-01-01T00:00:00Z'),"
                                   "  ('FAKTURA-Æ-3', 3, '2025-01-01', '2025-01-31', 'EUR', '2025-01-01T00:00:00Z');",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    write_v5_keys (db);
    /* A step that cannot finish, for the first open */
    g_assert_cmpint (sqlite3_exec (db,
                                   "CREATE TRIGGER no_keys BEFORE UPDATE OF search_key ON invoices "
                                   "BEGIN SELECT RAISE(ABORT, 'no keys today'); END;",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    /* What version 5 found: "løvstad" only as typed with its ø */
    {
      g_autofree char *found = store_numbers (CP_STORE (old), "lovstad");

      g_assert_cmpstr (found, ==, "");
    }
  }

  /* The step fails: nothing of it stays. */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);

    g_assert_null (store);
    g_assert_nonnull (error);
    g_test_message ("failed migration: %s", error->message);
    g_clear_error (&error);
  }
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 5);
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT search_key FROM patients WHERE id = 1", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "løvstad, øystein\nøystein løvstad\nmrn-1");
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER no_keys", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  /* Opened again, it is at version 6 with every key remade. */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
    g_autofree char *found = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (cp_sqlite_store_get_schema_version (store), ==, CP_SQLITE_SCHEMA_VERSION);
    g_assert_cmpint (CP_SQLITE_SCHEMA_VERSION, >=, 6);
    found = store_numbers (CP_STORE (store), "lovstad");
    g_assert_cmpstr (found, ==, "INV-2025-000001");
    g_clear_pointer (&found, g_free);
    found = store_numbers (CP_STORE (store), "Øystein Løvstad");
    g_assert_cmpstr (found, ==, "INV-2025-000001");
    g_clear_pointer (&found, g_free);
    found = store_numbers (CP_STORE (store), "lukasiewicz");
    g_assert_cmpstr (found, ==, "INV-2025-000002");
    g_clear_pointer (&found, g_free);
    found = store_numbers (CP_STORE (store), "faktura-ae");
    g_assert_cmpstr (found, ==, "FAKTURA-Æ-3");
    g_clear_pointer (&found, g_free);
    g_assert_cmpuint (n_patients_found (CP_STORE (store), "lovstad, oy"), ==, 1);
  }
  assert_keys_current (path);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/carepay/search/store-agrees-with-index", Fixture, NULL, fixture_setup,
              test_store_agrees_with_index, fixture_teardown);
  g_test_add ("/carepay/search/patients", Fixture, NULL, fixture_setup, test_patients, fixture_teardown);
  g_test_add ("/carepay/search/ctl-and-import", Fixture, NULL, fixture_setup, test_ctl_and_import,
              fixture_teardown);
  g_test_add_func ("/carepay/search/migration-fills-keys", test_migration_fills_keys);
  g_test_add_func ("/carepay/search/migration-v6-remakes-keys", test_migration_v6_remakes_keys);

  return g_test_run ();
}
