/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl backup and restore. Whoever can run these can read the
 * database file anyway (it is mode 0600): the file's owner is the boundary,
 * so they ask for no staff sign-in; a restore keeps the database it
 * replaces as FILE.before-restore. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-backup.h"
#include "ctl.h"

/* carepayctl backup --output FILE */
int
ctl_cmd_backup (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the backup to FILE (mode 0600)"), "FILE" },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!ctl_parse_options ("backup", "", entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("backup: unexpected argument; use --output FILE"));
  if (output == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("backup: --output FILE is required"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  if (!cp_sqlite_store_backup (store, output, &error))
    return ctl_fail_error (error);
  g_clear_object (&store);

  /* What was written is checked as a restore would check it */
  if (!cp_sqlite_backup_check (output, NULL, &error))
    return ctl_fail_error (error);
  printf (_("Backed up %s to %s\n"), ctx->db_path, output);
  return CTL_EXIT_OK;
}

/* carepayctl restore FILE */
int
ctl_cmd_restore (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  gboolean had_database;
  int schema = 0;
  int status;

  if (!ctl_parse_options ("restore", "FILE", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("restore: give one backup file"));

  if (!cp_sqlite_backup_check (argv[1], &schema, &error))
    return ctl_fail_error (error);
  had_database = g_file_test (ctx->db_path, G_FILE_TEST_EXISTS);
  if (!cp_sqlite_backup_restore (argv[1], ctx->db_path, &error))
    return ctl_fail_error (error);

  /* Opening it once brings an older schema up to date, and proves it opens */
  {
    g_autoptr(CpSqliteStore) store = ctl_open_store (ctx, FALSE, &error);

    if (store == NULL)
      return ctl_fail_error (error);
  }

  before = g_strconcat (ctx->db_path, ".before-restore", NULL);
  printf (_("Restored %s from %s (schema %d)\n"), ctx->db_path, argv[1], schema);
  if (had_database)
    printf (_("The database it replaced is kept as %s\n"), before);
  return CTL_EXIT_OK;
}
