/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports dashboard's figures (issue #5 §3) on a real SQLite file with
 * known payments, refunds, failures and disputes across channels and dates,
 * in America/New_York, and `carepayctl report`. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-report.h"
#include "cp-sqlite-store.h"
#include "cp-stripe-error.h"
#include "ctl-test-util.h"
#include "test-util.h"

#ifndef CAREPAYCTL
#error "CAREPAYCTL must be the path of the built carepayctl"
#endif

#define ZONE "America/New_York"

typedef struct {
  char          *dir;
  char          *db;
  CpSqliteStore *store;
  CpPatient     *patient;
  GTimeZone     *tz;
} Fixture;

static gint64
add_invoice (Fixture    *f,
             const char *number,
             const char *currency,
             const char *issue,
             const char *due,
             gint64      amount,
             int         tax_rate_bp,
             gboolean    voided)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(GError) error = NULL;
  CpLineItem *item = cp_line_item_new ();

  invoice->patient = cp_patient_copy (f->patient);
  invoice->number = g_strdup (number);
  g_free (invoice->currency);
  invoice->currency = g_strdup (currency);
  invoice->issue_date = g_strdup (issue);
  invoice->due_date = g_strdup (due);
  invoice->tax_rate_bp = tax_rate_bp;
  item->description = g_strdup ("Consultation");
  item->quantity = 1;
  item->unit_amount = amount;
  g_ptr_array_add (invoice->line_items, item);
  g_assert_true (cp_store_create_invoice (CP_STORE (f->store), invoice, &error));
  g_assert_no_error (error);
  if (voided)
    {
      g_assert_true (cp_store_set_invoice_voided (CP_STORE (f->store), invoice->id, TRUE, &error));
      g_assert_no_error (error);
    }
  return invoice->id;
}

static gint64
pay (Fixture          *f,
     gint64            invoice_id,
     const char       *intent,
     gint64            amount,
     const char       *currency,
     const char       *status,
     const char       *failure_code,
     CpPaymentChannel  channel,
     gboolean          disputed,
     const char       *created_at)
{
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autoptr(GError) error = NULL;

  payment->invoice_id = invoice_id;
  payment->stripe_payment_intent_id = g_strdup (intent);
  payment->amount = amount;
  payment->currency = g_strdup (currency);
  payment->status = g_strdup (status);
  payment->failure_code = g_strdup (failure_code);
  payment->channel = channel;
  payment->disputed = disputed;
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
        const char *created_at)
{
  g_autoptr(CpRefund) r = cp_refund_new ();
  g_autoptr(GError) error = NULL;

  r->payment_id = payment_id;
  r->stripe_refund_id = g_strdup (id);
  r->amount = amount;
  r->currency = g_strdup ("USD");
  r->status = g_strdup (status);
  r->created_at = g_strdup (created_at);
  g_assert_true (cp_store_record_refund (CP_STORE (f->store), r, &error));
  g_assert_no_error (error);
}

