/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_LIST (cp_invoice_list_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceList, cp_invoice_list, CP, INVOICE_LIST, AdwBin)

/* The invoice list with its summary cards, filter and search. Shows the
 * first page of invoices at once, then builds a CpInvoiceIndex of them all
 * in a worker and filters and sorts in it (CpInvoiceModel).
 * ::invoice-selected (gint64 id) on selection, ::invoice-activated (gint64 id)
 * on Enter or double click. */
GtkWidget  *cp_invoice_list_new             (void);
void        cp_invoice_list_set_store       (CpInvoiceList *self,
                                             CpStore       *store);
/* Reloads rows and totals; keeps the filter, search and selection. */
void        cp_invoice_list_reload          (CpInvoiceList *self);
/* TRUE from a (re)load until its whole index is read. */
gboolean    cp_invoice_list_get_loading     (CpInvoiceList *self);
/* The store's data version (cp_store_get_data_version) read just before
 * the rows shown; FALSE before any whole read. */
gboolean    cp_invoice_list_get_data_version (CpInvoiceList *self,
                                              guint64       *out_version);
/* -1 for every status, else a CpInvoiceStatus. */
void        cp_invoice_list_set_status_filter (CpInvoiceList *self,
                                               int            status);
int         cp_invoice_list_get_status_filter (CpInvoiceList *self);
/* Number of loaded invoices in `status` (-1: all). */
guint       cp_invoice_list_get_status_count  (CpInvoiceList *self,
                                               int            status);
void        cp_invoice_list_set_search      (CpInvoiceList *self,
                                             const char    *text);
void        cp_invoice_list_focus_search    (CpInvoiceList *self);
/* The rows shown (CpInvoiceRow), after filter and sort. */
GListModel *cp_invoice_list_get_model       (CpInvoiceList *self);
/* Those of them let in to the list view so far (CpPacedModel: a step a frame). */
GListModel *cp_invoice_list_get_view_model  (CpInvoiceList *self);
/* Selects and scrolls to the invoice if it is shown; FALSE otherwise. */
gboolean    cp_invoice_list_select_invoice  (CpInvoiceList *self,
                                             gint64         id);
/* Activates the selected row, as Enter does. */
void        cp_invoice_list_activate_selected (CpInvoiceList *self);
/* "list", "loading", "empty" or "error". */
const char *cp_invoice_list_get_state       (CpInvoiceList *self);

/* The footer's sync status ("Synced 12:04"); NULL or "" hides it. */
void        cp_invoice_list_set_sync_status (CpInvoiceList *self,
                                             const char    *text);
const char *cp_invoice_list_get_sync_status (CpInvoiceList *self);

G_END_DECLS
