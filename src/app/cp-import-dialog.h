/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_IMPORT_DIALOG (cp_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CpImportDialog, cp_import_dialog, CP, IMPORT_DIALOG, AdwWindow)

/* Import of patients and invoices (CSV, FHIR JSON or NDJSON): choose a file,
 * see a dry run's counts and errors, then import. Emits "imported" after a
 * successful import. */
CpImportDialog *cp_import_dialog_new      (GtkWindow      *parent,
                                           CpStore        *store,
                                           gint64          staff_id);
/* Selects `file` and starts its preview (a dry run), as the file chooser does. */
void            cp_import_dialog_set_file (CpImportDialog *self,
                                           GFile          *file);
/* TRUE while a preview or an import runs. */
gboolean        cp_import_dialog_get_busy (CpImportDialog *self);
/* TRUE once the preview found no errors and nothing was imported yet. */
gboolean        cp_import_dialog_get_can_import (CpImportDialog *self);

G_END_DECLS
