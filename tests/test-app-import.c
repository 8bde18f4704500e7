/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Import dialog and the audit log viewer, under Xvfb, through the real
 * window: previews from a dry run that write nothing, importing, errors with
 * their row and column, the role check, the audit log's filters, its CSV
 * export and the chain check on a tampered log. With CAREPAY_SCREENSHOT_DIR
 * set it saves import-preview.png and audit-log.png there. */
#include "config.h"

#include <string.h>

#include "cp-audit-window.h"
#include "cp-import-dialog.h"
#include "cp-invoice-list.h"
#include "cp-signin-page.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"

typedef struct {
  TestDb    db;
  CpWindow *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  test_db_open (&f->db, 0);
  f->window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  cp_window_set_store (f->window, f->db.store);
  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (cp_window_get_signin_page (f->window))), 10);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_briefly (100);
  g_assert_finalize_object (f->window);
  test_db_close (&f->db);
}

/* The one toplevel of `type`, or NULL. */
static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (w))
        {
          g_assert_null (found);
          found = w;
        }
    }
  return found;
}

static CpImportDialog *
open_import (Fixture *f)
{
  GtkWidget *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.import", NULL));
  dialog = find_toplevel (CP_TYPE_IMPORT_DIALOG);
  g_assert_nonnull (dialog);
  SPIN_UNTIL (gtk_widget_get_mapped (dialog), 10);
  return CP_IMPORT_DIALOG (dialog);
}

static void
preview (CpImportDialog *dialog,
         const char     *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cp_import_dialog_set_file (dialog, file);
  g_assert_true (cp_import_dialog_get_busy (dialog));
  SPIN_UNTIL (!cp_import_dialog_get_busy (dialog), 30);
}

static void
run_import (CpImportDialog *dialog)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL));
  g_assert_true (cp_import_dialog_get_busy (dialog));
  SPIN_UNTIL (!cp_import_dialog_get_busy (dialog), 30);
}

static gboolean
has_patient (Fixture    *f,
             const char *mrn)
{
  g_autoptr(CpPatient) patient = NULL;
  g_autoptr(GError) error = NULL;

  patient = cp_store_get_patient_by_mrn (f->db.store, mrn, &error);
  return patient != NULL;
}

static gboolean
has_invoice (Fixture    *f,
             const char *number)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GError) error = NULL;

  invoice = cp_store_get_invoice_by_number (f->db.store, number, &error);
  return invoice != NULL;
}

static char *
data_path (const char *name)
{
  return g_build_filename (g_getenv ("CAREPAY_SOURCE_DIR"), "tests", "data", "import", name, NULL);
}

