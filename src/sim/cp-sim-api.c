/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Stripe's v1 payment endpoints: customers, payment methods, payment
 * intents, charges, refunds and disputes, with Stripe's test cards. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-sim-cards.h"
#include "cp-sim-api-private.h"

/* ------------------------------------------------------------------ */
/* customers                                                           */

static gboolean
apply_customer_params (CpSimRequest *req,
                       JsonObject   *cus)
{
  const char *strings[] = { "name", "email", "phone", "description", NULL };
  JsonObject *address = cp_sim_param_object (req, "address");

  for (guint i = 0; strings[i]; i++)
    if (json_object_has_member (req->params, strings[i]))
      cp_sim_set_string_or_null (cus, strings[i], cp_sim_param_string (req, strings[i]));
  if (address != NULL)
    {
      JsonObject *a = cp_sim_obj (cus, "address");
      const char *keys[] = { "city", "country", "line1", "line2", "postal_code", "state", NULL };
      g_autoptr(GList) members = json_object_get_members (address);
      for (GList *l = members; l; l = l->next)
        if (!g_strv_contains (keys, l->data))
          {
            cp_sim_reply_error (req, 400, INVALID, "parameter_unknown", "address",
                                "Received unknown parameter: address[%s]", (char *) l->data);
            return FALSE;
          }
      if (a == NULL)
        {
          a = json_object_new ();
          json_object_set_object_member (cus, "address", a);
          for (guint i = 0; keys[i]; i++)
            json_object_set_null_member (a, keys[i]);
        }
      for (guint i = 0; keys[i]; i++)
        if (json_object_has_member (address, keys[i]))
          cp_sim_set_string_or_null (a, keys[i], json_object_get_string_member_with_default (address, keys[i], NULL));
    }
  if (json_object_has_member (req->params, "preferred_locales"))
    {
      JsonNode *n = json_object_get_member (req->params, "preferred_locales");
      json_object_set_member (cus, "preferred_locales", JSON_NODE_HOLDS_ARRAY (n) ? cp_sim_json_copy (n)
                              : json_node_init_array (json_node_alloc (), json_array_new ()));
    }
  return cp_sim_apply_metadata (req, cus, req->params, NULL);
}

static void
customers_create (CpSimRequest *req)
{
  g_autofree char *id = cp_sim_state_make_id ("cus");
  g_autoptr(JsonObject) scratch = NULL;
  JsonObject *cus;
  g_autofree char *prefix = NULL;

  /* validate on a scratch copy so that a bad request stores nothing */
  scratch = cp_sim_state_template (req->state, "customer");
  if (!apply_customer_params (req, scratch))
    return;
  cus = cp_sim_state_create_with_id (req->state, "customer", id);
  apply_customer_params (req, cus);
  prefix = g_ascii_strup (id + 8, 7);
  json_object_set_string_member (cus, "invoice_prefix", prefix);
  cp_sim_emit (req, "customer.created", cus, NULL);
  cp_sim_reply_object (req, 200, cus);
}

static void
customers_retrieve (CpSimRequest *req)
{
  JsonObject *cus = cp_sim_state_lookup_typed (req->state, req->args[0], "customer");

  if (cus == NULL)
    cp_sim_reply_missing (req, "customer", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, cus);
}

static void
customers_update (CpSimRequest *req)
{
  JsonObject *cus = cp_sim_state_lookup_typed (req->state, req->args[0], "customer");
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) scratch = NULL;
  g_autoptr(JsonObject) previous = json_object_new ();
  g_autoptr(GList) members = NULL;

  if (cus == NULL)
    {
      cp_sim_reply_missing (req, "customer", req->args[0], NULL);
      return;
    }
  scratch = cp_sim_obj_copy (cus);
  if (!apply_customer_params (req, scratch))
    return;
  before = cp_sim_obj_copy (cus);
  apply_customer_params (req, cus);
  members = json_object_get_members (before);
  for (GList *l = members; l; l = l->next)
    if (!json_node_equal (json_object_get_member (before, l->data), json_object_get_member (cus, l->data)))
      json_object_set_member (previous, l->data, cp_sim_json_copy (json_object_get_member (before, l->data)));
  if (json_object_get_size (previous) > 0)
    cp_sim_emit (req, "customer.updated", cus, previous);
  cp_sim_reply_object (req, 200, cus);
}

static gboolean
customer_filter (CpSimRequest *req,
                 JsonObject   *obj)
{
  const char *email = cp_sim_param_string (req, "email");

  return email == NULL || g_strcmp0 (json_object_get_string_member_with_default (obj, "email", NULL), email) == 0;
}

static void
customers_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "customer", customer_filter, "/v1/customers");
}

static void
customers_search (CpSimRequest *req)
{
  const char *fields[] = { "metadata", "email", "name", "phone", "created", NULL };

  cp_sim_reply_search (req, "customer", fields, "/v1/customers/search");
}

/* ------------------------------------------------------------------ */
/* payment methods                                                     */

static char *
fingerprint_for (const char *number)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, number, -1);
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  char out[17];

  for (int i = 0; i < 16; i++)
    out[i] = alphabet[(guchar) sum[i] % (sizeof alphabet - 1)];
  out[16] = '\0';
  return g_strdup (out);
}

static JsonObject *
create_card_pm (CpSimState       *state,
                const char       *number,
                const CpSimCard  *card,
                gint64            exp_month,
                gint64            exp_year,
                gboolean          cvc_given,
                JsonObject       *billing)
{
  JsonObject *pm = cp_sim_state_create (state, "payment_method", "pm");
  JsonObject *c = cp_sim_obj (pm, "card");
  JsonObject *checks = cp_sim_obj (c, "checks");
  JsonObject *networks = cp_sim_obj (c, "networks");
  JsonArray *available = json_array_new ();
  g_autofree char *fp = fingerprint_for (number);
  JsonObject *bd = cp_sim_obj (pm, "billing_details");
  gsize len = strlen (number);

  json_object_set_string_member (c, "brand", card->brand);
  json_object_set_string_member (c, "display_brand", card->brand);
  json_object_set_string_member (c, "country", card->country);
  json_object_set_int_member (c, "exp_month", exp_month);
  json_object_set_int_member (c, "exp_year", exp_year);
  json_object_set_string_member (c, "fingerprint", fp);
  json_object_set_string_member (c, "funding", card->funding);
  json_object_set_string_member (c, "last4", number + len - 4);
  json_array_add_string_element (available, card->brand);
  json_object_set_array_member (networks, "available", available);
  json_object_set_null_member (networks, "preferred");
  json_object_set_null_member (checks, "address_line1_check");
  json_object_set_null_member (checks, "address_postal_code_check");
  if (cvc_given)
    json_object_set_string_member (checks, "cvc_check", "unchecked");
  else
    json_object_set_null_member (checks, "cvc_check");
  json_object_set_object_member (pm, "metadata", json_object_new ());

  if (billing != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (billing);
      for (GList *l = members; l; l = l->next)
        {
          JsonNode *v = json_object_get_member (billing, l->data);
          if (g_str_equal (l->data, "address") && JSON_NODE_HOLDS_OBJECT (v))
            {
              JsonObject *a = cp_sim_obj (bd, "address");
              g_autoptr(GList) ak = json_object_get_members (json_node_get_object (v));
              for (GList *k = ak; k; k = k->next)
                cp_sim_set_string_or_null (a, k->data, json_object_get_string_member_with_default (json_node_get_object (v), k->data, NULL));
              if (json_object_has_member (json_node_get_object (v), "postal_code"))
                json_object_set_string_member (checks, "address_postal_code_check", "unchecked");
            }
          else if (JSON_NODE_HOLDS_VALUE (v))
            cp_sim_set_string_or_null (bd, l->data, json_node_get_string (v));
        }
    }
  cp_sim_state_set_private (state, json_object_get_string_member (pm, "id"), "card_number", number);
  return pm;
}

/* The payment method for @id: a stored pm_, or a new one for Stripe's
 * test aliases (pm_card_visa...), as Stripe does. */
static JsonObject *
resolve_payment_method (CpSimState *state,
                        const char *id)
{
  const CpSimCard *card = cp_sim_card_lookup_pm (id);

  if (card != NULL)
    {
      GDateTime *now = g_date_time_new_now_utc ();
      gint year = g_date_time_get_year (now) + 1;
      JsonObject *pm;

      g_date_time_unref (now);
      pm = create_card_pm (state, card->number, card, 12, year, TRUE, NULL);
      return pm;
    }
  return cp_sim_state_lookup_typed (state, id, "payment_method");
}

static const CpSimCard *
card_of_pm (CpSimState *state,
            JsonObject *pm)
{
  const char *number = cp_sim_state_get_private (state, json_object_get_string_member (pm, "id"), "card_number");
  const CpSimCard *card;

  if (number == NULL)
    return cp_sim_card_lookup_number ("4242424242424242");
  card = cp_sim_card_lookup_number (number);
  return card ? card : cp_sim_card_for_unknown (number);
}

