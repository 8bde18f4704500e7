/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PDF receipts and statements: rendered, then read back with poppler's
 * pdftotext and rasterised with pdftoppm. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "cp-language.h"
#include "cp-receipt.h"
#include "mail-test-util.h"

#define TODAY "2026-11-20"
#define HOSPITAL "St. Raymond General Hospital"

static const CpReceiptHeader header = {
  HOSPITAL, "400 Lakeside Avenue\nSpringfield, IL 62701\n(217) 555-0100", NULL, CP_PAPER_A4,
};

static void
setup (MailFixture   *f,
       gconstpointer  data)
{
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  mail_fixture_setup (f);
}

static void
teardown (MailFixture   *f,
          gconstpointer  data)
{
  mail_fixture_teardown (f);
}

/* Text with runs of spaces collapsed, so table layout does not matter. */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (*p == ' ' || *p == '\t')
        {
          space = TRUE;
          continue;
        }
      if (space && out->len > 0 && *p != '\n')
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
squeeze_free (char *text)
{
  char *out = squeeze (text);

  g_free (text);
  return out;
}

/* A PDF's text as pdftotext gives it, runs of blanks squeezed. */
static char *
pdf_flat_text (GBytes     *pdf,
               const char *dir)
{
  return squeeze_free (mail_test_pdf_text (pdf, dir));
}

/* A file carepayctl wrote. */
static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Share of pixels that are not near-white in the first page, at 50 dpi. */
static double
ink_coverage (GBytes     *pdf,
              const char *dir,
              const char *keep_png)
{
  g_autofree char *pdf_path = g_build_filename (dir, "page.pdf", NULL);
  g_autofree char *png_prefix = g_build_filename (dir, "page", NULL);
  g_autofree char *png_path = g_build_filename (dir, "page.png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                         pdf_path, png_prefix, NULL };
  cairo_surface_t *image;
  int w, h, stride, inked = 0;
  unsigned char *data;

  g_file_set_contents (pdf_path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_test_run (argv, NULL, &out, &err), ==, 0);
  image = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  w = cairo_image_surface_get_width (image);
  h = cairo_image_surface_get_height (image);
  stride = cairo_image_surface_get_stride (image);
  data = cairo_image_surface_get_data (image);
  g_assert_cmpint (w, >, 300);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(guint32 *) (gpointer) (data + y * stride + x * 4);
        int r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;

        if (r < 200 || g < 200 || b < 200)
          inked++;
      }
  cairo_surface_destroy (image);
  if (keep_png != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;

      g_file_get_contents (png_path, &contents, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (keep_png, contents, len, &error);
      g_assert_no_error (error);
    }
  return (double) inked / (w * h);
}

static void
test_payment_receipt (MailFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-1001", "Maria", "García",
                                                        "maria@example.org", "en");
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, "INV-2026-000101",
                                                        "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *flat = NULL;
  const CpPayment *payment;
  double coverage;

  mail_test_add_payment (f, created->id, "pi_3QxReceipt4242", 32000, "visa", "4242",
                         "2026-11-18T15:04:05Z");
  invoice = mail_test_get_invoice (f, "INV-2026-000101");
  g_assert_cmpuint (invoice->payments->len, ==, 1);
  payment = g_ptr_array_index (invoice->payments, 0);

  pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (pdf, NULL), "%PDF-"));

  flat = pdf_flat_text (pdf, f->dir);
  assert_contains (flat, HOSPITAL);
  assert_contains (flat, "400 Lakeside Avenue");
  assert_contains (flat, "Receipt");
  assert_contains (flat, "INV-2026-000101");
  assert_contains (flat, "Maria García");
  assert_contains (flat, "MRN-1001");
  assert_contains (flat, "pi_3QxReceipt4242");
  assert_contains (flat, "Visa •••• 4242");
  /* In the hospital's time zone (TZ is US Central here). */
  assert_contains (flat, "November 18, 2026, 9:04 AM CST");
  assert_contains (flat, "Issued November 1, 2026");
  assert_contains (flat, "$320.00");               /* amount paid and total */
  assert_contains (flat, "Chest X-ray, two views");
  assert_contains (flat, "Physiotherapy session");
  assert_contains (flat, "$125.00");
  assert_contains (flat, "$65.00");
  assert_contains (flat, "$195.00");
  assert_contains (flat, "Balance due $0.00");

  coverage = ink_coverage (pdf, f->dir, g_getenv ("CAREPAY_RECEIPT_PNG"));
  g_test_message ("inked share of page 1: %.3f", coverage);
  g_assert_cmpfloat (coverage, >, 0.01);
  g_assert_cmpfloat (coverage, <, 0.5);
}

