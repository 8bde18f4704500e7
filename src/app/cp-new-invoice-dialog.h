/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_NEW_INVOICE_DIALOG (cp_new_invoice_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpNewInvoiceDialog, cp_new_invoice_dialog, CP, NEW_INVOICE_DIALOG, AdwWindow)

/* The modal New Invoice window. Writes through cp_store_create_invoice, adds
 * an audit entry for `staff_id`, emits ::invoice-created (gint64 id) and
 * closes. The patient search and the save run in workers. */
CpNewInvoiceDialog *cp_new_invoice_dialog_new          (GtkWindow          *parent,
                                                        CpStore            *store,
                                                        gint64              staff_id);
/* Picks the patient as if chosen from the search results. */
void                cp_new_invoice_dialog_set_patient  (CpNewInvoiceDialog *self,
                                                        const CpPatient    *patient);
/* Sets the patient search text and starts the search, which runs in a
 * worker: get_searching is TRUE until its rows are shown. n_patient_matches
 * is how many were found, at most one more than the rows shown. */
void                cp_new_invoice_dialog_set_patient_search (CpNewInvoiceDialog *self,
                                                              const char         *text);
gboolean            cp_new_invoice_dialog_get_searching (CpNewInvoiceDialog *self);
guint               cp_new_invoice_dialog_get_n_patient_matches (CpNewInvoiceDialog *self);
/* The line item editors, in order (GtkWidget, CpLineItemEditor). */
GPtrArray          *cp_new_invoice_dialog_get_line_items (CpNewInvoiceDialog *self);
GtkWidget          *cp_new_invoice_dialog_add_line_item (CpNewInvoiceDialog *self);
/* Validates and creates, as the Create button does: FALSE with the fields'
 * messages shown, TRUE once the save has begun. It runs in a worker and
 * ends in ::invoice-created and the dialog closed (created_id set), or in
 * the form's error; the dialog does not close while it runs. */
gboolean            cp_new_invoice_dialog_create       (CpNewInvoiceDialog *self);
/* The message of the form as a whole (patient, dates, store), or NULL. */
const char         *cp_new_invoice_dialog_get_error    (CpNewInvoiceDialog *self);
gint64              cp_new_invoice_dialog_get_created_id (CpNewInvoiceDialog *self);

G_END_DECLS