/* The data set; the expected figures in the tests below follow from it.
 * New York is UTC-5 in winter: 05:00Z is local midnight. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a, b, c, d, e, p1, p2, p3;

  f->tz = g_time_zone_new_identifier (ZONE);
  g_assert_nonnull (f->tz);
  f->dir = g_dir_make_tmp ("carepay-report-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);

  f->patient = cp_patient_new ();
  f->patient->mrn = g_strdup ("MRN-0001");
  f->patient->given_name = g_strdup ("Maria");
  f->patient->family_name = g_strdup ("Garcia");
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), f->patient, &error));
  g_assert_no_error (error);

  a = add_invoice (f, "INV-A", "USD", "2026-01-01", "2026-01-31", 10000, 0, FALSE);
  b = add_invoice (f, "INV-\"B\",2", "USD", "2026-01-05", "2026-02-04", 20000, 0, FALSE);
  c = add_invoice (f, "INV-C", "USD", "2026-01-10", "2026-01-20", 5000, 0, FALSE);
  d = add_invoice (f, "INV-D", "USD", "2026-01-10", "2026-01-20", 7000, 0, TRUE);
  e = add_invoice (f, "INV-E", "EUR", "2026-01-10", "2026-02-10", 3000, 0, FALSE);
  (void) d;

  /* Before the range (local Dec 31): not collected, but paid as of `to` */
  pay (f, c, "pi_0", 500, "USD", "succeeded", NULL, CP_PAYMENT_CHANNEL_DESK, FALSE, "2026-01-01T04:59:59Z");
  /* Local Sun Jan 4 23:59:59 and Mon Jan 5 00:00:00: a day and an ISO week apart */
  p1 = pay (f, a, "pi_1", 4000, "USD", "succeeded", NULL, CP_PAYMENT_CHANNEL_DESK, FALSE, "2026-01-05T04:59:59Z");
  p2 = pay (f, a, "pi_2", 6000, "USD", "succeeded", NULL, CP_PAYMENT_CHANNEL_KIOSK, FALSE, "2026-01-05T05:00:00Z");
  p3 = pay (f, b, "pi_3", 20000, "USD", "succeeded", NULL, CP_PAYMENT_CHANNEL_LINK, TRUE, "2026-01-31T12:00:00Z");
  /* Failures: the first is Feb 1 in UTC but Jan 31 in New York */
  pay (f, b, "pi_4", 20000, "USD", "requires_payment_method", "insufficient_funds", CP_PAYMENT_CHANNEL_DESK, FALSE,
       "2026-02-01T04:00:00Z");
  pay (f, c, "pi_5", 4500, "USD", "canceled", "expired_card", CP_PAYMENT_CHANNEL_DESK, FALSE, "2026-02-10T15:00:00Z");
  pay (f, c, "pi_6", 4500, "USD", "requires_payment_method", "insufficient_funds", CP_PAYMENT_CHANNEL_KIOSK, FALSE,
       "2026-02-11T15:00:00Z");
  /* An abandoned attempt is neither a success nor a failure */
  pay (f, c, "pi_7", 4500, "USD", "requires_payment_method", NULL, CP_PAYMENT_CHANNEL_KIOSK, FALSE,
       "2026-02-12T15:00:00Z");
  pay (f, e, "pi_8", 3000, "EUR", "succeeded", NULL, CP_PAYMENT_CHANNEL_DESK, FALSE, "2026-01-10T12:00:00Z");
  /* Local Mar 1 00:00: after a range ending Feb 28 */
  pay (f, c, "pi_9", 1000, "USD", "succeeded", NULL, CP_PAYMENT_CHANNEL_DESK, FALSE, "2026-03-01T05:00:00Z");

  refund (f, p3, "re_1", 5000, "succeeded", "2026-02-15T12:00:00Z");
  refund (f, p1, "re_2", 1000, "failed", "2026-02-15T12:00:00Z");
  refund (f, p2, "re_3", 2000, "pending", "2026-02-01T04:59:59Z");

  /* Aging as of 2026-02-28 at the bucket edges: days past due 0, -10, 1, 30,
   * 31, 60, 61, 90, 91 (the last with 10% tax), and one issued after `to` */
  add_invoice (f, "AGE-0", "USD", "2026-02-01", "2026-02-28", 1000, 0, FALSE);
  add_invoice (f, "AGE-F", "USD", "2026-02-20", "2026-03-10", 2000, 0, FALSE);
  add_invoice (f, "AGE-1", "USD", "2026-02-01", "2026-02-27", 100, 0, FALSE);
  add_invoice (f, "AGE-30", "USD", "2026-01-01", "2026-01-29", 300, 0, FALSE);
  add_invoice (f, "AGE-31", "USD", "2026-01-01", "2026-01-28", 3100, 0, FALSE);
  add_invoice (f, "AGE-60", "USD", "2025-12-01", "2025-12-30", 6000, 0, FALSE);
  add_invoice (f, "AGE-61", "USD", "2025-12-01", "2025-12-29", 6100, 0, FALSE);
  add_invoice (f, "AGE-90", "USD", "2025-11-01", "2025-11-30", 9000, 0, FALSE);
  add_invoice (f, "AGE-91", "USD", "2025-11-01", "2025-11-29", 9100, 1000, FALSE);
  add_invoice (f, "AGE-LATER", "USD", "2026-03-01", "2026-03-31", 99900, 0, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  cp_patient_free (f->patient);
  g_time_zone_unref (f->tz);
  test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static CpReport *
load (Fixture             *f,
      const char          *from,
      const char          *to,
      CpReportGranularity  by,
      const char          *currency)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReport) report = cp_report_new_full (from, to, by, currency, f->tz, &error);

  g_assert_no_error (error);
  g_assert_true (cp_store_fill_report (CP_STORE (f->store), report, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&report);
}

