/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cp-records.h"

G_BEGIN_DECLS

#define CP_TYPE_INVOICE_ROW (cp_invoice_row_get_type ())
G_DECLARE_FINAL_TYPE (CpInvoiceRow, cp_invoice_row, CP, INVOICE_ROW, GObject)

/* Takes ownership of `summary`. */
CpInvoiceRow           *cp_invoice_row_new          (CpInvoiceSummary   *summary);
const CpInvoiceSummary *cp_invoice_row_get_summary  (CpInvoiceRow       *self);
gint64                  cp_invoice_row_get_id       (CpInvoiceRow       *self);
CpInvoiceStatus         cp_invoice_row_get_status   (CpInvoiceRow       *self);
/* Collation key of the patient name, made on first use (for sorting). */
const char             *cp_invoice_row_get_name_key (CpInvoiceRow       *self);
/* `folded_needle` from cp_ui_fold(): matches number, patient name or MRN. */
gboolean                cp_invoice_row_matches      (CpInvoiceRow       *self,
                                                     const char         *folded_needle);

G_END_DECLS
