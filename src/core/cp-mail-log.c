/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-mail-log.h"

CpMailLogEntry *
cp_mail_log_entry_new (void)
{
  return g_new0 (CpMailLogEntry, 1);
}

void
cp_mail_log_entry_free (CpMailLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->kind);
  g_free (entry->recipient);
  g_free (entry->subject);
  g_free (entry->status);
  g_free (entry->last_error);
  g_free (entry->created_at);
  g_free (entry->sent_at);
  g_free (entry->message_id);
  g_free (entry);
}
