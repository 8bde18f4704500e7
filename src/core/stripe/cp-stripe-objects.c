/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-stripe-json.h"
#include "cp-stripe-objects.h"

#define DUP(obj, member) g_strdup (cp_stripe_json_get_string ((obj), (member)))

/* Stripe's `created` (Unix seconds) as our ISO 8601 UTC text, NULL when unset. */
static char *
iso_from_unix (gint64 created)
{
  g_autoptr(GDateTime) dt = created > 0 ? g_date_time_new_from_unix_utc (created) : NULL;

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static JsonObject *
metadata_of (JsonObject *object)
{
  JsonObject *metadata = cp_stripe_json_get_object (object, "metadata");
  return metadata != NULL ? json_object_ref (metadata) : json_object_new ();
}

CpStripeCharge *
cp_stripe_charge_new_from_json (JsonObject *object)
{
  CpStripeCharge *charge;
  JsonObject *card;

  g_return_val_if_fail (object != NULL, NULL);

  charge = g_new0 (CpStripeCharge, 1);
  charge->id = DUP (object, "id");
  charge->status = DUP (object, "status");
  charge->amount = cp_stripe_json_get_int (object, "amount", 0);
  charge->amount_refunded = cp_stripe_json_get_int (object, "amount_refunded", 0);
  charge->currency = DUP (object, "currency");
  charge->refunded = cp_stripe_json_get_bool (object, "refunded", FALSE);
  charge->disputed = cp_stripe_json_get_bool (object, "disputed", FALSE);
  charge->receipt_url = DUP (object, "receipt_url");
  charge->failure_code = DUP (object, "failure_code");
  charge->failure_message = DUP (object, "failure_message");
  card = cp_stripe_json_get_object (cp_stripe_json_get_object (object, "payment_method_details"), "card");
  charge->card_brand = DUP (card, "brand");
  charge->card_last4 = DUP (card, "last4");
  return charge;
}

void
cp_stripe_charge_free (CpStripeCharge *charge)
{
  if (charge == NULL)
    return;
  g_free (charge->id);
  g_free (charge->status);
  g_free (charge->currency);
  g_free (charge->card_brand);
  g_free (charge->card_last4);
  g_free (charge->receipt_url);
  g_free (charge->failure_code);
  g_free (charge->failure_message);
  g_free (charge);
}

CpStripePaymentIntent *
cp_stripe_payment_intent_new_from_json (JsonObject *object)
{
  CpStripePaymentIntent *pi;
  JsonObject *charge;
  JsonObject *last_error;

  g_return_val_if_fail (object != NULL, NULL);

  pi = g_new0 (CpStripePaymentIntent, 1);
  pi->json = json_object_ref (object);
  pi->id = DUP (object, "id");
  pi->status = DUP (object, "status");
  pi->amount = cp_stripe_json_get_int (object, "amount", 0);
  pi->amount_received = cp_stripe_json_get_int (object, "amount_received", 0);
  pi->currency = DUP (object, "currency");
  pi->customer = g_strdup (cp_stripe_json_get_id (object, "customer"));
  pi->description = DUP (object, "description");
  pi->receipt_email = DUP (object, "receipt_email");
  pi->client_secret = DUP (object, "client_secret");
  pi->payment_method = g_strdup (cp_stripe_json_get_id (object, "payment_method"));
  pi->created = cp_stripe_json_get_int (object, "created", 0);
  pi->metadata = metadata_of (object);
  pi->latest_charge_id = g_strdup (cp_stripe_json_get_id (object, "latest_charge"));
  charge = cp_stripe_json_get_object (object, "latest_charge");
  if (charge != NULL)
    pi->latest_charge = cp_stripe_charge_new_from_json (charge);
  last_error = cp_stripe_json_get_object (object, "last_payment_error");
  if (last_error != NULL)
    {
      pi->last_error_type = DUP (last_error, "type");
      pi->last_error_code = DUP (last_error, "code");
      pi->last_error_decline_code = DUP (last_error, "decline_code");
      pi->last_error_message = DUP (last_error, "message");
    }
  return pi;
}

void
cp_stripe_payment_intent_free (CpStripePaymentIntent *pi)
{
  if (pi == NULL)
    return;
  g_free (pi->id);
  g_free (pi->status);
  g_free (pi->currency);
  g_free (pi->customer);
  g_free (pi->description);
  g_free (pi->receipt_email);
  g_free (pi->client_secret);
  g_free (pi->payment_method);
  g_clear_pointer (&pi->metadata, json_object_unref);
  g_free (pi->latest_charge_id);
  cp_stripe_charge_free (pi->latest_charge);
  g_free (pi->last_error_type);
  g_free (pi->last_error_code);
  g_free (pi->last_error_decline_code);
  g_free (pi->last_error_message);
  g_clear_pointer (&pi->json, json_object_unref);
  g_free (pi);
}

const char *
cp_stripe_payment_intent_get_metadata (const CpStripePaymentIntent *pi,
                                       const char                  *key)
{
  g_return_val_if_fail (pi != NULL, NULL);
  return cp_stripe_json_get_string (pi->metadata, key);
}

CpPayment *
cp_stripe_payment_intent_to_payment (const CpStripePaymentIntent *pi,
                                     gint64                       invoice_id)
{
  CpPayment *payment;

  g_return_val_if_fail (pi != NULL, NULL);

  payment = cp_payment_new ();
  payment->invoice_id = invoice_id;
  payment->stripe_payment_intent_id = g_strdup (pi->id);
  payment->stripe_charge_id = g_strdup (pi->latest_charge_id);
  payment->amount = pi->amount;
  payment->currency = g_strdup (pi->currency);
  payment->status = g_strdup (pi->status);
  if (pi->latest_charge != NULL)
    {
      payment->card_brand = g_strdup (pi->latest_charge->card_brand);
      payment->card_last4 = g_strdup (pi->latest_charge->card_last4);
      payment->receipt_url = g_strdup (pi->latest_charge->receipt_url);
      payment->disputed = pi->latest_charge->disputed;
    }
  if (pi->last_error_code != NULL || pi->last_error_decline_code != NULL)
    {
      payment->failure_code = g_strdup (pi->last_error_decline_code != NULL
                                        ? pi->last_error_decline_code : pi->last_error_code);
      payment->failure_message = g_strdup (pi->last_error_message);
    }
  payment->created_at = iso_from_unix (pi->created);
  return payment;
}

CpStripeRefund *
cp_stripe_refund_new_from_json (JsonObject *object)
{
  CpStripeRefund *refund;

  g_return_val_if_fail (object != NULL, NULL);

  refund = g_new0 (CpStripeRefund, 1);
  refund->json = json_object_ref (object);
  refund->id = DUP (object, "id");
  refund->status = DUP (object, "status");
  refund->amount = cp_stripe_json_get_int (object, "amount", 0);
  refund->currency = DUP (object, "currency");
  refund->payment_intent = g_strdup (cp_stripe_json_get_id (object, "payment_intent"));
  refund->charge = g_strdup (cp_stripe_json_get_id (object, "charge"));
  refund->reason = DUP (object, "reason");
  refund->failure_reason = DUP (object, "failure_reason");
  refund->created = cp_stripe_json_get_int (object, "created", 0);
  refund->metadata = metadata_of (object);
  return refund;
}

void
cp_stripe_refund_free (CpStripeRefund *refund)
{
  if (refund == NULL)
    return;
  g_free (refund->id);
  g_free (refund->status);
  g_free (refund->currency);
  g_free (refund->payment_intent);
  g_free (refund->charge);
  g_free (refund->reason);
  g_free (refund->failure_reason);
  g_clear_pointer (&refund->metadata, json_object_unref);
  g_clear_pointer (&refund->json, json_object_unref);
  g_free (refund);
}

CpRefund *
cp_stripe_refund_to_refund (const CpStripeRefund *refund,
                            gint64                invoice_id,
                            gint64                payment_id)
{
  CpRefund *out;

  g_return_val_if_fail (refund != NULL, NULL);

  out = cp_refund_new ();
  out->invoice_id = invoice_id;
  out->payment_id = payment_id;
  out->stripe_refund_id = g_strdup (refund->id);
  out->amount = refund->amount;
  out->currency = g_strdup (refund->currency);
  out->status = g_strdup (refund->status);
  out->reason = g_strdup (refund->reason);
  out->created_at = iso_from_unix (refund->created);
  return out;
}

CpStripeEvent *
cp_stripe_event_new_from_json (JsonObject *object)
{
  CpStripeEvent *event;
  JsonObject *data_object;

  g_return_val_if_fail (object != NULL, NULL);

  event = g_new0 (CpStripeEvent, 1);
  event->json = json_object_ref (object);
  event->id = DUP (object, "id");
  event->type = DUP (object, "type");
  event->created = cp_stripe_json_get_int (object, "created", 0);
  data_object = cp_stripe_json_get_object (cp_stripe_json_get_object (object, "data"), "object");
  event->object = data_object != NULL ? json_object_ref (data_object) : json_object_new ();
  return event;
}

void
cp_stripe_event_free (CpStripeEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->id);
  g_free (event->type);
  g_clear_pointer (&event->object, json_object_unref);
  g_clear_pointer (&event->json, json_object_unref);
  g_free (event);
}

