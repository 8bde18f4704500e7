/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PDF receipts and statements: cairo's PDF surface with Pango layouts. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "cp-error.h"
#include "cp-language.h"
#include "cp-mail.h"
#include "cp-money.h"
#include "cp-receipt.h"

#define FONT_FAMILY "Cantarell, DejaVu Sans, sans-serif"
#define MARGIN      54.0   /* 3/4 inch */
#define FOOTER      36.0

typedef enum {
  ALIGN_LEFT,
  ALIGN_RIGHT,
} Align;

typedef struct {
  const char *title;
  double      x;      /* from the left margin */
  double      width;
  Align       align;
} Column;

typedef struct {
  const CpReceiptHeader *header;
  const char            *lang;    /* the patient's: dates are written in it */
  const char            *title;
  GByteArray            *out;
  cairo_surface_t       *surface;
  cairo_t               *cr;
  double                 width;
  double                 height;
  double                 y;
  int                    page;
  /* the table being drawn, repeated on each new page */
  const Column          *columns;
  guint                  n_columns;
  /* cp_receipt_render_*_pages(): one recording surface a page, no PDF */
  GPtrArray             *pages;
} Doc;

/* Set by the *_pages() variants around a render in this thread */
static GPrivate page_sink;

/* Colours */
static const double INK[3] = { 0.13, 0.13, 0.15 };
static const double MUTED[3] = { 0.40, 0.40, 0.45 };
static const double RULE[3] = { 0.80, 0.80, 0.83 };
static const double SHADE[3] = { 0.94, 0.95, 0.96 };
static const double ACCENT[3] = { 0.11, 0.38, 0.63 };

static cairo_status_t
write_to_array (void                *closure,
                const unsigned char *data,
                unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

CpPaperSize
cp_paper_size_for_locale (void)
{
  const char *name = setlocale (LC_PAPER, NULL);
  static const char *const letter[] = { "_US", "_CA", "_MX", "_PH", "_CL", "_CO", "_VE", "_PR", NULL };

  if (name == NULL)
    return CP_PAPER_A4;
  for (guint i = 0; letter[i] != NULL; i++)
    if (strstr (name, letter[i]) != NULL)
      return CP_PAPER_LETTER;
  return CP_PAPER_A4;
}

/* Sizes are in points: one point is one unit of the PDF surface. */
static PangoLayout *
make_layout (Doc      *doc,
             double    size,
             gboolean  bold)
{
  PangoLayout *layout = pango_cairo_create_layout (doc->cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_cairo_context_set_resolution (pango_layout_get_context (layout), 72.0);
  pango_layout_context_changed (layout);
  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  return layout;
}

static double
text_block (Doc        *doc,
            double      x,
            double      y,
            double      width,
            Align       align,
            double      size,
            gboolean    bold,
            const double color[3],
            const char *text)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL || *text == '\0')
    return 0;

  layout = make_layout (doc, size, bold);

  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, align == ALIGN_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  /* Plain text: no markup is ever parsed */
  pango_layout_set_text (layout, text, -1);

  cairo_set_source_rgb (doc->cr, color[0], color[1], color[2]);
  cairo_move_to (doc->cr, x, y);
  pango_cairo_show_layout (doc->cr, layout);
  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static double
text_height (Doc        *doc,
             double      width,
             double      size,
             gboolean    bold,
             const char *text)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL || *text == '\0')
    return 0;
  layout = make_layout (doc, size, bold);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static void
hline (Doc          *doc,
       double        y,
       double        line_width,
       const double  color[3])
{
  cairo_set_source_rgb (doc->cr, color[0], color[1], color[2]);
  cairo_set_line_width (doc->cr, line_width);
  cairo_move_to (doc->cr, MARGIN, y);
  cairo_line_to (doc->cr, doc->width - MARGIN, y);
  cairo_stroke (doc->cr);
}

static double
content_width (Doc *doc)
{
  return doc->width - 2 * MARGIN;
}

static void
draw_footer (Doc *doc)
{
  g_autofree char *page = g_strdup_printf (_("Page %d"), doc->page);
  double y = doc->height - MARGIN + 8;

  hline (doc, y - 6, 0.5, RULE);
  text_block (doc, MARGIN, y, content_width (doc) / 2, ALIGN_LEFT, 7.5, FALSE, MUTED,
              doc->header->name);
  text_block (doc, MARGIN + content_width (doc) / 2, y, content_width (doc) / 2, ALIGN_RIGHT,
              7.5, FALSE, MUTED, page);
}

