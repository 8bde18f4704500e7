/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-webhook.h"

#define SECRET "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"
#define NOW    ((gint64) 1782000000)
static const char payload[] =
  "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\",\"created\":1782000000,"
  "\"data\":{\"object\":{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":2500}}}";

/* The HMAC computed independently of the code under test. */
static char *
hmac_hex (const char *secret,
          gint64      t,
          const char *body)
{
  g_autofree char *signed_payload = g_strdup_printf ("%" G_GINT64_FORMAT ".%s", t, body);
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret),
                                    signed_payload, -1);
}

static gboolean
verify (const char *body,
        const char *header,
        const char *secret,
        GError    **error)
{
  return cp_stripe_webhook_verify_at (body, strlen (body), header, secret, 300, NOW, error);
}

static void
assert_rejected (const char *header,
                 const char *secret,
                 const char *body,
                 const char *message_part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (verify (body, header, secret, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_SIGNATURE);
  if (strstr (error->message, message_part) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message_part, error->message);
}

static void
test_valid (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW, sig);
  g_autofree char *made = cp_stripe_webhook_sign (payload, strlen (payload), SECRET, NOW);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) event = NULL;

  g_assert_cmpstr (made, ==, header);
  g_assert_true (verify (payload, header, SECRET, &error));
  g_assert_no_error (error);

  /* Within tolerance either way. */
  {
    g_autofree char *sig_old = hmac_hex (SECRET, NOW - 299, payload);
    g_autofree char *h_old = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW - 299, sig_old);
    g_assert_true (verify (payload, h_old, SECRET, NULL));
  }

  event = cp_stripe_webhook_construct_event (payload, strlen (payload), header, SECRET, 300, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "payment_intent.succeeded");
}

static void
test_wrong_secret (void)
{
  g_autofree char *sig = hmac_hex ("whsec_other", NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW, sig);

  assert_rejected (header, SECRET, payload, "No signature matches");
}

static void
test_tampered_body (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW, sig);
  g_autofree char *tampered = g_strdup (payload);

  *strstr (tampered, "2500") = '9';
  assert_rejected (header, SECRET, tampered, "No signature matches");

  /* Changing the signed timestamp breaks it too. */
  {
    g_autofree char *moved = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW + 1, sig);
    assert_rejected (moved, SECRET, payload, "No signature matches");
  }
}

static void
test_too_old (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW - 301, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW - 301, sig);

  assert_rejected (header, SECRET, payload, "outside the tolerance");
}

static void
test_too_new (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW + 301, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW + 301, sig);

  assert_rejected (header, SECRET, payload, "outside the tolerance");
}

static void
test_several_v1 (void)
{
  g_autofree char *good = hmac_hex (SECRET, NOW, payload);
  g_autofree char *bad = hmac_hex ("whsec_old_secret", NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ", v1=%s, v1=%s, v0=abc, v9=zzz",
                                             NOW, bad, good);
  g_autofree char *header_bad = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s,v1=%s", NOW, bad, bad);

  g_assert_true (verify (payload, header, SECRET, NULL));
  assert_rejected (header_bad, SECRET, payload, "No signature matches");
}

static void
test_malformed (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW, payload);
  g_autofree char *no_t = g_strdup_printf ("v1=%s", sig);
  g_autofree char *bad_t = g_strdup_printf ("t=12x4,v1=%s", sig);
  g_autofree char *two_t = g_strdup_printf ("t=%" G_GINT64_FORMAT ",t=1,v1=%s", NOW, sig);

  assert_rejected ("", SECRET, payload, "Malformed");
  assert_rejected (NULL, SECRET, payload, "Malformed");
  assert_rejected ("garbage", SECRET, payload, "Malformed");
  assert_rejected (no_t, SECRET, payload, "no valid timestamp");
  assert_rejected (bad_t, SECRET, payload, "no valid timestamp");
  assert_rejected (two_t, SECRET, payload, "more than one timestamp");
  assert_rejected ("t=,v1=", SECRET, payload, "no valid timestamp");
}

static void
test_v0_only (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v0=%s", NOW, sig);

  assert_rejected (header, SECRET, payload, "No v1 signature");
}

static void
test_no_secret_and_bad_json (void)
{
  g_autofree char *sig = hmac_hex (SECRET, NOW, payload);
  g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", NOW, sig);
  const char *not_json = "not json";
  g_autofree char *header2 = cp_stripe_webhook_sign (not_json, strlen (not_json), SECRET, NOW);
  g_autoptr(GError) error = NULL;
  JsonObject *event;

  assert_rejected (header, NULL, payload, "secret");
  event = cp_stripe_webhook_construct_event (not_json, strlen (not_json), header2, SECRET, 300, NOW, &error);
  g_assert_null (event);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-webhook/valid", test_valid);
  g_test_add_func ("/carepay/stripe-webhook/wrong-secret", test_wrong_secret);
  g_test_add_func ("/carepay/stripe-webhook/tampered-body", test_tampered_body);
  g_test_add_func ("/carepay/stripe-webhook/too-old", test_too_old);
  g_test_add_func ("/carepay/stripe-webhook/too-new", test_too_new);
  g_test_add_func ("/carepay/stripe-webhook/several-v1", test_several_v1);
  g_test_add_func ("/carepay/stripe-webhook/malformed", test_malformed);
  g_test_add_func ("/carepay/stripe-webhook/v0-only", test_v0_only);
  g_test_add_func ("/carepay/stripe-webhook/no-secret-and-bad-json", test_no_secret_and_bad_json);

  return g_test_run ();
}