static void
test_refund_receipt (MailFixture   *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-1002", "John", "Smith",
                                                        "john@example.org", "en");
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, "INV-2026-000102",
                                                        "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpRefund) refund = cp_refund_new ();
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *flat = NULL;
  CpPayment *payment;

  mail_test_add_payment (f, created->id, "pi_3QxRefund0005", 32000, "mastercard", "4444",
                         "2026-11-10T09:00:00Z");
  invoice = mail_test_get_invoice (f, "INV-2026-000102");
  payment = g_ptr_array_index (invoice->payments, 0);
  refund->invoice_id = invoice->id;
  refund->payment_id = payment->id;
  refund->stripe_refund_id = g_strdup ("re_3QxRefund0005");
  refund->amount = 6500;
  refund->currency = g_strdup ("USD");
  refund->status = g_strdup ("succeeded");
  refund->created_at = g_strdup ("2026-11-19T11:30:00Z");
  g_assert_true (cp_store_record_refund (CP_STORE (f->store), refund, &error));
  g_assert_no_error (error);
  g_clear_pointer (&invoice, cp_invoice_free);
  invoice = mail_test_get_invoice (f, "INV-2026-000102");

  pdf = cp_receipt_render_refund (&header, invoice, refund, &error);
  g_assert_no_error (error);
  flat = pdf_flat_text (pdf, f->dir);
  assert_contains (flat, "Refund receipt");
  assert_contains (flat, "re_3QxRefund0005");
  assert_contains (flat, "pi_3QxRefund0005");
  assert_contains (flat, "Mastercard •••• 4444");
  assert_contains (flat, "$65.00");
  assert_contains (flat, "Refunded $65.00");
  assert_contains (flat, "November 19, 2026, 5:30 AM CST");
}

static void
test_markup_is_literal (MailFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-1003", "<b>Bobby</b> & <i>",
                                                        "\"Tables\" <script>alert(1)</script>",
                                                        "bobby@example.org", "en");
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, "INV-2026-000103",
                                                        "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *text = NULL;
  const CpPayment *payment;

  mail_test_add_payment (f, created->id, "pi_markup", 1000, "visa", "4242", "2026-11-18T10:00:00Z");
  invoice = mail_test_get_invoice (f, "INV-2026-000103");
  payment = g_ptr_array_index (invoice->payments, 0);
  pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  g_assert_no_error (error);
  text = mail_test_pdf_text (pdf, f->dir);
  assert_contains (text, "<b>Bobby</b> & <i> \"Tables\" <script>alert(1)");
  g_assert_null (strstr (text, "&amp;"));
  g_assert_null (strstr (text, "&lt;"));
}

static CpInvoice *
statement_invoice (MailFixture *f,
                   CpPatient   *patient,
                   const char  *number,
                   const char  *due,
                   gint64       paid)
{
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, number, "2026-06-01", due);

  if (paid > 0)
    {
      g_autofree char *pi = g_strdup_printf ("pi_%s", number);

      mail_test_add_payment (f, created->id, pi, paid, "visa", "4242", "2026-07-01T10:00:00Z");
    }
  return mail_test_get_invoice (f, number);
}

