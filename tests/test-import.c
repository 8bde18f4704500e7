/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import of CSV and FHIR JSON into a real SQLite file: good files, re-import,
 * field-precise errors that leave the database unchanged, and carepayctl. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-import.h"
#include "cp-sqlite-store.h"
#include "ctl-test-util.h"
#include "test-util.h"

#ifndef IMPORT_DATA_DIR
#error "IMPORT_DATA_DIR must be tests/data/import"
#endif

#define TODAY "2026-03-15"

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("carepay-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

/* A checksum of every row of every table, read through a second
 * connection: the file itself may change with WAL checkpoints. */
static char *
db_dump (Fixture *f)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, sql FROM sqlite_master ORDER BY name", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *sql = (const char *) sqlite3_column_text (stmt, 1);

      g_checksum_update (sum, (const guchar *) name, -1);
      if (sql != NULL)
        {
          g_checksum_update (sum, (const guchar *) sql, -1);
          if (g_str_has_prefix (sql, "CREATE TABLE"))
            g_ptr_array_add (tables, strstr (sql, "WITHOUT ROWID") != NULL
                                     ? g_strconcat ("-", name, NULL) : g_strdup (name));
        }
    }
  sqlite3_finalize (stmt);

  for (guint t = 0; t < tables->len; t++)
    {
      const char *table = g_ptr_array_index (tables, t);
      /* A WITHOUT ROWID table is kept, and read, in its primary key's order */
      g_autofree char *query = g_str_has_prefix (table, "-")
                               ? g_strdup_printf ("SELECT * FROM \"%s\"", table + 1)
                               : g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY rowid", table);

      g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            char tag = '0' + sqlite3_column_type (stmt, c);
            const unsigned char *text = sqlite3_column_text (stmt, c);

            g_checksum_update (sum, (const guchar *) &tag, 1);
            if (text != NULL)
              g_checksum_update (sum, text, sqlite3_column_bytes (stmt, c));
            g_checksum_update (sum, (const guchar *) "\x1f", 1);
          }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_strdup (g_checksum_get_string (sum));
}

