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
 * Each column is as wide as the widest of its heading and the contents of
 * the rows bound now (cp_invoice_list_header_note_widths): wider at once,
 * narrower once the rows stay put a moment (no jitter while scrolling). The
 * patient takes the rest. A drag on a heading's right edge gives its column
 * a width of its own, down to its heading's and, but for the patient's
 * (names ellipsize), to its widest value shown: numbers, dates and amounts
 * are never cut. The patient's too (the rest is then left empty); a
 * double-click on the edge
 * fits the column to its content again. With a heading focused, Ctrl+Left
 * and Ctrl+Right resize its column, Ctrl+0 fits it again.
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
/* A bound row's natural content widths (padding included), one a column;
 * again when they change. The row is only a key, never dereferenced. */
void              cp_invoice_list_header_note_widths        (CpInvoiceListHeader *self,
                                                             gpointer             row,
                                                             const int           *widths);
/* The row was unbound (or is gone): its widths no longer count. */
void              cp_invoice_list_header_forget_widths      (CpInvoiceListHeader *self,
                                                             gpointer             row);
/* The widest content of the rows bound, as the columns use it now. */
int               cp_invoice_list_header_get_content_width  (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column);
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
/* Gives `column` a width as a drag on its edge does (never below its
 * heading's nor, but for the patient's, its contents'); -1 fits it to its
 * content again, as a double-click does. */
void              cp_invoice_list_header_set_column_width   (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column,
                                                             int                  width);
/* The width the user gave `column`, or -1. */
int               cp_invoice_list_header_get_column_width   (CpInvoiceListHeader *self,
                                                             CpInvoiceSortKey     column);

G_END_DECLS
