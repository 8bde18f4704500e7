/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Products, prices, payment links and their checkout sessions, events. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-sim-cards.h"
#include "cp-sim-api-private.h"

/* ------------------------------------------------------------------ */
/* products, prices                                                    */

static JsonObject *
create_product (CpSimRequest *req,
                JsonObject   *params)
{
  JsonObject *prod = cp_sim_state_create (req->state, "product", "prod");

  json_object_set_string_member (prod, "name", json_object_get_string_member_with_default (params, "name", ""));
  cp_sim_set_string_or_null (prod, "description", json_object_get_string_member_with_default (params, "description", NULL));
  json_object_set_int_member (prod, "updated", cp_sim_state_now ());
  if (json_object_has_member (params, "active"))
    json_object_set_boolean_member (prod, "active", g_strcmp0 (json_object_get_string_member (params, "active"), "false") != 0);
  cp_sim_apply_metadata (req, prod, params, NULL);
  cp_sim_emit (req, "product.created", prod, NULL);
  return prod;
}

static void
products_create (CpSimRequest *req)
{
  JsonObject *prod;

  if (!cp_sim_require_param (req, "name"))
    return;
  prod = create_product (req, req->params);
  cp_sim_reply_object (req, 200, prod);
}

static void
products_retrieve (CpSimRequest *req)
{
  JsonObject *prod = cp_sim_state_lookup_typed (req->state, req->args[0], "product");

  if (prod == NULL)
    cp_sim_reply_missing (req, "product", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, prod);
}

static void
prices_create (CpSimRequest *req)
{
  const char *currency = cp_sim_param_string (req, "currency");
  const char *product = cp_sim_param_string (req, "product");
  JsonObject *product_data = cp_sim_param_object (req, "product_data");
  JsonObject *price;
  JsonObject *prod;
  gint64 unit_amount = 0;
  gboolean present;
  g_autofree char *lower = NULL;
  g_autofree char *decimal = NULL;

  if (!cp_sim_require_param (req, "currency"))
    return;
  lower = g_ascii_strdown (currency, -1);
  if (!cp_sim_check_currency (req, lower))
    return;
  if (!cp_sim_param_int (req, "unit_amount", &unit_amount, &present))
    return;
  if (!present)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "unit_amount",
                          "Missing required param: unit_amount.");
      return;
    }
  if (unit_amount < 0)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "unit_amount",
                          "This value must be greater than or equal to 0.");
      return;
    }
  if (product == NULL && product_data == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "product",
                          "You must specify either `product` or `product_data` when creating a price.");
      return;
    }
  if (product != NULL && product_data != NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "product_data",
                          "You may only specify one of these parameters: product, product_data.");
      return;
    }
  if (product != NULL)
    {
      prod = cp_sim_state_lookup_typed (req->state, product, "product");
      if (prod == NULL)
        {
          cp_sim_reply_missing (req, "product", product, "product");
          return;
        }
    }
  else
    {
      const char *allowed[] = { "name", "active", "metadata", "statement_descriptor", "tax_code", "unit_label", "id", NULL };
      g_autoptr(GList) members = json_object_get_members (product_data);
      for (GList *l = members; l; l = l->next)
        if (!g_strv_contains (allowed, l->data))
          {
            cp_sim_reply_error (req, 400, INVALID, "parameter_unknown", "product_data",
                                "Received unknown parameter: product_data[%s]", (char *) l->data);
            return;
          }
      if (!json_object_has_member (product_data, "name"))
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "product_data[name]",
                              "Missing required param: product_data[name].");
          return;
        }
      prod = create_product (req, product_data);
    }
  price = cp_sim_state_create (req->state, "price", "price");
  json_object_set_string_member (price, "currency", lower);
  json_object_set_string_member (price, "product", json_object_get_string_member (prod, "id"));
  json_object_set_int_member (price, "unit_amount", unit_amount);
  decimal = g_strdup_printf ("%" G_GINT64_FORMAT, unit_amount);
  json_object_set_string_member (price, "unit_amount_decimal", decimal);
  cp_sim_set_string_or_null (price, "nickname", cp_sim_param_string (req, "nickname"));
  cp_sim_set_string_or_null (price, "lookup_key", cp_sim_param_string (req, "lookup_key"));
  cp_sim_apply_metadata (req, price, req->params, NULL);
  cp_sim_emit (req, "price.created", price, NULL);
  cp_sim_reply_object (req, 200, price);
}

