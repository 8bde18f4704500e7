/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepay-stripe-sim over raw HTTP: auth, objects, lists, search,
 * idempotency, faults, events, persistence, fixture shapes. */
#include <string.h>
#include <glib/gstdio.h>

#include "cp-sim-state.h"
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

static void
test_auth (SimFixture   *f,
           gconstpointer data)
{
  g_autoptr(SimResponse) none = sim_request_full (f, "GET", "/v1/customers", NULL, NULL, NULL);
  g_autoptr(SimResponse) live = sim_request_full (f, "GET", "/v1/customers", "sk_live_abcdefghijklmnopqrstuvwxyz1234", NULL, NULL);
  g_autoptr(SimResponse) pk = sim_request_full (f, "GET", "/v1/customers", "pk_test_abcdef", NULL, NULL);
  g_autoptr(SimResponse) ok = sim_get (f, "/v1/customers");
  const char *basic_headers[] = { "Authorization", NULL, NULL };
  g_autofree char *cred = g_base64_encode ((const guchar *) SIM_KEY ":", strlen (SIM_KEY) + 1);
  g_autofree char *basic = g_strdup_printf ("Basic %s", cred);
  g_autoptr(SimResponse) b = NULL;

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpstr (sim_string (none, "error.type"), ==, "invalid_request_error");
  g_assert_cmpuint (live->status, ==, 401);
  g_assert_cmpstr (sim_string (live, "error.type"), ==, "invalid_request_error");
  g_assert_true (g_str_has_prefix (sim_string (live, "error.message"), "Invalid API Key provided: sk_live_***"));
  g_assert_true (g_str_has_suffix (sim_string (live, "error.message"), "1234"));
  g_assert_null (strstr (sim_string (live, "error.message"), "abcdefghijklmnop"));
  g_assert_cmpuint (pk->status, ==, 401);
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (ok->headers, "Request-Id"), "req_"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (live->headers, "Request-Id"), "req_"));

  basic_headers[1] = basic;
  b = sim_request_full (f, "GET", "/v1/customers", NULL, NULL, basic_headers);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpstr (sim_string (b, "object"), ==, "list");
}

static void
test_customers (SimFixture   *f,
                gconstpointer data)
{
  g_autoptr(SimResponse) c = sim_post (f, "/v1/customers", "name=Ann+Lee&email=ann%40example.org&metadata[patient_id]=42");
  g_autoptr(SimResponse) other = sim_post (f, "/v1/customers", "name=Bob&metadata[patient_id]=7");
  g_autofree char *path = NULL;
  g_autoptr(SimResponse) got = NULL;
  g_autoptr(SimResponse) upd = NULL;
  g_autoptr(SimResponse) found = NULL;
  g_autoptr(SimResponse) missing = NULL;

  g_assert_cmpuint (c->status, ==, 200);
  g_assert_cmpstr (sim_string (c, "object"), ==, "customer");
  g_assert_true (g_str_has_prefix (sim_string (c, "id"), "cus_"));
  g_assert_cmpstr (sim_string (c, "name"), ==, "Ann Lee");
  g_assert_cmpstr (sim_string (c, "email"), ==, "ann@example.org");
  g_assert_cmpstr (sim_string (c, "metadata.patient_id"), ==, "42");

  path = g_strdup_printf ("/v1/customers/%s", sim_string (c, "id"));
  got = sim_get (f, path);
  g_assert_cmpuint (got->status, ==, 200);
  g_assert_cmpstr (sim_string (got, "id"), ==, sim_string (c, "id"));

  upd = sim_post (f, path, "phone=%2B15555550100&metadata[mrn]=A-1");
  g_assert_cmpuint (upd->status, ==, 200);
  g_assert_cmpstr (sim_string (upd, "phone"), ==, "+15555550100");
  g_assert_cmpstr (sim_string (upd, "metadata.mrn"), ==, "A-1");
  g_assert_cmpstr (sim_string (upd, "metadata.patient_id"), ==, "42");

  found = sim_get (f, "/v1/customers/search?query=metadata%5B%27patient_id%27%5D%3A%2742%27");
  g_assert_cmpuint (found->status, ==, 200);
  g_assert_cmpstr (sim_string (found, "object"), ==, "search_result");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (found), "data")), ==, 1);
  g_assert_cmpstr (sim_string (found, "data.0.id"), ==, sim_string (c, "id"));
  g_assert_false (json_object_get_boolean_member (sim_object (found), "has_more"));
  g_assert_true (json_object_get_null_member (sim_object (found), "next_page"));
  g_assert_cmpstr (sim_string (found, "url"), ==, "/v1/customers/search");

  missing = sim_get (f, "/v1/customers/cus_nope");
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (sim_string (missing, "error.code"), ==, "resource_missing");
  g_assert_cmpstr (sim_string (missing, "error.message"), ==, "No such customer: 'cus_nope'");
}