static void
draw_table_header (Doc *doc)
{
  double h = 18;

  if (doc->columns == NULL)
    return;
  cairo_set_source_rgb (doc->cr, SHADE[0], SHADE[1], SHADE[2]);
  cairo_rectangle (doc->cr, MARGIN, doc->y, content_width (doc), h);
  cairo_fill (doc->cr);
  for (guint i = 0; i < doc->n_columns; i++)
    {
      const Column *c = &doc->columns[i];

      text_block (doc, MARGIN + c->x + 4, doc->y + 3.5, c->width - 8, c->align, 8, TRUE, MUTED,
                  c->title);
    }
  doc->y += h + 3;
}

static void
new_page (Doc *doc)
{
  g_autofree char *continued = NULL;

  draw_footer (doc);
  if (doc->pages != NULL)
    {
      cairo_rectangle_t extents = { 0, 0, doc->width, doc->height };

      /* Not finished: finishing a recording surface drops what it recorded */
      cairo_destroy (doc->cr);
      g_ptr_array_add (doc->pages, doc->surface);
      doc->surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
      doc->cr = cairo_create (doc->surface);
    }
  else
    cairo_show_page (doc->cr);
  doc->page++;
  doc->y = MARGIN;
  /* A short running head on the following pages */
  continued = g_strdup_printf (_("%s — %s (continued)"), doc->header->name, doc->title);
  doc->y += text_block (doc, MARGIN, doc->y, content_width (doc), ALIGN_LEFT, 9, FALSE, MUTED,
                        continued) + 12;
  draw_table_header (doc);
}

static void
ensure_space (Doc    *doc,
              double  needed)
{
  if (doc->y + needed > doc->height - MARGIN - FOOTER)
    new_page (doc);
}

static void
draw_logo (Doc    *doc,
           double  x,
           double  y,
           double *out_width)
{
  cairo_surface_t *logo;
  double scale, w, h;

  *out_width = 0;
  if (doc->header->logo_path == NULL || *doc->header->logo_path == '\0')
    return;
  logo = cairo_image_surface_create_from_png (doc->header->logo_path);
  if (cairo_surface_status (logo) != CAIRO_STATUS_SUCCESS)
    {
      g_debug ("Logo %s not drawn: %s", doc->header->logo_path,
               cairo_status_to_string (cairo_surface_status (logo)));
      cairo_surface_destroy (logo);
      return;
    }
  w = cairo_image_surface_get_width (logo);
  h = cairo_image_surface_get_height (logo);
  if (w <= 0 || h <= 0)
    {
      cairo_surface_destroy (logo);
      return;
    }
  scale = MIN (48.0 / h, 120.0 / w);
  cairo_save (doc->cr);
  cairo_translate (doc->cr, x, y);
  cairo_scale (doc->cr, scale, scale);
  cairo_set_source_surface (doc->cr, logo, 0, 0);
  cairo_paint (doc->cr);
  cairo_restore (doc->cr);
  cairo_surface_destroy (logo);
  *out_width = w * scale + 12;
}

/* The letterhead and the document's title and date on the right. */
static void
draw_letterhead (Doc        *doc,
                 const char *date_label,
                 const char *date)
{
  double logo_width, left_h, right_h, x;
  double half = content_width (doc) / 2;
  g_autofree char *date_line = g_strdup_printf ("%s %s", date_label, date != NULL ? date : "");

  draw_logo (doc, MARGIN, doc->y, &logo_width);
  x = MARGIN + logo_width;
  left_h = text_block (doc, x, doc->y, half + 40 - logo_width, ALIGN_LEFT, 14, TRUE, INK,
                       doc->header->name);
  left_h += text_block (doc, x, doc->y + left_h + 2, half + 40 - logo_width, ALIGN_LEFT, 8.5,
                        FALSE, MUTED, doc->header->address) + 2;
  left_h = MAX (left_h, logo_width > 0 ? 48 : 0);

  right_h = text_block (doc, MARGIN + half, doc->y, half, ALIGN_RIGHT, 20, TRUE, ACCENT, doc->title);
  right_h += text_block (doc, MARGIN + half, doc->y + right_h + 2, half, ALIGN_RIGHT, 9, FALSE,
                         MUTED, date_line) + 2;

  doc->y += MAX (left_h, right_h) + 14;
  hline (doc, doc->y, 1.2, ACCENT);
  doc->y += 16;
}

/* A labelled block: a small caps-like label and lines under it. */
static double
draw_field_block (Doc        *doc,
                  double      x,
                  double      y,
                  double      width,
                  Align       align,
                  const char *label,
                  const char *body)
{
  double h = text_block (doc, x, y, width, align, 7.5, TRUE, MUTED, label);

  h += 2;
  h += text_block (doc, x, y + h, width, align, 10, FALSE, INK, body);
  return h;
}