static void
card_error (CpSimRequest *req,
            const char   *code,
            const char   *param,
            const char   *message)
{
  cp_sim_reply_error (req, 402, "card_error", code, param, "%s", message);
}

static void
payment_methods_create (CpSimRequest *req)
{
  const char *type = cp_sim_param_string (req, "type");
  JsonObject *card = cp_sim_param_object (req, "card");
  JsonObject *pm;
  g_autofree char *number = NULL;
  const char *cvc;
  const char *exp_month_s, *exp_year_s;
  gint64 exp_month, exp_year;
  const CpSimCard *test;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (!cp_sim_require_param (req, "type"))
    return;
  if (!g_str_equal (type, "card"))
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "type",
                          "Invalid type: the simulator supports only type=card.");
      return;
    }
  if (card == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "card", "Missing required param: card.");
      return;
    }
  {
    const char *allowed[] = { "number", "exp_month", "exp_year", "cvc", "token", NULL };
    g_autoptr(GList) members = json_object_get_members (card);
    for (GList *l = members; l; l = l->next)
      if (!g_strv_contains (allowed, l->data))
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_unknown", "card",
                              "Received unknown parameter: card[%s]", (char *) l->data);
          return;
        }
  }
  if (!json_object_has_member (card, "number"))
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "card[number]", "Missing required param: card[number].");
      return;
    }
  {
    GString *digits = g_string_new (NULL);
    for (const char *c = json_object_get_string_member (card, "number"); *c; c++)
      if (g_ascii_isdigit (*c))
        g_string_append_c (digits, *c);
      else if (*c != ' ' && *c != '-')
        g_string_append_c (digits, 'x');
    number = g_string_free (digits, FALSE);
  }
  exp_month_s = json_object_get_string_member_with_default (card, "exp_month", NULL);
  exp_year_s = json_object_get_string_member_with_default (card, "exp_year", NULL);
  cvc = json_object_get_string_member_with_default (card, "cvc", NULL);
  if (exp_month_s == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "card[exp_month]", "Missing required param: card[exp_month].");
      return;
    }
  if (exp_year_s == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "card[exp_year]", "Missing required param: card[exp_year].");
      return;
    }

  test = cp_sim_card_lookup_number (number);
  if ((test != NULL && test->behaviour == CP_SIM_CARD_INCORRECT_NUMBER) || !cp_sim_card_luhn_valid (number))
    {
      card_error (req, "incorrect_number", "card[number]", "Your card number is incorrect.");
      return;
    }
  exp_month = g_ascii_strtoll (exp_month_s, NULL, 10);
  exp_year = g_ascii_strtoll (exp_year_s, NULL, 10);
  if (exp_year < 100)
    exp_year += 2000;
  if (exp_month < 1 || exp_month > 12)
    {
      card_error (req, "invalid_expiry_month", "card[exp_month]", "Your card's expiration month is invalid.");
      return;
    }
  if (exp_year < g_date_time_get_year (now) || exp_year > g_date_time_get_year (now) + 50)
    {
      card_error (req, "invalid_expiry_year", "card[exp_year]", "Your card's expiration year is invalid.");
      return;
    }
  if (exp_year == g_date_time_get_year (now) && exp_month < g_date_time_get_month (now))
    {
      card_error (req, "invalid_expiry_month", "card[exp_month]", "Your card's expiration month is invalid.");
      return;
    }
  if (cvc != NULL)
    {
      gboolean amex = g_str_equal (cp_sim_card_detect_brand (number), "amex");
      gsize len = strlen (cvc);
      gboolean ok = (len == 3 || (amex && len == 4));
      for (const char *c = cvc; *c; c++)
        ok = ok && g_ascii_isdigit (*c);
      if (!ok)
        {
          card_error (req, "invalid_cvc", "card[cvc]", "Your card's security code is invalid.");
          return;
        }
    }
  if (test == NULL)
    test = cp_sim_card_for_unknown (number);
  pm = create_card_pm (req->state, number, test, exp_month, exp_year, cvc != NULL,
                       cp_sim_param_object (req, "billing_details"));
  if (!cp_sim_apply_metadata (req, pm, req->params, NULL))
    return;
  cp_sim_reply_object (req, 200, pm);
}

static void
payment_methods_retrieve (CpSimRequest *req)
{
  JsonObject *pm = cp_sim_state_lookup_typed (req->state, req->args[0], "payment_method");

  if (pm == NULL && cp_sim_card_lookup_pm (req->args[0]) != NULL)
    pm = resolve_payment_method (req->state, req->args[0]);
  if (pm == NULL)
    cp_sim_reply_missing (req, "payment_method", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, pm);
}

/* ------------------------------------------------------------------ */
/* charges                                                             */