static void
prices_retrieve (CpSimRequest *req)
{
  JsonObject *price = cp_sim_state_lookup_typed (req->state, req->args[0], "price");

  if (price == NULL)
    cp_sim_reply_missing (req, "price", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, price);
}

/* ------------------------------------------------------------------ */
/* payment links and checkout sessions                                 */

gboolean
cp_sim_link_is_payable (CpSimState *state,
                        JsonObject *link)
{
  JsonObject *restrictions = cp_sim_obj (link, "restrictions");

  if (!json_object_get_boolean_member (link, "active"))
    return FALSE;
  if (restrictions != NULL)
    {
      JsonObject *cs = cp_sim_obj (restrictions, "completed_sessions");
      if (cs != NULL && json_object_get_int_member (cs, "count") >= json_object_get_int_member (cs, "limit"))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_link_params (CpSimRequest *req,
                   JsonObject   *link,
                   gboolean      creating)
{
  JsonObject *restrictions = cp_sim_param_object (req, "restrictions");
  JsonObject *pid = cp_sim_param_object (req, "payment_intent_data");
  JsonObject *after = cp_sim_param_object (req, "after_completion");
  const char *inactive_message = cp_sim_param_string (req, "inactive_message");
  gboolean active = json_object_get_boolean_member (link, "active");

  if (!cp_sim_param_bool (req, "active", &active))
    return FALSE;
  if (restrictions != NULL)
    {
      JsonObject *cs = cp_sim_obj (restrictions, "completed_sessions");
      const char *limit_s = cs ? json_object_get_string_member_with_default (cs, "limit", NULL) : NULL;
      gint64 limit;

      if (limit_s == NULL)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "restrictions[completed_sessions][limit]",
                              "Missing required param: restrictions[completed_sessions][limit].");
          return FALSE;
        }
      limit = g_ascii_strtoll (limit_s, NULL, 10);
      if (limit < 1 || limit > 10000)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "restrictions[completed_sessions][limit]",
                              "This value must be between 1 and 10000.");
          return FALSE;
        }
    }
  if (pid != NULL)
    {
      const char *allowed[] = { "capture_method", "description", "metadata", "setup_future_usage", "statement_descriptor",
                                "statement_descriptor_suffix", "transfer_group", NULL };
      g_autoptr(GList) members = json_object_get_members (pid);
      for (GList *l = members; l; l = l->next)
        if (!g_strv_contains (allowed, l->data))
          {
            cp_sim_reply_error (req, 400, INVALID, "parameter_unknown", "payment_intent_data",
                                "Received unknown parameter: payment_intent_data[%s]", (char *) l->data);
            return FALSE;
          }
    }
  if (after != NULL)
    {
      const char *type = json_object_get_string_member_with_default (after, "type", NULL);
      if (g_strcmp0 (type, "hosted_confirmation") != 0 && g_strcmp0 (type, "redirect") != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "after_completion[type]",
                              "Invalid after_completion[type]: must be one of hosted_confirmation or redirect");
          return FALSE;
        }
    }
  {
    g_autoptr(JsonObject) scratch = cp_sim_obj_copy (link);
    if (!cp_sim_apply_metadata (req, scratch, req->params, NULL))
      return FALSE;
  }

  /* validated: apply */
  cp_sim_apply_metadata (req, link, req->params, NULL);
  json_object_set_boolean_member (link, "active", active);
  if (inactive_message != NULL)
    cp_sim_set_string_or_null (link, "inactive_message", inactive_message);
  if (restrictions != NULL)
    {
      JsonObject *r = json_object_new ();
      JsonObject *cs = json_object_new ();
      JsonObject *old = cp_sim_obj (link, "restrictions");
      gint64 count = 0;

      if (old != NULL && cp_sim_obj (old, "completed_sessions"))
        count = json_object_get_int_member (cp_sim_obj (old, "completed_sessions"), "count");
      json_object_set_int_member (cs, "count", count);
      json_object_set_int_member (cs, "limit",
                                  g_ascii_strtoll (json_object_get_string_member (cp_sim_obj (restrictions, "completed_sessions"), "limit"), NULL, 10));
      json_object_set_object_member (r, "completed_sessions", cs);
      json_object_set_object_member (link, "restrictions", r);
    }
  if (pid != NULL || creating)
    {
      JsonObject *d = cp_sim_obj (link, "payment_intent_data");
      const char *strings[] = { "capture_method", "description", "setup_future_usage", "statement_descriptor",
                                "statement_descriptor_suffix", "transfer_group", NULL };
      if (d == NULL)
        {
          d = json_object_new ();
          json_object_set_object_member (link, "payment_intent_data", d);
          for (guint i = 0; strings[i]; i++)
            json_object_set_null_member (d, strings[i]);
          json_object_set_object_member (d, "metadata", json_object_new ());
        }
      if (pid != NULL)
        {
          for (guint i = 0; strings[i]; i++)
            if (json_object_has_member (pid, strings[i]))
              cp_sim_set_string_or_null (d, strings[i], json_object_get_string_member (pid, strings[i]));
          cp_sim_apply_metadata (req, d, pid, NULL);
        }
    }
  if (after != NULL)
    {
      JsonObject *a = json_object_new ();
      const char *type = json_object_get_string_member (after, "type");
      json_object_set_string_member (a, "type", type);
      if (g_str_equal (type, "redirect"))
        {
          JsonObject *r = json_object_new ();
          JsonObject *pr = cp_sim_obj (after, "redirect");
          cp_sim_set_string_or_null (r, "url", pr ? json_object_get_string_member_with_default (pr, "url", NULL) : NULL);
          json_object_set_object_member (a, "redirect", r);
        }
      else
        {
          JsonObject *h = json_object_new ();
          JsonObject *ph = cp_sim_obj (after, "hosted_confirmation");
          cp_sim_set_string_or_null (h, "custom_message", ph ? json_object_get_string_member_with_default (ph, "custom_message", NULL) : NULL);
          json_object_set_object_member (a, "hosted_confirmation", h);
        }
      json_object_set_object_member (link, "after_completion", a);
    }
  return TRUE;
}