static void
test_statement_aging (MailFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-2001", "Ana", "López",
                                                        "ana@example.org", "es");
  g_autoptr(GPtrArray) invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_free);
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *flat = NULL;
  CpReceiptHeader english = header;

  /* Today is 2026-11-20. Balances 320.00 less what was paid. */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-A-CURRENT", "2026-11-25", 0));     /* 320.00 current */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-B-10DAYS", "2026-11-10", 1000));   /* 310.00, 10 days */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-C-45DAYS", "2026-10-06", 2000));   /* 300.00, 45 days */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-D-90DAYS", "2026-08-22", 3000));   /* 290.00, 90 days */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-E-91DAYS", "2026-08-21", 4000));   /* 280.00, 91 days */
  g_ptr_array_add (invoices, statement_invoice (f, patient, "INV-F-PAID", "2026-09-01", 32000));    /* paid: not shown */

  g_assert_cmpint (cp_aging_bucket_for_days (0), ==, CP_AGING_CURRENT);
  g_assert_cmpint (cp_aging_bucket_for_days (-5), ==, CP_AGING_CURRENT);
  g_assert_cmpint (cp_aging_bucket_for_days (1), ==, CP_AGING_1_30);
  g_assert_cmpint (cp_aging_bucket_for_days (30), ==, CP_AGING_1_30);
  g_assert_cmpint (cp_aging_bucket_for_days (31), ==, CP_AGING_31_60);
  g_assert_cmpint (cp_aging_bucket_for_days (60), ==, CP_AGING_31_60);
  g_assert_cmpint (cp_aging_bucket_for_days (61), ==, CP_AGING_61_90);
  g_assert_cmpint (cp_aging_bucket_for_days (90), ==, CP_AGING_61_90);
  g_assert_cmpint (cp_aging_bucket_for_days (91), ==, CP_AGING_OVER_90);
  g_assert_cmpint (cp_days_between ("2026-08-21", TODAY), ==, 91);
  g_assert_cmpint (cp_days_between ("2026-11-25", TODAY), ==, -5);
  g_assert_cmpint (cp_days_between ("not a date", TODAY), ==, G_MININT);

  /* Ana reads Spanish; this one is printed in English on purpose (the
   * Spanish statement is test_spanish_documents). */
  english.language = "en";
  pdf = cp_receipt_render_statement (&english, patient, invoices, TODAY, &error);
  g_assert_no_error (error);
  flat = pdf_flat_text (pdf, f->dir);
  assert_contains (flat, "Statement");
  assert_contains (flat, "Statement date November 20, 2026");
  assert_contains (flat, "Ana López");
  assert_contains (flat, "MRN-2001");
  assert_contains (flat, "Current 1–30 days 31–60 days 61–90 days Over 90 days");
  assert_contains (flat, "$320.00 $310.00 $300.00 $290.00 $280.00");
  assert_contains (flat, "Total due $1,500.00");
  assert_contains (flat, "INV-B-10DAYS Jun 1, 2026 Nov 10, 2026 10 $320.00 $10.00 $310.00");
  assert_contains (flat, "INV-E-91DAYS Jun 1, 2026 Aug 21, 2026 91 $320.00 $40.00 $280.00");
  g_assert_null (strstr (flat, "INV-F-PAID"));
}

/* A patient who prefers Spanish gets Spanish documents (issue #5) while the
 * program runs in English: labels from po/es.po, long dates in Spanish, local
 * time, and es_ES numbers; the header can still ask for English (the kiosk
 * passes the language the patient chose there). */