static JsonObject *
create_charge (CpSimRequest    *req,
               JsonObject      *pi,
               JsonObject      *pm,
               const CpSimCard *card,
               gboolean         succeeded,
               gboolean         three_d_secure)
{
  CpSimState *state = req->state;
  JsonObject *ch = cp_sim_state_create (state, "charge", "ch");
  const char *id = json_object_get_string_member (ch, "id");
  JsonObject *pmc = cp_sim_obj (pm, "card");
  g_autoptr(JsonObject) details = json_object_new ();
  JsonObject *dcard = json_object_new ();
  JsonObject *outcome = json_object_new ();
  JsonObject *refunds = cp_sim_obj (ch, "refunds");
  g_autofree char *refunds_url = g_strdup_printf ("/v1/charges/%s/refunds", id);
  g_autofree char *receipt = g_strdup_printf ("%s/receipts/%s", cp_sim_server_get_base_url (req->server), id);
  gint64 amount = json_object_get_int_member (pi, "amount");
  JsonObject *tds;

  /* payment_method_details.card: the fixture's field set */
  json_object_set_null_member (dcard, "amount_authorized");
  json_object_set_string_member (dcard, "brand", json_object_get_string_member (pmc, "brand"));
  {
    JsonObject *checks = json_object_new ();
    JsonObject *pm_checks = cp_sim_obj (pmc, "checks");
    json_object_set_null_member (checks, "address_line1_check");
    if (json_object_get_null_member (pm_checks, "address_postal_code_check"))
      json_object_set_null_member (checks, "address_postal_code_check");
    else
      json_object_set_string_member (checks, "address_postal_code_check", "pass");
    if (json_object_get_null_member (pm_checks, "cvc_check"))
      json_object_set_null_member (checks, "cvc_check");
    else
      json_object_set_string_member (checks, "cvc_check",
                                     g_strcmp0 (card->decline_code, "incorrect_cvc") == 0 ? "fail" : "pass");
    json_object_set_object_member (dcard, "checks", checks);
  }
  json_object_set_string_member (dcard, "country", json_object_get_string_member (pmc, "country"));
  json_object_set_int_member (dcard, "exp_month", json_object_get_int_member (pmc, "exp_month"));
  json_object_set_int_member (dcard, "exp_year", json_object_get_int_member (pmc, "exp_year"));
  {
    JsonObject *ext = json_object_new ();
    json_object_set_string_member (ext, "status", "disabled");
    json_object_set_object_member (dcard, "extended_authorization", ext);
  }
  json_object_set_string_member (dcard, "fingerprint", json_object_get_string_member (pmc, "fingerprint"));
  json_object_set_string_member (dcard, "funding", json_object_get_string_member (pmc, "funding"));
  {
    JsonObject *inc = json_object_new ();
    json_object_set_string_member (inc, "status", "unavailable");
    json_object_set_object_member (dcard, "incremental_authorization", inc);
  }
  json_object_set_null_member (dcard, "installments");
  json_object_set_string_member (dcard, "last4", json_object_get_string_member (pmc, "last4"));
  json_object_set_null_member (dcard, "mandate");
  {
    JsonObject *mc = json_object_new ();
    json_object_set_string_member (mc, "status", "unavailable");
    json_object_set_object_member (dcard, "multicapture", mc);
  }
  json_object_set_string_member (dcard, "network", json_object_get_string_member (pmc, "brand"));
  {
    JsonObject *nt = json_object_new ();
    json_object_set_boolean_member (nt, "used", FALSE);
    json_object_set_object_member (dcard, "network_token", nt);
  }
  {
    JsonObject *oc = json_object_new ();
    json_object_set_int_member (oc, "maximum_amount_capturable", amount);
    json_object_set_string_member (oc, "status", "unavailable");
    json_object_set_object_member (dcard, "overcapture", oc);
  }
  if (three_d_secure)
    {
      tds = json_object_new ();
      json_object_set_string_member (tds, "authentication_flow", "challenge");
      json_object_set_string_member (tds, "electronic_commerce_indicator", "05");
      json_object_set_null_member (tds, "exemption_indicator");
      json_object_set_string_member (tds, "result", "authenticated");
      json_object_set_null_member (tds, "result_reason");
      json_object_set_string_member (tds, "transaction_id", id);
      json_object_set_string_member (tds, "version", "2.2.0");
      json_object_set_object_member (dcard, "three_d_secure", tds);
    }
  else
    json_object_set_null_member (dcard, "three_d_secure");
  json_object_set_null_member (dcard, "wallet");
  cp_sim_set_string_or_null (dcard, "authorization_code", succeeded ? "123456" : NULL);
  json_object_set_null_member (dcard, "regulated_status");
  json_object_set_string_member (dcard, "network_transaction_id", id + 3);
  json_object_set_object_member (details, "card", dcard);
  json_object_set_string_member (details, "type", "card");

  json_object_set_int_member (ch, "amount", amount);
  json_object_set_int_member (ch, "amount_captured", succeeded ? amount : 0);
  json_object_set_int_member (ch, "amount_refunded", 0);
  json_object_set_member (ch, "billing_details", cp_sim_json_copy (json_object_get_member (pm, "billing_details")));
  json_object_set_string_member (ch, "calculated_statement_descriptor", "CAREPAY");
  json_object_set_boolean_member (ch, "captured", succeeded);
  json_object_set_string_member (ch, "currency", json_object_get_string_member (pi, "currency"));
  json_object_set_member (ch, "customer", cp_sim_json_copy (json_object_get_member (pi, "customer")));
  json_object_set_member (ch, "description", cp_sim_json_copy (json_object_get_member (pi, "description")));
  json_object_set_member (ch, "metadata", cp_sim_json_copy (json_object_get_member (pi, "metadata")));
  json_object_set_boolean_member (ch, "paid", succeeded);
  json_object_set_string_member (ch, "payment_intent", json_object_get_string_member (pi, "id"));
  json_object_set_string_member (ch, "payment_method", json_object_get_string_member (pm, "id"));
  json_object_set_object_member (ch, "payment_method_details", json_object_ref (details));
  json_object_set_member (ch, "receipt_email", cp_sim_json_copy (json_object_get_member (pi, "receipt_email")));
  json_object_set_string_member (ch, "receipt_url", receipt);
  json_object_set_object_member (ch, "fraud_details", json_object_new ());
  json_object_set_string_member (refunds, "url", refunds_url);
  json_object_set_null_member (ch, "source");

  if (succeeded)
    {
      JsonObject *txn = cp_sim_state_create (state, "balance_transaction", "txn");
      gint64 fee = amount * 29 / 1000 + 30;
      JsonArray *fee_details = json_array_new ();
      JsonObject *fd = json_object_new ();

      json_object_set_int_member (txn, "amount", amount);
      json_object_set_int_member (txn, "available_on", cp_sim_state_now () + 2 * 24 * 3600);
      json_object_set_string_member (txn, "currency", json_object_get_string_member (pi, "currency"));
      json_object_set_member (txn, "description", cp_sim_json_copy (json_object_get_member (pi, "description")));
      json_object_set_int_member (txn, "fee", fee);
      json_object_set_int_member (fd, "amount", fee);
      json_object_set_null_member (fd, "application");
      json_object_set_string_member (fd, "currency", json_object_get_string_member (pi, "currency"));
      json_object_set_string_member (fd, "description", "Stripe processing fees");
      json_object_set_string_member (fd, "type", "stripe_fee");
      json_array_add_object_element (fee_details, fd);
      json_object_set_array_member (txn, "fee_details", fee_details);
      json_object_set_int_member (txn, "net", amount - fee);
      json_object_set_string_member (txn, "source", id);
      json_object_set_string_member (txn, "status", "pending");
      json_object_set_string_member (ch, "balance_transaction", json_object_get_string_member (txn, "id"));
      json_object_set_string_member (ch, "status", "succeeded");
      json_object_set_null_member (ch, "failure_code");
      json_object_set_null_member (ch, "failure_message");
      json_object_set_string_member (outcome, "network_status", "approved_by_network");
      json_object_set_null_member (outcome, "reason");
      json_object_set_string_member (outcome, "risk_level", "normal");
      json_object_set_int_member (outcome, "risk_score", 32);
      json_object_set_string_member (outcome, "seller_message", "Payment complete.");
      json_object_set_string_member (outcome, "type", "authorized");
    }
  else
    {
      gboolean fraud = g_strcmp0 (card->decline_code, "fraudulent") == 0;
      json_object_set_null_member (ch, "balance_transaction");
      json_object_set_string_member (ch, "status", "failed");
      json_object_set_string_member (ch, "failure_code", card->code);
      json_object_set_string_member (ch, "failure_message", card->message);
      json_object_set_string_member (outcome, "network_status", fraud ? "not_sent_to_network" : "declined_by_network");
      json_object_set_string_member (outcome, "reason", card->decline_code);
      json_object_set_string_member (outcome, "risk_level", fraud ? "highest" : "normal");
      json_object_set_int_member (outcome, "risk_score", fraud ? 90 : 40);
      json_object_set_string_member (outcome, "seller_message",
                                     fraud ? "Stripe blocked this payment as too risky."
                                           : "The bank did not return any further details with this decline.");
      json_object_set_string_member (outcome, "type", fraud ? "blocked" : "issuer_declined");
    }
  json_object_set_null_member (outcome, "advice_code");
  json_object_set_null_member (outcome, "network_advice_code");
  json_object_set_null_member (outcome, "network_decline_code");
  json_object_set_object_member (ch, "outcome", outcome);
  return ch;
}

static gboolean
charge_filter (CpSimRequest *req,
               JsonObject   *obj)
{
  const char *customer = cp_sim_param_string (req, "customer");
  const char *pi = cp_sim_param_string (req, "payment_intent");

  if (customer && g_strcmp0 (json_object_get_string_member_with_default (obj, "customer", NULL), customer) != 0)
    return FALSE;
  if (pi && g_strcmp0 (json_object_get_string_member_with_default (obj, "payment_intent", NULL), pi) != 0)
    return FALSE;
  return TRUE;
}

static void
charges_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "charge", charge_filter, "/v1/charges");
}

static void
charges_retrieve (CpSimRequest *req)
{
  JsonObject *ch = cp_sim_state_lookup_typed (req->state, req->args[0], "charge");

  if (ch == NULL)
    cp_sim_reply_missing (req, "charge", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, ch);
}

static void
charges_search (CpSimRequest *req)
{
  const char *fields[] = { "metadata", "amount", "currency", "customer", "payment_intent", "status", "created", "refunded", "disputed", NULL };

  cp_sim_reply_search (req, "charge", fields, "/v1/charges/search");
}

/* ------------------------------------------------------------------ */
/* payment intents                                                     */

static const char *pi_public_fields[] = {
  "id", "object", "amount", "amount_details", "automatic_payment_methods", "canceled_at", "cancellation_reason",
  "capture_method", "client_secret", "confirmation_method", "created", "currency", "description",
  "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_configuration_details",
  "payment_method_types", "processing", "receipt_email", "setup_future_usage", "shipping", "status", NULL
};

JsonObject *
cp_sim_api_publishable_view (JsonObject *pi)
{
  JsonObject *view = json_object_new ();

  for (guint i = 0; pi_public_fields[i]; i++)
    if (json_object_has_member (pi, pi_public_fields[i]))
      json_object_set_member (view, pi_public_fields[i], cp_sim_json_copy (json_object_get_member (pi, pi_public_fields[i])));
  return view;
}

static void
reply_pi (CpSimRequest *req,
          JsonObject   *pi)
{
  if (req->publishable)
    {
      g_autoptr(JsonObject) view = cp_sim_api_publishable_view (pi);
      cp_sim_reply_object (req, 200, view);
    }
  else
    cp_sim_reply_object (req, 200, pi);
}

static JsonObject *
last_payment_error (CpSimState      *state,
                    JsonObject      *pm,
                    JsonObject      *charge,
                    const char      *type,
                    const char      *code,
                    const char      *decline_code,
                    const char      *message)
{
  JsonObject *err = json_object_new ();
  g_autofree char *doc = g_strdup_printf ("https://stripe.com/docs/error-codes/%s", code);

  g_strdelimit (doc + strlen ("https://stripe.com/docs/error-codes/"), "_", '-');
  if (charge != NULL)
    json_object_set_string_member (err, "charge", json_object_get_string_member (charge, "id"));
  json_object_set_string_member (err, "code", code);
  if (decline_code != NULL)
    json_object_set_string_member (err, "decline_code", decline_code);
  json_object_set_string_member (err, "doc_url", doc);
  json_object_set_string_member (err, "message", message);
  if (pm != NULL)
    {
      g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), pm);
      json_object_set_member (err, "payment_method", cp_sim_json_copy (tmp));
    }
  json_object_set_string_member (err, "type", type);
  return err;
}

