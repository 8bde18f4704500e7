/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-refunds.h"

#define PARSE_REFUND ((CpStripeParseFunc) cp_stripe_refund_new_from_json)
#define FREE_REFUND  ((GDestroyNotify) cp_stripe_refund_free)

static CpStripeForm *
create_form (const CpStripeRefundParams *params)
{
  CpStripeForm *form = cp_stripe_form_new ();

  cp_stripe_form_add (form, "payment_intent", params->payment_intent);
  if (params->amount > 0)
    cp_stripe_form_add_int (form, "amount", params->amount);
  if (params->reason != NULL)
    cp_stripe_form_add (form, "reason", params->reason);
  if (params->invoice_id > 0)
    cp_stripe_form_add_int (form, "metadata[invoice_id]", params->invoice_id);
  if (params->staff_id > 0)
    cp_stripe_form_add_int (form, "metadata[staff_id]", params->staff_id);
  return form;
}

static gboolean
check_params (const CpStripeRefundParams  *params,
              GError                     **error)
{
  if (params->payment_intent == NULL || params->amount < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A refund needs a payment and an amount that is not negative"));
      return FALSE;
    }
  return TRUE;
}

void
cp_stripe_refund_create_async (CpStripeClient             *client,
                               const CpStripeRefundParams *params,
                               const char                 *operation,
                               GCancellable               *cancellable,
                               GAsyncReadyCallback         callback,
                               gpointer                    user_data)
{
  g_autoptr(CpStripeForm) form = NULL;
  GError *error = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (params != NULL);

  if (!check_params (params, &error))
    {
      g_task_report_error (client, callback, user_data, cp_stripe_refund_create_async, error);
      return;
    }
  form = create_form (params);
  cp_stripe_call_async (client, cp_stripe_refund_create_async, "POST", "/v1/refunds", form, operation,
                        PARSE_REFUND, FREE_REFUND, cancellable, callback, user_data);
}

CpStripeRefund *
cp_stripe_refund_create_finish (CpStripeClient      *client,
                                GAsyncResult        *result,
                                CpStripeErrorInfo  **info,
                                GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_refund_create_async, info, error);
}

CpStripeRefund *
cp_stripe_refund_create (CpStripeClient             *client,
                         const CpStripeRefundParams *params,
                         const char                 *operation,
                         GCancellable               *cancellable,
                         CpStripeErrorInfo         **info,
                         GError                    **error)
{
  g_autoptr(CpStripeForm) form = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (info != NULL)
    *info = NULL;
  if (!check_params (params, error))
    return NULL;
  form = create_form (params);
  return cp_stripe_call (client, "POST", "/v1/refunds", form, operation, PARSE_REFUND, FREE_REFUND,
                         cancellable, info, error);
}

static char *
refund_path (const char *id)
{
  g_autofree char *escaped = cp_stripe_path_escape (id);
  return g_strdup_printf ("/v1/refunds/%s", escaped);
}

void
cp_stripe_refund_retrieve_async (CpStripeClient      *client,
                                 const char          *id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (id != NULL);

  path = refund_path (id);
  cp_stripe_call_async (client, cp_stripe_refund_retrieve_async, "GET", path, NULL, NULL,
                        PARSE_REFUND, FREE_REFUND, cancellable, callback, user_data);
}

CpStripeRefund *
cp_stripe_refund_retrieve_finish (CpStripeClient      *client,
                                  GAsyncResult        *result,
                                  CpStripeErrorInfo  **info,
                                  GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_refund_retrieve_async, info, error);
}

CpStripeRefund *
cp_stripe_refund_retrieve (CpStripeClient      *client,
                           const char          *id,
                           GCancellable        *cancellable,
                           CpStripeErrorInfo  **info,
                           GError             **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = refund_path (id);
  return cp_stripe_call (client, "GET", path, NULL, NULL, PARSE_REFUND, FREE_REFUND, cancellable,
                         info, error);
}

void
cp_stripe_refund_list_async (CpStripeClient      *client,
                             const char          *payment_intent,
                             guint                limit,
                             const char          *starting_after,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = cp_stripe_list_form ("payment_intent", payment_intent, limit, starting_after);

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  cp_stripe_list_async (client, cp_stripe_refund_list_async, "/v1/refunds", form, PARSE_REFUND,
                        FREE_REFUND, cancellable, callback, user_data);
}

CpStripeList *
cp_stripe_refund_list_finish (CpStripeClient      *client,
                              GAsyncResult        *result,
                              CpStripeErrorInfo  **info,
                              GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_refund_list_async, info, error);
}

CpStripeList *
cp_stripe_refund_list (CpStripeClient      *client,
                       const char          *payment_intent,
                       guint                limit,
                       const char          *starting_after,
                       GCancellable        *cancellable,
                       CpStripeErrorInfo  **info,
                       GError             **error)
{
  g_autoptr(CpStripeForm) form = cp_stripe_list_form ("payment_intent", payment_intent, limit, starting_after);

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  return cp_stripe_list (client, "/v1/refunds", form, PARSE_REFUND, FREE_REFUND, cancellable, info,
                         error);
}
