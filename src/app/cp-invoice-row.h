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
/* Takes ownership of `summary` and emits ::changed (CpInvoiceModel refills
 * the row of a position this way). */
void                    cp_invoice_row_set_summary  (CpInvoiceRow       *self,
                                                     CpInvoiceSummary   *summary);
gint64                  cp_invoice_row_get_id       (CpInvoiceRow       *self);
CpInvoiceStatus         cp_invoice_row_get_status   (CpInvoiceRow       *self);

G_END_DECLS