static void
test_errors (SimFixture   *f,
             gconstpointer data)
{
  g_autoptr(SimResponse) unknown = sim_post (f, "/v1/payment_intents", "amount=1000&currency=usd&colour=blue");
  g_autoptr(SimResponse) missing = sim_post (f, "/v1/payment_intents", "currency=usd");
  g_autoptr(SimResponse) nopi = sim_get (f, "/v1/payment_intents/pi_x");
  g_autoptr(SimResponse) nourl = sim_get (f, "/v1/nothing_here");
  g_autoptr(SimResponse) small = sim_post (f, "/v1/payment_intents", "amount=10&currency=usd");
  g_autoptr(SimResponse) badint = sim_post (f, "/v1/payment_intents", "amount=ten&currency=usd");

  g_assert_cmpuint (unknown->status, ==, 400);
  g_assert_cmpstr (sim_string (unknown, "error.type"), ==, "invalid_request_error");
  g_assert_cmpstr (sim_string (unknown, "error.param"), ==, "colour");
  g_assert_cmpstr (sim_string (unknown, "error.message"), ==, "Received unknown parameter: colour");
  g_assert_cmpuint (missing->status, ==, 400);
  g_assert_cmpstr (sim_string (missing, "error.param"), ==, "amount");
  g_assert_cmpstr (sim_string (missing, "error.code"), ==, "parameter_missing");
  g_assert_cmpuint (nopi->status, ==, 404);
  g_assert_cmpstr (sim_string (nopi, "error.message"), ==, "No such payment_intent: 'pi_x'");
  g_assert_cmpuint (nourl->status, ==, 404);
  g_assert_cmpuint (small->status, ==, 400);
  g_assert_cmpstr (sim_string (small, "error.code"), ==, "amount_too_small");
  g_assert_cmpuint (badint->status, ==, 400);
  g_assert_cmpstr (sim_string (badint, "error.param"), ==, "amount");
}

static void
test_list_paging (SimFixture   *f,
                  gconstpointer data)
{
  char *ids[7];
  g_autoptr(SimResponse) first = NULL;
  g_autoptr(SimResponse) second = NULL;
  g_autoptr(SimResponse) back = NULL;
  g_autoptr(SimResponse) all = NULL;
  g_autoptr(SimResponse) bad = NULL;
  g_autofree char *p2 = NULL;
  g_autofree char *p3 = NULL;
  g_autoptr(SimResponse) cus = sim_post (f, "/v1/customers", "name=Pager");
  g_autofree char *p4 = NULL;
  g_autoptr(SimResponse) filtered = NULL;

  for (int i = 0; i < 7; i++)
    {
      g_autofree char *body = g_strdup_printf ("amount=%d&currency=usd%s%s", 1000 + i,
                                               i % 2 == 0 ? "&customer=" : "", i % 2 == 0 ? sim_string (cus, "id") : "");
      g_autoptr(SimResponse) r = sim_post (f, "/v1/payment_intents", body);
      g_assert_cmpuint (r->status, ==, 200);
      ids[i] = g_strdup (sim_string (r, "id"));
    }

  /* newest first, limit 3 */
  first = sim_get (f, "/v1/payment_intents?limit=3");
  g_assert_cmpstr (sim_string (first, "object"), ==, "list");
  g_assert_cmpstr (sim_string (first, "url"), ==, "/v1/payment_intents");
  g_assert_true (json_object_get_boolean_member (sim_object (first), "has_more"));
  g_assert_cmpstr (sim_string (first, "data.0.id"), ==, ids[6]);
  g_assert_cmpstr (sim_string (first, "data.2.id"), ==, ids[4]);

  p2 = g_strdup_printf ("/v1/payment_intents?limit=3&starting_after=%s", ids[4]);
  second = sim_get (f, p2);
  g_assert_cmpstr (sim_string (second, "data.0.id"), ==, ids[3]);
  g_assert_cmpstr (sim_string (second, "data.2.id"), ==, ids[1]);
  g_assert_true (json_object_get_boolean_member (sim_object (second), "has_more"));

  /* ending_before gives the page just newer than the cursor, newest first */
  p3 = g_strdup_printf ("/v1/payment_intents?limit=2&ending_before=%s", ids[1]);
  back = sim_get (f, p3);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (back), "data")), ==, 2);
  g_assert_cmpstr (sim_string (back, "data.0.id"), ==, ids[3]);
  g_assert_cmpstr (sim_string (back, "data.1.id"), ==, ids[2]);
  g_assert_true (json_object_get_boolean_member (sim_object (back), "has_more"));

  all = sim_get (f, "/v1/payment_intents?limit=100");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (all), "data")), ==, 7);
  g_assert_false (json_object_get_boolean_member (sim_object (all), "has_more"));

  bad = sim_get (f, "/v1/payment_intents?limit=101");
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpstr (sim_string (bad, "error.param"), ==, "limit");

  p4 = g_strdup_printf ("/v1/payment_intents?customer=%s", sim_string (cus, "id"));
  filtered = sim_get (f, p4);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (filtered), "data")), ==, 4);

  for (int i = 0; i < 7; i++)
    g_free (ids[i]);
}

