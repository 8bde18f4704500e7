/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Composing and sending patient mail against a local SMTP sink (aiosmtpd),
 * whose Python e-mail parser reads back what we sent. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-mail.h"
#include "cp-receipt.h"
#include "mail-test-util.h"

#define TODAY "2026-11-20"

typedef SmtpFixture Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  smtp_fixture_setup (f, TODAY);
  f->config->retry_delay_ms = 100;
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  smtp_fixture_teardown (f);
}

static GHashTable *
vars_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

static void
test_template (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GHashTable) vars = vars_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *text = NULL;
  g_autofree char *bad = NULL;

  g_hash_table_insert (vars, "name", g_strdup ("<b>Ann</b> & \"Co\""));
  g_hash_table_insert (vars, "url", g_strdup (""));
  g_hash_table_insert (vars, "rows_html", g_strdup ("<tr><td>x</td></tr>"));
  g_hash_table_insert (vars, "address", g_strdup ("1 Road\nTown"));

  html = cp_mail_render_template ("Hi {{name}}!{{#url}} Pay: {{url}}{{/url}}{{^url}} No link.{{/url}}"
                                  "<table>{{rows_html}}</table><p>{{address}}</p>",
                                  vars, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (html, ==, "Hi &lt;b&gt;Ann&lt;/b&gt; &amp; &quot;Co&quot;! No link."
                             "<table><tr><td>x</td></tr></table><p>1 Road<br>Town</p>");

  g_hash_table_insert (vars, "url", g_strdup ("https://pay.example/x?a=1&b=2"));
  text = cp_mail_render_template ("Hi {{name}}!{{#url}} Pay: {{url}}{{/url}}{{^url}} No link.{{/url}}",
                                  vars, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "Hi <b>Ann</b> & \"Co\"! Pay: https://pay.example/x?a=1&b=2");

  bad = cp_mail_render_template ("{{nope}}", vars, FALSE, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_FAILED);
  g_assert_null (bad);
  g_clear_error (&error);
  bad = cp_mail_render_template ("{{rows_html}}", vars, FALSE, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_FAILED);
  g_clear_error (&error);
  bad = cp_mail_render_template ("{{#url}}open", vars, FALSE, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_FAILED);
}

static void
test_encode_header (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *ascii = cp_mail_encode_header ("Invoice INV-1 from St. Raymond");
  g_autofree char *injected = cp_mail_encode_header ("Hello\r\nBcc: victim@example.org");
  g_autofree char *spanish = cp_mail_encode_header ("Factura de Clínica San José: 320,00 €");
  g_autofree char *long_text = NULL;
  g_autofree char *encoded = NULL;
  GString *decoded = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  g_autofree char *all = NULL;

  g_assert_cmpstr (ascii, ==, "Invoice INV-1 from St. Raymond");
  g_assert_null (strchr (injected, '\n'));
  g_assert_null (strchr (injected, '\r'));
  g_assert_true (g_str_has_prefix (spanish, "=?UTF-8?B?"));
  g_assert_true (g_str_has_suffix (spanish, "?="));

  /* Long text: several encoded words, each at most 75 characters, folded,
   * cut between characters, decoding back to the text */
  long_text = g_strnfill (40, 'a');
  {
    g_autofree char *tmp = g_strdup_printf ("%s ñandú año über ñandú año über ñandú año über ✓✓✓", long_text);

    g_free (long_text);
    long_text = g_steal_pointer (&tmp);
  }
  encoded = cp_mail_encode_header (long_text);
  words = g_strsplit (encoded, "\r\n ", -1);
  g_assert_cmpuint (g_strv_length (words), >, 1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len;
      g_autofree guchar *raw = NULL;
      g_autofree char *payload = NULL;

      g_assert_cmpuint (strlen (words[i]), <=, 75);
      g_assert_true (g_str_has_prefix (words[i], "=?UTF-8?B?"));
      g_assert_true (g_str_has_suffix (words[i], "?="));
      payload = g_strndup (words[i] + 10, strlen (words[i]) - 12);
      raw = g_base64_decode (payload, &len);
      g_assert_true (g_utf8_validate ((const char *) raw, len, NULL));
      g_string_append_len (decoded, (const char *) raw, len);
    }
  all = g_string_free (decoded, FALSE);
  g_assert_cmpstr (all, ==, long_text);
}

