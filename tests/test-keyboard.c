/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The staff flows with the keyboard alone (issue #6 §4): real X key events
 * (xdotool, through the XTEST extension) into the staff window under Xvfb,
 * as a person without a mouse would press them. The window belongs to a
 * registered CpApplication, so the app's own accelerators (Ctrl+,) work as
 * in `carepay`. Each step checks where the focus went: a flow that needs the
 * mouse somewhere fails here. Stripe is a closed port on 127.0.0.1, so
 * payment dialogs stop at their amount page or their error page. */
#include "config.h"

#include <string.h>

#include "cp-application.h"
#include "cp-audit-window.h"
#include "cp-import-dialog.h"
#include "cp-invoice-detail.h"
#include "cp-invoice-list.h"
#include "cp-ledger.h"
#include "cp-link-dialog.h"
#include "cp-new-invoice-dialog.h"
#include "cp-payment-dialog.h"
#include "cp-preferences-window.h"
#include "cp-refund-dialog.h"
#include "cp-signin-page.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "xdo-test-util.h"

static CpApplication *app;

typedef struct {
  TestDb          db;
  CpStripeClient *client;
  CpLedger       *ledger;
  CpWindow       *window;
} Fixture;

/* --- key events ------------------------------------------------------------ */

static void
xdo_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, NULL));
  *done = TRUE;
}

/* xdotool with these arguments, while our main loop runs (GTK takes each
 * event as it comes), then a moment for the handlers to finish. */
static void
xdo (const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  va_list ap;

  va_start (ap, first);
  argv = xdo_argv_valist (first, ap);
  va_end (ap);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, xdo_done, &done);
  SPIN_UNTIL (done, 60);
  spin_briefly (150);
}

static void
press (const char *keys)
{
  xdo ("key", "--clearmodifiers", keys, NULL);
}

static void
type (const char *text)
{
  xdo ("type", "--delay", "25", text, NULL);
}

/* Gives `window` the X input focus, as a window manager would on map. */
static void
focus_window (GtkWidget *window)
{
  g_autofree char *xid = xdo_window_id (window);

  SPIN_UNTIL (gtk_widget_get_mapped (window), 10);
  xdo ("windowfocus", "--sync", xid, NULL);
  SPIN_UNTIL (gtk_window_is_active (GTK_WINDOW (window)), 10);
}

/* --- where the focus is -------------------------------------------------- */

static GtkWidget *
focus_of (GtkWidget *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

static gboolean
focus_within (GtkWidget *window,
              GtkWidget *target)
{
  GtkWidget *focus = focus_of (window);

  return focus != NULL && target != NULL && (focus == target || gtk_widget_is_ancestor (focus, target));
}

static void
assert_focus_in (GtkWidget  *window,
                 GtkWidget  *target,
                 const char *what)
{
  GtkWidget *focus;

  /* Focus moves in an idle after some key presses. */
  for (guint i = 0; i < 20 && !focus_within (window, target); i++)
    spin_briefly (50);
  focus = focus_of (window);
  if (!focus_within (window, target))
    g_error ("The focus should be in %s (%s), it is on %s", what, G_OBJECT_TYPE_NAME (target),
             focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing");
  g_test_message ("focus in %s", what);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static GtkWidget *
wait_for_toplevel (GType type)
{
  GtkWidget *window;

  SPIN_UNTIL (find_toplevel (type) != NULL, 30);
  window = GTK_WIDGET (find_toplevel (type));
  focus_window (window);
  return window;
}

/* Escape (or `keys`) closes the dialog. */
static void
close_with (GType       type,
            const char *keys)
{
  press (keys);
  SPIN_UNTIL (find_toplevel (type) == NULL, 10);
}

static GtkWidget *
template_child (GtkWidget  *widget,
                GType       type,
                const char *id)
{
  GObject *child = gtk_widget_get_template_child (widget, type, id);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* --- fixture ------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* Nothing listens on port 1: Stripe calls fail at once. */
  g_autoptr(CpStripeConfig) config = cp_training_stripe_config_new ("http://127.0.0.1:1");

  test_db_open (&f->db, 0);
  f->client = cp_stripe_client_new (config, NULL, f->db.store);
  f->ledger = cp_ledger_new (f->db.store, f->client);
  f->window = g_object_ref_sink (cp_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  cp_window_set_store (f->window, f->db.store);
  cp_window_set_ledger (f->window, f->ledger, TRUE);
  gtk_window_present (GTK_WINDOW (f->window));
  focus_window (GTK_WIDGET (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i - 1);

      if (w != GTK_WINDOW (f->window))
        gtk_window_destroy (w);
    }
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_briefly (300);
  SPIN_UNTIL (G_OBJECT (f->window)->ref_count == 1, 30);
  g_assert_finalize_object (f->window);
  /* A Stripe call cancelled by a closed dialog lets go of the ledger when
   * its retry timer comes round. */
  SPIN_UNTIL (G_OBJECT (f->ledger)->ref_count == 1, 30);
  g_assert_finalize_object (f->ledger);
  g_assert_finalize_object (f->client);
  test_db_close (&f->db);
}

/* The sign-in page opens with the focus in Username; Tab goes to Password,
 * Enter signs in, and the focus lands in the list's search. */
static void
sign_in_by_keys (Fixture    *f,
                 const char *username)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *page = GTK_WIDGET (cp_window_get_signin_page (f->window));
  GtkWidget *user = find_widget (page, GTK_TYPE_ENTRY, NULL, NULL);
  GtkWidget *password = find_widget (page, GTK_TYPE_PASSWORD_ENTRY, NULL, NULL);
  CpInvoiceList *list = cp_window_get_invoice_list (f->window);

  assert_focus_in (window, user, "the username entry");
  type (username);
  press ("Tab");
  assert_focus_in (window, password, "the password entry");
  type (username);
  press ("Return");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (f->window), "main") == 0, 60);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list), 30);
  assert_focus_in (window, find_widget (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY, NULL, NULL),
                   "the invoice search after signing in");
}

