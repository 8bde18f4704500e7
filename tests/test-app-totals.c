/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The invoice list's cards, under Xvfb: they show what cp_store_get_totals()
 * gives, though the list makes them from its index and the month's payments,
 * on the first load and again on a reload after a void and a payment (as the
 * window reloads the list after either). */
#include "config.h"

#include "cp-invoice-list.h"
#include "cp-money.h"
#include "test-app-util.h"

/* Whether the list's labels show `totals`: the three amounts and the three
 * captions with their counts. */
static gboolean
cards_show (CpInvoiceList         *list,
            const CpInvoiceTotals *totals)
{
  g_autofree char *labels = collect_labels (GTK_WIDGET (list));
  g_autofree char *outstanding = cp_money_format (totals->outstanding, totals->currency);
  g_autofree char *overdue = cp_money_format (totals->overdue, totals->currency);
  g_autofree char *paid = cp_money_format (totals->paid_this_month, totals->currency);
  g_autofree char *open_caption = g_strdup_printf (totals->outstanding_count == 1 ? "%d open invoice"
                                                   : "%d open invoices", (int) totals->outstanding_count);
  g_autofree char *due_caption = g_strdup_printf (totals->overdue_count == 1 ? "%d invoice past due"
                                                  : "%d invoices past due", (int) totals->overdue_count);
  g_autofree char *paid_caption = g_strdup_printf (totals->paid_this_month_count == 1 ? "%d payment"
                                                   : "%d payments", (int) totals->paid_this_month_count);

  return labels_have (labels, outstanding) && labels_have (labels, overdue) &&
         labels_have (labels, paid) && labels_have (labels, open_caption) &&
         labels_have (labels, due_caption) && labels_have (labels, paid_caption);
}

static gint64
first_with_status (CpStore         *store,
                   CpInvoiceStatus  status,
                   gint64           other_than)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  query.status = status;
  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (rows, i);

      if (row->id != other_than)
        return row->id;
    }
  g_assert_not_reached ();
}

static void
test_cards (void)
{
  TestDb db = { 0 };
  GtkWindow *window;
  CpInvoiceList *list;
  CpInvoiceTotals before = { 0 }, after = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = cp_payment_new ();
  gint64 overdue, pending;

  test_db_open (&db, 0);
  g_assert_true (cp_store_get_totals (db.store, &before, &error));
  g_assert_no_error (error);
  g_assert_cmpint (before.overdue_count, >, 0);

  window = GTK_WINDOW (gtk_window_new ());
  list = CP_INVOICE_LIST (cp_invoice_list_new ());
  gtk_window_set_child (window, GTK_WIDGET (list));
  gtk_window_set_default_size (window, 1200, 800);
  gtk_window_present (window);
  cp_invoice_list_set_store (list, db.store);
  cp_invoice_list_reload (list);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) && cards_show (list, &before), 30);

  /* Another program voids an overdue invoice and takes a payment today on a
   * pending one; the window reloads the list after either. */
  overdue = first_with_status (db.store, CP_INVOICE_STATUS_OVERDUE, 0);
  pending = first_with_status (db.store, CP_INVOICE_STATUS_PENDING, overdue);
  g_assert_true (cp_store_set_invoice_voided (db.store, overdue, TRUE, &error));
  g_assert_no_error (error);
  payment->invoice_id = pending;
  payment->stripe_payment_intent_id = g_strdup ("pi_cards_1");
  payment->amount = 1234;
  payment->currency = g_strdup (before.currency);
  payment->status = g_strdup ("succeeded");
  payment->channel = CP_PAYMENT_CHANNEL_DESK;
  payment->created_at = g_strdup (TEST_TODAY "T09:00:00Z");
  cp_store_record_payment (db.store, payment, &error);
  g_assert_no_error (error);

  g_assert_true (cp_store_get_totals (db.store, &after, &error));
  g_assert_no_error (error);
  g_assert_cmpint (after.overdue_count, ==, before.overdue_count - 1);
  g_assert_cmpint (after.paid_this_month_count, ==, before.paid_this_month_count + 1);
  g_assert_false (cards_show (list, &after));
  cp_invoice_list_reload (list);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) && cards_show (list, &after), 30);

  cp_invoice_totals_clear (&before);
  cp_invoice_totals_clear (&after);
  g_object_ref (list);
  gtk_window_destroy (window);
  spin_briefly (100);
  g_assert_finalize_object (list);
  test_db_close (&db);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

  g_test_add_func ("/carepay/app-totals/cards", test_cards);

  return g_test_run ();
}