static CpInvoice *
invoice_for (Fixture    *f,
             const char *mrn,
             const char *given,
             const char *family,
             const char *email,
             const char *lang,
             const char *number)
{
  g_autoptr(CpPatient) patient = mail_test_add_patient (&f->base, mrn, given, family, email, lang);
  g_autoptr(CpInvoice) created = mail_test_add_invoice (&f->base, patient, number, "2026-11-01", "2026-12-01");

  return mail_test_get_invoice (&f->base, number);
}

/* The invoice's e-mail from "St. Raymond General Hospital", without a payment link. */
static CpMailMessage *
compose_invoice_mail (CpInvoice *invoice)
{
  g_autoptr(GError) error = NULL;
  CpMailContext context = { 0 };
  CpMailMessage *message;

  context.hospital_name = "St. Raymond General Hospital";
  context.invoice = invoice;
  message = cp_mail_compose (CP_MAIL_KIND_INVOICE, &context, &error);
  g_assert_no_error (error);
  return message;
}

/* The invoice's mail log, which holds exactly one entry. */
static GPtrArray *
single_mail_log (Fixture *f,
                 gint64   invoice_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *log = cp_store_list_mail_log (CP_STORE (f->base.store), invoice_id, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  return log;
}

static void
test_compose_escapes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (&f->base, "MRN-X", "<script>alert('x')</script>",
                                                        "O'Brien & Sons", "xss@example.org", "en");
  g_autoptr(CpInvoice) created = cp_invoice_new ();
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpMailMessage) message = NULL;
  CpLineItem *item = cp_line_item_new ();
  CpMailContext context = { 0 };

  created->patient = cp_patient_copy (patient);
  created->number = g_strdup ("INV-XSS");
  created->issue_date = g_strdup ("2026-11-01");
  created->due_date = g_strdup ("2026-12-01");
  created->currency = g_strdup ("USD");
  created->notes = g_strdup ("<img src=x onerror=alert(1)>");
  item->description = g_strdup ("MRI <b>brain</b> & spine");
  item->quantity = 1;
  item->unit_amount = 50000;
  g_ptr_array_add (created->line_items, item);
  g_assert_true (cp_store_create_invoice (CP_STORE (f->base.store), created, &error));
  g_assert_no_error (error);
  invoice = mail_test_get_invoice (&f->base, "INV-XSS");

  context.hospital_name = "St. Raymond <General>";
  context.hospital_address = "400 Lakeside Avenue\nSpringfield";
  context.invoice = invoice;
  context.pay_url = "https://pay.example/plink_1?a=1&b=\"2\"";
  message = cp_mail_compose (CP_MAIL_KIND_INVOICE, &context, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (message->kind, ==, "invoice");
  g_assert_cmpint (message->invoice_id, ==, invoice->id);
  g_assert_cmpstr (message->to_address, ==, "xss@example.org");
  assert_contains (message->html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; O&#39;Brien &amp; Sons");
  assert_contains (message->html, "MRI &lt;b&gt;brain&lt;/b&gt; &amp; spine");
  assert_contains (message->html, "&lt;img src=x onerror=alert(1)&gt;");
  assert_contains (message->html, "St. Raymond &lt;General&gt;");
  assert_contains (message->html, "href=\"https://pay.example/plink_1?a=1&amp;b=&quot;2&quot;\"");
  assert_contains (message->html, "400 Lakeside Avenue<br>Springfield");
  g_assert_null (strstr (message->html, "<script>"));
  g_assert_null (strstr (message->html, "<img"));
  g_assert_null (strstr (message->html, "<b>brain"));
  g_assert_null (strstr (message->html, "{{"));
  /* The text part is plain: nothing escaped */
  assert_contains (message->text, "Dear <script>alert('x')</script> O'Brien & Sons,");
  assert_contains (message->text, "MRI <b>brain</b> & spine");
  assert_contains (message->text, "https://pay.example/plink_1?a=1&b=\"2\"");
  assert_contains (message->subject, "Invoice INV-XSS from St. Raymond <General>: $500.00 due December 1, 2026");

  /* No address, no message */
  {
    g_autoptr(CpInvoice) other = invoice_for (f, "MRN-NOMAIL", "No", "Mail", NULL, "en", "INV-NOMAIL");
    g_autoptr(CpMailMessage) none = NULL;

    context.invoice = other;
    none = cp_mail_compose (CP_MAIL_KIND_INVOICE, &context, &error);
    g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
    g_assert_null (none);
  }
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} SendResult;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SendResult *r = user_data;

  r->ok = cp_mailer_send_finish (CP_MAILER (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static gboolean
send_and_wait (CpMailer       *mailer,
               CpMailMessage  *message,
               GError        **error)
{
  SendResult r = { g_main_loop_new (NULL, FALSE), FALSE, NULL };

  cp_mailer_send_async (mailer, message, NULL, send_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.ok;
}

static const char *
part_text (JsonObject *msg,
           const char *type)
{
  JsonArray *parts = json_object_get_array_member (msg, "parts");

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (g_str_equal (json_object_get_string_member (part, "type"), type))
        return json_object_has_member (part, "text") ? json_object_get_string_member (part, "text") : "";
    }
  return NULL;
}

static void
test_send_receipt (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (&f->base, "MRN-R1", "Maria", "García",
                                                        "maria@example.org", "en");
  g_autoptr(CpInvoice) created = mail_test_add_invoice (&f->base, patient, "INV-R1", "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GBytes) pdf = NULL;
  CpReceiptHeader header = { "St. Raymond General Hospital", "400 Lakeside Avenue", NULL, CP_PAPER_A4 };
  CpMailContext context = { 0 };
  CpMailLogEntry *entry;
  JsonObject *msg, *pdf_part;
  JsonArray *parts;

  mail_test_add_payment (&f->base, created->id, "pi_3QxMail4242", 32000, "visa", "4242", "2026-11-18T15:04:05Z");
  invoice = mail_test_get_invoice (&f->base, "INV-R1");
  pdf = cp_receipt_render_payment (&header, invoice, g_ptr_array_index (invoice->payments, 0), &error);
  g_assert_no_error (error);

  context.hospital_name = header.name;
  context.hospital_address = header.address;
  context.invoice = invoice;
  context.payment = g_ptr_array_index (invoice->payments, 0);
  context.pdf = pdf;
  message = cp_mail_compose (CP_MAIL_KIND_RECEIPT, &context, &error);
  g_assert_no_error (error);

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  g_assert_true (send_and_wait (mailer, message, &error));
  g_assert_no_error (error);

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  msg = g_ptr_array_index (inbox, 0);
  g_assert_cmpstr (json_object_get_string_member (msg, "mail_from"), ==, "billing@straymond.example");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (msg, "rcpt_tos"), 0), ==,
                   "maria@example.org");
  g_assert_cmpstr (json_object_get_string_member (msg, "from"), ==,
                   "\"St. Raymond Billing\" <billing@straymond.example>");
  g_assert_cmpstr (json_object_get_string_member (msg, "to"), ==, "Maria García <maria@example.org>");
  g_assert_cmpstr (json_object_get_string_member (msg, "subject"), ==,
                   "Receipt for your payment of $320.00 to St. Raymond General Hospital");
  g_assert_cmpstr (json_object_get_string_member (msg, "content_type"), ==, "multipart/mixed");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (msg, "defects")), ==, 0);

  parts = json_object_get_array_member (msg, "parts");
  g_assert_cmpuint (json_array_get_length (parts), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "type"), ==, "text/plain");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "charset"), ==, "utf-8");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 1), "type"), ==, "text/html");
  pdf_part = json_array_get_object_element (parts, 2);
  g_assert_cmpstr (json_object_get_string_member (pdf_part, "type"), ==, "application/pdf");
  g_assert_cmpstr (json_object_get_string_member (pdf_part, "filename"), ==, "receipt-INV-R1.pdf");
  g_assert_cmpint (json_object_get_int_member (pdf_part, "size"), ==, g_bytes_get_size (pdf));

  assert_contains (part_text (msg, "text/plain"), "Dear Maria García,");
  assert_contains (part_text (msg, "text/plain"), "Confirmation number: pi_3QxMail4242");
  assert_contains (part_text (msg, "text/plain"), "Paid with: Visa •••• 4242");
  assert_contains (part_text (msg, "text/plain"), "Your receipt is attached as a PDF.");
  assert_contains (part_text (msg, "text/html"), "<td class=\"amount\">pi_3QxMail4242</td>");
  assert_contains (part_text (msg, "text/html"), "<html lang=\"en\">");

  /* The send log */
  log = single_mail_log (f, invoice->id);
  entry = g_ptr_array_index (log, 0);
  g_assert_cmpstr (entry->kind, ==, "receipt");
  g_assert_cmpstr (entry->recipient, ==, "maria@example.org");
  g_assert_cmpstr (entry->status, ==, "sent");
  g_assert_cmpint (entry->attempts, ==, 1);
  g_assert_nonnull (entry->sent_at);
  g_assert_cmpstr (entry->message_id, ==, json_object_get_string_member (msg, "message_id"));
  g_assert_cmpstr (entry->subject, ==, "Receipt for your payment of $320.00 to St. Raymond General Hospital");
}