/* Ctrl+F, the text, Enter: the first match opens in the detail pane. */
static void
open_by_search (Fixture    *f,
                const char *text)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  CpInvoiceList *list = cp_window_get_invoice_list (f->window);
  GtkWidget *search = find_widget (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);

  press ("ctrl+f");
  assert_focus_in (window, search, "the invoice search (Ctrl+F)");
  press ("ctrl+a");
  type (text);
  spin_briefly (400);   /* search-as-you-type settles */
  SPIN_UNTIL (!cp_invoice_list_get_loading (list), 30);
  press ("Return");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (f->window), "invoice") == 0, 20);
}

static const char *
number_with_status (Fixture         *f,
                    CpInvoiceStatus  status,
                    char           **out)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  query.status = status;
  rows = cp_store_list_invoices (f->db.store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, >, 0);
  *out = g_strdup (((CpInvoiceSummary *) rows->pdata[0])->number);
  return *out;
}

/* --- the flows ----------------------------------------------------------- */

static void
test_sign_in_search_and_pay (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *number = NULL;
  CpInvoiceDetail *detail;
  GtkWidget *dialog;

  sign_in_by_keys (f, "clerk");
  open_by_search (f, number_with_status (f, CP_INVOICE_STATUS_PENDING, &number));
  detail = cp_window_get_invoice_detail (f->window);
  g_assert_nonnull (detail);

  /* Alt+T: Take Payment. The amount has the focus; Escape cancels. */
  press ("alt+t");
  dialog = wait_for_toplevel (CP_TYPE_PAYMENT_DIALOG);
  assert_focus_in (dialog, find_widget (dialog, GTK_TYPE_TEXT, NULL, NULL), "the payment amount");
  /* A part of the balance, Enter: on towards the card form, which needs
   * Stripe; with nothing listening the dialog says so on its error page. */
  press ("ctrl+a");
  type ("10.00");
  press ("Return");
  SPIN_UNTIL (g_strcmp0 (cp_payment_dialog_get_page (CP_PAYMENT_DIALOG (dialog)), "amount") != 0, 10);
  SPIN_UNTIL (g_strcmp0 (cp_payment_dialog_get_page (CP_PAYMENT_DIALOG (dialog)), "error") == 0, 60);
  close_with (CP_TYPE_PAYMENT_DIALOG, "Escape");
  focus_window (GTK_WIDGET (f->window));

  /* Alt+L: Send Payment Link; Escape closes it. */
  press ("alt+l");
  dialog = wait_for_toplevel (CP_TYPE_LINK_DIALOG);
  SPIN_UNTIL (g_strcmp0 (cp_link_dialog_get_page (CP_LINK_DIALOG (dialog)), "working") != 0, 60);
  close_with (CP_TYPE_LINK_DIALOG, "Escape");
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *number = NULL;
  GtkWidget *dialog;

  sign_in_by_keys (f, "supervisor");
  open_by_search (f, number_with_status (f, CP_INVOICE_STATUS_PAID, &number));

  /* Alt+R: Refund…; the amount first, then the reason. */
  press ("alt+r");
  dialog = wait_for_toplevel (CP_TYPE_REFUND_DIALOG);
  assert_focus_in (dialog, find_widget (dialog, ADW_TYPE_ENTRY_ROW, NULL, NULL), "the refund amount");
  /* Tab: on to the reason. */
  press ("Tab");
  assert_focus_in (dialog, find_widget (dialog, ADW_TYPE_COMBO_ROW, NULL, NULL), "the refund reason");
  close_with (CP_TYPE_REFUND_DIALOG, "Escape");
}

