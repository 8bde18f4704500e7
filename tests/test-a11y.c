/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Accessibility, under Xvfb with GTK_A11Y=test: every window and dialog of
 * the app is built for real and its widget tree walked. Each control a
 * person can focus or activate (buttons, entries, drop-downs, switches,
 * check and spin buttons, menu buttons, list rows) must have an accessible
 * name: a label inside it with text, GTK_ACCESSIBLE_PROPERTY_LABEL or
 * GTK_ACCESSIBLE_RELATION_LABELLED_BY, read back through GtkTestATContext.
 * Unlabelled controls are printed with their widget path. Then the keyboard:
 * Tab alone must reach the staff window's search, list and detail buttons.
 * The dialogs that talk to Stripe get a client pointed at a closed port on
 * 127.0.0.1, so they show their error state instead of a live payment. */
#include "config.h"

#include <string.h>

#include "cp-application.h"
#include "cp-audit-window.h"
#include "cp-import-dialog.h"
#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-invoice-list-header.h"
#include "cp-invoice-row-widget.h"
#include "cp-money.h"
#include "cp-ui-util.h"
#include "cp-kiosk-view.h"
#include "cp-kiosk-window.h"
#include "cp-ledger.h"
#include "cp-link-dialog.h"
#include "cp-new-invoice-dialog.h"
#include "cp-patient-view.h"
#include "cp-payment-dialog.h"
#include "cp-preferences-window.h"
#include "cp-reconcile-dialog.h"
#include "cp-refund-dialog.h"
#include "cp-signin-page.h"
#include "cp-staff-page.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"

typedef struct {
  TestDb          db;
  CpStripeClient *client;
  CpLedger       *ledger;
  CpWindow       *window;
} Fixture;

/* --- the walk ------------------------------------------------------------- */

static char *
widget_path (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *id = GTK_IS_BUILDABLE (w) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (w)) : NULL;
      g_autofree char *part = id != NULL ? g_strdup_printf ("%s#%s", G_OBJECT_TYPE_NAME (w), id)
                                         : g_strdup (G_OBJECT_TYPE_NAME (w));

      g_string_prepend (path, part);
      if (gtk_widget_get_parent (w) != NULL)
        g_string_prepend (path, " > ");
    }
  return g_string_free (path, FALSE);
}

/* Whether a label with text sits inside `widget` (its visible content). */
static gboolean
has_text_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_label_get_text (GTK_LABEL (widget))));

      if (*text != '\0')
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && has_text_label (child))
      return TRUE;
  return FALSE;
}

/* GTK 4.8 has no getter for a relation: find the one widget of the window
 * that `widget` is labelled by, if there is exactly one. */
static GtkWidget *
find_labelled_by (GtkWidget *widget,
                  GtkWidget *candidate)
{
  g_autofree char *differs = NULL;

  if (candidate != widget)
    {
      differs = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                    candidate, NULL);
      if (differs == NULL)
        return candidate;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (candidate); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_labelled_by (widget, child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      /* NULL when the label is exactly "": present but empty is no name. */
      g_autofree char *differs = gtk_test_accessible_check_property (accessible,
                                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, "");
      if (differs != NULL)
        return TRUE;
    }
  /* A drop-down's text is its current value, not what it chooses. */
  if (!GTK_IS_DROP_DOWN (widget) && has_text_label (widget))
    return TRUE;
  if (gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    {
      /* GTK points a button at its own child: an icon is no name. */
      GtkWidget *by = find_labelled_by (widget, GTK_WIDGET (gtk_widget_get_root (widget)));

      if (by == NULL)
        return TRUE;  /* several labels: trust them */
      return gtk_widget_get_visible (by) && has_text_label (by);
    }
  return FALSE;
}

static gboolean
is_list_item (GtkWidget *widget)
{
  const char *type = G_OBJECT_TYPE_NAME (widget);

  if (GTK_IS_LIST_BOX_ROW (widget))
    return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)) ||
           gtk_widget_get_focusable (widget);
  /* GtkListView's and GtkColumnView's rows (private types in GTK 4.8). */
  return g_str_equal (type, "GtkListItemWidget") || g_str_equal (type, "GtkColumnViewRowWidget");
}

