/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-customers.h"
#include "cp-stripe-json.h"
#include "cp-stripe-payment-intents.h"

typedef struct {
  CpPatient *patient;
} Ensure;

static void
ensure_free (Ensure *ensure)
{
  g_clear_pointer (&ensure->patient, cp_patient_free);
  g_free (ensure);
}

static char *
customer_path (const char *id)
{
  g_autofree char *escaped = cp_stripe_path_escape (id);
  return g_strdup_printf ("/v1/customers/%s", escaped);
}

static void
fail_with (GTask             *task,
           CpStripeErrorInfo *info,
           GError            *error)
{
  cp_stripe_task_set_error_info (task, info);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(JsonObject) object = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object == NULL)
    {
      fail_with (task, info, error);
      return;
    }
  g_task_return_pointer (task, cp_stripe_customer_new_from_json (object),
                         (GDestroyNotify) cp_stripe_customer_free);
  g_object_unref (task);
}

static void
create_customer (GTask *task)
{
  Ensure *ensure = g_task_get_task_data (task);
  CpStripeClient *client = g_task_get_source_object (task);
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autofree char *name = cp_patient_display_name (ensure->patient);
  g_autofree char *operation = g_strdup_printf ("customer.create:patient=%" G_GINT64_FORMAT,
                                                ensure->patient->id);

  if (name != NULL && *name != '\0')
    cp_stripe_form_add (form, "name", name);
  if (ensure->patient->email != NULL && *ensure->patient->email != '\0')
    cp_stripe_form_add (form, "email", ensure->patient->email);
  cp_stripe_form_add_int (form, "metadata[patient_id]", ensure->patient->id);
  if (ensure->patient->mrn != NULL)
    cp_stripe_form_add (form, "metadata[mrn]", ensure->patient->mrn);

  cp_stripe_client_request_async (client, "POST", "/v1/customers", form, operation, NULL,
                                  g_task_get_cancellable (task), created_cb, task);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(JsonObject) object = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;
  JsonArray *data;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object == NULL)
    {
      fail_with (task, info, error);
      return;
    }

  data = cp_stripe_json_get_array (object, "data");
  if (data != NULL && json_array_get_length (data) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (data, 0)))
    {
      JsonObject *found = json_array_get_object_element (data, 0);
      g_task_return_pointer (task, cp_stripe_customer_new_from_json (found),
                             (GDestroyNotify) cp_stripe_customer_free);
      g_object_unref (task);
      return;
    }

  create_customer (task);
}

static void
search_customer (GTask *task)
{
  Ensure *ensure = g_task_get_task_data (task);
  CpStripeClient *client = g_task_get_source_object (task);
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autofree char *patient_id = g_strdup_printf ("%" G_GINT64_FORMAT, ensure->patient->id);
  g_autofree char *query = cp_stripe_metadata_query ("patient_id", patient_id);

  cp_stripe_form_add (form, "query", query);
  cp_stripe_form_add_int (form, "limit", 1);
  cp_stripe_client_request_async (client, "GET", "/v1/customers/search", form, NULL, NULL,
                                  g_task_get_cancellable (task), searched_cb, task);
}

static void
retrieved_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(CpStripeErrorInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object != NULL && !cp_stripe_json_get_bool (object, "deleted", FALSE))
    {
      g_task_return_pointer (task, cp_stripe_customer_new_from_json (object),
                             (GDestroyNotify) cp_stripe_customer_free);
      g_object_unref (task);
      return;
    }
  /* A customer deleted in the Dashboard, or from another account. */
  if (object != NULL || (info != NULL && info->http_status == 404))
    {
      search_customer (task);
      return;
    }
  fail_with (task, g_steal_pointer (&info), g_steal_pointer (&error));
}

void
cp_stripe_customer_ensure_async (CpStripeClient      *client,
                                 const CpPatient     *patient,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Ensure *ensure;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (patient != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_stripe_customer_ensure_async);
  g_task_set_check_cancellable (task, FALSE);

  if (patient->id <= 0)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               _("The patient must be saved before taking a payment"));
      g_object_unref (task);
      return;
    }

  ensure = g_new0 (Ensure, 1);
  ensure->patient = cp_patient_copy (patient);
  g_task_set_task_data (task, ensure, (GDestroyNotify) ensure_free);

  if (patient->stripe_customer_id != NULL && *patient->stripe_customer_id != '\0')
    {
      g_autofree char *path = customer_path (patient->stripe_customer_id);
      cp_stripe_client_request_async (client, "GET", path, NULL, NULL, NULL, cancellable,
                                      retrieved_cb, task);
    }
  else
    search_customer (task);
}

CpStripeCustomer *
cp_stripe_customer_ensure_finish (CpStripeClient      *client,
                                  GAsyncResult        *result,
                                  CpStripeErrorInfo  **info,
                                  GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_customer_ensure_async, info, error);
}

CpStripeCustomer *
cp_stripe_customer_ensure (CpStripeClient      *client,
                           const CpPatient     *patient,
                           GCancellable        *cancellable,
                           CpStripeErrorInfo  **info,
                           GError             **error)
{
  CpStripeSync sync;
  CpStripeCustomer *customer;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);

  cp_stripe_sync_begin (client, &sync);
  cp_stripe_customer_ensure_async (client, patient, cancellable, cp_stripe_sync_callback, &sync);
  customer = cp_stripe_customer_ensure_finish (client, cp_stripe_sync_wait (&sync), info, error);
  cp_stripe_sync_end (&sync);
  return customer;
}

CpStripeCustomer *
cp_stripe_customer_retrieve (CpStripeClient      *client,
                             const char          *id,
                             GCancellable        *cancellable,
                             CpStripeErrorInfo  **info,
                             GError             **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = customer_path (id);
  return cp_stripe_call (client, "GET", path, NULL, NULL,
                         (CpStripeParseFunc) cp_stripe_customer_new_from_json,
                         (GDestroyNotify) cp_stripe_customer_free, cancellable, info, error);
}