static char *
patient_block_text (const CpPatient *patient)
{
  g_autofree char *name = cp_patient_display_name (patient);
  GString *s = g_string_new (name);

  if (patient->mrn != NULL)
    g_string_append_printf (s, "\n%s %s", _("MRN"), patient->mrn);
  if (patient->address != NULL && *patient->address != '\0')
    g_string_append_printf (s, "\n%s", patient->address);
  return g_string_free (s, FALSE);
}

/* One table row. A first cell with several lines shows the first one as the
 * item and the rest smaller and muted (the provider under a service). */
static void
draw_row (Doc          *doc,
          const char  **cells,
          gboolean      bold)
{
  double h = 0;
  g_autofree char *primary = NULL;
  const char *secondary = NULL;
  double w0 = doc->columns[0].width - 8;

  if (cells[0] != NULL && (secondary = strchr (cells[0], '\n')) != NULL)
    {
      primary = g_strndup (cells[0], secondary - cells[0]);
      secondary++;
    }
  else
    primary = g_strdup (cells[0]);

  h = text_height (doc, w0, 9, bold, primary);
  if (secondary != NULL)
    h += 1 + text_height (doc, w0, 8, FALSE, secondary);
  for (guint i = 1; i < doc->n_columns; i++)
    h = MAX (h, text_height (doc, doc->columns[i].width - 8, 9, bold, cells[i]));
  h += 8;
  ensure_space (doc, h);

  {
    double first = text_block (doc, MARGIN + doc->columns[0].x + 4, doc->y + 4, w0,
                               doc->columns[0].align, 9, bold, INK, primary);

    if (secondary != NULL)
      text_block (doc, MARGIN + doc->columns[0].x + 4, doc->y + 5 + first, w0,
                  doc->columns[0].align, 8, FALSE, MUTED, secondary);
  }
  for (guint i = 1; i < doc->n_columns; i++)
    {
      const Column *c = &doc->columns[i];

      text_block (doc, MARGIN + c->x + 4, doc->y + 4, c->width - 8, c->align, 9, bold, INK,
                  cells[i]);
    }
  doc->y += h;
  hline (doc, doc->y, 0.4, RULE);
}

/* Label and amount pairs, right-aligned under the table. */
static void
draw_total_line (Doc        *doc,
                 const char *label,
                 const char *amount,
                 gboolean    strong)
{
  double w = content_width (doc);
  double size = strong ? 11 : 9.5;
  double h = text_height (doc, 200, size, strong, label) + 5;

  ensure_space (doc, h);
  text_block (doc, MARGIN + w - 330, doc->y, 220, ALIGN_RIGHT, size, strong, strong ? INK : MUTED, label);
  text_block (doc, MARGIN + w - 104, doc->y, 100, ALIGN_RIGHT, size, strong, INK, amount);
  doc->y += h;
}

static Doc *
doc_begin (const CpReceiptHeader *header,
           const char            *title,
           GError               **error)
{
  Doc *doc = g_new0 (Doc, 1);
  CpPaperSize paper = header->paper == CP_PAPER_AUTO ? cp_paper_size_for_locale () : header->paper;
  g_autofree char *creator = g_strdup_printf ("CarePay %s", PACKAGE_VERSION);

  doc->header = header;
  doc->title = title;
  doc->width = paper == CP_PAPER_LETTER ? 612.0 : 595.28;
  doc->height = paper == CP_PAPER_LETTER ? 792.0 : 841.89;
  doc->out = g_byte_array_new ();
  doc->pages = g_private_get (&page_sink);
  if (doc->pages != NULL)
    {
      cairo_rectangle_t extents = { 0, 0, doc->width, doc->height };

      doc->surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
    }
  else
    {
      doc->surface = cairo_pdf_surface_create_for_stream (write_to_array, doc->out, doc->width, doc->height);
      cairo_pdf_surface_set_metadata (doc->surface, CAIRO_PDF_METADATA_TITLE, title);
      cairo_pdf_surface_set_metadata (doc->surface, CAIRO_PDF_METADATA_CREATOR, creator);
      if (header->name != NULL)
        cairo_pdf_surface_set_metadata (doc->surface, CAIRO_PDF_METADATA_AUTHOR, header->name);
    }
  doc->cr = cairo_create (doc->surface);
  doc->y = MARGIN;
  doc->page = 1;
  if (cairo_status (doc->cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED, _("Could not start the PDF: %s"),
                   cairo_status_to_string (cairo_status (doc->cr)));
      cairo_destroy (doc->cr);
      cairo_surface_destroy (doc->surface);
      g_byte_array_unref (doc->out);
      g_free (doc);
      return NULL;
    }
  return doc;
}

