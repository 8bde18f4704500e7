/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-invoice-list-header.h"
#include "cp-invoice-row.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_ROW_WIDGET (cp_invoice_row_widget_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceRowWidget, cp_invoice_row_widget, CP, INVOICE_ROW_WIDGET, GtkWidget)

/* One row of the invoice list as one widget: it draws its text columns
 * itself (cached PangoLayouts) in the columns of `header`; only the status
 * badge (and a "Disputed" one) are labels, for the theme's badge CSS. Its
 * accessible label, and its list row's, is its text in reading order. */
GtkWidget  *cp_invoice_row_widget_new       (CpInvoiceListHeader *header);
/* Shows `row` and follows its ::changed; NULL shows nothing. */
void        cp_invoice_row_widget_set_row   (CpInvoiceRowWidget  *self,
                                             CpInvoiceRow        *row);
/* The text of `column` (NULL for the status column), where it is drawn in
 * the widget's coordinates and whether it is cut (ellipsized). For tests. */
const char *cp_invoice_row_widget_get_cell  (CpInvoiceRowWidget  *self,
                                             CpInvoiceSortKey     column,
                                             graphene_rect_t     *bounds,
                                             gboolean            *cut);
/* Draws its text layouts at the origin of `cr`: for cp_ui_warm_glyphs(). */
void        cp_invoice_row_widget_draw_text (CpInvoiceRowWidget  *self,
                                             cairo_t             *cr);
/* The accessible label: the row's text in reading order. */
const char *cp_invoice_row_widget_get_text  (CpInvoiceRowWidget  *self);

G_END_DECLS
