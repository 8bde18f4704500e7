/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-receipt.h"

G_BEGIN_DECLS

/* Prints receipt pages (cp_receipt_render_*_pages(), taken) on paper of
 * their size: into the PDF `export_filename` when set, else through the
 * print dialog when `with_dialog` (the staff app), else straight to the
 * default printer (the kiosk, which shows no dialog). */
GtkPrintOperationResult cp_receipt_print_pages (GtkWindow       *parent,
                                                CpReceiptPages  *pages,
                                                const char      *job_name,
                                                gboolean         with_dialog,
                                                const char      *export_filename,
                                                GError         **error);

G_END_DECLS