static void
test_spanish_documents (MailFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-3001", "Lucía", "Ortega",
                                                        "lucia@example.org", "es-MX");
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, "INV-2026-000301",
                                                        "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GBytes) english_pdf = NULL;
  g_autoptr(GBytes) statement = NULL;
  g_autoptr(GPtrArray) invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_free);
  g_autofree char *text = NULL;
  g_autofree char *english_text = NULL;
  g_autofree char *statement_text = NULL;
  CpReceiptHeader english = header;
  const CpPayment *payment;

  {
    g_autoptr(CpLanguageScope) probe = cp_language_scope_push ("es");

    if (probe == NULL)
      {
        g_test_skip ("No Spanish locale installed (build-aux/install-deps generates es_ES.UTF-8)");
        return;
      }
  }
  mail_test_add_payment (f, created->id, "pi_3QxSpanish42", 32000, "visa", "4242",
                         "2026-11-18T15:04:05Z");
  invoice = mail_test_get_invoice (f, "INV-2026-000301");
  payment = g_ptr_array_index (invoice->payments, 0);

  pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  g_assert_no_error (error);
  text = pdf_flat_text (pdf, f->dir);
  assert_contains (text, "Recibo");
  assert_contains (text, "FECHA DE PAGO");
  assert_contains (text, "18 de noviembre de 2026, 9:04 CST");
  assert_contains (text, "Emitida 1 de noviembre de 2026");
  assert_contains (text, "Saldo pendiente");
  assert_contains (text, "320,00");
  g_assert_null (strstr (text, "Receipt"));
  g_assert_null (strstr (text, "Balance due"));
  g_assert_null (strstr (text, "$320.00"));

  /* This thread is back in the program's language afterwards. */
  g_assert_cmpstr (cp_aging_bucket_label (CP_AGING_CURRENT), ==, "Current");

  english.language = "en";
  english_pdf = cp_receipt_render_payment (&english, invoice, payment, &error);
  g_assert_no_error (error);
  english_text = pdf_flat_text (english_pdf, f->dir);
  assert_contains (english_text, "Receipt");
  assert_contains (english_text, "November 18, 2026, 9:04 AM CST");
  assert_contains (english_text, "$320.00");

  {
    g_autoptr(CpInvoice) open = mail_test_add_invoice (f, patient, "INV-2026-000302", "2026-11-01", "2026-12-01");

    g_ptr_array_add (invoices, mail_test_get_invoice (f, "INV-2026-000302"));
  }
  statement = cp_receipt_render_statement (&header, patient, invoices, TODAY, &error);
  g_assert_no_error (error);
  statement_text = pdf_flat_text (statement, f->dir);
  assert_contains (statement_text, "Estado de cuenta");
  assert_contains (statement_text, "Fecha del estado de cuenta 20 de noviembre de 2026");
  assert_contains (statement_text, "Al corriente");
  assert_contains (statement_text, "INV-2026-000302 1 nov 2026 1 dic 2026");
}

static char *
run_poppler (const char *tool,
             GBytes     *pdf,
             const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "tool.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *list_argv[] = { tool, "-list", path, NULL };
  const char *plain_argv[] = { tool, path, NULL };

  g_file_set_contents (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_test_run (g_str_equal (tool, "pdfimages") ? list_argv : plain_argv,
                                  NULL, &out, &err), ==, 0);
  return g_steal_pointer (&out);
}

static void
test_card_paper_logo (MailFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-3001", "Lee", "Park", NULL, NULL);
  g_autoptr(CpInvoice) created = mail_test_add_invoice (f, patient, "INV-P", "2026-11-01", "2026-12-01");
  g_autoptr(CpInvoice) invoice = NULL;
  g_autofree char *logo = g_build_filename (f->dir, "logo.png", NULL);
  CpReceiptHeader with = header;
  const CpPayment *payment;
  struct { CpPaperSize paper; const char *expect; } papers[] = {
    { CP_PAPER_A4, "595.28 x 841.89 pts (A4)" },
    { CP_PAPER_LETTER, "612 x 792 pts (letter)" },
  };
  struct { const char *brand, *last4, *expect; } cards[] = {
    { "visa", "4242", "Visa •••• 4242" },
    { "amex", "0005", "American Express •••• 0005" },
    { "mastercard", NULL, "Mastercard" },
    { NULL, "1111", "Card •••• 1111" },
    { "newbrand", "9999", "Newbrand •••• 9999" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      g_autofree char *name = cp_card_display_name (cards[i].brand, cards[i].last4);

      g_assert_cmpstr (name, ==, cards[i].expect);
    }

  mail_test_add_payment (f, created->id, "pi_paper", 32000, "visa", "4242", "2026-11-18T10:00:00Z");
  invoice = mail_test_get_invoice (f, "INV-P");
  payment = g_ptr_array_index (invoice->payments, 0);

  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 96, 48);
    cairo_t *cr = cairo_create (surface);

    cairo_set_source_rgb (cr, 0.1, 0.4, 0.7);
    cairo_paint (cr);
    cairo_destroy (cr);
    g_assert_cmpint (cairo_surface_write_to_png (surface, logo), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (surface);
  }
  with.logo_path = logo;

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr(GBytes) pdf = NULL;
      g_autofree char *info = NULL;
      g_autofree char *images = NULL;
      g_auto(GStrv) image_lines = NULL;

      with.paper = papers[i].paper;
      pdf = cp_receipt_render_payment (&with, invoice, payment, &error);
      g_assert_no_error (error);
      info = squeeze_free (run_poppler ("pdfinfo", pdf, f->dir));
      assert_contains (info, papers[i].expect);
      assert_contains (info, "Pages: 1\n");
      images = run_poppler ("pdfimages", pdf, f->dir);
      /* header line, rule, and one image: the logo */
      image_lines = g_strsplit (g_strstrip (images), "\n", -1);
      g_assert_cmpuint (g_strv_length (image_lines), ==, 3);
    }

  /* A missing logo is left out, not an error */
  with.logo_path = "/nonexistent/logo.png";
  {
    g_autoptr(GBytes) pdf = cp_receipt_render_payment (&with, invoice, payment, &error);

    g_assert_no_error (error);
    g_assert_nonnull (pdf);
  }
}

