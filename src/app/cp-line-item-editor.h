/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-records.h"

G_BEGIN_DECLS

#define CP_TYPE_LINE_ITEM_EDITOR (cp_line_item_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpLineItemEditor, cp_line_item_editor, CP, LINE_ITEM_EDITOR, AdwBin)

/* The fields of one service on a new invoice, each with its own validation
 * message. ::changed when a field changes, ::remove when the clerk removes it. */
GtkWidget  *cp_line_item_editor_new          (const char       *service_date);
/* Checks every field, shows messages next to the bad ones, and returns the
 * item (amount = quantity * unit price) or NULL. */
CpLineItem *cp_line_item_editor_validate     (CpLineItemEditor *self,
                                              const char       *currency);
/* The line total if the quantity and price parse, without showing messages. */
gboolean    cp_line_item_editor_peek_amount  (CpLineItemEditor *self,
                                              const char       *currency,
                                              gint64           *out_amount);
void        cp_line_item_editor_set_fields   (CpLineItemEditor *self,
                                              const char       *description,
                                              const char       *service_code,
                                              const char       *quantity,
                                              const char       *unit_price,
                                              const char       *service_date,
                                              const char       *provider);
/* The message shown next to a field ("description", "quantity", "price",
 * "date"), or NULL. */
const char *cp_line_item_editor_get_error    (CpLineItemEditor *self,
                                              const char       *field);
void        cp_line_item_editor_set_removable (CpLineItemEditor *self,
                                               gboolean          removable);
void        cp_line_item_editor_focus        (CpLineItemEditor *self);

G_END_DECLS