static void
test_search_payment_intents (SimFixture   *f,
                             gconstpointer data)
{
  g_autoptr(SimResponse) a = sim_post (f, "/v1/payment_intents", "amount=1200&currency=usd&metadata[invoice_id]=12");
  g_autoptr(SimResponse) b = sim_post (f, "/v1/payment_intents", "amount=1300&currency=usd&metadata[invoice_id]=13");
  g_autoptr(SimResponse) c = sim_post (f, "/v1/payment_intents", "amount=1400&currency=usd&metadata[invoice_id]=12");
  g_autoptr(SimResponse) s = sim_get (f, "/v1/payment_intents/search?query=metadata%5B%27invoice_id%27%5D%3A%2712%27&limit=1");
  g_autofree char *next = NULL;
  g_autoptr(SimResponse) s2 = NULL;
  g_autoptr(SimResponse) bad = sim_get (f, "/v1/payment_intents/search?query=bogus");

  g_assert_cmpuint (s->status, ==, 200);
  g_assert_cmpstr (sim_string (s, "object"), ==, "search_result");
  g_assert_cmpstr (sim_string (s, "url"), ==, "/v1/payment_intents/search");
  g_assert_cmpstr (sim_string (s, "data.0.id"), ==, sim_string (c, "id"));
  g_assert_true (json_object_get_boolean_member (sim_object (s), "has_more"));
  g_assert_nonnull (sim_string (s, "next_page"));
  next = g_strdup_printf ("/v1/payment_intents/search?query=metadata%%5B%%27invoice_id%%27%%5D%%3A%%2712%%27&limit=1&page=%s",
                          sim_string (s, "next_page"));
  s2 = sim_get (f, next);
  g_assert_cmpstr (sim_string (s2, "data.0.id"), ==, sim_string (a, "id"));
  g_assert_false (json_object_get_boolean_member (sim_object (s2), "has_more"));
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpstr (sim_string (bad, "error.param"), ==, "query");
  (void) b;
}

static void
test_idempotency (SimFixture   *f,
                  gconstpointer data)
{
  const char *h1[] = { "Idempotency-Key", "key-one", NULL };
  g_autoptr(SimResponse) first = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY, "amount=2500&currency=usd", h1);
  g_autoptr(SimResponse) again = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY, "amount=2500&currency=usd", h1);
  g_autoptr(SimResponse) other = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY, "amount=2600&currency=usd", h1);
  g_autoptr(SimResponse) list = sim_get (f, "/v1/payment_intents");

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (first->headers, "Idempotent-Replayed"));
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (sim_string (again, "id"), ==, sim_string (first, "id"));
  g_assert_cmpstr (soup_message_headers_get_one (again->headers, "Idempotent-Replayed"), ==, "true");
  g_assert_cmpstr (again->body, ==, first->body);
  g_assert_cmpuint (other->status, ==, 400);
  g_assert_cmpstr (sim_string (other, "error.type"), ==, "idempotency_error");
  g_assert_true (g_str_has_prefix (sim_string (other, "error.message"),
                                   "Keys for idempotent requests can only be used with the same parameters they were first used with"));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (list), "data")), ==, 1);
}