static void
import_file (Fixture        *f,
             const char     *basename,
             CpImportResult *result)
{
  g_autofree char *path = g_build_filename (IMPORT_DATA_DIR, basename, NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = cp_import_file (CP_STORE (f->store), path, CP_IMPORT_FORMAT_AUTO, CP_IMPORT_FLAGS_NONE, 0, result, &error);
  for (guint i = 0; i < result->errors->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (result->errors, i));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static gboolean
import_text (Fixture         *f,
             const char      *name,
             const char      *text,
             CpImportResult  *result,
             GError         **error)
{
  return cp_import_data (CP_STORE (f->store), name, text, strlen (text), CP_IMPORT_FORMAT_AUTO,
                         CP_IMPORT_FLAGS_NONE, 0, result, error);
}

static gboolean
has_error (CpImportResult *result,
           const char     *expected)
{
  for (guint i = 0; i < result->errors->len; i++)
    if (strstr (g_ptr_array_index (result->errors, i), expected) != NULL)
      return TRUE;
  return FALSE;
}

/* The import fails with `expected` among its errors and changes nothing. */
static void
assert_refused (Fixture    *f,
                const char *name,
                const char *text,
                const char *expected)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = db_dump (f);
  g_autofree char *after = NULL;

  g_assert_false (import_text (f, name, text, result, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  if (!has_error (result, expected))
    {
      for (guint i = 0; i < result->errors->len; i++)
        g_printerr ("got: %s\n", (const char *) g_ptr_array_index (result->errors, i));
      g_error ("expected an error containing “%s”", expected);
    }
  after = db_dump (f);
  g_assert_cmpstr (before, ==, after);
}

static CpPatient *
patient (Fixture    *f,
         const char *mrn)
{
  g_autoptr(GError) error = NULL;
  CpPatient *result = cp_store_get_patient_by_mrn (CP_STORE (f->store), mrn, &error);

  g_assert_no_error (error);
  return result;
}

static CpInvoice *
invoice (Fixture    *f,
         const char *number)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *result = cp_store_get_invoice_by_number (CP_STORE (f->store), number, &error);

  g_assert_no_error (error);
  return result;
}

static gint64
unit (CpInvoice *inv,
      guint      i)
{
  g_assert_cmpuint (i, <, inv->line_items->len);
  return ((CpLineItem *) g_ptr_array_index (inv->line_items, i))->unit_amount;
}

static guint
count_rows (Fixture    *f,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* FHIR snippets for the tests */

#define PATIENT_ENTRY \
  "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":[{\"value\":\"MRN-F\"}]," \
  "\"name\":[{\"family\":\"Fhir\"}]}}"
#define LINE(value) \
  "{\"chargeItemCodeableConcept\":{\"text\":\"X\"},\"priceComponent\":[{\"type\":\"base\"," \
  "\"amount\":{\"value\":" value ",\"currency\":\"USD\"}}]}"
#define INVOICE_ENTRY(extra, line) \
  "{\"resource\":{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"INV-F\"}]," \
  "\"subject\":{\"reference\":\"Patient/p\"},\"date\":\"2026-03-01\"" extra ",\"lineItem\":[" line "]}}"
#define BUNDLE(...) "{\"resourceType\":\"Bundle\",\"entry\":[" __VA_ARGS__ "]}"

/* Good files */

static void
test_csv_patients (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(CpPatient) ana = NULL;
  g_autoptr(CpPatient) jim = NULL;
  g_autoptr(CpPatient) li = NULL;

  import_file (f, "patients.csv", result);
  g_assert_cmpint (result->format, ==, CP_IMPORT_FORMAT_CSV_PATIENTS);
  g_assert_cmpuint (result->patients_created, ==, 3);
  g_assert_cmpuint (result->patients_updated, ==, 0);

  /* BOM skipped, CRLF, a quoted line break and comma, doubled quotes */
  ana = patient (f, "MRN-1001");
  g_assert_cmpstr (ana->given_name, ==, "Ana");
  g_assert_cmpstr (ana->family_name, ==, "García");
  g_assert_cmpstr (ana->date_of_birth, ==, "1984-02-29");
  g_assert_cmpstr (ana->email, ==, "ana@example.org");
  g_assert_cmpstr (ana->address, ==, "12 Oak St, Apt 4\nSpringfield, IL 62701");
  g_assert_cmpstr (ana->preferred_language, ==, "es");

  jim = patient (f, "MRN-1002");
  g_assert_cmpstr (jim->given_name, ==, "James \"Jim\"");
  g_assert_cmpstr (jim->family_name, ==, "O'Brien");
  g_assert_null (jim->email);
  g_assert_null (jim->address);

  li = patient (f, "MRN-1003");
  g_assert_cmpstr (li->preferred_language, ==, "en");
  g_assert_null (li->date_of_birth);
}

/* Columns in any order and case; a column left out keeps what is stored,
 * an empty value clears it. */
static void
test_csv_partial_update (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) ana = NULL;

  import_file (f, "patients.csv", result);
  g_assert_true (import_text (f, "update.csv",
                              "Family_Name, MRN ,given_name,phone\r\nGarcía-López,MRN-1001,Ana María,\r\n",
                              result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result->format, ==, CP_IMPORT_FORMAT_CSV_PATIENTS);
  g_assert_cmpuint (result->patients_updated, ==, 1);

  ana = patient (f, "MRN-1001");
  g_assert_cmpstr (ana->given_name, ==, "Ana María");
  g_assert_cmpstr (ana->family_name, ==, "García-López");
  g_assert_null (ana->phone);
  g_assert_cmpstr (ana->email, ==, "ana@example.org");
  g_assert_cmpstr (ana->date_of_birth, ==, "1984-02-29");
  g_assert_cmpstr (ana->address, ==, "12 Oak St, Apt 4\nSpringfield, IL 62701");
  g_assert_cmpstr (ana->preferred_language, ==, "es");
}

static void
test_csv_invoices (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(CpInvoice) one = NULL;
  g_autoptr(CpInvoice) two = NULL;
  CpLineItem *item;

  import_file (f, "patients.csv", result);
  import_file (f, "invoices.csv", result);
  g_assert_cmpint (result->format, ==, CP_IMPORT_FORMAT_CSV_INVOICES);
  g_assert_cmpuint (result->invoices_created, ==, 2);
  g_assert_cmpuint (result->line_items, ==, 4);

  one = invoice (f, "INV-IMP-0001");
  g_assert_cmpstr (one->patient->mrn, ==, "MRN-1001");
  g_assert_cmpstr (one->issue_date, ==, "2026-03-01");
  g_assert_cmpstr (one->due_date, ==, "2026-03-31");
  g_assert_cmpstr (one->currency, ==, "USD");
  g_assert_cmpint (one->tax_rate_bp, ==, 825);
  g_assert_cmpstr (one->notes, ==, "Follow-up in 6 weeks, bring films");
  g_assert_cmpuint (one->line_items->len, ==, 2);
  item = g_ptr_array_index (one->line_items, 1);
  g_assert_cmpstr (item->description, ==, "Radiologist reading");
  g_assert_cmpstr (item->service_code, ==, "76140");
  g_assert_cmpint (item->quantity, ==, 2);
  g_assert_cmpint (item->unit_amount, ==, 123456);
  g_assert_cmpstr (item->provider, ==, "Dr. Amara Okafor, Radiology");
  g_assert_cmpint (unit (one, 0), ==, 1999);
  g_assert_cmpint (one->subtotal, ==, 1999 + 2 * 123456);

  /* Exact decimals, and the default terms of 30 days */
  two = invoice (f, "INV-IMP-0002");
  g_assert_cmpint (unit (two, 0), ==, 7);
  g_assert_cmpint (unit (two, 1), ==, 10000001);
  g_assert_cmpstr (two->due_date, ==, "2026-04-04");
  g_assert_cmpint (two->tax_rate_bp, ==, 0);
}

static void
test_fhir_bundle (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(CpPatient) bobby = NULL;
  g_autoptr(CpInvoice) one = NULL;
  g_autoptr(CpInvoice) two = NULL;
  CpLineItem *item;

  import_file (f, "bundle.json", result);
  g_assert_cmpint (result->format, ==, CP_IMPORT_FORMAT_FHIR);
  g_assert_cmpuint (result->patients_created, ==, 1);
  g_assert_cmpuint (result->invoices_created, ==, 2);
  g_assert_cmpuint (result->skipped, ==, 1);

  /* The MR identifier, not the first; the official name */
  bobby = patient (f, "MRN-2001");
  g_assert_cmpstr (bobby->given_name, ==, "Robert Drop");
  g_assert_cmpstr (bobby->family_name, ==, "Tables");
  g_assert_cmpstr (bobby->date_of_birth, ==, "1975-06-15");
  g_assert_cmpstr (bobby->email, ==, "bobby@example.net");
  g_assert_cmpstr (bobby->phone, ==, "+1 555 0142");
  g_assert_cmpstr (bobby->address, ==, "1 Main St\nUnit 2\nAustin, TX 78701");
  g_assert_cmpstr (bobby->preferred_language, ==, "en");

  one = invoice (f, "INV-FHIR-0001");
  g_assert_cmpstr (one->patient->mrn, ==, "MRN-2001");
  g_assert_cmpstr (one->issue_date, ==, "2026-03-10");
  g_assert_cmpstr (one->due_date, ==, "2026-04-30");
  g_assert_cmpint (one->tax_rate_bp, ==, 825);
  g_assert_false (one->voided);
  g_assert_cmpstr (one->notes, ==, "Patient asked for an itemised receipt.");
  item = g_ptr_array_index (one->line_items, 0);
  g_assert_cmpstr (item->description, ==, "Chest X-ray, two views");
  g_assert_cmpstr (item->service_code, ==, "71046");
  g_assert_cmpint (item->quantity, ==, 2);
  g_assert_cmpint (item->unit_amount, ==, 1999);
  g_assert_cmpstr (item->provider, ==, "Dr. Amara Okafor, Radiology");
  g_assert_cmpint (unit (one, 1), ==, 123456);
  g_assert_cmpint (one->total, ==, 137969);

  /* Subject by fullUrl, cancelled is voided, default due date */
  two = invoice (f, "INV-FHIR-0002");
  g_assert_cmpstr (two->patient->mrn, ==, "MRN-2001");
  g_assert_true (two->voided);
  g_assert_cmpstr (two->due_date, ==, "2026-04-10");
  g_assert_cmpint (unit (two, 0), ==, 7);
  g_assert_cmpint (unit (two, 1), ==, 10000001);
}

static void
test_fhir_single (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(CpPatient) han = NULL;
  g_autoptr(CpInvoice) inv = NULL;

  import_file (f, "patient.json", result);
  g_assert_cmpuint (result->patients_created, ==, 1);
  han = patient (f, "MRN-3001");
  g_assert_cmpstr (han->preferred_language, ==, "es");

  /* Subject by identifier; 1.2345e2 is exactly 123.45 */
  import_file (f, "invoice.json", result);
  g_assert_cmpuint (result->invoices_created, ==, 1);
  inv = invoice (f, "INV-FHIR-0100");
  g_assert_cmpint (unit (inv, 0), ==, 12345);
  g_assert_cmpint (inv->total, ==, 37035);
}

/* FHIR Bulk Data: one resource per line */
static void
test_fhir_ndjson (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(CpPatient) bea = NULL;
  g_autoptr(CpInvoice) inv = NULL;

  import_file (f, "bulk.ndjson", result);
  g_assert_cmpint (result->format, ==, CP_IMPORT_FORMAT_FHIR);
  g_assert_cmpuint (result->patients_created, ==, 1);
  g_assert_cmpuint (result->invoices_created, ==, 1);
  g_assert_cmpuint (result->skipped, ==, 1);
  bea = patient (f, "MRN-4001");
  g_assert_cmpstr (bea->preferred_language, ==, "es");
  inv = invoice (f, "INV-BULK-0001");
  g_assert_cmpstr (inv->patient->mrn, ==, "MRN-4001");
  g_assert_cmpint (unit (inv, 0), ==, 4510);
  g_assert_cmpstr (((CpLineItem *) g_ptr_array_index (inv->line_items, 0))->description, ==, "Metabolic panel");

  assert_refused (f, "more.ndjson",
                  "{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"MRN-4002\"}],\"name\":[{\"family\":\"B\"}]}\n"
                  "{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"I\"}],"
                  "\"subject\":{\"identifier\":{\"value\":\"MRN-4002\"}},\"date\":\"2026-03-01\","
                  "\"lineItem\":[" LINE ("0.001") "]}\n",
                  "more.ndjson: line 2: Invoice.lineItem[0].priceComponent[0].amount.value: “0.001” is not a valid "
                  "amount: at most 2 decimal places are allowed");
  assert_refused (f, "more.ndjson", "{\"resourceType\":\"Patient\"\n",
                  "more.ndjson: line 1: not valid JSON (is the file truncated?)");
}

/* JSON numbers that have no exact double become exact minor units. */
static void
test_fhir_decimals (Fixture       *f,
                    gconstpointer  data)
{
  static const struct { const char *json; gint64 minor; } cases[] = {
    { "19.99", 1999 }, { "1234.56", 123456 }, { "0.07", 7 }, { "100000.01", 10000001 },
    { "0.1", 10 }, { "0.3", 30 }, { "1.999e1", 1999 }, { "19.990", 1999 }, { "1E2", 10000 },
    { "0", 0 }, { "999999999.99", 99999999999 }, { "0.00", 0 }, { "5e-1", 50 },
  };
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) inv = NULL;

  g_string_append (json,
                   "{\"resourceType\":\"Bundle\",\"entry\":["
                   "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"x\","
                   "\"identifier\":[{\"value\":\"MRN-D\"}],\"name\":[{\"family\":\"Decimal\"}]}},"
                   "{\"resource\":{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"INV-D\"}],"
                   "\"subject\":{\"reference\":\"Patient/x\"},\"date\":\"2026-03-01\",\"lineItem\":[");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_string_append_printf (json,
                            "%s{\"chargeItemCodeableConcept\":{\"text\":\"Item %u\"},"
                            "\"priceComponent\":[{\"type\":\"base\",\"amount\":{\"value\":%s,\"currency\":\"USD\"}}]}",
                            i > 0 ? "," : "", i, cases[i].json);
  g_string_append (json, "]}}]}");

  g_assert_true (import_text (f, "decimals.json", json->str, result, &error));
  g_assert_no_error (error);
  inv = invoice (f, "INV-D");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (unit (inv, i), ==, cases[i].minor);
}

static void
test_reimport (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) inv = NULL;
  g_autoptr(CpInvoice) after = NULL;
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autofree char *before = NULL;
  g_autofree char *dump = NULL;
  const char *changed =
    "invoice_number,mrn,issue_date,currency,description,quantity,unit_price\n"
    "INV-IMP-0002,MRN-1002,2026-03-05,USD,Office visit (revised),1,150.00\n";

  import_file (f, "patients.csv", result);
  import_file (f, "invoices.csv", result);
  import_file (f, "bundle.json", result);

  /* Again: updates, never duplicates */
  import_file (f, "patients.csv", result);
  g_assert_cmpuint (result->patients_created, ==, 0);
  g_assert_cmpuint (result->patients_updated, ==, 3);
  import_file (f, "invoices.csv", result);
  g_assert_cmpuint (result->invoices_created, ==, 0);
  g_assert_cmpuint (result->invoices_updated, ==, 2);
  import_file (f, "bundle.json", result);
  g_assert_cmpuint (result->patients_updated, ==, 1);
  g_assert_cmpuint (result->invoices_updated, ==, 2);
  g_assert_cmpuint (count_rows (f, "patients"), ==, 4);
  g_assert_cmpuint (count_rows (f, "invoices"), ==, 4);
  g_assert_cmpuint (count_rows (f, "line_items"), ==, 8);

  /* A changed invoice without payments gets the new line items */
  g_assert_true (import_text (f, "changed.csv", changed, result, &error));
  g_assert_no_error (error);
  inv = invoice (f, "INV-IMP-0002");
  g_assert_cmpuint (inv->line_items->len, ==, 1);
  g_assert_cmpint (unit (inv, 0), ==, 15000);
  g_assert_cmpuint (count_rows (f, "line_items"), ==, 7);

  /* With a payment its line items stay; the whole file is refused */
  payment->invoice_id = inv->id;
  payment->stripe_payment_intent_id = g_strdup ("pi_import_test");
  payment->amount = 5000;
  payment->currency = g_strdup ("USD");
  payment->status = g_strdup ("succeeded");
  g_assert_true (cp_store_record_payment (CP_STORE (f->store), payment, &error));
  g_assert_no_error (error);

  before = db_dump (f);
  {
    g_autoptr(CpImportResult) refused = cp_import_result_new ();
    g_autoptr(GError) refused_error = NULL;
    g_autofree char *path = g_build_filename (IMPORT_DATA_DIR, "invoices.csv", NULL);

    g_assert_false (cp_import_file (CP_STORE (f->store), path, CP_IMPORT_FORMAT_AUTO, CP_IMPORT_FLAGS_NONE, 0,
                                    refused, &refused_error));
    g_assert_error (refused_error, CP_ERROR, CP_ERROR_INVALID_INPUT);
    g_assert_cmpuint (refused->errors->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (refused->errors, 0), ==,
                     "invoices.csv: row 4 (invoice INV-IMP-0002): Invoice INV-IMP-0002 has payments: its patient, "
                     "dates, currency, tax rate, line items and voided state cannot be replaced by an import "
                     "(only the due date and notes)");
  }
  dump = db_dump (f);
  g_assert_cmpstr (before, ==, dump);

  /* The same line items again, with a new due date and notes, are fine */
  g_assert_true (import_text (f, "changed.csv",
                              "invoice_number,mrn,issue_date,due_date,currency,notes,description,quantity,unit_price\n"
                              "INV-IMP-0002,MRN-1002,2026-03-05,2026-05-01,USD,Paid part,Office visit (revised),1,150.00\n",
                              result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->invoices_updated, ==, 1);
  after = invoice (f, "INV-IMP-0002");
  g_assert_cmpstr (after->due_date, ==, "2026-05-01");
  g_assert_cmpstr (after->notes, ==, "Paid part");
  g_assert_cmpint (after->amount_paid, ==, 5000);
}

static void
test_dry_run_and_audit (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *path = g_build_filename (IMPORT_DATA_DIR, "patients.csv", NULL);
  g_autofree char *before = db_dump (f);
  g_autofree char *after = NULL;
  CpAuditEntry *entry;

  g_assert_true (cp_import_file (CP_STORE (f->store), path, CP_IMPORT_FORMAT_AUTO, CP_IMPORT_DRY_RUN, 0,
                                 result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->patients_created, ==, 3);
  after = db_dump (f);
  g_assert_cmpstr (before, ==, after);

  import_file (f, "patients.csv", result);
  entries = cp_store_list_audit (CP_STORE (f->store), NULL, "import", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->action, ==, "import");
  g_assert_cmpstr (entry->object, ==, "patients.csv");
  g_assert_nonnull (strstr (entry->details, "\"patients_created\":3"));
  g_assert_nonnull (strstr (entry->details, "\"format\":\"csv-patients\""));
}

/* Malformed CSV */

#define INV_HEADER "invoice_number,mrn,issue_date,currency,description,quantity,unit_price\n"
#define INV_GOOD "INV-9,MRN-1001,2026-03-01,USD,Visit,1,10.00\n"

static void
test_csv_errors (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;

  import_file (f, "patients.csv", result);

  /* The example from the issue, word for word */
  g_assert_false (import_text (f, "invoices.csv",
                               INV_HEADER INV_GOOD INV_GOOD INV_GOOD INV_GOOD INV_GOOD
                               "INV-9,MRN-1001,2026-03-01,USD,Visit,1,12.345\n", result, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "invoices.csv: 1 error; nothing was imported");
  g_assert_cmpuint (result->errors->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (result->errors, 0), ==,
                   "invoices.csv: row 7, column unit_price: “12.345” is not a valid amount: "
                   "at most 2 decimal places are allowed");

  assert_refused (f, "invoices.csv", INV_HEADER INV_GOOD "INV-10,MRN-1001,2026-03-01,USD,\"Visit,1,10.00\n",
                  "invoices.csv: row 3, column 5: a quoted field is not closed (it opens on line 3");
  assert_refused (f, "invoices.csv", INV_HEADER INV_GOOD "INV-10,MRN-1001,2026-03-01,USD,Visit,1\n",
                  "invoices.csv: row 3: 6 fields, but the header has 7 columns");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-02-30,USD,Visit,1,10.00\n",
                  "invoices.csv: row 2, column issue_date: “2026-02-30” is not a date");
  assert_refused (f, "invoices.csv", INV_HEADER INV_GOOD "INV-10,MRN-NOPE,2026-03-01,USD,Visit,1,10.00\n",
                  "invoices.csv: row 3, column mrn: no patient with MRN “MRN-NOPE” in this file or in the database");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,9999-12-20,USD,Visit,1,10.00\n",
                  "invoices.csv: row 2, column due_date: the default due date (issue date + 30 days) is past");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-03-01,USD,Visit,1,-5.00\n",
                  "invoices.csv: row 2, column unit_price: “-5.00” is not a valid amount: it must not be negative");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-03-01,USD,Visit,two,5.00\n",
                  "invoices.csv: row 2, column quantity: “two” is not a whole number");
  assert_refused (f, "invoices.csv", "INV-10,MRN-1001,2026-03-01,USD,Visit,1,10.00\n",
                  "invoices.csv: row 1: there is no header row");
  assert_refused (f, "invoices.csv", "", "invoices.csv: the file is empty");
  assert_refused (f, "patients.csv", "mrn,given_name,family_name\r\n", "patients.csv: the file has a header but no rows");
  assert_refused (f, "invoices.csv", INV_HEADER INV_GOOD "INV-11,MRN-10",
                  "invoices.csv: row 3: 2 fields, but the header has 7 columns");
  assert_refused (f, "invoices.csv", "invoice_number,mrn,issue_date,currency,description,quantity,unit_price,colour\n"
                  "INV-10,MRN-1001,2026-03-01,USD,Visit,1,10.00,red\n",
                  "invoices.csv: row 1, column 8: unknown column “colour”");
  assert_refused (f, "invoices.csv", "invoice_number,mrn,issue_date,currency,description,quantity\n"
                  "INV-10,MRN-1001,2026-03-01,USD,Visit,1\n",
                  "invoices.csv: row 1: the required column “unit_price” is missing");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-03-01,USD,Vi\"sit,1,10.00\n",
                  "invoices.csv: row 2, column 5: a quote inside a field that is not quoted");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-03-01,USD,\"Visit\"x,1,10.00\n",
                  "invoices.csv: row 2, column 5: text after the closing quote");
  assert_refused (f, "invoices.csv", INV_HEADER "INV-10,MRN-1001,2026-03-01,XYZ,Visit,1,10.00\n",
                  "invoices.csv: row 2, column currency: “XYZ” is not a currency code");
  assert_refused (f, "invoices.csv", INV_HEADER INV_GOOD "INV-9,MRN-1002,2026-03-01,USD,Visit,1,10.00\n",
                  "invoices.csv: row 3, column mrn: “MRN-1002” differs from “MRN-1001” on row 2 for invoice INV-9");
  assert_refused (f, "patients.csv", "mrn,given_name,family_name,date_of_birth,email,preferred_language\n"
                  "MRN-5,A,B,2030-01-01,,\n"
                  "MRN-5,C,D,,,\n"
                  "MRN-6,E,F,,not-an-email,\n"
                  "MRN-7,G,H,,,english\n",
                  "patients.csv: row 2, column date_of_birth: “2030-01-01” is in the future");
  assert_refused (f, "patients.csv", "mrn,given_name,family_name\n\xff\xfe,x,y\n",
                  "patients.csv: line 2: the file is not UTF-8 text");

  /* Every error of a file, not only the first */
  g_clear_error (&error);
  g_assert_false (import_text (f, "patients.csv",
                               "mrn,given_name,family_name,date_of_birth,email,preferred_language\n"
                               "MRN-5,A,B,2030-01-01,,\n"
                               "MRN-5,C,D,,,\n"
                               "MRN-6,E,F,,not-an-email,\n"
                               "MRN-7,G,H,,,english\n", result, &error));
  g_assert_cmpuint (result->n_errors, ==, 4);
  g_assert_true (has_error (result, "patients.csv: row 3, column mrn: “MRN-5” is already on row 2"));
  g_assert_true (has_error (result, "patients.csv: row 4, column email: “not-an-email” is not an email address"));
  g_assert_true (has_error (result, "patients.csv: row 5, column preferred_language: “english” is not a language"));
}