static GBytes *
doc_end (Doc     *doc,
         GError **error)
{
  cairo_status_t status;

  draw_footer (doc);
  if (doc->pages == NULL)
    cairo_show_page (doc->cr);
  cairo_destroy (doc->cr);
  if (doc->pages == NULL)
    cairo_surface_finish (doc->surface);
  status = cairo_surface_status (doc->surface);
  if (doc->pages != NULL && status == CAIRO_STATUS_SUCCESS)
    g_ptr_array_add (doc->pages, doc->surface);
  else
    cairo_surface_destroy (doc->surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED, _("Could not write the PDF: %s"),
                   cairo_status_to_string (status));
      g_byte_array_unref (doc->out);
      g_free (doc);
      return NULL;
    }
  {
    GBytes *bytes = g_byte_array_free_to_bytes (doc->out);

    g_free (doc);
    return bytes;
  }
}

char *
cp_card_display_name (const char *brand,
                      const char *last4)
{
  static const struct { const char *id; const char *name; } brands[] = {
    { "visa", "Visa" }, { "mastercard", "Mastercard" }, { "amex", "American Express" },
    { "discover", "Discover" }, { "diners", "Diners Club" }, { "jcb", "JCB" },
    { "unionpay", "UnionPay" }, { "cartes_bancaires", "Cartes Bancaires" },
  };
  g_autofree char *name = NULL;

  if (brand != NULL && *brand != '\0')
    {
      for (guint i = 0; i < G_N_ELEMENTS (brands) && name == NULL; i++)
        if (g_ascii_strcasecmp (brand, brands[i].id) == 0)
          name = g_strdup (brands[i].name);
      if (name == NULL)
        {
          name = g_strdup (brand);
          name[0] = g_ascii_toupper (name[0]);
        }
    }
  else
    name = g_strdup (_("Card"));

  if (last4 == NULL || *last4 == '\0')
    return g_steal_pointer (&name);
  return g_strdup_printf ("%s •••• %s", name, last4);
}

/* The invoice's parties, its items and its totals: shared by both receipts. */
static void
draw_invoice (Doc             *doc,
              const CpInvoice *invoice)
{
  double w = content_width (doc);
  double h1, h2;
  g_autofree char *patient = patient_block_text (invoice->patient);
  g_autofree char *issued = cp_language_format_date (invoice->issue_date, doc->lang);
  g_autofree char *due = cp_language_format_date (invoice->due_date, doc->lang);
  g_autofree char *inv = g_strdup_printf ("%s\n%s %s\n%s %s", invoice->number,
                                          _("Issued"), issued, _("Due"), due);
  Column columns[] = {
    { _("Description"), 0, w * 0.44, ALIGN_LEFT },
    { _("Date"), w * 0.44, w * 0.15, ALIGN_LEFT },
    { _("Qty"), w * 0.59, w * 0.08, ALIGN_RIGHT },
    { _("Unit price"), w * 0.67, w * 0.16, ALIGN_RIGHT },
    { _("Amount"), w * 0.83, w * 0.17, ALIGN_RIGHT },
  };
  g_autofree char *subtotal = cp_money_format (invoice->subtotal, invoice->currency);
  g_autofree char *tax = cp_money_format (invoice->tax, invoice->currency);
  g_autofree char *total = cp_money_format (invoice->total, invoice->currency);
  g_autofree char *paid = cp_money_format (invoice->amount_paid, invoice->currency);
  g_autofree char *refunded = cp_money_format (invoice->amount_refunded, invoice->currency);
  g_autofree char *balance = cp_money_format (invoice->balance_due, invoice->currency);
  g_autofree char *tax_label = NULL;

  h1 = draw_field_block (doc, MARGIN, doc->y, w / 2 - 10, ALIGN_LEFT, _("BILLED TO"), patient);
  h2 = draw_field_block (doc, MARGIN + w / 2, doc->y, w / 2, ALIGN_RIGHT, _("INVOICE"), inv);
  doc->y += MAX (h1, h2) + 18;

  doc->columns = columns;
  doc->n_columns = G_N_ELEMENTS (columns);
  ensure_space (doc, 60);
  draw_table_header (doc);
  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);
      g_autofree char *desc = NULL;
      g_autofree char *qty = g_strdup_printf ("%" G_GINT64_FORMAT, item->quantity);
      g_autofree char *unit = cp_money_format (item->unit_amount, invoice->currency);
      g_autofree char *amount = cp_money_format (item->amount, invoice->currency);
      g_autofree char *served = cp_language_format_date_short (item->service_date, doc->lang);
      const char *cells[5];

      if (item->provider != NULL && *item->provider != '\0')
        desc = g_strdup_printf ("%s\n%s", item->description, item->provider);
      else
        desc = g_strdup (item->description);
      cells[0] = desc;
      cells[1] = served;
      cells[2] = qty;
      cells[3] = unit;
      cells[4] = amount;
      draw_row (doc, cells, FALSE);
    }
  doc->columns = NULL;
  doc->n_columns = 0;
  doc->y += 10;

  if (invoice->tax_rate_bp != 0)
    {
      g_autofree char *rate = cp_percent_bp_format (invoice->tax_rate_bp);

      /* Translators: "Tax (8.25 %)" */
      tax_label = g_strdup_printf (_("Tax (%s %%)"), rate);
    }
  else
    tax_label = g_strdup (_("Tax"));
  draw_total_line (doc, _("Subtotal"), subtotal, FALSE);
  draw_total_line (doc, tax_label, tax, FALSE);
  draw_total_line (doc, _("Total"), total, TRUE);
  draw_total_line (doc, _("Paid"), paid, FALSE);
  if (invoice->amount_refunded != 0)
    draw_total_line (doc, _("Refunded"), refunded, FALSE);
  draw_total_line (doc, _("Balance due"), balance, TRUE);
  doc->y += 12;

  if (invoice->notes != NULL && *invoice->notes != '\0')
    {
      double h = text_height (doc, w, 9, FALSE, invoice->notes) + 16;

      ensure_space (doc, h);
      doc->y += draw_field_block (doc, MARGIN, doc->y, w, ALIGN_LEFT, _("NOTES"), invoice->notes) + 12;
    }
}

