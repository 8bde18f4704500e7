/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepay-stripe-sim: test cards, 3-D Secure, refunds, disputes, signed
 * webhooks, publishable-key access. */
#include <string.h>

#include "sim-test-util.h"

static void
fixture_setup (SimFixture   *f,
               gconstpointer data)
{
  sim_fixture_start (f, NULL);
}

static void
fixture_teardown (SimFixture   *f,
                  gconstpointer data)
{
  sim_fixture_stop (f);
  g_clear_object (&f->session);
}

static SimResponse *
pay (SimFixture *f,
     const char *payment_method,
     gint64      amount)
{
  g_autofree char *body = g_strdup_printf ("amount=%" G_GINT64_FORMAT "&currency=usd&payment_method=%s&confirm=true",
                                           amount, payment_method);
  return sim_post (f, "/v1/payment_intents", body);
}

typedef struct {
  const char *pm;
  const char *code;
  const char *decline_code;
} Decline;

static void
test_test_payment_methods (SimFixture   *f,
                           gconstpointer data)
{
  const char *ok[] = { "pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_visa_debit", NULL };
  const Decline declines[] = {
    { "pm_card_chargeDeclined", "card_declined", "generic_decline" },
    { "pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds" },
    { "pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card" },
    { "pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc" },
    { "pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error" },
    { "pm_card_chargeDeclinedLostCard", "card_declined", "lost_card" },
    { "pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card" },
  };

  for (guint i = 0; ok[i]; i++)
    {
      g_autoptr(SimResponse) r = pay (f, ok[i], 2000);
      g_autofree char *path = NULL;
      g_autoptr(SimResponse) ch = NULL;

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (sim_string (r, "status"), ==, "succeeded");
      g_assert_cmpint (sim_int (r, "amount_received"), ==, 2000);
      g_assert_true (g_str_has_prefix (sim_string (r, "payment_method"), "pm_"));
      g_assert_cmpstr (sim_string (r, "payment_method"), !=, ok[i]);
      path = g_strdup_printf ("/v1/charges/%s", sim_string (r, "latest_charge"));
      ch = sim_get (f, path);
      g_assert_cmpstr (sim_string (ch, "status"), ==, "succeeded");
      g_assert_true (json_object_get_boolean_member (sim_object (ch), "paid"));
      g_assert_cmpint (sim_int (ch, "amount_refunded"), ==, 0);
      g_assert_false (json_object_get_boolean_member (sim_object (ch), "refunded"));
      g_assert_nonnull (sim_string (ch, "receipt_url"));
      g_assert_cmpstr (sim_string (ch, "outcome.type"), ==, "authorized");
      g_assert_nonnull (sim_string (ch, "payment_method_details.card.brand"));
      g_assert_nonnull (sim_string (ch, "payment_method_details.card.funding"));
      g_assert_nonnull (sim_string (ch, "payment_method_details.card.country"));
      g_assert_cmpint (sim_int (ch, "payment_method_details.card.exp_year"), >, 2000);
    }

  for (guint i = 0; i < G_N_ELEMENTS (declines); i++)
    {
      g_autoptr(SimResponse) r = pay (f, declines[i].pm, 2000);
      g_autofree char *path = NULL;
      g_autoptr(SimResponse) pi = NULL;
      g_autoptr(SimResponse) ch = NULL;

      g_test_message ("%s", declines[i].pm);
      g_assert_cmpuint (r->status, ==, 402);
      g_assert_cmpstr (sim_string (r, "error.type"), ==, "card_error");
      g_assert_cmpstr (sim_string (r, "error.code"), ==, declines[i].code);
      g_assert_cmpstr (sim_string (r, "error.decline_code"), ==, declines[i].decline_code);
      g_assert_true (g_str_has_prefix (sim_string (r, "error.charge"), "ch_"));
      g_assert_cmpstr (sim_string (r, "error.payment_intent.status"), ==, "requires_payment_method");
      g_assert_cmpstr (sim_string (r, "error.payment_intent.last_payment_error.decline_code"), ==, declines[i].decline_code);
      g_assert_nonnull (sim_string (r, "error.message"));

      path = g_strdup_printf ("/v1/payment_intents/%s", sim_string (r, "error.payment_intent.id"));
      pi = sim_get (f, path);
      g_assert_cmpstr (sim_string (pi, "status"), ==, "requires_payment_method");
      g_assert_cmpstr (sim_string (pi, "last_payment_error.code"), ==, declines[i].code);
      g_free (path);
      path = g_strdup_printf ("/v1/charges/%s", sim_string (r, "error.charge"));
      ch = sim_get (f, path);
      g_assert_cmpstr (sim_string (ch, "status"), ==, "failed");
      g_assert_cmpstr (sim_string (ch, "failure_code"), ==, declines[i].code);
      g_assert_cmpstr (sim_string (ch, "outcome.reason"), ==, declines[i].decline_code);
    }
}

