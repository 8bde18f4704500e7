/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-import.h"
#include "ctl.h"

/* carepayctl [--as USER] import FILE [--format F] [--dry-run]
 * With --as, the audit entry names that member of staff (signed in with
 * CAREPAY_PASSWORD); without it, the operator running carepayctl (staff 0). */
int
ctl_cmd_import (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *format_text = NULL;
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_text,
      N_("csv-patients, csv-invoices or fhir (default: from the name and contents)"), "FORMAT" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("Check and count, write nothing"), NULL },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  CpImportFormat format = CP_IMPORT_FORMAT_AUTO;
  gint64 staff_id = 0;
  int status;

  if (!ctl_parse_options ("import", "FILE", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, _("import: give exactly one FILE"));
  if (format_text != NULL && !cp_import_format_from_string (format_text, &format))
    return ctl_fail (CTL_EXIT_USAGE, _("import: unknown format “%s” (csv-patients, csv-invoices, fhir)"),
                     format_text);

  store = ctl_open_store (ctx, FALSE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  if (ctx->as_user != NULL)
    {
      g_autoptr(CpStaff) staff = ctl_sign_in (ctx, CP_STORE (store), &error);

      if (staff == NULL)
        return ctl_fail_error (error);
      staff_id = staff->id;
    }

  if (!cp_import_file (CP_STORE (store), argv[1], format,
                       dry_run ? CP_IMPORT_DRY_RUN : CP_IMPORT_FLAGS_NONE,
                       staff_id, result, &error))
    {
      for (guint i = 0; i < result->errors->len; i++)
        fprintf (stderr, "%s\n", (const char *) g_ptr_array_index (result->errors, i));
      return ctl_fail_error (error);
    }

  printf (dry_run
          ? _("Dry run of %s (%s), nothing written: %u patients would be created, %u updated; "
              "%u invoices created, %u updated; %u line items\n")
          : _("Imported %s (%s): %u patients created, %u updated; %u invoices created, %u updated; "
              "%u line items\n"),
          argv[1], cp_import_format_to_string (result->format),
          result->patients_created, result->patients_updated,
          result->invoices_created, result->invoices_updated, result->line_items);
  if (result->skipped > 0)
    printf (_("Skipped %u resources of other types\n"), result->skipped);
  return CTL_EXIT_OK;
}
