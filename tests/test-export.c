/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The accounting export of payments and refunds, through the API and
 * carepayctl, against a real SQLite file. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-export.h"
#include "cp-import.h"
#include "cp-sqlite-store.h"
#include "ctl-test-util.h"
#include "test-util.h"

#ifndef IMPORT_DATA_DIR
#error "IMPORT_DATA_DIR must be tests/data/import"
#endif

#define TODAY "2026-03-15"
#define HEADER "date,type,invoice_number,patient_mrn,amount,currency,stripe_id,status,channel,card_brand," \
  "card_last4,staff,created_at\r\n"

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
} Fixture;

static gint64
invoice_id (Fixture    *f,
            const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice_by_number (CP_STORE (f->store), number, &error);

  g_assert_no_error (error);
  return invoice->id;
}

static gint64
pay (Fixture          *f,
     const char       *number,
     const char       *intent,
     gint64            amount,
     const char       *status,
     CpPaymentChannel  channel,
     const char       *brand,
     const char       *last4,
     gint64            staff_id,
     const char       *created_at)
{
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autoptr(GError) error = NULL;

  payment->invoice_id = invoice_id (f, number);
  payment->stripe_payment_intent_id = g_strdup (intent);
  payment->amount = amount;
  payment->currency = g_strdup ("USD");
  payment->status = g_strdup (status);
  payment->channel = channel;
  payment->card_brand = g_strdup (brand);
  payment->card_last4 = g_strdup (last4);
  payment->staff_id = staff_id;
  payment->created_at = g_strdup (created_at);
  g_assert_true (cp_store_record_payment (CP_STORE (f->store), payment, &error));
  g_assert_no_error (error);
  return payment->id;
}