/* Controls whose insides are their own business (a spin button's +/−, an
 * entry's text, a menu button's toggle): checked as one. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget) ||
         GTK_IS_SCALE (widget) || ADW_IS_SPLIT_BUTTON (widget) ||
         (GTK_IS_TEXT (widget) && !GTK_IS_EDITABLE (gtk_widget_get_parent (widget)));
}

/* Rows that are one control: the entry or combo row's title names it. */
static gboolean
is_composite_row (GtkWidget *widget)
{
  return ADW_IS_ENTRY_ROW (widget) || ADW_IS_COMBO_ROW (widget);
}

/* Library internals this project cannot label: AdwPreferencesWindow's own
 * search button and entry in its header bar (libadwaita 1.2 gives them a
 * tooltip and a placeholder, not a name). */
static gboolean
is_library_internal (GtkWidget *widget)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (widget));
  const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));

  if (!ADW_IS_PREFERENCES_WINDOW (window) || gtk_widget_get_ancestor (widget, ADW_TYPE_HEADER_BAR) == NULL)
    return FALSE;
  return (GTK_IS_SEARCH_ENTRY (widget) && g_strcmp0 (id, "search_entry") == 0) ||
         (GTK_IS_TOGGLE_BUTTON (widget) && g_strcmp0 (id, "search_button") == 0);
}

static void
walk (GtkWidget *widget,
      GPtrArray *unlabelled,
      guint     *n_checked)
{
  gboolean control = is_control (widget);
  gboolean item = !control && (is_list_item (widget) || is_composite_row (widget));

  if ((control || item) && is_library_internal (widget))
    {
      g_autofree char *path = widget_path (widget);

      g_test_message ("  not checked (libadwaita's own): %s", path);
    }
  else if (control || item)
    {
      (*n_checked)++;
      if (!has_accessible_name (widget))
        g_ptr_array_add (unlabelled, widget_path (widget));
    }
  if (control || is_composite_row (widget))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, unlabelled, n_checked);
}

/* Walks `root` and fails, listing them, if any control has no name. */
static void
assert_all_labelled (GtkWidget  *root,
                     const char *what)
{
  g_autoptr(GPtrArray) unlabelled = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  walk (root, unlabelled, &n_checked);
  g_test_message ("%s: %u controls checked, %u without an accessible name",
                  what, n_checked, unlabelled->len);
  for (guint i = 0; i < unlabelled->len; i++)
    g_test_message ("  unlabelled: %s", (char *) unlabelled->pdata[i]);
  g_assert_cmpuint (n_checked, >, 0);
  if (unlabelled->len > 0)
    g_error ("%s: %u controls have no accessible name (see above)", what, unlabelled->len);
}

/* The walk itself: an icon-only button is caught, a labelled one is not. */
static void
test_checker (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_button_new_from_icon_name ("list-add-symbolic");
  GtkWidget *text = gtk_button_new_with_label ("Add");
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *label = gtk_label_new ("Name");
  GtkWidget *toggle = gtk_switch_new ();
  g_autoptr(GPtrArray) unlabelled = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), toggle);
  gtk_window_set_child (GTK_WINDOW (window), box);

  walk (window, unlabelled, &n_checked);
  g_assert_cmpuint (n_checked, ==, 4);
  g_assert_cmpuint (unlabelled->len, ==, 3);

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "Add", -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  g_ptr_array_set_size (unlabelled, 0);
  n_checked = 0;
  walk (window, unlabelled, &n_checked);
  g_assert_cmpuint (unlabelled->len, ==, 1);
  g_assert_nonnull (strstr (unlabelled->pdata[0], "GtkSwitch"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- fixture -------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* Nothing listens on port 1: Stripe calls fail at once, no live payment. */
  g_autoptr(CpStripeConfig) config = cp_training_stripe_config_new ("http://127.0.0.1:1");

  test_db_open (&f->db, 0);
  f->client = cp_stripe_client_new (config, NULL, f->db.store);
  f->ledger = cp_ledger_new (f->db.store, f->client);
  f->window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  cp_window_set_store (f->window, f->db.store);
  cp_window_set_ledger (f->window, f->ledger, TRUE);
  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (cp_window_get_signin_page (f->window))), 10);
}