/* Malformed FHIR */


static void
test_fhir_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();

  import_file (f, "bundle.json", result);

  /* The path of the issue's example: entry[3] */
  assert_refused (f, "b.json",
                  BUNDLE (PATIENT_ENTRY ",{\"resource\":{\"resourceType\":\"Encounter\"}},"
                          "{\"resource\":{\"resourceType\":\"Encounter\"}}," INVOICE_ENTRY ("", LINE ("\"19.99\""))),
                  "b.json: entry[3].resource.lineItem[0].priceComponent[0].amount.value: "
                  "expected a number, found a string");
  assert_refused (f, "b.json", BUNDLE (PATIENT_ENTRY "," INVOICE_ENTRY ("", LINE ("12.345"))),
                  "b.json: entry[1].resource.lineItem[0].priceComponent[0].amount.value: “12.345” is not a valid "
                  "amount: at most 2 decimal places are allowed");
  assert_refused (f, "b.json", BUNDLE (PATIENT_ENTRY "," INVOICE_ENTRY ("", LINE ("-1.00"))),
                  "b.json: entry[1].resource.lineItem[0].priceComponent[0].amount.value: “-1” is not a valid "
                  "amount: it must not be negative");
  assert_refused (f, "b.json", BUNDLE (PATIENT_ENTRY "," INVOICE_ENTRY ("", LINE ("true"))),
                  "amount.value: expected a number, found true or false");
  assert_refused (f, "b.json",
                  BUNDLE ("{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"X\"}]}}"),
                  "b.json: entry[0].resource.identifier: required but missing");
  assert_refused (f, "b.json",
                  BUNDLE ("{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":{\"value\":\"M\"},"
                          "\"name\":[{\"family\":\"X\"}]}}"),
                  "b.json: entry[0].resource.identifier: expected an array, found an object");
  assert_refused (f, "b.json", BUNDLE (INVOICE_ENTRY ("", LINE ("1.00"))),
                  "b.json: entry[0].resource.subject.reference: “Patient/p” is not a Patient in this file");
  assert_refused (f, "b.json", BUNDLE (PATIENT_ENTRY "," INVOICE_ENTRY (",\"totalGross\":{\"value\":2.00,"
                                                                       "\"currency\":\"USD\"}", LINE ("1.00"))),
                  "b.json: entry[1].resource.totalGross.value: 2.00 does not match the line items’ total with tax, 1.00");
}

