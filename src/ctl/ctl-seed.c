/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger.h"
#include "cp-seed.h"
#include "ctl-session.h"

/* --stripe: the demo set's payments are made on Stripe's test mode (or the
 * simulator) through the ledger, with the Stripe options `pay` takes. */
static gboolean
make_payments_on_stripe (CtlContext     *ctx,
                         CpSqliteStore  *store,
                         guint          *out_n_made,
                         GError        **error)
{
  g_autoptr(CpStripeConfig) config = ctl_stripe_config (ctx);
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpLedger) ledger = NULL;

  client = cp_stripe_client_new (config, NULL, CP_STORE (store));
  ledger = cp_ledger_new (CP_STORE (store), client);
  return cp_seed_demo_make_payments (ledger, NULL, out_n_made, error);
}

static gboolean
has_secret_key (CtlContext *ctx)
{
  g_autoptr(CpStripeConfig) config = ctl_stripe_config (ctx);

  return cp_stripe_config_has_secret_key (config);
}

/* carepayctl seed-demo [--invoices N] [--seed S] [--stripe] */
int
ctl_cmd_seed_demo (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  gint64 n_invoices = 0;
  gint64 seed = 1;
  gboolean stripe = FALSE;
  GOptionEntry entries[] = {
    { "invoices", 'n', 0, G_OPTION_ARG_INT64, &n_invoices,
      N_("Generate N invoices for scale tests instead of the classic demo set"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed for --invoices (default 1)"), "S" },
    { "stripe", 0, 0, G_OPTION_ARG_NONE, &stripe,
      N_("Make the demo payments for real on Stripe’s test mode or the simulator (uses --api-base and --secret-key)"), NULL },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  int status;
  guint n_made = 0;
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
  if (stripe && n_invoices > 0)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("seed-demo: --stripe is for the classic demo set, not with --invoices"));
  if (stripe && !has_secret_key (ctx))
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("seed-demo: --stripe needs a Stripe test key: use --secret-key or CAREPAY_STRIPE_SECRET_KEY"));

  store = ctl_open_store (ctx, FALSE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  start = g_get_monotonic_time ();
  if (!cp_seed_demo_full (CP_STORE (store), (guint) n_invoices, (guint32) seed, NULL,
                          stripe ? CP_SEED_STRIPE_PAYMENTS : CP_SEED_FLAGS_NONE, &error))
    {
      g_autoptr(GPtrArray) planned = NULL;

      /* Seeded before with --stripe but its payments did not all go
       * through: make the rest. */
      if (!stripe || !g_error_matches (error, CP_ERROR, CP_ERROR_EXISTS))
        return ctl_fail_error (error);
      planned = cp_seed_demo_planned_payments (CP_STORE (store), NULL);
      if (planned == NULL || planned->len == 0)
        return ctl_fail_error (error);
      g_clear_error (&error);
    }
  if (stripe && !make_payments_on_stripe (ctx, store, &n_made, &error))
    return ctl_fail_error (error);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  patients = cp_store_list_patients (CP_STORE (store), NULL, 0, &error);
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
  if (stripe)
    printf (ngettext ("Made %u demo payment on Stripe\n", "Made %u demo payments on Stripe\n", n_made), n_made);
  return CTL_EXIT_OK;
}
