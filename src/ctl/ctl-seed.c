/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-seed.h"
#include "ctl.h"

/* carepayctl seed-demo [--invoices N] [--seed S] */
int
ctl_cmd_seed_demo (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  gint64 n_invoices = 0;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "invoices", 'n', 0, G_OPTION_ARG_INT64, &n_invoices,
      N_("Generate N invoices for scale tests instead of the classic demo set"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed for --invoices (default 1)"), "S" },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  int status;
  gint64 start;
  double seconds;

  if (!ctl_parse_options ("seed-demo", NULL, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return ctl_fail (CTL_EXIT_USAGE, _("seed-demo: unexpected argument “%s”"), argv[1]);
  if (n_invoices < 0 || n_invoices > 10000000)
    return ctl_fail (CTL_EXIT_USAGE, _("seed-demo: --invoices must be between 0 and 10000000"));
  if (seed < 0 || seed > G_MAXUINT32)
    return ctl_fail (CTL_EXIT_USAGE, _("seed-demo: --seed must be between 0 and %u"), G_MAXUINT32);

  store = ctl_open_store (ctx, FALSE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  start = g_get_monotonic_time ();
  if (!cp_seed_demo (CP_STORE (store), (guint) n_invoices, (guint32) seed, NULL, &error))
    return ctl_fail_error (error);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  patients = cp_store_list_patients (CP_STORE (store), NULL, &error);
  if (patients != NULL)
    invoices = cp_store_list_invoices (CP_STORE (store), NULL, &error);
  if (invoices != NULL)
    staff = cp_store_list_staff (CP_STORE (store), &error);
  if (staff == NULL)
    return ctl_fail_error (error);

  for (guint i = 0; i < staff->len; i++)
    {
      CpStaff *member = g_ptr_array_index (staff, i);

      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", member->username);
    }

  printf (_("Created %u patients, %u invoices and %u staff accounts (%s) in %s (%.1f s)\n"),
          patients->len, invoices->len, staff->len, names->str, ctx->db_path, seconds);
  return CTL_EXIT_OK;
}
