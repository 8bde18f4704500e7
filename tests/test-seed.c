/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "test-util.h"

#define TODAY "2026-03-15"

typedef struct {
  char          *dir;
  char          *path;
  CpSqliteStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  f->dir = g_dir_make_tmp ("carepay-seed-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  int counts[CP_N_INVOICE_STATUSES] = { 0 };
  gboolean saw_tax = FALSE, saw_no_tax = FALSE;

  g_assert_true (cp_seed_demo (store, 0, 1, TODAY, &error));
  g_assert_no_error (error);

  patients = cp_store_list_patients (store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, ==, 5);

  invoices = cp_store_list_invoices (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (invoices->len, ==, 15);

  for (guint i = 0; i < invoices->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (invoices, i);
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, row->id, &error);

      g_assert_no_error (error);
      counts[row->status]++;
      g_assert_cmpstr (row->currency, ==, "USD");
      g_assert_true (g_str_has_prefix (row->number, "INV-"));
      g_assert_cmpuint (strlen (row->number), ==, 15);
      /* The list's SQL totals agree with the full computation */
      g_assert_cmpint (row->total, ==, invoice->total);
      g_assert_cmpint (row->balance_due, ==, invoice->balance_due);
      g_assert_cmpint (row->status, ==, invoice->status);
      g_assert_cmpuint (invoice->line_items->len, >=, 1);
      if (invoice->tax_rate_bp == 825)
        saw_tax = TRUE;
      else if (invoice->tax_rate_bp == 0)
        saw_no_tax = TRUE;

      for (guint j = 0; j < invoice->line_items->len; j++)
        {
          CpLineItem *item = g_ptr_array_index (invoice->line_items, j);

          g_assert_true (cp_date_is_valid (item->service_date));
          g_assert_cmpstr (item->service_date, <, invoice->issue_date);
          g_assert_nonnull (item->provider);
          g_assert_nonnull (strchr (item->provider, ','));
          g_assert_cmpuint (strlen (item->service_code), ==, 5);
          g_assert_cmpint (item->unit_amount, >, 0);
        }
      for (guint j = 0; j < invoice->payments->len; j++)
        {
          CpPayment *p = g_ptr_array_index (invoice->payments, j);

          g_assert_true (g_str_has_prefix (p->stripe_payment_intent_id, "pi_demo_"));
          g_assert_cmpstr (p->status, ==, "succeeded");
          g_assert_cmpuint (strlen (p->card_last4), ==, 4);
          g_assert_true (g_str_equal (p->card_brand, "visa") || g_str_equal (p->card_brand, "mastercard"));
        }
    }

  g_assert_true (saw_tax && saw_no_tax);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_OVERDUE], >=, 3);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_OVERDUE], <=, 4);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PAID], >=, 2);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PAID], <=, 3);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PARTIALLY_PAID], ==, 1);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_CANCELLED], ==, 1);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PENDING], >=, 5);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PENDING] + counts[CP_INVOICE_STATUS_OVERDUE] +
                   counts[CP_INVOICE_STATUS_PARTIALLY_PAID], >, 7);

  staff = cp_store_list_staff (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (staff->len, ==, 3);

  {
    g_autoptr(CpStaff) clerk = cp_store_authenticate (store, "clerk", "clerk", &error);
    g_autoptr(CpStaff) supervisor = NULL;
    g_autoptr(CpStaff) admin = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (clerk->display_name, ==, "Casey Clerk");
    g_assert_cmpint (clerk->role, ==, CP_ROLE_CLERK);
    supervisor = cp_store_authenticate (store, "supervisor", "supervisor", &error);
    g_assert_no_error (error);
    g_assert_cmpint (supervisor->role, ==, CP_ROLE_SUPERVISOR);
    admin = cp_store_authenticate (store, "admin", "admin", &error);
    g_assert_no_error (error);
    g_assert_cmpint (admin->role, ==, CP_ROLE_ADMIN);
  }
}

