/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Receipts from the staff app: the receipt PDF, the same pages printed to a
 * file through GtkPrintOperation, e-mail through a local SMTP sink from the
 * invoice detail (its Sent Messages list), and a relay that is down. With
 * CAREPAY_SCREENSHOT_DIR set, the e-mail case saves
 * invoice-receipt-actions.png there. */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-invoice-detail.h"
#include "cp-kiosk-receipt.h"
#include "cp-receipt-actions.h"
#include "mail-test-util.h"
#include "test-app-util.h"

typedef struct {
  MailFixture  base;
  CpPatient   *patient;
  CpInvoice   *invoice;
  char        *outdir;
  guint16      port;
  SmtpSink    *sink;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CpInvoice) added = NULL;

  mail_fixture_setup (&f->base);
  f->patient = mail_test_add_patient (&f->base, "MRN-7001", "Maria", "García",
                                      "maria@example.org", "en");
  added = mail_test_add_invoice (&f->base, f->patient, "INV-2026-0777", "2026-11-01", "2026-12-01");
  mail_test_add_payment (&f->base, added->id, "pi_3RcptAppTest01", 32000, "visa", "4242",
                         "2026-11-20T15:04:05Z");
  f->invoice = mail_test_get_invoice (&f->base, "INV-2026-0777");
  f->outdir = g_build_filename (f->base.dir, "inbox", NULL);
  f->port = mail_test_free_port ();

  g_settings_set_string (settings, "hospital-name", "St. Raymond General Hospital");
  g_settings_set_string (settings, "hospital-address", "1 Harbour Road\nPortsmouth");
  g_settings_set_string (settings, "smtp-host", "127.0.0.1");
  g_settings_set_uint (settings, "smtp-port", f->port);
  g_settings_set_enum (settings, "smtp-security", 0);
  g_settings_set_string (settings, "smtp-username", "");
  g_settings_set_string (settings, "smtp-from", "billing@straymond.example");
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_pointer (&f->sink, smtp_sink_stop);
  g_clear_pointer (&f->invoice, cp_invoice_free);
  g_clear_pointer (&f->patient, cp_patient_free);
  mail_fixture_teardown (&f->base);
  g_free (f->outdir);
}

static void
assert_receipt_text (const char *text)
{
  assert_contains (text, "St. Raymond General Hospital");
  assert_contains (text, "INV-2026-0777");
  assert_contains (text, "$320.00");
  assert_contains (text, "Visa •••• 4242");
  assert_contains (text, "pi_3RcptAppTest01");
}

static char *
file_pdf_text (Fixture    *f,
               const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (length > 4 && memcmp (contents, "%PDF", 4) == 0);
  bytes = g_bytes_new (contents, length);
  return mail_test_pdf_text (bytes, f->base.dir);
}

static void
test_save_pdf (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = cp_receipt_actions_render_receipt (f->invoice, &error);
  g_autoptr(GBytes) statement = NULL;
  g_autofree char *path = g_build_filename (f->base.dir, "receipt.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *statement_text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  g_assert_true (cp_receipt_save (pdf, path, &error));
  g_assert_no_error (error);
  text = file_pdf_text (f, path);
  assert_receipt_text (text);

  /* The patient's statement: nothing is open on this paid-in-full invoice */
  statement = cp_receipt_actions_render_statement (CP_STORE (f->base.store), f->invoice, &error);
  g_assert_no_error (error);
  statement_text = mail_test_pdf_text (statement, f->base.dir);
  assert_contains (statement_text, "MRN-7001");
}

static void
test_print_to_file (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->base.dir, "printed.pdf", NULL);
  g_autofree char *text = NULL;
  GtkPrintOperationResult result;

  result = cp_receipt_actions_print_receipt (NULL, f->invoice, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  text = file_pdf_text (f, path);
  assert_receipt_text (text);
}

typedef struct {
  GtkWidget *window;
  GtkWidget *detail;
} Shown;

static void
show_detail (Fixture *f,
             Shown   *shown)
{
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  shown->window = gtk_window_new ();
  shown->detail = cp_invoice_detail_new ();
  gtk_window_set_default_size (GTK_WINDOW (shown->window), 720, 1100);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), shown->detail);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), scrolled);
  gtk_window_set_child (GTK_WINDOW (shown->window), overlay);
  cp_invoice_detail_set_store (CP_INVOICE_DETAIL (shown->detail), CP_STORE (f->base.store));
  cp_invoice_detail_show_invoice (CP_INVOICE_DETAIL (shown->detail), f->invoice->id);
  gtk_window_present (GTK_WINDOW (shown->window));
  SPIN_UNTIL (cp_invoice_detail_get_invoice (CP_INVOICE_DETAIL (shown->detail)) != NULL, 20);
  spin_briefly (100);
}