static void
test_drop_after_commit (SimFixture   *f,
                        gconstpointer data)
{
  const char *h[] = { "Idempotency-Key", "drop-key", "X-Sim-Fault", "drop-after-commit", NULL };
  const char *h2[] = { "Idempotency-Key", "drop-key", NULL };
  const char *h3[] = { "Idempotency-Key", "queued-key", NULL };
  g_autoptr(SimResponse) dropped = NULL;
  g_autoptr(SimResponse) retry = NULL;
  g_autoptr(SimResponse) charges = NULL;
  g_autoptr(SimResponse) fault = NULL;
  g_autoptr(SimResponse) dropped2 = NULL;
  g_autoptr(SimResponse) retry2 = NULL;
  g_autoptr(SimResponse) pis = NULL;

  dropped = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY,
                              "amount=4200&currency=usd&payment_method=pm_card_visa&confirm=true", h);
  g_assert_nonnull (dropped->error);   /* the connection closed without an answer */
  g_assert_cmpuint (dropped->status, ==, 0);

  retry = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY,
                            "amount=4200&currency=usd&payment_method=pm_card_visa&confirm=true", h2);
  g_assert_cmpuint (retry->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (retry->headers, "Idempotent-Replayed"), ==, "true");
  g_assert_cmpstr (sim_string (retry, "status"), ==, "succeeded");

  charges = sim_get (f, "/v1/charges");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (charges), "data")), ==, 1);
  g_assert_cmpstr (sim_string (charges, "data.0.payment_intent"), ==, sim_string (retry, "id"));

  /* the control endpoint queues the same fault for the next matching request */
  fault = sim_request_full (f, "POST", "/_sim/faults", NULL, "next=drop-after-commit&count=1&path=/v1/payment_intents", NULL);
  g_assert_cmpuint (fault->status, ==, 200);
  dropped2 = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY, "amount=999&currency=usd", h3);
  g_assert_nonnull (dropped2->error);
  retry2 = sim_request_full (f, "POST", "/v1/payment_intents", SIM_KEY, "amount=999&currency=usd", h3);
  g_assert_cmpuint (retry2->status, ==, 200);
  pis = sim_get (f, "/v1/payment_intents");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (pis), "data")), ==, 2);
}

static void
test_status_faults (SimFixture   *f,
                    gconstpointer data)
{
  const char *h500[] = { "X-Sim-Fault", "status=500", "Idempotency-Key", "k500", NULL };
  const char *h429[] = { "X-Sim-Fault", "status=429", NULL };
  const char *hk[] = { "Idempotency-Key", "k500", NULL };
  g_autoptr(SimResponse) r500 = sim_request_full (f, "POST", "/v1/customers", SIM_KEY, "name=X", h500);
  g_autoptr(SimResponse) r429 = sim_request_full (f, "GET", "/v1/customers", SIM_KEY, NULL, h429);
  g_autoptr(SimResponse) after = sim_request_full (f, "POST", "/v1/customers", SIM_KEY, "name=X", hk);
  const char *hd[] = { "X-Sim-Fault", "delay=50", NULL };
  g_autoptr(SimResponse) delayed = sim_request_full (f, "GET", "/v1/customers", SIM_KEY, NULL, hd);

  g_assert_cmpuint (r500->status, ==, 500);
  g_assert_cmpstr (sim_string (r500, "error.type"), ==, "api_error");
  g_assert_cmpstr (soup_message_headers_get_one (r500->headers, "Stripe-Should-Retry"), ==, "true");
  g_assert_cmpuint (r429->status, ==, 429);
  g_assert_cmpstr (sim_string (r429, "error.code"), ==, "rate_limit");
  /* nothing was executed or stored under the key by the failed attempt */
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (after->headers, "Idempotent-Replayed"));
  g_assert_cmpuint (delayed->status, ==, 200);
}

static void
test_events (SimFixture   *f,
             gconstpointer data)
{
  g_autoptr(SimResponse) c = sim_post (f, "/v1/customers", "name=Eve");
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true");
  g_autoptr(SimResponse) events = sim_get (f, "/v1/events");
  g_autoptr(SimResponse) typed = sim_get (f, "/v1/events?type=payment_intent.succeeded");
  g_autoptr(SimResponse) types = sim_get (f, "/v1/events?types[]=customer.created&types[]=charge.succeeded");
  g_autoptr(SimResponse) wildcard = sim_get (f, "/v1/events?type=payment_intent.*");
  g_autofree char *path = NULL;
  g_autoptr(SimResponse) one = NULL;
  JsonArray *data_arr;

  data_arr = json_object_get_array_member (sim_object (events), "data");
  g_assert_cmpint (json_array_get_length (data_arr), ==, 4);
  g_assert_cmpstr (sim_string (events, "data.0.type"), ==, "payment_intent.succeeded");
  g_assert_cmpstr (sim_string (events, "data.1.type"), ==, "charge.succeeded");
  g_assert_cmpstr (sim_string (events, "data.2.type"), ==, "payment_intent.created");
  g_assert_cmpstr (sim_string (events, "data.3.type"), ==, "customer.created");
  g_assert_cmpstr (sim_string (events, "data.3.data.object.id"), ==, sim_string (c, "id"));
  g_assert_cmpstr (sim_string (events, "data.0.data.object.id"), ==, sim_string (pi, "id"));
  g_assert_true (g_str_has_prefix (sim_string (events, "data.0.id"), "evt_"));
  g_assert_true (g_str_has_prefix (sim_string (events, "data.0.request.id"), "req_"));

  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (typed), "data")), ==, 1);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (types), "data")), ==, 2);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (wildcard), "data")), ==, 2);

  path = g_strdup_printf ("/v1/events/%s", sim_string (events, "data.1.id"));
  one = sim_get (f, path);
  g_assert_cmpstr (sim_string (one, "type"), ==, "charge.succeeded");
  g_assert_cmpstr (sim_string (one, "object"), ==, "event");
}