static void
assert_period (CpReport   *report,
               guint       i,
               const char *start,
               const char *end,
               gint64      collected,
               gint64      refunded,
               gint64      n_payments)
{
  CpReportPeriod *period;

  g_assert_cmpuint (i, <, report->periods->len);
  period = g_ptr_array_index (report->periods, i);
  g_assert_cmpstr (period->start, ==, start);
  g_assert_cmpstr (period->end, ==, end);
  g_assert_cmpint (period->collected, ==, collected);
  g_assert_cmpint (period->refunded, ==, refunded);
  g_assert_cmpint (period->net, ==, collected - refunded);
  g_assert_cmpint (period->n_payments, ==, n_payments);
}

static void
test_month_figures (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CpReport) report = load (f, "2026-01-01", "2026-02-28", CP_REPORT_BY_MONTH, "USD");
  CpReportFailure *failure;
  CpReportDispute *dispute;

  g_assert_cmpuint (report->periods->len, ==, 2);
  assert_period (report, 0, "2026-01-01", "2026-01-31", 30000, 2000, 3);
  assert_period (report, 1, "2026-02-01", "2026-02-28", 0, 5000, 0);

  g_assert_cmpint (report->collected, ==, 30000);
  g_assert_cmpint (report->refunded, ==, 7000);
  g_assert_cmpint (report->net, ==, 23000);
  g_assert_cmpint (report->n_succeeded, ==, 3);
  g_assert_cmpint (report->n_failed, ==, 3);
  g_assert_cmpfloat (cp_report_success_rate (report), ==, 0.5);
  g_assert_cmpint (report->average, ==, 10000);
  g_assert_false (cp_report_is_empty (report));

  g_assert_cmpuint (report->failures->len, ==, 2);
  failure = g_ptr_array_index (report->failures, 0);
  g_assert_cmpstr (failure->code, ==, "insufficient_funds");
  g_assert_cmpint (failure->count, ==, 2);
  g_assert_cmpstr (failure->label, ==, cp_stripe_decline_staff_message ("insufficient_funds"));
  failure = g_ptr_array_index (report->failures, 1);
  g_assert_cmpstr (failure->code, ==, "expired_card");
  g_assert_cmpint (failure->count, ==, 1);

  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_DESK].count, ==, 1);
  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_DESK].amount, ==, 4000);
  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_KIOSK].count, ==, 1);
  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_KIOSK].amount, ==, 6000);
  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_LINK].count, ==, 1);
  g_assert_cmpint (report->channels[CP_PAYMENT_CHANNEL_LINK].amount, ==, 20000);

  g_assert_cmpint (report->n_disputes, ==, 1);
  g_assert_cmpint (report->disputed_amount, ==, 20000);
  g_assert_cmpuint (report->disputes->len, ==, 1);
  dispute = g_ptr_array_index (report->disputes, 0);
  g_assert_cmpstr (dispute->invoice_number, ==, "INV-\"B\",2");
  g_assert_cmpstr (dispute->payment_intent_id, ==, "pi_3");
  g_assert_cmpstr (dispute->date, ==, "2026-01-31");
  g_assert_cmpint (dispute->channel, ==, CP_PAYMENT_CHANNEL_LINK);

  /* C owes 5000 - 500 (pi_9 comes after `to`), 39 days past due; A and B
   * are paid (refunds never reopen a balance); D is voided */
  g_assert_cmpint (report->aging[CP_REPORT_AGING_CURRENT].count, ==, 2);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_CURRENT].amount, ==, 3000);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_1_30].count, ==, 2);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_1_30].amount, ==, 400);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_31_60].count, ==, 3);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_31_60].amount, ==, 3100 + 6000 + 4500);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_61_90].count, ==, 2);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_61_90].amount, ==, 15100);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_OVER_90].count, ==, 1);
  g_assert_cmpint (report->aging[CP_REPORT_AGING_OVER_90].amount, ==, 10010);

  g_assert_cmpuint (report->currencies->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (report->currencies, 0), ==, "EUR");
  g_assert_cmpstr (g_ptr_array_index (report->currencies, 1), ==, "USD");
}