static void
test_spanish (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-ES", "José", "Núñez <Peña>", "jose@example.org",
                                              "es", "INV-ES1");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  CpMailContext context = { 0 };
  JsonObject *msg;
  const char *raw_subject;

  g_assert_cmpstr (cp_mail_language_for (invoice->patient), ==, "es");
  context.hospital_name = "Clínica San José";
  context.hospital_address = "Avenida del Puerto 4\nValencia";
  context.invoice = invoice;
  context.pay_url = "https://pay.example/plink_es";
  message = cp_mail_compose (CP_MAIL_KIND_INVOICE, &context, &error);
  g_assert_no_error (error);

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  g_assert_true (cp_mailer_send (mailer, message, NULL, NULL, &error));
  g_assert_no_error (error);

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  msg = g_ptr_array_index (inbox, 0);
  g_assert_cmpstr (json_object_get_string_member (msg, "content_type"), ==, "multipart/alternative");
  g_assert_cmpstr (json_object_get_string_member (msg, "subject"), ==,
                   "Factura INV-ES1 de Clínica San José: 320,00\u00a0$ a pagar antes del 1 de diciembre de 2026");
  raw_subject = json_object_get_string_member (msg, "raw_subject");
  g_assert_true (g_str_has_prefix (raw_subject, "=?UTF-8?B?"));
  g_assert_true (g_str_is_ascii (raw_subject));
  g_assert_cmpstr (json_object_get_string_member (msg, "to"), ==, "\"José Núñez <Peña>\" <jose@example.org>");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (msg, "parts")), ==, 2);
  assert_contains (part_text (msg, "text/plain"), "Estimado/a José Núñez <Peña>:");
  assert_contains (part_text (msg, "text/plain"), "Pague en línea, de forma segura, con tarjeta:\nhttps://pay.example/plink_es");
  assert_contains (part_text (msg, "text/plain"), "Saldo pendiente: 320,00\u00a0$");
  assert_contains (part_text (msg, "text/html"), "<html lang=\"es\">");
  assert_contains (part_text (msg, "text/html"), "Estimado/a José Núñez &lt;Peña&gt;:");
  assert_contains (part_text (msg, "text/html"), "<a class=\"button\" href=\"https://pay.example/plink_es\">Pagar 320,00\u00a0$ en línea</a>");
  g_assert_null (strstr (part_text (msg, "text/html"), "<Peña>"));
}