static void
payment_links_create (CpSimRequest *req)
{
  JsonNode *items = json_object_get_member (req->params, "line_items");
  g_autoptr(GPtrArray) prices = g_ptr_array_new ();
  g_autoptr(GArray) quantities = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *id = cp_sim_state_make_id ("plink");
  g_autofree char *url = NULL;
  g_autoptr(JsonObject) scratch = NULL;
  JsonObject *link;
  JsonArray *stored_items;
  const char *currency = NULL;

  if (!cp_sim_require_param (req, "line_items"))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (items) || json_array_get_length (json_node_get_array (items)) == 0)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_empty", "line_items",
                          "line_items must be a non-empty array: line_items[0][price]=price_...&line_items[0][quantity]=1");
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (items), i);
      JsonObject *o;
      const char *price_id;
      JsonObject *price;
      gint64 qty;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "line_items", "Invalid line_items[%u]: must be an object", i);
          return;
        }
      o = json_node_get_object (item);
      members = json_object_get_members (o);
      for (GList *l = members; l; l = l->next)
        if (!g_str_equal (l->data, "price") && !g_str_equal (l->data, "quantity") && !g_str_equal (l->data, "adjustable_quantity"))
          {
            cp_sim_reply_error (req, 400, INVALID, "parameter_unknown", "line_items",
                                "Received unknown parameter: line_items[%u][%s]", i, (char *) l->data);
            return;
          }
      price_id = json_object_get_string_member_with_default (o, "price", NULL);
      if (price_id == NULL)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "line_items",
                              "Missing required param: line_items[%u][price].", i);
          return;
        }
      price = cp_sim_state_lookup_typed (req->state, price_id, "price");
      if (price == NULL)
        {
          cp_sim_reply_missing (req, "price", price_id, "line_items");
          return;
        }
      if (currency != NULL && g_strcmp0 (currency, json_object_get_string_member (price, "currency")) != 0)
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "line_items", "All prices must be in the same currency.");
          return;
        }
      currency = json_object_get_string_member (price, "currency");
      qty = g_ascii_strtoll (json_object_get_string_member_with_default (o, "quantity", "1"), NULL, 10);
      if (qty < 1)
        {
          cp_sim_reply_error (req, 400, INVALID, "parameter_missing", "line_items",
                              "Missing required param: line_items[%u][quantity].", i);
          return;
        }
      g_ptr_array_add (prices, price);
      g_array_append_val (quantities, qty);
    }

  /* validate everything else on a scratch object before storing */
  scratch = cp_sim_state_template (req->state, "payment_link");
  json_object_set_boolean_member (scratch, "active", TRUE);
  if (!apply_link_params (req, scratch, TRUE))
    return;
  link = cp_sim_state_create_with_id (req->state, "payment_link", id);
  json_object_set_boolean_member (link, "active", TRUE);
  apply_link_params (req, link, TRUE);
  url = g_strdup_printf ("%s/pay/%s", cp_sim_server_get_base_url (req->server), id);
  json_object_set_string_member (link, "url", url);
  json_object_set_string_member (link, "currency", currency);
  json_object_set_null_member (link, "inactive_message");
  if (cp_sim_param_string (req, "inactive_message"))
    json_object_set_string_member (link, "inactive_message", cp_sim_param_string (req, "inactive_message"));
  /* line items are not part of the object (GET /v1/payment_links/:id/line_items) */
  stored_items = json_array_new ();
  for (guint i = 0; i < prices->len; i++)
    {
      JsonObject *price = g_ptr_array_index (prices, i);
      JsonObject *li = json_object_new ();
      JsonObject *prod = cp_sim_state_lookup (req->state, json_object_get_string_member (price, "product"));
      g_autofree char *li_id = cp_sim_state_make_id ("li");
      gint64 qty = g_array_index (quantities, gint64, i);
      g_autoptr(JsonNode) price_node = json_node_init_object (json_node_alloc (), price);

      json_object_set_string_member (li, "id", li_id);
      json_object_set_string_member (li, "object", "item");
      json_object_set_int_member (li, "amount_discount", 0);
      json_object_set_int_member (li, "amount_subtotal", json_object_get_int_member (price, "unit_amount") * qty);
      json_object_set_int_member (li, "amount_tax", 0);
      json_object_set_int_member (li, "amount_total", json_object_get_int_member (price, "unit_amount") * qty);
      json_object_set_string_member (li, "currency", json_object_get_string_member (price, "currency"));
      json_object_set_string_member (li, "description", prod ? json_object_get_string_member (prod, "name") : "");
      json_object_set_member (li, "price", cp_sim_json_copy (price_node));
      json_object_set_int_member (li, "quantity", qty);
      json_array_add_object_element (stored_items, li);
    }
  {
    g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), stored_items);
    g_autofree char *text = json_to_string (node, FALSE);
    cp_sim_state_set_private (req->state, id, "line_items", text);
    json_array_unref (stored_items);
  }
  cp_sim_emit (req, "payment_link.created", link, NULL);
  cp_sim_reply_object (req, 200, link);
}

