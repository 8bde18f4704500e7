/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One row of the mail send log (schema v3): every message CarePay sends,
 * with how it went. kind is "invoice", "receipt", "refund", "statement" or
 * "reminder:<offset>" ("reminder:-7", "reminder:0", "reminder:30"). */
typedef struct {
  gint64  id;           /* 0 until saved */
  gint64  invoice_id;   /* 0 when the message is not about one invoice */
  char   *kind;
  char   *recipient;    /* the address only */
  char   *subject;
  char   *status;       /* "sending", "retrying", "sent", "failed" */
  int     attempts;
  char   *last_error;
  char   *created_at;   /* YYYY-MM-DDTHH:MM:SSZ */
  char   *sent_at;
  char   *message_id;   /* "<...@...>" once composed */
} CpMailLogEntry;

CpMailLogEntry *cp_mail_log_entry_new  (void);
void            cp_mail_log_entry_free (CpMailLogEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpMailLogEntry, cp_mail_log_entry_free)

G_END_DECLS