static void
test_confirm_flow (SimFixture   *f,
                   gconstpointer data)
{
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=3000&currency=usd&automatic_payment_methods[enabled]=true&description=Invoice+12");
  g_autofree char *confirm = g_strdup_printf ("/v1/payment_intents/%s/confirm", sim_string (pi, "id"));
  g_autofree char *cancel = g_strdup_printf ("/v1/payment_intents/%s/cancel", sim_string (pi, "id"));
  g_autoptr(SimResponse) declined = sim_post (f, confirm, "payment_method=pm_card_chargeDeclined");
  g_autoptr(SimResponse) ok = sim_post (f, confirm, "payment_method=pm_card_visa");
  g_autoptr(SimResponse) twice = sim_post (f, confirm, "payment_method=pm_card_visa");
  g_autoptr(SimResponse) late_cancel = sim_post (f, cancel, "");
  g_autoptr(SimResponse) pi2 = sim_post (f, "/v1/payment_intents", "amount=3000&currency=usd");
  g_autofree char *cancel2 = g_strdup_printf ("/v1/payment_intents/%s/cancel", sim_string (pi2, "id"));
  g_autoptr(SimResponse) canceled = sim_post (f, cancel2, "cancellation_reason=abandoned");

  g_assert_cmpstr (sim_string (pi, "status"), ==, "requires_payment_method");
  g_assert_true (g_str_has_prefix (sim_string (pi, "client_secret"), sim_string (pi, "id")));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (sim_object (pi), "automatic_payment_methods"), "enabled"));
  g_assert_cmpuint (declined->status, ==, 402);
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (sim_string (ok, "status"), ==, "succeeded");
  g_assert_null (sim_string (ok, "last_payment_error"));
  g_assert_cmpuint (twice->status, ==, 400);
  g_assert_cmpstr (sim_string (twice, "error.code"), ==, "payment_intent_unexpected_state");
  g_assert_cmpuint (late_cancel->status, ==, 400);
  g_assert_cmpuint (canceled->status, ==, 200);
  g_assert_cmpstr (sim_string (canceled, "status"), ==, "canceled");
  g_assert_cmpstr (sim_string (canceled, "cancellation_reason"), ==, "abandoned");
}

