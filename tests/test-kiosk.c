/* SPDX-License-Identifier: GPL-3.0-or-later */

/* `carepay --kiosk` in a real window under Xvfb: a temporary SQLite file
 * seeded with the demo set, the real Stripe simulator (CAREPAY_STRIPE_SIM)
 * and the real ledger; cards are typed with xdotool into the simulator's
 * card frame as a patient would. With CAREPAY_SCREENSHOT_DIR set, saves the
 * kiosk-*.png screenshots. */

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <webkit/webkit.h>

#include "cp-application.h"
#include "cp-error.h"
#include "cp-kiosk-private.h"
#include "cp-ledger.h"
#include "cp-money.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "webkit-test-util.h"

#define TODAY "2026-11-20"

static char *tmp_dir;
static CpStore *store;
static CpLedger *ledger;
static GSubprocess *sim;
static gboolean have_spanish_catalog;

/* --- waiting ------------------------------------------------------------- */

/* WAIT_UNTIL and test_web_spin: webkit-test-util.h */

/* --- the kiosk ------------------------------------------------------------ */

typedef struct {
  CpKioskWindow *window;
} Kiosk;

static CpKioskView *
view_of (Kiosk *k)
{
  return cp_kiosk_window_get_view (k->window);
}

static GtkWidget *
child (Kiosk      *k,
       const char *id)
{
  GtkWidget *widget = cp_kiosk_view_get_child (view_of (k), id);

  if (widget == NULL)
    g_error ("No widget “%s” in the kiosk view", id);
  return widget;
}

static const char *
page (Kiosk *k)
{
  return cp_kiosk_view_get_page (view_of (k));
}

static Kiosk *
kiosk_new (void)
{
  Kiosk *k = g_new0 (Kiosk, 1);

  k->window = cp_kiosk_window_new (NULL);
  cp_kiosk_window_set_store (k->window, store);
  cp_kiosk_window_set_ledger (k->window, ledger);
  gtk_window_present (GTK_WINDOW (k->window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (k->window)), 30);
  WAIT_UNTIL (g_strcmp0 (page (k), "start") == 0, 30);
  WAIT_UNTIL (gtk_widget_get_mapped (child (k, "start_button")) &&
              gtk_widget_get_height (child (k, "start_button")) > 0, 30);
  return k;
}

static void
kiosk_free (Kiosk *k)
{
  if (k->window != NULL)
    gtk_window_destroy (GTK_WINDOW (k->window));
  g_free (k);
  test_web_spin (50);
}

static void
activate (Kiosk      *k,
          const char *id)
{
  GtkWidget *button = child (k, id);

  g_assert_true (gtk_widget_is_sensitive (button));
  /* "clicked" runs the button's action at once (activate waits for an animation). */
  g_signal_emit_by_name (button, "clicked");
}

static void
set_text (Kiosk      *k,
          const char *id,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (k, id)), text);
}

static const char *
label_text (Kiosk      *k,
            const char *id)
{
  return gtk_label_get_text (GTK_LABEL (child (k, id)));
}

/* Types the lookup as a patient does: number (a scanner ends it with Enter),
 * then the date of birth "YYYY-MM-DD" into the three fields. */
static void
look_up (Kiosk      *k,
         const char *number,
         const char *dob)
{
  g_auto(GStrv) parts = g_strsplit (dob, "-", 3);

  if (g_strcmp0 (page (k), "start") == 0)
    activate (k, "start_button");
  g_assert_cmpstr (page (k), ==, "lookup");
  set_text (k, "id_entry", number);
  g_signal_emit_by_name (child (k, "id_entry"), "activate");
  set_text (k, "year_entry", parts[0]);
  set_text (k, "month_entry", parts[1]);
  set_text (k, "day_entry", parts[2]);
  activate (k, "find_button");
  WAIT_UNTIL (!gtk_spinner_get_spinning (GTK_SPINNER (child (k, "lookup_spinner"))), 30);
}

/* --- the seeded data ------------------------------------------------------ */

static CpPatient *
patient_by_mrn (const char *mrn)
{
  g_autoptr(GError) error = NULL;
  CpPatient *patient = cp_store_get_patient_by_mrn (store, mrn, &error);

  g_assert_no_error (error);
  return patient;
}

/* The patient's open invoices, as the store sees them. */
static GPtrArray *
open_invoices (gint64 patient_id)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *open = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);

  query.patient_id = patient_id;
  all = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (all, i);

      if (s->balance_due > 0 && (s->status == CP_INVOICE_STATUS_PENDING || s->status == CP_INVOICE_STATUS_OVERDUE ||
                                 s->status == CP_INVOICE_STATUS_PARTIALLY_PAID))
        g_ptr_array_add (open, g_steal_pointer (&all->pdata[i]));
    }
  return open;
}

/* A patient of the demo set with at least `n` open invoices. */
static CpPatient *
patient_with_open_invoices (guint n)
{
  static const char *mrns[] = { "MRN-100231", "MRN-100457", "MRN-100692", "MRN-100815", "MRN-101044" };

  for (guint i = 0; i < G_N_ELEMENTS (mrns); i++)
    {
      CpPatient *p = patient_by_mrn (mrns[i]);
      g_autoptr(GPtrArray) open = open_invoices (p->id);

      if (open->len >= n)
        return p;
      cp_patient_free (p);
    }
  g_assert_not_reached ();
  return NULL;
}

