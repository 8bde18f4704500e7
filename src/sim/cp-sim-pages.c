/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The browser side of the simulator: the Stripe.js stand-in, the Payment
 * Element's iframe, the hosted payment-link page, the 3-D Secure challenge
 * and receipts. Files come from the GResource /org/stingrays/CarePay/sim/. */
#include "config.h"

#include <string.h>

#include "cp-sim-private.h"

#define SIM_RESOURCES "/org/stingrays/CarePay/sim/"

static char *
load_resource (const char *name)
{
  g_autofree char *path = g_strconcat (SIM_RESOURCES, name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);

  if (bytes == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Replaces {{KEY}} by the HTML-escaped value; keys and values alternate. */
static char *
fill_template (const char *text,
               ...)
{
  GString *out = g_string_new (text);
  va_list args;
  const char *key;

  va_start (args, text);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *pattern = g_strdup_printf ("{{%s}}", key);
      g_autofree char *escaped = g_markup_escape_text (value ? value : "", -1);
      g_string_replace (out, pattern, escaped, 0);
    }
  va_end (args);
  return g_string_free (out, FALSE);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonObject        *obj)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree char *text = json_to_string (node, FALSE);

  respond (msg, status, "application/json", text);
}

static void
respond_error_json (SoupServerMessage *msg,
                    guint              status,
                    const char        *message)
{
  g_autoptr(JsonObject) wrapper = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "type", "invalid_request_error");
  json_object_set_object_member (wrapper, "error", error);
  respond_json (msg, status, wrapper);
}

static gboolean
serve_static (SoupServerMessage *msg,
              const char        *name,
              const char        *content_type)
{
  g_autofree char *text = load_resource (name);

  if (text == NULL)
    return FALSE;
  respond (msg, 200, content_type, text);
  return TRUE;
}

static char *
form_value (SoupServerMessage *msg,
            const char        *name)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (body);
  const char *v = g_hash_table_lookup (form, name);
  const char *query;

  if (v != NULL)
    return g_strdup (v);
  query = g_uri_get_query (soup_server_message_get_uri (msg));
  if (query != NULL)
    {
      g_autoptr(GHashTable) q = soup_form_decode (query);
      v = g_hash_table_lookup (q, name);
      if (v != NULL)
        return g_strdup (v);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */

static void
payment_link_page (CpSimServer       *server,
                   SoupServerMessage *msg,
                   JsonObject        *link)
{
  CpSimState *state = cp_sim_server_get_state (server);
  g_autofree char *tmpl = load_resource ("payment-link.html");
  const char *items_text = cp_sim_state_get_private (state, json_object_get_string_member (link, "id"), "line_items");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *html = NULL;
  g_autofree char *total_text = NULL;
  GString *names = g_string_new (NULL);
  gint64 total = 0;
  const char *currency = json_object_get_string_member_with_default (link, "currency", "usd");
  gboolean payable = cp_sim_link_is_payable (state, link);
  const char *inactive = json_object_get_string_member_with_default (link, "inactive_message", NULL);
  JsonObject *after = cp_sim_obj (link, "after_completion");
  const char *confirmation = NULL;
  const char *redirect = NULL;
  g_autofree char *names_text = NULL;

  if (items_text != NULL && json_parser_load_from_data (parser, items_text, -1, NULL))
    {
      JsonArray *items = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *li = json_array_get_object_element (items, i);
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append (names, json_object_get_string_member_with_default (li, "description", ""));
          if (json_object_get_int_member (li, "quantity") > 1)
            g_string_append_printf (names, " × %" G_GINT64_FORMAT, json_object_get_int_member (li, "quantity"));
          total += json_object_get_int_member (li, "amount_total");
        }
    }
  names_text = g_string_free (names, FALSE);
  if (after != NULL && cp_sim_obj (after, "hosted_confirmation"))
    confirmation = json_object_get_string_member_with_default (cp_sim_obj (after, "hosted_confirmation"),
                                                               "custom_message", NULL);
  if (after != NULL && cp_sim_obj (after, "redirect"))
    redirect = json_object_get_string_member_with_default (cp_sim_obj (after, "redirect"), "url", NULL);
  total_text = cp_sim_format_amount (total, currency);
  html = fill_template (tmpl,
                        "LINK_ID", json_object_get_string_member (link, "id"),
                        "PUBLISHABLE_KEY", cp_sim_publishable_key (server),
                        "DESCRIPTION", names_text,
                        "AMOUNT", total_text,
                        "PAYABLE", payable ? "true" : "false",
                        "INACTIVE_MESSAGE", inactive ? inactive : "This link is no longer active.",
                        "CONFIRMATION", confirmation ? confirmation : "Thanks for your payment.",
                        "REDIRECT_URL", redirect ? redirect : "",
                        NULL);
  respond (msg, 200, "text/html; charset=utf-8", html);
}