static void
test_three_d_secure (SimFixture   *f,
                     gconstpointer data)
{
  g_autoptr(SimResponse) pi = pay (f, "pm_card_authenticationRequired", 5000);
  g_autofree char *complete = NULL;
  g_autoptr(SimResponse) done = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SimResponse) after = NULL;
  g_autoptr(SimResponse) pi2 = NULL;
  g_autoptr(SimResponse) failed = NULL;
  g_autoptr(SimResponse) page = NULL;
  const char *json_accept[] = { "Accept", "application/json", NULL };

  g_assert_cmpuint (pi->status, ==, 200);
  g_assert_cmpstr (sim_string (pi, "status"), ==, "requires_action");
  g_assert_cmpstr (sim_string (pi, "next_action.type"), ==, "use_stripe_sdk");
  g_assert_nonnull (sim_string (pi, "next_action.use_stripe_sdk.stripe_js"));

  /* the challenge page renders with Complete and Fail */
  {
    g_autofree char *p = g_strdup_printf ("/3ds/%s?client_secret=%s", sim_string (pi, "id"), sim_string (pi, "client_secret"));
    page = sim_request_full (f, "GET", p, NULL, NULL, NULL);
    g_assert_cmpuint (page->status, ==, 200);
    g_assert_nonnull (strstr (page->body, "Complete"));
    g_assert_nonnull (strstr (page->body, "Fail"));
  }

  complete = g_strdup_printf ("/3ds/%s/complete", sim_string (pi, "id"));
  {
    g_autofree char *body = g_strdup_printf ("client_secret=%s", sim_string (pi, "client_secret"));
    done = sim_request_full (f, "POST", complete, NULL, body, json_accept);
  }
  g_assert_cmpuint (done->status, ==, 200);
  g_assert_cmpstr (sim_string (done, "status"), ==, "succeeded");
  path = g_strdup_printf ("/v1/payment_intents/%s?expand[]=latest_charge", sim_string (pi, "id"));
  after = sim_get (f, path);
  g_assert_cmpstr (sim_string (after, "status"), ==, "succeeded");
  g_assert_cmpstr (sim_string (after, "latest_charge.payment_method_details.card.three_d_secure.result"), ==, "authenticated");

  /* failing the challenge, with a return_url: redirect_to_url */
  pi2 = sim_post (f, "/v1/payment_intents",
                  "amount=5000&currency=usd&payment_method=pm_card_authenticationRequired&confirm=true&return_url=https%3A%2F%2Fexample.org%2Fdone");
  g_assert_cmpstr (sim_string (pi2, "next_action.type"), ==, "redirect_to_url");
  g_assert_cmpstr (sim_string (pi2, "next_action.redirect_to_url.return_url"), ==, "https://example.org/done");
  {
    g_autofree char *fail = g_strdup_printf ("/3ds/%s/fail", sim_string (pi2, "id"));
    g_autofree char *body = g_strdup_printf ("client_secret=%s", sim_string (pi2, "client_secret"));
    g_autofree char *p = g_strdup_printf ("/v1/payment_intents/%s", sim_string (pi2, "id"));
    g_autoptr(SimResponse) redirect = sim_request_full (f, "POST", fail, NULL, body, NULL);
    const char *location;

    g_assert_cmpuint (redirect->status, ==, 303);
    location = soup_message_headers_get_one (redirect->headers, "Location");
    g_assert_true (g_str_has_prefix (location, "https://example.org/done?payment_intent="));
    g_assert_nonnull (strstr (location, "redirect_status=failed"));
    failed = sim_get (f, p);
  }
  g_assert_cmpstr (sim_string (failed, "status"), ==, "requires_payment_method");
  g_assert_cmpstr (sim_string (failed, "last_payment_error.code"), ==, "payment_intent_authentication_failure");
}