/* The error object of a declined PaymentIntent, as the 402 answer embeds it. */
JsonObject *
cp_sim_api_error_for_pi (CpSimState *state,
                         JsonObject *pi)
{
  JsonObject *lpe = cp_sim_obj (pi, "last_payment_error");
  JsonObject *err;
  g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), pi);

  if (lpe == NULL)
    return NULL;
  err = cp_sim_obj_copy (lpe);
  json_object_set_member (err, "payment_intent", cp_sim_json_copy (tmp));
  return err;
}


static void
schedule_followups (CpSimServer *server, JsonObject *charge, const CpSimCard *card);

/* Charges the PaymentIntent's payment method; returns the charge. */
static void
pi_charge (CpSimRequest    *req,
           JsonObject      *pi,
           JsonObject      *pm,
           const CpSimCard *card,
           gboolean         three_d_secure)
{
  gboolean ok = (card->behaviour != CP_SIM_CARD_DECLINE && card->behaviour != CP_SIM_CARD_LIVE_CARD);
  JsonObject *ch = create_charge (req, pi, pm, card, ok, three_d_secure);

  json_object_set_string_member (pi, "latest_charge", json_object_get_string_member (ch, "id"));
  json_object_set_null_member (pi, "next_action");
  if (ok)
    {
      cp_sim_set_status (pi, "succeeded");
      json_object_set_int_member (pi, "amount_received", json_object_get_int_member (pi, "amount"));
      json_object_set_null_member (pi, "last_payment_error");
      cp_sim_emit (req, "charge.succeeded", ch, NULL);
      cp_sim_emit (req, "payment_intent.succeeded", pi, NULL);
      cp_sim_links_complete_checkout (req, req->server, pi);
      schedule_followups (req->server, ch, card);
    }
  else
    {
      cp_sim_set_status (pi, "requires_payment_method");
      json_object_set_object_member (pi, "last_payment_error",
                                     last_payment_error (req->state, pm, ch, "card_error", card->code,
                                                         card->decline_code, card->message));
      json_object_set_null_member (pi, "payment_method");
      cp_sim_emit (req, "charge.failed", ch, NULL);
      cp_sim_emit (req, "payment_intent.payment_failed", pi, NULL);
    }
}

static gboolean
checkout_blocks_pi (CpSimRequest *req,
                    JsonObject   *pi)
{
  const char *cs_id = cp_sim_state_get_private (req->state, json_object_get_string_member (pi, "id"), "checkout_session");
  JsonObject *cs;
  JsonObject *link;

  if (cs_id == NULL)
    return FALSE;
  cs = cp_sim_state_lookup (req->state, cs_id);
  link = cs ? cp_sim_state_lookup (req->state, json_object_get_string_member_with_default (cs, "payment_link", "")) : NULL;
  if (cs == NULL || g_strcmp0 (json_object_get_string_member (cs, "status"), "open") != 0
      || (link != NULL && !cp_sim_link_is_payable (req->state, link)))
    {
      cp_sim_reply_error (req, 400, INVALID, "payment_intent_unexpected_state", NULL,
                          "This payment link is no longer active, or has already been paid. No payment was taken.");
      return TRUE;
    }
  return FALSE;
}

/* Confirms @pi; answers the request (200 with the PaymentIntent, or an
 * error). */
static void
pi_confirm (CpSimRequest *req,
            JsonObject   *pi)
{
  const char *status = json_object_get_string_member (pi, "status");
  const char *pm_param = cp_sim_param_string (req, "payment_method");
  const char *return_url = cp_sim_param_string (req, "return_url");
  const char *pm_id;
  JsonObject *pm;
  const CpSimCard *card;

  if (!g_str_equal (status, "requires_payment_method") && !g_str_equal (status, "requires_confirmation")
      && !g_str_equal (status, "requires_action"))
    {
      g_autoptr(JsonObject) err = json_object_new ();
      g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), pi);
      g_autofree char *message = g_strdup_printf ("You cannot confirm this PaymentIntent because it has a status of %s. "
                                                  "Only a PaymentIntent with one of the following statuses may be confirmed: "
                                                  "requires_confirmation, requires_payment_method.", status);
      json_object_set_string_member (err, "code", "payment_intent_unexpected_state");
      json_object_set_string_member (err, "doc_url", "https://stripe.com/docs/error-codes/payment-intent-unexpected-state");
      json_object_set_string_member (err, "message", message);
      json_object_set_member (err, "payment_intent", cp_sim_json_copy (tmp));
      json_object_set_string_member (err, "type", INVALID);
      cp_sim_reply_error_object (req, 400, err);
      return;
    }
  if (checkout_blocks_pi (req, pi))
    return;

  pm_id = pm_param ? pm_param : json_object_get_string_member_with_default (pi, "payment_method", NULL);
  if (pm_id == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "payment_intent_unexpected_state", NULL,
                          "You cannot confirm this PaymentIntent because it's missing a payment method. "
                          "You can either update the PaymentIntent with a payment method and then confirm it again, "
                          "or confirm it again directly with a payment method.");
      return;
    }
  pm = resolve_payment_method (req->state, pm_id);
  if (pm == NULL)
    {
      cp_sim_reply_missing (req, "PaymentMethod", pm_id, "payment_method");
      return;
    }
  card = card_of_pm (req->state, pm);

  if (return_url != NULL)
    cp_sim_state_set_private (req->state, json_object_get_string_member (pi, "id"), "return_url", return_url);
  if (json_object_has_member (req->params, "receipt_email"))
    cp_sim_set_string_or_null (pi, "receipt_email", cp_sim_param_string (req, "receipt_email"));
  json_object_set_string_member (pi, "payment_method", json_object_get_string_member (pm, "id"));
  json_object_set_null_member (pi, "last_payment_error");

  if (card->behaviour == CP_SIM_CARD_THREE_D_SECURE)
    {
      const char *id = json_object_get_string_member (pi, "id");
      const char *secret = json_object_get_string_member (pi, "client_secret");
      g_autofree char *url = g_strdup_printf ("%s/3ds/%s?client_secret=%s", cp_sim_server_get_base_url (req->server), id, secret);
      JsonObject *na = json_object_new ();

      if (return_url != NULL)
        {
          JsonObject *r = json_object_new ();
          json_object_set_string_member (r, "return_url", return_url);
          json_object_set_string_member (r, "url", url);
          json_object_set_string_member (na, "type", "redirect_to_url");
          json_object_set_object_member (na, "redirect_to_url", r);
        }
      else
        {
          JsonObject *sdk = json_object_new ();
          g_autofree char *src = cp_sim_state_make_id ("src");
          json_object_set_string_member (sdk, "type", "three_d_secure_redirect");
          json_object_set_string_member (sdk, "stripe_js", url);
          json_object_set_string_member (sdk, "source", src);
          json_object_set_string_member (na, "type", "use_stripe_sdk");
          json_object_set_object_member (na, "use_stripe_sdk", sdk);
        }
      json_object_set_object_member (pi, "next_action", na);
      cp_sim_set_status (pi, "requires_action");
      cp_sim_emit (req, "payment_intent.requires_action", pi, NULL);
      reply_pi (req, pi);
      return;
    }

  pi_charge (req, pi, pm, card, FALSE);
  if (g_str_equal (json_object_get_string_member (pi, "status"), "succeeded"))
    reply_pi (req, pi);
  else
    {
      g_autoptr(JsonObject) err = cp_sim_api_error_for_pi (req->state, req->publishable ? NULL : pi);
      if (req->publishable)
        {
          g_autoptr(JsonObject) view = cp_sim_api_publishable_view (pi);
          g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), view);
          err = cp_sim_obj_copy (cp_sim_obj (pi, "last_payment_error"));
          json_object_set_member (err, "payment_intent", cp_sim_json_copy (tmp));
        }
      cp_sim_reply_error_object (req, 402, err);
    }
}

void
cp_sim_api_three_d_secure_done (CpSimServer *server,
                                JsonObject  *pi,
                                gboolean     success)
{
  CpSimState *state = cp_sim_server_get_state (server);
  JsonObject *pm = cp_sim_state_lookup (state, json_object_get_string_member_with_default (pi, "payment_method", ""));
  CpSimRequest fake = { 0 };

  if (g_strcmp0 (json_object_get_string_member (pi, "status"), "requires_action") != 0 || pm == NULL)
    return;
  fake.server = server;
  fake.state = state;
  fake.params = json_object_new ();
  if (success)
    {
      const CpSimCard *card = cp_sim_card_lookup_number ("4242424242424242");
      pi_charge (&fake, pi, pm, card, TRUE);
    }
  else
    {
      cp_sim_set_status (pi, "requires_payment_method");
      json_object_set_null_member (pi, "next_action");
      json_object_set_object_member (pi, "last_payment_error",
                                     last_payment_error (state, pm, NULL, INVALID, "payment_intent_authentication_failure", NULL,
                                                         "We are unable to authenticate your payment method. Please choose a different "
                                                         "payment method and try again."));
      json_object_set_null_member (pi, "payment_method");
      cp_sim_emit_plain (state, "payment_intent.payment_failed", pi, NULL);
    }
  json_object_unref (fake.params);
  g_free (fake.body);
}

