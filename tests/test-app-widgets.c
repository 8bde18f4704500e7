/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Each widget class of the app: created and destroyed without leaks, and
 * the small behaviours that need no window. */
#include "config.h"

#include "cp-application.h"
#include "cp-error.h"
#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-invoice-model.h"
#include "cp-invoice-row.h"
#include "cp-invoice-row-widget.h"
#include "cp-line-item-editor.h"
#include "cp-new-invoice-dialog.h"
#include "cp-patient-view.h"
#include "cp-signin-page.h"
#include "cp-ui-util.h"
#include "cp-window.h"
#include "test-app-util.h"

static void
check_widget (GtkWidget *widget)
{
  g_object_ref_sink (widget);
  g_assert_true (GTK_IS_WIDGET (widget));
  g_assert_finalize_object (widget);
}

static void
test_signin_page (void)
{
  check_widget (cp_signin_page_new ());
}

static void
test_invoice_list (void)
{
  check_widget (cp_invoice_list_new ());
}

static void
test_invoice_detail (void)
{
  GtkWidget *detail = g_object_ref_sink (cp_invoice_detail_new ());

  /* Payment actions exist but stay off until the payments work wires them. */
  g_assert_false (gtk_widget_activate_action (detail, "invoice.no-such-action", NULL));
  g_assert_finalize_object (detail);
}

static void
test_patient_view (void)
{
  check_widget (cp_patient_view_new ());
}

static void
test_line_item_editor (void)
{
  GtkWidget *editor = g_object_ref_sink (cp_line_item_editor_new ("2026-11-22"));
  g_autoptr(CpLineItem) item = NULL;
  gint64 amount = 0;

  cp_line_item_editor_set_fields (CP_LINE_ITEM_EDITOR (editor), "MRI, brain", "70551", "3",
                                  "$1,250.25", NULL, "Dr. Lee");
  g_assert_true (cp_line_item_editor_peek_amount (CP_LINE_ITEM_EDITOR (editor), "USD", &amount));
  g_assert_cmpint (amount, ==, 375075);
  item = cp_line_item_editor_validate (CP_LINE_ITEM_EDITOR (editor), "USD");
  g_assert_nonnull (item);
  g_assert_cmpint (item->quantity, ==, 3);
  g_assert_cmpint (item->unit_amount, ==, 125025);
  g_assert_cmpint (item->amount, ==, 375075);
  g_assert_cmpstr (item->service_date, ==, "2026-11-22");
  g_assert_cmpstr (item->provider, ==, "Dr. Lee");

  /* JPY has no minor digits: "12.50" does not parse. */
  cp_line_item_editor_set_fields (CP_LINE_ITEM_EDITOR (editor), NULL, NULL, "1", "12.50", NULL, NULL);
  g_assert_null (cp_line_item_editor_validate (CP_LINE_ITEM_EDITOR (editor), "JPY"));
  g_assert_nonnull (cp_line_item_editor_get_error (CP_LINE_ITEM_EDITOR (editor), "price"));

  cp_line_item_editor_set_fields (CP_LINE_ITEM_EDITOR (editor), NULL, NULL, "abc", "12", NULL, NULL);
  g_assert_null (cp_line_item_editor_validate (CP_LINE_ITEM_EDITOR (editor), "USD"));
  g_assert_nonnull (cp_line_item_editor_get_error (CP_LINE_ITEM_EDITOR (editor), "quantity"));
  g_assert_null (cp_line_item_editor_get_error (CP_LINE_ITEM_EDITOR (editor), "price"));

  g_assert_finalize_object (editor);
}

static guint
model_matches (CpInvoiceModel *model,
               const char     *typed)
{
  g_autofree char *needle = cp_invoice_index_fold (typed);

  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_NONE, FALSE);
  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