static void
test_refunds (SimFixture   *f,
              gconstpointer data)
{
  g_autoptr(SimResponse) pi = pay (f, "pm_card_visa", 10000);
  const char *pi_id = sim_string (pi, "id");
  g_autofree char *b1 = g_strdup_printf ("payment_intent=%s&amount=3000&reason=requested_by_customer&metadata[invoice_id]=12", pi_id);
  g_autofree char *b2 = g_strdup_printf ("payment_intent=%s&amount=8000", pi_id);
  g_autofree char *b3 = g_strdup_printf ("charge=%s", sim_string (pi, "latest_charge"));
  g_autofree char *b4 = g_strdup_printf ("payment_intent=%s", pi_id);
  g_autoptr(SimResponse) partial = sim_post (f, "/v1/refunds", b1);
  g_autoptr(SimResponse) over = sim_post (f, "/v1/refunds", b2);
  g_autoptr(SimResponse) rest = sim_post (f, "/v1/refunds", b3);
  g_autoptr(SimResponse) again = sim_post (f, "/v1/refunds", b4);
  g_autofree char *chpath = g_strdup_printf ("/v1/charges/%s", sim_string (pi, "latest_charge"));
  g_autoptr(SimResponse) ch = sim_get (f, chpath);
  g_autofree char *lpath = g_strdup_printf ("/v1/refunds?payment_intent=%s", pi_id);
  g_autoptr(SimResponse) list = sim_get (f, lpath);
  g_autofree char *rpath = g_strdup_printf ("/v1/refunds/%s", sim_string (partial, "id"));
  g_autoptr(SimResponse) got = sim_get (f, rpath);
  g_autofree char *cpath = g_strdup_printf ("/v1/refunds/%s/cancel", sim_string (partial, "id"));
  g_autoptr(SimResponse) cancel = sim_post (f, cpath, "");
  g_autoptr(SimResponse) events = sim_get (f, "/v1/events?type=charge.refunded");

  g_assert_cmpuint (partial->status, ==, 200);
  g_assert_true (g_str_has_prefix (sim_string (partial, "id"), "re_"));
  g_assert_cmpint (sim_int (partial, "amount"), ==, 3000);
  g_assert_cmpstr (sim_string (partial, "status"), ==, "succeeded");
  g_assert_cmpstr (sim_string (partial, "payment_intent"), ==, pi_id);
  g_assert_cmpstr (sim_string (partial, "reason"), ==, "requested_by_customer");
  g_assert_cmpstr (sim_string (partial, "metadata.invoice_id"), ==, "12");

  g_assert_cmpuint (over->status, ==, 400);
  g_assert_cmpstr (sim_string (over, "error.param"), ==, "amount");
  g_assert_cmpstr (sim_string (over, "error.code"), ==, "amount_too_large");

  g_assert_cmpuint (rest->status, ==, 200);
  g_assert_cmpint (sim_int (rest, "amount"), ==, 7000);
  g_assert_cmpuint (again->status, ==, 400);
  g_assert_cmpstr (sim_string (again, "error.code"), ==, "charge_already_refunded");

  g_assert_cmpint (sim_int (ch, "amount_refunded"), ==, 10000);
  g_assert_true (json_object_get_boolean_member (sim_object (ch), "refunded"));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (list), "data")), ==, 2);
  g_assert_cmpstr (sim_string (list, "data.0.id"), ==, sim_string (rest, "id"));
  g_assert_cmpstr (sim_string (got, "id"), ==, sim_string (partial, "id"));
  g_assert_cmpuint (cancel->status, ==, 400);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (events), "data")), ==, 2);
}

typedef struct {
  SimFixture *f;
  const char *path;
  const char *member;
  const char *value;
} Poll;

static gboolean
poll_done (gpointer data)
{
  Poll *p = data;
  g_autoptr(SimResponse) r = sim_get (p->f, p->path);

  return g_strcmp0 (sim_string (r, p->member), p->value) == 0;
}

static void
test_refund_fails_later (SimFixture   *f,
                         gconstpointer data)
{
  g_autoptr(SimResponse) pi = pay (f, "pm_card_refundFail", 4000);
  g_autofree char *body = g_strdup_printf ("payment_intent=%s", sim_string (pi, "id"));
  g_autoptr(SimResponse) re = sim_post (f, "/v1/refunds", body);
  g_autofree char *path = g_strdup_printf ("/v1/refunds/%s", sim_string (re, "id"));
  Poll p = { f, path, "status", "failed" };
  g_autoptr(SimResponse) after = NULL;
  g_autoptr(SimResponse) ev1 = NULL;
  g_autoptr(SimResponse) ev2 = NULL;

  g_assert_cmpstr (sim_string (pi, "status"), ==, "succeeded");
  g_assert_cmpuint (re->status, ==, 200);
  g_assert_true (sim_wait_until (poll_done, &p, 10000));
  after = sim_get (f, path);
  g_assert_cmpstr (sim_string (after, "failure_reason"), ==, "expired_or_canceled_card");
  ev1 = sim_get (f, "/v1/events?type=refund.updated");
  ev2 = sim_get (f, "/v1/events?type=charge.refund.updated");
  g_assert_cmpstr (sim_string (ev1, "data.0.data.object.status"), ==, "failed");
  g_assert_cmpstr (sim_string (ev1, "data.0.data.previous_attributes.status"), ==, "succeeded");
  g_assert_cmpstr (sim_string (ev2, "data.0.data.object.id"), ==, sim_string (re, "id"));
}