/* The PaymentIntent's status as the ledger recorded it, NULL before any record. */
static char *
recorded_status (const char *payment_intent_id)
{
  g_autoptr(CpPayment) payment = cp_store_get_payment_by_intent (store, payment_intent_id, NULL);

  return payment != NULL ? g_strdup (payment->status) : NULL;
}

static gboolean
recorded_as (const char *payment_intent_id,
             const char *status)
{
  g_autofree char *recorded = recorded_status (payment_intent_id);

  return g_strcmp0 (recorded, status) == 0;
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LIST_BOX_ROW (c) && gtk_widget_get_visible (c))
      n++;
  return n;
}

/* Every label's and entry's text in the window, concatenated. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_EDITABLE (widget))
    g_string_append_printf (out, "%s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));
  else if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (out, "%s\n", gtk_button_get_label (GTK_BUTTON (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_text (c, out);
}

/* --- screenshots and X input ----------------------------------------------- */

static char *
window_xid (Kiosk *k)
{
  return test_web_window_xid (GTK_WIDGET (k->window));
}

/* GTK pages: the window as GTK renders it. */
static void
render_screenshot (Kiosk      *k,
                   const char *name)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  graphene_rect_t bounds;
  int w, h;

  if (dir == NULL || *dir == '\0')
    return;
  WAIT_UNTIL (!gtk_stack_get_transition_running (GTK_STACK (child (k, "stack"))), 10);
  test_web_spin (600);
  /* The window's content, without the frame a window manager would not draw. */
  g_assert_true (gtk_widget_compute_bounds (gtk_window_get_child (GTK_WINDOW (k->window)),
                                            GTK_WIDGET (k->window), &bounds));
  w = gtk_widget_get_width (GTK_WIDGET (k->window));
  h = gtk_widget_get_height (GTK_WIDGET (k->window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (k->window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (GTK_NATIVE (k->window));
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* The pixels the X server shows for a window. */
static void
import_window (Kiosk      *k,
               const char *name)
{
  test_web_import_window (GTK_WIDGET (k->window), name);
}

/* With the web view: the pixels the X server shows (WebKit draws outside GSK). */
static void
import_screenshot (Kiosk      *k,
                   const char *name)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    return;
  WAIT_UNTIL (!gtk_stack_get_transition_running (GTK_STACK (child (k, "stack"))), 10);
  test_web_spin (600);
  import_window (k, name);
}

/* Clicks a widget's point (x, y) with the X pointer. */
static void
click_at (Kiosk     *k,
          GtkWidget *widget,
          double     x,
          double     y)
{
  test_web_click (widget, x, y, "1");
}

/* As a person, once the page stopped sliding in (webkit-test-util.c). */
static void
type_card (Kiosk      *k,
           const char *number)
{
  WAIT_UNTIL (!gtk_stack_get_transition_running (GTK_STACK (child (k, "stack"))), 10);
  test_web_type_card (cp_kiosk_view_get_payment_view (view_of (k)), number, TEST_WEB_CARD_DEFAULT);
  if (g_getenv ("KIOSK_DEBUG") != NULL)
    import_screenshot (k, "debug-typed.png");
}

static void
click_pay (Kiosk *k)
{
  test_web_click_pay (cp_kiosk_view_get_payment_view (view_of (k)));
}

/* --- tests ---------------------------------------------------------------- */

static void
test_start (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *hospital = g_settings_get_string (settings, "hospital-name");

  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (k->window), "kiosk"));
  g_assert_cmpstr (label_text (k, "hospital_label"), ==, hospital);
  g_assert_true (gtk_widget_get_visible (child (k, "start_button")));
  /* Touch targets: 64 px at least. */
  g_assert_cmpint (gtk_widget_get_height (child (k, "start_button")), >=, 64);
  g_assert_cmpint (gtk_widget_get_height (child (k, "spanish_button")), >=, 64);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (k, "english_button"))));
  /* The Payment Element is prepared before anyone needs it. */
  WAIT_UNTIL (cp_payment_view_get_prepared (cp_kiosk_view_get_payment_view (view_of (k))), 60);
  render_screenshot (k, "kiosk-start.png");
  kiosk_free (k);
}

static void
test_lookup_by_invoice_number (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (1);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autofree char *lower = g_ascii_strdown (inv->number, -1);
  g_autofree char *title = g_strdup_printf ("Invoice %s", inv->number);

  /* Typed in lower case with spaces around: still found. */
  g_autofree char *typed = g_strdup_printf ("  %s ", lower);
  look_up (k, typed, patient->date_of_birth);
  WAIT_UNTIL (g_strcmp0 (page (k), "invoice") == 0, 30);
  g_assert_cmpstr (label_text (k, "invoice_title_label"), ==, title);
  {
    g_autofree char *balance = cp_money_format (inv->balance_due, inv->currency);
    g_assert_cmpstr (label_text (k, "balance_value"), ==, balance);
  }
  g_assert_cmpuint (count_rows (child (k, "lines_list")), >, 0);
  /* Back to the patient's list of open bills without starting over. */
  gtk_widget_activate_action (GTK_WIDGET (view_of (k)), "view.show-invoices", NULL);
  WAIT_UNTIL (g_strcmp0 (page (k), "invoices") == 0, 30);
  g_assert_cmpuint (count_rows (child (k, "invoices_list")), ==, open->len);
  kiosk_free (k);
}