static void
test_days_and_weeks (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CpReport) days = load (f, "2026-01-04", "2026-01-06", CP_REPORT_BY_DAY, "USD");
  g_autoptr(CpReport) weeks = load (f, "2026-01-01", "2026-01-31", CP_REPORT_BY_WEEK, "USD");
  g_autoptr(CpReport) months = load (f, "2026-01-15", "2026-03-03", CP_REPORT_BY_MONTH, "USD");

  g_assert_cmpuint (days->periods->len, ==, 3);
  assert_period (days, 0, "2026-01-04", "2026-01-04", 4000, 0, 1);
  assert_period (days, 1, "2026-01-05", "2026-01-05", 6000, 0, 1);
  assert_period (days, 2, "2026-01-06", "2026-01-06", 0, 0, 0);

  /* ISO weeks start on Monday; the first and last are cut by the range */
  g_assert_cmpuint (weeks->periods->len, ==, 5);
  assert_period (weeks, 0, "2026-01-01", "2026-01-04", 4000, 0, 1);
  assert_period (weeks, 1, "2026-01-05", "2026-01-11", 6000, 0, 1);
  assert_period (weeks, 2, "2026-01-12", "2026-01-18", 0, 0, 0);
  assert_period (weeks, 3, "2026-01-19", "2026-01-25", 0, 0, 0);
  assert_period (weeks, 4, "2026-01-26", "2026-01-31", 20000, 2000, 1);
  g_assert_cmpint (weeks->n_failed, ==, 1);  /* pi_4, local Jan 31 */

  g_assert_cmpuint (months->periods->len, ==, 3);
  assert_period (months, 0, "2026-01-15", "2026-01-31", 20000, 2000, 1);
  assert_period (months, 1, "2026-02-01", "2026-02-28", 0, 5000, 0);
  assert_period (months, 2, "2026-03-01", "2026-03-03", 1000, 0, 1);
}