static void
test_dispute (SimFixture   *f,
              gconstpointer data)
{
  g_autoptr(SimResponse) pi = pay (f, "pm_card_createDispute", 4000);
  g_autofree char *path = g_strdup_printf ("/v1/charges/%s", sim_string (pi, "latest_charge"));
  Poll p = { f, "/v1/events?type=charge.dispute.created", "data.0.data.object.charge", NULL };
  g_autoptr(SimResponse) ev = NULL;
  g_autoptr(SimResponse) ch = NULL;

  p.value = sim_string (pi, "latest_charge");
  g_assert_cmpstr (sim_string (pi, "status"), ==, "succeeded");
  g_assert_true (sim_wait_until (poll_done, &p, 10000));
  ev = sim_get (f, "/v1/events?type=charge.dispute.created");
  g_assert_true (g_str_has_prefix (sim_string (ev, "data.0.data.object.id"), "dp_"));
  g_assert_cmpstr (sim_string (ev, "data.0.data.object.object"), ==, "dispute");
  ch = sim_get (f, path);
  g_assert_true (json_object_get_boolean_member (sim_object (ch), "disputed"));
}

static void
test_payment_methods_and_pk (SimFixture   *f,
                             gconstpointer data)
{
  const char *pk = "pk_test_simtests";
  g_autoptr(SimResponse) bad = sim_request_full (f, "POST", "/v1/payment_methods", pk,
                                                 "type=card&card[number]=4242424242424241&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123", NULL);
  g_autoptr(SimResponse) expired = sim_request_full (f, "POST", "/v1/payment_methods", pk,
                                                     "type=card&card[number]=4242424242424242&card[exp_month]=1&card[exp_year]=2001&card[cvc]=123", NULL);
  g_autoptr(SimResponse) pm = sim_request_full (f, "POST", "/v1/payment_methods", pk,
                                                "type=card&card[number]=4000000000009995&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123"
                                                "&billing_details[address][postal_code]=94110", NULL);
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=2000&currency=usd&metadata[invoice_id]=3");
  g_autofree char *get = g_strdup_printf ("/v1/payment_intents/%s?client_secret=%s", sim_string (pi, "id"), sim_string (pi, "client_secret"));
  g_autofree char *get_bad = g_strdup_printf ("/v1/payment_intents/%s?client_secret=wrong", sim_string (pi, "id"));
  g_autofree char *confirm = g_strdup_printf ("/v1/payment_intents/%s/confirm", sim_string (pi, "id"));
  g_autofree char *cbody = g_strdup_printf ("payment_method=%s&client_secret=%s", sim_string (pm, "id"), sim_string (pi, "client_secret"));
  g_autoptr(SimResponse) got = sim_request_full (f, "GET", get, pk, NULL, NULL);
  g_autoptr(SimResponse) got_bad = sim_request_full (f, "GET", get_bad, pk, NULL, NULL);
  g_autoptr(SimResponse) list = sim_request_full (f, "GET", "/v1/payment_intents", pk, NULL, NULL);
  g_autoptr(SimResponse) declined = sim_request_full (f, "POST", confirm, pk, cbody, NULL);
  g_autoptr(SimResponse) pm2 = sim_request_full (f, "POST", "/v1/payment_methods", pk,
                                                 "type=card&card[number]=4242+4242+4242+4242&card[exp_month]=12&card[exp_year]=40&card[cvc]=123", NULL);
  g_autofree char *cbody2 = g_strdup_printf ("payment_method=%s&client_secret=%s", sim_string (pm2, "id"), sim_string (pi, "client_secret"));
  g_autoptr(SimResponse) ok = sim_request_full (f, "POST", confirm, pk, cbody2, NULL);

  g_assert_cmpuint (bad->status, ==, 402);
  g_assert_cmpstr (sim_string (bad, "error.type"), ==, "card_error");
  g_assert_cmpstr (sim_string (bad, "error.code"), ==, "incorrect_number");
  g_assert_cmpuint (expired->status, ==, 402);
  g_assert_cmpstr (sim_string (expired, "error.code"), ==, "invalid_expiry_year");
  g_assert_cmpuint (pm->status, ==, 200);
  g_assert_cmpstr (sim_string (pm, "card.last4"), ==, "9995");
  g_assert_cmpstr (sim_string (pm, "card.brand"), ==, "visa");
  g_assert_cmpstr (sim_string (pm, "billing_details.address.postal_code"), ==, "94110");

  g_assert_cmpuint (got->status, ==, 200);
  g_assert_cmpstr (sim_string (got, "status"), ==, "requires_payment_method");
  g_assert_false (json_object_has_member (sim_object (got), "metadata"));   /* as with a publishable key */
  g_assert_cmpuint (got_bad->status, ==, 400);
  g_assert_cmpuint (list->status, ==, 401);

  g_assert_cmpuint (declined->status, ==, 402);
  g_assert_cmpstr (sim_string (declined, "error.decline_code"), ==, "insufficient_funds");
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (sim_string (ok, "status"), ==, "succeeded");
}

