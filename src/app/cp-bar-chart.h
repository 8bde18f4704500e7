/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CP_TYPE_BAR_CHART (cp_bar_chart_get_type ())

G_DECLARE_FINAL_TYPE (CpBarChart, cp_bar_chart, CP, BAR_CHART, GtkWidget)

/* Grouped bars of money drawn with cairo: one group per category (a period,
 * a channel, an aging bucket), one bar per series in each group, a money
 * axis in the current locale and a legend when there are several series.
 * Its accessible description lists every value, for screen readers. */
GtkWidget  *cp_bar_chart_new            (void);
/* values[category * n_series + series], minor units of `currency` (>= 0). */
void        cp_bar_chart_set_data       (CpBarChart         *self,
                                         const char         *currency,
                                         guint               n_series,
                                         const char * const *series_names,
                                         guint               n_categories,
                                         const char * const *category_labels,
                                         const gint64       *values);
guint       cp_bar_chart_get_n_categories (CpBarChart       *self);
gint64      cp_bar_chart_get_value      (CpBarChart         *self,
                                         guint               category,
                                         guint               series);
/* The text given to assistive technologies. */
const char *cp_bar_chart_get_description (CpBarChart        *self);

G_END_DECLS
