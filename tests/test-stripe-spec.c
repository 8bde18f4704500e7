/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-customers.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-payment-link.h"
#include "cp-stripe-refunds.h"
#include "test-stripe-fixture.h"

/* Every request the client's resource helpers send is recorded through the
 * client's request hook and checked against Stripe's OpenAPI description
 * (spec3.api-2020-08-27.json): the path and method must exist, and every
 * form key path (metadata[invoice_id], line_items[0][price], expand[]...)
 * must be declared by the request body schema (POST) or the query
 * parameters (GET). */

/* Parameters the API version we pin (2024-06-20) has but the 2020-08-27
 * spec file predates. Each entry allows the named top-level parameter and
 * everything below it, for that method and path template only. */
static const struct {
  const char *method;
  const char *path;
  const char *param;
  const char *why;
} allowlist[] = {
  /* Payment Links gained `restrictions` (completed_sessions.limit) in 2023;
   * we rely on it so one link takes at most one payment. */
  { "POST", "/v1/payment_links", "restrictions", "restrictions[completed_sessions][limit]" },
  /* Payment Links gained `payment_intent_data` (with metadata) in 2022;
   * it carries the invoice id onto the PaymentIntent. */
  { "POST", "/v1/payment_links", "payment_intent_data", "payment_intent_data[metadata][...]" },
};

typedef struct {
  char      *method;
  char      *path;
  GPtrArray *keys;
} Recorded;

static GPtrArray *recorded;
static JsonObject *spec_root;

static void
recorded_free (Recorded *r)
{
  g_free (r->method);
  g_free (r->path);
  g_ptr_array_unref (r->keys);
  g_free (r);
}

static void
record_hook (const char   *method,
             const char   *path,
             CpStripeForm *form,
             gpointer      user_data)
{
  Recorded *r = g_new0 (Recorded, 1);

  r->method = g_strdup (method);
  r->path = g_strdup (path);
  r->keys = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; form != NULL && i < cp_stripe_form_get_length (form); i++)
    g_ptr_array_add (r->keys, g_strdup (cp_stripe_form_get_key (form, i)));
  g_ptr_array_add (recorded, r);
}

static JsonObject *
resolve (JsonObject *schema)
{
  for (guint depth = 0; schema != NULL && depth < 16; depth++)
    {
      const char *ref;
      g_auto(GStrv) parts = NULL;
      JsonObject *target = spec_root;

      if (!json_object_has_member (schema, "$ref"))
        return schema;
      ref = json_object_get_string_member (schema, "$ref");
      g_assert_true (g_str_has_prefix (ref, "#/"));
      parts = g_strsplit (ref + 2, "/", -1);
      for (guint i = 0; parts[i] != NULL && target != NULL; i++)
        target = json_object_has_member (target, parts[i]) ? json_object_get_object_member (target, parts[i]) : NULL;
      schema = target;
    }
  return schema;
}

/* Whether `segments` (from index `i`) name something under `schema`. */
static gboolean
schema_accepts (JsonObject  *schema,
                char       **segments,
                guint        i)
{
  schema = resolve (schema);
  if (schema == NULL)
    return FALSE;
  if (segments[i] == NULL)
    return TRUE;

  if (json_object_has_member (schema, "anyOf"))
    {
      JsonArray *alts = json_object_get_array_member (schema, "anyOf");
      for (guint k = 0; k < json_array_get_length (alts); k++)
        if (schema_accepts (json_array_get_object_element (alts, k), segments, i))
          return TRUE;
      return FALSE;
    }

  if (json_object_has_member (schema, "items"))
    {
      /* arrays: key[] or key[N] */
      const char *seg = segments[i];
      if (*seg != '\0')
        for (const char *p = seg; *p; p++)
          if (!g_ascii_isdigit (*p))
            return FALSE;
      return schema_accepts (json_object_get_object_member (schema, "items"), segments, i + 1);
    }

  if (json_object_has_member (schema, "properties"))
    {
      JsonObject *props = json_object_get_object_member (schema, "properties");
      if (json_object_has_member (props, segments[i]))
        return schema_accepts (json_object_get_object_member (props, segments[i]), segments, i + 1);
    }

  if (json_object_has_member (schema, "additionalProperties"))
    {
      JsonNode *extra = json_object_get_member (schema, "additionalProperties");
      if (JSON_NODE_HOLDS_OBJECT (extra))
        return schema_accepts (json_node_get_object (extra), segments, i + 1);
      return json_node_get_boolean (extra) && segments[i + 1] == NULL;
    }

  return FALSE;
}