static void
payment_links_retrieve (CpSimRequest *req)
{
  JsonObject *link = cp_sim_state_lookup_typed (req->state, req->args[0], "payment_link");

  if (link == NULL)
    cp_sim_reply_missing (req, "payment_link", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, link);
}

static void
payment_links_update (CpSimRequest *req)
{
  JsonObject *link = cp_sim_state_lookup_typed (req->state, req->args[0], "payment_link");
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) scratch = NULL;
  g_autoptr(JsonObject) previous = json_object_new ();
  g_autoptr(GList) members = NULL;

  if (link == NULL)
    {
      cp_sim_reply_missing (req, "payment_link", req->args[0], NULL);
      return;
    }
  if (json_object_has_member (req->params, "line_items"))
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "line_items",
                          "The simulator does not change the line items of a payment link; create a new link.");
      return;
    }
  scratch = cp_sim_obj_copy (link);
  if (!apply_link_params (req, scratch, FALSE))
    return;
  before = cp_sim_obj_copy (link);
  apply_link_params (req, link, FALSE);
  members = json_object_get_members (before);
  for (GList *l = members; l; l = l->next)
    if (!json_node_equal (json_object_get_member (before, l->data), json_object_get_member (link, l->data)))
      json_object_set_member (previous, l->data, cp_sim_json_copy (json_object_get_member (before, l->data)));
  if (json_object_get_size (previous) > 0)
    cp_sim_emit (req, "payment_link.updated", link, previous);
  cp_sim_reply_object (req, 200, link);
}

static gboolean
link_filter (CpSimRequest *req,
             JsonObject   *obj)
{
  const char *active = cp_sim_param_string (req, "active");

  return active == NULL || json_object_get_boolean_member (obj, "active") == g_str_equal (active, "true");
}

