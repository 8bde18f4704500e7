/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-stripe-form.h"

static CpStripeForm *
form_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CpStripeForm *form = cp_stripe_form_new ();

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  cp_stripe_form_add_object (form, json_node_get_object (json_parser_get_root (parser)));
  return form;
}

static void
assert_encodes (CpStripeForm *form,
                const char   *expected)
{
  g_autofree char *encoded = cp_stripe_form_encode (form);
  g_assert_cmpstr (encoded, ==, expected);
}

static void
test_scalars (void)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();

  cp_stripe_form_add (form, "currency", "usd");
  cp_stripe_form_add_int (form, "amount", 1099);
  cp_stripe_form_add_int (form, "big", G_MAXINT64);
  cp_stripe_form_add_int (form, "negative", -5);
  cp_stripe_form_add_bool (form, "confirm", TRUE);
  cp_stripe_form_add_bool (form, "off_session", FALSE);
  cp_stripe_form_add (form, "description", NULL);
  assert_encodes (form, "currency=usd&amount=1099&big=9223372036854775807&negative=-5"
                        "&confirm=true&off_session=false&description=");
  g_assert_cmpuint (cp_stripe_form_get_length (form), ==, 7);
  g_assert_cmpstr (cp_stripe_form_lookup (form, "amount"), ==, "1099");
  g_assert_null (cp_stripe_form_lookup (form, "nope"));
}

static void
test_nesting (void)
{
  g_autoptr(CpStripeForm) form = form_from_json (
    "{\"amount\": 2500, \"metadata\": {\"invoice_id\": \"12\", \"invoice_number\": \"INV-1\"},"
    " \"automatic_payment_methods\": {\"enabled\": true},"
    " \"payment_intent_data\": {\"metadata\": {\"invoice_id\": 12}}}");

  g_assert_cmpstr (cp_stripe_form_get_key (form, 1), ==, "metadata[invoice_id]");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 4), ==, "payment_intent_data[metadata][invoice_id]");
  assert_encodes (form,
                  "amount=2500"
                  "&metadata%5Binvoice_id%5D=12"
                  "&metadata%5Binvoice_number%5D=INV-1"
                  "&automatic_payment_methods%5Benabled%5D=true"
                  "&payment_intent_data%5Bmetadata%5D%5Binvoice_id%5D=12");
}

static void
test_arrays (void)
{
  g_autoptr(CpStripeForm) form = form_from_json (
    "{\"expand\": [\"latest_charge\", \"customer\"],"
    " \"payment_method_types\": [\"card\"],"
    " \"line_items\": [{\"price_data\": {\"unit_amount\": 500, \"currency\": \"usd\"}, \"quantity\": 1},"
    "                  {\"price\": \"price_123\", \"quantity\": 2}],"
    " \"empty\": []}");
  guint n = cp_stripe_form_get_length (form);

  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpstr (cp_stripe_form_get_key (form, 0), ==, "expand[]");
  g_assert_cmpstr (cp_stripe_form_get_value (form, 0), ==, "latest_charge");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 1), ==, "expand[]");
  g_assert_cmpstr (cp_stripe_form_get_value (form, 1), ==, "customer");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 3), ==, "line_items[0][price_data][unit_amount]");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 5), ==, "line_items[0][quantity]");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 6), ==, "line_items[1][price]");
  g_assert_cmpstr (cp_stripe_form_get_key (form, 7), ==, "line_items[1][quantity]");
  assert_encodes (form,
                  "expand%5B%5D=latest_charge&expand%5B%5D=customer"
                  "&payment_method_types%5B%5D=card"
                  "&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=500"
                  "&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd"
                  "&line_items%5B0%5D%5Bquantity%5D=1"
                  "&line_items%5B1%5D%5Bprice%5D=price_123"
                  "&line_items%5B1%5D%5Bquantity%5D=2");
}

static void
test_reserved_characters (void)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();

  cp_stripe_form_add (form, "description", "a&b=c+d/e f?g#h[i]j%k");
  cp_stripe_form_add (form, "metadata[note & more]", "x=y");
  cp_stripe_form_add (form, "safe", "AZaz09-._~");
  cp_stripe_form_add (form, "quote", "'\"*!(),;:@$");
  assert_encodes (form,
                  "description=a%26b%3Dc%2Bd%2Fe%20f%3Fg%23h%5Bi%5Dj%25k"
                  "&metadata%5Bnote%20%26%20more%5D=x%3Dy"
                  "&safe=AZaz09-._~"
                  "&quote=%27%22%2A%21%28%29%2C%3B%3A%40%24");
}

static void
test_unicode (void)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autofree char *plain = NULL;

  cp_stripe_form_add (form, "name", "José Müller");
  cp_stripe_form_add (form, "metadata[ward]", "病棟 3 🏥");
  assert_encodes (form,
                  "name=Jos%C3%A9%20M%C3%BCller"
                  "&metadata%5Bward%5D=%E7%97%85%E6%A3%9F%203%20%F0%9F%8F%A5");

  plain = cp_stripe_percent_encode ("ñ");
  g_assert_cmpstr (plain, ==, "%C3%B1");
}

static void
test_empty_values (void)
{
  g_autoptr(CpStripeForm) empty = cp_stripe_form_new ();
  g_autoptr(CpStripeForm) form = form_from_json ("{\"metadata\": {\"old\": null, \"blank\": \"\"},"
                                                 " \"description\": null}");

  assert_encodes (empty, "");
  assert_encodes (form, "metadata%5Bold%5D=&metadata%5Bblank%5D=&description=");
}

static void
test_order_and_merge (void)
{
  g_autoptr(CpStripeForm) a = cp_stripe_form_new ();
  g_autoptr(CpStripeForm) b = cp_stripe_form_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  cp_stripe_form_add (a, "z", "1");
  cp_stripe_form_add (a, "a", "2");
  cp_stripe_form_add (b, "m", "3");
  cp_stripe_form_add_form (a, b);
  cp_stripe_form_add_form (a, NULL);
  first = cp_stripe_form_encode (a);
  second = cp_stripe_form_encode (a);
  g_assert_cmpstr (first, ==, "z=1&a=2&m=3");
  g_assert_cmpstr (first, ==, second);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-form/scalars", test_scalars);
  g_test_add_func ("/carepay/stripe-form/nesting", test_nesting);
  g_test_add_func ("/carepay/stripe-form/arrays", test_arrays);
  g_test_add_func ("/carepay/stripe-form/reserved-characters", test_reserved_characters);
  g_test_add_func ("/carepay/stripe-form/unicode", test_unicode);
  g_test_add_func ("/carepay/stripe-form/empty-values", test_empty_values);
  g_test_add_func ("/carepay/stripe-form/order", test_order_and_merge);

  return g_test_run ();
}