typedef struct {
  Fixture *f;
  guint    calls;
  guint    last_attempt;
  GError  *first_error;
  GMutex   lock;
  GCond    cond;
  gboolean started;
} RetryState;

/* On the main thread (the sink must not belong to a pool thread, which may
 * end and take it along). */
static gboolean
start_sink_on_main (gpointer user_data)
{
  RetryState *state = user_data;

  if (state->f->sink == NULL)
    state->f->sink = smtp_sink_start (state->f->port, state->f->outdir, NULL);
  g_mutex_lock (&state->lock);
  state->started = TRUE;
  g_cond_signal (&state->cond);
  g_mutex_unlock (&state->lock);
  return G_SOURCE_REMOVE;
}

/* Runs in the sending thread after the first failure: brings the server up. */
static void
start_server_on_retry (CpMailer     *mailer,
                       guint         attempt,
                       const GError *error,
                       gpointer      user_data)
{
  RetryState *state = user_data;

  state->calls++;
  state->last_attempt = attempt;
  if (state->first_error == NULL)
    state->first_error = g_error_copy (error);
  g_main_context_invoke (NULL, start_sink_on_main, state);
  g_mutex_lock (&state->lock);
  while (!state->started)
    g_cond_wait (&state->cond, &state->lock);
  g_mutex_unlock (&state->lock);
}