static double
text_width (Doc        *doc,
            double      size,
            gboolean    bold,
            const char *text)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL || *text == '\0')
    return 0;
  layout = make_layout (doc, size, bold);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  return (double) w / PANGO_SCALE;
}

/* The shaded box with the transaction's confirmation details. Columns get
 * their natural width and share what is left; when that does not fit, they
 * shrink in proportion and the values wrap. */
static void
draw_transaction_box (Doc        *doc,
                      const char *labels[4],
                      const char *values[4])
{
  double w = content_width (doc);
  double widths[4];
  double total = 0, h = 0, x;

  for (guint i = 0; i < 4; i++)
    {
      widths[i] = MAX (text_width (doc, 7.5, TRUE, labels[i]), text_width (doc, 10, FALSE, values[i])) + 20;
      total += widths[i];
    }
  for (guint i = 0; i < 4; i++)
    widths[i] = total <= w ? widths[i] + (w - total) / 4 : widths[i] * w / total;

  for (guint i = 0; i < 4; i++)
    h = MAX (h, text_height (doc, widths[i] - 16, 7.5, TRUE, labels[i]) + 2 +
                text_height (doc, widths[i] - 16, 10, FALSE, values[i]));
  h += 20;
  ensure_space (doc, h);
  cairo_set_source_rgb (doc->cr, SHADE[0], SHADE[1], SHADE[2]);
  cairo_rectangle (doc->cr, MARGIN, doc->y, w, h);
  cairo_fill (doc->cr);
  x = MARGIN;
  for (guint i = 0; i < 4; i++)
    {
      draw_field_block (doc, x + 10, doc->y + 10, widths[i] - 16,
                        i == 3 ? ALIGN_RIGHT : ALIGN_LEFT, labels[i], values[i]);
      x += widths[i];
    }
  doc->y += h + 18;
}

static gboolean
check_invoice (const CpInvoice  *invoice,
               GError          **error)
{
  if (invoice == NULL || invoice->patient == NULL || invoice->number == NULL ||
      invoice->currency == NULL || invoice->line_items == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("The invoice is incomplete"));
      return FALSE;
    }
  return TRUE;
}

/* The header's language (the kiosk's, chosen by the patient there), else
 * the patient's preferred one, as for their e-mail. */
static const char *
receipt_language (const CpReceiptHeader *header,
                  const CpPatient       *patient)
{
  if (header->language != NULL)
    return g_ascii_strncasecmp (header->language, "es", 2) == 0 ? "es" : "en";
  return cp_mail_language_for (patient);
}

/* A receipt for one payment or refund on `invoice`, in `lang` (the
 * caller's language scope, in which it translated the rest): the four
 * facts of the transaction boxed, the invoice under them, `note` last. */