static void
test_expand (SimFixture   *f,
             gconstpointer data)
{
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true");
  g_autofree char *path = g_strdup_printf ("/v1/payment_intents/%s?expand[]=latest_charge", sim_string (pi, "id"));
  g_autoptr(SimResponse) got = sim_get (f, path);
  g_autoptr(SimResponse) list = sim_get (f, "/v1/payment_intents?expand[]=data.latest_charge");
  g_autoptr(SimResponse) bad = sim_get (f, "/v1/payment_intents?expand[]=data.nothing");

  g_assert_cmpstr (sim_string (pi, "latest_charge"), !=, NULL);
  g_assert_cmpstr (sim_string (got, "latest_charge.object"), ==, "charge");
  g_assert_cmpstr (sim_string (got, "latest_charge.payment_method_details.card.brand"), ==, "visa");
  g_assert_cmpstr (sim_string (got, "latest_charge.payment_method_details.card.last4"), ==, "4242");
  g_assert_cmpstr (sim_string (list, "data.0.latest_charge.object"), ==, "charge");
  g_assert_cmpuint (bad->status, ==, 400);
}

static void
test_update_payment_intent (SimFixture   *f,
                            gconstpointer data)
{
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=1000&currency=usd&metadata[invoice_id]=5&metadata[note]=x");
  g_autofree char *path = g_strdup_printf ("/v1/payment_intents/%s", sim_string (pi, "id"));
  g_autoptr(SimResponse) upd = sim_post (f, path, "amount=1500&description=Invoice+5&metadata[note]=");
  g_autoptr(SimResponse) ev = sim_get (f, "/v1/events?type=payment_intent.updated");
  g_autofree char *confirm = g_strdup_printf ("/v1/payment_intents/%s/confirm", sim_string (pi, "id"));
  g_autoptr(SimResponse) paid = sim_post (f, confirm, "payment_method=pm_card_visa");
  g_autoptr(SimResponse) late = sim_post (f, path, "amount=2000");
  g_autoptr(SimResponse) meta = sim_post (f, path, "metadata[reconciled]=yes");
  g_autoptr(SimResponse) newer = sim_get (f, "/v1/payment_intents?created[gte]=1");
  g_autoptr(SimResponse) future = sim_get (f, "/v1/payment_intents?created[gt]=99999999999");

  g_assert_cmpuint (upd->status, ==, 200);
  g_assert_cmpint (sim_int (upd, "amount"), ==, 1500);
  g_assert_cmpstr (sim_string (upd, "description"), ==, "Invoice 5");
  g_assert_cmpstr (sim_string (upd, "metadata.invoice_id"), ==, "5");
  g_assert_null (sim_string (upd, "metadata.note"));
  g_assert_cmpint (sim_int (ev, "data.0.data.previous_attributes.amount"), ==, 1000);
  g_assert_cmpint (sim_int (paid, "amount_received"), ==, 1500);
  g_assert_cmpuint (late->status, ==, 400);
  g_assert_cmpstr (sim_string (late, "error.code"), ==, "payment_intent_unexpected_state");
  g_assert_cmpuint (meta->status, ==, 200);
  g_assert_cmpstr (sim_string (meta, "metadata.reconciled"), ==, "yes");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (newer), "data")), ==, 1);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (future), "data")), ==, 0);
}

