/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "cp-invoice-row-widget.h"
#include "cp-money.h"
#include "cp-ui-util.h"

static const char *status_classes[] = {
  "badge-pending",
  "badge-overdue",
  "badge-partial",
  "badge-paid",
  "badge-cancelled",
  "badge-refunded",
};

const char *
cp_ui_status_css_class (CpInvoiceStatus status)
{
  switch (status)
    {
    case CP_INVOICE_STATUS_PAID:
      return "success";
    case CP_INVOICE_STATUS_OVERDUE:
      return "error";
    case CP_INVOICE_STATUS_PARTIALLY_PAID:
      return "warning";
    case CP_INVOICE_STATUS_CANCELLED:
      return "dim";
    case CP_INVOICE_STATUS_REFUNDED:
      return "refunded";
    case CP_INVOICE_STATUS_PENDING:
    case CP_N_INVOICE_STATUSES:
    default:
      return "accent";
    }
}

void
cp_ui_label_set_status (GtkLabel        *label,
                        CpInvoiceStatus  status)
{
  const char *classes[] = { "badge", cp_ui_status_css_class (status),
                            status < CP_N_INVOICE_STATUSES ? status_classes[status] : NULL,
                            NULL };

  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
  gtk_label_set_text (label, cp_invoice_status_label (status));
}

GtkWidget *
cp_ui_status_badge_new (CpInvoiceStatus status)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  cp_ui_label_set_status (GTK_LABEL (label), status);
  return label;
}

char *
cp_ui_format_date (const char *iso_date)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  if (iso_date == NULL || *iso_date == '\0')
    return g_strdup ("—");
  if (!cp_date_is_valid (iso_date) || sscanf (iso_date, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup (iso_date);

  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return g_strdup (iso_date);
  /* Translators: a date in lists and invoices, see g_date_time_format() */
  return g_date_time_format (dt, _("%b %-d, %Y"));
}

char *
cp_ui_format_timestamp (const char *iso_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso_time == NULL || *iso_time == '\0')
    return g_strdup ("—");
  utc = g_date_time_new_from_iso8601 (iso_time, NULL);
  if (utc == NULL)
    return cp_ui_format_date (iso_time);
  local = g_date_time_to_local (utc);
  /* Translators: a date and time in the payment history, see g_date_time_format() */
  return g_date_time_format (local, _("%b %-d, %Y %H:%M"));
}

void
cp_ui_label_set_text_or_dash (GtkLabel   *label,
                              const char *text)
{
  gboolean empty = text == NULL || *text == '\0';

  gtk_label_set_text (label, empty ? "—" : text);
  if (empty)
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
}

void
cp_ui_label_set_money (GtkLabel   *label,
                       gint64      minor,
                       const char *currency)
{
  g_autofree char *text = cp_money_format (minor, currency);

  gtk_label_set_text (label, text);
}

gboolean
cp_ui_status_is_open (CpInvoiceStatus status)
{
  return status == CP_INVOICE_STATUS_PENDING ||
         status == CP_INVOICE_STATUS_OVERDUE ||
         status == CP_INVOICE_STATUS_PARTIALLY_PAID;
}

const char *
cp_ui_card_brand_label (const char *brand)
{
  static const struct { const char *id; const char *label; } brands[] = {
    { "visa", "Visa" },
    { "mastercard", "Mastercard" },
    { "amex", "American Express" },
    { "discover", "Discover" },
    { "diners", "Diners Club" },
    { "jcb", "JCB" },
    { "unionpay", "UnionPay" },
  };

  if (brand == NULL || *brand == '\0')
    return _("Card");
  for (guint i = 0; i < G_N_ELEMENTS (brands); i++)
    if (g_ascii_strcasecmp (brand, brands[i].id) == 0)
      return brands[i].label;
  return brand;
}

static void
warm_glyphs (GtkWidget *widget,
             cairo_t   *cr,
             guint     *rows_left)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;

  if (CP_IS_INVOICE_ROW_WIDGET (widget))
    {
      if (*rows_left == 0)
        return;
      (*rows_left)--;
      cp_invoice_row_widget_draw_text (CP_INVOICE_ROW_WIDGET (widget), cr);
    }
  else if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    {
      cairo_move_to (cr, 0, 0);
      pango_cairo_show_layout (cr, gtk_label_get_layout (GTK_LABEL (widget)));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    warm_glyphs (child, cr, rows_left);
}

guint
cp_ui_warm_glyphs (GtkWidget *root,
                   guint      max_rows)
{
  /* Wide enough for a line: glyphs wholly outside the surface are skipped */
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 2048, 64);
  cairo_t *cr = cairo_create (surface);
  guint rows_left = max_rows;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    warm_glyphs (child, cr, &rows_left);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return max_rows - rows_left;
}