static void
test_retry_when_down (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-RT", "Ruth", "Tan", "ruth@example.org", "en", "INV-RT");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  RetryState state = { f, 0, 0, NULL };

  g_mutex_init (&state.lock);
  g_cond_init (&state.cond);
  CpMailLogEntry *entry;

  message = compose_invoice_mail (invoice);

  /* Nothing listens on the port yet */
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  cp_mailer_set_retry_func (mailer, start_server_on_retry, &state);
  g_assert_true (send_and_wait (mailer, message, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_cmpuint (state.last_attempt, ==, 1);
  g_assert_error (state.first_error, CP_ERROR, CP_ERROR_NETWORK);
  g_clear_error (&state.first_error);
  g_mutex_clear (&state.lock);
  g_cond_clear (&state.cond);

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);

  log = cp_store_list_mail_log (CP_STORE (f->base.store), 0, "invoice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  entry = g_ptr_array_index (log, 0);
  g_assert_cmpstr (entry->status, ==, "sent");
  g_assert_cmpint (entry->attempts, ==, 2);
  assert_contains (entry->last_error, "Could not reach the mail server 127.0.0.1");
}

static void
test_gives_up (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-GU", "Gus", "Up", "gus@example.org", "en", "INV-GU");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GPtrArray) log = NULL;
  CpMailLogEntry *entry;
  gint64 log_id = 0;

  message = compose_invoice_mail (invoice);

  f->config->max_attempts = 3;
  f->config->retry_delay_ms = 10;
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  g_assert_false (cp_mailer_send (mailer, message, &log_id, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (log_id, >, 0);

  log = single_mail_log (f, invoice->id);
  entry = g_ptr_array_index (log, 0);
  g_assert_cmpint (entry->id, ==, log_id);
  g_assert_cmpstr (entry->status, ==, "failed");
  g_assert_cmpint (entry->attempts, ==, 3);
  g_assert_null (entry->sent_at);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-AU", "Ada", "Uth", "ada@example.org", "en", "INV-AU");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) log = NULL;
  const char *args[] = { "--user", "relay-user", "--password", "s3cret-pass", NULL };
  CpMailLogEntry *entry;

  message = compose_invoice_mail (invoice);
  f->sink = smtp_sink_start (f->port, f->outdir, args);

  /* A wrong password fails at once: no retries */
  {
    g_autoptr(CpMailer) mailer = NULL;

    f->config->username = g_strdup ("relay-user");
    f->config->password = g_strdup ("wrong");
    mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
    g_assert_false (cp_mailer_send (mailer, message, NULL, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_AUTH);
    g_assert_null (strstr (error->message, "wrong"));
    g_clear_error (&error);
  }
  {
    g_autoptr(CpMailer) mailer = NULL;

    g_free (f->config->password);
    f->config->password = g_strdup ("s3cret-pass");
    mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
    g_assert_true (cp_mailer_send (mailer, message, NULL, NULL, &error));
    g_assert_no_error (error);
  }

  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (inbox, 0), "auth"));

  log = cp_store_list_mail_log (CP_STORE (f->base.store), invoice->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 2);
  entry = g_ptr_array_index (log, 0);
  g_assert_cmpstr (entry->status, ==, "failed");
  g_assert_cmpint (entry->attempts, ==, 1);
  g_assert_null (strstr (entry->last_error, "s3cret"));
  entry = g_ptr_array_index (log, 1);
  g_assert_cmpstr (entry->status, ==, "sent");

  /* Never a password in the clear to another machine */
  {
    g_autoptr(CpMailer) mailer = NULL;

    g_free (f->config->host);
    f->config->host = g_strdup ("mail.invalid");
    mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
    g_assert_false (cp_mailer_send (mailer, message, NULL, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  }
}

/* A self-signed certificate for 127.0.0.1, made for the test. */
static void
make_certificate (const char *dir,
                  char      **out_cert,
                  char      **out_key)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char *cert = g_build_filename (dir, "cert.pem", NULL);
  char *key = g_build_filename (dir, "key.pem", NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };

  if (mail_test_run (argv, NULL, &out, &err) != 0)
    g_error ("openssl req failed: %s", err);
  *out_cert = cert;
  *out_key = key;
}

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  gboolean implicit = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-TLS", "Tia", "Ls", "tia@example.org", "en", "INV-TLS");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  make_certificate (f->base.dir, &cert, &key);
  {
    const char *args[] = { "--user", "relay-user", "--password", "s3cret-pass", "--tlscert", cert,
                           "--tlskey", key, implicit ? "--smtps" : NULL, NULL };

    f->sink = smtp_sink_start (f->port, f->outdir, args);
  }
  message = compose_invoice_mail (invoice);

  f->config->security = implicit ? CP_MAIL_SECURITY_TLS : CP_MAIL_SECURITY_STARTTLS;
  f->config->username = g_strdup ("relay-user");
  f->config->password = g_strdup ("s3cret-pass");
  f->config->max_attempts = 1;

  /* The server's certificate is not trusted by the system: refused */
  {
    g_autoptr(CpMailer) mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));

    g_assert_false (cp_mailer_send (mailer, message, NULL, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_NETWORK);
    g_assert_nonnull (strstr (error->message, "certificate"));
    g_test_message ("untrusted certificate: %s", error->message);
    g_clear_error (&error);
  }
  /* Trusting it, the message goes over TLS, authenticated */
  {
    g_autoptr(CpMailer) mailer = NULL;

    f->config->ca_file = g_strdup (cert);
    mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
    cp_mailer_send (mailer, message, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (inbox, 0), "tls"));
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (inbox, 0), "auth"));
}