static void
test_preview_then_import (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *patients = data_path ("patients.csv");
  g_autofree char *invoices = data_path ("invoices.csv");
  CpInvoiceList *list = cp_window_get_invoice_list (f->window);
  const CpStaff *staff;
  CpImportDialog *dialog;
  g_autofree char *labels = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  const char *shots = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  guint n_before;

  test_sign_in (f->window, "supervisor");
  staff = cp_window_get_staff (f->window);
  dialog = open_import (f);
  g_assert_false (cp_import_dialog_get_can_import (dialog));

  /* Patients: the dry run counts them and writes nothing. */
  preview (dialog, patients);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "3 new, 0 updated"));
  g_assert_true (labels_have (labels, "Patients CSV, no errors. Nothing is written until you import."));
  g_assert_true (cp_import_dialog_get_can_import (dialog));
  g_assert_false (has_patient (f, "MRN-1001"));
  g_assert_cmpint (audit_count (f->db.path, "import"), ==, 0);

  run_import (dialog);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "Imported."));
  g_assert_true (labels_have (labels, "3 new, 0 updated"));
  g_assert_false (cp_import_dialog_get_can_import (dialog));
  g_assert_true (has_patient (f, "MRN-1001"));
  g_assert_true (has_patient (f, "MRN-1003"));
  g_assert_cmpint (audit_count (f->db.path, "import"), ==, 1);
  entries = cp_store_list_audit (f->db.store, NULL, "import", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (((CpAuditEntry *) g_ptr_array_index (entries, 0))->staff_id, ==, staff->id);

  /* Invoices: preview, then import; the invoice list reloads. */
  SPIN_UNTIL (!cp_invoice_list_get_loading (list), 30);
  n_before = g_list_model_get_n_items (cp_invoice_list_get_model (list));
  preview (dialog, invoices);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "2 new, 0 updated, 4 line items"));
  g_assert_true (labels_have (labels, "Invoices CSV, no errors. Nothing is written until you import."));
  g_assert_false (has_invoice (f, "INV-IMP-0001"));
  if (shots != NULL)
    save_screenshot (GTK_WIDGET (dialog), shots, "import-preview.png");

  run_import (dialog);
  g_assert_true (has_invoice (f, "INV-IMP-0001"));
  g_assert_true (has_invoice (f, "INV-IMP-0002"));
  g_assert_cmpint (audit_count (f->db.path, "import"), ==, 2);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_list_model_get_n_items (cp_invoice_list_get_model (list)) == n_before + 2, 30);

  /* The same file again only updates. */
  preview (dialog, invoices);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_assert_true (labels_have (labels, "0 new, 2 updated, 4 line items"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->db.dir, "bad-patients.csv", NULL);
  g_autofree char *labels = NULL;
  g_autoptr(GError) error = NULL;
  CpImportDialog *dialog;
  GtkWidget *import_button;

  g_file_set_contents (path,
                       "mrn,given_name,family_name,date_of_birth\n"
                       "MRN-2001,Ok,Row,1980-01-01\n"
                       "MRN-2002,Bad,Date,1984-13-45\n",
                       -1, &error);
  g_assert_no_error (error);

  test_sign_in (f->window, "admin");
  dialog = open_import (f);
  preview (dialog, path);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_test_message ("%s", labels);
  g_assert_true (labels_have (labels, "This file cannot be imported as it is."));
  g_assert_nonnull (strstr (labels, "row 3"));
  g_assert_nonnull (strstr (labels, "column date_of_birth"));
  g_assert_false (labels_have (labels, "1 new, 0 updated"));
  g_assert_false (cp_import_dialog_get_can_import (dialog));
  import_button = find_action_button (GTK_WIDGET (dialog), "import.run");
  g_assert_nonnull (import_button);
  g_assert_false (gtk_widget_is_sensitive (import_button));

  /* Even when activated anyway, nothing is written. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL);
  spin_briefly (200);
  g_assert_false (has_patient (f, "MRN-2001"));
  g_assert_cmpint (audit_count (f->db.path, "import"), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_fhir_and_override (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *bundle = data_path ("bundle.json");
  g_autofree char *patients = data_path ("patients.csv");
  g_autofree char *labels = NULL;
  CpImportDialog *dialog;
  GtkDropDown *format;

  test_sign_in (f->window, "supervisor");
  dialog = open_import (f);

  /* A FHIR bundle is sniffed and previewed. */
  preview (dialog, bundle);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_test_message ("%s", labels);
  g_assert_true (labels_have (labels, "FHIR JSON or NDJSON, no errors. Nothing is written until you import."));
  g_assert_true (cp_import_dialog_get_can_import (dialog));

  /* Overriding the sniffed format re-runs the preview with it: patients
   * read as invoices lack the invoice columns. */
  preview (dialog, patients);
  g_assert_true (cp_import_dialog_get_can_import (dialog));
  format = GTK_DROP_DOWN (find_widget (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, NULL, NULL));
  g_assert_nonnull (format);
  gtk_drop_down_set_selected (format, 2);  /* Invoices CSV */
  g_assert_true (cp_import_dialog_get_busy (dialog));
  SPIN_UNTIL (!cp_import_dialog_get_busy (dialog), 30);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (dialog));
  g_test_message ("%s", labels);
  g_assert_true (labels_have (labels, "This file cannot be imported as it is."));
  g_assert_false (cp_import_dialog_get_can_import (dialog));
  g_assert_false (has_patient (f, "MRN-1001"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_clerk_cannot (Fixture       *f,
                   gconstpointer  data)
{
  test_sign_in (f->window, "clerk");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.import", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.audit-log", NULL);
  spin_briefly (200);
  g_assert_null (find_toplevel (CP_TYPE_IMPORT_DIALOG));
  g_assert_null (find_toplevel (CP_TYPE_AUDIT_WINDOW));
}

static gboolean
is_dropdown (GtkWidget     *widget,
             gconstpointer  data)
{
  return TRUE;
}

static gboolean
not_in_dropdown (GtkWidget     *widget,
                 gconstpointer  data)
{
  return gtk_widget_get_ancestor (widget, GTK_TYPE_DROP_DOWN) == NULL;
}

static guint
string_position (GtkDropDown *dropdown,
                 const char  *text)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
tamper (Fixture *f,
        gint64   id)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET details = '{\"amount\":1}' WHERE id = %" G_GINT64_FORMAT ";", id);
  g_assert_cmpint (sqlite3_open_v2 (f->db.path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("tampering failed: %s", message);
  sqlite3_close (db);
}

static void
test_audit_viewer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *intact = NULL;
  g_autofree char *csv_path = g_build_filename (f->db.dir, "audit.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GFile) csv_file = NULL;
  const char *shots = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  const CpStaff *staff;
  CpAuditWindow *audit;
  GtkDropDown *action_dropdown;
  GListModel *shown;
  guint pos;
  gint64 count = 0;

  test_sign_in (f->window, "supervisor");
  staff = cp_window_get_staff (f->window);
  cp_store_audit_append (f->db.store, staff->id, "refund", "invoice:INV-1", "{\"amount\":500}", &error);
  g_assert_no_error (error);
  cp_store_audit_append (f->db.store, 0, "export", "payments:2026-11", "{\"rows\":3}", &error);
  g_assert_no_error (error);
  cp_store_audit_append (f->db.store, staff->id, "refund", "invoice:INV-2", "{\"amount\":1200}", &error);
  g_assert_no_error (error);
  all = cp_store_list_audit (f->db.store, NULL, NULL, &error);
  g_assert_no_error (error);
  refunds = cp_store_list_audit (f->db.store, NULL, "refund", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunds->len, ==, 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.audit-log", NULL));
  audit = CP_AUDIT_WINDOW (find_toplevel (CP_TYPE_AUDIT_WINDOW));
  g_assert_nonnull (audit);
  SPIN_UNTIL (!cp_audit_window_get_loading (audit), 30);
  shown = cp_audit_window_get_shown (audit);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, all->len);
  /* Newest first */
  g_assert_cmpstr (cp_audit_window_get_shown_entry (audit, 0)->object, ==, "invoice:INV-2");

  /* Filter by action: the dropdown lists the actions present. */
  action_dropdown = GTK_DROP_DOWN (find_widget (GTK_WIDGET (audit), GTK_TYPE_DROP_DOWN, is_dropdown, NULL));
  g_assert_cmpuint (string_position (action_dropdown, "sign-in"), !=, GTK_INVALID_LIST_POSITION);
  pos = string_position (action_dropdown, "refund");
  g_assert_cmpuint (pos, !=, GTK_INVALID_LIST_POSITION);
  gtk_drop_down_set_selected (action_dropdown, pos);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (cp_audit_window_get_shown_entry (audit, i)->action, ==, "refund");
  labels = collect_labels (GTK_WIDGET (audit));
  g_assert_true (labels_have (labels, "invoice:INV-1"));
  g_assert_false (labels_have (labels, "payments:2026-11"));

  /* The since-date and the text search narrow it further. */
  {
    GtkWidget *since = find_widget (GTK_WIDGET (audit), GTK_TYPE_ENTRY, NULL, NULL);
    /* (not the search entries inside the dropdowns' popovers) */
    GtkWidget *search = find_widget (GTK_WIDGET (audit), GTK_TYPE_SEARCH_ENTRY, not_in_dropdown, NULL);

    g_assert_nonnull (since);
    g_assert_nonnull (search);
    gtk_editable_set_text (GTK_EDITABLE (since), "2999-01-01");
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
    gtk_editable_set_text (GTK_EDITABLE (since), TEST_TODAY);
    gtk_editable_set_text (GTK_EDITABLE (since), "");
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
    gtk_editable_set_text (GTK_EDITABLE (search), "inv-1");
    SPIN_UNTIL (g_list_model_get_n_items (shown) == 1, 10);
    g_assert_cmpstr (cp_audit_window_get_shown_entry (audit, 0)->object, ==, "invoice:INV-1");
    gtk_editable_set_text (GTK_EDITABLE (search), "");
    SPIN_UNTIL (g_list_model_get_n_items (shown) == 2, 10);
  }

  /* Export the shown rows. */
  csv_file = g_file_new_for_path (csv_path);
  g_assert_true (cp_audit_window_export_csv (audit, csv_file, &error));
  g_assert_no_error (error);
  g_file_get_contents (csv_path, &csv, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);  /* header, 2 rows, "" */
  g_assert_cmpstr (lines[0], ==, "id,time,staff,action,object,details");
  g_assert_nonnull (strstr (lines[1], ",supervisor,refund,invoice:INV-2,\"{\"\"amount\"\":1200}\""));

  /* Verify: intact. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (audit), "audit.verify", NULL));
  SPIN_UNTIL (!cp_audit_window_get_verifying (audit), 30);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (audit));
  problems = cp_store_audit_check (f->db.store, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  intact = g_strdup_printf ("Chain intact (%" G_GINT64_FORMAT " entries)", count);
  g_assert_true (labels_have (labels, intact));
  if (shots != NULL)
    save_screenshot (GTK_WIDGET (audit), shots, "audit-log.png");

  /* Verify after tampering with the second refund: the next entry breaks. */
  tamper (f, ((CpAuditEntry *) g_ptr_array_index (refunds, 0))->id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (audit), "audit.verify", NULL));
  SPIN_UNTIL (!cp_audit_window_get_verifying (audit), 30);
  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (audit));
  g_test_message ("%s", labels);
  g_assert_false (labels_have (labels, intact));
  g_assert_nonnull (strstr (labels, "Chain broken: 1 problem in"));
  {
    g_autofree char *needle = g_strdup_printf ("Entry %" G_GINT64_FORMAT ": ",
                                               ((CpAuditEntry *) g_ptr_array_index (refunds, 0))->id);

    g_assert_nonnull (strstr (labels, needle));
  }

  gtk_window_destroy (GTK_WINDOW (audit));
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/carepay/app-import/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("preview-then-import", test_preview_then_import);
  ADD ("malformed-csv", test_malformed);
  ADD ("fhir-and-override", test_fhir_and_override);
  ADD ("clerk-cannot", test_clerk_cannot);
  ADD ("audit-viewer", test_audit_viewer);
#undef ADD

  return g_test_run ();
}
