/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One row of the append-only, hash-chained audit log. */
typedef struct {
  gint64  id;
  char   *at;              /* YYYY-MM-DDTHH:MM:SSZ, UTC */
  gint64  staff_id;        /* 0: the system or carepayctl */
  char   *staff_username;  /* NULL when staff_id is 0 or unknown */
  char   *action;          /* "import", "refund", ... */
  char   *object;
  char   *details;
  char   *prev_hash;
  char   *hash;
} CpAuditEntry;

/* Something wrong in the chain, found by cp_store_audit_check(). */
typedef struct {
  gint64  entry_id;        /* the entry where the break shows */
  char   *message;         /* for people: what is wrong there */
} CpAuditProblem;

CpAuditEntry   *cp_audit_entry_new    (void);
void            cp_audit_entry_free   (CpAuditEntry *entry);
CpAuditProblem *cp_audit_problem_new  (gint64       entry_id,
                                       const char  *message);
void            cp_audit_problem_free (CpAuditProblem *problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpAuditEntry, cp_audit_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpAuditProblem, cp_audit_problem_free)

G_END_DECLS