static void
refund (Fixture    *f,
        gint64      payment_id,
        const char *id,
        gint64      amount,
        const char *status,
        gint64      staff_id,
        const char *created_at)
{
  g_autoptr(CpRefund) r = cp_refund_new ();
  g_autoptr(GError) error = NULL;

  r->payment_id = payment_id;
  r->stripe_refund_id = g_strdup (id);
  r->amount = amount;
  r->currency = g_strdup ("USD");
  r->status = g_strdup (status);
  r->reason = g_strdup ("requested_by_customer");
  r->staff_id = staff_id;
  r->created_at = g_strdup (created_at);
  g_assert_true (cp_store_record_refund (CP_STORE (f->store), r, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autofree char *patients = g_build_filename (IMPORT_DATA_DIR, "patients.csv", NULL);
  g_autofree char *invoices = g_build_filename (IMPORT_DATA_DIR, "invoices.csv", NULL);
  static const char formula[] =
    "invoice_number,mrn,issue_date,currency,description,quantity,unit_price\n"
    "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",MRN-1003,2026-03-01,USD,Visit,1,50.00\n";
  gint64 alice, p1, p5;

  f->dir = g_dir_make_tmp ("carepay-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  g_assert_true (cp_import_file (CP_STORE (f->store), patients, CP_IMPORT_FORMAT_AUTO, 0, 0, result, &error));
  g_assert_true (cp_import_file (CP_STORE (f->store), invoices, CP_IMPORT_FORMAT_AUTO, 0, 0, result, &error));
  g_assert_true (cp_import_data (CP_STORE (f->store), "formula.csv", formula, strlen (formula),
                                 CP_IMPORT_FORMAT_AUTO, 0, 0, result, &error));
  g_assert_no_error (error);

  g_assert_true (cp_store_create_staff (CP_STORE (f->store), "alice", "Alice Clerk", CP_ROLE_CLERK,
                                        "correct horse", &error));
  g_assert_no_error (error);
  staff = cp_store_list_staff (CP_STORE (f->store), &error);
  g_assert_no_error (error);
  alice = ((CpStaff *) g_ptr_array_index (staff, 0))->id;

  pay (f, "INV-IMP-0002", "pi_before", 100, "succeeded", CP_PAYMENT_CHANNEL_DESK, "visa", "4242", alice,
       "2026-02-28T23:59:59Z");
  p1 = pay (f, "INV-IMP-0001", "pi_1", 1999, "succeeded", CP_PAYMENT_CHANNEL_DESK, "visa", "4242", alice,
            "2026-03-02T10:00:00Z");
  pay (f, "INV-IMP-0001", "pi_3", 500, "requires_payment_method", CP_PAYMENT_CHANNEL_DESK, "visa", "0002", alice,
       "2026-03-03T00:00:00Z");
  refund (f, p1, "re_1", 1000, "succeeded", alice, "2026-03-04T12:00:00Z");
  refund (f, p1, "re_2", 999, "failed", alice, "2026-03-04T13:00:00Z");
  pay (f, "INV-IMP-0002", "pi_2", 10000008, "succeeded", CP_PAYMENT_CHANNEL_KIOSK, "mastercard", "4444", 0,
       "2026-03-05T23:59:59Z");
  p5 = pay (f, "=HYPERLINK(\"http://x\",\"y\")", "pi_5", 5000, "succeeded", CP_PAYMENT_CHANNEL_LINK, "amex", "0005",
            0, "2026-03-05T12:00:00Z");
  (void) p5;
  pay (f, "INV-IMP-0002", "pi_after", 100, "succeeded", CP_PAYMENT_CHANNEL_DESK, "visa", "4242", alice,
       "2026-03-06T00:00:00Z");
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

static const char expected_settled[] =
  HEADER
  "2026-03-02,payment,INV-IMP-0001,MRN-1001,19.99,USD,pi_1,succeeded,desk,visa,4242,alice,2026-03-02T10:00:00Z\r\n"
  "2026-03-04,refund,INV-IMP-0001,MRN-1001,-10.00,USD,re_1,succeeded,desk,visa,4242,alice,2026-03-04T12:00:00Z\r\n"
  "2026-03-05,payment,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",MRN-1003,50.00,USD,pi_5,succeeded,link,amex,0005,,"
  "2026-03-05T12:00:00Z\r\n"
  "2026-03-05,payment,INV-IMP-0002,MRN-1002,100000.08,USD,pi_2,succeeded,kiosk,mastercard,4444,,"
  "2026-03-05T23:59:59Z\r\n";

static void
test_columns_and_amounts (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *all = NULL;
  g_autofree char *one_day = NULL;
  guint rows = 0;

  csv = cp_export_payments_csv (CP_STORE (f->store), "2026-03-01", "2026-03-05", CP_EXPORT_FLAGS_NONE,
                                &rows, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (csv, ==, expected_settled);
  g_assert_cmpuint (rows, ==, 4);

  /* --all adds the failed attempt and the failed refund */
  all = cp_export_payments_csv (CP_STORE (f->store), "2026-03-01", "2026-03-05", CP_EXPORT_ALL_STATUSES,
                                &rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 6);
  g_assert_nonnull (strstr (all, "2026-03-03,payment,INV-IMP-0001,MRN-1001,5.00,USD,pi_3,requires_payment_method,"
                                 "desk,visa,0002,alice,"));
  g_assert_nonnull (strstr (all, "2026-03-04,refund,INV-IMP-0001,MRN-1001,-9.99,USD,re_2,failed,desk,visa,4242,"
                                 "alice,"));

  /* Both ends are inclusive, whole UTC days */
  one_day = cp_export_payments_csv (CP_STORE (f->store), "2026-02-28", "2026-02-28", CP_EXPORT_FLAGS_NONE,
                                    &rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 1);
  g_assert_nonnull (strstr (one_day, ",pi_before,"));

  g_assert_null (cp_export_payments_csv (CP_STORE (f->store), "2026-03-05", "2026-03-01", CP_EXPORT_FLAGS_NONE,
                                         &rows, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_fields (void)
{
  static const struct { const char *value; gboolean guard; const char *expected; } cases[] = {
    { "plain", TRUE, "plain" },
    { "", TRUE, "" },
    { "a,b", TRUE, "\"a,b\"" },
    { "say \"hi\"", TRUE, "\"say \"\"hi\"\"\"" },
    { "two\nlines", TRUE, "\"two\nlines\"" },
    { "=1+1", TRUE, "\"'=1+1\"" },
    { "+1", TRUE, "\"'+1\"" },
    { "@SUM(A1)", TRUE, "\"'@SUM(A1)\"" },
    { "-25.00", FALSE, "-25.00" },
    { " padded", TRUE, "\" padded\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      cp_export_append_field (line, cases[i].value, cases[i].guard);
      g_assert_cmpstr (line->str, ==, cases[i].expected);
    }
}

typedef struct {
  GMainLoop *loop;
  char      *csv;
  GError    *error;
} AsyncWait;

static void
export_done (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->csv = cp_export_payments_csv_finish (CP_STORE (source), res, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  AsyncWait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  cp_export_payments_csv_async (CP_STORE (f->store), "2026-03-01", "2026-03-05", CP_EXPORT_FLAGS_NONE, NULL,
                                export_done, &wait);
  g_main_loop_run (wait.loop);
  g_assert_no_error (wait.error);
  g_assert_cmpstr (wait.csv, ==, expected_settled);
  g_clear_pointer (&wait.csv, g_free);

  cp_export_payments_csv_async (CP_STORE (f->store), "2026-03-01", "soon", CP_EXPORT_FLAGS_NONE, NULL,
                                export_done, &wait);
  g_main_loop_run (wait.loop);
  g_assert_null (wait.csv);
  g_assert_error (wait.error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&wait.error);
  g_main_loop_unref (wait.loop);
}

/* carepayctl ARGS... (NULL-terminated) on the tests' fixed day. */
static const char * const today_env[] = { "CAREPAY_TODAY=" TODAY, NULL };
#define ctl(run, ...) ctl_run (run, today_env, __VA_ARGS__)

static void
test_ctl_export (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autofree char *output = g_build_filename (f->dir, "payments.csv", NULL);
  g_autofree char *written = NULL;

  g_clear_object (&f->store);

  ctl (&run, "--db", f->db, "export", "payments", "--from", "2026-03-01", "--to", "2026-03-05",
       "--output", output, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "Wrote 4 rows"));
  g_assert_true (g_file_get_contents (output, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, expected_settled);

  ctl (&run, "--db", f->db, "export", "payments", "--from", "2026-03-01", "--to", "2026-03-05", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, expected_settled);

  /* Default: this month (CAREPAY_TODAY is 2026-03-15) */
  ctl (&run, "--db", f->db, "export", "payments", "--all", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, ",pi_after,"));
  g_assert_null (strstr (run.out, ",pi_before,"));

  ctl (&run, "--db", f->db, "export", "payments", "--from", "March", NULL);
  g_assert_cmpint (run.status, ==, 2);
  ctl (&run, "--db", f->db, "export", "invoices", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/carepay/export/columns-and-amounts", Fixture, NULL, fixture_setup, test_columns_and_amounts,
              fixture_teardown);
  g_test_add_func ("/carepay/export/fields", test_fields);
  g_test_add ("/carepay/export/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
  g_test_add ("/carepay/export/ctl", Fixture, NULL, fixture_setup, test_ctl_export, fixture_teardown);

  return g_test_run ();
}
