/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-client.h"
#include "cp-stripe-version.h"

/* Retry rules and request headers, checked against a scripted SoupServer on
 * 127.0.0.1 in this process: each test queues the answers the server gives,
 * and the server records what the client sent. (The simulator covers the
 * resources and its own faults in test-stripe-client.) */

typedef struct {
  guint       status;
  const char *should_retry;   /* Stripe-Should-Retry header or NULL */
  const char *body;
} Answer;

typedef struct {
  char *method;
  char *path;
  char *query;
  char *body;
  char *authorization;
  char *stripe_version;
  char *user_agent;
  char *idempotency_key;
  char *content_type;
} Seen;

static SoupServer *server;
static char *base_url;
static GQueue answers = G_QUEUE_INIT;
static GPtrArray *seen;

static void
seen_free (Seen *s)
{
  g_free (s->method);
  g_free (s->path);
  g_free (s->query);
  g_free (s->body);
  g_free (s->authorization);
  g_free (s->stripe_version);
  g_free (s->user_agent);
  g_free (s->idempotency_key);
  g_free (s->content_type);
  g_free (s);
}

static void
server_cb (SoupServer        *srv,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Seen *s = g_new0 (Seen, 1);
  const Answer *answer = g_queue_pop_head (&answers);

  s->method = g_strdup (soup_server_message_get_method (msg));
  s->path = g_strdup (path);
  s->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  s->body = body->length > 0 ? g_strndup (body->data, body->length) : NULL;
  s->authorization = g_strdup (soup_message_headers_get_one (h, "Authorization"));
  s->stripe_version = g_strdup (soup_message_headers_get_one (h, "Stripe-Version"));
  s->user_agent = g_strdup (soup_message_headers_get_one (h, "User-Agent"));
  s->idempotency_key = g_strdup (soup_message_headers_get_one (h, "Idempotency-Key"));
  s->content_type = g_strdup (soup_message_headers_get_one (h, "Content-Type"));
  g_ptr_array_add (seen, s);

  g_assert_nonnull (answer);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Request-Id", "req_scripted");
  if (answer->should_retry != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Stripe-Should-Retry",
                                  answer->should_retry);
  soup_server_message_set_status (msg, answer->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    answer->body, strlen (answer->body));
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_queue_clear (&answers);
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  if (server != NULL)
    return;

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, server_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base_url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static CpStripeClient *
new_client (void)
{
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  CpStripeClient *client;

  cp_stripe_config_set_api_base (config, base_url);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, "sk_test_scripted_0000000000004242");
  client = cp_stripe_client_new (config, NULL, NULL);
  cp_stripe_client_set_backoff (client, 1, 10);
  return client;
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The server runs on this thread's default context, so wait with the
 * async API on that context. */
static JsonObject *
run (CpStripeClient      *client,
     const char          *method,
     const char          *path,
     CpStripeForm        *form,
     CpStripeErrorInfo  **info,
     GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cp_stripe_client_request_async (client, method, path, form, NULL, NULL, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return cp_stripe_client_request_finish (client, result, info, error);
}

static const Answer ok_answer = { 200, NULL, "{\"id\": \"pi_1\", \"object\": \"payment_intent\"}" };
static const Answer server_error = { 500, NULL, "{\"error\": {\"type\": \"api_error\", \"message\": \"boom\"}}" };

static void
test_headers (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;
  g_autoptr(JsonObject) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_agent = g_strdup_printf ("CarePay/%s", PACKAGE_VERSION);
  Seen *s;

  setup ();
  client = new_client ();
  cp_stripe_form_add_int (form, "amount", 100);
  cp_stripe_form_add (form, "metadata[note]", "a b&c");

  g_queue_push_tail (&answers, (gpointer) &server_error);
  g_queue_push_tail (&answers, (gpointer) &ok_answer);
  g_queue_push_tail (&answers, (gpointer) &ok_answer);
  g_queue_push_tail (&answers, (gpointer) &ok_answer);
  a = run (client, "POST", "/v1/payment_intents", form, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (a, "id"), ==, "pi_1");
  b = run (client, "POST", "/v1/payment_intents", form, NULL, &error);
  g_assert_no_error (error);
  c = run (client, "GET", "/v1/payment_intents", form, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (seen->len, ==, 4);
  s = seen->pdata[0];
  g_assert_cmpstr (s->method, ==, "POST");
  g_assert_cmpstr (s->path, ==, "/v1/payment_intents");
  g_assert_cmpstr (s->body, ==, "amount=100&metadata%5Bnote%5D=a%20b%26c");
  g_assert_cmpstr (s->authorization, ==, "Bearer sk_test_scripted_0000000000004242");
  g_assert_cmpstr (s->stripe_version, ==, CP_STRIPE_API_VERSION);
  g_assert_cmpstr (s->stripe_version, ==, "2024-06-20");
  g_assert_cmpstr (s->user_agent, ==, user_agent);
  g_assert_cmpstr (s->content_type, ==, "application/x-www-form-urlencoded");
  g_assert_nonnull (s->idempotency_key);
  /* The retry reuses the key; a new call (no store, no operation) gets a new one. */
  g_assert_cmpstr (((Seen *) seen->pdata[1])->idempotency_key, ==, s->idempotency_key);
  g_assert_cmpstr (((Seen *) seen->pdata[2])->idempotency_key, !=, s->idempotency_key);
  /* GET: parameters in the query, no key, no body. */
  s = seen->pdata[3];
  g_assert_cmpstr (s->method, ==, "GET");
  g_assert_cmpstr (s->query, ==, "amount=100&metadata%5Bnote%5D=a%20b%26c");
  g_assert_null (s->idempotency_key);
  g_assert_null (s->body);
}

static void
test_should_retry_false (void)
{
  static const Answer no_retry = { 503, "false", "{\"error\": {\"type\": \"api_error\", \"message\": \"do not retry\"}}" };
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeErrorInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;

  setup ();
  client = new_client ();
  g_queue_push_tail (&answers, (gpointer) &no_retry);
  obj = run (client, "POST", "/v1/refunds", NULL, &info, &error);
  g_assert_null (obj);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpuint (info->http_status, ==, 503);
  g_assert_cmpuint (info->attempts, ==, 1);
  g_assert_cmpstr (info->request_id, ==, "req_scripted");
}

static void
test_should_retry_true (void)
{
  static const Answer forced = { 400, "true", "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"try again\"}}" };
  static const Answer plain_400 = { 400, NULL, "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"no\"}}" };
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;

  setup ();
  client = new_client ();
  g_queue_push_tail (&answers, (gpointer) &forced);
  g_queue_push_tail (&answers, (gpointer) &ok_answer);
  obj = run (client, "POST", "/v1/refunds", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 2);

  g_queue_push_tail (&answers, (gpointer) &plain_400);
  g_clear_pointer (&obj, json_object_unref);
  obj = run (client, "POST", "/v1/refunds", NULL, NULL, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpuint (seen->len, ==, 3);
}

static void
test_conflicts (void)
{
  static const Answer lock = { 409, NULL, "{\"error\": {\"type\": \"invalid_request_error\", \"code\": \"lock_timeout\", \"message\": \"locked\"}}" };
  static const Answer idem = { 409, NULL, "{\"error\": {\"type\": \"idempotency_error\", \"message\": \"in progress\"}}" };
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(CpStripeErrorInfo) info = NULL;

  setup ();
  client = new_client ();
  g_queue_push_tail (&answers, (gpointer) &lock);
  g_queue_push_tail (&answers, (gpointer) &ok_answer);
  obj = run (client, "POST", "/v1/payment_intents", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 2);

  g_queue_push_tail (&answers, (gpointer) &idem);
  g_clear_pointer (&obj, json_object_unref);
  obj = run (client, "POST", "/v1/payment_intents", NULL, &info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpstr (info->type, ==, "idempotency_error");
  g_assert_cmpuint (seen->len, ==, 3);
}

static void
test_max_retries_and_budget (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(CpStripeErrorInfo) info = NULL;

  setup ();
  client = new_client ();
  cp_stripe_client_set_max_retries (client, 2);
  for (guint i = 0; i < 3; i++)
    g_queue_push_tail (&answers, (gpointer) &server_error);
  obj = run (client, "GET", "/v1/events", NULL, &info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpuint (info->attempts, ==, 3);
  g_assert_cmpstr (info->message, ==, "boom");

  /* A budget smaller than any backoff: no retry at all. */
  g_clear_error (&error);
  g_clear_pointer (&info, cp_stripe_error_info_free);
  g_ptr_array_set_size (seen, 0);
  cp_stripe_client_set_backoff (client, 5000, 5000);
  cp_stripe_client_set_time_budget (client, 1);
  g_queue_push_tail (&answers, (gpointer) &server_error);
  obj = run (client, "GET", "/v1/events", NULL, &info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpuint (info->attempts, ==, 1);
}

static void
test_network_error (void)
{
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeErrorInfo) info = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GSocketService) closed = g_socket_service_new ();
  g_autoptr(GError) listen_error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port nobody listens on: bind one, then close it. */
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (closed), NULL, &listen_error);
  g_assert_no_error (listen_error);
  g_socket_listener_close (G_SOCKET_LISTENER (closed));
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  cp_stripe_config_set_api_base (config, url);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, "sk_test_nobody_listens_000000000");
  client = cp_stripe_client_new (config, NULL, NULL);
  cp_stripe_client_set_backoff (client, 1, 5);
  obj = cp_stripe_client_request (client, "GET", "/v1/events", NULL, NULL, NULL, NULL, &info, &error);
  g_assert_null (obj);
  g_assert_error (error, CP_ERROR, CP_ERROR_NETWORK);
  g_assert_cmpuint (info->http_status, ==, 0);
  g_assert_cmpuint (info->attempts, ==, 4);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-retry/headers", test_headers);
  g_test_add_func ("/carepay/stripe-retry/should-retry-false", test_should_retry_false);
  g_test_add_func ("/carepay/stripe-retry/should-retry-true", test_should_retry_true);
  g_test_add_func ("/carepay/stripe-retry/conflicts", test_conflicts);
  g_test_add_func ("/carepay/stripe-retry/max-retries-and-budget", test_max_retries_and_budget);
  g_test_add_func ("/carepay/stripe-retry/network-error", test_network_error);

  ret = g_test_run ();
  if (server != NULL)
    soup_server_disconnect (server);
  g_clear_object (&server);
  g_clear_pointer (&seen, g_ptr_array_unref);
  g_free (base_url);
  return ret;
}
