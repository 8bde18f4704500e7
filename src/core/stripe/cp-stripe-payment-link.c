/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Payment links for invoices: Stripe Payment Links, not Checkout Sessions.
 *
 * A hospital invoice is mailed or shown as a QR code and paid days or weeks
 * later. A Checkout Session expires at most 24 hours after it is made
 * (expires_at), so the link on a letter would be dead before it arrives
 * and we would need a redirect service of our own to mint sessions on
 * demand. A Payment Link has a stable URL that lives until we deactivate
 * it, which is what an invoice letter needs:
 *
 *   POST /v1/prices          currency, unit_amount, product_data[name],
 *                            metadata[invoice_id]
 *   POST /v1/payment_links   line_items[0][price], line_items[0][quantity]=1,
 *                            metadata[invoice_id], metadata[invoice_number],
 *                            payment_intent_data[metadata][invoice_id],
 *                            payment_intent_data[metadata][invoice_number],
 *                            restrictions[completed_sessions][limit]=1
 *   POST /v1/payment_links/{id}  active=false   (paid elsewhere, voided, changed)
 *
 * restrictions[completed_sessions][limit]=1 stops a second payment through
 * the same link, and payment_intent_data[metadata] puts the invoice id on
 * the resulting PaymentIntent, so the event sync books it to the invoice
 * exactly like a desk payment. Both parameters exist in the API version we
 * pin (2024-06-20) but are newer than the 2020-08-27 OpenAPI file in
 * /work/shared/stripe-reference; the spec test allows them through an
 * explicit, commented allowlist. The simulator implements the same calls. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-json.h"
#include "cp-stripe-payment-link.h"

typedef struct {
  gint64  invoice_id;
  char   *invoice_number;
  char   *operation;
  char   *price_id;
} Create;

static void
create_free (Create *create)
{
  g_free (create->invoice_number);
  g_free (create->operation);
  g_free (create->price_id);
  g_free (create);
}

static char *
sub_operation (const char *operation,
               const char *step)
{
  return operation != NULL ? g_strdup_printf ("%s:%s", operation, step) : NULL;
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
link_created_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Create *create = g_task_get_task_data (task);
  g_autoptr(JsonObject) object = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;
  CpStripePaymentLink *link;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object == NULL)
    {
      fail_with (task, info, error);
      return;
    }
  link = cp_stripe_payment_link_new_from_json (object);
  link->price_id = g_strdup (create->price_id);
  g_task_return_pointer (task, link, (GDestroyNotify) cp_stripe_payment_link_free);
  g_object_unref (task);
}

static void
price_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Create *create = g_task_get_task_data (task);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(CpStripeForm) form = NULL;
  g_autofree char *operation = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object == NULL)
    {
      fail_with (task, info, error);
      return;
    }
  create->price_id = g_strdup (cp_stripe_json_get_string (object, "id"));
  if (create->price_id == NULL)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_STRIPE, _("Stripe returned a price without an id"));
      g_object_unref (task);
      return;
    }

  form = cp_stripe_form_new ();
  cp_stripe_form_add (form, "line_items[0][price]", create->price_id);
  cp_stripe_form_add_int (form, "line_items[0][quantity]", 1);
  cp_stripe_form_add_int (form, "metadata[invoice_id]", create->invoice_id);
  if (create->invoice_number != NULL)
    cp_stripe_form_add (form, "metadata[invoice_number]", create->invoice_number);
  cp_stripe_form_add_int (form, "payment_intent_data[metadata][invoice_id]", create->invoice_id);
  if (create->invoice_number != NULL)
    cp_stripe_form_add (form, "payment_intent_data[metadata][invoice_number]", create->invoice_number);
  cp_stripe_form_add_int (form, "restrictions[completed_sessions][limit]", 1);

  operation = sub_operation (create->operation, "link");
  cp_stripe_client_request_async (CP_STRIPE_CLIENT (source), "POST", "/v1/payment_links", form,
                                  operation, NULL, g_task_get_cancellable (task), link_created_cb,
                                  task);
}

