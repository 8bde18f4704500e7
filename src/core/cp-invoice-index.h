/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-store.h"

G_BEGIN_DECLS

/* A compact, immutable in-memory copy of the invoice list for searching and
 * sorting at hospital scale: one fixed-size record per invoice, every string
 * packed in one arena, and a folded search text per row. Rows keep the
 * store's order (issue date, newest first). Filters and sorts are plain C over
 * row numbers; nothing here allocates per row once built. Reference counted;
 * safe to read from any thread once built. */
typedef struct _CpInvoiceIndex CpInvoiceIndex;

/* The columns of the list, for sorting. */
typedef enum {
  CP_INVOICE_SORT_NONE = -1,   /* the store's order */
  CP_INVOICE_SORT_NUMBER,
  CP_INVOICE_SORT_PATIENT,     /* by collation key of "Family, Given" */
  CP_INVOICE_SORT_ISSUE_DATE,
  CP_INVOICE_SORT_DUE_DATE,
  CP_INVOICE_SORT_TOTAL,
  CP_INVOICE_SORT_BALANCE,
  CP_INVOICE_SORT_STATUS,
  CP_INVOICE_N_SORTS
} CpInvoiceSortKey;

/* Blocking: reads every invoice from the store (run it in a worker thread). */
CpInvoiceIndex   *cp_invoice_index_new_from_store     (CpStore           *store,
                                                       GError           **error);
/* From rows already read (e.g. the first page); copies them. */
CpInvoiceIndex   *cp_invoice_index_new_from_summaries (GPtrArray         *summaries);
CpInvoiceIndex   *cp_invoice_index_ref                (CpInvoiceIndex    *index);
void              cp_invoice_index_unref              (CpInvoiceIndex    *index);

guint             cp_invoice_index_get_n_rows         (CpInvoiceIndex    *index);
gint64            cp_invoice_index_get_id             (CpInvoiceIndex    *index,
                                                       guint              row);
CpInvoiceStatus   cp_invoice_index_get_status         (CpInvoiceIndex    *index,
                                                       guint              row);
/* A new summary of `row`, as cp_store_list_invoices() gives it. */
CpInvoiceSummary *cp_invoice_index_dup_summary        (CpInvoiceIndex    *index,
                                                       guint              row);
/* Whether row `row_a` of `a` and row `row_b` of `b` show the same invoice
 * with the same figures and text. */
gboolean          cp_invoice_index_rows_equal         (CpInvoiceIndex    *a,
                                                       guint              row_a,
                                                       CpInvoiceIndex    *b,
                                                       guint              row_b);
/* How many rows have each status (counts[CP_N_INVOICE_STATUSES]). */
void              cp_invoice_index_count_statuses     (CpInvoiceIndex    *index,
                                                       guint             *counts);

/* Adds the rows in totals->currency to its outstanding and overdue figures
 * (and counts), as cp_store_get_totals() counts invoices; FALSE on overflow. */
gboolean          cp_invoice_index_add_open_totals    (CpInvoiceIndex    *index,
                                                       CpInvoiceTotals   *totals,
                                                       GError           **error);

/* Row numbers in ascending order of `key` (ties by invoice id), computed on
 * first use and kept; NULL for CP_INVOICE_SORT_NONE. n_rows entries. */
const guint32    *cp_invoice_index_get_order          (CpInvoiceIndex    *index,
                                                       CpInvoiceSortKey   key);

/* Writes to `out` the rows of `rows` (n_rows row numbers; NULL for every row
 * in the store's order), walked backwards when `reverse`, that have `status`
 * (-1: any) and whose search text holds `folded_needle` (from
 * cp_invoice_index_fold(); NULL or "" matches all). `out` has room for
 * n_rows; it may be `rows` itself when not `reverse`. Returns how many. */
guint             cp_invoice_index_filter             (CpInvoiceIndex    *index,
                                                       const guint32     *rows,
                                                       guint              n_rows,
                                                       gboolean           reverse,
                                                       int                status,
                                                       const char        *folded_needle,
                                                       guint32           *out);

/* Search folding: compatibility-decomposed, combining marks dropped, letters
 * with no decomposition spelt in Latin (ø o, ł l, æ ae, ß ss, þ th…), case
 * folded, so "garcia" finds "García", "NUNEZ" "Núñez" and "lodz" "Łódź".
 * The store's search keys are made with it (schema v6 remade them). */
char             *cp_invoice_index_fold               (const char        *text);

/* Approximate bytes held (for the benchmarks). */
gsize             cp_invoice_index_get_size           (CpInvoiceIndex    *index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpInvoiceIndex, cp_invoice_index_unref)

G_END_DECLS