/* ------------------------------------------------------------------ */
/* webhooks                                                            */

typedef struct {
  GPtrArray *bodies;
  GPtrArray *signatures;
  guint      fail_first;   /* answer 500 this many times */
  guint      calls;
} Receiver;

static void
receiver_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           data)
{
  Receiver *r = data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *sig = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Stripe-Signature");

  r->calls++;
  if (r->calls <= r->fail_first)
    {
      soup_server_message_set_status (msg, 500, NULL);
      return;
    }
  g_ptr_array_add (r->bodies, g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));
  g_ptr_array_add (r->signatures, g_strdup (sig));
  soup_server_message_set_status (msg, 200, NULL);
}

static gboolean
received_four (gpointer data)
{
  return ((Receiver *) data)->bodies->len >= 4;
}

static void
test_webhooks (void)
{
  const char *secret = "whsec_test_secret_123";
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  Receiver r = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free), 2, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  SimFixture f = { 0 };

  soup_server_add_handler (server, "/hook", receiver_cb, &r, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  sim_fixture_start (&f, "--webhook-url", url, "--webhook-secret", secret, NULL);
  {
    g_autoptr(SimResponse) c = sim_post (&f, "/v1/customers", "name=Hook");
    g_autoptr(SimResponse) pi = pay (&f, "pm_card_visa", 1234);
    g_assert_cmpuint (c->status, ==, 200);
    g_assert_cmpuint (pi->status, ==, 200);
  }
  g_assert_true (sim_wait_until (received_four, &r, 20000));
  g_assert_cmpuint (r.calls, >=, 6);   /* two failed attempts were retried */

  for (guint i = 0; i < r.bodies->len; i++)
    {
      const char *body = g_ptr_array_index (r.bodies, i);
      const char *sig = g_ptr_array_index (r.signatures, i);
      g_auto(GStrv) parts = g_strsplit (sig, ",", -1);
      const char *t = NULL, *v1 = NULL;
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
      g_autofree char *signed_payload = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *expected_types[] = { "customer.created", "payment_intent.created", "charge.succeeded", "payment_intent.succeeded" };

      for (guint k = 0; parts[k]; k++)
        {
          if (g_str_has_prefix (parts[k], "t="))
            t = parts[k] + 2;
          else if (g_str_has_prefix (parts[k], "v1="))
            v1 = parts[k] + 3;
        }
      g_assert_nonnull (t);
      g_assert_nonnull (v1);
      g_assert_cmpint (ABS (g_ascii_strtoll (t, NULL, 10) - g_get_real_time () / G_USEC_PER_SEC), <, 300);
      signed_payload = g_strdup_printf ("%s.%s", t, body);
      g_hmac_update (hmac, (const guchar *) signed_payload, strlen (signed_payload));
      g_assert_cmpstr (g_hmac_get_string (hmac), ==, v1);

      /* in order */
      g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "type"), ==,
                       expected_types[i]);
    }
  sim_fixture_stop (&f);
  g_clear_object (&f.session);
  g_ptr_array_unref (r.bodies);
  g_ptr_array_unref (r.signatures);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/carepay/sim-payments/" name, SimFixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("test-payment-methods", test_test_payment_methods);
  ADD ("confirm-flow", test_confirm_flow);
  ADD ("three-d-secure", test_three_d_secure);
  ADD ("refunds", test_refunds);
  ADD ("refund-fails-later", test_refund_fails_later);
  ADD ("dispute", test_dispute);
  ADD ("payment-methods-and-publishable-key", test_payment_methods_and_pk);
#undef ADD
  g_test_add_func ("/carepay/sim-payments/webhooks", test_webhooks);

  return g_test_run ();
}