static void
payment_link_session (CpSimServer       *server,
                      SoupServerMessage *msg,
                      JsonObject        *link)
{
  const char *message = NULL;
  JsonObject *pi = cp_sim_api_start_checkout (server, link, &message);
  g_autoptr(JsonObject) answer = NULL;

  if (pi == NULL)
    {
      respond_error_json (msg, 410, message);
      return;
    }
  answer = json_object_new ();
  json_object_set_string_member (answer, "client_secret", json_object_get_string_member (pi, "client_secret"));
  json_object_set_string_member (answer, "payment_intent", json_object_get_string_member (pi, "id"));
  json_object_set_string_member (answer, "checkout_session",
                                 cp_sim_state_get_private (cp_sim_server_get_state (server),
                                                           json_object_get_string_member (pi, "id"), "checkout_session"));
  respond_json (msg, 200, answer);
}

/* ------------------------------------------------------------------ */

static JsonObject *
pi_for_challenge (CpSimServer       *server,
                  SoupServerMessage *msg,
                  const char        *pi_id)
{
  CpSimState *state = cp_sim_server_get_state (server);
  JsonObject *pi = cp_sim_state_lookup_typed (state, pi_id, "payment_intent");
  g_autofree char *secret = form_value (msg, "client_secret");

  if (pi == NULL || g_strcmp0 (secret, json_object_get_string_member (pi, "client_secret")) != 0)
    return NULL;
  return pi;
}

static void
challenge_page (CpSimServer       *server,
                SoupServerMessage *msg,
                const char        *pi_id)
{
  JsonObject *pi = pi_for_challenge (server, msg, pi_id);
  g_autofree char *tmpl = load_resource ("challenge.html");
  g_autofree char *html = NULL;
  g_autofree char *amount = NULL;

  if (pi == NULL)
    {
      respond (msg, 404, "text/plain", "No such authentication request.\n");
      return;
    }
  amount = cp_sim_format_amount (json_object_get_int_member (pi, "amount"), json_object_get_string_member (pi, "currency"));
  html = fill_template (tmpl,
                        "PAYMENT_INTENT", pi_id,
                        "CLIENT_SECRET", json_object_get_string_member (pi, "client_secret"),
                        "AMOUNT", amount,
                        "STATUS", json_object_get_string_member (pi, "status"),
                        NULL);
  respond (msg, 200, "text/html; charset=utf-8", html);
}

static void
challenge_answer (CpSimServer       *server,
                  SoupServerMessage *msg,
                  const char        *pi_id,
                  gboolean           success)
{
  CpSimState *state = cp_sim_server_get_state (server);
  JsonObject *pi = pi_for_challenge (server, msg, pi_id);
  const char *accept = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Accept");
  const char *return_url;
  const char *status;

  if (pi == NULL)
    {
      respond_error_json (msg, 404, "No such authentication request.");
      return;
    }
  if (g_strcmp0 (json_object_get_string_member (pi, "status"), "requires_action") != 0)
    {
      respond_error_json (msg, 400, "This PaymentIntent is not waiting for authentication.");
      return;
    }
  cp_sim_api_three_d_secure_done (server, pi, success);
  status = json_object_get_string_member (pi, "status");
  return_url = cp_sim_state_get_private (state, pi_id, "return_url");

  if (accept != NULL && strstr (accept, "application/json") != NULL)
    {
      g_autoptr(JsonObject) view = cp_sim_api_publishable_view (pi);
      respond_json (msg, 200, view);
      return;
    }
  if (return_url != NULL && cp_sim_obj (pi, "next_action") == NULL
      && form_value (msg, "in_frame") == NULL)
    {
      g_autofree char *sep = strchr (return_url, '?') ? g_strdup ("&") : g_strdup ("?");
      g_autofree char *cs = g_uri_escape_string (json_object_get_string_member (pi, "client_secret"), NULL, TRUE);
      g_autofree char *url = g_strdup_printf ("%s%spayment_intent=%s&payment_intent_client_secret=%s&redirect_status=%s",
                                              return_url, sep, pi_id, cs,
                                              g_str_equal (status, "succeeded") ? "succeeded" : "failed");
      soup_server_message_set_redirect (msg, 303, url);
      return;
    }
  {
    g_autofree char *tmpl = load_resource ("challenge-done.html");
    g_autofree char *html = fill_template (tmpl, "PAYMENT_INTENT", pi_id, "STATUS", status,
                                           "RESULT", success ? "Authentication complete" : "Authentication failed", NULL);
    respond (msg, 200, "text/html; charset=utf-8", html);
  }
}

