/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-config.h"
#include "cp-stripe-error.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Bodies as Stripe sends them (from Stripe's API reference and error docs). */
static const char card_declined_json[] =
  "{\n"
  "  \"error\": {\n"
  "    \"charge\": \"ch_3PgafwB7WZ01zgkW0fRmX0zW\",\n"
  "    \"code\": \"card_declined\",\n"
  "    \"decline_code\": \"insufficient_funds\",\n"
  "    \"doc_url\": \"https://stripe.com/docs/error-codes/card-declined\",\n"
  "    \"message\": \"Your card has insufficient funds.\",\n"
  "    \"payment_intent\": {\"id\": \"pi_3PgafwB7WZ01zgkW0sSuGcC1\", \"object\": \"payment_intent\",\n"
  "                         \"amount\": 2500, \"status\": \"requires_payment_method\"},\n"
  "    \"payment_method\": {\"id\": \"pm_1PgafwB7WZ01zgkWx0\", \"object\": \"payment_method\", \"type\": \"card\"},\n"
  "    \"request_log_url\": \"https://dashboard.stripe.com/test/logs/req_8nSSbFXHhkq5Ga?t=1721948604\",\n"
  "    \"type\": \"card_error\"\n"
  "  }\n"
  "}\n";

static const char unknown_param_json[] =
  "{\"error\": {\"code\": \"parameter_unknown\","
  " \"doc_url\": \"https://stripe.com/docs/error-codes/parameter-unknown\","
  " \"message\": \"Received unknown parameter: colour\", \"param\": \"colour\","
  " \"request_log_url\": \"https://dashboard.stripe.com/test/logs/req_x\","
  " \"type\": \"invalid_request_error\"}}";

static const char missing_json[] =
  "{\"error\": {\"code\": \"resource_missing\", \"doc_url\": \"https://stripe.com/docs/error-codes/resource-missing\","
  " \"message\": \"No such payment_intent: 'pi_nope'\", \"param\": \"intent\","
  " \"type\": \"invalid_request_error\"}}";

static const char bad_key_json[] =
  "{\"error\": {\"message\": \"Invalid API Key provided: sk_test_********************1234\","
  " \"type\": \"invalid_request_error\"}}";

static const char expired_json[] =
  "{\"error\": {\"code\": \"expired_card\", \"doc_url\": \"https://stripe.com/docs/error-codes/expired-card\","
  " \"message\": \"Your card has expired.\", \"param\": \"exp_month\","
  " \"payment_intent\": \"pi_expired\", \"type\": \"card_error\"}}";

static void
test_card_error (void)
{
  g_autoptr(JsonNode) body = parse (card_declined_json);
  g_autoptr(CpStripeErrorInfo) info = cp_stripe_error_info_new_from_response (402, "req_8nSSbFXHhkq5Ga", body);
  g_autoptr(CpStripeErrorInfo) copy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (info->http_status, ==, 402);
  g_assert_cmpstr (info->type, ==, "card_error");
  g_assert_cmpstr (info->code, ==, "card_declined");
  g_assert_cmpstr (info->decline_code, ==, "insufficient_funds");
  g_assert_cmpstr (info->message, ==, "Your card has insufficient funds.");
  g_assert_cmpstr (info->request_id, ==, "req_8nSSbFXHhkq5Ga");
  g_assert_cmpstr (info->payment_intent_id, ==, "pi_3PgafwB7WZ01zgkW0sSuGcC1");
  g_assert_cmpstr (info->doc_url, ==, "https://stripe.com/docs/error-codes/card-declined");
  g_assert_null (info->param);
  g_assert_cmpstr (cp_stripe_error_info_get_decline_key (info), ==, "insufficient_funds");

  cp_stripe_error_info_set_error (info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_CARD_DECLINED);
  g_assert_cmpstr (error->message, ==, cp_stripe_decline_staff_message ("insufficient_funds"));

  copy = cp_stripe_error_info_copy (info);
  g_assert_cmpstr (copy->payment_intent_id, ==, info->payment_intent_id);
  g_assert_cmpstr (copy->decline_code, ==, info->decline_code);
}

