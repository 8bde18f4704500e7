/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include "cp-error.h"
#include "cp-records.h"

#define TODAY "2026-03-15"

static CpInvoiceStatus
status_of (gboolean    voided,
           gint64      total,
           gint64      paid,
           gint64      refunded,
           const char *due,
           gint64     *balance)
{
  return cp_invoice_status_compute (voided, total, paid, refunded, due, TODAY, balance);
}

static void
test_status_pending_and_overdue (void)
{
  gint64 balance = -1;

  g_assert_cmpint (status_of (FALSE, 10000, 0, 0, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpint (balance, ==, 10000);

  /* Due today is not yet overdue */
  g_assert_cmpint (status_of (FALSE, 10000, 0, 0, TODAY, &balance), ==, CP_INVOICE_STATUS_PENDING);

  /* The due date passing turns pending into overdue */
  g_assert_cmpint (status_of (FALSE, 10000, 0, 0, "2026-03-14", &balance), ==, CP_INVOICE_STATUS_OVERDUE);
  g_assert_cmpint (balance, ==, 10000);

  /* Overdue wins over partially paid */
  g_assert_cmpint (status_of (FALSE, 10000, 4000, 0, "2026-03-14", &balance), ==, CP_INVOICE_STATUS_OVERDUE);
  g_assert_cmpint (balance, ==, 6000);
}

static void
test_status_paid_and_partial (void)
{
  gint64 balance = -1;

  g_assert_cmpint (status_of (FALSE, 10000, 10000, 0, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);

  /* Paid stays paid after the due date */
  g_assert_cmpint (status_of (FALSE, 10000, 10000, 0, "2026-01-01", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);

  /* Overpaid counts as paid with nothing due */
  g_assert_cmpint (status_of (FALSE, 10000, 12000, 0, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);

  g_assert_cmpint (status_of (FALSE, 10000, 2500, 0, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_cmpint (balance, ==, 7500);
}

static void
test_status_refunds (void)
{
  gint64 balance = -1;

  /* Full refund */
  g_assert_cmpint (status_of (FALSE, 10000, 10000, 10000, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_REFUNDED);
  g_assert_cmpint (balance, ==, 0);
  /* Full refund of a partial payment, past due: still refunded */
  g_assert_cmpint (status_of (FALSE, 10000, 3000, 3000, "2026-01-01", &balance), ==, CP_INVOICE_STATUS_REFUNDED);
  g_assert_cmpint (balance, ==, 0);

  /* A partial refund of a full payment does not make money owed again */
  g_assert_cmpint (status_of (FALSE, 10000, 10000, 2500, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);
  g_assert_cmpint (status_of (FALSE, 10000, 10000, 2500, "2026-03-01", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);
  /* ...nor on a part payment: what is owed is what was never paid */
  g_assert_cmpint (status_of (FALSE, 10000, 6000, 1000, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_cmpint (balance, ==, 4000);

  /* A refund of an overpayment leaves it paid */
  g_assert_cmpint (status_of (FALSE, 10000, 12000, 2000, "2026-04-14", &balance), ==, CP_INVOICE_STATUS_PAID);
}

static void
test_status_voided_and_zero (void)
{
  gint64 balance = -1;

  g_assert_cmpint (status_of (TRUE, 10000, 0, 0, "2026-01-01", &balance), ==, CP_INVOICE_STATUS_CANCELLED);
  g_assert_cmpint (balance, ==, 0);
  g_assert_cmpint (status_of (TRUE, 10000, 10000, 10000, "2026-01-01", &balance), ==, CP_INVOICE_STATUS_CANCELLED);

  /* Nothing to pay is paid, even past the due date */
  g_assert_cmpint (status_of (FALSE, 0, 0, 0, "2026-01-01", &balance), ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (balance, ==, 0);

  /* NULL balance pointer is allowed */
  g_assert_cmpint (status_of (FALSE, 5, 0, 0, "2026-04-14", NULL), ==, CP_INVOICE_STATUS_PENDING);
}

static CpLineItem *
item (gint64 quantity,
      gint64 unit_amount)
{
  CpLineItem *it = cp_line_item_new ();

  it->description = g_strdup ("Service");
  it->quantity = quantity;
  it->unit_amount = unit_amount;
  return it;
}

static CpPayment *
payment (gint64      amount,
         const char *status)
{
  CpPayment *p = cp_payment_new ();

  p->amount = amount;
  p->status = g_strdup (status);
  p->currency = g_strdup ("USD");
  return p;
}

static CpRefund *
refund (gint64      amount,
        const char *status)
{
  CpRefund *r = cp_refund_new ();

  r->amount = amount;
  r->status = g_strdup (status);
  r->currency = g_strdup ("USD");
  return r;
}

static void
test_invoice_compute (void)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(GError) error = NULL;

  invoice->due_date = g_strdup ("2026-04-14");
  invoice->tax_rate_bp = 825;
  g_ptr_array_add (invoice->line_items, item (1, 18500));
  g_ptr_array_add (invoice->line_items, item (4, 6500));
  g_ptr_array_add (invoice->line_items, item (1, 1));

  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (((CpLineItem *) invoice->line_items->pdata[1])->amount, ==, 26000);
  g_assert_cmpint (invoice->subtotal, ==, 44501);
  /* 44501 * 0.0825 = 3671.3325 -> 3671 */
  g_assert_cmpint (invoice->tax, ==, 3671);
  g_assert_cmpint (invoice->total, ==, 48172);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpint (invoice->balance_due, ==, 48172);

  /* Failed and processing payments do not count; succeeded ones do */
  g_ptr_array_add (invoice->payments, payment (48172, "requires_payment_method"));
  g_ptr_array_add (invoice->payments, payment (10000, "processing"));
  g_ptr_array_add (invoice->payments, payment (20000, "succeeded"));
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_cmpint (invoice->amount_paid, ==, 20000);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 28172);

  g_ptr_array_add (invoice->payments, payment (28172, "succeeded"));
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 0);

  /* Pending refunds count, failed ones do not */
  g_ptr_array_add (invoice->refunds, refund (5000, "failed"));
  g_ptr_array_add (invoice->refunds, refund (1000, "pending"));
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_cmpint (invoice->amount_refunded, ==, 1000);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID); /* a refund is no new debt */
  g_assert_cmpint (invoice->balance_due, ==, 0);

  g_ptr_array_add (invoice->refunds, refund (47172, "succeeded"));
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_REFUNDED);
  g_assert_cmpint (invoice->balance_due, ==, 0);

  invoice->voided = TRUE;
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_CANCELLED);
}

static void
test_invoice_compute_overflow (void)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(GError) error = NULL;

  invoice->due_date = g_strdup ("2026-04-14");
  g_ptr_array_add (invoice->line_items, item (G_MAXINT64 / 2, 3));
  g_assert_false (cp_invoice_compute (invoice, TODAY, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_OVERFLOW);
}

static void
test_invoice_compute_empty (void)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();

  invoice->due_date = g_strdup ("2026-01-01");
  g_assert_true (cp_invoice_compute (invoice, TODAY, NULL));
  g_assert_cmpint (invoice->total, ==, 0);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
}

static void
test_strings (void)
{
  for (int s = 0; s < CP_N_INVOICE_STATUSES; s++)
    {
      CpInvoiceStatus back = CP_N_INVOICE_STATUSES;

      g_assert_true (cp_invoice_status_from_string (cp_invoice_status_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
      g_assert_nonnull (cp_invoice_status_label (s));
    }
  g_assert_cmpstr (cp_invoice_status_to_string (CP_INVOICE_STATUS_PARTIALLY_PAID), ==, "partially_paid");
  g_assert_cmpstr (cp_invoice_status_label (CP_INVOICE_STATUS_PARTIALLY_PAID), ==, "Partially paid");
  g_assert_false (cp_invoice_status_from_string ("Paid", NULL));
  g_assert_false (cp_invoice_status_from_string (NULL, NULL));

  for (int r = CP_ROLE_CLERK; r <= CP_ROLE_ADMIN; r++)
    {
      CpRole back = -1;
      g_assert_true (cp_role_from_string (cp_role_to_string (r), &back));
      g_assert_cmpint (back, ==, r);
      g_assert_nonnull (cp_role_label (r));
    }
  g_assert_false (cp_role_from_string ("root", NULL));

  for (int c = CP_PAYMENT_CHANNEL_DESK; c <= CP_PAYMENT_CHANNEL_LINK; c++)
    {
      CpPaymentChannel back = -1;
      g_assert_true (cp_payment_channel_from_string (cp_payment_channel_to_string (c), &back));
      g_assert_cmpint (back, ==, c);
    }
  g_assert_false (cp_payment_channel_from_string ("phone", NULL));

  g_assert_true (cp_payment_status_counts ("succeeded"));
  g_assert_false (cp_payment_status_counts ("processing"));
  g_assert_true (cp_refund_status_counts ("pending"));
  g_assert_false (cp_refund_status_counts ("canceled"));
}

static void
test_dates (void)
{
  g_assert_true (cp_date_is_valid ("2024-02-29"));
  g_assert_true (cp_date_is_valid ("2026-12-31"));
  g_assert_false (cp_date_is_valid ("2026-02-29"));
  g_assert_false (cp_date_is_valid ("2026-13-01"));
  g_assert_false (cp_date_is_valid ("2026-00-10"));
  g_assert_false (cp_date_is_valid ("2026-04-31"));
  g_assert_false (cp_date_is_valid ("2026-4-01"));
  g_assert_false (cp_date_is_valid ("2026-04-01 "));
  g_assert_false (cp_date_is_valid ("2026/04/01"));
  g_assert_false (cp_date_is_valid ("+026-04-01"));
  g_assert_false (cp_date_is_valid (""));
  g_assert_false (cp_date_is_valid (NULL));
}

static void
test_today (void)
{
  g_autofree char *pinned = NULL;
  g_autofree char *real = NULL;

  g_setenv ("CAREPAY_TODAY", "2025-12-31", TRUE);
  pinned = cp_today ();
  g_assert_cmpstr (pinned, ==, "2025-12-31");

  g_unsetenv ("CAREPAY_TODAY");
  real = cp_today ();
  g_assert_true (cp_date_is_valid (real));
}

static void
test_copy_and_names (void)
{
  g_autoptr(CpPatient) patient = cp_patient_new ();
  g_autoptr(CpPatient) copy = NULL;
  g_autofree char *name = NULL;

  patient->id = 7;
  patient->mrn = g_strdup ("MRN-1");
  patient->given_name = g_strdup ("Maria");
  patient->family_name = g_strdup ("Garcia");
  patient->address = g_strdup ("1 Elm St\nAustin");
  copy = cp_patient_copy (patient);
  g_assert_cmpint (copy->id, ==, 7);
  g_assert_cmpstr (copy->address, ==, patient->address);
  g_assert_true (copy->address != patient->address);
  name = cp_patient_display_name (copy);
  g_assert_cmpstr (name, ==, "Maria Garcia");
  g_assert_null (cp_patient_copy (NULL));

  {
    CpInvoiceTotals totals = { 0 };
    totals.currency = g_strdup ("USD");
    totals.outstanding = 5;
    cp_invoice_totals_clear (&totals);
    g_assert_null (totals.currency);
    g_assert_cmpint (totals.outstanding, ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/records/status/pending-overdue", test_status_pending_and_overdue);
  g_test_add_func ("/carepay/records/status/paid-partial", test_status_paid_and_partial);
  g_test_add_func ("/carepay/records/status/refunds", test_status_refunds);
  g_test_add_func ("/carepay/records/status/voided-zero", test_status_voided_and_zero);
  g_test_add_func ("/carepay/records/compute", test_invoice_compute);
  g_test_add_func ("/carepay/records/compute-overflow", test_invoice_compute_overflow);
  g_test_add_func ("/carepay/records/compute-empty", test_invoice_compute_empty);
  g_test_add_func ("/carepay/records/strings", test_strings);
  g_test_add_func ("/carepay/records/dates", test_dates);
  g_test_add_func ("/carepay/records/today", test_today);
  g_test_add_func ("/carepay/records/copy", test_copy_and_names);

  return g_test_run ();
}