static GBytes *
render_transaction (const CpReceiptHeader  *header,
                    const CpInvoice        *invoice,
                    const char             *lang,
                    const char             *title,
                    const char             *date,
                    const char             *labels[4],
                    const char             *values[4],
                    const char             *note,
                    GError                **error)
{
  Doc *doc = doc_begin (header, title, error);

  if (doc == NULL)
    return NULL;
  doc->lang = lang;
  draw_letterhead (doc, _("Date"), date);
  draw_transaction_box (doc, labels, values);
  draw_invoice (doc, invoice);

  ensure_space (doc, 30);
  text_block (doc, MARGIN, doc->y, content_width (doc), ALIGN_LEFT, 9, FALSE, MUTED, note);
  return doc_end (doc, error);
}

GBytes *
cp_receipt_render_payment (const CpReceiptHeader  *header,
                           const CpInvoice        *invoice,
                           const CpPayment        *payment,
                           GError                **error)
{
  g_autoptr(CpLanguageScope) scope = NULL;
  const char *lang;
  g_autofree char *card = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;
  const char *labels[4];
  const char *values[4];

  g_return_val_if_fail (header != NULL && header->name != NULL, NULL);
  g_return_val_if_fail (payment != NULL, NULL);
  if (!check_invoice (invoice, error))
    return NULL;

  lang = receipt_language (header, invoice->patient);
  scope = cp_language_scope_push (lang);
  card = cp_card_display_name (payment->card_brand, payment->card_last4);
  amount = cp_money_format (payment->amount, payment->currency != NULL ? payment->currency : invoice->currency);
  date = cp_language_format_time (payment->created_at, lang);

  labels[0] = _("CONFIRMATION NUMBER");
  values[0] = payment->stripe_payment_intent_id;
  labels[1] = _("PAID WITH");
  values[1] = card;
  labels[2] = _("PAYMENT DATE");
  values[2] = date;
  labels[3] = _("AMOUNT PAID");
  values[3] = amount;
  return render_transaction (header, invoice, lang, _("Receipt"), date, labels, values,
                             _("Thank you for your payment. Keep this receipt for your records."),
                             error);
}

GBytes *
cp_receipt_render_refund (const CpReceiptHeader  *header,
                          const CpInvoice        *invoice,
                          const CpRefund         *refund,
                          GError                **error)
{
  g_autoptr(CpLanguageScope) scope = NULL;
  const char *lang;
  const CpPayment *payment = NULL;
  g_autofree char *card = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;
  const char *labels[4];
  const char *values[4];

  g_return_val_if_fail (header != NULL && header->name != NULL, NULL);
  g_return_val_if_fail (refund != NULL, NULL);
  if (!check_invoice (invoice, error))
    return NULL;

  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      const CpPayment *p = g_ptr_array_index (invoice->payments, i);

      if (p->id == refund->payment_id)
        payment = p;
    }

  lang = receipt_language (header, invoice->patient);
  scope = cp_language_scope_push (lang);
  card = payment != NULL ? cp_card_display_name (payment->card_brand, payment->card_last4)
                         : g_strdup (_("Original payment method"));
  amount = cp_money_format (refund->amount, refund->currency != NULL ? refund->currency : invoice->currency);
  date = cp_language_format_time (refund->created_at, lang);

  labels[0] = _("REFUND NUMBER");
  values[0] = refund->stripe_refund_id;
  labels[1] = _("REFUNDED TO");
  values[1] = card;
  labels[2] = _("ORIGINAL PAYMENT");
  values[2] = payment != NULL ? payment->stripe_payment_intent_id : "";
  labels[3] = _("AMOUNT REFUNDED");
  values[3] = amount;
  return render_transaction (header, invoice, lang, _("Refund receipt"), date, labels, values,
                             _("Refunds reach the card in 5 to 10 business days, depending on the bank."),
                             error);
}

int
cp_days_between (const char *from_date,
                 const char *to_date)
{
  GDate a, b;

  if (!cp_date_is_valid (from_date) || !cp_date_is_valid (to_date))
    return G_MININT;
  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_parse (&a, from_date);
  g_date_set_parse (&b, to_date);
  if (!g_date_valid (&a) || !g_date_valid (&b))
    return G_MININT;
  return g_date_days_between (&a, &b);
}

CpAgingBucket
cp_aging_bucket_for_days (int days_past_due)
{
  if (days_past_due <= 0)
    return CP_AGING_CURRENT;
  if (days_past_due <= 30)
    return CP_AGING_1_30;
  if (days_past_due <= 60)
    return CP_AGING_31_60;
  if (days_past_due <= 90)
    return CP_AGING_61_90;
  return CP_AGING_OVER_90;
}

const char *
cp_aging_bucket_label (CpAgingBucket bucket)
{
  switch (bucket)
    {
    case CP_AGING_CURRENT: return _("Current");
    case CP_AGING_1_30: return _("1–30 days");
    case CP_AGING_31_60: return _("31–60 days");
    case CP_AGING_61_90: return _("61–90 days");
    case CP_AGING_OVER_90: return _("Over 90 days");
    case CP_N_AGING_BUCKETS:
    default:
      g_assert_not_reached ();
    }
}