static void
test_card_error_code_only (void)
{
  g_autoptr(JsonNode) body = parse (expired_json);
  g_autoptr(CpStripeErrorInfo) info = cp_stripe_error_info_new_from_response (402, "req_1", body);
  g_autoptr(GError) error = NULL;

  g_assert_null (info->decline_code);
  g_assert_cmpstr (info->param, ==, "exp_month");
  g_assert_cmpstr (info->payment_intent_id, ==, "pi_expired");
  g_assert_cmpstr (cp_stripe_error_info_get_decline_key (info), ==, "expired_card");
  cp_stripe_error_info_set_error (info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_CARD_DECLINED);
  g_assert_cmpstr (error->message, ==, cp_stripe_decline_staff_message ("expired_card"));
}

static void
test_invalid_request (void)
{
  struct { const char *json; guint status; const char *code; const char *param; } cases[] = {
    { unknown_param_json, 400, "parameter_unknown", "colour" },
    { missing_json, 404, "resource_missing", "intent" },
    { bad_key_json, 401, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) body = parse (cases[i].json);
      g_autoptr(CpStripeErrorInfo) info = cp_stripe_error_info_new_from_response (cases[i].status, "req_2", body);
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (info->type, ==, "invalid_request_error");
      g_assert_cmpstr (info->code, ==, cases[i].code);
      g_assert_cmpstr (info->param, ==, cases[i].param);
      g_assert_null (info->payment_intent_id);
      cp_stripe_error_info_set_error (info, &error);
      g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
      g_assert_nonnull (strstr (error->message, info->message));
    }
}

static void
test_not_an_error_object (void)
{
  g_autoptr(JsonNode) body = parse ("[1, 2]");
  g_autoptr(CpStripeErrorInfo) info = cp_stripe_error_info_new_from_response (502, NULL, body);
  g_autoptr(CpStripeErrorInfo) none = cp_stripe_error_info_new_from_response (500, "req_3", NULL);
  g_autoptr(CpStripeErrorInfo) network = cp_stripe_error_info_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) net_error = NULL;

  g_assert_null (info->type);
  g_assert_cmpstr (none->request_id, ==, "req_3");
  cp_stripe_error_info_set_error (info, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);

  cp_stripe_error_info_set_error (network, &net_error);
  g_assert_error (net_error, CP_ERROR, CP_ERROR_NETWORK);
}

static void
test_decline_table (void)
{
  const char *codes[] = {
    "insufficient_funds", "generic_decline", "expired_card", "incorrect_cvc", "incorrect_number",
    "processing_error", "lost_card", "stolen_card", "do_not_honor", "authentication_required",
    "card_velocity_exceeded",
  };
  g_autoptr(GHashTable) staff_texts = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const char *staff = cp_stripe_decline_staff_message (codes[i]);
      const char *patient = cp_stripe_decline_patient_message (codes[i]);
      g_autofree char *patient_lower = g_utf8_strdown (patient, -1);

      g_assert_true (cp_stripe_decline_code_is_known (codes[i]));
      g_assert_nonnull (staff);
      g_assert_nonnull (patient);
      /* Each code has its own words for staff. */
      g_assert_false (g_hash_table_contains (staff_texts, staff));
      g_hash_table_add (staff_texts, (gpointer) staff);
      /* The patient is never told the card is lost or stolen, or suspected. */
      g_assert_null (strstr (patient_lower, "stolen"));
      g_assert_null (strstr (patient_lower, "lost"));
      g_assert_null (strstr (patient_lower, "fraud"));
      g_assert_true (strstr (patient_lower, "declined") != NULL ||
                     strstr (patient_lower, "could not be processed") != NULL ||
                     strstr (patient_lower, "confirm") != NULL);
    }

  /* Lost and stolen cards read exactly like a generic decline to the patient. */
  g_assert_cmpstr (cp_stripe_decline_patient_message ("stolen_card"), ==,
                   cp_stripe_decline_patient_message ("generic_decline"));
  g_assert_cmpstr (cp_stripe_decline_patient_message ("lost_card"), ==,
                   cp_stripe_decline_patient_message ("generic_decline"));
  g_assert_nonnull (strstr (cp_stripe_decline_staff_message ("stolen_card"), "stolen"));

  /* Fallback. */
  g_assert_false (cp_stripe_decline_code_is_known ("pickup_card"));
  g_assert_false (cp_stripe_decline_code_is_known (NULL));
  g_assert_cmpstr (cp_stripe_decline_staff_message ("pickup_card"), ==, cp_stripe_decline_staff_message (NULL));
  g_assert_nonnull (strstr (cp_stripe_decline_patient_message ("pickup_card"), "declined"));
}

