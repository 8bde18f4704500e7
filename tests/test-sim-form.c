/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulator's own decoder of Stripe's form encoding, and its test cards. */
#include "cp-sim-cards.h"
#include "cp-sim-events.h"
#include "cp-sim-form.h"

static char *
decode (const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cp_sim_form_decode (body, &error);

  if (node == NULL)
    return NULL;
  return json_to_string (node, FALSE);
}

static void
test_nested (void)
{
  g_autofree char *a = decode ("a[b][c]=1&a[b][d]=2&x=y");
  g_autofree char *b = decode ("expand[]=latest_charge&expand[]=customer");
  g_autofree char *c = decode ("items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2");
  g_autofree char *d = decode ("metadata%5Binvoice_id%5D=12&description=Hello+world%21&email=a%40b.c");
  g_autofree char *e = decode ("");
  g_autofree char *u = decode ("name=J%C3%BCrgen");

  g_assert_cmpstr (a, ==, "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"}},\"x\":\"y\"}");
  g_assert_cmpstr (b, ==, "{\"expand\":[\"latest_charge\",\"customer\"]}");
  g_assert_cmpstr (c, ==, "{\"items\":[{\"price\":\"p1\",\"quantity\":\"2\"},{\"price\":\"p2\"}]}");
  g_assert_cmpstr (d, ==, "{\"metadata\":{\"invoice_id\":\"12\"},\"description\":\"Hello world!\",\"email\":\"a@b.c\"}");
  g_assert_cmpstr (e, ==, "{}");
  g_assert_cmpstr (u, ==, "{\"name\":\"J\u00fcrgen\"}");
}

static void
test_invalid (void)
{
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "a=%zz", "a=%4", "a[b=1", "a=1&a[b]=2", "items[1][price]=x", "a[]=1&a[x]=2", "a=%FF" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = cp_sim_form_decode (bad[i], &error);
      g_test_message ("%s", bad[i]);
      g_assert_null (node);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

static void
test_fingerprint (void)
{
  g_autofree char *a = cp_sim_form_fingerprint ("amount=100&currency=usd");
  g_autofree char *b = cp_sim_form_fingerprint ("currency=usd&amount=100");
  g_autofree char *c = cp_sim_form_fingerprint ("currency=usd&amount=101");

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
}

static void
test_cards (void)
{
  g_assert_true (cp_sim_card_luhn_valid ("4242424242424242"));
  g_assert_false (cp_sim_card_luhn_valid ("4242424242424241"));
  g_assert_cmpstr (cp_sim_card_detect_brand ("5555555555554444"), ==, "mastercard");
  g_assert_cmpstr (cp_sim_card_detect_brand ("2223003122003222"), ==, "mastercard");
  g_assert_cmpstr (cp_sim_card_detect_brand ("378282246310005"), ==, "amex");
  g_assert_cmpint (cp_sim_card_lookup_number ("4000000000009995")->behaviour, ==, CP_SIM_CARD_DECLINE);
  g_assert_cmpstr (cp_sim_card_lookup_pm ("pm_card_chargeDeclinedStolenCard")->decline_code, ==, "stolen_card");
  g_assert_cmpint (cp_sim_card_lookup_pm ("pm_card_authenticationRequired")->behaviour, ==, CP_SIM_CARD_THREE_D_SECURE);
  g_assert_cmpint (cp_sim_card_lookup_number ("4000002500003155")->behaviour, ==, CP_SIM_CARD_THREE_D_SECURE);
  g_assert_null (cp_sim_card_lookup_pm ("pm_card_nothing"));
}

static void
test_signature (void)
{
  /* the sim's signature against HMAC-SHA256 computed here */
  g_autofree char *sig = cp_sim_webhook_signature ("whsec_abc", 1700000000, "{\"id\":\"evt_1\"}");
  g_autofree char *expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) "whsec_abc", 9,
                                                         "1700000000.{\"id\":\"evt_1\"}", -1);

  g_assert_cmpstr (sig, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/sim-form/nested", test_nested);
  g_test_add_func ("/carepay/sim-form/invalid", test_invalid);
  g_test_add_func ("/carepay/sim-form/fingerprint", test_fingerprint);
  g_test_add_func ("/carepay/sim-form/cards", test_cards);
  g_test_add_func ("/carepay/sim-form/signature", test_signature);

  return g_test_run ();
}