static void
test_lookup_by_mrn_lists_open_invoices (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (2);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  g_autofree char *hello = g_strdup_printf ("Hello, %s", patient->given_name);
  g_autoptr(GString) text = g_string_new (NULL);

  look_up (k, patient->mrn, patient->date_of_birth);
  WAIT_UNTIL (g_strcmp0 (page (k), "invoices") == 0, 30);
  g_assert_cmpstr (label_text (k, "greeting_label"), ==, hello);
  g_assert_cmpuint (count_rows (child (k, "invoices_list")), ==, open->len);
  render_screenshot (k, "kiosk-invoices.png");
  collect_text (child (k, "invoices_list"), text);
  for (guint i = 0; i < open->len; i++)
    {
      CpInvoiceSummary *s = g_ptr_array_index (open, i);
      g_autofree char *balance = cp_money_format (s->balance_due, s->currency);

      g_assert_nonnull (strstr (text->str, s->number));
      g_assert_nonnull (strstr (text->str, balance));
    }

  /* Touching a row opens that bill. */
  g_signal_emit_by_name (child (k, "invoices_list"), "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (k, "invoices_list")), 1));
  WAIT_UNTIL (g_strcmp0 (page (k), "invoice") == 0, 30);
  kiosk_free (k);
}

static void
test_lookup_wrong_then_locked (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (1);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autofree char *wrong_dob = NULL;
  g_autofree char *first = NULL;

  wrong_dob = g_strdup (patient->date_of_birth);
  wrong_dob[9] = wrong_dob[9] == '1' ? '2' : '1';

  /* Right number, wrong date of birth. */
  look_up (k, inv->number, wrong_dob);
  g_assert_cmpstr (page (k), ==, "lookup");
  g_assert_true (gtk_widget_get_visible (child (k, "lookup_error_label")));
  first = g_strdup (label_text (k, "lookup_error_label"));
  render_screenshot (k, "kiosk-lookup.png");
  g_assert_cmpstr (first, ==, "We couldn’t find a bill with those details. Please check them and try again.");

  /* Wrong number, right date of birth: the very same words. */
  look_up (k, "INV-1999-999999", patient->date_of_birth);
  g_assert_cmpstr (label_text (k, "lookup_error_label"), ==, first);
  /* Right MRN, wrong date of birth; wrong MRN. */
  look_up (k, patient->mrn, wrong_dob);
  g_assert_cmpstr (label_text (k, "lookup_error_label"), ==, first);
  look_up (k, "MRN-999999", patient->date_of_birth);
  g_assert_cmpstr (label_text (k, "lookup_error_label"), ==, first);
  g_assert_true (gtk_widget_is_sensitive (child (k, "find_button")));

  /* An impossible date is the patient's typo, not a try. */
  set_text (k, "day_entry", "31");
  set_text (k, "month_entry", "02");
  g_signal_emit_by_name (child (k, "find_button"), "clicked");
  g_assert_cmpstr (label_text (k, "lookup_error_label"), ==, "That date of birth is not a real date. Please check it.");

  /* The fifth wrong try locks lookups, with a clear message. */
  look_up (k, inv->number, wrong_dob);
  g_assert_true (g_str_has_prefix (label_text (k, "lookup_error_label"), "Too many tries."));
  g_assert_nonnull (strstr (label_text (k, "lookup_error_label"), "5 minutes"));
  g_assert_false (gtk_widget_is_sensitive (child (k, "find_button")));

  /* Even the right details are not looked up while locked. */
  set_text (k, "id_entry", inv->number);
  gtk_widget_activate_action (GTK_WIDGET (view_of (k)), "view.find", NULL);
  test_web_spin (300);
  g_assert_cmpstr (page (k), ==, "lookup");

  /* The lock outlives the patient: a reset does not lift it. */
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.reset", NULL);
  activate (k, "start_button");
  g_assert_false (gtk_widget_is_sensitive (child (k, "find_button")));
  g_assert_true (g_str_has_prefix (label_text (k, "lookup_error_label"), "Too many tries."));
  kiosk_free (k);
}

static void
open_first_invoice (Kiosk      *k,
                    CpPatient  *patient,
                    CpInvoiceSummary *inv)
{
  look_up (k, inv->number, patient->date_of_birth);
  WAIT_UNTIL (g_strcmp0 (page (k), "invoice") == 0, 30);
}

static void
test_partial_amount_checked (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (1);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gint64 minimum = g_settings_get_int64 (settings, "kiosk-minimum-payment");
  g_autofree char *min_text = cp_money_format (minimum, inv->currency);
  g_autofree char *too_much = cp_money_format_plain (inv->balance_due + 100, inv->currency);
  g_autofree char *expected = NULL;

  g_assert_cmpint (inv->balance_due, >, minimum);
  open_first_invoice (k, patient, inv);
  render_screenshot (k, "kiosk-invoice.png");

  activate (k, "pay_part_button");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (k, "part_revealer"))));

  /* Below the minimum: refused inline, nothing started. */
  set_text (k, "part_entry", "1.00");
  activate (k, "part_continue_button");
  expected = g_strdup_printf ("The smallest amount you can pay here is %s.", min_text);
  g_assert_true (gtk_widget_get_visible (child (k, "part_error_label")));
  g_assert_cmpstr (label_text (k, "part_error_label"), ==, expected);
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (child (k, "pay_spinner"))));
  g_assert_cmpstr (page (k), ==, "invoice");

  /* Not an amount. */
  set_text (k, "part_entry", "ten dollars");
  g_assert_false (gtk_widget_get_visible (child (k, "part_error_label")));
  activate (k, "part_continue_button");
  g_assert_true (g_str_has_prefix (label_text (k, "part_error_label"), "Please enter an amount"));

  /* More than the balance. */
  set_text (k, "part_entry", too_much);
  activate (k, "part_continue_button");
  g_assert_true (g_str_has_prefix (label_text (k, "part_error_label"), "That is more than you owe."));
  g_assert_cmpstr (page (k), ==, "invoice");

  /* The minimum itself is fine: the card page comes up for that amount. */
  {
    g_autofree char *plain = cp_money_format_plain (minimum, inv->currency);
    set_text (k, "part_entry", plain);
  }
  activate (k, "part_continue_button");
  g_assert_false (gtk_widget_get_visible (child (k, "part_error_label")));
  WAIT_UNTIL (g_strcmp0 (page (k), "payment") == 0, 30);
  g_assert_nonnull (strstr (label_text (k, "payment_summary_label"), min_text));
  g_assert_nonnull (cp_kiosk_view_get_open_payment_intent (view_of (k)));

  /* Cancel: the PaymentIntent is cancelled at Stripe, back to the bill. */
  {
    g_autofree char *pi = g_strdup (cp_kiosk_view_get_open_payment_intent (view_of (k)));
    activate (k, "payment_cancel_button");
    g_assert_cmpstr (page (k), ==, "invoice");
    g_assert_null (cp_kiosk_view_get_open_payment_intent (view_of (k)));
    g_assert_true (g_str_has_prefix (pi, "pi_"));
    WAIT_UNTIL (recorded_as (pi, "canceled"), 30);
  }
  kiosk_free (k);
}