static void
payment_links_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "payment_link", link_filter, "/v1/payment_links");
}

static void
payment_links_line_items (CpSimRequest *req)
{
  const char *text = cp_sim_state_get_private (req->state, req->args[0], "line_items");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) list = json_object_new ();
  g_autofree char *url = g_strdup_printf ("/v1/payment_links/%s/line_items", req->args[0]);

  if (cp_sim_state_lookup_typed (req->state, req->args[0], "payment_link") == NULL || text == NULL
      || !json_parser_load_from_data (parser, text, -1, NULL))
    {
      cp_sim_reply_missing (req, "payment_link", req->args[0], NULL);
      return;
    }
  json_object_set_string_member (list, "object", "list");
  json_object_set_member (list, "data", cp_sim_json_copy (json_parser_get_root (parser)));
  json_object_set_boolean_member (list, "has_more", FALSE);
  json_object_set_string_member (list, "url", url);
  cp_sim_reply_object (req, 200, list);
}

/* Called by the hosted payment page: a checkout session and its
 * PaymentIntent for one payment of @link. Returns NULL (with @message) when
 * the link cannot be paid. */
JsonObject *
cp_sim_api_start_checkout (CpSimServer *server,
                           JsonObject  *link,
                           const char **message)
{
  CpSimState *state = cp_sim_server_get_state (server);
  const char *link_id = json_object_get_string_member (link, "id");
  const char *text = cp_sim_state_get_private (state, link_id, "line_items");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *items;
  JsonObject *pid = cp_sim_obj (link, "payment_intent_data");
  JsonObject *pi, *cs;
  gint64 total = 0;
  g_autofree char *secret = NULL;
  g_autofree char *rnd = NULL;
  g_autofree char *cs_id = NULL;
  g_autofree char *cs_url = NULL;
  CpSimRequest fake = { 0 };

  if (!cp_sim_link_is_payable (state, link))
    {
      const char *custom = json_object_get_string_member_with_default (link, "inactive_message", NULL);
      *message = custom ? custom : "This link is no longer active.";
      return NULL;
    }
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    {
      *message = "This link has no line items.";
      return NULL;
    }
  items = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (items); i++)
    total += json_object_get_int_member (json_array_get_object_element (items, i), "amount_total");

  fake.server = server;
  fake.state = state;
  fake.params = json_object_new ();

  pi = cp_sim_state_create (state, "payment_intent", "pi");
  rnd = cp_sim_random_string (25);
  secret = g_strdup_printf ("%s_secret_%s", json_object_get_string_member (pi, "id"), rnd);
  json_object_set_int_member (pi, "amount", total);
  json_object_set_string_member (pi, "client_secret", secret);
  json_object_set_string_member (pi, "currency", json_object_get_string_member (link, "currency"));
  json_object_set_null_member (pi, "automatic_payment_methods");
  if (pid != NULL)
    {
      json_object_set_member (pi, "metadata", cp_sim_json_copy (json_object_get_member (pid, "metadata")));
      json_object_set_member (pi, "description", cp_sim_json_copy (json_object_get_member (pid, "description")));
    }
  cp_sim_set_status (pi, "requires_payment_method");

  cs_id = g_strdup_printf ("cs_test_%s", rnd);
  cs = cp_sim_state_create_with_id (state, "checkout.session", cs_id);
  cs_url = g_strdup_printf ("%s/pay/%s", cp_sim_server_get_base_url (server), link_id);
  json_object_set_int_member (cs, "amount_subtotal", total);
  json_object_set_int_member (cs, "amount_total", total);
  json_object_set_string_member (cs, "currency", json_object_get_string_member (link, "currency"));
  json_object_set_int_member (cs, "expires_at", cp_sim_state_now () + 24 * 3600);
  json_object_set_member (cs, "metadata", cp_sim_json_copy (json_object_get_member (link, "metadata")));
  json_object_set_string_member (cs, "payment_intent", json_object_get_string_member (pi, "id"));
  json_object_set_string_member (cs, "payment_link", link_id);
  json_object_set_string_member (cs, "status", "open");
  json_object_set_string_member (cs, "payment_status", "unpaid");
  json_object_set_string_member (cs, "url", cs_url);
  json_object_set_string_member (cs, "submit_type", "pay");
  cp_sim_state_set_private (state, json_object_get_string_member (pi, "id"), "checkout_session", cs_id);

  cp_sim_emit (&fake, "payment_intent.created", pi, NULL);
  json_object_unref (fake.params);
  *message = NULL;
  return pi;
}

