/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-bar-chart.h"
#include "cp-money.h"

struct _CpBarChart
{
  GtkWidget  parent_instance;

  char      *currency;
  guint      n_series;
  guint      n_categories;
  GStrv      series_names;
  GStrv      category_labels;
  gint64    *values;
  char      *description;
};

G_DEFINE_FINAL_TYPE (CpBarChart, cp_bar_chart, GTK_TYPE_WIDGET)

/* GNOME's palette (blue 3, orange 3, green 4, purple 3, red 3): readable on
 * light and dark backgrounds alike. */
static const GdkRGBA palette[] = {
  { 0.208, 0.518, 0.894, 1 },
  { 0.902, 0.380, 0.000, 1 },
  { 0.180, 0.761, 0.494, 1 },
  { 0.569, 0.255, 0.675, 1 },
  { 0.753, 0.110, 0.157, 1 },
};

#define AXIS_GAP     8
#define LEGEND_H    22
#define LABELS_H    22
#define TOP_PAD      8

/* Money for the axis: whole amounts lose their ".00" */
static char *
axis_money (gint64      minor,
            const char *currency)
{
  int exponent = cp_currency_exponent (currency);
  char *text = cp_money_format (minor, currency);
  gint64 unit = 1;

  for (int i = 0; i < exponent; i++)
    unit *= 10;
  if (exponent > 0 && minor % unit == 0)
    {
      const char *point = localeconv ()->decimal_point;
      g_autofree char *zeros = g_strnfill (exponent, '0');
      g_autofree char *fraction = g_strconcat (point != NULL && *point ? point : ".", zeros, NULL);
      char *at = g_strrstr (text, fraction);

      if (at != NULL)
        memmove (at, at + strlen (fraction), strlen (at + strlen (fraction)) + 1);
    }
  return text;
}

/* A round step (1, 2, 2.5 or 5 × 10^k major units) giving four grid lines */
static gint64
nice_step (gint64      max,
           const char *currency)
{
  int exponent = MAX (cp_currency_exponent (currency), 0);
  gint64 unit = 1;
  gint64 step;

  for (int i = 0; i < exponent; i++)
    unit *= 10;
  step = unit;
  while (step * 4 < max)
    {
      if (step * 2 * 4 >= max)
        return step * 2;
      if (step >= 10 * unit && step * 5 / 2 * 4 >= max)
        return step * 5 / 2;
      if (step * 5 * 4 >= max)
        return step * 5;
      step *= 10;
    }
  return step;
}

static void
get_fg (GtkWidget *widget,
        GdkRGBA   *fg)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *rgba,
            double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

static void
show_text (cairo_t     *cr,
           GtkWidget   *widget,
           const char  *text,
           double       x,
           double       y,
           double       align,    /* 0 left, 0.5 centre, 1 right of x */
           int         *out_width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (out_width != NULL)
    *out_width = w;
  if (cr == NULL)
    return;
  cairo_move_to (cr, x - w * align, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
draw (CpBarChart *self,
      cairo_t    *cr,
      int         width,
      int         height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA fg;
  gint64 max = 0, step, top;
  int axis_w = 0;
  double plot_x, plot_y, plot_w, plot_h, group_w, bar_w;
  guint every = 1;
  int label_w = 0;

  get_fg (widget, &fg);
  for (guint i = 0; i < self->n_series * self->n_categories; i++)
    max = MAX (max, self->values[i]);
  step = nice_step (max, self->currency);
  top = step * 4;
  while (top < max)
    top += step;

  for (gint64 v = 0; v <= top; v += step)
    {
      g_autofree char *text = axis_money (v, self->currency);
      int w;

      show_text (NULL, widget, text, 0, 0, 0, &w);
      axis_w = MAX (axis_w, w);
    }

  plot_x = axis_w + AXIS_GAP;
  plot_y = TOP_PAD + (self->n_series > 1 ? LEGEND_H : 0);
  plot_w = MAX (width - plot_x - 4, 1);
  plot_h = MAX (height - plot_y - LABELS_H, 1);

  /* Grid and money axis */
  cairo_set_line_width (cr, 1);
  for (gint64 v = 0; v <= top; v += step)
    {
      g_autofree char *text = axis_money (v, self->currency);
      double y = (int) (plot_y + plot_h - plot_h * ((double) v / (double) top) + 0.5) + 0.5;

      set_source (cr, &fg, v == 0 ? 0.45 : 0.12);
      cairo_move_to (cr, plot_x, y);
      cairo_line_to (cr, plot_x + plot_w, y);
      cairo_stroke (cr);
      set_source (cr, &fg, 0.7);
      show_text (cr, widget, text, axis_w, y, 1, NULL);
    }

  if (self->n_categories == 0)
    return;

  /* Bars */
  group_w = plot_w / self->n_categories;
  bar_w = MAX (group_w * 0.7 / MAX (self->n_series, 1), 1);
  for (guint c = 0; c < self->n_categories; c++)
    for (guint s = 0; s < self->n_series; s++)
      {
        gint64 v = self->values[c * self->n_series + s];
        double h = plot_h * ((double) v / (double) top);
        double x = plot_x + c * group_w + group_w * 0.15 + s * bar_w;
        const GdkRGBA *color = &palette[(self->n_series > 1 ? s : c) % G_N_ELEMENTS (palette)];

        if (v <= 0)
          continue;
        set_source (cr, color, 1);
        cairo_rectangle (cr, x, plot_y + plot_h - h, MAX (bar_w - (bar_w > 4 ? 1 : 0), 1), h);
        cairo_fill (cr);
      }

  /* Category labels, thinned out so they never overlap */
  for (guint c = 0; c < self->n_categories; c++)
    {
      int w;

      show_text (NULL, widget, self->category_labels[c], 0, 0, 0, &w);
      label_w = MAX (label_w, w);
    }
  while (every < self->n_categories && group_w * every < label_w + 4)
    every++;
  set_source (cr, &fg, 0.8);
  for (guint c = 0; c < self->n_categories; c += every)
    show_text (cr, widget, self->category_labels[c], plot_x + (c + 0.5) * group_w,
               plot_y + plot_h + LABELS_H / 2.0 + 2, 0.5, NULL);

  /* Legend */
  if (self->n_series > 1)
    {
      double x = plot_x;

      for (guint s = 0; s < self->n_series; s++)
        {
          int w;

          set_source (cr, &palette[s % G_N_ELEMENTS (palette)], 1);
          cairo_rectangle (cr, x, TOP_PAD + LEGEND_H / 2.0 - 5, 10, 10);
          cairo_fill (cr);
          set_source (cr, &fg, 0.8);
          show_text (cr, widget, self->series_names[s], x + 14, TOP_PAD + LEGEND_H / 2.0, 0, &w);
          x += 14 + w + 16;
        }
    }
}

static void
cp_bar_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw (CP_BAR_CHART (widget), cr, width, height);
  cairo_destroy (cr);
}

static void
cp_bar_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 480;
    }
  else
    {
      *minimum = 140;
      *natural = 200;
    }
}