static void
test_pay_full_balance (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (2);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autofree char *number = g_strdup (inv->number);
  g_autofree char *balance = cp_money_format (inv->balance_due, inv->currency);
  g_autoptr(CpInvoice) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  CpPaymentView *pv;
  CpPaymentView *old_pv;
  WebKitWebView *old_web_view;
  g_autofree char *pi = NULL;
  gboolean found = FALSE;
  gint64 started;

  open_first_invoice (k, patient, inv);
  pv = cp_kiosk_view_get_payment_view (view_of (k));
  WAIT_UNTIL (cp_payment_view_get_prepared (pv), 60);
  activate (k, "pay_full_button");
  WAIT_UNTIL (g_strcmp0 (page (k), "payment") == 0 || gtk_widget_get_visible (child (k, "pay_error_label")), 60);
  g_assert_cmpstr (page (k), ==, "payment");
  g_assert_nonnull (strstr (label_text (k, "payment_summary_label"), balance));
  g_assert_nonnull (strstr (label_text (k, "payment_summary_label"), number));
  /* Prepared ahead: the Payment Element is ready soon after the bill is chosen. */
  started = g_get_monotonic_time ();
  WAIT_UNTIL (cp_payment_view_get_state (pv) == CP_PAYMENT_VIEW_STATE_READY ||
              cp_payment_view_get_state (pv) == CP_PAYMENT_VIEW_STATE_ERROR, 60);
  g_assert_cmpint (cp_payment_view_get_state (pv), ==, CP_PAYMENT_VIEW_STATE_READY);
  g_test_message ("Payment Element ready %.2f s after the payment page", (g_get_monotonic_time () - started) / 1e6);

  type_card (k, "4242 4242 4242 4242");
  WAIT_UNTIL (cp_payment_view_get_complete (pv), 30);
  import_screenshot (k, "kiosk-payment.png");
  click_pay (k);
  WAIT_UNTIL (g_strcmp0 (page (k), "confirmation") == 0 || gtk_widget_get_visible (child (k, "decline_label")), 90);
  g_assert_cmpstr (page (k), ==, "confirmation");

  pi = g_strdup (label_text (k, "confirmation_number_label"));
  g_assert_true (g_str_has_prefix (pi, "pi_"));
  g_assert_cmpstr (label_text (k, "confirmation_amount_label"), ==, balance);
  g_assert_cmpstr (label_text (k, "confirmation_invoice_label"), ==, number);
  /* Another of the patient's bills is still open. */
  WAIT_UNTIL (gtk_widget_get_visible (child (k, "another_button")), 30);
  render_screenshot (k, "kiosk-confirmation.png");

  /* The store says paid, by that PaymentIntent, at the kiosk. */
  after = cp_store_get_invoice (store, inv->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (after->balance_due, ==, 0);
  for (guint i = 0; i < after->payments->len; i++)
    {
      CpPayment *p = g_ptr_array_index (after->payments, i);

      if (g_strcmp0 (p->stripe_payment_intent_id, pi) == 0)
        {
          found = TRUE;
          g_assert_cmpstr (p->status, ==, "succeeded");
          g_assert_cmpint (p->channel, ==, CP_PAYMENT_CHANNEL_KIOSK);
          g_assert_cmpint (p->staff_id, ==, 0);
        }
    }
  g_assert_true (found);

  /* Pay another bill: back to the list, without the paid one. */
  activate (k, "another_button");
  WAIT_UNTIL (g_strcmp0 (page (k), "invoices") == 0, 30);
  g_assert_cmpuint (count_rows (child (k, "invoices_list")), ==, open->len - 1);
  collect_text (child (k, "invoices_list"), text);
  g_assert_null (strstr (text->str, number));

  /* Done: nothing of the patient is left in any widget, and a new payment
   * view with its own new session gets ready. */
  old_pv = cp_kiosk_view_get_payment_view (view_of (k));
  old_web_view = cp_payment_view_get_web_view (old_pv);
  g_object_add_weak_pointer (G_OBJECT (old_pv), (gpointer *) &old_pv);
  g_object_add_weak_pointer (G_OBJECT (old_web_view), (gpointer *) &old_web_view);
  activate (k, "invoices_done_button");
  g_assert_cmpstr (page (k), ==, "start");
  g_string_truncate (text, 0);
  collect_text (GTK_WIDGET (k->window), text);
  g_assert_null (strstr (text->str, patient->given_name));
  g_assert_null (strstr (text->str, patient->family_name));
  g_assert_null (strstr (text->str, patient->mrn));
  g_assert_null (strstr (text->str, number));
  for (guint i = 0; i < open->len; i++)
    g_assert_null (strstr (text->str, ((CpInvoiceSummary *) g_ptr_array_index (open, i))->number));
  g_assert_null (strstr (text->str, pi));
  WAIT_UNTIL (old_pv == NULL && old_web_view == NULL, 30);
  pv = cp_kiosk_view_get_payment_view (view_of (k));
  g_assert_nonnull (pv);
  g_assert_true (webkit_network_session_is_ephemeral (webkit_web_view_get_network_session (cp_payment_view_get_web_view (pv))));
  WAIT_UNTIL (cp_payment_view_get_prepared (pv), 60);
  kiosk_free (k);
}

static void
count_incomplete (guint      *count,
                  GParamSpec *pspec,
                  GObject    *view)
{
  if (!cp_payment_view_get_complete (CP_PAYMENT_VIEW (view)))
    (*count)++;
}

static void
test_declined_card (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (1);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autoptr(CpInvoice) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pi = NULL;
  CpPaymentView *pv;

  open_first_invoice (k, patient, inv);
  pv = cp_kiosk_view_get_payment_view (view_of (k));
  activate (k, "pay_full_button");
  WAIT_UNTIL (g_strcmp0 (page (k), "payment") == 0, 60);
  WAIT_UNTIL (cp_payment_view_get_state (pv) == CP_PAYMENT_VIEW_STATE_READY, 60);
  type_card (k, "4000 0000 0000 0002");
  WAIT_UNTIL (cp_payment_view_get_complete (pv), 30);
  click_pay (k);
  WAIT_UNTIL (gtk_widget_get_visible (child (k, "decline_label")) || g_strcmp0 (page (k), "payment") != 0, 60);
  g_assert_cmpstr (page (k), ==, "payment");
  g_assert_cmpstr (label_text (k, "decline_label"), ==,
                   "Your card was declined. Please try another card, or call your bank.");
  after = cp_store_get_invoice (store, inv->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->balance_due, ==, inv->balance_due);
  g_clear_pointer (&after, cp_invoice_free);

  /* Another card on the same page: paid. */
  {
    WebKitWebView *web_view = cp_payment_view_get_web_view (pv);
    graphene_rect_t frame;
    guint incomplete = 0;
    gulong id = g_signal_connect_swapped (pv, "notify::complete", G_CALLBACK (count_incomplete), &incomplete);

    /* The message above the card moved the page down: let it settle. */
    test_web_spin (1000);
    frame = test_web_card_frame (web_view);
    click_at (k, GTK_WIDGET (web_view), frame.origin.x + 100, frame.origin.y + 120);
    test_web_xdo ("key", "ctrl+a", NULL);
    test_web_xdo ("type", "--delay", "30", "4242 4242 4242 4242", NULL);
    if (g_getenv ("KIOSK_DEBUG") != NULL)
      import_screenshot (k, "debug-retyped.png");
    WAIT_UNTIL (incomplete > 0 && cp_payment_view_get_complete (pv), 30);
    g_signal_handler_disconnect (pv, id);
  }
  if (g_getenv ("KIOSK_DEBUG") != NULL)
    import_screenshot (k, "debug-another.png");
  click_pay (k);
  WAIT_UNTIL (g_strcmp0 (page (k), "confirmation") == 0, 90);
  pi = g_strdup (label_text (k, "confirmation_number_label"));
  g_assert_true (recorded_as (pi, "succeeded"));
  after = cp_store_get_invoice (store, inv->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->balance_due, ==, 0);
  kiosk_free (k);
}

static void
test_walk_away_cancels_payment (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (1);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  g_autofree char *pi = NULL;

  open_first_invoice (k, patient, inv);
  activate (k, "pay_full_button");
  WAIT_UNTIL (g_strcmp0 (page (k), "payment") == 0, 60);

  /* The patient walks away: the reset cancels the open PaymentIntent at Stripe. */
  pi = g_strdup (cp_kiosk_view_get_open_payment_intent (view_of (k)));
  g_assert_nonnull (pi);
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.reset", NULL);
  g_assert_cmpstr (page (k), ==, "start");
  WAIT_UNTIL (recorded_as (pi, "canceled"), 30);
  kiosk_free (k);
}

/* A bill on screen gets its PaymentIntent and card form ready before Pay is
 * pressed (src/kiosk/cp-kiosk-view.c); leaving the bill cancels that intent. */
static void
test_bill_prepares_payment (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(CpPatient) patient = patient_with_open_invoices (2);
  g_autoptr(GPtrArray) open = open_invoices (patient->id);
  CpInvoiceSummary *inv = g_ptr_array_index (open, 0);
  CpPaymentView *pv = cp_kiosk_view_get_payment_view (view_of (k));
  g_autofree char *pi = NULL;
  g_autofree char *second = NULL;

  open_first_invoice (k, patient, inv);
  WAIT_UNTIL (cp_payment_view_get_state (pv) == CP_PAYMENT_VIEW_STATE_READY, 60);
  g_assert_cmpstr (page (k), ==, "invoice");
  pi = g_strdup (cp_kiosk_view_get_open_payment_intent (view_of (k)));
  g_assert_true (g_str_has_prefix (pi, "pi_"));

  /* Pay: that very intent, its card form already there. */
  activate (k, "pay_full_button");
  g_assert_cmpstr (page (k), ==, "payment");
  g_assert_cmpstr (cp_kiosk_view_get_open_payment_intent (view_of (k)), ==, pi);
  g_assert_cmpint (cp_payment_view_get_state (pv), ==, CP_PAYMENT_VIEW_STATE_READY);

  /* Back to the bill, then to the list: the intent is cancelled at Stripe. */
  activate (k, "payment_cancel_button");
  WAIT_UNTIL (recorded_as (pi, "canceled"), 30);
  gtk_widget_activate_action (GTK_WIDGET (view_of (k)), "view.show-invoices", NULL);
  WAIT_UNTIL (g_strcmp0 (page (k), "invoices") == 0, 30);
  g_assert_null (cp_kiosk_view_get_open_payment_intent (view_of (k)));

  /* Another bill; the patient walks away from it. */
  g_signal_emit_by_name (child (k, "invoices_list"), "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (k, "invoices_list")), 1));
  WAIT_UNTIL (g_strcmp0 (page (k), "invoice") == 0, 30);
  WAIT_UNTIL (cp_kiosk_view_get_open_payment_intent (view_of (k)) != NULL, 60);
  second = g_strdup (cp_kiosk_view_get_open_payment_intent (view_of (k)));
  g_assert_cmpstr (second, !=, pi);
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.reset", NULL);
  WAIT_UNTIL (recorded_as (second, "canceled"), 30);
  kiosk_free (k);
}

static void
test_idle_returns_to_start (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWindow *dialog;

  /* The shortest timeout the schema allows, and a short countdown. */
  g_settings_set_uint (settings, "kiosk-idle-timeout", 15);
  g_object_set (k->window, "countdown", 3, NULL);
  g_assert_cmpuint (15, ==, ({ guint v; g_object_get (k->window, "idle-timeout", &v, NULL); v; }));

  activate (k, "start_button");
  set_text (k, "id_entry", "MRN-100231");

  /* "Keep going" keeps the patient's place. */
  WAIT_UNTIL (cp_kiosk_window_get_countdown (k->window) != NULL, 40);
  dialog = cp_kiosk_window_get_countdown (k->window);
  if (g_getenv ("CAREPAY_SCREENSHOT_DIR") != NULL)
    {
      Kiosk d = { .window = (CpKioskWindow *) dialog };

      WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 10);
      test_web_spin (500);
      import_window (&d, "kiosk-idle.png");
    }
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Are you still there?");
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "Returning to the start in"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_assert_null (cp_kiosk_window_get_countdown (k->window));
  g_assert_cmpstr (page (k), ==, "lookup");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (k, "id_entry"))), ==, "MRN-100231");

  /* Nobody answers: back to the start, everything forgotten. */
  WAIT_UNTIL (cp_kiosk_window_get_countdown (k->window) != NULL, 40);
  WAIT_UNTIL (g_strcmp0 (page (k), "start") == 0, 20);
  g_assert_null (cp_kiosk_window_get_countdown (k->window));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (k, "id_entry"))), ==, "");
  g_settings_reset (settings, "kiosk-idle-timeout");
  kiosk_free (k);
}

