/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-seed.h"
#include "cp-sqlite-private.h"
#include "test-util.h"

#define TODAY "2026-03-15"
#define CAREPAY_APPLICATION_ID 0x43504159

typedef struct {
  char          *dir;
  char          *path;
  CpSqliteStore *store;
  CpPatient     *patient;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  f->dir = g_dir_make_tmp ("carepay-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  f->patient = cp_patient_new ();
  f->patient->mrn = g_strdup ("MRN-0001");
  f->patient->given_name = g_strdup ("Maria");
  f->patient->family_name = g_strdup ("Garcia");
  f->patient->date_of_birth = g_strdup ("1984-03-12");
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), f->patient, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->store != NULL)
    g_assert_finalize_object (f->store);
  cp_patient_free (f->patient);
  test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static CpInvoice *
make_invoice (CpPatient  *patient,
              const char *number,
              const char *issue,
              const char *due,
              int         tax_rate_bp,
              gint64      first_amount)
{
  CpInvoice *invoice = cp_invoice_new ();
  CpLineItem *item;

  invoice->patient = cp_patient_copy (patient);
  invoice->number = g_strdup (number);
  invoice->issue_date = g_strdup (issue);
  invoice->due_date = g_strdup (due);
  invoice->tax_rate_bp = tax_rate_bp;

  item = cp_line_item_new ();
  item->description = g_strdup ("Chest X-ray, two views");
  item->service_code = g_strdup ("71046");
  item->quantity = 1;
  item->unit_amount = first_amount;
  item->service_date = g_strdup (issue);
  item->provider = g_strdup ("Dr. Amara Okafor, Radiology");
  g_ptr_array_add (invoice->line_items, item);

  item = cp_line_item_new ();
  item->description = g_strdup ("Physiotherapy session");
  item->service_code = g_strdup ("97110");
  item->quantity = 3;
  item->unit_amount = 6500;
  g_ptr_array_add (invoice->line_items, item);
  return invoice;
}

static CpPayment *
make_payment (gint64      invoice_id,
              const char *pi,
              gint64      amount,
              const char *status)
{
  CpPayment *payment = cp_payment_new ();

  payment->invoice_id = invoice_id;
  payment->stripe_payment_intent_id = g_strdup (pi);
  payment->amount = amount;
  payment->currency = g_strdup ("USD");
  payment->status = g_strdup (status);
  payment->channel = CP_PAYMENT_CHANNEL_KIOSK;
  return payment;
}

/* Opening */

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  GStatBuf st;
  sqlite3 *db;

  g_assert_cmpint (cp_sqlite_store_get_schema_version (f->store), ==, CP_SQLITE_SCHEMA_VERSION);
  g_assert_cmpstr (cp_sqlite_store_get_path (f->store), ==, f->path);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  db = cp_sqlite_store_get_connection (f->store);
  g_assert_cmpint (raw_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), ==, 1);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, CP_SQLITE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, CAREPAY_APPLICATION_ID);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                "('patients', 'invoices', 'line_items', 'payments', 'refunds', 'staff', "
                                "'meta', 'idempotency_keys', 'audit_log')"), ==, 9);
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = NULL;

  g_clear_object (&f->store);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  patient = cp_store_get_patient_by_mrn (CP_STORE (f->store), "MRN-0001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (patient->family_name, ==, "Garcia");

  /* Read-only opens work and refuse writes */
  {
    g_autoptr(CpSqliteStore) ro = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_READ_ONLY, &error);
    g_autoptr(CpPatient) other = cp_patient_new ();

    g_assert_no_error (error);
    other->mrn = g_strdup ("MRN-RO");
    g_assert_false (cp_store_save_patient (CP_STORE (ro), other, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_DATABASE);
  }
}

static void
test_migrations (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-store-XXXXXX", &error);

  /* From every earlier version, including an empty file at version 0 */
  for (int from = 0; from < CP_SQLITE_SCHEMA_VERSION; from++)
    {
      g_autofree char *path = g_strdup_printf ("%s/v%d.db", dir, from);
      g_autoptr(CpSqliteStore) old = cp_sqlite_store_open_at_version (path, from, &error);
      g_autoptr(CpSqliteStore) store = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      sqlite3 *db;

      g_assert_no_error (error);
      g_assert_cmpint (cp_sqlite_store_get_schema_version (old), ==, from);
      g_clear_object (&old);

      /* Read-only cannot upgrade, and leaves the file as it was */
      {
        g_autoptr(CpSqliteStore) ro = cp_sqlite_store_open (path, CP_SQLITE_OPEN_READ_ONLY, &error);
        g_assert_null (ro);
        g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
        g_clear_error (&error);
      }

      store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_cmpint (cp_sqlite_store_get_schema_version (store), ==, CP_SQLITE_SCHEMA_VERSION);
      db = cp_sqlite_store_get_connection (store);
      g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, CP_SQLITE_SCHEMA_VERSION);
      rows = cp_store_list_invoices (CP_STORE (store), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 0);
    }

  /* Opening at the current version and again is a no-op */
  {
    g_autofree char *path = g_strdup_printf ("%s/current.db", dir);
    g_autoptr(CpSqliteStore) a = cp_sqlite_store_open_at_version (path, CP_SQLITE_SCHEMA_VERSION, &error);
    g_assert_no_error (error);
    g_clear_object (&a);
    a = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
    g_assert_no_error (error);
  }
  test_remove_tree (dir);
}