static void
test_redact (void)
{
  g_autofree char *sk = cp_stripe_redact_key ("sk_test_51PgafyB7WZ01zgkWabcdefghijklmn4242");
  g_autofree char *wh = cp_stripe_redact_key ("whsec_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH");
  g_autofree char *shortk = cp_stripe_redact_key ("sk_test_abc");
  g_autofree char *none = cp_stripe_redact_key (NULL);

  g_assert_cmpstr (sk, ==, "sk_test_…4242");
  g_assert_cmpstr (wh, ==, "whsec_…e8FH");
  g_assert_cmpstr (shortk, ==, "sk_test_…");
  g_assert_cmpstr (none, ==, "(none)");
}

static void
test_config_env (void)
{
  g_autoptr(CpStripeConfig) config = NULL;

  g_setenv ("CAREPAY_STRIPE_API_BASE", "http://127.0.0.1:9/", TRUE);
  g_setenv ("CAREPAY_STRIPE_SECRET_KEY", "sk_test_from_env", TRUE);
  g_setenv ("CAREPAY_STRIPE_PUBLISHABLE_KEY", "pk_test_from_env", TRUE);
  g_setenv ("CAREPAY_STRIPE_WEBHOOK_SECRET", "whsec_from_env", TRUE);
  g_unsetenv ("CAREPAY_STRIPE_JS_URL");

  config = cp_stripe_config_new_from_environment ();
  g_assert_cmpstr (cp_stripe_config_get_api_base (config), ==, "http://127.0.0.1:9");
  g_assert_cmpstr (cp_stripe_config_get_secret_key (config), ==, "sk_test_from_env");
  g_assert_cmpstr (cp_stripe_config_get_publishable_key (config), ==, "pk_test_from_env");
  g_assert_cmpstr (cp_stripe_config_get_webhook_secret (config), ==, "whsec_from_env");
  g_assert_cmpstr (cp_stripe_config_get_js_url (config), ==, "https://js.stripe.com/v3/");
  g_assert_true (cp_stripe_config_is_test_mode (config));

  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, "sk_live_abc");
  g_assert_false (cp_stripe_config_is_test_mode (config));
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, NULL);
  g_assert_false (cp_stripe_config_has_secret_key (config));

  /* Every key set: the keyring is not consulted (no Secret Service here). */
  {
    g_autoptr(CpStripeConfig) loaded = NULL;
    g_autoptr(GError) error = NULL;
    g_setenv ("CAREPAY_STRIPE_SECRET_KEY", "sk_test_from_env", TRUE);
    loaded = cp_stripe_config_load (NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cp_stripe_config_get_secret_key (loaded), ==, "sk_test_from_env");
  }

  g_unsetenv ("CAREPAY_STRIPE_API_BASE");
  g_unsetenv ("CAREPAY_STRIPE_SECRET_KEY");
  g_clear_object (&config);
  config = cp_stripe_config_new_from_environment ();
  g_assert_cmpstr (cp_stripe_config_get_api_base (config), ==, "https://api.stripe.com");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-error/card-error", test_card_error);
  g_test_add_func ("/carepay/stripe-error/card-error-code-only", test_card_error_code_only);
  g_test_add_func ("/carepay/stripe-error/invalid-request", test_invalid_request);
  g_test_add_func ("/carepay/stripe-error/not-an-error-object", test_not_an_error_object);
  g_test_add_func ("/carepay/stripe-error/decline-table", test_decline_table);
  g_test_add_func ("/carepay/stripe-error/redact-key", test_redact);
  g_test_add_func ("/carepay/stripe-error/config-environment", test_config_env);

  return g_test_run ();
}