static gboolean
widget_named (GtkWidget     *widget,
              gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static GtkWidget *
mail_row (Shown      *shown,
          const char *status)
{
  return find_widget (shown->detail, ADW_TYPE_ACTION_ROW, widget_named, status);
}

static const char *
last_message (Shown *shown)
{
  return g_object_get_data (G_OBJECT (shown->detail), CP_RECEIPT_ACTIONS_MESSAGE);
}

static void
test_email (Fixture       *f,
            gconstpointer  data)
{
  Shown shown;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  JsonObject *msg;
  GtkWidget *row;

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  show_detail (f, &shown);
  g_assert_true (gtk_widget_is_sensitive (find_action_button (shown.detail, "invoice.print-receipt")));
  g_assert_true (gtk_widget_is_sensitive (find_action_button (shown.detail, "invoice.email-receipt")));
  g_assert_nonnull (find_widget (shown.detail, ADW_TYPE_ACTION_ROW, NULL, NULL));
  g_assert_null (mail_row (&shown, "sent"));

  g_assert_true (gtk_widget_activate_action (shown.detail, "invoice.email-receipt", NULL));
  SPIN_UNTIL (mail_row (&shown, "sent") != NULL, 60);
  g_assert_cmpstr (last_message (&shown), ==, "Receipt e-mailed");

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  msg = g_ptr_array_index (inbox, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (msg, "rcpt_tos"), 0), ==,
                   "maria@example.org");
  g_assert_cmpstr (json_object_get_string_member (msg, "content_type"), ==, "multipart/mixed");

  log = cp_store_list_mail_log (CP_STORE (f->base.store), f->invoice->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpstr (((CpMailLogEntry *) log->pdata[0])->status, ==, "sent");
  g_assert_cmpstr (((CpMailLogEntry *) log->pdata[0])->kind, ==, "receipt");

  row = mail_row (&shown, "sent");
  assert_contains (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "maria@example.org");
  assert_contains (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Receipt");

  if (dir != NULL)
    save_screenshot (shown.window, dir, "invoice-receipt-actions.png");
  gtk_window_destroy (GTK_WINDOW (shown.window));
}

static void
test_email_server_down (Fixture       *f,
                        gconstpointer  data)
{
  Shown shown;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  CpMailLogEntry *entry;

  /* No sink on f->port: every attempt is refused, retried with backoff, then failed */
  show_detail (f, &shown);
  g_assert_true (gtk_widget_activate_action (shown.detail, "invoice.email-receipt", NULL));
  SPIN_UNTIL (mail_row (&shown, "failed") != NULL, 120);
  assert_contains (last_message (&shown), "Could not e-mail the receipt");
  /* Enabled again for another try */
  g_assert_true (gtk_widget_is_sensitive (find_action_button (shown.detail, "invoice.email-receipt")));

  log = cp_store_list_mail_log (CP_STORE (f->base.store), f->invoice->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  entry = log->pdata[0];
  g_assert_cmpstr (entry->status, ==, "failed");
  g_assert_cmpstr (entry->recipient, ==, "maria@example.org");
  g_assert_nonnull (entry->last_error);
  gtk_window_destroy (GTK_WINDOW (shown.window));
}

static void
test_actions_disabled_without_payment (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(CpInvoice) unpaid = mail_test_add_invoice (&f->base, f->patient, "INV-2026-0778",
                                                       "2026-11-01", "2026-12-01");
  Shown shown;

  g_clear_pointer (&f->invoice, cp_invoice_free);
  f->invoice = mail_test_get_invoice (&f->base, "INV-2026-0778");
  show_detail (f, &shown);
  g_assert_false (gtk_widget_is_sensitive (find_action_button (shown.detail, "invoice.print-receipt")));
  g_assert_false (gtk_widget_is_sensitive (find_action_button (shown.detail, "invoice.email-receipt")));
  g_assert_null (cp_receipt_actions_render_receipt (f->invoice, NULL));
  gtk_window_destroy (GTK_WINDOW (shown.window));
}

/* The kiosk's confirmation page: printed without a dialog, e-mailed only
 * to the address on file */
static void
test_kiosk_print (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->base.dir, "kiosk.pdf", NULL);
  g_autofree char *text = NULL;

  g_assert_true (cp_kiosk_receipt_print (NULL, CP_STORE (f->base.store), f->invoice->id,
                                         "pi_3RcptAppTest01", NULL, path, &error));
  g_assert_no_error (error);
  text = file_pdf_text (f, path);
  assert_receipt_text (text);
  g_clear_pointer (&text, g_free);

  /* In the language the patient chose at the kiosk, whatever the record says */
  g_assert_true (cp_kiosk_receipt_print (NULL, CP_STORE (f->base.store), f->invoice->id,
                                         "pi_3RcptAppTest01", "es", path, &error));
  g_assert_no_error (error);
  text = file_pdf_text (f, path);
  g_assert_nonnull (strstr (text, "noviembre"));

  g_assert_false (cp_kiosk_receipt_print (NULL, CP_STORE (f->base.store), f->invoice->id,
                                          "pi_NoSuchPayment", NULL, path, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
}

static void
kiosk_email_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  if (!cp_kiosk_receipt_email_finish (result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "sent");   /* done marker */
}

static void
test_kiosk_email (Fixture       *f,
                  gconstpointer  data)
{
  GError *outcome = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) nomail = NULL;
  g_autoptr(CpInvoice) other = NULL;
  JsonObject *msg;

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  cp_kiosk_receipt_email_async (CP_STORE (f->base.store), f->invoice->id, "pi_3RcptAppTest01", NULL,
                                kiosk_email_cb, &outcome);
  SPIN_UNTIL (outcome != NULL, 60);
  g_assert_error (outcome, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&outcome);
  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  msg = g_ptr_array_index (inbox, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (msg, "rcpt_tos"), 0), ==,
                   "maria@example.org");
  log = cp_store_list_mail_log (CP_STORE (f->base.store), f->invoice->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpstr (((CpMailLogEntry *) log->pdata[0])->status, ==, "sent");

  /* No address on file: nothing is sent */
  nomail = mail_test_add_patient (&f->base, "MRN-7002", "Tom", "Field", NULL, "en");
  other = mail_test_add_invoice (&f->base, nomail, "INV-2026-0779", "2026-11-01", "2026-12-01");
  mail_test_add_payment (&f->base, other->id, "pi_3RcptAppTest02", 32000, "visa", "4242",
                         "2026-11-20T15:05:00Z");
  cp_kiosk_receipt_email_async (CP_STORE (f->base.store), other->id, "pi_3RcptAppTest02", NULL,
                                kiosk_email_cb, &outcome);
  SPIN_UNTIL (outcome != NULL, 60);
  g_assert_error (outcome, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&outcome);
  g_clear_pointer (&inbox, g_ptr_array_unref);
  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/carepay/app-receipts/" name, Fixture, NULL, setup, func, teardown)
  ADD ("save-pdf", test_save_pdf);
  ADD ("print-to-file", test_print_to_file);
  ADD ("email", test_email);
  ADD ("email-server-down", test_email_server_down);
  ADD ("disabled-without-payment", test_actions_disabled_without_payment);
  ADD ("kiosk-print", test_kiosk_print);
  ADD ("kiosk-email", test_kiosk_email);
#undef ADD
  return g_test_run ();
}