static void
destroy_other_toplevels (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i - 1);

      if (w != GTK_WINDOW (f->window))
        gtk_window_destroy (w);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  destroy_other_toplevels (f);
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_briefly (300);
  g_assert_finalize_object (f->window);
  g_assert_finalize_object (f->ledger);
  g_assert_finalize_object (f->client);
  test_db_close (&f->db);
}

static void
sign_in_as (Fixture    *f,
            const char *username)
{
  test_sign_in (f->window, username);
  spin_briefly (200);
}

static CpInvoice *
invoice_with_status (Fixture         *f,
                     CpInvoiceStatus  status)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice;

  query.status = status;
  rows = cp_store_list_invoices (f->db.store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, >, 0);
  invoice = cp_store_get_invoice (f->db.store, ((CpInvoiceSummary *) rows->pdata[0])->id, &error);
  g_assert_no_error (error);
  return invoice;
}

static void
show_and_walk (GtkWidget  *window,
               const char *what)
{
  gtk_window_present (GTK_WINDOW (window));
  SPIN_UNTIL (gtk_widget_get_mapped (window), 10);
  spin_briefly (300);
  assert_all_labelled (window, what);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_signin (Fixture       *f,
             gconstpointer  data)
{
  assert_all_labelled (GTK_WIDGET (f->window), "sign-in");
}

/* The accessible labels of the list's rows (GtkListItemWidget, which takes
 * the focus), one a line. */
static void
collect_row_names (GtkWidget *widget,
                   GString   *out)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkListItemWidget") &&
      CP_IS_INVOICE_ROW_WIDGET (gtk_widget_get_first_child (widget)))
    {
      const char *text = cp_invoice_row_widget_get_text (CP_INVOICE_ROW_WIDGET (gtk_widget_get_first_child (widget)));
      g_autofree char *differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, text);

      /* The row's name is the text it shows (checked below against the model). */
      g_assert_null (differs);
      g_string_append_printf (out, "%s\n", text);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_row_names (child, out);
}

/* Each row of the invoice list is named by its text in reading order:
 * invoice, patient, MRN, due date, balance, status (and "Disputed"). */
static void
assert_rows_named (CpInvoiceList *list)
{
  g_autoptr(GString) names = g_string_new ("\n");
  GListModel *model = cp_invoice_list_get_model (list);
  guint n = MIN (g_list_model_get_n_items (model), 5);

  collect_row_names (GTK_WIDGET (list), names);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpInvoiceRow) row = g_list_model_get_item (model, i);
      const CpInvoiceSummary *s = cp_invoice_row_get_summary (row);
      g_autofree char *due = cp_ui_format_date (s->due_date);
      g_autofree char *balance = cp_money_format (s->balance_due, s->currency);
      g_autofree char *expected = g_strdup_printf ("\n%s, %s, %s, %s, %s, %s%s\n", s->number, s->patient_name,
                                                   s->mrn ? s->mrn : "—", due, balance,
                                                   cp_invoice_status_label (s->status),
                                                   s->disputed ? ", Disputed" : "");

      if (strstr (names->str, expected) == NULL)
        g_error ("no list row is named%sRows:%s", expected, names->str);
    }
}

/* The sort header's buttons are named by their headings and tell which
 * one sorts, and which way (GTK_ACCESSIBLE_PROPERTY_SORT). */
