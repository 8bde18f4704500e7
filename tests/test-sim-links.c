/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepay-stripe-sim: prices, payment links and their hosted page, paid
 * once then refused; revoking a link. */
#include <string.h>

#include "sim-test-util.h"

#define PK "pk_test_simlinks"

static void
fixture_setup (SimFixture   *f,
               gconstpointer data)
{
  sim_fixture_start (f, "--publishable-key", PK, NULL);
}

static void
fixture_teardown (SimFixture   *f,
                  gconstpointer data)
{
  sim_fixture_stop (f);
  g_clear_object (&f->session);
}

static char *
create_link (SimFixture *f,
             const char *invoice_id,
             gint64      amount)
{
  g_autofree char *pbody = g_strdup_printf ("currency=usd&unit_amount=%" G_GINT64_FORMAT "&product_data[name]=Invoice+%s",
                                            amount, invoice_id);
  g_autoptr(SimResponse) price = sim_post (f, "/v1/prices", pbody);
  g_autofree char *lbody = NULL;
  g_autoptr(SimResponse) link = NULL;

  g_assert_cmpuint (price->status, ==, 200);
  g_assert_true (g_str_has_prefix (sim_string (price, "id"), "price_"));
  g_assert_true (g_str_has_prefix (sim_string (price, "product"), "prod_"));
  g_assert_cmpint (sim_int (price, "unit_amount"), ==, amount);

  lbody = g_strdup_printf ("line_items[0][price]=%s&line_items[0][quantity]=1"
                           "&restrictions[completed_sessions][limit]=1"
                           "&metadata[invoice_id]=%s&payment_intent_data[metadata][invoice_id]=%s"
                           "&inactive_message=This+invoice+has+been+paid.",
                           sim_string (price, "id"), invoice_id, invoice_id);
  link = sim_post (f, "/v1/payment_links", lbody);
  g_assert_cmpuint (link->status, ==, 200);
  g_assert_cmpstr (sim_string (link, "object"), ==, "payment_link");
  g_assert_true (g_str_has_prefix (sim_string (link, "id"), "plink_"));
  g_assert_true (json_object_get_boolean_member (sim_object (link), "active"));
  g_assert_cmpint (sim_int (link, "restrictions.completed_sessions.limit"), ==, 1);
  g_assert_cmpint (sim_int (link, "restrictions.completed_sessions.count"), ==, 0);
  g_assert_cmpstr (sim_string (link, "payment_intent_data.metadata.invoice_id"), ==, invoice_id);
  g_assert_true (g_str_has_prefix (sim_string (link, "url"), f->base_url));
  return g_strdup (sim_string (link, "id"));
}

static SimResponse *
start_session (SimFixture *f,
               const char *link_id)
{
  g_autofree char *path = g_strdup_printf ("/pay/%s/session", link_id);

  return sim_request_full (f, "POST", path, NULL, "", NULL);
}

static SimResponse *
pay_session (SimFixture  *f,
             SimResponse *session,
             const char  *number)
{
  g_autofree char *pmbody = g_strdup_printf ("type=card&card[number]=%s&card[exp_month]=12&card[exp_year]=2041&card[cvc]=123"
                                             "&billing_details[address][postal_code]=10001", number);
  g_autoptr(SimResponse) pm = sim_request_full (f, "POST", "/v1/payment_methods", PK, pmbody, NULL);
  g_autofree char *path = g_strdup_printf ("/v1/payment_intents/%s/confirm", sim_string (session, "payment_intent"));
  g_autofree char *body = g_strdup_printf ("payment_method=%s&client_secret=%s&receipt_email=pat%%40example.org",
                                           sim_string (pm, "id"), sim_string (session, "client_secret"));

  g_assert_cmpuint (pm->status, ==, 200);
  return sim_request_full (f, "POST", path, PK, body, NULL);
}