/* Cancels the send from the sending thread's retry hook: the wait stops. */
static void
cancel_on_retry (CpMailer     *mailer,
                 guint         attempt,
                 const GError *error,
                 gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = invoice_for (f, "MRN-CA", "Cal", "Cel", "cal@example.org", "en", "INV-CA");
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(CpMailer) mailer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) log = NULL;
  SendResult r = { g_main_loop_new (NULL, FALSE), FALSE, NULL };
  CpMailLogEntry *entry;

  message = compose_invoice_mail (invoice);

  /* Nothing listens, and the next attempt would be an hour away */
  f->config->retry_delay_ms = 3600 * 1000;
  mailer = cp_mailer_new (f->config, CP_STORE (f->base.store));
  cp_mailer_set_retry_func (mailer, cancel_on_retry, cancellable);
  cp_mailer_send_async (mailer, message, cancellable, send_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  g_assert_false (r.ok);
  g_assert_error (r.error, CP_ERROR, CP_ERROR_CANCELLED);
  g_clear_error (&r.error);

  log = single_mail_log (f, invoice->id);
  entry = g_ptr_array_index (log, 0);
  g_assert_cmpstr (entry->status, ==, "failed");
  g_assert_cmpint (entry->attempts, ==, 1);
}

/* Names and subjects cannot add headers; the MIME is well formed. */
static void
test_mime_headers (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CpMailMessage) message = cp_mail_message_new ();
  g_autoptr(GBytes) mime = NULL;
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 11, 20, 9, 5, 7);
  g_autofree char *text = NULL;

  message->kind = g_strdup ("invoice\r\nX-Evil: 1");
  message->to_address = g_strdup ("eve@example.org");
  message->to_name = g_strdup ("Eve\r\nBcc: victim@example.org");
  message->subject = g_strdup ("Hello\nBcc: victim@example.org");
  message->text = g_strdup ("line one\nline two\n");
  message->html = g_strdup ("<p>hi</p>");
  mime = cp_mail_message_to_mime (message, "billing@straymond.example", "Billing \"Office\"",
                                  "<id@straymond.example>", date);
  text = g_strndup (g_bytes_get_data (mime, NULL), g_bytes_get_size (mime));

  g_assert_null (strstr (text, "\r\nBcc:"));
  g_assert_null (strstr (text, "\nBcc:"));
  g_assert_null (strstr (text, "\r\nX-Evil:"));
  assert_contains (text, "From: \"Billing \\\"Office\\\"\" <billing@straymond.example>\r\n");
  assert_contains (text, "To: \"Eve  Bcc: victim@example.org\" <eve@example.org>\r\n");
  assert_contains (text, "Subject: Hello Bcc: victim@example.org\r\n");
  assert_contains (text, "Date: Fri, 20 Nov 2026 09:05:07 +0000\r\n");
  assert_contains (text, "Message-ID: <id@straymond.example>\r\n");
  assert_contains (text, "MIME-Version: 1.0\r\n");
  assert_contains (text, "Content-Type: multipart/alternative; boundary=");
  /* Every line ends in CRLF and none is longer than 998 characters */
  for (const char *p = text; *p; )
    {
      const char *nl = strchr (p, '\n');

      g_assert_nonnull (nl);
      g_assert_true (nl > p - 1 && (nl == text || nl[-1] == '\r'));
      g_assert_cmpint (nl - p, <=, 998);
      p = nl + 1;
    }
}