static void
test_language_switch (void)
{
  Kiosk *k = kiosk_new ();
  CpKioskView *english = view_of (k);
  GtkWidget *dob_box;

  g_object_add_weak_pointer (G_OBJECT (english), (gpointer *) &english);
  g_assert_cmpstr (cp_kiosk_view_get_language (view_of (k)), ==, "en");
  g_signal_emit_by_name (child (k, "spanish_button"), "clicked");
  /* New pages in Spanish: the old ones are gone. */
  g_assert_true (english == NULL || gtk_widget_get_root (GTK_WIDGET (english)) == NULL);
  WAIT_UNTIL (english == NULL, 10);
  g_assert_cmpstr (cp_kiosk_view_get_language (view_of (k)), ==, "es");
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "es");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (k, "spanish_button"))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child (k, "english_button"))));
  /* In Spanish, where the system has a Spanish locale for it. */
  {
    g_autofree char *old = g_strdup (setlocale (LC_MESSAGES, NULL));
    gboolean have_es = setlocale (LC_MESSAGES, "es_ES.UTF-8") != NULL ||
                       setlocale (LC_MESSAGES, "es_MX.UTF-8") != NULL ||
                       setlocale (LC_MESSAGES, "es_US.UTF-8") != NULL;

    setlocale (LC_MESSAGES, "es");
    setlocale (LC_MESSAGES, old);
    if (have_es && have_spanish_catalog)
      {
        g_autoptr(GString) text = g_string_new (NULL);

        collect_text (GTK_WIDGET (view_of (k)), text);
        g_assert_nonnull (strstr (text->str, "Pague su factura del hospital"));
        g_assert_null (strstr (text->str, "Pay your hospital bill"));
        WAIT_UNTIL (gtk_widget_get_mapped (child (k, "start_button")), 10);
        render_screenshot (k, "kiosk-start-es.png");
      }
    else
      g_test_message ("No Spanish locale or catalog: the strings stay English");
  }
  /* Day, month, year in Spanish order. */
  dob_box = child (k, "dob_box");
  g_assert_true (gtk_widget_get_first_child (dob_box) == child (k, "day_box"));
  g_assert_true (gtk_widget_get_last_child (dob_box) == child (k, "year_box"));

  /* Back from the lookup keeps the language and forgets what was typed. */
  activate (k, "start_button");
  set_text (k, "id_entry", "MRN-100231");
  activate (k, "lookup_back_button");
  g_assert_cmpstr (page (k), ==, "start");
  g_assert_cmpstr (cp_kiosk_view_get_language (view_of (k)), ==, "es");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (k, "id_entry"))), ==, "");

  /* The next patient starts in the kiosk's own language. */
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.reset", NULL);
  g_assert_cmpstr (cp_kiosk_view_get_language (view_of (k)), ==, "en");
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "en");
  {
    g_autoptr(GString) text = g_string_new (NULL);

    collect_text (GTK_WIDGET (view_of (k)), text);
    g_assert_nonnull (strstr (text->str, "Pay your hospital bill"));
  }
  kiosk_free (k);
}