static int
compare_due_dates (gconstpointer a,
                   gconstpointer b)
{
  const CpInvoice *x = *(const CpInvoice *const *) a;
  const CpInvoice *y = *(const CpInvoice *const *) b;
  int c = g_strcmp0 (x->due_date, y->due_date);

  return c != 0 ? c : g_strcmp0 (x->number, y->number);
}

GBytes *
cp_receipt_render_statement (const CpReceiptHeader  *header,
                             const CpPatient        *patient,
                             GPtrArray              *invoices,
                             const char             *today,
                             GError                **error)
{
  g_autoptr(CpLanguageScope) scope = NULL;
  g_autofree char *today_text = NULL;
  const char *lang;
  Doc *doc;
  double w, h;
  gint64 buckets[CP_N_AGING_BUCKETS] = { 0 };
  gint64 total_due = 0;
  const char *currency = NULL;
  g_autofree char *patient_text = NULL;
  g_autofree char *total_text = NULL;
  g_autoptr(GPtrArray) open = g_ptr_array_new ();

  g_return_val_if_fail (header != NULL && header->name != NULL, NULL);
  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (invoices != NULL, NULL);

  if (!cp_date_is_valid (today))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), today);
      return NULL;
    }

  for (guint i = 0; i < invoices->len; i++)
    {
      const CpInvoice *inv = g_ptr_array_index (invoices, i);
      int days;

      if (inv->voided || inv->balance_due <= 0)
        continue;
      if (currency != NULL && g_strcmp0 (currency, inv->currency) != 0)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                       _("A statement shows one currency; %s has %s, not %s"),
                       inv->number, inv->currency, currency);
          return NULL;
        }
      currency = inv->currency;
      days = cp_days_between (inv->due_date, today);
      if (days == G_MININT)
        days = 0;
      buckets[cp_aging_bucket_for_days (days)] += inv->balance_due;
      if (!cp_money_add (total_due, inv->balance_due, &total_due, error))
        return NULL;
      g_ptr_array_add (open, (gpointer) inv);
    }
  if (currency == NULL)
    currency = "USD";
  /* Oldest due date first */
  g_ptr_array_sort (open, compare_due_dates);

  lang = receipt_language (header, patient);
  scope = cp_language_scope_push (lang);

  doc = doc_begin (header, _("Statement"), error);
  if (doc == NULL)
    return NULL;
  doc->lang = lang;
  w = content_width (doc);
  today_text = cp_language_format_date (today, lang);
  draw_letterhead (doc, _("Statement date"), today_text);

  patient_text = patient_block_text (patient);
  total_text = cp_money_format (total_due, currency);
  h = draw_field_block (doc, MARGIN, doc->y, w / 2 - 10, ALIGN_LEFT, _("STATEMENT FOR"), patient_text);
  h = MAX (h, draw_field_block (doc, MARGIN + w / 2, doc->y, w / 2, ALIGN_RIGHT, _("TOTAL DUE"),
                                total_text));
  doc->y += h + 18;

  /* Aging summary: one shaded row of five buckets */
  {
    double fifth = w / CP_N_AGING_BUCKETS;
    double box = 40;

    cairo_set_source_rgb (doc->cr, SHADE[0], SHADE[1], SHADE[2]);
    cairo_rectangle (doc->cr, MARGIN, doc->y, w, box);
    cairo_fill (doc->cr);
    for (int b = 0; b < CP_N_AGING_BUCKETS; b++)
      {
        g_autofree char *amount = cp_money_format (buckets[b], currency);

        text_block (doc, MARGIN + b * fifth + 6, doc->y + 7, fifth - 12, ALIGN_RIGHT, 7.5, TRUE,
                    MUTED, cp_aging_bucket_label (b));
        text_block (doc, MARGIN + b * fifth + 6, doc->y + 20, fifth - 12, ALIGN_RIGHT, 10,
                    buckets[b] != 0, INK, amount);
      }
    doc->y += box + 18;
  }

  {
    Column columns[] = {
      { _("Invoice"), 0, w * 0.22, ALIGN_LEFT },
      { _("Issued"), w * 0.22, w * 0.14, ALIGN_LEFT },
      { _("Due"), w * 0.36, w * 0.14, ALIGN_LEFT },
      { _("Days past due"), w * 0.50, w * 0.14, ALIGN_RIGHT },
      { _("Total"), w * 0.64, w * 0.12, ALIGN_RIGHT },
      { _("Paid"), w * 0.76, w * 0.12, ALIGN_RIGHT },
      { _("Balance"), w * 0.88, w * 0.12, ALIGN_RIGHT },
    };

    doc->columns = columns;
    doc->n_columns = G_N_ELEMENTS (columns);
    ensure_space (doc, 60);
    draw_table_header (doc);
    for (guint i = 0; i < open->len; i++)
      {
        const CpInvoice *inv = g_ptr_array_index (open, i);
        int days = cp_days_between (inv->due_date, today);
        g_autofree char *days_text = days > 0 ? g_strdup_printf ("%d", days) : g_strdup ("—");
        g_autofree char *total = cp_money_format (inv->total, inv->currency);
        g_autofree char *paid = NULL;
        g_autofree char *balance = cp_money_format (inv->balance_due, inv->currency);
        gint64 net = inv->amount_paid - inv->amount_refunded;
        g_autofree char *issued = cp_language_format_date_short (inv->issue_date, doc->lang);
        g_autofree char *due = cp_language_format_date_short (inv->due_date, doc->lang);
        const char *cells[7];

        paid = cp_money_format (net, inv->currency);
        cells[0] = inv->number;
        cells[1] = issued;
        cells[2] = due;
        cells[3] = days_text;
        cells[4] = total;
        cells[5] = paid;
        cells[6] = balance;
        draw_row (doc, cells, FALSE);
      }
    if (open->len == 0)
      {
        const char *cells[7] = { _("No open invoices"), "", "", "", "", "", "" };

        draw_row (doc, cells, FALSE);
      }
    doc->columns = NULL;
    doc->n_columns = 0;
  }
  doc->y += 10;
  draw_total_line (doc, _("Total due"), total_text, TRUE);
  doc->y += 12;
  ensure_space (doc, 30);
  text_block (doc, MARGIN, doc->y, w, ALIGN_LEFT, 9, FALSE, MUTED,
              _("Questions about this statement? Call the billing office; quote your MRN."));
  return doc_end (doc, error);
}