static void
test_ctl_mail (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CpPatient) patient = mail_test_add_patient (&f->base, "MRN-CTL", "Lucía", "Fernández",
                                                        "lucia@example.org", "es");
  g_autoptr(CpInvoice) invoice = mail_test_add_invoice (&f->base, patient, "INV-CTL", "2026-11-01", "2026-12-01");
  g_autoptr(GPtrArray) inbox = NULL;
  g_autofree char *port = g_strdup_printf ("CAREPAY_SMTP_PORT=%u", f->port);
  const char *env[] = { "CAREPAY_SMTP_HOST=127.0.0.1", port, "CAREPAY_SMTP_SECURITY=none",
                        "CAREPAY_SMTP_FROM=Facturación <billing@straymond.example>",
                        "CAREPAY_HOSPITAL_NAME=Clínica San José", NULL };
  const char *dry[] = { CAREPAYCTL, "--db", f->base.db_path, "mail", "INV-CTL", "--kind", "receipt",
                        "--dry-run", NULL };
  const char *real[] = { CAREPAYCTL, "--db", f->base.db_path, "mail", "INV-CTL", "--kind", "receipt", NULL };
  const char *bad[] = { CAREPAYCTL, "--db", f->base.db_path, "mail", "INV-CTL", "--kind", "letter", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *msg;
  JsonArray *parts;

  mail_test_add_payment (&f->base, invoice->id, "pi_ctl_mail", 32000, "visa", "4242", "2026-11-18T15:04:05Z");
  g_clear_object (&f->base.store);

  g_assert_cmpint (mail_test_run (bad, env, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  f->sink = smtp_sink_start (f->port, f->outdir, NULL);
  g_assert_cmpint (mail_test_run (dry, env, &out, &err), ==, 0);
  assert_contains (out, "To: lucia@example.org\n");
  assert_contains (out, "Subject: Recibo de su pago de 320,00\u00a0$ a Clínica San José\n");
  assert_contains (out, "Attachment: receipt-INV-CTL.pdf\n");
  assert_contains (out, "Número de confirmación: pi_ctl_mail");
  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 0);
  g_clear_pointer (&inbox, g_ptr_array_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mail_test_run (real, env, &out, &err), ==, 0);
  assert_contains (out, "Sent the receipt mail of INV-CTL to lucia@example.org");
  inbox = smtp_sink_messages (f->outdir);
  g_assert_cmpuint (inbox->len, ==, 1);
  msg = g_ptr_array_index (inbox, 0);
  g_assert_cmpstr (json_object_get_string_member (msg, "from"), ==, "Facturación <billing@straymond.example>");
  g_assert_cmpstr (json_object_get_string_member (msg, "content_type"), ==, "multipart/mixed");
  parts = json_object_get_array_member (msg, "parts");
  g_assert_cmpuint (json_array_get_length (parts), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 2), "type"), ==,
                   "application/pdf");
}