static void
test_invoice_row (void)
{
  CpInvoiceSummary *s = cp_invoice_summary_new ();
  g_autoptr(GPtrArray) summaries = g_ptr_array_new ();
  g_autoptr(CpInvoiceIndex) index = NULL;
  CpInvoiceModel *model;
  CpInvoiceRow *row;
  gint64 total = 0;

  s->id = 7;
  s->number = g_strdup ("INV-2026-000007");
  s->patient_name = g_strdup ("Ñúñez, José");
  s->mrn = g_strdup ("MRN-00042");
  s->currency = g_strdup ("USD");
  s->total = 12345;
  s->status = CP_INVOICE_STATUS_OVERDUE;
  g_ptr_array_add (summaries, s);
  index = cp_invoice_index_new_from_summaries (summaries);
  row = cp_invoice_row_new (s);

  g_object_get (row, "total", &total, NULL);
  g_assert_cmpint (total, ==, 12345);
  g_assert_cmpint (cp_invoice_row_get_status (row), ==, CP_INVOICE_STATUS_OVERDUE);
  g_assert_finalize_object (row);

  /* Searching happens in the index, through the list's model. */
  model = cp_invoice_model_new ();
  cp_invoice_model_set_index (model, index);
  g_assert_cmpuint (model_matches (model, ""), ==, 1);
  g_assert_cmpuint (model_matches (model, "ÑÚÑEZ"), ==, 1);
  g_assert_cmpuint (model_matches (model, "josé ñúñez"), ==, 1);
  g_assert_cmpuint (model_matches (model, "jose nunez"), ==, 1);
  g_assert_cmpuint (model_matches (model, "inv-2026-000007"), ==, 1);
  g_assert_cmpuint (model_matches (model, "mrn-00043"), ==, 0);
  model_matches (model, "");
  row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (cp_invoice_row_get_id (row), ==, 7);
  g_assert_cmpstr (cp_invoice_row_get_summary (row)->patient_name, ==, "Ñúñez, José");
  g_object_unref (row);
  g_assert_finalize_object (model);
}

static void
test_status_badge (void)
{
  GtkWidget *badge = g_object_ref_sink (cp_ui_status_badge_new (CP_INVOICE_STATUS_PAID));

  g_assert_true (gtk_widget_has_css_class (badge, "badge"));
  g_assert_true (gtk_widget_has_css_class (badge, "success"));
  cp_ui_label_set_status (GTK_LABEL (badge), CP_INVOICE_STATUS_OVERDUE);
  g_assert_true (gtk_widget_has_css_class (badge, "error"));
  g_assert_false (gtk_widget_has_css_class (badge, "success"));
  cp_ui_label_set_status (GTK_LABEL (badge), CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_true (gtk_widget_has_css_class (badge, "warning"));
  cp_ui_label_set_status (GTK_LABEL (badge), CP_INVOICE_STATUS_CANCELLED);
  g_assert_true (gtk_widget_has_css_class (badge, "dim"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge)), ==,
                   cp_invoice_status_label (CP_INVOICE_STATUS_CANCELLED));
  g_assert_finalize_object (badge);
}

static void
test_window (void)
{
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));

  g_assert_cmpstr (cp_window_get_page (window), ==, "loading");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_window_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.stingrays.CarePay");
  CpWindow *window;
  int w, h;

  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);
  window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_get_default_size (GTK_WINDOW (window), &w, &h);
  g_assert_cmpint (w, ==, 1000);
  g_assert_cmpint (h, ==, 700);

  gtk_window_present (GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_assert_finalize_object (window);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static void
test_window_store_error (void)
{
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));
  g_autoptr(GError) error = g_error_new_literal (CP_ERROR, CP_ERROR_NOT_A_DATABASE,
                                                 "file is not a database");
  g_autofree char *labels = NULL;

  cp_window_show_store_error (window, "/tmp/not-a.db", error);
  g_assert_cmpstr (cp_window_get_page (window), ==, "error");
  labels = collect_labels (GTK_WIDGET (window));
  g_assert_true (strstr (labels, "/tmp/not-a.db") != NULL);
  g_assert_true (strstr (labels, "file is not a database") != NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;
  CpStore *store = cp_open_store_finish (result, error);

  g_assert_null (store);
  g_assert_nonnull (*error);
}

