/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-invoice-index.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_MODEL (cp_invoice_model_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceModel, cp_invoice_model, CP, INVOICE_MODEL, GObject)

/* The invoice list as a GListModel of CpInvoiceRow: a view (an array of row
 * numbers, filtered and sorted) over a CpInvoiceIndex. Items are made when
 * asked for and live only while someone holds them (plus the last 64), so
 * memory does not grow with the rows off screen. An item stands for a
 * position: when the index, filter or sort change, the items alive are
 * refilled in place (CpInvoiceRow::changed) and one ::items-changed tells
 * how many rows were added or removed at the end. */
CpInvoiceModel *cp_invoice_model_new         (void);
/* NULL empties the model. Keeps the filter and sort. */
void            cp_invoice_model_set_index   (CpInvoiceModel   *self,
                                              CpInvoiceIndex   *index);
CpInvoiceIndex *cp_invoice_model_get_index   (CpInvoiceModel   *self);
/* `status` -1 for all; `folded_needle` from cp_invoice_index_fold(). */
void            cp_invoice_model_set_view    (CpInvoiceModel   *self,
                                              int               status,
                                              const char       *folded_needle,
                                              CpInvoiceSortKey  sort,
                                              gboolean          descending);
/* The position of the invoice, or GTK_INVALID_LIST_POSITION (G_MAXUINT). */
guint           cp_invoice_model_find        (CpInvoiceModel   *self,
                                              gint64            id);
gint64          cp_invoice_model_get_id      (CpInvoiceModel   *self,
                                              guint             position);
/* How many items are alive (for tests and benchmarks). */
guint           cp_invoice_model_get_n_cached (CpInvoiceModel  *self);

G_END_DECLS