static void
test_fhir_truncated (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autofree char *path = g_build_filename (IMPORT_DATA_DIR, "bundle.json", NULL);
  g_autofree char *text = NULL;
  gsize length;

  import_file (f, "patients.csv", result);
  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  text[length / 2] = '\0';
  assert_refused (f, "bundle.json", text, "bundle.json: not valid JSON (is the file truncated?)");
  assert_refused (f, "x.json", "[1, 2]", "x.json: expected a FHIR resource");
  assert_refused (f, "x.json", "{\"resourceType\":\"Observation\"}",
                  "x.json: resourceType: “Observation” is not supported");
  assert_refused (f, "x.json", "{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"I\"}],"
                  "\"subject\":{\"identifier\":{\"value\":\"MRN-NONE\"}},\"date\":\"2026-03-01\","
                  "\"lineItem\":[" LINE ("1.00") "]}",
                  "x.json: Invoice.subject: no patient with MRN “MRN-NONE” in this file or in the database");
  assert_refused (f, "x.json", "{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"I\"}],"
                  "\"subject\":{\"identifier\":{\"value\":\"MRN-1001\"}},\"date\":\"March 1\","
                  "\"lineItem\":[" LINE ("1.00") "]}",
                  "x.json: Invoice.date: “March 1” is not a date");
}