void
cp_sim_links_complete_checkout (CpSimRequest *req,
                          CpSimServer  *server,
                          JsonObject   *pi)
{
  const char *cs_id = cp_sim_state_get_private (req->state, json_object_get_string_member (pi, "id"), "checkout_session");
  JsonObject *cs = cs_id ? cp_sim_state_lookup (req->state, cs_id) : NULL;
  JsonObject *link;
  JsonObject *details;
  JsonObject *pm;

  if (cs == NULL || g_strcmp0 (json_object_get_string_member (cs, "status"), "open") != 0)
    return;
  json_object_set_string_member (cs, "status", "complete");
  json_object_set_string_member (cs, "payment_status", "paid");
  pm = cp_sim_state_lookup (req->state, json_object_get_string_member_with_default (pi, "payment_method", ""));
  details = json_object_new ();
  if (pm != NULL)
    {
      JsonObject *bd = cp_sim_obj (pm, "billing_details");
      json_object_set_member (details, "address", cp_sim_json_copy (json_object_get_member (bd, "address")));
      json_object_set_member (details, "email", cp_sim_json_copy (json_object_get_member (pi, "receipt_email")));
      json_object_set_member (details, "name", cp_sim_json_copy (json_object_get_member (bd, "name")));
      json_object_set_null_member (details, "phone");
      json_object_set_string_member (details, "tax_exempt", "none");
      json_object_set_array_member (details, "tax_ids", json_array_new ());
    }
  json_object_set_object_member (cs, "customer_details", details);

  link = cp_sim_state_lookup (req->state, json_object_get_string_member_with_default (cs, "payment_link", ""));
  if (link != NULL)
    {
      JsonObject *restrictions = cp_sim_obj (link, "restrictions");
      JsonObject *csr = restrictions ? cp_sim_obj (restrictions, "completed_sessions") : NULL;

      if (csr != NULL)
        {
          g_autoptr(JsonObject) previous = json_object_new ();
          gint64 count = json_object_get_int_member (csr, "count") + 1;

          json_object_set_int_member (csr, "count", count);
          if (count >= json_object_get_int_member (csr, "limit") && json_object_get_boolean_member (link, "active"))
            {
              json_object_set_boolean_member (previous, "active", TRUE);
              json_object_set_boolean_member (link, "active", FALSE);
              cp_sim_emit (req, "checkout.session.completed", cs, NULL);
              cp_sim_emit (req, "payment_link.updated", link, previous);
              return;
            }
        }
    }
  cp_sim_emit (req, "checkout.session.completed", cs, NULL);
}

static void
checkout_sessions_retrieve (CpSimRequest *req)
{
  JsonObject *cs = cp_sim_state_lookup_typed (req->state, req->args[0], "checkout.session");

  if (cs == NULL)
    cp_sim_reply_missing (req, "checkout.session", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, cs);
}

static gboolean
session_filter (CpSimRequest *req,
                JsonObject   *obj)
{
  const char *pi = cp_sim_param_string (req, "payment_intent");
  const char *link = cp_sim_param_string (req, "payment_link");

  if (pi && g_strcmp0 (json_object_get_string_member_with_default (obj, "payment_intent", NULL), pi) != 0)
    return FALSE;
  if (link && g_strcmp0 (json_object_get_string_member_with_default (obj, "payment_link", NULL), link) != 0)
    return FALSE;
  return TRUE;
}

static void
checkout_sessions_list (CpSimRequest *req)
{
  cp_sim_reply_list (req, "checkout.session", session_filter, "/v1/checkout/sessions");
}

/* ------------------------------------------------------------------ */
/* events                                                              */

static gboolean
type_matches (const char *pattern,
              const char *type)
{
  if (g_str_has_suffix (pattern, ".*"))
    return g_str_has_prefix (type, pattern) || strncmp (type, pattern, strlen (pattern) - 1) == 0;
  return g_str_equal (pattern, type);
}

