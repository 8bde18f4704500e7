/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-invoice-index.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_LIST_HEADER (cp_invoice_list_header_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceListHeader, cp_invoice_list_header, CP, INVOICE_LIST_HEADER, GtkWidget)

/* The invoice list's column headings, one sort button a column (a click
 * sorts by it, a second click reverses), and the columns' geometry that the
 * rows (CpInvoiceRowWidget) share with it: one column a CpInvoiceSortKey.
 * Each column is as wide as the widest of its heading and the contents the
 * rows reported (cp_invoice_list_header_note_widths); the patient takes the
 * rest. A drag on a heading's right edge widens that column.
 * Properties "sort-key" (int, CP_INVOICE_SORT_NONE for the store's order)
 * and "sort-descending"; ::columns-changed when the geometry changes,
 * ::widths-reset when the rows must report their widths again (text size). */

/* Padding on each side of a cell's text, as the column view's cells had. */
#define CP_INVOICE_CELL_PADDING 6

GtkWidget        *cp_invoice_list_header_new                (void);
void              cp_invoice_list_header_set_sort           (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     key,
                                                             gboolean             descending);
CpInvoiceSortKey  cp_invoice_list_header_get_sort_key       (CpInvoiceListHeader *self);
gboolean          cp_invoice_list_header_get_sort_descending (CpInvoiceListHeader *self);
void              cp_invoice_list_header_set_column_visible (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column,
                                                             gboolean             visible);
gboolean          cp_invoice_list_header_get_column_visible (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column);
/* A row's natural content widths (padding included), one a column. */
void              cp_invoice_list_header_note_widths        (CpInvoiceListHeader *self,
                                                             const int           *widths);
/* Forgets the rows' widths (the text size changed): ::widths-reset. */
void              cp_invoice_list_header_reset_widths       (CpInvoiceListHeader *self);
/* x and width of each column in a row `width` wide (0 wide when hidden). */
void              cp_invoice_list_header_get_columns        (CpInvoiceListHeader *self,
                                                             int                  width,
                                                             int                 *x,
                                                             int                 *widths);
int               cp_invoice_list_header_get_min_row_width  (CpInvoiceListHeader *self);
int               cp_invoice_list_header_get_natural_row_width (CpInvoiceListHeader *self);
/* The rows' width (a row's size_allocate): the header lines its columns up
 * with theirs even when a scrollbar takes room beside the rows. */
void              cp_invoice_list_header_note_rows_width    (CpInvoiceListHeader *self,
                                                             int                  width);
/* Widens `column` to `width` as a drag on its edge does (-1: natural). */
void              cp_invoice_list_header_set_column_width   (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column,
                                                             int                  width);

G_END_DECLS