static const char *allowed_pi_create[] = {
  "amount", "application_fee_amount", "automatic_payment_methods", "capture_method", "confirm", "confirmation_method",
  "currency", "customer", "description", "error_on_requires_action", "expand", "mandate", "mandate_data", "metadata",
  "off_session", "on_behalf_of", "payment_method", "payment_method_data", "payment_method_options", "payment_method_types",
  "receipt_email", "return_url", "setup_future_usage", "shipping", "statement_descriptor", "statement_descriptor_suffix",
  "transfer_data", "transfer_group", "use_stripe_sdk", NULL
};

static void
payment_intents_create (CpSimRequest *req)
{
  const char *currency = cp_sim_param_string (req, "currency");
  const char *customer = cp_sim_param_string (req, "customer");
  const char *pm_id = cp_sim_param_string (req, "payment_method");
  const char *capture = cp_sim_param_string (req, "capture_method");
  JsonObject *apm = cp_sim_param_object (req, "automatic_payment_methods");
  JsonNode *types = json_object_get_member (req->params, "payment_method_types");
  gint64 amount = 0;
  gboolean present, confirm = FALSE;
  JsonObject *pi;
  g_autofree char *secret = NULL;
  g_autofree char *lower = NULL;

  if (!cp_sim_require_param (req, "amount") || !cp_sim_require_param (req, "currency"))
    return;
  if (!cp_sim_param_int (req, "amount", &amount, &present) || !cp_sim_param_bool (req, "confirm", &confirm))
    return;
  lower = g_ascii_strdown (currency, -1);
  if (!cp_sim_check_currency (req, lower) || !cp_sim_check_amount (req, amount, lower))
    return;
  if (customer != NULL && cp_sim_state_lookup_typed (req->state, customer, "customer") == NULL)
    {
      cp_sim_reply_missing (req, "customer", customer, "customer");
      return;
    }
  if (pm_id != NULL && cp_sim_card_lookup_pm (pm_id) == NULL
      && cp_sim_state_lookup_typed (req->state, pm_id, "payment_method") == NULL)
    {
      cp_sim_reply_missing (req, "PaymentMethod", pm_id, "payment_method");
      return;
    }
  if (capture != NULL && !g_str_equal (capture, "automatic") && !g_str_equal (capture, "automatic_async"))
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "capture_method",
                          "The simulator supports only capture_method=automatic.");
      return;
    }
  if (apm != NULL && types != NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "automatic_payment_methods",
                          "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.");
      return;
    }
  if (types != NULL && JSON_NODE_HOLDS_ARRAY (types))
    {
      JsonArray *arr = json_node_get_array (types);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        if (g_strcmp0 (json_array_get_string_element (arr, i), "card") != 0)
          {
            cp_sim_reply_error (req, 400, INVALID, "payment_method_type_invalid", "payment_method_types",
                                "The payment method type \"%s\" is invalid or not activated in the simulator (only card).",
                                json_array_get_string_element (arr, i));
            return;
          }
    }

  pi = cp_sim_state_create (req->state, "payment_intent", "pi");
  {
    g_autofree char *rnd = cp_sim_random_string (25);
    secret = g_strdup_printf ("%s_secret_%s", json_object_get_string_member (pi, "id"), rnd);
  }
  if (!cp_sim_apply_metadata (req, pi, req->params, NULL))
    {
      cp_sim_state_remove (req->state, json_object_get_string_member (pi, "id"));
      return;
    }
  json_object_set_int_member (pi, "amount", amount);
  json_object_set_string_member (pi, "client_secret", secret);
  json_object_set_string_member (pi, "currency", lower);
  cp_sim_set_string_or_null (pi, "customer", customer);
  cp_sim_set_string_or_null (pi, "description", cp_sim_param_string (req, "description"));
  cp_sim_set_string_or_null (pi, "receipt_email", cp_sim_param_string (req, "receipt_email"));
  cp_sim_set_string_or_null (pi, "statement_descriptor", cp_sim_param_string (req, "statement_descriptor"));
  cp_sim_set_string_or_null (pi, "statement_descriptor_suffix", cp_sim_param_string (req, "statement_descriptor_suffix"));
  cp_sim_set_string_or_null (pi, "transfer_group", cp_sim_param_string (req, "transfer_group"));
  cp_sim_set_string_or_null (pi, "setup_future_usage", cp_sim_param_string (req, "setup_future_usage"));
  json_object_set_string_member (pi, "capture_method", capture ? capture : "automatic");
  json_object_set_string_member (pi, "confirmation_method",
                                 cp_sim_param_string (req, "confirmation_method") ? cp_sim_param_string (req, "confirmation_method") : "automatic");
  json_object_set_null_member (pi, "latest_charge");
  json_object_set_null_member (pi, "canceled_at");
  if (apm != NULL || types == NULL)
    {
      JsonObject *a = json_object_new ();
      json_object_set_boolean_member (a, "enabled", TRUE);
      json_object_set_string_member (a, "allow_redirects",
                                     apm ? json_object_get_string_member_with_default (apm, "allow_redirects", "always") : "always");
      json_object_set_object_member (pi, "automatic_payment_methods", a);
    }
  else
    json_object_set_null_member (pi, "automatic_payment_methods");
  if (pm_id != NULL)
    {
      JsonObject *pm = resolve_payment_method (req->state, pm_id);
      json_object_set_string_member (pi, "payment_method", json_object_get_string_member (pm, "id"));
      cp_sim_set_status (pi, "requires_confirmation");
    }
  else
    cp_sim_set_status (pi, "requires_payment_method");
  if (cp_sim_param_string (req, "return_url") != NULL)
    cp_sim_state_set_private (req->state, json_object_get_string_member (pi, "id"), "return_url",
                              cp_sim_param_string (req, "return_url"));
  cp_sim_emit (req, "payment_intent.created", pi, NULL);

  if (confirm)
    {
      /* confirm with the payment method now attached */
      json_object_remove_member (req->params, "payment_method");
      pi_confirm (req, pi);
      /* a decline is saved for idempotent replay like any executed request */
      return;
    }
  reply_pi (req, pi);
}

static JsonObject *
lookup_pi (CpSimRequest *req)
{
  JsonObject *pi = cp_sim_state_lookup_typed (req->state, req->args[0], "payment_intent");

  if (pi == NULL)
    {
      cp_sim_reply_missing (req, "payment_intent", req->args[0], NULL);
      return NULL;
    }
  if (req->publishable)
    {
      const char *secret = cp_sim_param_string (req, "client_secret");
      if (secret == NULL)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "client_secret",
                              "Missing required param: client_secret.");
          return NULL;
        }
      if (g_strcmp0 (secret, json_object_get_string_member (pi, "client_secret")) != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, "payment_intent_invalid_parameter", "client_secret",
                              "The client_secret provided does not match the client_secret associated with the PaymentIntent.");
          return NULL;
        }
    }
  else if (json_object_has_member (req->params, "client_secret") && g_str_equal (req->method, "GET"))
    {
      /* harmless with a secret key */
    }
  return pi;
}

static void
payment_intents_retrieve (CpSimRequest *req)
{
  JsonObject *pi = lookup_pi (req);

  if (pi != NULL)
    reply_pi (req, pi);
}

static void
payment_intents_confirm (CpSimRequest *req)
{
  JsonObject *pi = lookup_pi (req);

  if (pi != NULL)
    pi_confirm (req, pi);
}