static void
test_close_refused (void)
{
  Kiosk *k = kiosk_new ();
  CpKioskWindow *window = k->window;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (k->window));
  test_web_spin (200);
  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  /* Escape does nothing either. */
  g_signal_emit_by_name (child (k, "start_button"), "clicked");
  test_web_xdo ("key", "--window", window_xid (k), "Escape", NULL);
  g_assert_nonnull (window);
  g_assert_false (cp_kiosk_window_get_unlocked (k->window));
  g_object_remove_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  kiosk_free (k);
}

static void
test_admin_exit (void)
{
  Kiosk *k = kiosk_new ();
  CpKioskWindow *window = k->window;
  GtkWidget *username, *password, *leave, *error_label;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  /* Ctrl+Alt+Q, as staff would press it. */
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.exit", NULL);
  WAIT_UNTIL (cp_kiosk_window_get_exit_dialog (k->window) != NULL, 10);
  cp_kiosk_window_get_exit_widgets (k->window, &username, &password, &leave, &error_label);

  /* A clerk cannot leave kiosk mode. */
  gtk_editable_set_text (GTK_EDITABLE (username), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (password), "clerk");
  g_signal_emit_by_name (leave, "clicked");
  WAIT_UNTIL (gtk_widget_get_visible (error_label), 30);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "Only an administrator can leave kiosk mode.");
  if (g_getenv ("CAREPAY_SCREENSHOT_DIR") != NULL)
    {
      Kiosk d = { .window = (CpKioskWindow *) cp_kiosk_window_get_exit_dialog (k->window) };

      test_web_spin (500);
      import_window (&d, "kiosk-exit.png");
    }
  g_assert_false (cp_kiosk_window_get_unlocked (k->window));
  gtk_window_close (GTK_WINDOW (k->window));
  test_web_spin (100);
  g_assert_nonnull (window);

  /* Nor a wrong password. */
  gtk_editable_set_text (GTK_EDITABLE (username), "admin");
  gtk_editable_set_text (GTK_EDITABLE (password), "not-the-password");
  g_signal_emit_by_name (leave, "clicked");
  WAIT_UNTIL (gtk_widget_is_sensitive (leave) && gtk_widget_get_visible (error_label), 30);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "Wrong username or password.");
  g_assert_false (cp_kiosk_window_get_unlocked (k->window));

  /* The administrator can. */
  gtk_editable_set_text (GTK_EDITABLE (username), "admin");
  gtk_editable_set_text (GTK_EDITABLE (password), "admin");
  g_signal_emit_by_name (leave, "clicked");
  WAIT_UNTIL (window == NULL, 30);
  k->window = NULL;
  kiosk_free (k);
}

