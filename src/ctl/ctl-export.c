/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-export.h"
#include "ctl.h"

/* carepayctl export payments [--from D] [--to D] [--output FILE] [--all] */
int
ctl_cmd_export (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *output = NULL;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("First day, YYYY-MM-DD (default: first of this month)"), "DATE" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Last day, YYYY-MM-DD (default: today)"), "DATE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of standard output"), "FILE" },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      N_("Include failed and unfinished payment attempts and failed refunds"), NULL },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  guint rows = 0;
  int status;

  if (!ctl_parse_options ("export", "payments", entries, &argc, &argv, &status))
    return status;
  if (argc != 2 || !g_str_equal (argv[1], "payments"))
    return ctl_fail (CTL_EXIT_USAGE, _("export: say what to export: “export payments”"));

  if (to == NULL)
    to = cp_today ();
  if (from == NULL)
    {
      from = g_strdup (to);
      if (cp_date_is_valid (from))
        memcpy (from + 8, "01", 2);
    }
  if (!cp_date_is_valid (from) || !cp_date_is_valid (to))
    return ctl_fail (CTL_EXIT_USAGE, _("export: --from and --to take YYYY-MM-DD dates"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  csv = cp_export_payments_csv (CP_STORE (store), from, to,
                                all ? CP_EXPORT_ALL_STATUSES : CP_EXPORT_FLAGS_NONE, &rows, &error);
  if (csv == NULL)
    return ctl_fail_error (error);

  if (output != NULL)
    {
      if (!g_file_set_contents (output, csv, -1, &error))
        return ctl_fail_error (error);
      fprintf (stderr, _("Wrote %u rows from %s to %s to %s\n"), rows, from, to, output);
    }
  else
    fputs (csv, stdout);
  return CTL_EXIT_OK;
}