static void
assert_sort_told (CpInvoiceList *list)
{
  GtkWidget *header = find_widget (GTK_WIDGET (list), CP_TYPE_INVOICE_LIST_HEADER, NULL, NULL);
  GtkWidget *buttons[CP_INVOICE_N_SORTS];
  GtkWidget *button;
  guint n = 0;

  g_assert_nonnull (header);
  for (button = gtk_widget_get_first_child (header); button != NULL; button = gtk_widget_get_next_sibling (button))
    {
      g_assert_true (GTK_IS_BUTTON (button));
      g_assert_true (has_accessible_name (button));
      g_assert_cmpuint (n, <, CP_INVOICE_N_SORTS);
      buttons[n++] = button;
    }
  g_assert_cmpuint (n, ==, CP_INVOICE_N_SORTS);

  for (guint click = 0; click < 2; click++)
    {
      GtkAccessibleSort expected = click == 0 ? GTK_ACCESSIBLE_SORT_ASCENDING : GTK_ACCESSIBLE_SORT_DESCENDING;

      g_signal_emit_by_name (buttons[CP_INVOICE_SORT_BALANCE], "clicked");
      spin_briefly (100);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *differs = gtk_test_accessible_check_property (
            GTK_ACCESSIBLE (buttons[i]), GTK_ACCESSIBLE_PROPERTY_SORT,
            i == CP_INVOICE_SORT_BALANCE ? expected : GTK_ACCESSIBLE_SORT_NONE);

          if (differs != NULL)
            g_error ("sort button %u: %s", i, differs);
        }
    }
}

static void
test_main_window (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpInvoice) invoice = NULL;

  sign_in_as (f, "admin");
  assert_rows_named (cp_window_get_invoice_list (f->window));
  assert_sort_told (cp_window_get_invoice_list (f->window));
  assert_rows_named (cp_window_get_invoice_list (f->window));
  invoice = invoice_with_status (f, CP_INVOICE_STATUS_PARTIALLY_PAID);
  cp_window_open_invoice (f->window, invoice->id);
  SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (f->window), "invoice") == 0, 10);
  spin_briefly (500);
  assert_all_labelled (GTK_WIDGET (f->window), "main window with an invoice");

  cp_window_open_patient (f->window, invoice->patient->id);
  SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (f->window), "patient") == 0, 10);
  spin_briefly (500);
  assert_all_labelled (GTK_WIDGET (f->window), "main window with a patient");
}

/* Labels that must never be cut at any text size: invoice numbers, status
 * badges and the invoice's actions. Returns how many were checked. */
static guint
assert_not_cut (GtkWidget *widget)
{
  static const char *const whole[] = {
    "Pending", "Paid", "Overdue", "Partially paid", "Cancelled", "Refunded",
    "Take Payment", "Send Payment Link", NULL,
  };
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (CP_IS_INVOICE_ROW_WIDGET (widget))
    {
      /* The list's rows draw their text: every number, date and amount
       * whole and inside the window. (The patient's name may give way.) */
      static const CpInvoiceSortKey drawn[] = {
        CP_INVOICE_SORT_NUMBER, CP_INVOICE_SORT_ISSUE_DATE, CP_INVOICE_SORT_DUE_DATE,
        CP_INVOICE_SORT_TOTAL, CP_INVOICE_SORT_BALANCE,
      };
      GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));

      for (guint i = 0; i < G_N_ELEMENTS (drawn); i++)
        {
          graphene_rect_t bounds;
          graphene_point_t right;
          gboolean cut = TRUE;
          const char *text = cp_invoice_row_widget_get_cell (CP_INVOICE_ROW_WIDGET (widget), drawn[i],
                                                             &bounds, &cut);

          /* The issue date is hidden at this size. */
          if (text == NULL && drawn[i] == CP_INVOICE_SORT_ISSUE_DATE)
            continue;
          g_assert_nonnull (text);
          if (cut)
            g_error ("“%s” is cut off at 200 %% text", text);
          g_assert_true (gtk_widget_compute_point (widget, root,
                                                   &GRAPHENE_POINT_INIT (bounds.origin.x + bounds.size.width, 0),
                                                   &right));
          if (right.x > gtk_widget_get_width (root) + 1)
            g_error ("“%s” runs past the window's edge at 200 %% text", text);
          if (drawn[i] == CP_INVOICE_SORT_NUMBER)
            {
              g_assert_true (g_str_has_prefix (text, "INV-"));
              n++;
            }
        }
    }
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      if (g_str_has_prefix (text, "INV-") || g_strv_contains (whole, text))
        {
          GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
          graphene_rect_t bounds;

          if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
            g_error ("“%s” is cut off at 200 %% text", text);
          /* ...nor pushed past the window's edge (a list scrolled sideways) */
          g_assert_true (gtk_widget_compute_bounds (widget, root, &bounds));
          if (bounds.origin.x + bounds.size.width > gtk_widget_get_width (root) + 1)
            g_error ("“%s” runs past the window's edge at 200 %% text", text);
          n++;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += assert_not_cut (child);
  return n;
}