static void
test_command_line_option (void)
{
  const char *build = g_getenv ("CAREPAY_BUILD_DIR");
  g_autofree char *exe = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (build == NULL)
    {
      g_test_skip ("CAREPAY_BUILD_DIR is not set");
      return;
    }
  exe = g_build_filename (build, "src", "app", "carepay", NULL);
  {
    const char *argv[] = { exe, "--help", NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--kiosk"));
}

typedef struct {
  CpApplication *app;
  gboolean       kiosk_window;
  gboolean       staff_actions;
  gboolean       ready;
  gboolean       close_refused;
  gboolean       payment_view;
  gint64         deadline;
} AppRun;

static gboolean
app_check (gpointer user_data)
{
  AppRun *run = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  CpKioskView *view;

  if (window == NULL)
    return G_SOURCE_CONTINUE;
  run->kiosk_window = CP_IS_KIOSK_WINDOW (window);
  if (!run->kiosk_window)
    {
      gtk_window_destroy (window);
      return G_SOURCE_REMOVE;
    }
  run->staff_actions = g_action_group_has_action (G_ACTION_GROUP (run->app), "quit") ||
                       g_action_group_has_action (G_ACTION_GROUP (run->app), "preferences");
  view = cp_kiosk_window_get_view (CP_KIOSK_WINDOW (window));
  if (g_strcmp0 (cp_kiosk_view_get_page (view), "start") != 0)
    {
      /* Only stops a hung test; the assertions say what was missing. */
      if (g_get_monotonic_time () > run->deadline)
        {
          gtk_window_destroy (window);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }
  /* The database and the training simulator are both up. */
  run->ready = TRUE;
  run->payment_view = cp_kiosk_view_get_payment_view (view) != NULL;
  gtk_window_close (window);
  run->close_refused = gtk_application_get_active_window (GTK_APPLICATION (run->app)) == window;
  gtk_window_destroy (window);
  return G_SOURCE_REMOVE;
}

/* `carepay --kiosk` through the application itself: its own database (seeded
 * for training) and its own simulator, the kiosk window, no staff action. */
static void
test_application_kiosk_mode (void)
{
  g_autofree char *db = g_build_filename (tmp_dir, "app", "carepay.db", NULL);
  const char *argv[] = { "carepay", "--kiosk", "--db", db, NULL };
  AppRun run = { 0 };
  int status;

  run.app = cp_application_new ();
  run.deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_timeout_add (100, app_check, &run);
  status = g_application_run (G_APPLICATION (run.app), 4, (char **) argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.kiosk_window);
  g_assert_false (run.staff_actions);
  g_assert_true (run.ready);
  g_assert_true (run.payment_view);
  g_assert_true (run.close_refused);
  g_clear_object (&run.app);
}

/* --- setup ---------------------------------------------------------------- */

static void
sim_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  char **url = user_data;
  g_autoptr(GError) error = NULL;

  sim = cp_training_simulator_start_finish (result, url, &error);
  g_assert_no_error (error);
}

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *url = NULL;
  g_autofree char *sim_path = cp_training_simulator_find ();
  g_autoptr(CpStripeConfig) config = NULL;
  g_autoptr(CpStripeClient) client = NULL;
  const char *source = g_getenv ("CAREPAY_SOURCE_DIR");

  tmp_dir = g_dir_make_tmp ("carepay-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmp_dir, "carepay.db", NULL);
  store = CP_STORE (cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error));
  g_assert_no_error (error);
  g_assert_true (cp_seed_demo (store, 0, 0, TODAY, &error));
  g_assert_no_error (error);

  cp_training_simulator_start_async (sim_path, NULL, NULL, sim_started_cb, &url);
  WAIT_UNTIL (url != NULL, 30);
  config = cp_training_stripe_config_new (url);
  client = cp_stripe_client_new (config, NULL, store);
  ledger = cp_ledger_new (store, client);

  if (source != NULL)
    {
      g_autofree char *icons = g_build_filename (source, "data", "icons", NULL);
      g_autofree char *po = g_build_filename (source, "po", "es.po", NULL);
      g_autofree char *mo_dir = g_build_filename (tmp_dir, "locale", "es", "LC_MESSAGES", NULL);
      g_autofree char *mo = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");
      int status = 0;

      gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()), icons);
      /* The Spanish catalog, for the language switch. */
      if (msgfmt != NULL && g_file_test (po, G_FILE_TEST_EXISTS))
        {
          const char *argv[] = { msgfmt, "-o", mo, po, NULL };
          g_autofree char *locale_dir = g_build_filename (tmp_dir, "locale", NULL);

          g_mkdir_with_parents (mo_dir, 0700);
          if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
              g_spawn_check_wait_status (status, NULL))
            {
              bindtextdomain (GETTEXT_PACKAGE, locale_dir);
              bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
              textdomain (GETTEXT_PACKAGE);
              have_spanish_catalog = TRUE;
            }
        }
    }
}

