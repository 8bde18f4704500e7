/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Stripe's answers on arbitrary JSON: the error parser and every typed
 * object parser (PaymentIntent, Charge, Refund, Event, Customer, Payment
 * Link, lists of each) and the conversions to ledger records. They read
 * leniently: any JSON must give a value or NULL, never a crash or a
 * critical. */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-error.h"
#include "cp-stripe-objects.h"
#include "fuzz-common.h"

static void
check_error (JsonNode   *root,
             guint       status,
             const char *request_id)
{
  g_autoptr(CpStripeErrorInfo) info = cp_stripe_error_info_new_from_response (status, request_id, root);
  g_autoptr(CpStripeErrorInfo) copy = NULL;
  g_autoptr(GError) error = NULL;
  const char *key;
  int code;

  FUZZ_CHECK (info != NULL, "no error info");
  FUZZ_CHECK (info->http_status == status, "status %u, sent %u", info->http_status, status);
  FUZZ_CHECK (g_strcmp0 (info->request_id, request_id) == 0, "request id changed");
  code = cp_stripe_error_info_get_code (info);
  FUZZ_CHECK (code == CP_ERROR_CARD_DECLINED || code == CP_ERROR_NETWORK || code == CP_ERROR_STRIPE,
              "unexpected code %d", code);
  FUZZ_CHECK ((code == CP_ERROR_NETWORK) == (status == 0), "code %d for status %u", code, status);
  cp_stripe_error_info_set_error (info, &error);
  FUZZ_CHECK (error != NULL && error->domain == CP_ERROR && error->code == code,
              "set_error gave another error");
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "message is not UTF-8");

  key = cp_stripe_error_info_get_decline_key (info);
  FUZZ_CHECK (cp_stripe_decline_staff_message (key) != NULL, "no staff message");
  FUZZ_CHECK (cp_stripe_decline_patient_message (key) != NULL, "no patient message");
  (void) cp_stripe_decline_code_is_known (key);

  copy = cp_stripe_error_info_copy (info);
  FUZZ_CHECK (g_strcmp0 (copy->type, info->type) == 0 && g_strcmp0 (copy->code, info->code) == 0 &&
              g_strcmp0 (copy->decline_code, info->decline_code) == 0 &&
              g_strcmp0 (copy->message, info->message) == 0 &&
              g_strcmp0 (copy->payment_intent_id, info->payment_intent_id) == 0,
              "copy differs");
}

static void
check_objects (JsonObject *object)
{
  {
    g_autoptr(CpStripePaymentIntent) pi = cp_stripe_payment_intent_new_from_json (object);

    if (pi != NULL)
      {
        CpPayment *payment;

        FUZZ_CHECK (pi->metadata != NULL, "PaymentIntent metadata is NULL");
        (void) cp_stripe_payment_intent_get_metadata (pi, "invoice_id");
        payment = cp_stripe_payment_intent_to_payment (pi, 7);
        FUZZ_CHECK (payment != NULL, "no payment");
        cp_payment_free (payment);
      }
  }
  {
    CpStripeCharge *charge = cp_stripe_charge_new_from_json (object);

    cp_stripe_charge_free (charge);
  }
  {
    g_autoptr(CpStripeRefund) refund = cp_stripe_refund_new_from_json (object);

    if (refund != NULL)
      {
        CpRefund *out = cp_stripe_refund_to_refund (refund, 7, 9);

        FUZZ_CHECK (out != NULL, "no refund");
        cp_refund_free (out);
      }
  }
  {
    g_autoptr(CpStripeEvent) event = cp_stripe_event_new_from_json (object);

    if (event != NULL)
      FUZZ_CHECK (event->object != NULL, "event without data.object");
  }
  {
    CpStripeCustomer *customer = cp_stripe_customer_new_from_json (object);

    cp_stripe_customer_free (customer);
  }
  {
    CpStripePaymentLink *link = cp_stripe_payment_link_new_from_json (object);

    cp_stripe_payment_link_free (link);
  }

  /* The same object read as a list page of each type. */
  {
    g_autoptr(CpStripeList) list = NULL;

    list = cp_stripe_list_new_from_json (object, (gpointer (*) (JsonObject *)) cp_stripe_payment_intent_new_from_json,
                                         (GDestroyNotify) cp_stripe_payment_intent_free);
    g_clear_pointer (&list, cp_stripe_list_free);
    list = cp_stripe_list_new_from_json (object, (gpointer (*) (JsonObject *)) cp_stripe_refund_new_from_json,
                                         (GDestroyNotify) cp_stripe_refund_free);
    g_clear_pointer (&list, cp_stripe_list_free);
    list = cp_stripe_list_new_from_json (object, (gpointer (*) (JsonObject *)) cp_stripe_event_new_from_json,
                                         (GDestroyNotify) cp_stripe_event_free);
    if (list != NULL)
      FUZZ_CHECK (list->items != NULL, "list without items");
    g_clear_pointer (&list, cp_stripe_list_free);
    list = cp_stripe_list_new_from_json (object, (gpointer (*) (JsonObject *)) cp_stripe_customer_new_from_json,
                                         (GDestroyNotify) cp_stripe_customer_free);
    g_clear_pointer (&list, cp_stripe_list_free);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  guint status = 402;

  /* The first byte picks the HTTP status from those Stripe sends. */
  if (size > 0 && data[0] != '{' && data[0] != '[')
    {
      static const guint statuses[] = { 0, 400, 401, 402, 403, 404, 409, 429, 500, 503 };
      status = statuses[data[0] % G_N_ELEMENTS (statuses)];
      data++;
      size--;
    }

  check_error (NULL, status, NULL);
  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return 0;

  check_error (root, status, "req_fuzz");
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonObject *error = NULL;

      check_objects (object);
      /* and what an error body may embed */
      if (json_object_has_member (object, "error") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error")))
        error = json_object_get_object_member (object, "error");
      if (error != NULL && json_object_has_member (error, "payment_intent") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (error, "payment_intent")))
        check_objects (json_object_get_object_member (error, "payment_intent"));
    }
  return 0;
}