static void
test_twice (Fixture       *f,
            gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (cp_seed_demo (store, 0, 1, TODAY, &error));
  g_assert_no_error (error);

  /* Checkpoint so the main file holds everything, then compare it */
  g_clear_object (&f->store);
  before = test_file_checksum (f->path);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  store = CP_STORE (f->store);

  g_assert_false (cp_seed_demo (store, 0, 1, TODAY, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (cp_seed_demo (store, 100, 1, TODAY, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_EXISTS);
  g_clear_error (&error);

  invoices = cp_store_list_invoices (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (invoices->len, ==, 15);

  g_clear_object (&f->store);
  after = test_file_checksum (f->path);
  g_assert_cmpstr (before, ==, after);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
test_scale (Fixture       *f,
            gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  int counts[CP_N_INVOICE_STATUSES] = { 0 };
  sqlite3_int64 n_items = 0;

  g_assert_true (cp_seed_demo (store, 2000, 42, TODAY, &error));
  g_assert_no_error (error);

  invoices = cp_store_list_invoices (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (invoices->len, ==, 2000);
  patients = cp_store_list_patients (store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, ==, 2000 * 10 / 33);
  staff = cp_store_list_staff (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (staff->len, ==, 3);

  for (guint i = 0; i < invoices->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (invoices, i);

      counts[row->status]++;
      if (i > 0)
        g_assert_cmpstr (((CpInvoiceSummary *) invoices->pdata[i - 1])->issue_date, >=, row->issue_date);
      if (i % 97 == 0)
        {
          g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, row->id, &error);

          g_assert_no_error (error);
          g_assert_cmpuint (invoice->line_items->len, >=, 1);
          g_assert_cmpuint (invoice->line_items->len, <=, 9);
          g_assert_cmpint (invoice->total, ==, row->total);
          n_items += invoice->line_items->len;
        }
    }
  g_assert_cmpint (n_items, >, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PAID], >, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_OVERDUE], >, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PENDING], >, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_CANCELLED], >, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PARTIALLY_PAID] + counts[CP_INVOICE_STATUS_OVERDUE], >, 0);
}

static void
test_scale_deterministic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-seed-XXXXXX", &error);
  GPtrArray *lists[2] = { NULL, NULL };

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  for (int run = 0; run < 2; run++)
    {
      g_autofree char *path = g_strdup_printf ("%s/run%d.db", dir, run);
      g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_CREATE, &error);

      g_assert_no_error (error);
      g_assert_true (cp_seed_demo (CP_STORE (store), 300, 7, TODAY, &error));
      g_assert_no_error (error);
      lists[run] = cp_store_list_invoices (CP_STORE (store), NULL, &error);
      g_assert_no_error (error);
    }

  g_assert_cmpuint (lists[0]->len, ==, lists[1]->len);
  for (guint i = 0; i < lists[0]->len; i++)
    {
      CpInvoiceSummary *a = lists[0]->pdata[i], *b = lists[1]->pdata[i];

      g_assert_cmpstr (a->number, ==, b->number);
      g_assert_cmpstr (a->patient_name, ==, b->patient_name);
      g_assert_cmpint (a->total, ==, b->total);
      g_assert_cmpint (a->status, ==, b->status);
    }
  g_ptr_array_unref (lists[0]);
  g_ptr_array_unref (lists[1]);
  test_remove_tree (dir);
}

static void
test_bad_today (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invoices = NULL;

  g_assert_false (cp_seed_demo (CP_STORE (f->store), 0, 1, "2026-02-30", &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  invoices = cp_store_list_invoices (CP_STORE (f->store), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (invoices->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/carepay/seed/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  g_test_add ("/carepay/seed/twice", Fixture, NULL, fixture_setup, test_twice, fixture_teardown);
  g_test_add ("/carepay/seed/scale-2000", Fixture, NULL, fixture_setup, test_scale, fixture_teardown);
  g_test_add ("/carepay/seed/bad-today", Fixture, NULL, fixture_setup, test_bad_today, fixture_teardown);
  g_test_add_func ("/carepay/seed/deterministic", test_scale_deterministic);

  return g_test_run ();
}