static void
test_local_days (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* US daylight saving time starts on 2026-03-08: that day has 23 hours */
  g_autoptr(CpReport) dst = cp_report_new_full ("2026-03-07", "2026-03-09", CP_REPORT_BY_DAY, NULL, f->tz, &error);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(CpReport) in_utc = cp_report_new_full ("2026-01-31", "2026-01-31", CP_REPORT_BY_DAY, "usd", utc, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (dst->bounds->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (dst->bounds, 0), ==, "2026-03-07T05:00:00Z");
  g_assert_cmpstr (g_ptr_array_index (dst->bounds, 1), ==, "2026-03-08T05:00:00Z");
  g_assert_cmpstr (g_ptr_array_index (dst->bounds, 2), ==, "2026-03-09T04:00:00Z");
  g_assert_cmpstr (g_ptr_array_index (dst->bounds, 3), ==, "2026-03-10T04:00:00Z");
  g_assert_cmpint (cp_report_period_for (dst, "2026-03-07T04:59:59Z"), ==, -1);
  g_assert_cmpint (cp_report_period_for (dst, "2026-03-07T05:00:00Z"), ==, 0);
  g_assert_cmpint (cp_report_period_for (dst, "2026-03-09T03:59:59Z"), ==, 1);
  g_assert_cmpint (cp_report_period_for (dst, "2026-03-09T04:00:00Z"), ==, 2);
  g_assert_cmpint (cp_report_period_for (dst, "2026-03-10T04:00:00Z"), ==, -1);

  /* In UTC the same data puts pi_4's failure on Feb 1 */
  g_assert_cmpstr (in_utc->currency, ==, "USD");
  g_assert_true (cp_store_fill_report (CP_STORE (f->store), in_utc, &error));
  g_assert_no_error (error);
  g_assert_cmpint (in_utc->collected, ==, 20000);
  g_assert_cmpint (in_utc->refunded, ==, 0);
  g_assert_cmpint (in_utc->n_failed, ==, 0);
}

static void
test_other_currency_and_empty (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CpReport) eur = load (f, "2026-01-01", "2026-02-28", CP_REPORT_BY_MONTH, "EUR");
  g_autoptr(CpReport) empty = load (f, "2025-06-01", "2025-06-30", CP_REPORT_BY_WEEK, "USD");

  g_assert_cmpint (eur->collected, ==, 3000);
  g_assert_cmpint (eur->n_succeeded, ==, 1);
  g_assert_cmpint (eur->n_failed, ==, 0);
  g_assert_cmpint (eur->aging[CP_REPORT_AGING_CURRENT].amount, ==, 0);
  g_assert_cmpint (eur->n_disputes, ==, 0);

  g_assert_true (cp_report_is_empty (empty));
  /* 2025-06-01 is a Sunday and 06-30 a Monday: both are weeks of their own */
  g_assert_cmpuint (empty->periods->len, ==, 6);
  assert_period (empty, 0, "2025-06-01", "2025-06-01", 0, 0, 0);
  assert_period (empty, 4, "2025-06-23", "2025-06-29", 0, 0, 0);
  assert_period (empty, 5, "2025-06-30", "2025-06-30", 0, 0, 0);
  g_assert_cmpint (empty->average, ==, 0);
  g_assert_cmpfloat (cp_report_success_rate (empty), ==, 0.0);
  g_assert_cmpuint (empty->currencies->len, ==, 0);
}