static void
payment_intents_update (CpSimRequest *req)
{
  JsonObject *pi = lookup_pi (req);
  const char *status;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) previous = json_object_new ();
  g_autoptr(GList) members = NULL;
  const char *strings[] = { "description", "receipt_email", "statement_descriptor", "statement_descriptor_suffix",
                            "transfer_group", "setup_future_usage", NULL };
  gboolean changes_payment = FALSE;

  if (pi == NULL)
    return;
  status = json_object_get_string_member (pi, "status");
  changes_payment = json_object_has_member (req->params, "amount") || json_object_has_member (req->params, "currency")
                    || json_object_has_member (req->params, "payment_method")
                    || json_object_has_member (req->params, "payment_method_types")
                    || json_object_has_member (req->params, "customer");
  if ((g_str_equal (status, "succeeded") || g_str_equal (status, "canceled") || g_str_equal (status, "processing"))
      && changes_payment)
    {
      cp_sim_reply_error (req, 400, INVALID, "payment_intent_unexpected_state", NULL,
                          "You cannot update this PaymentIntent because it has a status of %s. Updates are only allowed "
                          "when the PaymentIntent has a status of requires_payment_method, requires_confirmation, or requires_action.",
                          status);
      return;
    }
  before = cp_sim_obj_copy (pi);
  if (json_object_has_member (req->params, "amount"))
    {
      gint64 amount;
      gboolean present;
      if (!cp_sim_param_int (req, "amount", &amount, &present)
          || !cp_sim_check_amount (req, amount, json_object_get_string_member (pi, "currency")))
        return;
    }
  if (json_object_has_member (req->params, "currency") && !cp_sim_check_currency (req, cp_sim_param_string (req, "currency")))
    return;
  if (cp_sim_param_string (req, "customer") && *cp_sim_param_string (req, "customer")
      && cp_sim_state_lookup_typed (req->state, cp_sim_param_string (req, "customer"), "customer") == NULL)
    {
      cp_sim_reply_missing (req, "customer", cp_sim_param_string (req, "customer"), "customer");
      return;
    }
  if (cp_sim_param_string (req, "payment_method") && *cp_sim_param_string (req, "payment_method")
      && cp_sim_card_lookup_pm (cp_sim_param_string (req, "payment_method")) == NULL
      && cp_sim_state_lookup_typed (req->state, cp_sim_param_string (req, "payment_method"), "payment_method") == NULL)
    {
      cp_sim_reply_missing (req, "PaymentMethod", cp_sim_param_string (req, "payment_method"), "payment_method");
      return;
    }
  {
    g_autoptr(JsonObject) scratch = cp_sim_obj_copy (pi);
    if (!cp_sim_apply_metadata (req, scratch, req->params, NULL))
      return;
  }
  cp_sim_apply_metadata (req, pi, req->params, NULL);
  if (json_object_has_member (req->params, "amount"))
    json_object_set_int_member (pi, "amount", g_ascii_strtoll (cp_sim_param_string (req, "amount"), NULL, 10));
  if (json_object_has_member (req->params, "currency"))
    {
      g_autofree char *lower = g_ascii_strdown (cp_sim_param_string (req, "currency"), -1);
      json_object_set_string_member (pi, "currency", lower);
    }
  if (json_object_has_member (req->params, "customer"))
    cp_sim_set_string_or_null (pi, "customer", cp_sim_param_string (req, "customer"));
  for (guint i = 0; strings[i]; i++)
    if (json_object_has_member (req->params, strings[i]))
      cp_sim_set_string_or_null (pi, strings[i], cp_sim_param_string (req, strings[i]));
  if (cp_sim_param_string (req, "payment_method") != NULL)
    {
      const char *pm_id = cp_sim_param_string (req, "payment_method");
      if (*pm_id == '\0')
        {
          json_object_set_null_member (pi, "payment_method");
          cp_sim_set_status (pi, "requires_payment_method");
        }
      else
        {
          JsonObject *pm = resolve_payment_method (req->state, pm_id);
          json_object_set_string_member (pi, "payment_method", json_object_get_string_member (pm, "id"));
          cp_sim_set_status (pi, "requires_confirmation");
        }
    }
  members = json_object_get_members (before);
  for (GList *l = members; l; l = l->next)
    if (!json_node_equal (json_object_get_member (before, l->data), json_object_get_member (pi, l->data)))
      json_object_set_member (previous, l->data, cp_sim_json_copy (json_object_get_member (before, l->data)));
  if (json_object_get_size (previous) > 0)
    cp_sim_emit (req, "payment_intent.updated", pi, previous);
  reply_pi (req, pi);
}

static void
payment_intents_cancel (CpSimRequest *req)
{
  JsonObject *pi = lookup_pi (req);
  const char *reason = cp_sim_param_string (req, "cancellation_reason");
  const char *reasons[] = { "duplicate", "fraudulent", "requested_by_customer", "abandoned", NULL };
  const char *status;

  if (pi == NULL)
    return;
  if (reason != NULL && !g_strv_contains (reasons, reason))
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "cancellation_reason",
                          "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned");
      return;
    }
  status = json_object_get_string_member (pi, "status");
  if (!g_str_equal (status, "requires_payment_method") && !g_str_equal (status, "requires_capture")
      && !g_str_equal (status, "requires_confirmation") && !g_str_equal (status, "requires_action")
      && !g_str_equal (status, "processing"))
    {
      cp_sim_reply_error (req, 400, INVALID, "payment_intent_unexpected_state", NULL,
                          "You cannot cancel this PaymentIntent because it has a status of %s. Only a PaymentIntent with one "
                          "of the following statuses may be canceled: requires_payment_method, requires_capture, "
                          "requires_confirmation, requires_action, processing.", status);
      return;
    }
  cp_sim_set_status (pi, "canceled");
  json_object_set_int_member (pi, "canceled_at", cp_sim_state_now ());
  cp_sim_set_string_or_null (pi, "cancellation_reason", reason);
  json_object_set_null_member (pi, "next_action");
  cp_sim_emit (req, "payment_intent.canceled", pi, NULL);
  /* the open checkout session of a canceled PaymentIntent expires */
  {
    const char *cs_id = cp_sim_state_get_private (req->state, json_object_get_string_member (pi, "id"), "checkout_session");
    JsonObject *cs = cs_id ? cp_sim_state_lookup (req->state, cs_id) : NULL;
    if (cs != NULL && g_strcmp0 (json_object_get_string_member (cs, "status"), "open") == 0)
      {
        json_object_set_string_member (cs, "status", "expired");
        cp_sim_emit (req, "checkout.session.expired", cs, NULL);
      }
  }
  reply_pi (req, pi);
}

static gboolean
pi_filter (CpSimRequest *req,
           JsonObject   *obj)
{
  const char *customer = cp_sim_param_string (req, "customer");

  return customer == NULL || g_strcmp0 (json_object_get_string_member_with_default (obj, "customer", NULL), customer) == 0;
}

static void
payment_intents_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "payment_intent", pi_filter, "/v1/payment_intents");
}

static void
payment_intents_search (CpSimRequest *req)
{
  const char *fields[] = { "metadata", "amount", "currency", "customer", "status", "created", NULL };

  cp_sim_reply_search (req, "payment_intent", fields, "/v1/payment_intents/search");
}

/* ------------------------------------------------------------------ */
/* refunds, disputes: follow-ups that Stripe does after the fact       */

typedef struct {
  CpSimServer *server;
  char        *id;
} Followup;

static void
followup_free (gpointer data)
{
  Followup *f = data;

  g_object_unref (f->server);
  g_free (f->id);
  g_free (f);
}