static void
test_state_persists (void)
{
  SimFixture f = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("carepay-sim-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "state.json", NULL);
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  const char *h[] = { "Idempotency-Key", "persisted-key", NULL };

  sim_fixture_start (&f, "--state", file, NULL);
  {
    g_autoptr(SimResponse) c = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, "name=Kept&metadata[patient_id]=9", h);
    g_assert_cmpuint (c->status, ==, 200);
    id = g_strdup (sim_string (c, "id"));
  }
  sim_fixture_stop (&f);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));

  sim_fixture_start (&f, "--state", file, NULL);
  path = g_strdup_printf ("/v1/customers/%s", id);
  {
    g_autoptr(SimResponse) got = sim_get (&f, path);
    g_autoptr(SimResponse) replay = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, "name=Kept&metadata[patient_id]=9", h);
    g_autoptr(SimResponse) events = sim_get (&f, "/v1/events?type=customer.created");

    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpstr (sim_string (got, "name"), ==, "Kept");
    g_assert_cmpstr (sim_string (replay, "id"), ==, id);
    g_assert_cmpstr (soup_message_headers_get_one (replay->headers, "Idempotent-Replayed"), ==, "true");
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (events), "data")), ==, 1);
  }
  sim_fixture_stop (&f);
  g_clear_object (&f.session);
  g_unlink (file);
  g_rmdir (dir);
}

/* Idempotency keys live 24 hours. The state file is the clock: keys are
 * aged by rewriting their "created" between two runs of the simulator. */
static void
age_keys (const char *file,
          guint       n_extra)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonObject *idem;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_parser_load_from_file (parser, file, &error);
  g_assert_no_error (error);
  idem = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "idempotency");
  json_object_set_int_member (json_object_get_object_member (idem, "old-key"), "created", now - 24 * 3600 - 60);
  json_object_set_int_member (json_object_get_object_member (idem, "young-key"), "created", now - 24 * 3600 + 600);
  /* Many more keys, stale and fresh, interleaved in the file */
  for (guint i = 0; i < n_extra; i++)
    {
      JsonObject *e = json_object_new ();
      g_autofree char *key = g_strdup_printf ("%s-%u", i % 2 ? "fresh" : "stale", i);

      json_object_set_string_member (e, "fingerprint", "POST /v1/customers name=Other");
      json_object_set_string_member (e, "request_id", "req_test");
      json_object_set_int_member (e, "status", 200);
      json_object_set_string_member (e, "body", "{}");
      json_object_set_int_member (e, "created", i % 2 ? now - (gint64) i : now - 25 * 3600 - (gint64) i);
      json_object_set_object_member (idem, key, e);
    }
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_to_file (gen, file, &error);
  g_assert_no_error (error);
}

static void
test_idempotency_expiry (void)
{
  SimFixture f = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("carepay-sim-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "state.json", NULL);
  g_autofree char *old_id = NULL, *young_id = NULL;
  const char *h_old[] = { "Idempotency-Key", "old-key", NULL };
  const char *h_young[] = { "Idempotency-Key", "young-key", NULL };
  const char *h_fresh[] = { "Idempotency-Key", "fresh-1", NULL };
  const char *h_stale[] = { "Idempotency-Key", "stale-0", NULL };
  const char *body = "name=Aged&metadata[patient_id]=3";
  guint n_extra = 4000;

  sim_fixture_start (&f, "--state", file, NULL);
  {
    g_autoptr(SimResponse) a = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_old);
    g_autoptr(SimResponse) b = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_young);

    g_assert_cmpuint (a->status, ==, 200);
    g_assert_cmpuint (b->status, ==, 200);
    old_id = g_strdup (sim_string (a, "id"));
    young_id = g_strdup (sim_string (b, "id"));
  }
  sim_fixture_stop (&f);
  g_clear_object (&f.session);
  age_keys (file, n_extra);

  sim_fixture_start (&f, "--state", file, NULL);
  {
    g_autoptr(SimResponse) expired = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_old);
    g_autoptr(SimResponse) kept = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_young);
    g_autoptr(SimResponse) mismatch = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, "name=Changed", h_young);
    g_autoptr(SimResponse) fresh = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_fresh);
    g_autoptr(SimResponse) stale = sim_request_full (&f, "POST", "/v1/customers", SIM_KEY, body, h_stale);

    /* Past 24 hours the key is forgotten: the request runs again */
    g_assert_cmpuint (expired->status, ==, 200);
    g_assert_null (soup_message_headers_get_one (expired->headers, "Idempotent-Replayed"));
    g_assert_cmpstr (sim_string (expired, "id"), !=, old_id);
    g_assert_cmpuint (kept->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (kept->headers, "Idempotent-Replayed"), ==, "true");
    g_assert_cmpstr (sim_string (kept, "id"), ==, young_id);
    g_assert_cmpuint (mismatch->status, ==, 400);
    g_assert_cmpstr (sim_string (mismatch, "error.type"), ==, "idempotency_error");
    /* A fresh key among thousands still guards its parameters; a stale one is gone */
    g_assert_cmpuint (fresh->status, ==, 400);
    g_assert_cmpstr (sim_string (fresh, "error.type"), ==, "idempotency_error");
    g_assert_cmpuint (stale->status, ==, 200);
    g_assert_null (soup_message_headers_get_one (stale->headers, "Idempotent-Replayed"));
  }
  sim_fixture_stop (&f);
  g_clear_object (&f.session);

  /* What was saved: every fresh key, no stale one but the one used again */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *idem;
    guint n_fresh = 0, n_stale = 0;
    g_autoptr(GList) keys = NULL;

    json_parser_load_from_file (parser, file, &error);
    g_assert_no_error (error);
    idem = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "idempotency");
    keys = json_object_get_members (idem);
    for (GList *l = keys; l; l = l->next)
      {
        n_fresh += g_str_has_prefix (l->data, "fresh-");
        n_stale += g_str_has_prefix (l->data, "stale-");
      }
    g_assert_cmpuint (n_fresh, ==, n_extra / 2);
    g_assert_cmpuint (n_stale, ==, 1);
    g_assert_true (json_object_has_member (idem, "stale-0"));
    g_assert_true (json_object_has_member (idem, "old-key"));
    g_assert_true (json_object_has_member (idem, "young-key"));
  }
  g_unlink (file);
  g_rmdir (dir);
}