/* Large text (Settings → Accessibility → Large Text sets the font scale;
 * 200 % here): the list and the invoice still show every number, status and
 * action whole, and the window stays usable. */
static void
test_large_text (Fixture       *f,
                 gconstpointer  data)
{
  GtkSettings *settings = gtk_settings_get_default ();
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  g_autoptr(CpInvoice) invoice = NULL;
  int dpi = 0;
  guint checked;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_object_set (settings, "gtk-xft-dpi", 2 * 96 * 1024, NULL);
  sign_in_as (f, "admin");
  invoice = invoice_with_status (f, CP_INVOICE_STATUS_PARTIALLY_PAID);
  cp_window_open_invoice (f->window, invoice->id);
  SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (f->window), "invoice") == 0, 10);
  spin_briefly (800);

  checked = assert_not_cut (GTK_WIDGET (f->window));
  assert_all_labelled (GTK_WIDGET (f->window), "invoice at 200 % text");
  if (dir != NULL && *dir != '\0')
    {
      g_mkdir_with_parents (dir, 0755);
      save_screenshot (GTK_WIDGET (f->window), dir, "large-text.png");
    }

  /* The window folds to one pane at this size: back to the list, as Escape does */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  spin_briefly (800);
  checked += assert_not_cut (GTK_WIDGET (f->window));
  assert_all_labelled (GTK_WIDGET (f->window), "list at 200 % text");
  if (dir != NULL && *dir != '\0')
    save_screenshot (GTK_WIDGET (f->window), dir, "large-text-list.png");
  g_test_message ("%u numbers, badges and actions checked at 200 %% text", checked);
  g_assert_cmpuint (checked, >=, 10);

  g_object_set (settings, "gtk-xft-dpi", dpi > 0 ? dpi : 96 * 1024, NULL);
}

