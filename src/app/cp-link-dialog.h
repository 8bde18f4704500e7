/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"

G_BEGIN_DECLS

#define CP_TYPE_LINK_DIALOG (cp_link_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpLinkDialog, cp_link_dialog, CP, LINK_DIALOG, AdwWindow)

/* Send Payment Link: asks the ledger for a link for the balance due, then
 * shows its address (selectable, with Copy) and a QR code to scan from the
 * screen. ::link-created (gint64 invoice id) once the link exists. */
CpLinkDialog *cp_link_dialog_new          (GtkWindow       *parent,
                                           CpLedger        *ledger,
                                           const CpStaff   *staff,
                                           const CpInvoice *invoice);
/* "working", "link" or "error". */
const char   *cp_link_dialog_get_page     (CpLinkDialog *self);
/* The link's address once created, else NULL. */
const char   *cp_link_dialog_get_url      (CpLinkDialog *self);
const char   *cp_link_dialog_get_error    (CpLinkDialog *self);
/* The QR code: its drawing area, and its size in modules without the quiet
 * zone (0 before the link exists). */
GtkWidget    *cp_link_dialog_get_qr_widget (CpLinkDialog *self);
int           cp_link_dialog_get_qr_modules (CpLinkDialog *self);
/* As the Copy button: puts the address on the clipboard and says so. */
void          cp_link_dialog_copy         (CpLinkDialog *self);

G_END_DECLS