static guint
n_stored_keys (CpSimState *state)
{
  g_autoptr(JsonNode) root = cp_sim_state_to_json (state);

  return json_object_get_size (json_object_get_object_member (json_node_get_object (root), "idempotency"));
}

/* The store of keys itself: many keys, a key used again, dropped, and one
 * whose first request is still running (never expired, never saved). */
static void
test_idempotency_many_keys (void)
{
  g_autoptr(CpSimState) state = cp_sim_state_new ();
  guint n = 100000;
  CpSimIdempotent *entry;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);
      g_autofree char *fp = g_strdup_printf ("POST /v1/payment_intents amount=%u", i);
      g_autofree char *body = g_strdup_printf ("{\"n\":%u}", i);

      cp_sim_state_begin_idempotent (state, key, fp, "req_x");
      cp_sim_state_end_idempotent (state, key, 200, body);
    }
  cp_sim_state_begin_idempotent (state, "running", "POST /v1/refunds", "req_y");
  g_assert_cmpuint (n_stored_keys (state), ==, n);

  for (guint i = 0; i < n; i += 9973)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);
      g_autofree char *body = g_strdup_printf ("{\"n\":%u}", i);

      entry = cp_sim_state_get_idempotent (state, key);
      g_assert_nonnull (entry);
      g_assert_cmpuint (entry->status, ==, 200);
      g_assert_cmpstr (entry->body, ==, body);
    }
  entry = cp_sim_state_get_idempotent (state, "running");
  g_assert_nonnull (entry);
  g_assert_cmpuint (entry->status, ==, 0);

  /* Begun again (after a dropped answer) replaces the key, once */
  cp_sim_state_begin_idempotent (state, "key-5", "POST /v1/payment_intents amount=5", "req_z");
  cp_sim_state_end_idempotent (state, "key-5", 402, "{}");
  entry = cp_sim_state_get_idempotent (state, "key-5");
  g_assert_cmpuint (entry->status, ==, 402);
  g_assert_cmpstr (entry->request_id, ==, "req_z");
  cp_sim_state_drop_idempotent (state, "key-7");
  g_assert_null (cp_sim_state_get_idempotent (state, "key-7"));
  g_assert_cmpuint (n_stored_keys (state), ==, n - 1);

  cp_sim_state_reset (state);
  g_assert_null (cp_sim_state_get_idempotent (state, "key-1"));
  g_assert_cmpuint (n_stored_keys (state), ==, 0);

  /* Loaded in no particular order, aged keys go at the first lookup */
  {
    g_autofree char *dir = g_dir_make_tmp ("carepay-sim-XXXXXX", NULL);
    g_autofree char *file = g_build_filename (dir, "state.json", NULL);
    g_autoptr(GString) json = g_string_new ("{\"version\":1,\"idempotency\":{");
    g_autoptr(GError) error = NULL;
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    for (guint i = 0; i < 1000; i++)
      g_string_append_printf (json, "%s\"k%u\":{\"fingerprint\":\"f\",\"request_id\":\"r\",\"status\":200,"
                              "\"body\":\"{}\",\"created\":%" G_GINT64_FORMAT "}", i ? "," : "", i,
                              i % 3 == 0 ? now - 24 * 3600 - 1 - i : now - i);
    g_string_append (json, "}}");
    g_assert_true (g_file_set_contents (file, json->str, -1, NULL));
    g_assert_true (cp_sim_state_load (state, file, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_stored_keys (state), ==, 1000);
    g_assert_null (cp_sim_state_get_idempotent (state, "k0"));
    g_assert_cmpuint (n_stored_keys (state), ==, 1000 - 334);
    g_assert_nonnull (cp_sim_state_get_idempotent (state, "k1"));
    g_assert_null (cp_sim_state_get_idempotent (state, "k999"));
    g_assert_nonnull (cp_sim_state_get_idempotent (state, "k998"));
    g_unlink (file);
    g_rmdir (dir);
  }
}