/* "line_items[0][price]" → { "line_items", "0", "price" }; "expand[]" → { "expand", "" }. */
static GStrv
split_key (const char *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *open = strchr (key, '[');

  if (open == NULL)
    {
      g_strv_builder_add (builder, key);
      return g_strv_builder_end (builder);
    }
  {
    g_autofree char *head = g_strndup (key, open - key);
    g_strv_builder_add (builder, head);
  }
  while (open != NULL && *open == '[')
    {
      const char *close = strchr (open, ']');
      g_autofree char *seg = NULL;

      g_assert_nonnull (close);
      seg = g_strndup (open + 1, close - open - 1);
      g_strv_builder_add (builder, seg);
      open = close + 1;
    }
  g_assert_true (open == NULL || *open == '\0');
  return g_strv_builder_end (builder);
}

/* The spec's path template for a concrete path: literal segments must
 * match, {param} matches any; the template with most literals wins. */
static const char *
find_template (const char *path,
               const char *method)
{
  JsonObject *paths = json_object_get_object_member (spec_root, "paths");
  g_autoptr(GList) names = json_object_get_members (paths);
  g_auto(GStrv) want = g_strsplit (path, "/", -1);
  const char *best = NULL;
  int best_literals = -1;

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_auto(GStrv) have = g_strsplit (l->data, "/", -1);
      int literals = 0;
      gboolean ok;
      g_autofree char *lower = g_ascii_strdown (method, -1);

      if (g_strv_length (have) != g_strv_length (want))
        continue;
      if (!json_object_has_member (json_object_get_object_member (paths, l->data), lower))
        continue;
      ok = TRUE;
      for (guint i = 0; have[i] != NULL && ok; i++)
        {
          if (have[i][0] == '{')
            continue;
          if (g_str_equal (have[i], want[i]))
            literals++;
          else
            ok = FALSE;
        }
      if (ok && literals > best_literals)
        {
          best = l->data;
          best_literals = literals;
        }
    }
  return best;
}

static gboolean
allowlisted (const char *method,
             const char *template,
             const char *top)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowlist); i++)
    if (g_str_equal (allowlist[i].method, method) && g_str_equal (allowlist[i].path, template) &&
        g_str_equal (allowlist[i].param, top))
      return TRUE;
  return FALSE;
}

/* Returns a description of the first undeclared key, or NULL. */
static char *
check_request (Recorded   *r,
               const char *template)
{
  JsonObject *paths = json_object_get_object_member (spec_root, "paths");
  g_autofree char *lower = g_ascii_strdown (r->method, -1);
  JsonObject *op = json_object_get_object_member (json_object_get_object_member (paths, template), lower);

  for (guint k = 0; k < r->keys->len; k++)
    {
      g_auto(GStrv) segments = split_key (r->keys->pdata[k]);
      gboolean ok = FALSE;

      if (allowlisted (r->method, template, segments[0]))
        continue;

      if (g_str_equal (r->method, "POST"))
        {
          JsonObject *body = json_object_get_object_member (op, "requestBody");
          JsonObject *content = body ? json_object_get_object_member (body, "content") : NULL;
          JsonObject *form = content ? json_object_get_object_member (content, "application/x-www-form-urlencoded") : NULL;
          JsonObject *schema = form ? json_object_get_object_member (form, "schema") : NULL;
          ok = schema != NULL && schema_accepts (schema, segments, 0);
        }
      else
        {
          JsonArray *params = json_object_has_member (op, "parameters") ? json_object_get_array_member (op, "parameters") : NULL;
          for (guint p = 0; params != NULL && p < json_array_get_length (params) && !ok; p++)
            {
              JsonObject *param = resolve (json_array_get_object_element (params, p));
              if (g_str_equal (json_object_get_string_member (param, "in"), "query") &&
                  g_str_equal (json_object_get_string_member (param, "name"), segments[0]))
                ok = schema_accepts (json_object_get_object_member (param, "schema"), segments, 1);
            }
        }
      if (!ok)
        return g_strdup_printf ("%s %s (%s): parameter %s is not in the spec",
                                r->method, r->path, template, (char *) r->keys->pdata[k]);
    }
  return NULL;
}