static void
test_open_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-app-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "garbage.db", NULL);
  g_assert_true (g_file_set_contents (path, "this is not sqlite, just text\n", -1, NULL));
  cp_open_store_async (path, TRUE, NULL, open_cb, &error);
  /* The callback sets error; spin until it came. */
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE);
  g_unlink (path);
  g_rmdir (dir);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CpStore **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cp_open_store_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_open_seeds_empty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("carepay-app-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "new.db", NULL);
  CpStore *store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) staff = NULL;

  /* Training mode: a new database gets the demo set. */
  cp_open_store_async (path, TRUE, NULL, store_cb, &store);
  SPIN_UNTIL (store != NULL, 60);
  rows = cp_store_list_invoices (store, NULL, NULL);
  g_assert_cmpuint (rows->len, ==, 15);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_finalize_object (store);
  store = NULL;

  /* Opened again: not seeded twice. */
  cp_open_store_async (path, TRUE, NULL, store_cb, &store);
  SPIN_UNTIL (store != NULL, 60);
  rows = cp_store_list_invoices (store, NULL, NULL);
  g_assert_cmpuint (rows->len, ==, 15);
  staff = cp_store_list_staff (store, NULL);
  g_assert_cmpuint (staff->len, ==, 3);
  g_assert_finalize_object (store);
  store = NULL;

  {
    g_autofree char *sub = g_path_get_dirname (path);

    test_unlink_sqlite (path);
    g_rmdir (sub);
    g_rmdir (dir);
  }
}