/* The injection `evil`, stored as it is in each text field of the patient
 * and the invoice it names (the CSV and FHIR importers alike). */
static void
assert_stored_verbatim (Fixture    *f,
                        const char *evil)
{
  g_autoptr(CpPatient) p = patient (f, evil);
  g_autoptr(CpInvoice) i = invoice (f, evil);
  CpLineItem *item = g_ptr_array_index (i->line_items, 0);

  g_assert_cmpstr (p->given_name, ==, evil);
  g_assert_cmpstr (p->family_name, ==, evil);
  g_assert_cmpstr (p->phone, ==, evil);
  g_assert_cmpstr (p->address, ==, evil);
  g_assert_cmpstr (i->notes, ==, evil);
  g_assert_cmpstr (item->description, ==, evil);
  g_assert_cmpstr (item->service_code, ==, evil);
  g_assert_cmpstr (item->provider, ==, evil);
}

/* SQL in every text field is stored as text */
static void
test_injection (Fixture       *f,
                gconstpointer  data)
{
  static const char evil[] = "x'); DROP TABLE patients; --";
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_new ("mrn,given_name,family_name,email,phone,address\n");
  g_autoptr(GString) inv = g_string_new ("invoice_number,mrn,issue_date,currency,notes,description,"
                                         "service_code,quantity,unit_price,provider\n");
  g_autoptr(CpPatient) p = NULL;

  g_string_append_printf (csv, "\"%s\",\"%s\",\"%s\",\"o'hara'--@example.org\",\"%s\",\"%s\"\n",
                          evil, evil, evil, evil, evil);
  g_assert_true (import_text (f, "evil-patients.csv", csv->str, result, &error));
  g_assert_no_error (error);

  g_string_append_printf (inv, "\"%s\",\"%s\",2026-03-01,USD,\"%s\",\"%s\",\"%s\",1,1.00,\"%s\"\n",
                          evil, evil, evil, evil, evil, evil);
  g_assert_true (import_text (f, "evil-invoices.csv", inv->str, result, &error));
  g_assert_no_error (error);

  assert_stored_verbatim (f, evil);
  p = patient (f, evil);
  g_assert_cmpstr (p->email, ==, "o'hara'--@example.org");
  g_assert_cmpuint (count_rows (f, "patients"), ==, 1);
}