static void
assert_refused (const char *path,
                CpSqliteOpenFlags flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = test_file_checksum (path);
  g_autofree char *after = NULL;
  g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, flags, &error);

  g_assert_null (store);
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  after = test_file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-store-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *foreign = g_build_filename (dir, "foreign.db", NULL);
  g_autofree char *newer = g_build_filename (dir, "newer.db", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.db", NULL);
  g_autofree char *header_only = g_build_filename (dir, "broken.db", NULL);
  sqlite3 *db;

  /* Missing without CREATE: refused, not created */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (missing, CP_SQLITE_OPEN_DEFAULT, &error);
    g_assert_null (store);
    g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
    g_clear_error (&error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    store = cp_sqlite_store_open (missing, CP_SQLITE_OPEN_READ_ONLY, &error);
    g_assert_null (store);
    g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
    g_clear_error (&error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }

  g_assert_true (g_file_set_contents (text, "Patient notes, not a database.\n", -1, NULL));
  assert_refused (text, CP_SQLITE_OPEN_DEFAULT);
  assert_refused (text, CP_SQLITE_OPEN_CREATE);
  assert_refused (text, CP_SQLITE_OPEN_READ_ONLY);

  /* The SQLite magic followed by garbage */
  {
    char junk[4096];
    memset (junk, 0x5a, sizeof junk);
    memcpy (junk, "SQLite format 3", 16);
    g_assert_true (g_file_set_contents (header_only, junk, sizeof junk, NULL));
    assert_refused (header_only, CP_SQLITE_OPEN_CREATE);
  }

  /* Another program's SQLite database */
  db = NULL;
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('x');"
                                     "PRAGMA user_version = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  assert_refused (foreign, CP_SQLITE_OPEN_DEFAULT);
  assert_refused (foreign, CP_SQLITE_OPEN_CREATE);

  /* A CarePay database from the future */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (newer, CP_SQLITE_OPEN_CREATE, &error);
    g_assert_no_error (error);
    g_clear_object (&store);
    db = raw_open (newer);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (newer, CP_SQLITE_OPEN_DEFAULT);
    assert_refused (newer, CP_SQLITE_OPEN_READ_ONLY);
  }

  /* An empty file is refused without CREATE and made a database with it */
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  assert_refused (empty, CP_SQLITE_OPEN_DEFAULT);
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (empty, CP_SQLITE_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }

  test_remove_tree (dir);
}

/* Patients and invoices */