static void
cp_bar_chart_finalize (GObject *object)
{
  CpBarChart *self = CP_BAR_CHART (object);

  g_free (self->currency);
  g_strfreev (self->series_names);
  g_strfreev (self->category_labels);
  g_free (self->values);
  g_free (self->description);
  G_OBJECT_CLASS (cp_bar_chart_parent_class)->finalize (object);
}

static void
cp_bar_chart_class_init (CpBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cp_bar_chart_finalize;
  widget_class->snapshot = cp_bar_chart_snapshot;
  widget_class->measure = cp_bar_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "barchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cp_bar_chart_init (CpBarChart *self)
{
  self->currency = g_strdup ("USD");
  self->series_names = g_new0 (char *, 1);
  self->category_labels = g_new0 (char *, 1);
  self->description = g_strdup ("");
}

GtkWidget *
cp_bar_chart_new (void)
{
  return g_object_new (CP_TYPE_BAR_CHART, NULL);
}

void
cp_bar_chart_set_data (CpBarChart         *self,
                       const char         *currency,
                       guint               n_series,
                       const char * const *series_names,
                       guint               n_categories,
                       const char * const *category_labels,
                       const gint64       *values)
{
  GString *description = g_string_new (NULL);

  g_return_if_fail (CP_IS_BAR_CHART (self));
  g_return_if_fail (n_series > 0);
  g_return_if_fail (n_categories == 0 || (category_labels != NULL && values != NULL));

  g_free (self->currency);
  self->currency = g_strdup (currency != NULL ? currency : "USD");
  g_strfreev (self->series_names);
  self->series_names = g_new0 (char *, n_series + 1);
  for (guint s = 0; s < n_series; s++)
    self->series_names[s] = g_strdup (series_names != NULL ? series_names[s] : "");
  g_strfreev (self->category_labels);
  self->category_labels = g_new0 (char *, n_categories + 1);
  for (guint c = 0; c < n_categories; c++)
    self->category_labels[c] = g_strdup (category_labels[c]);
  g_free (self->values);
  self->values = g_memdup2 (values, sizeof (gint64) * n_series * n_categories);
  self->n_series = n_series;
  self->n_categories = n_categories;

  /* "Nov 3: Collected $120.00, Refunded $0.00; Nov 4: …" */
  for (guint c = 0; c < n_categories; c++)
    {
      g_string_append_printf (description, "%s%s: ", c > 0 ? "; " : "", category_labels[c]);
      for (guint s = 0; s < n_series; s++)
        {
          g_autofree char *money = cp_money_format (values[c * n_series + s], self->currency);

          if (s > 0)
            g_string_append (description, ", ");
          if (self->series_names[s][0] != '\0')
            g_string_append_printf (description, "%s ", self->series_names[s]);
          g_string_append (description, money);
        }
    }
  g_free (self->description);
  self->description = g_string_free (description, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->description, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cp_bar_chart_get_n_categories (CpBarChart *self)
{
  g_return_val_if_fail (CP_IS_BAR_CHART (self), 0);
  return self->n_categories;
}

gint64
cp_bar_chart_get_value (CpBarChart *self,
                        guint       category,
                        guint       series)
{
  g_return_val_if_fail (CP_IS_BAR_CHART (self), 0);
  g_return_val_if_fail (category < self->n_categories && series < self->n_series, 0);
  return self->values[category * self->n_series + series];
}

const char *
cp_bar_chart_get_description (CpBarChart *self)
{
  g_return_val_if_fail (CP_IS_BAR_CHART (self), NULL);
  return self->description;
}
