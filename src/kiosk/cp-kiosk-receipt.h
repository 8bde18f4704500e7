/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-store.h"

G_BEGIN_DECLS

/* The kiosk's receipt after a payment: printed on the kiosk's printer, or
 * e-mailed to the address on file for the patient, never one typed at the
 * kiosk. The issuer and relay come from the hospital-* and smtp-* settings. */

/* Prints the receipt of payment `payment_intent_id` on `invoice_id` without a
 * dialog (the default printer), or, with `export_filename`, to that PDF, in
 * `language` ("en", "es": the one the patient chose at the kiosk; NULL for
 * the patient's preferred language). */
gboolean  cp_kiosk_receipt_print        (GtkWindow            *parent,
                                         CpStore              *store,
                                         gint64                invoice_id,
                                         const char           *payment_intent_id,
                                         const char           *language,
                                         const char           *export_filename,
                                         GError              **error);
/* Mails it (PDF attached) to the patient's address on file; logged in the
 * send log. CP_ERROR_INVALID_INPUT when there is none. */
void      cp_kiosk_receipt_email_async  (CpStore              *store,
                                         gint64                invoice_id,
                                         const char           *payment_intent_id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  cp_kiosk_receipt_email_finish (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
