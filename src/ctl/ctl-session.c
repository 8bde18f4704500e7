/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The set-up the Stripe commands share (ctl-session.h). */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "ctl-session.h"

CpStripeConfig *
ctl_stripe_config (CtlContext *ctx)
{
  CpStripeConfig *config = cp_stripe_config_new_from_environment ();

  if (ctx->api_base != NULL)
    cp_stripe_config_set_api_base (config, ctx->api_base);
  if (ctx->secret_key != NULL)
    cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, ctx->secret_key);
  return config;
}

static CpStripeClient *
open_client (CtlContext  *ctx,
             CpStore     *store,
             GError     **error)
{
  g_autoptr(CpStripeConfig) config = ctl_stripe_config (ctx);

  if (!cp_stripe_config_has_secret_key (config))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("No Stripe secret key: use --secret-key or CAREPAY_STRIPE_SECRET_KEY"));
      return NULL;
    }
  return cp_stripe_client_new (config, NULL, store);
}

/* Test-only: CAREPAY_FAULT=POINT or POINT#N (the Nth time the ledger
 * passes POINT) dies there as a crash would, with nothing after it done. */
static void
fault_exit (const char *point,
            gpointer    user_data)
{
  static guint hits = 0;
  const char *fault = g_getenv ("CAREPAY_FAULT");
  const char *hash = fault != NULL ? strchr (fault, '#') : NULL;
  guint64 nth = 1;

  if (fault == NULL)
    return;
  if (hash != NULL)
    {
      if (strncmp (fault, point, hash - fault) != 0 || point[hash - fault] != '\0')
        return;
      nth = g_ascii_strtoull (hash + 1, NULL, 10);
    }
  else if (strcmp (fault, point) != 0)
    return;
  if (++hits >= nth)
    _exit (99);
}

gboolean
ctl_session_open (CtlContext  *ctx,
                  gboolean     with_staff,
                  CtlSession  *session,
                  GError     **error)
{
  session->store = ctl_open_store (ctx, FALSE, error);
  if (session->store == NULL)
    return FALSE;
  if (with_staff)
    {
      session->staff = ctl_sign_in (ctx, CP_STORE (session->store), error);
      if (session->staff == NULL)
        return FALSE;
    }
  session->client = open_client (ctx, CP_STORE (session->store), error);
  if (session->client == NULL)
    return FALSE;
  session->ledger = cp_ledger_new (CP_STORE (session->store), session->client);
  if (g_getenv ("CAREPAY_FAULT") != NULL)
    cp_ledger_set_fault_hook (session->ledger, fault_exit, NULL);
  return TRUE;
}

CpInvoice *
ctl_session_open_invoice (CtlContext  *ctx,
                          CtlSession  *session,
                          const char  *number,
                          GError     **error)
{
  if (!ctl_session_open (ctx, TRUE, session, error))
    return NULL;
  return cp_store_get_invoice_by_number (CP_STORE (session->store), number, error);
}

void
ctl_session_clear (CtlSession *session)
{
  g_clear_object (&session->ledger);
  g_clear_object (&session->client);
  g_clear_object (&session->store);
  g_clear_pointer (&session->staff, cp_staff_free);
}
