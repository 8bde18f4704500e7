/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-mail.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* Sends one composed message in a worker thread, as the staff app and the
 * kiosk send receipts: the SMTP password is looked up in the keyring first
 * when `config` names a user but has no password (the keyring is D-Bus:
 * never on the UI thread), then cp_mailer_send() logs it in `store`.
 * Takes `message`. Errors found before sending go through
 * g_task_report_error(), so one _finish serves both. */
void      cp_mail_send_async  (CpStore             *store,
                               const CpMailConfig  *config,
                               CpMailMessage       *message,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
gboolean  cp_mail_send_finish (GAsyncResult        *result,
                               GError             **error);

G_END_DECLS