static gboolean
dispute_cb (gpointer data)
{
  Followup *f = data;
  CpSimState *state = cp_sim_server_get_state (f->server);
  JsonObject *ch = cp_sim_state_lookup (state, f->id);
  JsonObject *dp;
  JsonObject *evd;

  if (ch == NULL)
    return G_SOURCE_REMOVE;
  dp = cp_sim_state_create (state, "dispute", "dp");
  json_object_set_int_member (dp, "amount", json_object_get_int_member (ch, "amount"));
  json_object_set_string_member (dp, "charge", f->id);
  json_object_set_string_member (dp, "currency", json_object_get_string_member (ch, "currency"));
  json_object_set_member (dp, "payment_intent", cp_sim_json_copy (json_object_get_member (ch, "payment_intent")));
  json_object_set_boolean_member (dp, "is_charge_refundable", FALSE);
  evd = cp_sim_obj (dp, "evidence_details");
  json_object_set_int_member (evd, "due_by", cp_sim_state_now () + 7 * 24 * 3600);
  json_object_set_boolean_member (ch, "disputed", TRUE);
  cp_sim_emit_plain (state, "charge.dispute.created", dp, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
refund_fail_cb (gpointer data)
{
  Followup *f = data;
  CpSimState *state = cp_sim_server_get_state (f->server);
  JsonObject *re = cp_sim_state_lookup (state, f->id);
  JsonObject *ch;
  JsonObject *txn;
  g_autoptr(JsonObject) previous = json_object_new ();
  gint64 refunded;

  if (re == NULL || g_strcmp0 (json_object_get_string_member (re, "status"), "failed") == 0)
    return G_SOURCE_REMOVE;
  json_object_set_string_member (previous, "status", json_object_get_string_member (re, "status"));
  json_object_set_string_member (re, "status", "failed");
  json_object_set_string_member (re, "failure_reason", "expired_or_canceled_card");
  txn = cp_sim_state_create (state, "balance_transaction", "txn");
  json_object_set_int_member (txn, "amount", json_object_get_int_member (re, "amount"));
  json_object_set_string_member (txn, "currency", json_object_get_string_member (re, "currency"));
  json_object_set_int_member (txn, "net", json_object_get_int_member (re, "amount"));
  json_object_set_string_member (txn, "reporting_category", "refund_failure");
  json_object_set_string_member (txn, "type", "refund_failure");
  json_object_set_string_member (txn, "source", f->id);
  json_object_set_string_member (re, "failure_balance_transaction", json_object_get_string_member (txn, "id"));
  ch = cp_sim_state_lookup (state, json_object_get_string_member (re, "charge"));
  if (ch != NULL)
    {
      refunded = json_object_get_int_member (ch, "amount_refunded") - json_object_get_int_member (re, "amount");
      json_object_set_int_member (ch, "amount_refunded", MAX (refunded, 0));
      json_object_set_boolean_member (ch, "refunded", FALSE);
      {
        JsonArray *data_arr = json_object_get_array_member (cp_sim_obj (ch, "refunds"), "data");
        for (guint i = 0; i < json_array_get_length (data_arr); i++)
          {
            JsonObject *r = json_array_get_object_element (data_arr, i);
            if (g_strcmp0 (json_object_get_string_member (r, "id"), f->id) == 0)
              json_array_remove_element (data_arr, i), json_array_add_object_element (data_arr, cp_sim_obj_copy (re));
          }
      }
    }
  cp_sim_emit_plain (state, "refund.updated", re, previous);
  cp_sim_emit_plain (state, "charge.refund.updated", re, previous);
  cp_sim_emit_plain (state, "refund.failed", re, NULL);
  return G_SOURCE_REMOVE;
}

static guint
followup_delay (void)
{
  const char *ms = g_getenv ("CAREPAY_SIM_FOLLOWUP_MS");

  return ms ? (guint) g_ascii_strtoull (ms, NULL, 10) : 300;
}

static void
schedule_followups (CpSimServer     *server,
                    JsonObject      *charge,
                    const CpSimCard *card)
{
  if (card->behaviour == CP_SIM_CARD_DISPUTE)
    {
      Followup *f = g_new0 (Followup, 1);
      f->server = g_object_ref (server);
      f->id = g_strdup (json_object_get_string_member (charge, "id"));
      g_timeout_add_full (G_PRIORITY_DEFAULT, followup_delay (), dispute_cb, f, followup_free);
    }
}

static const CpSimCard *
card_of_charge (CpSimState *state,
                JsonObject *ch)
{
  JsonObject *pm = cp_sim_state_lookup (state, json_object_get_string_member_with_default (ch, "payment_method", ""));

  return pm ? card_of_pm (state, pm) : NULL;
}

static void
refunds_create (CpSimRequest *req)
{
  const char *pi_id = cp_sim_param_string (req, "payment_intent");
  const char *ch_id = cp_sim_param_string (req, "charge");
  const char *reason = cp_sim_param_string (req, "reason");
  const char *reasons[] = { "duplicate", "fraudulent", "requested_by_customer", NULL };
  JsonObject *pi = NULL, *ch = NULL, *re, *txn, *refunds;
  gint64 amount, remaining;
  gboolean present;
  const CpSimCard *card;
  g_autoptr(JsonObject) previous = json_object_new ();

  if (pi_id == NULL && ch_id == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", NULL,
                          "One of the following params should be provided for this request: payment_intent or charge.");
      return;
    }
  if (pi_id != NULL)
    {
      pi = cp_sim_state_lookup_typed (req->state, pi_id, "payment_intent");
      if (pi == NULL)
        {
          cp_sim_reply_missing (req, "payment_intent", pi_id, "payment_intent");
          return;
        }
      ch = cp_sim_state_lookup (req->state, json_object_get_string_member_with_default (pi, "latest_charge", ""));
      if (ch == NULL || g_strcmp0 (json_object_get_string_member (pi, "status"), "succeeded") != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, "charge_not_refundable"/* not a succeeded charge */, "payment_intent",
                              "This PaymentIntent (%s) does not have a successful charge to refund.", pi_id);
          return;
        }
      if (ch_id != NULL && g_strcmp0 (ch_id, json_object_get_string_member (ch, "id")) != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "charge",
                              "The charge %s does not belong to the PaymentIntent %s.", ch_id, pi_id);
          return;
        }
    }
  else
    {
      ch = cp_sim_state_lookup_typed (req->state, ch_id, "charge");
      if (ch == NULL)
        {
          cp_sim_reply_missing (req, "charge", ch_id, "charge");
          return;
        }
      if (g_strcmp0 (json_object_get_string_member (ch, "status"), "succeeded") != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, "charge_not_refundable", "charge",
                              "Charge %s has not succeeded and cannot be refunded.", ch_id);
          return;
        }
      pi = cp_sim_state_lookup (req->state, json_object_get_string_member_with_default (ch, "payment_intent", ""));
    }
  if (reason != NULL && !g_strv_contains (reasons, reason))
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "reason",
                          "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer");
      return;
    }
  if (json_object_get_boolean_member (ch, "refunded"))
    {
      cp_sim_reply_error (req, 400, INVALID, "charge_already_refunded", NULL,
                          "Charge %s has already been refunded.", json_object_get_string_member (ch, "id"));
      return;
    }
  if (json_object_get_boolean_member (ch, "disputed"))
    {
      cp_sim_reply_error (req, 400, INVALID, "charge_disputed", NULL,
                          "Charge %s has been charged back; cannot issue a refund.", json_object_get_string_member (ch, "id"));
      return;
    }
  remaining = json_object_get_int_member (ch, "amount") - json_object_get_int_member (ch, "amount_refunded");
  amount = remaining;
  if (!cp_sim_param_int (req, "amount", &amount, &present))
    return;
  if (amount < 1)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "amount",
                          "This value must be greater than or equal to 1.");
      return;
    }
  if (amount > remaining)
    {
      g_autofree char *a = cp_sim_format_amount (amount, json_object_get_string_member (ch, "currency"));
      g_autofree char *r = cp_sim_format_amount (remaining, json_object_get_string_member (ch, "currency"));
      cp_sim_reply_error (req, 400, INVALID, "amount_too_large", "amount",
                          "Refund amount (%s) is greater than unrefunded amount on charge (%s)", a, r);
      return;
    }

  re = cp_sim_state_create (req->state, "refund", "re");
  if (!cp_sim_apply_metadata (req, re, req->params, NULL))
    {
      cp_sim_state_remove (req->state, json_object_get_string_member (re, "id"));
      return;
    }
  txn = cp_sim_state_create (req->state, "balance_transaction", "txn");
  json_object_set_int_member (txn, "amount", -amount);
  json_object_set_string_member (txn, "currency", json_object_get_string_member (ch, "currency"));
  json_object_set_null_member (txn, "description");
  json_object_set_int_member (txn, "fee", 0);
  json_object_set_array_member (txn, "fee_details", json_array_new ());
  json_object_set_int_member (txn, "net", -amount);
  json_object_set_string_member (txn, "reporting_category", "refund");
  json_object_set_string_member (txn, "source", json_object_get_string_member (re, "id"));
  json_object_set_string_member (txn, "type", "refund");

  json_object_set_int_member (re, "amount", amount);
  json_object_set_string_member (re, "balance_transaction", json_object_get_string_member (txn, "id"));
  json_object_set_string_member (re, "charge", json_object_get_string_member (ch, "id"));
  json_object_set_string_member (re, "currency", json_object_get_string_member (ch, "currency"));
  json_object_set_member (re, "customer", cp_sim_json_copy (json_object_get_member (ch, "customer")));
  if (pi != NULL)
    json_object_set_string_member (re, "payment_intent", json_object_get_string_member (pi, "id"));
  json_object_set_member (re, "payment_method", cp_sim_json_copy (json_object_get_member (ch, "payment_method")));
  cp_sim_set_string_or_null (re, "reason", reason);
  json_object_set_string_member (re, "status", "succeeded");

  json_object_set_int_member (previous, "amount_refunded", json_object_get_int_member (ch, "amount_refunded"));
  json_object_set_boolean_member (previous, "refunded", json_object_get_boolean_member (ch, "refunded"));
  json_object_set_int_member (ch, "amount_refunded", json_object_get_int_member (ch, "amount_refunded") + amount);
  json_object_set_boolean_member (ch, "refunded", json_object_get_int_member (ch, "amount_refunded") >= json_object_get_int_member (ch, "amount"));
  refunds = cp_sim_obj (ch, "refunds");
  {
    JsonArray *old = json_object_get_array_member (refunds, "data");
    JsonArray *data = json_array_new ();
    json_array_add_object_element (data, cp_sim_obj_copy (re));
    for (guint i = 0; i < json_array_get_length (old); i++)
      json_array_add_element (data, cp_sim_json_copy (json_array_get_element (old, i)));
    json_object_set_array_member (refunds, "data", data);
  }

  cp_sim_emit (req, "refund.created", re, NULL);
  cp_sim_emit (req, "charge.refunded", ch, previous);

  card = card_of_charge (req->state, ch);
  if (card != NULL && card->behaviour == CP_SIM_CARD_REFUND_FAIL)
    {
      Followup *f = g_new0 (Followup, 1);
      f->server = g_object_ref (req->server);
      f->id = g_strdup (json_object_get_string_member (re, "id"));
      g_timeout_add_full (G_PRIORITY_DEFAULT, followup_delay (), refund_fail_cb, f, followup_free);
    }
  cp_sim_reply_object (req, 200, re);
}

