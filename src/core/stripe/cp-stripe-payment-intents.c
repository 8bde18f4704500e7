/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-payment-intents.h"

#define PARSE_PI   ((CpStripeParseFunc) cp_stripe_payment_intent_new_from_json)
#define FREE_PI    ((GDestroyNotify) cp_stripe_payment_intent_free)

static char *
pi_path (const char *id,
         const char *action)
{
  g_autofree char *escaped = cp_stripe_path_escape (id);

  if (action != NULL)
    return g_strdup_printf ("/v1/payment_intents/%s/%s", escaped, action);
  return g_strdup_printf ("/v1/payment_intents/%s", escaped);
}

/* Appends `text` with its quotes and backslashes escaped for a search query string. */
static void
append_query_escaped (GString    *query,
                      const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (query, '\\');
      g_string_append_c (query, *p);
    }
}

char *
cp_stripe_metadata_query (const char *key,
                          const char *value)
{
  GString *query = g_string_new ("metadata['");

  append_query_escaped (query, key);
  g_string_append (query, "']:'");
  append_query_escaped (query, value);
  g_string_append_c (query, '\'');
  return g_string_free (query, FALSE);
}

/* -- create -- */

static CpStripeForm *
create_form (const CpStripePaymentIntentParams *params)
{
  CpStripeForm *form = cp_stripe_form_new ();

  cp_stripe_form_add_int (form, "amount", params->amount);
  cp_stripe_form_add (form, "currency", params->currency);
  if (params->customer != NULL)
    cp_stripe_form_add (form, "customer", params->customer);
  if (params->description != NULL)
    cp_stripe_form_add (form, "description", params->description);
  if (params->receipt_email != NULL)
    cp_stripe_form_add (form, "receipt_email", params->receipt_email);
  if (params->invoice_id > 0)
    cp_stripe_form_add_int (form, "metadata[invoice_id]", params->invoice_id);
  if (params->invoice_number != NULL)
    cp_stripe_form_add (form, "metadata[invoice_number]", params->invoice_number);
  if (params->card_only)
    cp_stripe_form_add (form, "payment_method_types[]", "card");
  else
    cp_stripe_form_add_bool (form, "automatic_payment_methods[enabled]", TRUE);
  cp_stripe_form_add (form, "expand[]", "latest_charge");
  return form;
}

static gboolean
check_create_params (const CpStripePaymentIntentParams *params,
                     GError                           **error)
{
  if (params->amount <= 0 || params->currency == NULL || *params->currency == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A payment needs a positive amount and a currency"));
      return FALSE;
    }
  return TRUE;
}