static void
load_spec (void)
{
  const char *dir = g_getenv ("CAREPAY_STRIPE_REFERENCE");
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (spec_root != NULL)
    return;
  g_assert_nonnull (dir);
  path = g_build_filename (dir, "spec3.api-2020-08-27.json", NULL);
  json_parser_load_from_mapped_file (parser, path, &error);
  g_assert_no_error (error);
  spec_root = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The checker itself must catch a wrong parameter. */
static void
test_checker_rejects (void)
{
  Recorded bad = { (char *) "POST", (char *) "/v1/payment_intents/pi_1/confirm", NULL };
  Recorded good_get = { (char *) "GET", (char *) "/v1/events", NULL };
  const char *template;
  g_autofree char *problem = NULL;
  g_autofree char *none = NULL;

  if (g_getenv ("CAREPAY_STRIPE_REFERENCE") == NULL)
    {
      g_test_skip ("CAREPAY_STRIPE_REFERENCE is not set");
      return;
    }
  load_spec ();

  template = find_template (bad.path, "POST");
  g_assert_cmpstr (template, ==, "/v1/payment_intents/{intent}/confirm");
  g_assert_cmpstr (find_template ("/v1/payment_intents/search", "GET"), ==, "/v1/payment_intents/search");
  g_assert_cmpstr (find_template ("/v1/payment_intents/pi_1", "GET"), ==, "/v1/payment_intents/{intent}");
  g_assert_null (find_template ("/v1/payment_intents/pi_1/explode", "POST"));

  bad.keys = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (bad.keys, g_strdup ("payment_method"));
  g_ptr_array_add (bad.keys, g_strdup ("expand[]"));
  g_ptr_array_add (bad.keys, g_strdup ("metadata[invoice_id]")); /* confirm takes no metadata */
  problem = check_request (&bad, template);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "metadata[invoice_id]"));
  g_ptr_array_unref (bad.keys);

  good_get.keys = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (good_get.keys, g_strdup ("types[]"));
  g_ptr_array_add (good_get.keys, g_strdup ("limit"));
  g_ptr_array_add (good_get.keys, g_strdup ("created[gte]"));
  none = check_request (&good_get, "/v1/events");
  g_assert_null (none);
  g_ptr_array_add (good_get.keys, g_strdup ("types[0][x]"));
  g_clear_pointer (&none, g_free);
  none = check_request (&good_get, "/v1/events");
  g_assert_nonnull (none);
  g_ptr_array_unref (good_get.keys);

  /* The allowlisted parameters really are missing from the 2020 spec:
   * without the allowlist they would be rejected. */
  {
    JsonObject *paths = json_object_get_object_member (spec_root, "paths");
    JsonObject *op = json_object_get_object_member (json_object_get_object_member (paths, "/v1/payment_links"), "post");
    JsonObject *schema = json_object_get_object_member (
      json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (op, "requestBody"), "content"),
                                     "application/x-www-form-urlencoded"), "schema");

    for (guint i = 0; i < G_N_ELEMENTS (allowlist); i++)
      {
        g_auto(GStrv) segments = g_strsplit (allowlist[i].param, "/", -1);
        g_assert_false (schema_accepts (schema, segments, 0));
        g_assert_true (allowlisted ("POST", "/v1/payment_links", allowlist[i].param));
      }
    g_assert_false (allowlisted ("POST", "/v1/payment_links", "line_items"));
    g_assert_false (allowlisted ("POST", "/v1/checkout/sessions", "restrictions"));
  }
}