void
cp_stripe_payment_link_create_async (CpStripeClient                  *client,
                                     const CpStripePaymentLinkParams *params,
                                     const char                      *operation,
                                     GCancellable                    *cancellable,
                                     GAsyncReadyCallback              callback,
                                     gpointer                         user_data)
{
  g_autoptr(CpStripeForm) form = NULL;
  g_autofree char *price_operation = NULL;
  g_autofree char *name = NULL;
  GTask *task;
  Create *create;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (params != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_stripe_payment_link_create_async);
  g_task_set_check_cancellable (task, FALSE);

  if (params->amount <= 0 || params->currency == NULL || params->invoice_id <= 0)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               _("A payment link needs an invoice, a positive amount and a currency"));
      g_object_unref (task);
      return;
    }

  create = g_new0 (Create, 1);
  create->invoice_id = params->invoice_id;
  create->invoice_number = g_strdup (params->invoice_number);
  create->operation = g_strdup (operation);
  g_task_set_task_data (task, create, (GDestroyNotify) create_free);

  if (params->invoice_number != NULL)
    name = g_strdup_printf (_("Invoice %s"), params->invoice_number);
  else
    name = g_strdup_printf (_("Invoice %" PRId64), params->invoice_id);

  form = cp_stripe_form_new ();
  cp_stripe_form_add (form, "currency", params->currency);
  cp_stripe_form_add_int (form, "unit_amount", params->amount);
  cp_stripe_form_add (form, "product_data[name]", name);
  cp_stripe_form_add_int (form, "metadata[invoice_id]", params->invoice_id);

  price_operation = sub_operation (operation, "price");
  cp_stripe_client_request_async (client, "POST", "/v1/prices", form, price_operation, NULL,
                                  cancellable, price_created_cb, task);
}

CpStripePaymentLink *
cp_stripe_payment_link_create_finish (CpStripeClient      *client,
                                      GAsyncResult        *result,
                                      CpStripeErrorInfo  **info,
                                      GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_link_create_async, info, error);
}

CpStripePaymentLink *
cp_stripe_payment_link_create (CpStripeClient                  *client,
                               const CpStripePaymentLinkParams *params,
                               const char                      *operation,
                               GCancellable                    *cancellable,
                               CpStripeErrorInfo              **info,
                               GError                         **error)
{
  CpStripeSync sync;
  CpStripePaymentLink *link;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);

  cp_stripe_sync_begin (client, &sync);
  cp_stripe_payment_link_create_async (client, params, operation, cancellable,
                                       cp_stripe_sync_callback, &sync);
  link = cp_stripe_payment_link_create_finish (client, cp_stripe_sync_wait (&sync), info, error);
  cp_stripe_sync_end (&sync);
  return link;
}

static char *
link_path (const char *id)
{
  g_autofree char *escaped = cp_stripe_path_escape (id);
  return g_strdup_printf ("/v1/payment_links/%s", escaped);
}

static CpStripeForm *
deactivate_form (void)
{
  CpStripeForm *form = cp_stripe_form_new ();
  cp_stripe_form_add_bool (form, "active", FALSE);
  return form;
}

void
cp_stripe_payment_link_deactivate_async (CpStripeClient      *client,
                                         const char          *id,
                                         const char          *operation,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = deactivate_form ();
  g_autofree char *path = NULL;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  g_return_if_fail (id != NULL);

  path = link_path (id);
  cp_stripe_call_async (client, cp_stripe_payment_link_deactivate_async, "POST", path, form,
                        operation, (CpStripeParseFunc) cp_stripe_payment_link_new_from_json,
                        (GDestroyNotify) cp_stripe_payment_link_free, cancellable, callback,
                        user_data);
}

CpStripePaymentLink *
cp_stripe_payment_link_deactivate_finish (CpStripeClient      *client,
                                          GAsyncResult        *result,
                                          CpStripeErrorInfo  **info,
                                          GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_payment_link_deactivate_async, info, error);
}

CpStripePaymentLink *
cp_stripe_payment_link_deactivate (CpStripeClient      *client,
                                   const char          *id,
                                   const char          *operation,
                                   GCancellable        *cancellable,
                                   CpStripeErrorInfo  **info,
                                   GError             **error)
{
  g_autoptr(CpStripeForm) form = deactivate_form ();
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = link_path (id);
  return cp_stripe_call (client, "POST", path, form, operation,
                         (CpStripeParseFunc) cp_stripe_payment_link_new_from_json,
                         (GDestroyNotify) cp_stripe_payment_link_free, cancellable, info, error);
}

CpStripePaymentLink *
cp_stripe_payment_link_retrieve (CpStripeClient      *client,
                                 const char          *id,
                                 GCancellable        *cancellable,
                                 CpStripeErrorInfo  **info,
                                 GError             **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  path = link_path (id);
  return cp_stripe_call (client, "GET", path, NULL, NULL,
                         (CpStripeParseFunc) cp_stripe_payment_link_new_from_json,
                         (GDestroyNotify) cp_stripe_payment_link_free, cancellable, info, error);
}