static void
test_dialogs (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CpInvoice) open = NULL;
  g_autoptr(CpInvoice) paid = NULL;
  const CpStaff *staff;
  GtkWidget *dialog;

  sign_in_as (f, "admin");
  staff = cp_window_get_staff (f->window);
  open = invoice_with_status (f, CP_INVOICE_STATUS_PENDING);
  paid = invoice_with_status (f, CP_INVOICE_STATUS_PAID);

  dialog = GTK_WIDGET (cp_new_invoice_dialog_new (GTK_WINDOW (f->window), f->db.store, staff->id));
  show_and_walk (dialog, "new invoice dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_payment_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, open));
  show_and_walk (dialog, "payment dialog (amount)");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_link_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, open));
  /* Nothing answers on port 1: the dialog shows its error page. */
  SPIN_UNTIL (g_strcmp0 (cp_link_dialog_get_page (CP_LINK_DIALOG (dialog)), "working") != 0, 60);
  show_and_walk (dialog, "payment link dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_refund_dialog_new (GTK_WINDOW (f->window), f->ledger, staff, paid));
  show_and_walk (dialog, "refund dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_reconcile_dialog_new (GTK_WINDOW (f->window), f->ledger));
  SPIN_UNTIL (g_strcmp0 (cp_reconcile_dialog_get_state (CP_RECONCILE_DIALOG (dialog)), "working") != 0, 60);
  show_and_walk (dialog, "reconcile dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_preferences_window_new (GTK_WINDOW (f->window), f->db.store, staff));
  show_and_walk (dialog, "preferences window");
  SPIN_UNTIL (cp_preferences_window_get_busy (CP_PREFERENCES_WINDOW (dialog)) == 0, 60);
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_audit_window_new (GTK_WINDOW (f->window), f->db.store));
  SPIN_UNTIL (!cp_audit_window_get_loading (CP_AUDIT_WINDOW (dialog)), 60);
  show_and_walk (dialog, "audit log window");
  SPIN_UNTIL (!cp_audit_window_get_loading (CP_AUDIT_WINDOW (dialog)) &&
              !cp_audit_window_get_verifying (CP_AUDIT_WINDOW (dialog)), 60);
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (cp_import_dialog_new (GTK_WINDOW (f->window), f->db.store, staff->id));
  show_and_walk (dialog, "import dialog");
  SPIN_UNTIL (!cp_import_dialog_get_busy (CP_IMPORT_DIALOG (dialog)), 60);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The staff accounts page, in a window of its own. */
  dialog = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (dialog), 800, 700);
  gtk_window_set_child (GTK_WINDOW (dialog), GTK_WIDGET (cp_staff_page_new (f->db.store, staff)));
  show_and_walk (dialog, "staff accounts page");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_briefly (300);
}

static void
test_kiosk (Fixture       *f,
            gconstpointer  data)
{
  CpKioskWindow *kiosk = cp_kiosk_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (kiosk), 1024, 768);
  cp_kiosk_window_set_store (kiosk, f->db.store);
  cp_kiosk_window_set_ledger (kiosk, f->ledger);
  /* Every page of the kiosk is in its stack, shown or not. */
  show_and_walk (GTK_WIDGET (kiosk), "kiosk window");
  gtk_window_destroy (GTK_WINDOW (kiosk));
  spin_briefly (300);
}

/* Whether the focus is `target` or inside it. */
static gboolean
focus_within (GtkWidget *focus,
              GtkWidget *target)
{
  return focus != NULL && target != NULL && (focus == target || gtk_widget_is_ancestor (focus, target));
}

/* Tabs through `window` from the start once round; each of `targets` must
 * get the focus (or a widget inside it). */
static void
assert_tab_reaches (GtkWidget  *window,
                    GtkWidget **targets,
                    guint       n_targets)
{
  g_autofree gboolean *reached = g_new0 (gboolean, n_targets);
  GtkWidget *first = NULL;

  gtk_root_set_focus (GTK_ROOT (window), NULL);
  for (guint i = 0; i < 400; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD))
        {
          /* The end of the chain: GTK wraps round on the next Tab. */
          gtk_root_set_focus (GTK_ROOT (window), NULL);
          continue;
        }
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus == NULL)
        continue;
      if (first == NULL)
        first = focus;
      else if (focus == first)
        break;
      for (guint t = 0; t < n_targets; t++)
        reached[t] |= focus_within (focus, targets[t]);
    }
  for (guint t = 0; t < n_targets; t++)
    {
      g_autofree char *path = widget_path (targets[t]);

      g_test_message ("Tab %s %s", reached[t] ? "reaches" : "does not reach", path);
    }
  for (guint t = 0; t < n_targets; t++)
    g_assert_true (reached[t]);
}