static void
tear_down (void)
{
  g_clear_object (&ledger);
  g_clear_object (&store);
  if (sim != NULL)
    {
      g_subprocess_send_signal (sim, 15);
      g_subprocess_wait (sim, NULL, NULL);
      g_clear_object (&sim);
    }
  if (tmp_dir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
      (void) system (cmd);
      g_clear_pointer (&tmp_dir, g_free);
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  /* CAREPAY_TEXT_SCALE=2 renders the kiosk with text at 200 %, as the
   * desktop's large-text setting does (for screenshots). */
  if (g_getenv ("CAREPAY_TEXT_SCALE") != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-xft-dpi",
                  (int) (96 * 1024 * g_ascii_strtod (g_getenv ("CAREPAY_TEXT_SCALE"), NULL)), NULL);
  adw_init ();

  g_test_add_func ("/carepay/kiosk/command-line-option", test_command_line_option);
  if (cp_training_simulator_find () == NULL)
    {
      g_test_message ("no carepay-stripe-sim: the window tests need it");
      return g_test_run ();
    }
  set_up ();
  g_test_add_func ("/carepay/kiosk/start", test_start);
  g_test_add_func ("/carepay/kiosk/lookup-by-invoice-number", test_lookup_by_invoice_number);
  g_test_add_func ("/carepay/kiosk/lookup-by-mrn-lists-open-invoices", test_lookup_by_mrn_lists_open_invoices);
  g_test_add_func ("/carepay/kiosk/lookup-wrong-then-locked", test_lookup_wrong_then_locked);
  g_test_add_func ("/carepay/kiosk/partial-amount-checked", test_partial_amount_checked);
  g_test_add_func ("/carepay/kiosk/pay-full-balance", test_pay_full_balance);
  g_test_add_func ("/carepay/kiosk/declined-card-then-another", test_declined_card);
  g_test_add_func ("/carepay/kiosk/walk-away-cancels-payment", test_walk_away_cancels_payment);
  g_test_add_func ("/carepay/kiosk/bill-prepares-payment", test_bill_prepares_payment);
  g_test_add_func ("/carepay/kiosk/idle-returns-to-start", test_idle_returns_to_start);
  g_test_add_func ("/carepay/kiosk/language-switch", test_language_switch);
  g_test_add_func ("/carepay/kiosk/close-refused", test_close_refused);
  g_test_add_func ("/carepay/kiosk/admin-exit", test_admin_exit);
  g_test_add_func ("/carepay/kiosk/application-kiosk-mode", test_application_kiosk_mode);

  ret = g_test_run ();
  tear_down ();
  return ret;
}
