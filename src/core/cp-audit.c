/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-audit.h"

CpAuditEntry *
cp_audit_entry_new (void)
{
  return g_new0 (CpAuditEntry, 1);
}

void
cp_audit_entry_free (CpAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->staff_username);
  g_free (entry->action);
  g_free (entry->object);
  g_free (entry->details);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

CpAuditProblem *
cp_audit_problem_new (gint64      entry_id,
                      const char *message)
{
  CpAuditProblem *problem = g_new0 (CpAuditProblem, 1);

  problem->entry_id = entry_id;
  problem->message = g_strdup (message);
  return problem;
}

void
cp_audit_problem_free (CpAuditProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}
