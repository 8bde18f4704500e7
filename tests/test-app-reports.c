/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports window under Xvfb on a seeded store (scale data plus refunds,
 * failed payments and disputes): its cards show the core's figures, an
 * empty range shows the status page, a table exports as CSV, and the window
 * renders to reports.png (in CAREPAY_SCREENSHOT_DIR when set). */
#include "config.h"

#include <string.h>

#include "cp-bar-chart.h"
#include "cp-money.h"
#include "cp-reports-window.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"

#define FROM "2026-08-24"

typedef struct {
  TestDb           db;
  CpReportsWindow *window;
} Fixture;

/* Refunds, declines and disputes on top of the seeded payments of the range */
static void
add_activity (CpStore *store)
{
  static const char *const codes[] = { "insufficient_funds", "expired_card", "insufficient_funds",
                                       "incorrect_cvc", "do_not_honor", "insufficient_funds" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = cp_store_list_payments_between (store, FROM, TEST_TODAY, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (payments->len, >, 40);
  for (guint i = 0; i < payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (payments, i);

      if (i % 9 == 0)
        {
          g_autoptr(CpRefund) refund = cp_refund_new ();

          refund->payment_id = payment->id;
          refund->stripe_refund_id = g_strdup_printf ("re_test_%u", i);
          refund->amount = payment->amount / 3;
          refund->currency = g_strdup (payment->currency);
          refund->status = g_strdup ("succeeded");
          refund->created_at = g_strdup (payment->created_at);
          g_assert_true (cp_store_record_refund (store, refund, &error));
          g_assert_no_error (error);
        }
      if (i % 7 == 0)
        {
          g_autoptr(CpPayment) failed = cp_payment_new ();

          failed->invoice_id = payment->invoice_id;
          failed->stripe_payment_intent_id = g_strdup_printf ("pi_failed_%u", i);
          failed->amount = payment->amount;
          failed->currency = g_strdup (payment->currency);
          failed->status = g_strdup ("requires_payment_method");
          failed->failure_code = g_strdup (codes[(i / 7) % G_N_ELEMENTS (codes)]);
          failed->channel = payment->channel;
          failed->created_at = g_strdup (payment->created_at);
          g_assert_true (cp_store_record_payment (store, failed, &error));
          g_assert_no_error (error);
        }
      if (i % 25 == 3)
        {
          payment->disputed = TRUE;
          g_assert_true (cp_store_record_payment (store, payment, &error));
          g_assert_no_error (error);
        }
    }
}

static void
wait_loaded (Fixture *f)
{
  SPIN_UNTIL (!cp_reports_window_get_loading (f->window) && cp_reports_window_get_report (f->window) != NULL, 60);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  test_db_open (&f->db, 3000);
  add_activity (f->db.store);
  f->window = g_object_ref_sink (cp_reports_window_new (NULL, f->db.store));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 860);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_loaded (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  SPIN_UNTIL (!cp_reports_window_get_loading (f->window), 60);
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_briefly (100);
  g_assert_finalize_object (f->window);
  test_db_close (&f->db);
}

static void
set_range (Fixture             *f,
           const char          *from,
           const char          *to,
           CpReportGranularity  by)
{
  cp_reports_window_set_range (f->window, from, to, by);
  g_assert_true (cp_reports_window_get_loading (f->window));
  SPIN_UNTIL (!cp_reports_window_get_loading (f->window), 60);
  g_assert_cmpstr (cp_reports_window_get_report (f->window)->from, ==, from);
}

static gboolean
is_stack (GtkWidget     *widget,
          gconstpointer  data)
{
  return gtk_stack_get_child_by_name (GTK_STACK (widget), "report") != NULL;
}

static const char *
visible_page (Fixture *f)
{
  GtkWidget *stack = find_widget (GTK_WIDGET (f->window), GTK_TYPE_STACK, is_stack, NULL);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
assert_card_money (Fixture    *f,
                   const char *card,
                   gint64      amount)
{
  g_autofree char *text = cp_money_format (amount, "USD");

  g_assert_cmpstr (cp_reports_window_get_card_text (f->window, card), ==, text);
}

static void
test_cards (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReport) expected = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *disputes = NULL;
  CpReport *shown = cp_reports_window_get_report (f->window);
  g_autofree char *labels = NULL;

  /* It opens on this month, by day */
  g_assert_cmpstr (shown->from, ==, "2026-11-01");
  g_assert_cmpstr (shown->to, ==, TEST_TODAY);
  g_assert_cmpint (shown->by, ==, CP_REPORT_BY_DAY);

  set_range (f, FROM, TEST_TODAY, CP_REPORT_BY_WEEK);
  g_assert_cmpstr (visible_page (f), ==, "report");

  /* The same figures as the core computes on its own */
  expected = cp_report_new (FROM, TEST_TODAY, CP_REPORT_BY_WEEK, "USD", &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_fill_report (f->db.store, expected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expected->collected, >, 0);
  g_assert_cmpint (expected->refunded, >, 0);
  g_assert_cmpint (expected->n_failed, >, 0);
  g_assert_cmpint (expected->n_disputes, >, 0);

  assert_card_money (f, "collected", expected->collected);
  assert_card_money (f, "refunded", expected->refunded);
  assert_card_money (f, "net", expected->net);
  assert_card_money (f, "average", expected->average);
  rate = g_strdup_printf ("%.1f%%", 100.0 * cp_report_success_rate (expected));
  g_assert_cmpstr (cp_reports_window_get_card_text (f->window, "success-rate"), ==, rate);
  disputes = g_strdup_printf ("%" G_GINT64_FORMAT, expected->n_disputes);
  g_assert_cmpstr (cp_reports_window_get_card_text (f->window, "disputes"), ==, disputes);

  /* The tables show the failure reasons and the aging buckets */
  labels = collect_labels (GTK_WIDGET (f->window));
  g_assert_true (labels_have (labels, "Declined: insufficient funds on the card."));
  g_assert_true (labels_have (labels, "Over 90 days"));
  g_assert_true (labels_have (labels, "Kiosk"));
}

static void
test_chart (Fixture       *f,
            gconstpointer  data)
{
  CpReport *report;
  CpBarChart *chart;

  set_range (f, FROM, TEST_TODAY, CP_REPORT_BY_WEEK);
  report = cp_reports_window_get_report (f->window);
  chart = CP_BAR_CHART (find_widget (GTK_WIDGET (f->window), CP_TYPE_BAR_CHART, NULL, NULL));
  /* The first chart is collected and refunded by period, one group a week */
  g_assert_cmpuint (cp_bar_chart_get_n_categories (chart), ==, report->periods->len);
  for (guint i = 0; i < report->periods->len; i++)
    {
      CpReportPeriod *period = g_ptr_array_index (report->periods, i);

      g_assert_cmpint (cp_bar_chart_get_value (chart, i, 0), ==, period->collected);
      g_assert_cmpint (cp_bar_chart_get_value (chart, i, 1), ==, period->refunded);
    }
  g_assert_nonnull (strstr (cp_bar_chart_get_description (chart), "Collected $"));
}

static void
test_empty_and_invalid (Fixture       *f,
                        gconstpointer  data)
{
  set_range (f, "2020-01-01", "2020-01-31", CP_REPORT_BY_DAY);
  g_assert_cmpstr (visible_page (f), ==, "empty");
  g_assert_true (cp_report_is_empty (cp_reports_window_get_report (f->window)));

  /* A reversed range is refused where it is typed, and nothing loads */
  cp_reports_window_set_range (f->window, "2026-02-01", "2026-01-01", CP_REPORT_BY_DAY);
  g_assert_false (cp_reports_window_get_loading (f->window));
  g_assert_cmpstr (cp_reports_window_get_report (f->window)->from, ==, "2020-01-01");
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->db.dir, "series.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  CpReport *report;

  set_range (f, FROM, TEST_TODAY, CP_REPORT_BY_MONTH);
  report = cp_reports_window_get_report (f->window);
  g_assert_true (cp_reports_window_export_csv (f->window, CP_REPORT_TABLE_SERIES, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\r\n", -1);
  /* header, one line a month (Aug, Sep, Oct, Nov), and the empty tail */
  g_assert_cmpuint (g_strv_length (lines), ==, report->periods->len + 2);
  g_assert_cmpstr (lines[0], ==, "period_start,period_end,collected,refunded,net,payments,currency");
  g_assert_true (g_str_has_prefix (lines[1], FROM ",2026-08-31,"));
  g_assert_true (g_str_has_prefix (lines[4], "2026-11-01," TEST_TODAY ","));
  g_unlink (path);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  const char *shots = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  const char *dir = shots != NULL ? shots : f->db.dir;
  g_autofree char *path = g_build_filename (dir, "reports.png", NULL);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  set_range (f, FROM, TEST_TODAY, CP_REPORT_BY_WEEK);
  g_mkdir_with_parents (dir, 0755);
  save_screenshot (GTK_WIDGET (f->window), dir, "reports.png");
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 1000);
  if (shots == NULL)
    g_unlink (path);
}

static void
test_presets (Fixture       *f,
              gconstpointer  data)
{
  static const struct { guint preset; const char *from; const char *to; } cases[] = {
    { 1, "2026-10-01", "2026-10-31" },   /* last month */
    { 2, "2026-10-24", TEST_TODAY },     /* last 30 days */
    { 3, "2026-01-01", TEST_TODAY },     /* this year, by month */
    { 0, "2026-11-01", TEST_TODAY },     /* this month */
  };
  /* The first dropdown is the range's */
  GtkDropDown *presets = GTK_DROP_DOWN (find_widget (GTK_WIDGET (f->window), GTK_TYPE_DROP_DOWN, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CpReport *report;

      gtk_drop_down_set_selected (presets, cases[i].preset);
      SPIN_UNTIL (!cp_reports_window_get_loading (f->window) &&
                  g_strcmp0 (cp_reports_window_get_report (f->window)->from, cases[i].from) == 0, 60);
      report = cp_reports_window_get_report (f->window);
      g_assert_cmpstr (report->to, ==, cases[i].to);
      if (cases[i].preset == 3)
        g_assert_cmpint (report->by, ==, CP_REPORT_BY_MONTH);
    }
}

/* The chart on its own: data in, the same values and description out, and
 * nothing left behind */
static void
test_bar_chart (void)
{
  const char *series[] = { "Collected", "Refunded" };
  const char *labels[] = { "Mon", "Tue" };
  const gint64 values[] = { 12345, 0, 0, 500 };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *chart = cp_bar_chart_new ();

  g_object_ref_sink (chart);
  cp_bar_chart_set_data (CP_BAR_CHART (chart), "USD", 2, series, 2, labels, values);
  g_assert_cmpuint (cp_bar_chart_get_n_categories (CP_BAR_CHART (chart)), ==, 2);
  g_assert_cmpint (cp_bar_chart_get_value (CP_BAR_CHART (chart), 1, 1), ==, 500);
  g_assert_cmpstr (cp_bar_chart_get_description (CP_BAR_CHART (chart)), ==,
                   "Mon: Collected $123.45, Refunded $0.00; Tue: Collected $0.00, Refunded $5.00");
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 240);
  gtk_window_present (GTK_WINDOW (window));
  spin_briefly (100);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (20);
  g_assert_finalize_object (chart);
}

/* The main window's Reports action opens it once a clerk is signed in */
static void
test_window_action (void)
{
  TestDb db = { 0 };
  CpWindow *window;
  GtkWidget *page;
  CpReportsWindow *reports = NULL;

  test_db_open (&db, 0);
  window = g_object_ref_sink (cp_window_new (NULL));
  cp_window_set_store (window, db.store);
  gtk_window_present (GTK_WINDOW (window));
  page = GTK_WIDGET (cp_window_get_signin_page (window));
  SPIN_UNTIL (gtk_widget_get_mapped (page), 10);

  test_sign_in_submit (window, "clerk", "clerk");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reports", NULL));
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (CP_IS_REPORTS_WINDOW (l->data))
        reports = l->data;
  }
  g_assert_nonnull (reports);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (reports)) == GTK_WINDOW (window));
  SPIN_UNTIL (!cp_reports_window_get_loading (reports), 60);
  g_assert_cmpstr (cp_reports_window_get_report (reports)->from, ==, "2026-11-01");
  gtk_window_destroy (GTK_WINDOW (reports));
  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
  g_assert_finalize_object (window);
  test_db_close (&db);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

#define ADD(name, func) g_test_add ("/carepay/app-reports/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("cards", test_cards);
  ADD ("chart", test_chart);
  ADD ("empty-and-invalid", test_empty_and_invalid);
  ADD ("export", test_export);
  ADD ("screenshot", test_screenshot);
  ADD ("presets", test_presets);
#undef ADD
  g_test_add_func ("/carepay/app-reports/bar-chart", test_bar_chart);
  g_test_add_func ("/carepay/app-reports/window-action", test_window_action);

  return g_test_run ();
}