static void
test_many_items_paginate (MailFixture   *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-4001", "Long", "Stay", NULL, NULL);
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;

  invoice->patient = cp_patient_copy (patient);
  invoice->number = g_strdup ("INV-LONG");
  invoice->issue_date = g_strdup ("2026-11-01");
  invoice->due_date = g_strdup ("2026-12-01");
  invoice->currency = g_strdup ("USD");
  for (int i = 0; i < 80; i++)
    {
      CpLineItem *item = cp_line_item_new ();

      item->description = g_strdup_printf ("Inpatient day %d, semi-private room", i + 1);
      item->quantity = 1;
      item->unit_amount = 150000;
      item->service_date = g_strdup ("2026-10-01");
      g_ptr_array_add (invoice->line_items, item);
    }
  g_assert_true (cp_invoice_compute (invoice, TODAY, &error));
  payment->stripe_payment_intent_id = g_strdup ("pi_long");
  payment->amount = 1000;
  payment->currency = g_strdup ("USD");
  pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  g_assert_no_error (error);
  info = squeeze_free (run_poppler ("pdfinfo", pdf, f->dir));
  assert_contains (info, "Pages: 3\n");
  text = mail_test_pdf_text (pdf, f->dir);
  assert_contains (text, "Inpatient day 1,");
  assert_contains (text, "Inpatient day 80,");
  assert_contains (text, "(continued)");
  assert_contains (text, "Page 2");
  assert_contains (text, "$120,000.00");
}

static void
test_ctl_receipt_and_statement (MailFixture   *f,
                                gconstpointer  data)
{
  g_autoptr(CpPatient) patient = mail_test_add_patient (f, "MRN-5001", "Olga", "Ivanova",
                                                        "olga@example.org", "en");
  g_autoptr(CpInvoice) paid = mail_test_add_invoice (f, patient, "INV-C1", "2026-09-01", "2026-10-01");
  g_autoptr(CpInvoice) open = mail_test_add_invoice (f, patient, "INV-C2", "2026-08-01", "2026-08-15");
  g_autoptr(CpInvoice) unpaid = mail_test_add_invoice (f, patient, "INV-C3", "2026-11-01", "2026-12-01");
  g_autofree char *receipt = g_build_filename (f->dir, "receipt.pdf", NULL);
  g_autofree char *statement = g_build_filename (f->dir, "statement.pdf", NULL);
  const char *env[] = { "CAREPAY_HOSPITAL_NAME=St. Raymond General Hospital",
                        "CAREPAY_HOSPITAL_ADDRESS=400 Lakeside Avenue\\nSpringfield, IL 62701",
                        "CAREPAY_TODAY=" TODAY, NULL };
  const char *receipt_argv[] = { CAREPAYCTL, "--db", f->db_path, "receipt", "INV-C1", "--output", receipt, NULL };
  const char *none_argv[] = { CAREPAYCTL, "--db", f->db_path, "receipt", "INV-C3", "--output", receipt, NULL };
  const char *usage_argv[] = { CAREPAYCTL, "--db", f->db_path, "receipt", "INV-C1", NULL };
  const char *statement_argv[] = { CAREPAYCTL, "--db", f->db_path, "statement", "MRN-5001",
                                   "--output", statement, "--paper", "letter", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *flat = NULL;
  g_autoptr(GBytes) bytes = NULL;

  mail_test_add_payment (f, paid->id, "pi_first_half", 16000, "visa", "4242", "2026-09-10T10:00:00Z");
  mail_test_add_payment (f, paid->id, "pi_second_half", 16000, "amex", "0005", "2026-09-20T10:00:00Z");
  mail_test_add_payment (f, open->id, "pi_some", 2000, "visa", "4242", "2026-08-10T10:00:00Z");
  g_clear_object (&f->store);

  g_assert_cmpint (mail_test_run (receipt_argv, env, &out, &err), ==, 0);
  assert_contains (out, "Wrote the receipt of INV-C1 (pi_second_half) to ");
  bytes = read_bytes (receipt);
  flat = pdf_flat_text (bytes, f->dir);
  assert_contains (flat, "St. Raymond General Hospital");
  assert_contains (flat, "Springfield, IL 62701");
  assert_contains (flat, "pi_second_half");
  assert_contains (flat, "American Express •••• 0005");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mail_test_run (none_argv, env, &out, &err), ==, 1);
  assert_contains (err, "INV-C3 has no successful payment");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mail_test_run (usage_argv, env, &out, &err), ==, 2);
  assert_contains (err, "--output FILE.pdf is required");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (mail_test_run (statement_argv, env, &out, &err), ==, 0);
  assert_contains (out, "Wrote the statement of MRN-5001 (2 open invoices, $620.00 due) to ");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = read_bytes (statement);
  g_clear_pointer (&flat, g_free);
  flat = pdf_flat_text (bytes, f->dir);
  /* INV-C2 is 97 days past due, INV-C3 not yet due; INV-C1 is paid */
  assert_contains (flat, "$320.00 $0.00 $0.00 $0.00 $300.00");
  assert_contains (flat, "INV-C2 Aug 1, 2026 Aug 15, 2026 97 $320.00 $20.00 $300.00");
  g_assert_null (strstr (flat, "INV-C1"));
  {
    g_autofree char *info = squeeze_free (run_poppler ("pdfinfo", bytes, f->dir));

    assert_contains (info, "612 x 792 pts (letter)");
  }
}