static void
exercise_everything (CpStripeClient *client)
{
  g_autoptr(GError) error = NULL;
  CpPatient *patient = cp_patient_new ();

  patient->id = 5;
  patient->mrn = g_strdup ("MRN-5");
  patient->given_name = g_strdup ("Li");
  patient->family_name = g_strdup ("Wei");
  patient->email = g_strdup ("li.wei@example.org");

  {
    g_autoptr(CpStripeCustomer) c1 = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
    g_autoptr(CpStripeCustomer) c2 = NULL;
    g_autoptr(CpStripeCustomer) c3 = NULL;
    g_assert_no_error (error);
    patient->stripe_customer_id = g_strdup (c1->id);
    c2 = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
    g_assert_no_error (error);
    c3 = cp_stripe_customer_retrieve (client, c1->id, NULL, NULL, &error);
    g_assert_no_error (error);

    {
      CpStripePaymentIntentParams p = {
        .amount = 5000, .currency = "usd", .customer = c1->id, .invoice_id = 9,
        .invoice_number = "INV-9", .description = "Visit", .receipt_email = "li.wei@example.org",
      };
      g_autoptr(CpStripePaymentIntent) auto_pi = cp_stripe_payment_intent_create (client, &p, "spec:pi:auto", NULL, NULL, &error);
      g_autoptr(CpStripePaymentIntent) card_pi = NULL;
      g_autoptr(CpStripePaymentIntent) paid = NULL;
      g_autoptr(CpStripePaymentIntent) got = NULL;
      g_autoptr(CpStripePaymentIntent) canceled = NULL;
      g_autoptr(CpStripeList) list = NULL;
      g_autoptr(CpStripeList) list2 = NULL;
      g_autoptr(CpStripeList) found = NULL;
      g_autoptr(CpStripeRefund) refund = NULL;
      g_autoptr(CpStripeRefund) refund2 = NULL;
      g_autoptr(CpStripeList) refunds = NULL;
      CpStripeRefundParams rp = { 0 };

      g_assert_no_error (error);
      p.card_only = TRUE;
      card_pi = cp_stripe_payment_intent_create (client, &p, "spec:pi:card", NULL, NULL, &error);
      g_assert_no_error (error);
      paid = cp_stripe_payment_intent_confirm (client, card_pi->id, "pm_card_visa", "spec:confirm", NULL, NULL, &error);
      g_assert_no_error (error);
      got = cp_stripe_payment_intent_retrieve (client, card_pi->id, NULL, NULL, &error);
      g_assert_no_error (error);
      canceled = cp_stripe_payment_intent_cancel (client, auto_pi->id, "abandoned", "spec:cancel", NULL, NULL, &error);
      g_assert_no_error (error);
      list = cp_stripe_payment_intent_list (client, c1->id, 10, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      list2 = cp_stripe_payment_intent_list (client, NULL, 1, card_pi->id, NULL, NULL, &error);
      g_assert_no_error (error);
      found = cp_stripe_payment_intent_search_metadata (client, "invoice_id", "9", NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      rp.payment_intent = card_pi->id;
      rp.amount = 1000;
      rp.reason = "requested_by_customer";
      rp.invoice_id = 9;
      rp.staff_id = 2;
      refund = cp_stripe_refund_create (client, &rp, "spec:refund", NULL, NULL, &error);
      g_assert_no_error (error);
      rp.amount = 0;
      rp.reason = NULL;
      rp.staff_id = 0;
      rp.invoice_id = 0;
      refund2 = cp_stripe_refund_create (client, &rp, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      refunds = cp_stripe_refund_list (client, card_pi->id, 10, refund2->id, NULL, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&refund2, cp_stripe_refund_free);
      refund2 = cp_stripe_refund_retrieve (client, refund->id, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  }

  {
    CpStripePaymentLinkParams lp = { .invoice_id = 9, .invoice_number = "INV-9", .amount = 4000, .currency = "usd" };
    g_autoptr(CpStripePaymentLink) link = cp_stripe_payment_link_create (client, &lp, "spec:link", NULL, NULL, &error);
    g_autoptr(CpStripePaymentLink) off = NULL;
    g_autoptr(CpStripePaymentLink) got = NULL;
    g_assert_no_error (error);
    off = cp_stripe_payment_link_deactivate (client, link->id, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    got = cp_stripe_payment_link_retrieve (client, link->id, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  {
    const char *one[] = { "payment_intent.succeeded", NULL };
    const char *two[] = { "payment_intent.succeeded", "charge.refunded", NULL };
    g_autoptr(CpStripeList) all = cp_stripe_event_list (client, NULL, NULL, NULL, 100, NULL, NULL, &error);
    g_autoptr(CpStripeList) l1 = NULL;
    g_autoptr(CpStripeList) l2 = NULL;
    g_autoptr(CpStripeList) l3 = NULL;
    g_autoptr(CpStripeEventIter) iter = NULL;
    g_autoptr(CpStripeEventIter) iter2 = NULL;
    g_autoptr(GPtrArray) batch = NULL;
    g_autoptr(GPtrArray) batch2 = NULL;
    const char *oldest;

    g_assert_no_error (error);
    g_assert_cmpuint (all->items->len, >, 2);
    oldest = ((CpStripeEvent *) all->items->pdata[all->items->len - 1])->id;
    l1 = cp_stripe_event_list (client, one, oldest, NULL, 5, NULL, NULL, &error);
    g_assert_no_error (error);
    l2 = cp_stripe_event_list (client, two, NULL, oldest, 5, NULL, NULL, &error);
    g_assert_no_error (error);
    l3 = cp_stripe_event_list (client, NULL, NULL, oldest, 0, NULL, NULL, &error);
    g_assert_no_error (error);
    iter = cp_stripe_event_iter_new (client, NULL, two);
    cp_stripe_event_iter_set_page_size (iter, 1);
    batch = cp_stripe_event_iter_next (iter, NULL, NULL, &error);
    g_assert_no_error (error);
    iter2 = cp_stripe_event_iter_new (client, oldest, NULL);
    batch2 = cp_stripe_event_iter_next (iter2, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  cp_patient_free (patient);
}

static void
test_requests_match_spec (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *expected[] = {
    "GET /v1/customers/search", "POST /v1/customers", "GET /v1/customers/{customer}",
    "POST /v1/payment_intents", "GET /v1/payment_intents/{intent}",
    "POST /v1/payment_intents/{intent}/confirm", "POST /v1/payment_intents/{intent}/cancel",
    "GET /v1/payment_intents", "GET /v1/payment_intents/search",
    "POST /v1/refunds", "GET /v1/refunds", "GET /v1/refunds/{refund}",
    "POST /v1/prices", "POST /v1/payment_links", "POST /v1/payment_links/{payment_link}",
    "GET /v1/payment_links/{payment_link}", "GET /v1/events",
  };
  guint problems = 0;

  if (g_getenv ("CAREPAY_STRIPE_REFERENCE") == NULL)
    {
      g_test_skip ("CAREPAY_STRIPE_REFERENCE is not set");
      return;
    }
  if (!stripe_sim_require ())
    return;
  load_spec ();

  recorded = g_ptr_array_new_with_free_func ((GDestroyNotify) recorded_free);
  client = stripe_sim_new_client (SIM_KEY, NULL);
  cp_stripe_client_set_request_hook (client, record_hook, NULL, NULL);
  exercise_everything (client);

  g_assert_cmpuint (recorded->len, >=, G_N_ELEMENTS (expected));
  for (guint i = 0; i < recorded->len; i++)
    {
      Recorded *r = recorded->pdata[i];
      const char *template = find_template (r->path, r->method);
      g_autofree char *problem = NULL;

      if (template == NULL)
        {
          g_test_message ("%s %s: no such endpoint in the spec", r->method, r->path);
          problems++;
          continue;
        }
      g_hash_table_add (seen, g_strdup_printf ("%s %s", r->method, template));
      problem = check_request (r, template);
      if (problem != NULL)
        {
          g_test_message ("%s", problem);
          problems++;
        }
    }
  g_assert_cmpuint (problems, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_hash_table_contains (seen, expected[i]))
      g_error ("the exercise did not send %s", expected[i]);

  g_clear_pointer (&recorded, g_ptr_array_unref);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-spec/checker-rejects", test_checker_rejects);
  g_test_add_func ("/carepay/stripe-spec/requests-match-spec", test_requests_match_spec);

  ret = g_test_run ();
  stripe_sim_stop ();
  g_clear_pointer (&spec_root, json_object_unref);
  return ret;
}