CpStripeCustomer *
cp_stripe_customer_new_from_json (JsonObject *object)
{
  CpStripeCustomer *customer;

  g_return_val_if_fail (object != NULL, NULL);

  customer = g_new0 (CpStripeCustomer, 1);
  customer->json = json_object_ref (object);
  customer->id = DUP (object, "id");
  customer->name = DUP (object, "name");
  customer->email = DUP (object, "email");
  customer->deleted = cp_stripe_json_get_bool (object, "deleted", FALSE);
  customer->metadata = metadata_of (object);
  return customer;
}

void
cp_stripe_customer_free (CpStripeCustomer *customer)
{
  if (customer == NULL)
    return;
  g_free (customer->id);
  g_free (customer->name);
  g_free (customer->email);
  g_clear_pointer (&customer->metadata, json_object_unref);
  g_clear_pointer (&customer->json, json_object_unref);
  g_free (customer);
}

CpStripePaymentLink *
cp_stripe_payment_link_new_from_json (JsonObject *object)
{
  CpStripePaymentLink *link;

  g_return_val_if_fail (object != NULL, NULL);

  link = g_new0 (CpStripePaymentLink, 1);
  link->json = json_object_ref (object);
  link->id = DUP (object, "id");
  link->url = DUP (object, "url");
  link->active = cp_stripe_json_get_bool (object, "active", FALSE);
  link->metadata = metadata_of (object);
  return link;
}