static void
test_new_invoice (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  GtkWidget *dialog;
  GtkWidget *editor;

  sign_in_by_keys (f, "clerk");
  before = cp_store_list_invoices (f->db.store, &query, &error);
  g_assert_no_error (error);

  /* Ctrl+N; the patient search first: a name and Enter picks the match. */
  press ("ctrl+n");
  dialog = wait_for_toplevel (CP_TYPE_NEW_INVOICE_DIALOG);
  assert_focus_in (dialog, template_child (dialog, CP_TYPE_NEW_INVOICE_DIALOG, "patient_search"),
                   "the patient search");
  type ("Khan");
  spin_briefly (500);
  press ("Return");
  /* Then the invoice's dates, in reading order. */
  assert_focus_in (dialog, template_child (dialog, CP_TYPE_NEW_INVOICE_DIALOG, "issue_entry"),
                   "the issue date once a patient is picked");
  press ("Tab");
  assert_focus_in (dialog, template_child (dialog, CP_TYPE_NEW_INVOICE_DIALOG, "due_entry"), "the due date");

  /* Alt+D: the service's description (mnemonic); Tab through its fields. */
  press ("alt+d");
  editor = find_widget (dialog, g_type_from_name ("CpLineItemEditor"), NULL, NULL);
  g_assert_nonnull (editor);
  assert_focus_in (dialog, template_child (editor, G_OBJECT_TYPE (editor), "description_entry"),
                   "the service description (Alt+D)");
  type ("Office visit");
  press ("Tab");
  assert_focus_in (dialog, template_child (editor, G_OBJECT_TYPE (editor), "code_entry"), "the service code");
  press ("Tab");
  assert_focus_in (dialog, template_child (editor, G_OBJECT_TYPE (editor), "quantity_entry"), "the quantity");
  press ("Tab");
  assert_focus_in (dialog, template_child (editor, G_OBJECT_TYPE (editor), "price_entry"), "the unit price");
  type ("120.00");

  /* Ctrl+Enter creates it. */
  press ("ctrl+Return");
  SPIN_UNTIL (find_toplevel (CP_TYPE_NEW_INVOICE_DIALOG) == NULL, 20);
  after = cp_store_list_invoices (f->db.store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len + 1);
}

static void
test_menus (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *dialog;

  sign_in_by_keys (f, "admin");
  {
    GtkWidget *button = find_widget (GTK_WIDGET (f->window), GTK_TYPE_MENU_BUTTON, test_is_primary_menu, NULL);

    g_assert_nonnull (button);
    test_assert_unique_mnemonics (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)));
  }

  /* Ctrl+,: Preferences; Ctrl+W closes them. */
  press ("ctrl+comma");
  dialog = wait_for_toplevel (CP_TYPE_PREFERENCES_WINDOW);
  SPIN_UNTIL (cp_preferences_window_get_busy (CP_PREFERENCES_WINDOW (dialog)) == 0, 60);
  close_with (CP_TYPE_PREFERENCES_WINDOW, "ctrl+w");
  focus_window (GTK_WIDGET (f->window));

  /* F10: the main menu; each item has a letter of its own (U: Audit Log;
   * "A" would only move between it and About). */
  press ("F10");
  spin_briefly (300);
  press ("u");
  dialog = wait_for_toplevel (CP_TYPE_AUDIT_WINDOW);
  SPIN_UNTIL (!cp_audit_window_get_loading (CP_AUDIT_WINDOW (dialog)) &&
              !cp_audit_window_get_verifying (CP_AUDIT_WINDOW (dialog)), 60);
  close_with (CP_TYPE_AUDIT_WINDOW, "Escape");
  focus_window (GTK_WIDGET (f->window));

  /* F10, I: Import Patients or Invoices…; Escape closes it. */
  press ("F10");
  spin_briefly (300);
  press ("i");
  dialog = wait_for_toplevel (CP_TYPE_IMPORT_DIALOG);
  SPIN_UNTIL (!cp_import_dialog_get_busy (CP_IMPORT_DIALOG (dialog)), 60);
  close_with (CP_TYPE_IMPORT_DIALOG, "Escape");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("CAREPAY_TODAY", TEST_TODAY, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  /* The application's startup (libadwaita, style.css, app.* actions and
   * their accelerators), without activating it: the test makes the window. */
  app = cp_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/carepay/keyboard/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sign-in-search-and-pay", test_sign_in_search_and_pay);
  ADD ("refund", test_refund);
  ADD ("new-invoice", test_new_invoice);
  ADD ("menus", test_menus);
#undef ADD

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