static void
refunds_retrieve (CpSimRequest *req)
{
  JsonObject *re = cp_sim_state_lookup_typed (req->state, req->args[0], "refund");

  if (re == NULL)
    cp_sim_reply_missing (req, "refund", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, re);
}

static void
refunds_update (CpSimRequest *req)
{
  JsonObject *re = cp_sim_state_lookup_typed (req->state, req->args[0], "refund");

  if (re == NULL)
    {
      cp_sim_reply_missing (req, "refund", req->args[0], NULL);
      return;
    }
  if (!cp_sim_apply_metadata (req, re, req->params, NULL))
    return;
  cp_sim_emit (req, "refund.updated", re, NULL);
  cp_sim_reply_object (req, 200, re);
}

static void
refunds_cancel (CpSimRequest *req)
{
  JsonObject *re = cp_sim_state_lookup_typed (req->state, req->args[0], "refund");
  const char *status;

  if (re == NULL)
    {
      cp_sim_reply_missing (req, "refund", req->args[0], NULL);
      return;
    }
  status = json_object_get_string_member (re, "status");
  if (!g_str_equal (status, "pending") && !g_str_equal (status, "requires_action"))
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, NULL,
                          "Can't cancel refund %s: only refunds with status pending or requires_action can be canceled (status is %s).",
                          req->args[0], status);
      return;
    }
  json_object_set_string_member (re, "status", "canceled");
  cp_sim_emit (req, "refund.updated", re, NULL);
  cp_sim_reply_object (req, 200, re);
}

static gboolean
refund_filter (CpSimRequest *req,
               JsonObject   *obj)
{
  const char *ch = cp_sim_param_string (req, "charge");
  const char *pi = cp_sim_param_string (req, "payment_intent");

  if (ch && g_strcmp0 (json_object_get_string_member_with_default (obj, "charge", NULL), ch) != 0)
    return FALSE;
  if (pi && g_strcmp0 (json_object_get_string_member_with_default (obj, "payment_intent", NULL), pi) != 0)
    return FALSE;
  return TRUE;
}

static void
refunds_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "refund", refund_filter, "/v1/refunds");
}

static void
charge_refunds_list (CpSimRequest *req)
{
  g_autofree char *url = g_strdup_printf ("/v1/charges/%s/refunds", req->args[0]);

  if (cp_sim_state_lookup_typed (req->state, req->args[0], "charge") == NULL)
    {
      cp_sim_reply_missing (req, "charge", req->args[0], NULL);
      return;
    }
  json_object_set_string_member (req->params, "charge", req->args[0]);
  cp_sim_reply_list (req, "refund", refund_filter, url);
}

static gboolean
dispute_filter (CpSimRequest *req,
                JsonObject   *obj)
{
  return refund_filter (req, obj);
}

static void
disputes_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "dispute", dispute_filter, "/v1/disputes");
}

static void
disputes_retrieve (CpSimRequest *req)
{
  JsonObject *dp = cp_sim_state_lookup_typed (req->state, req->args[0], "dispute");

  if (dp == NULL)
    cp_sim_reply_missing (req, "dispute", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, dp);
}

static void
balance_transactions_retrieve (CpSimRequest *req)
{
  JsonObject *txn = cp_sim_state_lookup_typed (req->state, req->args[0], "balance_transaction");

  if (txn == NULL)
    cp_sim_reply_missing (req, "balance_transaction", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, txn);
}

/* ------------------------------------------------------------------ */
/* routes, with the parameters each endpoint accepts (from the spec;   */
/* payment links also take today's restrictions, payment_intent_data   */
/* and inactive_message)                                               */

static const char *p_expand[] = { "expand", NULL };
static const char *p_list[] = { "created", "ending_before", "expand", "limit", "starting_after", NULL };
static const char *p_search[] = { "expand", "limit", "page", "query", NULL };
static const char *p_customers_list[] = { "created", "email", "ending_before", "expand", "limit", "starting_after", "test_clock", NULL };
static const char *p_customers_create[] = {
  "address", "balance", "coupon", "description", "email", "expand", "invoice_prefix", "invoice_settings", "metadata",
  "name", "next_invoice_sequence", "payment_method", "phone", "preferred_locales", "promotion_code", "shipping",
  "source", "tax", "tax_exempt", "tax_id_data", "test_clock", NULL
};
static const char *p_customers_update[] = {
  "address", "balance", "coupon", "default_source", "description", "email", "expand", "invoice_prefix",
  "invoice_settings", "metadata", "name", "next_invoice_sequence", "phone", "preferred_locales", "promotion_code",
  "shipping", "source", "tax", "tax_exempt", NULL
};
static const char *p_pi_list[] = { "created", "customer", "ending_before", "expand", "limit", "starting_after", NULL };
static const char *p_pi_retrieve[] = { "client_secret", "expand", NULL };
static const char *p_pi_update[] = {
  "amount", "application_fee_amount", "currency", "customer", "description", "expand", "metadata", "payment_method",
  "payment_method_data", "payment_method_options", "payment_method_types", "receipt_email", "setup_future_usage",
  "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group", NULL
};
static const char *p_pi_confirm[] = {
  "client_secret", "error_on_requires_action", "expand", "mandate", "mandate_data", "off_session", "payment_method",
  "payment_method_data", "payment_method_options", "payment_method_types", "receipt_email", "return_url",
  "setup_future_usage", "shipping", "use_stripe_sdk", NULL
};
static const char *p_pi_cancel[] = { "cancellation_reason", "expand", NULL };
static const char *p_pm_create[] = { "billing_details", "card", "customer", "expand", "metadata", "payment_method", "type", NULL };
static const char *p_charges_list[] = { "created", "customer", "ending_before", "expand", "limit", "payment_intent", "starting_after", "transfer_group", NULL };
static const char *p_refunds_create[] = { "amount", "charge", "expand", "instructions_email", "metadata", "origin", "payment_intent", "reason", "refund_application_fee", "reverse_transfer", NULL };
static const char *p_refunds_list[] = { "charge", "created", "ending_before", "expand", "limit", "payment_intent", "starting_after", NULL };
static const char *p_refunds_update[] = { "expand", "metadata", NULL };
static const char *p_disputes_list[] = { "charge", "created", "ending_before", "expand", "limit", "payment_intent", "starting_after", NULL };

static const CpSimRoute routes[] = {
  { "GET", "/v1/customers/search", p_search, FALSE, customers_search },
  { "GET", "/v1/customers", p_customers_list, FALSE, customers_list },
  { "POST", "/v1/customers", p_customers_create, FALSE, customers_create },
  { "GET", "/v1/customers/*", p_expand, FALSE, customers_retrieve },
  { "POST", "/v1/customers/*", p_customers_update, FALSE, customers_update },

  { "GET", "/v1/payment_intents/search", p_search, FALSE, payment_intents_search },
  { "GET", "/v1/payment_intents", p_pi_list, FALSE, payment_intents_list },
  { "POST", "/v1/payment_intents", allowed_pi_create, FALSE, payment_intents_create },
  { "GET", "/v1/payment_intents/*", p_pi_retrieve, TRUE, payment_intents_retrieve },
  { "POST", "/v1/payment_intents/*", p_pi_update, FALSE, payment_intents_update },
  { "POST", "/v1/payment_intents/*/confirm", p_pi_confirm, TRUE, payment_intents_confirm },
  { "POST", "/v1/payment_intents/*/cancel", p_pi_cancel, FALSE, payment_intents_cancel },

  { "POST", "/v1/payment_methods", p_pm_create, TRUE, payment_methods_create },
  { "GET", "/v1/payment_methods/*", p_expand, FALSE, payment_methods_retrieve },

  { "GET", "/v1/charges/search", p_search, FALSE, charges_search },
  { "GET", "/v1/charges", p_charges_list, FALSE, charges_list },
  { "GET", "/v1/charges/*", p_expand, FALSE, charges_retrieve },
  { "GET", "/v1/charges/*/refunds", p_list, FALSE, charge_refunds_list },

  { "POST", "/v1/refunds", p_refunds_create, FALSE, refunds_create },
  { "GET", "/v1/refunds", p_refunds_list, FALSE, refunds_list },
  { "GET", "/v1/refunds/*", p_expand, FALSE, refunds_retrieve },
  { "POST", "/v1/refunds/*", p_refunds_update, FALSE, refunds_update },
  { "POST", "/v1/refunds/*/cancel", p_expand, FALSE, refunds_cancel },

  { "GET", "/v1/disputes", p_disputes_list, FALSE, disputes_list },
  { "GET", "/v1/disputes/*", p_expand, FALSE, disputes_retrieve },
  { "GET", "/v1/balance_transactions/*", p_expand, FALSE, balance_transactions_retrieve },
};

const CpSimRoute *
cp_sim_api_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (routes);
  return routes;
}