static void
test_injection_fhir (Fixture       *f,
                     gconstpointer  data)
{
  static const char evil[] = "x'); DROP TABLE invoices; --";
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) i = NULL;
  g_autofree char *json = NULL;
  CpLineItem *item;

  json = g_strdup_printf ("{\"resourceType\":\"Bundle\",\"entry\":["
                          "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"%1$s\","
                          "\"identifier\":[{\"value\":\"%1$s\"}],\"name\":[{\"family\":\"%1$s\","
                          "\"given\":[\"%1$s\"]}],\"telecom\":[{\"system\":\"phone\",\"value\":\"%1$s\"}],"
                          "\"address\":[{\"line\":[\"%1$s\"]}]}},"
                          "{\"resource\":{\"resourceType\":\"Invoice\",\"identifier\":[{\"value\":\"%1$s\"}],"
                          "\"subject\":{\"reference\":\"Patient/%1$s\"},\"date\":\"2026-03-01\","
                          "\"participant\":[{\"actor\":{\"display\":\"%1$s\"}}],\"note\":[{\"text\":\"%1$s\"}],"
                          "\"lineItem\":[{\"chargeItemCodeableConcept\":{\"text\":\"%1$s\","
                          "\"coding\":[{\"code\":\"%1$s\"}]},\"priceComponent\":[{\"type\":\"base\","
                          "\"amount\":{\"value\":1,\"currency\":\"USD\"}}]}]}}]}", evil);
  g_assert_true (import_text (f, "evil.json", json, result, &error));
  g_assert_no_error (error);

  assert_stored_verbatim (f, evil);
  i = invoice (f, evil);
  item = g_ptr_array_index (i->line_items, 0);
  g_assert_cmpint (item->unit_amount, ==, 100);
  g_assert_cmpuint (count_rows (f, "invoices"), ==, 1);
}