void
cp_stripe_payment_link_free (CpStripePaymentLink *link)
{
  if (link == NULL)
    return;
  g_free (link->id);
  g_free (link->url);
  g_free (link->price_id);
  g_clear_pointer (&link->metadata, json_object_unref);
  g_clear_pointer (&link->json, json_object_unref);
  g_free (link);
}

CpStripeList *
cp_stripe_list_new_from_json (JsonObject      *object,
                              gpointer       (*parse) (JsonObject *),
                              GDestroyNotify   free_func)
{
  CpStripeList *list;
  JsonArray *data;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (parse != NULL, NULL);

  list = g_new0 (CpStripeList, 1);
  list->items = g_ptr_array_new_with_free_func (free_func);
  list->has_more = cp_stripe_json_get_bool (object, "has_more", FALSE);
  list->next_page = DUP (object, "next_page");

  data = cp_stripe_json_get_array (object, "data");
  for (guint i = 0; data != NULL && i < json_array_get_length (data); i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      gpointer item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = parse (json_node_get_object (node));
      if (item != NULL)
        g_ptr_array_add (list->items, item);
    }
  return list;
}

void
cp_stripe_list_free (CpStripeList *list)
{
  if (list == NULL)
    return;
  g_clear_pointer (&list->items, g_ptr_array_unref);
  g_free (list->next_page);
  g_free (list);
}