static gboolean
event_filter (CpSimRequest *req,
              JsonObject   *obj)
{
  const char *type = cp_sim_param_string (req, "type");
  JsonNode *types = json_object_get_member (req->params, "types");
  const char *t = json_object_get_string_member (obj, "type");

  if (type != NULL && !type_matches (type, t))
    return FALSE;
  if (types != NULL && JSON_NODE_HOLDS_ARRAY (types))
    {
      JsonArray *arr = json_node_get_array (types);
      gboolean any = FALSE;
      for (guint i = 0; i < json_array_get_length (arr); i++)
        any = any || type_matches (json_array_get_string_element (arr, i), t);
      return any;
    }
  return TRUE;
}

static void
events_list (CpSimRequest *req)
{
  if (cp_sim_param_string (req, "type") != NULL && json_object_has_member (req->params, "types"))
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "types",
                          "You may only specify one of these parameters: type, types.");
      return;
    }
  cp_sim_reply_list (req, "event", event_filter, "/v1/events");
}

static void
events_retrieve (CpSimRequest *req)
{
  JsonObject *ev = cp_sim_state_lookup_typed (req->state, req->args[0], "event");

  if (ev == NULL)
    cp_sim_reply_missing (req, "event", req->args[0], NULL);
  else
    cp_sim_reply_object (req, 200, ev);
}

/* ------------------------------------------------------------------ */
/* routes (payment links also take today's restrictions,               */
/* payment_intent_data and inactive_message)                           */

static const char *p_expand[] = { "expand", NULL };
static const char *p_list[] = { "created", "ending_before", "expand", "limit", "starting_after", NULL };
static const char *p_products_create[] = { "active", "description", "expand", "id", "images", "metadata", "name", "package_dimensions", "shippable", "statement_descriptor", "tax_code", "unit_label", "url", NULL };
static const char *p_prices_create[] = { "active", "billing_scheme", "currency", "expand", "lookup_key", "metadata", "nickname", "product", "product_data", "recurring", "tax_behavior", "tiers", "tiers_mode", "transfer_lookup_key", "transform_quantity", "unit_amount", "unit_amount_decimal", NULL };
static const char *p_links_create[] = {
  "after_completion", "allow_promotion_codes", "application_fee_amount", "application_fee_percent", "automatic_tax",
  "billing_address_collection", "expand", "inactive_message", "line_items", "metadata", "on_behalf_of", "payment_intent_data",
  "payment_method_types", "phone_number_collection", "restrictions", "shipping_address_collection", "submit_type",
  "subscription_data", "transfer_data", NULL
};
static const char *p_links_update[] = {
  "active", "after_completion", "allow_promotion_codes", "automatic_tax", "billing_address_collection", "expand",
  "inactive_message", "line_items", "metadata", "payment_intent_data", "payment_method_types", "restrictions",
  "shipping_address_collection", NULL
};
static const char *p_links_list[] = { "active", "ending_before", "expand", "limit", "starting_after", NULL };
static const char *p_sessions_list[] = { "ending_before", "expand", "limit", "payment_intent", "payment_link", "starting_after", "subscription", NULL };
static const char *p_events_list[] = { "created", "delivery_success", "ending_before", "expand", "limit", "starting_after", "type", "types", NULL };

static const CpSimRoute routes[] = {
  { "POST", "/v1/products", p_products_create, FALSE, products_create },
  { "GET", "/v1/products/*", p_expand, FALSE, products_retrieve },
  { "POST", "/v1/prices", p_prices_create, FALSE, prices_create },
  { "GET", "/v1/prices/*", p_expand, FALSE, prices_retrieve },
  { "POST", "/v1/payment_links", p_links_create, FALSE, payment_links_create },
  { "GET", "/v1/payment_links", p_links_list, FALSE, payment_links_list },
  { "GET", "/v1/payment_links/*", p_expand, FALSE, payment_links_retrieve },
  { "POST", "/v1/payment_links/*", p_links_update, FALSE, payment_links_update },
  { "GET", "/v1/payment_links/*/line_items", p_list, FALSE, payment_links_line_items },
  { "GET", "/v1/checkout/sessions", p_sessions_list, FALSE, checkout_sessions_list },
  { "GET", "/v1/checkout/sessions/*", p_expand, FALSE, checkout_sessions_retrieve },
  { "GET", "/v1/events", p_events_list, FALSE, events_list },
  { "GET", "/v1/events/*", p_expand, FALSE, events_retrieve },
};

const CpSimRoute *
cp_sim_links_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (routes);
  return routes;
}