void
cp_stripe_payment_intent_create_async (CpStripeClient                    *client,
                                       const CpStripePaymentIntentParams *params,
                                       const char                        *operation,
                                       GCancellable                      *cancellable,
                                       GAsyncReadyCallback                callback,
                                       gpointer                           user_data)
{
  g_autoptr(CpStripeForm) form = NULL;
  GError *error = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (params != NULL);

  if (!check_create_params (params, &error))
    {
      g_task_report_error (client, callback, user_data, cp_stripe_payment_intent_create_async, error);
      return;
    }
  form = create_form (params);
  cp_stripe_call_async (client, cp_stripe_payment_intent_create_async, "POST", "/v1/payment_intents",
                        form, operation, PARSE_PI, FREE_PI, cancellable, callback, user_data);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_create_finish (CpStripeClient      *client,
                                        GAsyncResult        *result,
                                        CpStripeErrorInfo  **info,
                                        GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_create_async, info, error);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_create (CpStripeClient                    *client,
                                 const CpStripePaymentIntentParams *params,
                                 const char                        *operation,
                                 GCancellable                      *cancellable,
                                 CpStripeErrorInfo                **info,
                                 GError                           **error)
{
  g_autoptr(CpStripeForm) form = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (info != NULL)
    *info = NULL;
  if (!check_create_params (params, error))
    return NULL;
  form = create_form (params);
  return cp_stripe_call (client, "POST", "/v1/payment_intents", form, operation, PARSE_PI, FREE_PI,
                         cancellable, info, error);
}

/* -- retrieve -- */

static CpStripeForm *
expand_charge_form (void)
{
  CpStripeForm *form = cp_stripe_form_new ();
  cp_stripe_form_add (form, "expand[]", "latest_charge");
  return form;
}

void
cp_stripe_payment_intent_retrieve_async (CpStripeClient      *client,
                                         const char          *id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = expand_charge_form ();
  g_autofree char *path = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (id != NULL);

  path = pi_path (id, NULL);
  cp_stripe_call_async (client, cp_stripe_payment_intent_retrieve_async, "GET", path, form, NULL,
                        PARSE_PI, FREE_PI, cancellable, callback, user_data);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_retrieve_finish (CpStripeClient      *client,
                                          GAsyncResult        *result,
                                          CpStripeErrorInfo  **info,
                                          GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_retrieve_async, info, error);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_retrieve (CpStripeClient      *client,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   CpStripeErrorInfo  **info,
                                   GError             **error)
{
  g_autoptr(CpStripeForm) form = expand_charge_form ();
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = pi_path (id, NULL);
  return cp_stripe_call (client, "GET", path, form, NULL, PARSE_PI, FREE_PI, cancellable, info, error);
}

/* -- cancel -- */

static CpStripeForm *
cancel_form (const char *reason)
{
  CpStripeForm *form = cp_stripe_form_new ();

  if (reason != NULL)
    cp_stripe_form_add (form, "cancellation_reason", reason);
  cp_stripe_form_add (form, "expand[]", "latest_charge");
  return form;
}

void
cp_stripe_payment_intent_cancel_async (CpStripeClient      *client,
                                       const char          *id,
                                       const char          *reason,
                                       const char          *operation,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = cancel_form (reason);
  g_autofree char *path = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (id != NULL);

  path = pi_path (id, "cancel");
  cp_stripe_call_async (client, cp_stripe_payment_intent_cancel_async, "POST", path, form, operation,
                        PARSE_PI, FREE_PI, cancellable, callback, user_data);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_cancel_finish (CpStripeClient      *client,
                                        GAsyncResult        *result,
                                        CpStripeErrorInfo  **info,
                                        GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_cancel_async, info, error);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_cancel (CpStripeClient      *client,
                                 const char          *id,
                                 const char          *reason,
                                 const char          *operation,
                                 GCancellable        *cancellable,
                                 CpStripeErrorInfo  **info,
                                 GError             **error)
{
  g_autoptr(CpStripeForm) form = cancel_form (reason);
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = pi_path (id, "cancel");
  return cp_stripe_call (client, "POST", path, form, operation, PARSE_PI, FREE_PI, cancellable,
                         info, error);
}

/* -- confirm -- */

static gboolean
check_confirm_allowed (CpStripeClient  *client,
                       GError         **error)
{
  if (!cp_stripe_config_is_test_mode (cp_stripe_client_get_config (client)))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION,
                           _("Confirming a payment with a payment method id is only allowed with a test key"));
      return FALSE;
    }
  return TRUE;
}

static CpStripeForm *
confirm_form (const char *payment_method)
{
  CpStripeForm *form = cp_stripe_form_new ();

  cp_stripe_form_add (form, "payment_method", payment_method);
  cp_stripe_form_add (form, "expand[]", "latest_charge");
  return form;
}

void
cp_stripe_payment_intent_confirm_async (CpStripeClient      *client,
                                        const char          *id,
                                        const char          *payment_method,
                                        const char          *operation,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (id != NULL);
  g_return_if_fail (payment_method != NULL);

  if (!check_confirm_allowed (client, &error))
    {
      GTask *task = g_task_new (client, cancellable, callback, user_data);
      g_task_set_source_tag (task, cp_stripe_payment_intent_confirm_async);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  form = confirm_form (payment_method);
  path = pi_path (id, "confirm");
  cp_stripe_call_async (client, cp_stripe_payment_intent_confirm_async, "POST", path, form, operation,
                        PARSE_PI, FREE_PI, cancellable, callback, user_data);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_confirm_finish (CpStripeClient      *client,
                                         GAsyncResult        *result,
                                         CpStripeErrorInfo  **info,
                                         GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_confirm_async, info, error);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_confirm (CpStripeClient      *client,
                                  const char          *id,
                                  const char          *payment_method,
                                  const char          *operation,
                                  GCancellable        *cancellable,
                                  CpStripeErrorInfo  **info,
                                  GError             **error)
{
  g_autoptr(CpStripeForm) form = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (payment_method != NULL, NULL);

  if (info != NULL)
    *info = NULL;
  if (!check_confirm_allowed (client, error))
    return NULL;
  form = confirm_form (payment_method);
  path = pi_path (id, "confirm");
  return cp_stripe_call (client, "POST", path, form, operation, PARSE_PI, FREE_PI, cancellable,
                         info, error);
}

/* -- list and search -- */

void
cp_stripe_payment_intent_list_async (CpStripeClient      *client,
                                     const char          *customer,
                                     guint                limit,
                                     const char          *starting_after,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = cp_stripe_list_form ("customer", customer, limit, starting_after);

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  cp_stripe_list_async (client, cp_stripe_payment_intent_list_async, "/v1/payment_intents", form,
                        PARSE_PI, FREE_PI, cancellable, callback, user_data);
}

CpStripeList *
cp_stripe_payment_intent_list_finish (CpStripeClient      *client,
                                      GAsyncResult        *result,
                                      CpStripeErrorInfo  **info,
                                      GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_list_async, info, error);
}

CpStripeList *
cp_stripe_payment_intent_list (CpStripeClient      *client,
                               const char          *customer,
                               guint                limit,
                               const char          *starting_after,
                               GCancellable        *cancellable,
                               CpStripeErrorInfo  **info,
                               GError             **error)
{
  g_autoptr(CpStripeForm) form = cp_stripe_list_form ("customer", customer, limit, starting_after);

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  return cp_stripe_list (client, "/v1/payment_intents", form, PARSE_PI, FREE_PI, cancellable, info,
                         error);
}

static CpStripeForm *
search_form (const char *key,
             const char *value,
             const char *page)
{
  CpStripeForm *form = cp_stripe_form_new ();
  g_autofree char *query = cp_stripe_metadata_query (key, value);

  cp_stripe_form_add (form, "query", query);
  if (page != NULL)
    cp_stripe_form_add (form, "page", page);
  return form;
}

void
cp_stripe_payment_intent_search_metadata_async (CpStripeClient      *client,
                                                const char          *key,
                                                const char          *value,
                                                const char          *page,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (key != NULL && value != NULL);

  form = search_form (key, value, page);
  cp_stripe_list_async (client, cp_stripe_payment_intent_search_metadata_async,
                        "/v1/payment_intents/search", form, PARSE_PI, FREE_PI, cancellable, callback,
                        user_data);
}

CpStripeList *
cp_stripe_payment_intent_search_metadata_finish (CpStripeClient      *client,
                                                 GAsyncResult        *result,
                                                 CpStripeErrorInfo  **info,
                                                 GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_intent_search_metadata_async,
                                info, error);
}

CpStripeList *
cp_stripe_payment_intent_search_metadata (CpStripeClient      *client,
                                          const char          *key,
                                          const char          *value,
                                          const char          *page,
                                          GCancellable        *cancellable,
                                          CpStripeErrorInfo  **info,
                                          GError             **error)
{
  g_autoptr(CpStripeForm) form = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (key != NULL && value != NULL, NULL);

  form = search_form (key, value, page);
  return cp_stripe_list (client, "/v1/payment_intents/search", form, PARSE_PI, FREE_PI, cancellable,
                         info, error);
}