static void
test_patients (Fixture       *f,
               gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) dup = cp_patient_new ();
  g_autoptr(CpPatient) second = cp_patient_new ();
  g_autoptr(CpPatient) got = NULL;
  g_autoptr(GPtrArray) found = NULL;

  g_assert_cmpint (f->patient->id, >, 0);

  dup->mrn = g_strdup ("MRN-0001");
  dup->family_name = g_strdup ("Other");
  g_assert_false (cp_store_save_patient (store, dup, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);

  second->mrn = g_strdup ("MRN-0002");
  second->given_name = g_strdup ("Sean");
  second->family_name = g_strdup ("O'Brien");
  second->email = g_strdup ("sean@example.com");
  g_assert_true (cp_store_save_patient (store, second, &error));
  g_assert_no_error (error);

  /* Update */
  g_free (second->phone);
  second->phone = g_strdup ("+1 512 555 0100");
  g_assert_true (cp_store_save_patient (store, second, &error));
  got = cp_store_get_patient (store, second->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->phone, ==, "+1 512 555 0100");
  g_assert_cmpstr (got->preferred_language, ==, "en");

  found = cp_store_list_patients (store, "o'bri", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = cp_store_list_patients (store, NULL, 0, &error);
  g_assert_cmpuint (found->len, ==, 2);
  /* Sorted by family name */
  g_assert_cmpstr (((CpPatient *) found->pdata[0])->family_name, ==, "Garcia");
  g_clear_pointer (&found, g_ptr_array_unref);
  /* A limit keeps the first of that order. */
  found = cp_store_list_patients (store, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((CpPatient *) found->pdata[0])->family_name, ==, "Garcia");

  g_assert_null (cp_store_get_patient (store, 999, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (cp_store_get_patient_by_mrn (store, "nope", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Bad date of birth */
  g_free (second->date_of_birth);
  second->date_of_birth = g_strdup ("1990-02-30");
  g_assert_false (cp_store_save_patient (store, second, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_invoices (Fixture       *f,
               gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = make_invoice (f->patient, "INV-2026-000001", "2026-03-01", "2026-03-31", 825, 18500);
  g_autoptr(CpInvoice) dup = make_invoice (f->patient, "INV-2026-000001", "2026-03-01", "2026-03-31", 0, 100);
  g_autoptr(CpInvoice) got = NULL;
  g_autoptr(CpInvoice) by_number = NULL;
  g_autofree char *next = NULL;

  g_assert_true (cp_store_create_invoice (store, invoice, &error));
  g_assert_no_error (error);
  g_assert_cmpint (invoice->id, >, 0);
  g_assert_cmpint (invoice->subtotal, ==, 18500 + 3 * 6500);
  g_assert_cmpint (invoice->tax, ==, 3135);  /* 38000 * 8.25 % = 3135 */
  g_assert_cmpint (invoice->total, ==, 41135);

  g_assert_false (cp_store_create_invoice (store, dup, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);

  got = cp_store_get_invoice (store, invoice->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->number, ==, "INV-2026-000001");
  g_assert_cmpstr (got->patient->mrn, ==, "MRN-0001");
  g_assert_cmpuint (got->line_items->len, ==, 2);
  g_assert_cmpstr (((CpLineItem *) got->line_items->pdata[0])->description, ==, "Chest X-ray, two views");
  g_assert_cmpint (((CpLineItem *) got->line_items->pdata[1])->amount, ==, 19500);
  g_assert_cmpint (got->total, ==, 41135);
  g_assert_cmpint (got->status, ==, CP_INVOICE_STATUS_PENDING);

  by_number = cp_store_get_invoice_by_number (store, "INV-2026-000001", &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_number->id, ==, invoice->id);
  g_assert_null (cp_store_get_invoice_by_number (store, "INV-2026-999999", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  next = cp_store_next_invoice_number (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (next, ==, "INV-2026-000002");

  /* No number: the store assigns the next one for the issue year */
  {
    g_autoptr(CpInvoice) auto_numbered = make_invoice (f->patient, NULL, "2026-03-02", "2026-04-01", 0, 100);
    g_assert_true (cp_store_create_invoice (store, auto_numbered, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (auto_numbered->number, ==, "INV-2026-000002");
  }

  /* Invalid input is refused whole */
  {
    g_autoptr(CpInvoice) bad = make_invoice (f->patient, "INV-BAD-1", "2026-03-02", "2026-03-01", 0, 100);
    g_autoptr(GPtrArray) rows = NULL;

    g_assert_false (cp_store_create_invoice (store, bad, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_free (bad->due_date);
    bad->due_date = g_strdup ("2026-04-01");
    ((CpLineItem *) bad->line_items->pdata[1])->quantity = 0;
    g_assert_false (cp_store_create_invoice (store, bad, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    rows = cp_store_list_invoices (store, NULL, &error);
    g_assert_cmpuint (rows->len, ==, 2);
  }

  /* Void */
  g_assert_true (cp_store_set_invoice_voided (store, invoice->id, TRUE, &error));
  g_clear_pointer (&got, cp_invoice_free);
  got = cp_store_get_invoice (store, invoice->id, &error);
  g_assert_cmpint (got->status, ==, CP_INVOICE_STATUS_CANCELLED);
  g_assert_false (cp_store_set_invoice_voided (store, 4242, TRUE, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
}

static void
test_search_and_filter (Fixture       *f,
                        gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) other = cp_patient_new ();
  const struct { const char *number; const char *issue; const char *due; gboolean other; } specs[] = {
    { "INV-2026-000001", "2026-01-05", "2026-02-04", FALSE },  /* overdue */
    { "INV-2026-000002", "2026-03-01", "2026-03-31", FALSE },  /* pending */
    { "INV-2026-000003", "2026-03-02", "2026-04-01", TRUE },   /* paid */
    { "INV-2026-000004", "2026-03-02", "2026-04-01", TRUE },   /* partial */
    { "100%_OFF", "2026-02-01", "2026-03-01", TRUE },          /* overdue */
  };
  gint64 ids[G_N_ELEMENTS (specs)];
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;

  other->mrn = g_strdup ("MRN-0002");
  other->given_name = g_strdup ("Sean");
  other->family_name = g_strdup ("O'Brien");
  g_assert_true (cp_store_save_patient (store, other, &error));

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(CpInvoice) inv = make_invoice (specs[i].other ? other : f->patient, specs[i].number,
                                               specs[i].issue, specs[i].due, 0, 10000);
      g_assert_true (cp_store_create_invoice (store, inv, &error));
      g_assert_no_error (error);
      ids[i] = inv->id;
    }
  {
    g_autoptr(CpPayment) full = make_payment (ids[2], "pi_full", 10000 + 3 * 6500, "succeeded");
    g_autoptr(CpPayment) part = make_payment (ids[3], "pi_part", 5000, "succeeded");
    g_assert_true (cp_store_record_payment (store, full, &error));
    g_assert_true (cp_store_record_payment (store, part, &error));
    g_assert_no_error (error);
  }

  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 5);
  /* Issue date descending, then number */
  g_assert_cmpstr (((CpInvoiceSummary *) rows->pdata[0])->number, ==, "INV-2026-000003");
  g_assert_cmpstr (((CpInvoiceSummary *) rows->pdata[1])->number, ==, "INV-2026-000004");
  g_assert_cmpstr (((CpInvoiceSummary *) rows->pdata[4])->number, ==, "INV-2026-000001");
  g_assert_cmpstr (((CpInvoiceSummary *) rows->pdata[0])->patient_name, ==, "O'Brien, Sean");
  g_assert_cmpint (((CpInvoiceSummary *) rows->pdata[1])->balance_due, ==, 29500 - 5000);
  g_clear_pointer (&rows, g_ptr_array_unref);

#define COUNT(search_, status_, patient_, limit_, expected) G_STMT_START { \
    CpInvoiceQuery q = { status_, search_, patient_, limit_ }; \
    g_autoptr(GPtrArray) r = cp_store_list_invoices (store, &q, &error); \
    g_assert_no_error (error); \
    g_assert_cmpuint (r->len, ==, expected); \
  } G_STMT_END

  COUNT ("%", -1, 0, 0, 1);          /* literal %, only "100%_OFF" */
  COUNT ("_", -1, 0, 0, 1);
  COUNT ("0%_o", -1, 0, 0, 1);
  COUNT ("o'bri", -1, 0, 0, 3);      /* quote in the search */
  COUNT ("O'Brien, Se", -1, 0, 0, 3);
  COUNT ("sean o'brien", -1, 0, 0, 3);
  COUNT ("Garcia, Maria", -1, 0, 0, 2);
  COUNT ("maria garcia", -1, 0, 0, 2);
  COUNT ("MRN-0002", -1, 0, 0, 3);
  COUNT ("inv-2026-00000", -1, 0, 0, 4);
  COUNT ("nobody", -1, 0, 0, 0);
  COUNT ("  ", -1, 0, 0, 5);
  COUNT (NULL, CP_INVOICE_STATUS_OVERDUE, 0, 0, 2);
  COUNT (NULL, CP_INVOICE_STATUS_PENDING, 0, 0, 1);
  COUNT (NULL, CP_INVOICE_STATUS_PAID, 0, 0, 1);
  COUNT (NULL, CP_INVOICE_STATUS_PARTIALLY_PAID, 0, 0, 1);
  COUNT (NULL, CP_INVOICE_STATUS_CANCELLED, 0, 0, 0);
  COUNT ("o'brien", CP_INVOICE_STATUS_OVERDUE, 0, 0, 1);
  COUNT (NULL, -1, other->id, 0, 3);
  COUNT (NULL, CP_INVOICE_STATUS_OVERDUE, other->id, 0, 1);
  COUNT (NULL, -1, 0, 2, 2);
  COUNT (NULL, CP_INVOICE_STATUS_OVERDUE, 0, 1, 1);
  COUNT ("inv", -1, 0, 3, 3);
#undef COUNT

  /* Totals: outstanding = pending + overdue + partial balances */
  {
    CpInvoiceTotals totals = { 0 };
    gint64 each = 10000 + 3 * 6500;

    g_assert_true (cp_store_get_totals (store, &totals, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (totals.currency, ==, "USD");
    g_assert_cmpint (totals.outstanding_count, ==, 4);
    g_assert_cmpint (totals.outstanding, ==, 3 * each + (each - 5000));
    g_assert_cmpint (totals.overdue_count, ==, 2);
    g_assert_cmpint (totals.overdue, ==, 2 * each);
    /* The payments were recorded now, not in March 2026 */
    g_assert_cmpint (totals.paid_this_month_count, ==, 0);
    cp_invoice_totals_clear (&totals);
  }
}

static void
test_totals_this_month (Fixture       *f,
                        gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) inv = make_invoice (f->patient, "INV-2026-000001", "2026-02-20", "2026-03-20", 0, 10000);
  g_autoptr(CpPayment) march = make_payment (0, "pi_march", 20000, "succeeded");
  g_autoptr(CpPayment) feb = make_payment (0, "pi_feb", 5000, "succeeded");
  g_autoptr(CpPayment) failed = make_payment (0, "pi_failed", 4000, "requires_payment_method");
  g_autoptr(CpRefund) refund = cp_refund_new ();
  CpInvoiceTotals totals = { 0 };

  g_assert_true (cp_store_create_invoice (store, inv, &error));
  march->invoice_id = feb->invoice_id = failed->invoice_id = inv->id;
  march->created_at = g_strdup ("2026-03-02T10:00:00Z");
  feb->created_at = g_strdup ("2026-02-27T10:00:00Z");
  failed->created_at = g_strdup ("2026-03-03T10:00:00Z");
  g_assert_true (cp_store_record_payment (store, march, &error));
  g_assert_true (cp_store_record_payment (store, feb, &error));
  g_assert_true (cp_store_record_payment (store, failed, &error));
  refund->payment_id = march->id;
  refund->stripe_refund_id = g_strdup ("re_1");
  refund->amount = 1500;
  refund->currency = g_strdup ("USD");
  refund->status = g_strdup ("succeeded");
  refund->created_at = g_strdup ("2026-03-10T09:00:00Z");
  g_assert_true (cp_store_record_refund (store, refund, &error));
  g_assert_no_error (error);

  g_assert_true (cp_store_get_totals (store, &totals, &error));
  g_assert_cmpint (totals.paid_this_month, ==, 20000 - 1500);
  g_assert_cmpint (totals.paid_this_month_count, ==, 1);
  /* 29500 due, 25000 paid: 4500 open (the refund owes nothing), not overdue yet */
  g_assert_cmpint (totals.outstanding, ==, 4500);
  g_assert_cmpint (totals.overdue, ==, 0);
  cp_invoice_totals_clear (&totals);
}

/* Ledger */

static void
test_record_payment (Fixture       *f,
                     gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) inv = make_invoice (f->patient, "INV-2026-000001", "2026-03-01", "2026-03-31", 0, 10500);
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpPayment) again = NULL;
  g_autoptr(CpRefund) refund = cp_refund_new ();
  g_autoptr(CpInvoice) got = NULL;
  gint64 first_id;

  g_assert_true (cp_store_create_invoice (store, inv, &error));
  payment = make_payment (inv->id, "pi_123", 30000, "processing");
  g_assert_true (cp_store_record_payment (store, payment, &error));
  g_assert_no_error (error);
  g_assert_cmpint (payment->id, >, 0);
  g_assert_nonnull (payment->created_at);
  first_id = payment->id;

  got = cp_store_get_invoice (store, inv->id, &error);
  g_assert_cmpint (got->amount_paid, ==, 0);
  g_assert_cmpint (got->status, ==, CP_INVOICE_STATUS_PENDING);
  g_clear_pointer (&got, cp_invoice_free);

  /* The same PaymentIntent again updates, it does not duplicate */
  again = make_payment (inv->id, "pi_123", 30000, "succeeded");
  again->card_brand = g_strdup ("visa");
  again->card_last4 = g_strdup ("4242");
  again->stripe_charge_id = g_strdup ("ch_1");
  g_assert_true (cp_store_record_payment (store, again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, first_id);
  g_assert_cmpstr (again->created_at, ==, payment->created_at);
  g_assert_true (cp_store_record_payment (store, again, &error));

  got = cp_store_get_invoice (store, inv->id, &error);
  g_assert_cmpuint (got->payments->len, ==, 1);
  g_assert_cmpstr (((CpPayment *) got->payments->pdata[0])->card_last4, ==, "4242");
  g_assert_cmpint (((CpPayment *) got->payments->pdata[0])->channel, ==, CP_PAYMENT_CHANNEL_KIOSK);
  g_assert_cmpint (got->status, ==, CP_INVOICE_STATUS_PAID);
  g_clear_pointer (&got, cp_invoice_free);

  /* Refunds are idempotent by refund id too */
  refund->payment_id = first_id;
  refund->stripe_refund_id = g_strdup ("re_1");
  refund->amount = 30000;
  refund->currency = g_strdup ("USD");
  refund->status = g_strdup ("pending");
  g_assert_true (cp_store_record_refund (store, refund, &error));
  g_assert_no_error (error);
  g_assert_cmpint (refund->invoice_id, ==, inv->id);
  g_free (refund->status);
  refund->status = g_strdup ("succeeded");
  g_assert_true (cp_store_record_refund (store, refund, &error));
  got = cp_store_get_invoice (store, inv->id, &error);
  g_assert_cmpuint (got->refunds->len, ==, 1);
  g_assert_cmpint (got->status, ==, CP_INVOICE_STATUS_REFUNDED);

  /* Bad references */
  {
    g_autoptr(CpPayment) orphan = make_payment (9999, "pi_orphan", 100, "succeeded");
    g_autoptr(CpRefund) orphan_refund = cp_refund_new ();

    g_assert_false (cp_store_record_payment (store, orphan, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
    g_clear_error (&error);
    orphan_refund->payment_id = 9999;
    orphan_refund->stripe_refund_id = g_strdup ("re_orphan");
    orphan_refund->amount = 1;
    orphan_refund->currency = g_strdup ("USD");
    orphan_refund->status = g_strdup ("succeeded");
    g_assert_false (cp_store_record_refund (store, orphan_refund, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  }
}

/* Staff */

/* Signing in fails with the one message that tells nothing of why. */
static void
assert_sign_in_refused (CpStore    *store,
                        const char *username,
                        const char *password)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cp_store_authenticate (store, username, password, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "Wrong username or password");
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) staff = NULL;
  g_autoptr(GPtrArray) all = NULL;
  sqlite3 *db = cp_sqlite_store_get_connection (f->store);
  g_autofree char *hash = NULL;

  g_assert_true (cp_store_create_staff (store, "casey", "Casey Clerk", CP_ROLE_CLERK, "s3cret pass", &error));
  g_assert_no_error (error);
  g_assert_true (cp_store_create_staff (store, "sam", "Sam Super", CP_ROLE_SUPERVISOR, "other", &error));
  g_assert_false (cp_store_create_staff (store, "casey", "Again", CP_ROLE_ADMIN, "x", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);

  /* Stored as yescrypt, never in clear */
  {
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2 (db, "SELECT password_hash FROM staff WHERE username = 'casey'", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
  }
  g_assert_true (g_str_has_prefix (hash, "$y$"));
  g_assert_null (strstr (hash, "s3cret"));

  staff = cp_store_authenticate (store, "casey", "s3cret pass", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (staff->display_name, ==, "Casey Clerk");
  g_assert_cmpint (staff->role, ==, CP_ROLE_CLERK);
  g_assert_true (staff->active);

  assert_sign_in_refused (store, "casey", "s3cret pas");
  assert_sign_in_refused (store, "nobody", "s3cret pass");
  g_assert_null (cp_store_authenticate (store, "casey", "", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_AUTH);
  g_clear_error (&error);

  /* Inactive accounts cannot sign in, even with the right password */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE staff SET active = 0 WHERE username = 'sam'", NULL, NULL, NULL), ==, SQLITE_OK);
  assert_sign_in_refused (store, "sam", "other");

  all = cp_store_list_staff (store, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_false (((CpStaff *) all->pdata[1])->active);
}

typedef struct {
  GMainLoop *loop;
  CpStaff   *staff;
  GError    *error;
  GPtrArray *rows;
  CpInvoiceTotals *totals;
} AsyncData;

static void
auth_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *d = user_data;

  d->staff = cp_store_authenticate_finish (CP_STORE (source), result, &d->error);
  g_main_loop_quit (d->loop);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *d = user_data;

  d->rows = cp_store_list_invoices_finish (CP_STORE (source), result, &d->error);
  g_main_loop_quit (d->loop);
}

static void
totals_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *d = user_data;

  d->totals = cp_store_get_totals_finish (CP_STORE (source), result, &d->error);
  g_main_loop_quit (d->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) inv = make_invoice (f->patient, "INV-2026-000001", "2026-03-01", "2026-03-31", 0, 100);
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, NULL, NULL };
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  char search[] = "garcia";

  g_assert_true (cp_store_create_invoice (store, inv, &error));
  g_assert_true (cp_store_create_staff (store, "casey", "Casey", CP_ROLE_CLERK, "pw", &error));

  cp_store_authenticate_async (store, "casey", "pw", NULL, auth_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_cmpstr (d.staff->username, ==, "casey");
  g_clear_pointer (&d.staff, cp_staff_free);

  cp_store_authenticate_async (store, "casey", "wrong", NULL, auth_done, &d);
  g_main_loop_run (d.loop);
  g_assert_error (d.error, CP_ERROR, CP_ERROR_AUTH);
  g_clear_error (&d.error);

  /* The query is copied: changing it after the call does not matter */
  query.search = search;
  cp_store_list_invoices_async (store, &query, NULL, list_done, &d);
  search[0] = 'x';
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_cmpuint (d.rows->len, ==, 1);
  g_clear_pointer (&d.rows, g_ptr_array_unref);

  cp_store_get_totals_async (store, NULL, totals_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_cmpint (d.totals->outstanding, ==, 100 + 3 * 6500);
  cp_invoice_totals_clear (d.totals);
  g_free (d.totals);

  /* Worker threads drop their task (and its store reference) just after the
   * callback ran; let them finish before the fixture checks finalization */
  for (int i = 0; i < 5000 && G_OBJECT (f->store)->ref_count > 1; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  g_main_loop_unref (d.loop);
}

/* Idempotency keys, meta, audit */

static void
test_idempotency (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = cp_store_idempotency_key (CP_STORE (f->store), "pay:INV-2026-000001:1", &error);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (a));
  b = cp_store_idempotency_key (CP_STORE (f->store), "pay:INV-2026-000001:1", &error);
  g_assert_cmpstr (a, ==, b);
  c = cp_store_idempotency_key (CP_STORE (f->store), "refund:pi_1:1", &error);
  g_assert_cmpstr (a, !=, c);

  /* Stable across a restart */
  g_clear_object (&f->store);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  again = cp_store_idempotency_key (CP_STORE (f->store), "pay:INV-2026-000001:1", &error);
  g_assert_cmpstr (again, ==, a);
}

static void
test_meta_and_transactions (Fixture       *f,
                            gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (cp_store_get_meta (store, "k"));
  g_assert_true (cp_store_set_meta (store, "k", "v1", &error));
  g_assert_true (cp_store_set_meta (store, "k", "v2", &error));
  value = cp_store_get_meta (store, "k");
  g_assert_cmpstr (value, ==, "v2");
  g_clear_pointer (&value, g_free);

  /* Rollback undoes, nested transactions roll back on their own */
  g_assert_true (cp_store_begin (store, &error));
  g_assert_true (cp_store_set_meta (store, "k", "outer", &error));
  g_assert_true (cp_store_begin (store, &error));
  g_assert_true (cp_store_set_meta (store, "k", "inner", &error));
  cp_store_rollback (store);
  value = cp_store_get_meta (store, "k");
  g_assert_cmpstr (value, ==, "outer");
  g_clear_pointer (&value, g_free);
  cp_store_rollback (store);
  value = cp_store_get_meta (store, "k");
  g_assert_cmpstr (value, ==, "v2");
  g_clear_pointer (&value, g_free);

  g_assert_true (cp_store_begin (store, &error));
  g_assert_true (cp_store_set_meta (store, "k", NULL, &error));
  g_assert_true (cp_store_commit (store, &error));
  g_assert_null (cp_store_get_meta (store, "k"));

  g_assert_false (cp_store_commit (store, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_FAILED);
}

typedef struct {
  CpStore   *store;
  GThread   *thread;
  GMutex     mutex;
  GCond      cond;
  gboolean   done;
  guint      n_rows;
} ListCall;

static gpointer
list_all_thread (gpointer data)
{
  ListCall *call = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cp_store_list_invoices (call->store, NULL, &error);

  g_assert_no_error (error);
  g_mutex_lock (&call->mutex);
  call->n_rows = rows->len;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
  return NULL;
}

/* Every invoice, read by another thread */
static ListCall *
list_all_start (CpStore *store)
{
  ListCall *call = g_new0 (ListCall, 1);

  call->store = store;
  g_mutex_init (&call->mutex);
  g_cond_init (&call->cond);
  call->thread = g_thread_new ("list-all", list_all_thread, call);
  return call;
}

/* TRUE once that read is done, FALSE if it is not within `ms` */
static gboolean
list_all_wait (ListCall *call,
               guint     ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  gboolean done;

  g_mutex_lock (&call->mutex);
  while (!call->done && g_cond_wait_until (&call->cond, &call->mutex, deadline))
    ;
  done = call->done;
  g_mutex_unlock (&call->mutex);
  return done;
}

/* The rows it read, once done */
static guint
list_all_finish (ListCall *call)
{
  guint n_rows;

  g_thread_join (call->thread);
  n_rows = call->n_rows;
  g_mutex_clear (&call->mutex);
  g_cond_clear (&call->cond);
  g_free (call);
  return n_rows;
}

/* The rows another thread sees, read while this one may hold the store */
static guint
list_all_elsewhere (CpStore *store)
{
  ListCall *call = list_all_start (store);

  if (!list_all_wait (call, 10000))
    g_error ("Reading every invoice waited for another thread's transaction");
  return list_all_finish (call);
}

/* The whole list (the app's index, ~0.8 s at 100,000 invoices) is read on a
 * connection of its own: it neither waits for a transaction nor holds the
 * store, and sees what is committed; the thread in a transaction sees its
 * own writes. */
static void
test_list_all_beside_writes (Fixture       *f,
                             gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) first = make_invoice (f->patient, "INV-2026-000001", "2026-03-01", "2026-03-31", 0, 100);
  g_autoptr(CpInvoice) second = make_invoice (f->patient, "INV-2026-000002", "2026-03-02", "2026-04-01", 0, 200);
  g_autoptr(GPtrArray) own = NULL;

  g_assert_true (cp_store_create_invoice (store, first, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_all_elsewhere (store), ==, 1);

  g_assert_true (cp_store_begin (store, &error));
  g_assert_true (cp_store_create_invoice (store, second, &error));
  g_assert_no_error (error);
  own = cp_store_list_invoices (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own->len, ==, 2);
  g_assert_cmpuint (list_all_elsewhere (store), ==, 1);
  g_assert_true (cp_store_commit (store, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (list_all_elsewhere (store), ==, 2);
}

/* A sign-in pauses the reads of every invoice (cp_sqlite_store_pause_reads):
 * they wait until resumed, or until the pause runs out; other calls do not. */
static void
test_reads_paused (Fixture       *f,
                   gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  ListCall *call;
  gint64 start;

  /* Enough rows for SQLite to look at the pause while it reads */
  g_assert_true (cp_seed_demo (store, 300, 42, TODAY, &error));
  g_assert_no_error (error);

  cp_sqlite_store_pause_reads (f->store, 60000);
  call = list_all_start (store);
  g_assert_false (list_all_wait (call, 300));
  invoice = cp_store_get_invoice (store, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (invoice);
  cp_sqlite_store_resume_reads (f->store);
  g_assert_true (list_all_wait (call, 10000));
  g_assert_cmpuint (list_all_finish (call), ==, 300);

  /* Not resumed: it runs out */
  start = g_get_monotonic_time ();
  cp_sqlite_store_pause_reads (f->store, 200);
  call = list_all_start (store);
  g_assert_true (list_all_wait (call, 10000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (list_all_finish (call), ==, 300);

  /* And once it has, reads do not wait */
  start = g_get_monotonic_time ();
  g_assert_cmpuint (list_all_elsewhere (store), ==, 300);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 190 * G_TIME_SPAN_MILLISECOND);
}

typedef struct {
  CpStore  *store;
  gboolean  hold_transaction;  /* else: one write */
  gint      done;              /* atomic */
  gboolean  ok;
  char     *message;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;

  if (w->hold_transaction)
    {
      /* This process's own long transaction */
      w->ok = cp_store_begin (w->store, &error) &&
              cp_store_set_meta (w->store, "own", "1", &error);
      g_usleep (400 * G_TIME_SPAN_MILLISECOND);
      w->ok = w->ok && cp_store_commit (w->store, &error);
    }
  else
    w->ok = cp_store_audit_append (w->store, 0, "test.write", NULL, NULL, &error);
  w->message = error != NULL ? g_strdup (error->message) : NULL;
  g_atomic_int_set (&w->done, TRUE);
  return NULL;
}

/* Another program holds the write lock: a write here waits for it without
 * holding the store, so reads go on meanwhile, and is made once the lock is
 * free. A write while another thread of ours is in a transaction waits for
 * it and is made (that wait has no 5 s limit; not timed here). */
static void
test_write_waits_outside (Fixture       *f,
                          gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *meta = NULL;
  Writer w = { .store = store };
  Writer own = { .store = store, .hold_transaction = TRUE };
  sqlite3 *other = NULL;
  GThread *thread;
  gint64 start;

  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  thread = g_thread_new ("writer", writer_thread, &w);
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  g_assert_false (g_atomic_int_get (&w.done));

  start = g_get_monotonic_time ();
  meta = cp_store_get_meta (store, "currency");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
  g_assert_false (g_atomic_int_get (&w.done));

  g_assert_cmpint (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_thread_join (thread);
  g_assert_cmpstr (w.message, ==, NULL);
  g_assert_true (w.ok);

  /* Our own transaction: the other thread's write waits for it, and is made. */
  thread = g_thread_new ("own", writer_thread, &own);
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (cp_store_set_meta (store, "after-own", "1", &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_cmpstr (own.message, ==, NULL);
  g_assert_true (own.ok);
  sqlite3_close (other);
}

/* The data version moves with another program's commit, not with ours, and
 * the async pair reads the same. */
static void
data_version_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  guint64 *out = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_store_get_data_version_finish (CP_STORE (source), result, out, &error));
  g_assert_no_error (error);
}

static void
test_data_version (Fixture       *f,
                   gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) other = NULL;
  guint64 before = 0, after = 0, async_version = G_MAXUINT64;

  g_assert_true (cp_store_get_data_version (store, &before, &error));
  g_assert_no_error (error);
  g_assert_true (cp_store_set_meta (store, "ours", "1", &error));
  g_assert_true (cp_store_get_data_version (store, &after, &error));
  g_assert_cmpuint (after, ==, before);

  other = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_set_meta (CP_STORE (other), "theirs", "1", &error));
  g_assert_no_error (error);
  g_assert_true (cp_store_get_data_version (store, &after, &error));
  g_assert_cmpuint (after, !=, before);

  cp_store_get_data_version_async (store, NULL, data_version_cb, &async_version);
  while (async_version == G_MAXUINT64)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (async_version, ==, after);
  /* The worker lets go of its task (and the store) just after the callback. */
  for (int i = 0; i < 5000 && g_atomic_int_get (&G_OBJECT (store)->ref_count) > 1; i++)
    g_usleep (1000);
}

static void
test_audit (Fixture       *f,
            gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = cp_sqlite_store_get_connection (f->store);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *prev = g_strnfill (64, '0');
  gint64 count = 0;
  int n = 0;

  g_assert_true (cp_store_audit_append (store, 1, "sign-in", "staff:1", NULL, &error));
  g_assert_true (cp_store_audit_append (store, 1, "payment", "INV-2026-000001", "{\"amount\":100}", &error));
  g_assert_true (cp_store_audit_append (store, 0, "kiosk-payment", "INV-2026-000002", "x\x1fy", &error));
  g_assert_no_error (error);

  /* Recompute the chain independently: SHA-256 over prev_hash and the fields */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT at, staff_id, action, object, details, prev_hash, hash "
                                           "FROM audit_log ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_autofree char *staff = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1));
      const char *fields[6] = {
        (const char *) sqlite3_column_text (stmt, 5),
        (const char *) sqlite3_column_text (stmt, 0),
        staff,
        (const char *) sqlite3_column_text (stmt, 2),
        sqlite3_column_text (stmt, 3) ? (const char *) sqlite3_column_text (stmt, 3) : "",
        sqlite3_column_text (stmt, 4) ? (const char *) sqlite3_column_text (stmt, 4) : "",
      };

      g_assert_cmpstr (fields[0], ==, prev);
      for (int i = 0; i < 6; i++)
        {
          if (i > 0)
            g_checksum_update (sum, (const guchar *) "\x1f", 1);
          g_checksum_update (sum, (const guchar *) fields[i], -1);
        }
      g_assert_cmpstr (g_checksum_get_string (sum), ==, (const char *) sqlite3_column_text (stmt, 6));
      g_free (prev);
      prev = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      n++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (n, ==, 3);

  g_assert_true (cp_sqlite_audit_verify (f->store, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 3);

  /* Append-only: UPDATE and DELETE abort, also through a separate connection */
  {
    sqlite3 *raw = raw_open (f->path);
    char *msg = NULL;

    g_assert_cmpint (sqlite3_exec (raw, "UPDATE audit_log SET action = 'x' WHERE id = 1", NULL, NULL, &msg), !=, SQLITE_OK);
    g_assert_nonnull (strstr (msg, "append-only"));
    sqlite3_free (msg);
    g_assert_cmpint (sqlite3_exec (raw, "DELETE FROM audit_log", NULL, NULL, NULL), !=, SQLITE_OK);
    g_assert_cmpint (raw_int (raw, "SELECT count(*) FROM audit_log"), ==, 3);
    sqlite3_close (raw);
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add ("/carepay/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("create", test_create);
  ADD ("reopen", test_reopen);
  g_test_add_func ("/carepay/store/migrations", test_migrations);
  g_test_add_func ("/carepay/store/refusals", test_refusals);
  ADD ("patients", test_patients);
  ADD ("invoices", test_invoices);
  ADD ("search-filter-totals", test_search_and_filter);
  ADD ("totals-this-month", test_totals_this_month);
  ADD ("record-payment", test_record_payment);
  ADD ("auth", test_auth);
  ADD ("async", test_async);
  ADD ("idempotency", test_idempotency);
  ADD ("meta-transactions", test_meta_and_transactions);
  ADD ("list-all-beside-writes", test_list_all_beside_writes);
  ADD ("reads-paused", test_reads_paused);
  ADD ("data-version", test_data_version);
  ADD ("write-waits-outside", test_write_waits_outside);
  ADD ("audit", test_audit);
#undef ADD

  return g_test_run ();
}
