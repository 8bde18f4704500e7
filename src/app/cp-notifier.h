/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-records.h"

G_BEGIN_DECLS

#define CP_TYPE_NOTIFIER (cp_notifier_get_type ())
G_DECLARE_FINAL_TYPE (CpNotifier, cp_notifier, CP, NOTIFIER, GObject)

/* Desktop notifications for payments that arrive by sync (a patient paying a
 * link or at the kiosk): "Payment received", the invoice number and the
 * amount; clicking it runs app.open-invoice with the invoice id (int64).
 * CpSyncController decides which payments to announce. */
CpNotifier *cp_notifier_new            (GApplication *application);
/* Sends the notification for the newest counted payment of `invoice` (read
 * with its payments). FALSE (CP_ERROR_NOT_FOUND, no notification) when it
 * has none. */
gboolean    cp_notifier_send           (CpNotifier      *self,
                                        const CpInvoice *invoice,
                                        GError         **error);

/* The notification's id and texts, for `invoice_id` (for tests). */
char       *cp_notifier_dup_id         (gint64        invoice_id);

G_END_DECLS