/* Every top-level key of Stripe's sample objects is in the simulator's. */
static void
assert_has_fixture_keys (JsonObject *fixtures,
                         const char *type,
                         JsonObject *obj)
{
  JsonObject *sample = json_object_get_object_member (fixtures, type);
  g_autoptr(GList) keys = json_object_get_members (sample);

  for (GList *l = keys; l; l = l->next)
    if (!json_object_has_member (obj, l->data))
      g_error ("The simulator's %s has no \"%s\"", type, (char *) l->data);
}

static void
test_fixture_shapes (SimFixture   *f,
                     gconstpointer data)
{
  const char *dir = g_getenv ("CAREPAY_STRIPE_REFERENCE");
  g_autofree char *file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *fixtures;
  g_autoptr(SimResponse) cus = sim_post (f, "/v1/customers", "name=Shape");
  g_autoptr(SimResponse) pi = sim_post (f, "/v1/payment_intents", "amount=5000&currency=usd&payment_method=pm_card_visa&confirm=true");
  g_autofree char *rbody = g_strdup_printf ("payment_intent=%s&amount=100", sim_string (pi, "id"));
  g_autoptr(SimResponse) re = sim_post (f, "/v1/refunds", rbody);
  g_autofree char *chpath = g_strdup_printf ("/v1/charges/%s", sim_string (pi, "latest_charge"));
  g_autoptr(SimResponse) ch = sim_get (f, chpath);
  g_autoptr(SimResponse) ev = sim_get (f, "/v1/events?limit=1");
  g_autoptr(SimResponse) pm = sim_post (f, "/v1/payment_methods", "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123");

  g_assert_nonnull (dir);
  file = g_build_filename (dir, "fixtures3.2026-08.json", NULL);
  json_parser_load_from_file (parser, file, &error);
  g_assert_no_error (error);
  fixtures = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "resources");

  assert_has_fixture_keys (fixtures, "customer", sim_object (cus));
  assert_has_fixture_keys (fixtures, "payment_intent", sim_object (pi));
  assert_has_fixture_keys (fixtures, "charge", sim_object (ch));
  assert_has_fixture_keys (fixtures, "refund", sim_object (re));
  assert_has_fixture_keys (fixtures, "payment_method", sim_object (pm));
  assert_has_fixture_keys (fixtures, "event", json_array_get_object_element (json_object_get_array_member (sim_object (ev), "data"), 0));
  /* today's shapes: latest_charge, not the removed charges list */
  g_assert_false (json_object_has_member (sim_object (pi), "charges"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/carepay/sim-api/" name, SimFixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("auth", test_auth);
  ADD ("customers", test_customers);
  ADD ("errors", test_errors);
  ADD ("list-paging", test_list_paging);
  ADD ("search", test_search_payment_intents);
  ADD ("idempotency", test_idempotency);
  ADD ("drop-after-commit", test_drop_after_commit);
  ADD ("status-faults", test_status_faults);
  ADD ("events", test_events);
  ADD ("expand", test_expand);
  ADD ("fixture-shapes", test_fixture_shapes);
  ADD ("update-payment-intent", test_update_payment_intent);
#undef ADD
  g_test_add_func ("/carepay/sim-api/state-persists", test_state_persists);
  g_test_add_func ("/carepay/sim-api/idempotency-expiry", test_idempotency_expiry);
  g_test_add_func ("/carepay/sim-api/idempotency-many-keys", test_idempotency_many_keys);

  return g_test_run ();
}