/* po/es.po compiled into a temporary catalog (as tests/test-i18n.c does):
 * the Spanish documents need it, the English ones do not notice it. */
static char *
compile_spanish_catalog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *po = g_build_filename (g_getenv ("CAREPAY_SOURCE_DIR"), "po", "es.po", NULL);
  g_autofree char *dir = g_dir_make_tmp ("carepay-receipt-po-XXXXXX", &error);
  g_autofree char *mo_dir = NULL;
  g_autofree char *mo = NULL;
  int status = 0;

  g_assert_no_error (error);
  mo_dir = g_build_filename (dir, "es", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (mo_dir, 0700), ==, 0);
  mo = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
  {
    const char *argv[] = { "msgfmt", "-o", mo, po, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return g_steal_pointer (&dir);
}

static void
remove_catalog (const char *dir)
{
  g_autofree char *lc = g_build_filename (dir, "es", "LC_MESSAGES", NULL);
  g_autofree char *mo = g_build_filename (lc, GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *es = g_build_filename (dir, "es", NULL);

  g_unlink (mo);
  g_rmdir (lc);
  g_rmdir (es);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *catalog = NULL;
  int status;

  /* Receipt times are shown in local time: pin the zone, as a POSIX rule so
   * that no tzdata is needed (US Central: CST in November). */
  g_setenv ("TZ", "CST6CDT,M3.2.0,M11.1.0", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  catalog = compile_spanish_catalog ();
  g_test_add ("/carepay/receipt/payment", MailFixture, NULL, setup, test_payment_receipt, teardown);
  g_test_add ("/carepay/receipt/refund", MailFixture, NULL, setup, test_refund_receipt, teardown);
  g_test_add ("/carepay/receipt/markup-is-literal", MailFixture, NULL, setup, test_markup_is_literal, teardown);
  g_test_add ("/carepay/receipt/statement-aging", MailFixture, NULL, setup, test_statement_aging, teardown);
  g_test_add ("/carepay/receipt/card-paper-logo", MailFixture, NULL, setup, test_card_paper_logo, teardown);
  g_test_add ("/carepay/receipt/ctl-receipt-and-statement", MailFixture, NULL, setup,
              test_ctl_receipt_and_statement, teardown);
  g_test_add ("/carepay/receipt/spanish-documents", MailFixture, NULL, setup, test_spanish_documents, teardown);
  g_test_add ("/carepay/receipt/many-items-paginate", MailFixture, NULL, setup, test_many_items_paginate, teardown);
  status = g_test_run ();
  remove_catalog (catalog);
  return status;
}