/* ------------------------------------------------------------------ */

static void
receipt_page (CpSimServer       *server,
              SoupServerMessage *msg,
              const char        *charge_id)
{
  CpSimState *state = cp_sim_server_get_state (server);
  JsonObject *ch = cp_sim_state_lookup_typed (state, charge_id, "charge");
  g_autofree char *tmpl = load_resource ("receipt.html");
  g_autofree char *html = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *refunded = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  JsonObject *card;

  if (ch == NULL || tmpl == NULL)
    {
      respond (msg, 404, "text/plain", "No such receipt.\n");
      return;
    }
  card = cp_sim_obj (cp_sim_obj (ch, "payment_method_details"), "card");
  amount = cp_sim_format_amount (json_object_get_int_member (ch, "amount"), json_object_get_string_member (ch, "currency"));
  refunded = cp_sim_format_amount (json_object_get_int_member (ch, "amount_refunded"), json_object_get_string_member (ch, "currency"));
  when = g_date_time_new_from_unix_utc (json_object_get_int_member (ch, "created"));
  date = g_date_time_format (when, "%Y-%m-%d %H:%M UTC");
  html = fill_template (tmpl,
                        "CHARGE", charge_id,
                        "AMOUNT", amount,
                        "REFUNDED", refunded,
                        "DATE", date,
                        "BRAND", card ? json_object_get_string_member (card, "brand") : "",
                        "LAST4", card ? json_object_get_string_member (card, "last4") : "",
                        "STATUS", json_object_get_string_member (ch, "status"),
                        "DESCRIPTION", json_object_get_string_member_with_default (ch, "description", ""),
                        NULL);
  respond (msg, 200, "text/html; charset=utf-8", html);
}

gboolean
cp_sim_pages_handle (CpSimServer       *server,
                     SoupServerMessage *msg,
                     const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  CpSimState *state = cp_sim_server_get_state (server);
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);

  if (g_str_equal (method, "GET"))
    {
      if (g_str_equal (path, "/v3") || g_str_equal (path, "/v3/") || g_str_equal (path, "/v3/stripe.js"))
        return serve_static (msg, "stripe.js", "application/javascript; charset=utf-8");
      if (g_str_equal (path, "/elements/payment"))
        return serve_static (msg, "payment-element.html", "text/html; charset=utf-8");
      if (g_str_equal (path, "/elements/payment-element.js"))
        return serve_static (msg, "payment-element.js", "application/javascript; charset=utf-8");
      if (g_str_equal (path, "/elements/sim.css"))
        return serve_static (msg, "sim.css", "text/css; charset=utf-8");
      if (g_str_equal (path, "/"))
        return serve_static (msg, "index.html", "text/html; charset=utf-8");
      if (g_str_equal (path, "/favicon.ico"))
        {
          soup_server_message_set_status (msg, 204, NULL);
          return TRUE;
        }
      if (n == 3 && g_str_equal (parts[1], "pay"))
        {
          JsonObject *link = cp_sim_state_lookup_typed (state, parts[2], "payment_link");
          if (link == NULL)
            return FALSE;
          payment_link_page (server, msg, link);
          return TRUE;
        }
      if (n == 3 && g_str_equal (parts[1], "3ds"))
        {
          challenge_page (server, msg, parts[2]);
          return TRUE;
        }
      if (n == 3 && g_str_equal (parts[1], "receipts"))
        {
          receipt_page (server, msg, parts[2]);
          return TRUE;
        }
    }
  else if (g_str_equal (method, "POST"))
    {
      if (n == 4 && g_str_equal (parts[1], "pay") && g_str_equal (parts[3], "session"))
        {
          JsonObject *link = cp_sim_state_lookup_typed (state, parts[2], "payment_link");
          if (link == NULL)
            {
              respond_error_json (msg, 404, "No such payment link.");
              return TRUE;
            }
          payment_link_session (server, msg, link);
          return TRUE;
        }
      if (n == 4 && g_str_equal (parts[1], "3ds") && (g_str_equal (parts[3], "complete") || g_str_equal (parts[3], "fail")))
        {
          challenge_answer (server, msg, parts[2], g_str_equal (parts[3], "complete"));
          return TRUE;
        }
    }
  return FALSE;
}
