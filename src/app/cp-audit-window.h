/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_AUDIT_WINDOW (cp_audit_window_get_type ())

G_DECLARE_FINAL_TYPE (CpAuditWindow, cp_audit_window, CP, AUDIT_WINDOW, AdwWindow)

/* The audit log: every entry, filtered by action, staff member, date and
 * text; "Verify Chain" checks the hash chain; the shown rows export as CSV. */
CpAuditWindow *cp_audit_window_new            (GtkWindow     *parent,
                                               CpStore       *store);
/* Reloads the entries (in a worker thread). */
void           cp_audit_window_reload         (CpAuditWindow *self);
gboolean       cp_audit_window_get_loading    (CpAuditWindow *self);
gboolean       cp_audit_window_get_verifying  (CpAuditWindow *self);
/* The entries that pass the filters: a GListModel of CpAuditItem-like
 * objects; use cp_audit_window_get_shown_entry() to read them. */
GListModel    *cp_audit_window_get_shown      (CpAuditWindow *self);
const CpAuditEntry *cp_audit_window_get_shown_entry (CpAuditWindow *self,
                                                     guint          position);
/* Writes the shown rows as CSV (id,time,staff,action,object,details). */
gboolean       cp_audit_window_export_csv     (CpAuditWindow *self,
                                               GFile         *file,
                                               GError       **error);

G_END_DECLS