static void
test_paid_once (SimFixture   *f,
                gconstpointer data)
{
  g_autofree char *link_id = create_link (f, "12", 4500);
  g_autofree char *page_path = g_strdup_printf ("/pay/%s", link_id);
  g_autoptr(SimResponse) page = sim_request_full (f, "GET", page_path, NULL, NULL, NULL);
  g_autoptr(SimResponse) s1 = start_session (f, link_id);
  g_autoptr(SimResponse) s2 = start_session (f, link_id);   /* a second tab, opened before paying */
  g_autoptr(SimResponse) declined = pay_session (f, s1, "4000000000000002");
  g_autoptr(SimResponse) paid = pay_session (f, s1, "4242424242424242");
  g_autoptr(SimResponse) second = pay_session (f, s2, "4242424242424242");
  g_autoptr(SimResponse) s3 = start_session (f, link_id);
  g_autoptr(SimResponse) page2 = sim_request_full (f, "GET", page_path, NULL, NULL, NULL);
  g_autofree char *lpath = g_strdup_printf ("/v1/payment_links/%s", link_id);
  g_autoptr(SimResponse) link = sim_get (f, lpath);
  g_autofree char *spath = g_strdup_printf ("/v1/checkout/sessions?payment_link=%s", link_id);
  g_autoptr(SimResponse) sessions = sim_get (f, spath);
  g_autofree char *pipath = g_strdup_printf ("/v1/payment_intents/%s", sim_string (s1, "payment_intent"));
  g_autoptr(SimResponse) pi = sim_get (f, pipath);
  g_autoptr(SimResponse) completed = sim_get (f, "/v1/events?type=checkout.session.completed");
  g_autoptr(SimResponse) updated = sim_get (f, "/v1/events?type=payment_link.updated");
  g_autoptr(SimResponse) charges = sim_get (f, "/v1/charges?limit=100");
  g_autoptr(SimResponse) search = sim_get (f, "/v1/payment_intents/search?query=metadata%5B%27invoice_id%27%5D%3A%2712%27+AND+status%3A%27succeeded%27");
  guint succeeded_charges = 0;
  JsonArray *arr;

  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (page->body, "$45.00"));
  g_assert_nonnull (strstr (page->body, "Invoice 12"));
  g_assert_nonnull (strstr (page->body, "data-payable=\"true\""));

  g_assert_cmpuint (s1->status, ==, 200);
  g_assert_true (g_str_has_prefix (sim_string (s1, "checkout_session"), "cs_test_"));
  g_assert_cmpuint (declined->status, ==, 402);
  g_assert_cmpstr (sim_string (declined, "error.decline_code"), ==, "generic_decline");
  g_assert_cmpuint (paid->status, ==, 200);
  g_assert_cmpstr (sim_string (paid, "status"), ==, "succeeded");

  /* the other tab cannot pay twice */
  g_assert_cmpuint (second->status, ==, 400);
  g_assert_cmpuint (s3->status, ==, 410);
  g_assert_cmpstr (sim_string (s3, "error.message"), ==, "This invoice has been paid.");
  g_assert_nonnull (strstr (page2->body, "data-payable=\"false\""));

  g_assert_false (json_object_get_boolean_member (sim_object (link), "active"));
  g_assert_cmpint (sim_int (link, "restrictions.completed_sessions.count"), ==, 1);

  arr = json_object_get_array_member (sim_object (sessions), "data");
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *cs = json_array_get_object_element (arr, i);
      if (g_strcmp0 (json_object_get_string_member (cs, "id"), sim_string (s1, "checkout_session")) == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (cs, "status"), ==, "complete");
          g_assert_cmpstr (json_object_get_string_member (cs, "payment_status"), ==, "paid");
          g_assert_cmpstr (json_object_get_string_member (cs, "payment_intent"), ==, sim_string (s1, "payment_intent"));
        }
      else
        g_assert_cmpstr (json_object_get_string_member (cs, "status"), ==, "open");
    }
  g_assert_cmpint (json_array_get_length (arr), ==, 2);

  g_assert_cmpstr (sim_string (pi, "metadata.invoice_id"), ==, "12");
  g_assert_cmpstr (sim_string (pi, "receipt_email"), ==, "pat@example.org");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (completed), "data")), ==, 1);
  g_assert_cmpstr (sim_string (completed, "data.0.data.object.payment_link"), ==, link_id);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (updated), "data")), ==, 1);
  g_assert_cmpstr (sim_string (updated, "data.0.data.object.id"), ==, link_id);
  g_assert_false (json_node_get_boolean (json_object_get_member (json_object_get_object_member (json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (sim_object (updated), "data"), 0), "data"), "object"), "active")));
  g_assert_true (json_node_get_boolean (json_object_get_member (json_object_get_object_member (json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (sim_object (updated), "data"), 0), "data"), "previous_attributes"), "active")));

  arr = json_object_get_array_member (sim_object (charges), "data");
  for (guint i = 0; i < json_array_get_length (arr); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (arr, i), "status"), "succeeded") == 0)
      succeeded_charges++;
  g_assert_cmpuint (succeeded_charges, ==, 1);

  g_assert_cmpint (json_array_get_length (json_object_get_array_member (sim_object (search), "data")), ==, 1);
}

static void
test_revoke (SimFixture   *f,
             gconstpointer data)
{
  g_autofree char *link_id = create_link (f, "77", 1999);
  g_autoptr(SimResponse) open = start_session (f, link_id);
  g_autofree char *lpath = g_strdup_printf ("/v1/payment_links/%s", link_id);
  g_autoptr(SimResponse) revoked = sim_post (f, lpath, "active=false");
  g_autoptr(SimResponse) refused = start_session (f, link_id);
  g_autoptr(SimResponse) late = pay_session (f, open, "4242424242424242");
  g_autoptr(SimResponse) events = sim_get (f, "/v1/events?type=payment_link.updated");
  g_autoptr(SimResponse) list = sim_get (f, "/v1/payment_links?active=false");
  g_autoptr(SimResponse) bad = sim_post (f, "/v1/payment_links", "line_items[0][price_data][currency]=usd");
  g_autofree char *items_path = g_strdup_printf ("/v1/payment_links/%s/line_items", link_id);
  g_autoptr(SimResponse) items = sim_get (f, items_path);

  g_assert_cmpuint (revoked->status, ==, 200);
  g_assert_false (json_object_get_boolean_member (sim_object (revoked), "active"));
  g_assert_cmpuint (refused->status, ==, 410);
  g_assert_cmpuint (late->status, ==, 400);
  g_assert_cmpstr (sim_string (events, "data.0.data.object.id"), ==, link_id);
  g_assert_cmpstr (sim_string (list, "data.0.id"), ==, link_id);
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpint (sim_int (items, "data.0.amount_total"), ==, 1999);
  g_assert_cmpint (sim_int (items, "data.0.quantity"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/carepay/sim-links/paid-once", SimFixture, NULL, fixture_setup, test_paid_once, fixture_teardown);
  g_test_add ("/carepay/sim-links/revoke", SimFixture, NULL, fixture_setup, test_revoke, fixture_teardown);

  return g_test_run ();
}