/* Errors are collected up to a limit, then the parser stops. */
static void
test_error_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new (INV_HEADER);
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (csv, "INV-%u,MRN-1,2026-03-01,USD,Visit,1,1.001\n", i);
  g_assert_false (import_text (f, "invoices.csv", csv->str, result, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_assert_cmpuint (result->n_errors, ==, CP_IMPORT_MAX_ERRORS);
  g_assert_cmpuint (result->errors->len, ==, CP_IMPORT_MAX_ERRORS);
  g_assert_cmpstr (g_ptr_array_index (result->errors, CP_IMPORT_MAX_ERRORS - 2), ==,
                   "invoices.csv: row 50, column unit_price: “1.001” is not a valid amount: "
                   "at most 2 decimal places are allowed");
  g_assert_cmpstr (g_ptr_array_index (result->errors, CP_IMPORT_MAX_ERRORS - 1), ==,
                   "invoices.csv: stopped after 50 errors; there may be more");
  g_assert_cmpuint (count_rows (f, "invoices"), ==, 0);
}

/* The async variant the app uses */

typedef struct {
  GMainLoop      *loop;
  gboolean        ok;
  CpImportResult *result;
  GError         *error;
} AsyncWait;

static void
import_done (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->ok = cp_import_file_finish (CP_STORE (source), res, &wait->result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *good = g_build_filename (IMPORT_DATA_DIR, "bundle.json", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad.json", NULL);
  AsyncWait wait = { g_main_loop_new (NULL, FALSE), FALSE, NULL, NULL };

  cp_import_file_async (CP_STORE (f->store), good, CP_IMPORT_FORMAT_AUTO, CP_IMPORT_FLAGS_NONE, 0, NULL,
                        import_done, &wait);
  g_main_loop_run (wait.loop);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
  g_assert_cmpuint (wait.result->invoices_created, ==, 2);
  g_clear_pointer (&wait.result, cp_import_result_free);

  g_assert_true (g_file_set_contents (bad, BUNDLE (INVOICE_ENTRY ("", LINE ("1.00"))), -1, NULL));
  cp_import_file_async (CP_STORE (f->store), bad, CP_IMPORT_FORMAT_AUTO, CP_IMPORT_FLAGS_NONE, 0, NULL,
                        import_done, &wait);
  g_main_loop_run (wait.loop);
  g_assert_false (wait.ok);
  g_assert_error (wait.error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_assert_cmpuint (wait.result->errors->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (wait.result->errors, 0), ==,
                   "bad.json: entry[0].resource.subject.reference: “Patient/p” is not a Patient in this file "
                   "(include the Patient, or give subject.identifier with the medical record number)");
  g_clear_pointer (&wait.result, cp_import_result_free);
  g_clear_error (&wait.error);
  g_main_loop_unref (wait.loop);
}

/* carepayctl import */

/* carepayctl ARGS... (NULL-terminated) on the tests' fixed day. */
static const char * const today_env[] = { "CAREPAY_TODAY=" TODAY, NULL };
#define ctl(run, ...) ctl_run (run, today_env, __VA_ARGS__)

static void
test_ctl_import (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autofree char *patients = g_build_filename (IMPORT_DATA_DIR, "patients.csv", NULL);
  g_autofree char *bundle = g_build_filename (IMPORT_DATA_DIR, "bundle.json", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad-invoices.csv", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_clear_object (&f->store);

  ctl (&run, "--db", f->db, "import", patients, "--dry-run", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "nothing written: 3 patients would be created"));

  ctl (&run, "--db", f->db, "import", patients, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "(csv-patients): 3 patients created, 0 updated"));

  ctl (&run, "--db", f->db, "import", patients, "--format", "csv-patients", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "0 patients created, 3 updated"));

  ctl (&run, "--db", f->db, "import", bundle, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "(fhir): 1 patients created, 0 updated; 2 invoices created"));
  g_assert_nonnull (strstr (run.out, "Skipped 1 resources"));

  g_assert_true (g_file_set_contents (bad,
                                      INV_HEADER
                                      "INV-20,MRN-1001,2026-03-01,USD,Visit,1,12.345\n"
                                      "INV-21,MRN-1001,2026-13-01,USD,Visit,1,1.00\n", -1, NULL));
  before = db_dump (f);
  ctl (&run, "--db", f->db, "import", bad, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "bad-invoices.csv: row 2, column unit_price: “12.345” is not a valid amount: "
                                     "at most 2 decimal places are allowed\n"));
  g_assert_nonnull (strstr (run.err, "bad-invoices.csv: row 3, column issue_date: “2026-13-01” is not a date"));
  g_assert_nonnull (strstr (run.err, "carepayctl: bad-invoices.csv: 2 errors; nothing was imported"));
  after = db_dump (f);
  g_assert_cmpstr (before, ==, after);

  ctl (&run, "--db", f->db, "import", bad, "--format", "yaml", NULL);
  g_assert_cmpint (run.status, ==, 2);

  ctl (&run, "--db", f->db, "audit", "--action", "import", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "patients.csv"));
  g_assert_nonnull (strstr (run.out, "bundle.json"));
  g_assert_null (strstr (run.out, "bad-invoices.csv"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/carepay/import/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("csv/patients", test_csv_patients);
  ADD ("csv/partial-update", test_csv_partial_update);
  ADD ("csv/invoices", test_csv_invoices);
  ADD ("csv/errors", test_csv_errors);
  ADD ("fhir/bundle", test_fhir_bundle);
  ADD ("fhir/single", test_fhir_single);
  ADD ("fhir/ndjson", test_fhir_ndjson);
  ADD ("fhir/decimals", test_fhir_decimals);
  ADD ("fhir/errors", test_fhir_errors);
  ADD ("fhir/truncated", test_fhir_truncated);
  ADD ("reimport", test_reimport);
  ADD ("dry-run-and-audit", test_dry_run_and_audit);
  ADD ("injection", test_injection);
  ADD ("injection-fhir", test_injection_fhir);
  ADD ("error-limit", test_error_limit);
  ADD ("async", test_async);
  ADD ("ctl", test_ctl_import);
#undef ADD

  return g_test_run ();
}