static void
test_keyboard_signin (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (cp_window_get_signin_page (f->window));
  GtkWidget *targets[] = {
    find_widget (page, GTK_TYPE_ENTRY, NULL, NULL),
    find_widget (page, GTK_TYPE_PASSWORD_ENTRY, NULL, NULL),
    find_action_button (page, "signin.submit"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    g_assert_nonnull (targets[i]);
  assert_tab_reaches (GTK_WIDGET (f->window), targets, G_N_ELEMENTS (targets));

  /* Enter in the password entry signs in: Enter is GtkText's ::activate. */
  gtk_editable_set_text (GTK_EDITABLE (targets[0]), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (targets[1]), "clerk");
  gtk_widget_grab_focus (targets[1]);
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));

    g_assert_true (GTK_IS_TEXT (focus) && focus_within (focus, targets[1]));
    g_signal_emit_by_name (focus, "activate");
  }
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (f->window), "main") == 0, 60);
}

static gboolean
has_payment_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (CP_IS_PAYMENT_DIALOG (w))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_invoice_table (GtkWidget     *widget,
                  gconstpointer  data)
{
  return gtk_widget_has_css_class (widget, "invoice-table");
}

static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CpInvoice) invoice = NULL;
  CpInvoiceList *list;
  CpInvoiceDetail *detail;
  GtkWidget *search, *view, *pay, *link;

  sign_in_as (f, "admin");
  list = cp_window_get_invoice_list (f->window);
  detail = cp_window_get_invoice_detail (f->window);
  invoice = invoice_with_status (f, CP_INVOICE_STATUS_PENDING);
  cp_window_open_invoice (f->window, invoice->id);
  SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (f->window), "invoice") == 0, 10);
  spin_briefly (500);

  search = find_widget (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  /* The invoices' list view (not the filter drop-down's popup list). */
  view = find_widget (GTK_WIDGET (list), GTK_TYPE_LIST_VIEW, is_invoice_table, NULL);
  pay = find_action_button (GTK_WIDGET (detail), "invoice.take-payment");
  link = find_action_button (GTK_WIDGET (detail), "invoice.send-link");
  g_assert_nonnull (search);
  g_assert_nonnull (view);
  g_assert_nonnull (pay);
  g_assert_nonnull (link);

  /* Tab from the start, as a person would, until the focus comes round. */
  {
    GtkWidget *targets[] = { search, view, pay, link };

    assert_tab_reaches (GTK_WIDGET (f->window), targets, G_N_ELEMENTS (targets));
  }

  /* Enter on the focused Take Payment button opens the payment dialog. */
  gtk_widget_grab_focus (pay);
  g_assert_true (gtk_widget_activate (gtk_root_get_focus (GTK_ROOT (f->window))));
  SPIN_UNTIL (has_payment_dialog (), 30);
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible properties are kept, and readable, only with an AT context. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  test_app_init (&argc, &argv);

  g_test_add_func ("/carepay/a11y/checker", test_checker);
  g_test_add ("/carepay/a11y/signin", Fixture, NULL, fixture_setup, test_signin, fixture_teardown);
  g_test_add ("/carepay/a11y/main-window", Fixture, NULL, fixture_setup, test_main_window, fixture_teardown);
  g_test_add ("/carepay/a11y/dialogs", Fixture, NULL, fixture_setup, test_dialogs, fixture_teardown);
  g_test_add ("/carepay/a11y/kiosk", Fixture, NULL, fixture_setup, test_kiosk, fixture_teardown);
  g_test_add ("/carepay/a11y/large-text", Fixture, NULL, fixture_setup, test_large_text, fixture_teardown);
  g_test_add ("/carepay/a11y/keyboard-signin", Fixture, NULL, fixture_setup, test_keyboard_signin, fixture_teardown);
  g_test_add ("/carepay/a11y/keyboard", Fixture, NULL, fixture_setup, test_keyboard, fixture_teardown);
  return g_test_run ();
}