gboolean
cp_receipt_save (GBytes      *pdf,
                 const char  *path,
                 GError     **error)
{
  gsize size;
  const char *data = g_bytes_get_data (pdf, &size);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED, _("Could not write %s: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The *_pages() variants: the same drawing, recorded page by page. */
static CpReceiptPages *
pages_begin (void)
{
  CpReceiptPages *pages = g_new0 (CpReceiptPages, 1);

  pages->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  g_assert (g_private_get (&page_sink) == NULL);
  g_private_set (&page_sink, pages->surfaces);
  return pages;
}

static CpReceiptPages *
pages_end (CpReceiptPages *pages,
           GBytes         *result)
{
  g_private_set (&page_sink, NULL);
  if (result == NULL || pages->surfaces->len == 0)
    {
      g_clear_pointer (&result, g_bytes_unref);
      cp_receipt_pages_free (pages);
      return NULL;
    }
  g_bytes_unref (result);
  {
    cairo_rectangle_t extents;

    cairo_recording_surface_get_extents (g_ptr_array_index (pages->surfaces, 0), &extents);
    pages->width = extents.width;
    pages->height = extents.height;
  }
  return pages;
}

CpReceiptPages *
cp_receipt_render_payment_pages (const CpReceiptHeader  *header,
                                 const CpInvoice        *invoice,
                                 const CpPayment        *payment,
                                 GError                **error)
{
  CpReceiptPages *pages = pages_begin ();

  return pages_end (pages, cp_receipt_render_payment (header, invoice, payment, error));
}

CpReceiptPages *
cp_receipt_render_statement_pages (const CpReceiptHeader  *header,
                                   const CpPatient        *patient,
                                   GPtrArray              *invoices,
                                   const char             *today,
                                   GError                **error)
{
  CpReceiptPages *pages = pages_begin ();

  return pages_end (pages, cp_receipt_render_statement (header, patient, invoices, today, error));
}

guint
cp_receipt_pages_get_n_pages (const CpReceiptPages *pages)
{
  g_return_val_if_fail (pages != NULL, 0);
  return pages->surfaces->len;
}

void
cp_receipt_pages_draw (const CpReceiptPages *pages,
                       guint                 n,
                       cairo_t              *cr)
{
  g_return_if_fail (pages != NULL && cr != NULL);
  g_return_if_fail (n < pages->surfaces->len);

  cairo_save (cr);
  cairo_set_source_surface (cr, g_ptr_array_index (pages->surfaces, n), 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
}

void
cp_receipt_pages_free (CpReceiptPages *pages)
{
  if (pages == NULL)
    return;
  g_ptr_array_unref (pages->surfaces);
  g_free (pages);
}