static void
test_aging_edges (void)
{
  static const struct { const char *due; int days; CpReportAging bucket; } cases[] = {
    { "2026-03-10", -10, CP_REPORT_AGING_CURRENT },
    { "2026-02-28", 0, CP_REPORT_AGING_CURRENT },
    { "2026-02-27", 1, CP_REPORT_AGING_1_30 },
    { "2026-01-29", 30, CP_REPORT_AGING_1_30 },
    { "2026-01-28", 31, CP_REPORT_AGING_31_60 },
    { "2025-12-30", 60, CP_REPORT_AGING_31_60 },
    { "2025-12-29", 61, CP_REPORT_AGING_61_90 },
    { "2025-11-30", 90, CP_REPORT_AGING_61_90 },
    { "2025-11-29", 91, CP_REPORT_AGING_OVER_90 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int days = cp_report_days_past_due (cases[i].due, "2026-02-28");

      g_assert_cmpint (days, ==, cases[i].days);
      g_assert_cmpint (cp_report_aging_for_days (days), ==, cases[i].bucket);
    }
}

static void
test_bad_ranges (void)
{
  g_autoptr(GError) error = NULL;
  CpReport *report;
  CpReportGranularity by;
  CpReportTable table;

  report = cp_report_new ("2026-02-01", "2026-01-31", CP_REPORT_BY_DAY, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  report = cp_report_new ("2026-02-30", "2026-03-31", CP_REPORT_BY_DAY, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  report = cp_report_new ("2020-01-01", "2026-01-01", CP_REPORT_BY_DAY, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* The same range by month is fine */
  report = cp_report_new ("2020-01-01", "2026-01-01", CP_REPORT_BY_MONTH, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->periods->len, ==, 73);
  cp_report_unref (report);

  g_assert_true (cp_report_granularity_from_string ("week", &by));
  g_assert_cmpint (by, ==, CP_REPORT_BY_WEEK);
  g_assert_false (cp_report_granularity_from_string ("year", &by));
  g_assert_true (cp_report_table_from_string ("aging", &table));
  g_assert_cmpint (table, ==, CP_REPORT_TABLE_AGING);
  g_assert_false (cp_report_table_from_string ("nope", &table));
}

static char *
csv_of (Fixture       *f,
        CpReport      *report,
        CpReportTable  table)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "table.csv", NULL);
  char *contents = NULL;

  g_assert_true (cp_report_write_csv_to_path (report, table, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(CpReport) report = load (f, "2026-01-01", "2026-02-28", CP_REPORT_BY_MONTH, "USD");
  g_autofree char *series = csv_of (f, report, CP_REPORT_TABLE_SERIES);
  g_autofree char *disputes = csv_of (f, report, CP_REPORT_TABLE_DISPUTES);
  g_autofree char *aging = csv_of (f, report, CP_REPORT_TABLE_AGING);
  g_autofree char *channels = csv_of (f, report, CP_REPORT_TABLE_CHANNELS);
  g_autofree char *summary = csv_of (f, report, CP_REPORT_TABLE_SUMMARY);
  g_autofree char *failures = csv_of (f, report, CP_REPORT_TABLE_FAILURES);
  g_assert_cmpstr (series, ==,
                   "period_start,period_end,collected,refunded,net,payments,currency\r\n"
                   "2026-01-01,2026-01-31,300.00,20.00,280.00,3,USD\r\n"
                   "2026-02-01,2026-02-28,0.00,50.00,-50.00,0,USD\r\n");
  g_assert_cmpstr (disputes, ==,
                   "date,invoice,payment_intent,channel,amount,currency\r\n"
                   "2026-01-31,\"INV-\"\"B\"\",2\",pi_3,link,200.00,USD\r\n");
  g_assert_cmpstr (aging, ==,
                   "bucket,invoices,amount,currency\r\n"
                   "current,2,30.00,USD\r\n"
                   "1-30,2,4.00,USD\r\n"
                   "31-60,3,136.00,USD\r\n"
                   "61-90,2,151.00,USD\r\n"
                   "over-90,1,100.10,USD\r\n");
  g_assert_cmpstr (channels, ==,
                   "channel,payments,amount,currency\r\n"
                   "desk,1,40.00,USD\r\n"
                   "kiosk,1,60.00,USD\r\n"
                   "link,1,200.00,USD\r\n");
  g_assert_cmpstr (summary, ==,
                   "metric,value\r\n"
                   "from,2026-01-01\r\n"
                   "to,2026-02-28\r\n"
                   "currency,USD\r\n"
                   "collected,300.00\r\n"
                   "refunded,70.00\r\n"
                   "net,230.00\r\n"
                   "payments_succeeded,3\r\n"
                   "payments_failed,3\r\n"
                   "success_rate,0.5000\r\n"
                   "average_payment,100.00\r\n"
                   "disputes,1\r\n"
                   "disputed_amount,200.00\r\n");

  /* Labels are the localized decline wording (C locale here) */
  g_assert_cmpstr (failures, ==,
                   "code,reason,count\r\n"
                   "insufficient_funds,Declined: insufficient funds on the card.,2\r\n"
                   "expired_card,Declined: the card has expired.,1\r\n");
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} AsyncResult;

static void
filled (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  AsyncResult *res = user_data;

  res->ok = cp_store_fill_report_finish (CP_STORE (source), result, &res->error);
  res->done = TRUE;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReport) report = cp_report_new_full ("2026-01-01", "2026-02-28", CP_REPORT_BY_WEEK, "USD", f->tz,
                                                   &error);
  AsyncResult res = { 0, };

  g_assert_no_error (error);
  cp_store_fill_report_async (CP_STORE (f->store), report, NULL, filled, &res);
  /* The callback runs on this thread's main context */
  while (!res.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (res.error);
  g_assert_true (res.ok);
  g_assert_cmpint (report->collected, ==, 30000);
  g_assert_cmpuint (report->periods->len, ==, 9);
}

/* carepayctl report */

/* carepayctl in the tests' time zone */
static void
ctl (CtlRun *run,
     ...)
{
  const char *env[] = { "TZ=" ZONE, NULL };
  const char *first;
  va_list rest;

  va_start (rest, run);
  first = va_arg (rest, const char *);
  ctl_run_valist (run, env, NULL, FALSE, first, rest);
  va_end (rest);
}

static void
test_ctl_report (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(CtlRun) run = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *summary, *aging, *bucket;
  JsonArray *series, *failures, *disputes;

  g_clear_object (&f->store);

  ctl (&run, "--db", f->db, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--by", "month", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "currency"), ==, "USD");
  g_assert_cmpstr (json_object_get_string_member (root, "by"), ==, "month");
  summary = json_object_get_object_member (root, "summary");
  g_assert_cmpint (json_object_get_int_member (summary, "collected"), ==, 30000);
  g_assert_cmpint (json_object_get_int_member (summary, "refunded"), ==, 7000);
  g_assert_cmpint (json_object_get_int_member (summary, "net"), ==, 23000);
  g_assert_cmpint (json_object_get_int_member (summary, "payments_failed"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (summary, "success_rate"), ==, 0.5);
  g_assert_cmpint (json_object_get_int_member (summary, "average_payment"), ==, 10000);
  series = json_object_get_array_member (root, "series");
  g_assert_cmpuint (json_array_get_length (series), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (series, 1), "refunded"), ==, 5000);
  failures = json_object_get_array_member (root, "failures");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (failures, 0), "code"), ==,
                   "insufficient_funds");
  disputes = json_object_get_array_member (root, "disputes");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (disputes, 0), "invoice"), ==,
                   "INV-\"B\",2");
  aging = json_object_get_object_member (root, "aging");
  bucket = json_object_get_object_member (aging, "over-90");
  g_assert_cmpint (json_object_get_int_member (bucket, "amount"), ==, 10010);
  bucket = json_object_get_object_member (json_object_get_object_member (root, "channels"), "link");
  g_assert_cmpint (json_object_get_int_member (bucket, "count"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (bucket, "amount"), ==, 20000);

  ctl (&run, "--db", f->db, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--csv", "aging", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "bucket,invoices,amount,currency\r\ncurrent,2,30.00,USD\r\n"));

  ctl (&run, "--db", f->db, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--currency", "EUR",
       "--csv", "summary", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "collected,30.00\r\n"));

  ctl (&run, "--db", f->db, "report", "--from", "2026-03-01", "--to", "2026-02-28", NULL);
  g_assert_cmpint (run.status, ==, 2);
  ctl (&run, "--db", f->db, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--by", "year", NULL);
  g_assert_cmpint (run.status, ==, 2);
  ctl (&run, "--db", f->db, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--csv", "nope", NULL);
  g_assert_cmpint (run.status, ==, 2);
  ctl (&run, "--db", f->db, "report", "--to", "2026-02-28", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add ("/carepay/report/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("month-figures", test_month_figures);
  ADD ("days-and-weeks", test_days_and_weeks);
  ADD ("local-days", test_local_days);
  ADD ("other-currency-and-empty", test_other_currency_and_empty);
  ADD ("csv", test_csv);
  ADD ("async", test_async);
  ADD ("ctl", test_ctl_report);
#undef ADD
  g_test_add_func ("/carepay/report/aging-edges", test_aging_edges);
  g_test_add_func ("/carepay/report/bad-ranges", test_bad_ranges);

  return g_test_run ();
}