static void
test_config_env (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpMailConfig) config = NULL;

  g_unsetenv ("CAREPAY_SMTP_HOST");
  config = cp_mail_config_from_env (&error);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_setenv ("CAREPAY_SMTP_HOST", "smtp.example.org", TRUE);
  g_setenv ("CAREPAY_SMTP_PORT", "2525", TRUE);
  g_setenv ("CAREPAY_SMTP_SECURITY", "tls", TRUE);
  g_setenv ("CAREPAY_SMTP_USER", "billing", TRUE);
  g_setenv ("CAREPAY_SMTP_PASSWORD", "pw", TRUE);
  g_setenv ("CAREPAY_SMTP_FROM", "\"St. Raymond Billing\" <billing@straymond.example>", TRUE);
  config = cp_mail_config_from_env (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->host, ==, "smtp.example.org");
  g_assert_cmpuint (config->port, ==, 2525);
  g_assert_cmpint (config->security, ==, CP_MAIL_SECURITY_TLS);
  g_assert_cmpstr (config->username, ==, "billing");
  g_assert_cmpstr (config->password, ==, "pw");
  g_assert_cmpstr (config->from_address, ==, "billing@straymond.example");
  g_assert_cmpstr (config->from_name, ==, "St. Raymond Billing");
  g_clear_pointer (&config, cp_mail_config_free);

  g_setenv ("CAREPAY_SMTP_SECURITY", "maybe", TRUE);
  config = cp_mail_config_from_env (&error);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_setenv ("CAREPAY_SMTP_SECURITY", "starttls", TRUE);
  g_setenv ("CAREPAY_SMTP_FROM", "not an address", TRUE);
  config = cp_mail_config_from_env (&error);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  for (const char *const *k = (const char *const[]) { "HOST", "PORT", "SECURITY", "USER", "PASSWORD", "FROM", NULL };
       *k != NULL; k++)
    {
      g_autofree char *name = g_strdup_printf ("CAREPAY_SMTP_%s", *k);

      g_unsetenv (name);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/carepay/mail/template", test_template);
  ADD ("/carepay/mail/encode-header", test_encode_header);
  ADD ("/carepay/mail/compose-escapes", test_compose_escapes);
  ADD ("/carepay/mail/config-env", test_config_env);
  ADD ("/carepay/mail/send-receipt", test_send_receipt);
  ADD ("/carepay/mail/spanish", test_spanish);
  ADD ("/carepay/mail/retry-when-down", test_retry_when_down);
  ADD ("/carepay/mail/gives-up", test_gives_up);
  ADD ("/carepay/mail/auth", test_auth);
  ADD ("/carepay/mail/cancel", test_cancel);
  ADD ("/carepay/mail/ctl-mail", test_ctl_mail);
  ADD ("/carepay/mail/mime-headers", test_mime_headers);
  g_test_add ("/carepay/mail/starttls", Fixture, GINT_TO_POINTER (FALSE), setup, test_tls, teardown);
  g_test_add ("/carepay/mail/implicit-tls", Fixture, GINT_TO_POINTER (TRUE), setup, test_tls, teardown);
#undef ADD
  return g_test_run ();
}