static void
test_new_invoice_dialog (void)
{
  TestDb db = { 0 };
  CpNewInvoiceDialog *dialog;
  g_autoptr(GPtrArray) editors = NULL;

  test_db_open (&db, 0);
  dialog = g_object_ref_sink (cp_new_invoice_dialog_new (NULL, db.store, 1));
  editors = cp_new_invoice_dialog_get_line_items (dialog);
  g_assert_cmpuint (editors->len, ==, 1);
  /* No patient: refused, with a message. */
  cp_line_item_editor_set_fields (g_ptr_array_index (editors, 0), "Office visit", NULL, "1", "80", NULL, NULL);
  g_assert_false (cp_new_invoice_dialog_create (dialog));
  g_assert_nonnull (cp_new_invoice_dialog_get_error (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  test_db_close (&db);
}

static void
add_patient (CpStore    *store,
             const char *mrn,
             const char *given,
             const char *family)
{
  g_autoptr(CpPatient) patient = cp_patient_new ();
  g_autoptr(GError) error = NULL;

  patient->mrn = g_strdup (mrn);
  patient->given_name = g_strdup (given);
  patient->family_name = g_strdup (family);
  g_assert_true (cp_store_save_patient (store, patient, &error));
  g_assert_no_error (error);
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* The patient search runs in a worker and fetches a screenful and one more;
 * Enter pressed before its rows come (a wristband scanner types the MRN and
 * Enter at once) picks the first match once found. */
static void
test_new_invoice_patient_search (void)
{
  TestDb db = { 0 };
  CpNewInvoiceDialog *dialog;
  GtkWidget *entry;
  GtkWidget *listbox;
  g_autofree char *labels = NULL;

  test_db_open (&db, 0);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *mrn = g_strdup_printf ("MRN-G%02d", i);
      g_autofree char *given = g_strdup_printf ("Ana %02d", i);

      add_patient (db.store, mrn, given, "Garcia");
    }
  add_patient (db.store, "MRN-O01", "Amara", "Okafor");

  dialog = g_object_ref_sink (cp_new_invoice_dialog_new (NULL, db.store, 1));
  entry = find_widget (GTK_WIDGET (dialog), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  listbox = find_widget (GTK_WIDGET (dialog), GTK_TYPE_LIST_BOX, NULL, NULL);
  g_assert_nonnull (entry);
  g_assert_nonnull (listbox);

  cp_new_invoice_dialog_set_patient_search (dialog, "garc");
  g_assert_true (cp_new_invoice_dialog_get_searching (dialog));
  SPIN_UNTIL (!cp_new_invoice_dialog_get_searching (dialog), 10);
  /* Eight rows and a note: the ninth match only says there are more. */
  g_assert_cmpuint (cp_new_invoice_dialog_get_n_patient_matches (dialog), ==, 9);
  g_assert_cmpuint (count_children (listbox), ==, 9);
  labels = collect_labels (listbox);
  g_assert_true (labels_have (labels, "Ana 00 Garcia"));
  g_assert_true (labels_have (labels, "More patients match: type more of the name, or the MRN"));
  g_clear_pointer (&labels, g_free);
  if (g_getenv ("CAREPAY_SCREENSHOT_DIR") != NULL)
    {
      gtk_window_present (GTK_WINDOW (dialog));
      SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
      spin_briefly (200);
      save_screenshot (GTK_WIDGET (dialog), g_getenv ("CAREPAY_SCREENSHOT_DIR"), "new-invoice-more-patients.png");
    }

  /* Scanned: the text and Enter at once. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "MRN-O01");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (cp_new_invoice_dialog_get_searching (dialog));
  SPIN_UNTIL (!cp_new_invoice_dialog_get_searching (dialog), 10);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "Amara Okafor · MRN-O01"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_clear_pointer (&labels, g_free);

  /* Nothing found. */
  cp_new_invoice_dialog_set_patient_search (dialog, "zzz");
  SPIN_UNTIL (!cp_new_invoice_dialog_get_searching (dialog), 10);
  g_assert_cmpuint (cp_new_invoice_dialog_get_n_patient_matches (dialog), ==, 0);
  labels = collect_labels (listbox);
  g_assert_true (labels_have (labels, "No patient matches"));

  /* Closed with a search under way: its answer finds nothing to touch. */
  cp_new_invoice_dialog_set_patient_search (dialog, "ana");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  spin_briefly (100);
  test_db_close (&db);
}

static gboolean
release_lock_cb (gpointer data)
{
  sqlite3 *other = data;

  g_assert_cmpint (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  return G_SOURCE_REMOVE;
}

/* Another program holds the write lock: Create returns at once, the window
 * goes on drawing, will not close half-saved, and saves once the lock is
 * free. */
static void
test_new_invoice_saves_in_background (void)
{
  TestDb db = { 0 };
  CpNewInvoiceDialog *dialog;
  g_autoptr(GPtrArray) editors = NULL;
  g_autoptr(CpInvoice) created = NULL;
  g_autoptr(CpPatient) patient = NULL;
  sqlite3 *other = NULL;
  gint64 started;

  test_db_open (&db, 0);
  add_patient (db.store, "MRN-O01", "Amara", "Okafor");
  patient = cp_store_get_patient_by_mrn (db.store, "MRN-O01", NULL);
  g_assert_nonnull (patient);

  dialog = g_object_ref_sink (cp_new_invoice_dialog_new (NULL, db.store, 1));
  gtk_window_present (GTK_WINDOW (dialog));
  cp_new_invoice_dialog_set_patient (dialog, patient);
  editors = cp_new_invoice_dialog_get_line_items (dialog);
  cp_line_item_editor_set_fields (g_ptr_array_index (editors, 0), "Office visit", "99213", "1", "80", NULL, NULL);

  g_assert_cmpint (sqlite3_open (db.path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  started = g_get_monotonic_time ();
  g_assert_true (cp_new_invoice_dialog_create (dialog));
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_false (cp_new_invoice_dialog_create (dialog));
  spin_briefly (300);
  g_assert_cmpint (cp_new_invoice_dialog_get_created_id (dialog), ==, 0);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  g_timeout_add (10, release_lock_cb, other);
  SPIN_UNTIL (cp_new_invoice_dialog_get_created_id (dialog) > 0, 10);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_null (cp_new_invoice_dialog_get_error (dialog));
  created = cp_store_get_invoice (db.store, cp_new_invoice_dialog_get_created_id (dialog), NULL);
  g_assert_nonnull (created);
  g_assert_cmpint (created->total, ==, 8000);
  g_assert_cmpint (created->patient->id, ==, patient->id);
  g_assert_true (g_str_has_prefix (created->number, "INV-2026-"));

  g_assert_finalize_object (dialog);
  sqlite3_close (other);
  /* The worker lets go of its task (and the store) just after the callback. */
  spin_briefly (100);
  test_db_close (&db);
}

static void
test_application (void)
{
  CpApplication *app = cp_application_new ();

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (app)), ==, "org.stingrays.CarePay");
  g_assert_nonnull (cp_application_get_db_path (app));
  g_assert_null (cp_application_get_store (app));
  g_assert_finalize_object (app);
}

/* Start-up's glyph warm-up draws the rows shown, up to its limit, and the
 * labels; hidden ones are left alone (cp-window.c, before sign-in). */
static void
test_warm_glyphs (void)
{
  GtkWidget *header = g_object_ref_sink (cp_invoice_list_header_new ());
  GtkWidget *box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  GtkWidget *hidden = NULL;

  gtk_box_append (GTK_BOX (box), gtk_label_new ("Total Outstanding $1,234.56"));
  for (guint i = 0; i < 4; i++)
    {
      CpInvoiceSummary *s = cp_invoice_summary_new ();
      g_autoptr(CpInvoiceRow) row = NULL;
      GtkWidget *widget = cp_invoice_row_widget_new (CP_INVOICE_LIST_HEADER (header));

      s->id = i + 1;
      s->number = g_strdup_printf ("INV-2026-00000%u", i + 1);
      s->patient_name = g_strdup ("Ñúñez, José");
      s->mrn = g_strdup ("MRN-00042");
      s->currency = g_strdup ("USD");
      s->total = 12345 * (i + 1);
      s->status = CP_INVOICE_STATUS_PENDING;
      row = cp_invoice_row_new (s);  /* takes s */
      cp_invoice_row_widget_set_row (CP_INVOICE_ROW_WIDGET (widget), row);
      gtk_box_append (GTK_BOX (box), widget);
      hidden = widget;
    }
  gtk_widget_set_visible (hidden, FALSE);

  g_assert_cmpuint (cp_ui_warm_glyphs (box, 2), ==, 2);
  g_assert_cmpuint (cp_ui_warm_glyphs (box, 30), ==, 3);

  g_object_unref (box);
  g_object_unref (header);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

  g_test_add_func ("/carepay/app-widgets/signin-page", test_signin_page);
  g_test_add_func ("/carepay/app-widgets/invoice-list", test_invoice_list);
  g_test_add_func ("/carepay/app-widgets/invoice-detail", test_invoice_detail);
  g_test_add_func ("/carepay/app-widgets/patient-view", test_patient_view);
  g_test_add_func ("/carepay/app-widgets/line-item-editor", test_line_item_editor);
  g_test_add_func ("/carepay/app-widgets/invoice-row", test_invoice_row);
  g_test_add_func ("/carepay/app-widgets/warm-glyphs", test_warm_glyphs);
  g_test_add_func ("/carepay/app-widgets/status-badge", test_status_badge);
  g_test_add_func ("/carepay/app-widgets/window", test_window);
  g_test_add_func ("/carepay/app-widgets/window-size", test_window_size);
  g_test_add_func ("/carepay/app-widgets/window-store-error", test_window_store_error);
  g_test_add_func ("/carepay/app-widgets/open-not-a-database", test_open_not_a_database);
  g_test_add_func ("/carepay/app-widgets/open-seeds-empty", test_open_seeds_empty);
  g_test_add_func ("/carepay/app-widgets/new-invoice-dialog", test_new_invoice_dialog);
  g_test_add_func ("/carepay/app-widgets/new-invoice-patient-search", test_new_invoice_patient_search);
  g_test_add_func ("/carepay/app-widgets/new-invoice-saves-in-background", test_new_invoice_saves_in_background);
  g_test_add_func ("/carepay/app-widgets/application", test_application);

  return g_test_run ();
}
