/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-store.h"
#include "cp-stripe-customers.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-payment-link.h"
#include "cp-stripe-refunds.h"
#include "cp-stripe-version.h"
#include "test-stripe-fixture.h"

/* Counts attempts per request through the client's attempt-finished signal. */
typedef struct {
  guint           attempts;
  GArray         *statuses;
  CpStripeClient *client;
  gulong          handler;
} Attempts;

static void
attempt_finished_cb (CpStripeClient *client,
                     const char     *method,
                     const char     *path,
                     guint           status,
                     guint           attempt,
                     Attempts       *counter)
{
  counter->attempts++;
  g_array_append_val (counter->statuses, status);
}

static void
attempts_watch (CpStripeClient *client,
                Attempts       *counter)
{
  counter->attempts = 0;
  counter->statuses = g_array_new (FALSE, FALSE, sizeof (guint));
  counter->client = client;
  counter->handler = g_signal_connect (client, "attempt-finished", G_CALLBACK (attempt_finished_cb), counter);
}

static void
attempts_clear (Attempts *counter)
{
  g_clear_pointer (&counter->statuses, g_array_unref);
  g_clear_signal_handler (&counter->handler, counter->client);
}

static CpStripePaymentIntent *
create_pi (CpStripeClient *client,
           gint64          amount,
           gint64          invoice_id,
           const char     *operation)
{
  CpStripePaymentIntentParams params = {
    .amount = amount,
    .currency = "usd",
    .invoice_id = invoice_id,
    .invoice_number = "INV-2026-000012",
    .description = "Chest X-ray & consult",
    .card_only = TRUE,
  };
  g_autoptr(GError) error = NULL;
  CpStripePaymentIntent *pi;

  pi = cp_stripe_payment_intent_create (client, &params, operation, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pi);
  return pi;
}

static guint
count_charges (CpStripeClient *client,
               const char     *payment_intent)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autoptr(JsonObject) list = NULL;

  cp_stripe_form_add (form, "payment_intent", payment_intent);
  cp_stripe_form_add_int (form, "limit", 100);
  list = stripe_sim_request_ok (client, "GET", "/v1/charges", form);
  return json_array_get_length (json_object_get_array_member (list, "data"));
}

/* The simulator's client with SIM_KEY, or FALSE when the simulator is not
 * available (stripe_sim_require() then skips the test). */
static gboolean
sim_client (CpStripeClient **client)
{
  if (!stripe_sim_require ())
    return FALSE;
  *client = stripe_sim_new_client (SIM_KEY, NULL);
  return TRUE;
}

/* The simulator holds exactly one PaymentIntent: `id`, unless that is NULL. */
static void
assert_one_payment_intent (CpStripeClient *client,
                           const char     *id)
{
  g_autoptr(CpStripeList) list = NULL;
  g_autoptr(GError) error = NULL;

  list = cp_stripe_payment_intent_list (client, NULL, 100, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->items->len, ==, 1);
  if (id != NULL)
    g_assert_cmpstr (((CpStripePaymentIntent *) list->items->pdata[0])->id, ==, id);
}

/* ---- resources ---- */

static void
test_customer_ensure (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeCustomer) first = NULL;
  g_autoptr(CpStripeCustomer) again = NULL;
  g_autoptr(CpStripeCustomer) by_id = NULL;
  g_autoptr(CpStripeCustomer) stale = NULL;
  g_autoptr(GError) error = NULL;
  CpPatient *patient;

  if (!sim_client (&client))
    return;

  patient = cp_patient_new ();
  patient->id = 41;
  patient->mrn = g_strdup ("MRN-000041");
  patient->given_name = g_strdup ("Amara");
  patient->family_name = g_strdup ("Okafor-Núñez");
  patient->email = g_strdup ("amara@example.org");

  first = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (first->id, "cus_"));
  g_assert_cmpstr (first->email, ==, "amara@example.org");
  g_assert_cmpstr (first->name, ==, "Amara Okafor-Núñez");
  g_assert_cmpstr (json_object_get_string_member (first->metadata, "patient_id"), ==, "41");
  g_assert_cmpstr (json_object_get_string_member (first->metadata, "mrn"), ==, "MRN-000041");

  /* Found again by search, not created twice. */
  again = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->id, ==, first->id);

  /* By the id kept on the patient. */
  patient->stripe_customer_id = g_strdup (first->id);
  by_id = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_id->id, ==, first->id);

  /* A stale id falls back to the search. */
  g_free (patient->stripe_customer_id);
  patient->stripe_customer_id = g_strdup ("cus_gone");
  stale = cp_stripe_customer_ensure (client, patient, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stale->id, ==, first->id);

  cp_patient_free (patient);
}

static void
test_payment_intent_lifecycle (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) got = NULL;
  g_autoptr(CpStripePaymentIntent) canceled = NULL;
  g_autoptr(GError) error = NULL;

  if (!sim_client (&client))
    return;

  pi = create_pi (client, 12550, 12, "pi.create:invoice=12:attempt=a");
  g_assert_true (g_str_has_prefix (pi->id, "pi_"));
  g_assert_cmpstr (pi->status, ==, "requires_payment_method");
  g_assert_cmpint (pi->amount, ==, 12550);
  g_assert_cmpstr (pi->currency, ==, "usd");
  g_assert_cmpstr (cp_stripe_payment_intent_get_metadata (pi, "invoice_id"), ==, "12");
  g_assert_cmpstr (cp_stripe_payment_intent_get_metadata (pi, "invoice_number"), ==, "INV-2026-000012");
  g_assert_cmpstr (pi->description, ==, "Chest X-ray & consult");
  g_assert_nonnull (pi->client_secret);
  g_assert_true (g_str_has_prefix (pi->client_secret, pi->id));
  g_assert_null (pi->latest_charge);

  got = cp_stripe_payment_intent_retrieve (client, pi->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->id, ==, pi->id);
  g_assert_cmpint (got->amount, ==, 12550);

  canceled = cp_stripe_payment_intent_cancel (client, pi->id, "abandoned", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (canceled->status, ==, "canceled");
}

static void
test_payment_intent_automatic_methods (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(GError) error = NULL;
  CpStripePaymentIntentParams params = {
    .amount = 500, .currency = "usd", .receipt_email = "amara@example.org",
  };
  JsonObject *apm;

  if (!sim_client (&client))
    return;

  pi = cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  apm = json_object_get_object_member (pi->json, "automatic_payment_methods");
  g_assert_nonnull (apm);
  g_assert_true (json_object_get_boolean_member (apm, "enabled"));
  g_assert_cmpstr (pi->receipt_email, ==, "amara@example.org");

  /* Bad input never reaches Stripe. */
  params.amount = 0;
  g_assert_null (cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_confirm_success (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) paid = NULL;
  g_autoptr(CpStripePaymentIntent) got = NULL;
  g_autoptr(GError) error = NULL;
  CpPayment *payment;

  if (!sim_client (&client))
    return;

  pi = create_pi (client, 2500, 7, NULL);
  paid = cp_stripe_payment_intent_confirm (client, pi->id, "pm_card_visa", "pi.confirm:x", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (paid->status, ==, "succeeded");
  g_assert_cmpint (paid->amount_received, ==, 2500);
  g_assert_nonnull (paid->latest_charge);
  g_assert_true (g_str_has_prefix (paid->latest_charge->id, "ch_"));
  g_assert_cmpstr (paid->latest_charge_id, ==, paid->latest_charge->id);
  g_assert_cmpstr (paid->latest_charge->card_brand, ==, "visa");
  g_assert_cmpstr (paid->latest_charge->card_last4, ==, "4242");
  g_assert_nonnull (paid->latest_charge->receipt_url);
  g_assert_cmpint (paid->latest_charge->amount_refunded, ==, 0);

  got = cp_stripe_payment_intent_retrieve (client, pi->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got->latest_charge);
  g_assert_cmpstr (got->latest_charge->card_last4, ==, "4242");

  payment = cp_stripe_payment_intent_to_payment (got, 7);
  g_assert_cmpstr (payment->stripe_payment_intent_id, ==, pi->id);
  g_assert_cmpstr (payment->stripe_charge_id, ==, got->latest_charge->id);
  g_assert_cmpint (payment->amount, ==, 2500);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpstr (payment->card_brand, ==, "visa");
  g_assert_nonnull (payment->receipt_url);
  g_assert_nonnull (payment->created_at);
  cp_payment_free (payment);
}

static void
test_confirm_declines (void)
{
  struct { const char *pm; const char *key; } cases[] = {
    { "pm_card_chargeDeclined", "generic_decline" },
    { "pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds" },
    { "pm_card_chargeDeclinedLostCard", "lost_card" },
    { "pm_card_chargeDeclinedStolenCard", "stolen_card" },
    { "pm_card_chargeDeclinedFraudulent", "fraudulent" },
    { "pm_card_chargeDeclinedExpiredCard", "expired_card" },
    { "pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc" },
    { "pm_card_chargeDeclinedProcessingError", "processing_error" },
  };
  g_autoptr(CpStripeClient) client = NULL;

  if (!sim_client (&client))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CpStripePaymentIntent) pi = create_pi (client, 1000 + i, 3, NULL);
      g_autoptr(CpStripePaymentIntent) after = NULL;
      g_autoptr(CpStripeErrorInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      CpStripePaymentIntent *res;

      res = cp_stripe_payment_intent_confirm (client, pi->id, cases[i].pm, NULL, NULL, &info, &error);
      g_assert_null (res);
      g_assert_error (error, CP_ERROR, CP_ERROR_CARD_DECLINED);
      g_assert_nonnull (info);
      g_assert_cmpuint (info->http_status, ==, 402);
      g_assert_cmpstr (info->type, ==, "card_error");
      g_assert_cmpstr (cp_stripe_error_info_get_decline_key (info), ==, cases[i].key);
      g_assert_cmpstr (info->payment_intent_id, ==, pi->id);
      g_assert_nonnull (info->request_id);
      g_assert_cmpuint (info->attempts, ==, 1); /* a decline is never retried */
      g_assert_cmpstr (error->message, ==, cp_stripe_decline_staff_message (cases[i].key));
      g_clear_error (&error);

      after = cp_stripe_payment_intent_retrieve (client, pi->id, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (after->status, ==, "requires_payment_method");
      g_assert_cmpstr (after->last_error_type, ==, "card_error");
    }
}

static void
test_confirm_refused_live (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Attempts counter;

  if (!stripe_sim_require ())
    return;
  client = stripe_sim_new_client ("sk_live_not_a_real_key_0000", NULL);
  attempts_watch (client, &counter);

  g_assert_null (cp_stripe_payment_intent_confirm (client, "pi_123", "pm_card_visa", NULL, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_assert_cmpuint (counter.attempts, ==, 0);
  attempts_clear (&counter);
}

static void
test_errors (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeClient) bad_key = NULL;
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();

  if (!sim_client (&client))
    return;
  bad_key = stripe_sim_new_client ("sk_live_wrong_key_123456789", NULL);

  /* 401 */
  {
    g_autoptr(CpStripeErrorInfo) info = NULL;
    g_autoptr(GError) error = NULL;
    g_assert_null (cp_stripe_payment_intent_retrieve (bad_key, "pi_x", NULL, &info, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
    g_assert_cmpuint (info->http_status, ==, 401);
    g_assert_cmpstr (info->type, ==, "invalid_request_error");
    g_assert_cmpuint (info->attempts, ==, 1);
    /* Stripe's message may name the key; ours must only ever show it redacted. */
    g_assert_null (strstr (error->message, "sk_live_wrong_key_123456789"));
  }
  /* 404 */
  {
    g_autoptr(CpStripeErrorInfo) info = NULL;
    g_autoptr(GError) error = NULL;
    g_assert_null (cp_stripe_payment_intent_retrieve (client, "pi_doesnotexist", NULL, &info, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
    g_assert_cmpuint (info->http_status, ==, 404);
    g_assert_cmpstr (info->code, ==, "resource_missing");
    g_assert_nonnull (info->request_id);
  }
  /* 400 unknown parameter */
  {
    g_autoptr(CpStripeErrorInfo) info = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) obj = NULL;
    cp_stripe_form_add_int (form, "amount", 100);
    cp_stripe_form_add (form, "currency", "usd");
    cp_stripe_form_add (form, "colour", "blue");
    obj = cp_stripe_client_request (client, "POST", "/v1/payment_intents", form, NULL, NULL, NULL,
                                    &info, &error);
    g_assert_null (obj);
    g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
    g_assert_cmpuint (info->http_status, ==, 400);
    g_assert_cmpstr (info->code, ==, "parameter_unknown");
    g_assert_cmpstr (info->param, ==, "colour");
  }
  /* No key at all: refused before sending. */
  {
    g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
    g_autoptr(CpStripeClient) keyless = NULL;
    g_autoptr(GError) error = NULL;
    cp_stripe_config_set_api_base (config, stripe_sim_base_url ());
    keyless = cp_stripe_client_new (config, NULL, NULL);
    g_assert_null (cp_stripe_payment_intent_retrieve (keyless, "pi_x", NULL, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  }
}

static void
test_list_and_search (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeList) page1 = NULL;
  g_autoptr(CpStripeList) page2 = NULL;
  g_autoptr(CpStripeList) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!sim_client (&client))
    return;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CpStripePaymentIntent) pi = create_pi (client, 100 + i, i == 1 ? 99 : 50, NULL);
      g_ptr_array_add (ids, g_strdup (pi->id));
    }

  page1 = cp_stripe_payment_intent_list (client, NULL, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page1->items->len, ==, 2);
  g_assert_true (page1->has_more);
  /* newest first */
  g_assert_cmpstr (((CpStripePaymentIntent *) page1->items->pdata[0])->id, ==, ids->pdata[2]);
  page2 = cp_stripe_payment_intent_list (client, NULL, 2,
                                         ((CpStripePaymentIntent *) page1->items->pdata[1])->id,
                                         NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page2->items->len, ==, 1);
  g_assert_false (page2->has_more);
  g_assert_cmpstr (((CpStripePaymentIntent *) page2->items->pdata[0])->id, ==, ids->pdata[0]);

  found = cp_stripe_payment_intent_search_metadata (client, "invoice_id", "99", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->items->len, ==, 1);
  g_assert_cmpstr (((CpStripePaymentIntent *) found->items->pdata[0])->id, ==, ids->pdata[1]);
}

static void
test_refunds (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) paid = NULL;
  g_autoptr(CpStripePaymentIntent) after = NULL;
  g_autoptr(CpStripeRefund) partial = NULL;
  g_autoptr(CpStripeRefund) rest = NULL;
  g_autoptr(CpStripeRefund) got = NULL;
  g_autoptr(CpStripeList) list = NULL;
  g_autoptr(GError) error = NULL;
  CpStripeRefundParams params = { 0 };
  CpRefund *ledger;

  if (!sim_client (&client))
    return;

  pi = create_pi (client, 8000, 21, NULL);
  paid = cp_stripe_payment_intent_confirm (client, pi->id, "pm_card_mastercard", NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  params.payment_intent = pi->id;
  params.amount = 3000;
  params.reason = "requested_by_customer";
  params.invoice_id = 21;
  params.staff_id = 4;
  partial = cp_stripe_refund_create (client, &params, "refund:invoice=21:attempt=1", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (partial->id, "re_"));
  g_assert_cmpint (partial->amount, ==, 3000);
  g_assert_cmpstr (partial->status, ==, "succeeded");
  g_assert_cmpstr (partial->payment_intent, ==, pi->id);
  g_assert_cmpstr (partial->reason, ==, "requested_by_customer");
  g_assert_cmpstr (json_object_get_string_member (partial->metadata, "invoice_id"), ==, "21");

  /* amount 0: whatever is left */
  params.amount = 0;
  params.reason = NULL;
  rest = cp_stripe_refund_create (client, &params, "refund:invoice=21:attempt=2", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rest->amount, ==, 5000);

  /* More than is left: Stripe refuses. */
  {
    g_autoptr(CpStripeErrorInfo) info = NULL;
    g_autoptr(GError) too_much = NULL;
    params.amount = 1;
    g_assert_null (cp_stripe_refund_create (client, &params, NULL, NULL, &info, &too_much));
    g_assert_error (too_much, CP_ERROR, CP_ERROR_STRIPE);
    g_assert_cmpuint (info->http_status, ==, 400);
  }

  list = cp_stripe_refund_list (client, pi->id, 10, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->items->len, ==, 2);

  got = cp_stripe_refund_retrieve (client, partial->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->amount, ==, 3000);

  after = cp_stripe_payment_intent_retrieve (client, pi->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->latest_charge->amount_refunded, ==, 8000);

  ledger = cp_stripe_refund_to_refund (partial, 21, 5);
  g_assert_cmpstr (ledger->stripe_refund_id, ==, partial->id);
  g_assert_cmpint (ledger->amount, ==, 3000);
  g_assert_cmpstr (ledger->status, ==, "succeeded");
  cp_refund_free (ledger);
}

static void
test_payment_link (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentLink) link = NULL;
  g_autoptr(CpStripePaymentLink) again = NULL;
  g_autoptr(CpStripePaymentLink) off = NULL;
  g_autoptr(CpStripePaymentLink) got = NULL;
  g_autoptr(GError) error = NULL;
  CpStripePaymentLinkParams params = {
    .invoice_id = 33, .invoice_number = "INV-2026-000033", .amount = 4599, .currency = "usd",
  };
  JsonObject *restrictions, *pid_meta;

  if (!sim_client (&client))
    return;

  link = cp_stripe_payment_link_create (client, &params, "plink:invoice=33:attempt=1", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (link->id, "plink_"));
  g_assert_true (link->active);
  g_assert_nonnull (link->url);
  g_assert_true (g_str_has_prefix (link->price_id, "price_"));
  g_assert_cmpstr (json_object_get_string_member (link->metadata, "invoice_id"), ==, "33");
  restrictions = json_object_get_object_member (link->json, "restrictions");
  g_assert_nonnull (restrictions);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (restrictions, "completed_sessions"), "limit"), ==, 1);
  pid_meta = json_object_get_object_member (json_object_get_object_member (link->json, "payment_intent_data"), "metadata");
  g_assert_cmpstr (json_object_get_string_member (pid_meta, "invoice_id"), ==, "33");

  off = cp_stripe_payment_link_deactivate (client, link->id, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (off->active);
  got = cp_stripe_payment_link_retrieve (client, link->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (got->active);

  /* Bad input never reaches Stripe. */
  params.amount = -1;
  g_assert_null (cp_stripe_payment_link_create (client, &params, NULL, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_events (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeList) all = NULL;
  g_autoptr(CpStripeList) typed = NULL;
  g_autoptr(CpStripeList) two_types = NULL;
  g_autoptr(CpStripeEventIter) iter = NULL;
  g_autoptr(CpStripeEventIter) from_start = NULL;
  g_autoptr(GPtrArray) everything = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) walked = g_ptr_array_new_with_free_func (g_free);
  const char *succeeded[] = { "payment_intent.succeeded", NULL };
  const char *both[] = { "payment_intent.succeeded", "payment_intent.created", NULL };
  const char *oldest;

  if (!sim_client (&client))
    return;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CpStripePaymentIntent) pi = create_pi (client, 700 + i, 70 + i, NULL);
      g_autoptr(CpStripePaymentIntent) paid = cp_stripe_payment_intent_confirm (client, pi->id, "pm_card_visa",
                                                                               NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  all = cp_stripe_event_list (client, NULL, NULL, NULL, 100, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->items->len, >=, 6);
  for (guint i = 1; i < all->items->len; i++)
    g_assert_cmpint (((CpStripeEvent *) all->items->pdata[i - 1])->created, >=,
                     ((CpStripeEvent *) all->items->pdata[i])->created);

  typed = cp_stripe_event_list (client, succeeded, NULL, NULL, 100, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (typed->items->len, ==, 3);
  for (guint i = 0; i < typed->items->len; i++)
    {
      CpStripeEvent *ev = typed->items->pdata[i];
      g_assert_cmpstr (ev->type, ==, "payment_intent.succeeded");
      g_assert_cmpstr (json_object_get_string_member (ev->object, "object"), ==, "payment_intent");
    }
  two_types = cp_stripe_event_list (client, both, NULL, NULL, 100, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two_types->items->len, ==, 6);

  /* From the start, everything, oldest first. */
  from_start = cp_stripe_event_iter_new (client, NULL, NULL);
  cp_stripe_event_iter_set_page_size (from_start, 2);
  everything = cp_stripe_event_iter_next (from_start, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (everything->len, ==, all->items->len);
  g_assert_true (cp_stripe_event_iter_is_caught_up (from_start));
  for (guint i = 0; i < everything->len; i++)
    g_assert_cmpstr (((CpStripeEvent *) everything->pdata[i])->id, ==,
                     ((CpStripeEvent *) all->items->pdata[all->items->len - 1 - i])->id);
  g_assert_cmpstr (cp_stripe_event_iter_get_cursor (from_start), ==,
                   ((CpStripeEvent *) all->items->pdata[0])->id);

  /* After the oldest event, in pages of two. */
  oldest = ((CpStripeEvent *) all->items->pdata[all->items->len - 1])->id;
  iter = cp_stripe_event_iter_new (client, oldest, NULL);
  cp_stripe_event_iter_set_page_size (iter, 2);
  for (guint round = 0; round < 100; round++)
    {
      g_autoptr(GPtrArray) batch = cp_stripe_event_iter_next (iter, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < batch->len; i++)
        g_ptr_array_add (walked, g_strdup (((CpStripeEvent *) batch->pdata[i])->id));
      if (cp_stripe_event_iter_is_caught_up (iter))
        break;
    }
  g_assert_cmpuint (walked->len, ==, all->items->len - 1);
  for (guint i = 0; i < walked->len; i++)
    g_assert_cmpstr (walked->pdata[i], ==, ((CpStripeEvent *) all->items->pdata[all->items->len - 2 - i])->id);

  /* Nothing new: an empty batch; a new event shows up on the next call. */
  {
    g_autoptr(GPtrArray) none = cp_stripe_event_iter_next (iter, NULL, NULL, &error);
    g_autoptr(GPtrArray) fresh = NULL;
    g_autoptr(CpStripePaymentIntent) pi = NULL;
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
    pi = create_pi (client, 999, 99, NULL);
    fresh = cp_stripe_event_iter_next (iter, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fresh->len, ==, 1);
    g_assert_cmpstr (((CpStripeEvent *) fresh->pdata[0])->type, ==, "payment_intent.created");
  }
}

/* ---- idempotency, retries, timeouts, cancellation ---- */

static void
test_drop_after_commit (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) paid = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *confirm_path = NULL;
  Attempts counter;

  if (!sim_client (&client))
    return;

  pi = create_pi (client, 4200, 42, NULL);
  confirm_path = g_strdup_printf ("/v1/payment_intents/%s/confirm", pi->id);
  stripe_sim_add_fault ("drop-after-commit", "POST", confirm_path, 1);

  attempts_watch (client, &counter);
  paid = cp_stripe_payment_intent_confirm (client, pi->id, "pm_card_visa", "pi.confirm:invoice=42:attempt=z",
                                           NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (paid->id, ==, pi->id);
  g_assert_cmpstr (paid->status, ==, "succeeded");
  /* The first answer was lost; the retry with the same key got the committed result. */
  g_assert_cmpuint (counter.attempts, ==, 2);
  g_assert_cmpuint (g_array_index (counter.statuses, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (counter.statuses, guint, 1), ==, 200);
  g_assert_cmpuint (count_charges (client, pi->id), ==, 1);
  attempts_clear (&counter);
}

static void
test_drop_after_commit_create (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;

  if (!sim_client (&client))
    return;

  stripe_sim_add_fault ("drop-after-commit", "POST", "/v1/payment_intents", 2);
  pi = create_pi (client, 1234, 5, NULL);
  assert_one_payment_intent (client, pi->id);
}

static void
test_retry_bursts (void)
{
  const char *faults[] = { "status=500", "status=429" };
  g_autoptr(CpStripeClient) client = NULL;

  if (!sim_client (&client))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(CpStripePaymentIntent) pi = NULL;
      g_autoptr(CpStripeList) list = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CpStripeErrorInfo) info = NULL;
      Attempts counter;

      stripe_sim_reset ();
      attempts_watch (client, &counter);
      stripe_sim_add_fault (faults[i], "POST", "/v1/payment_intents", 3);
      pi = create_pi (client, 300, 3, NULL);
      g_assert_cmpuint (counter.attempts, ==, 4);
      g_assert_cmpuint (g_array_index (counter.statuses, guint, 3), ==, 200);
      assert_one_payment_intent (client, NULL);
      attempts_clear (&counter);

      /* One more than the retries allowed: the error comes back. */
      attempts_watch (client, &counter);
      stripe_sim_add_fault (faults[i], "GET", "/v1/payment_intents", 4);
      list = cp_stripe_payment_intent_list (client, NULL, 10, NULL, NULL, &info, &error);
      g_assert_null (list);
      g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
      g_assert_cmpuint (counter.attempts, ==, 4);
      g_assert_cmpuint (info->attempts, ==, 4);
      g_assert_cmpuint (info->http_status, ==, i == 0 ? 500 : 429);
      attempts_clear (&counter);
    }
}

static void
test_no_retry_on_client_errors (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Attempts counter;

  if (!sim_client (&client))
    return;
  attempts_watch (client, &counter);

  stripe_sim_add_fault ("status=400", "GET", "/v1/payment_intents", 1);
  g_assert_null (cp_stripe_payment_intent_list (client, NULL, 10, NULL, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_STRIPE);
  g_assert_cmpuint (counter.attempts, ==, 1);
  attempts_clear (&counter);
}

static void
test_timeout (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  Attempts counter;

  if (!sim_client (&client))
    return;
  cp_stripe_client_set_request_timeout (client, 200);
  attempts_watch (client, &counter);

  /* Slow once, then fine: the retry succeeds. */
  {
    g_autoptr(CpStripeList) list = NULL;
    g_autoptr(GError) error = NULL;
    stripe_sim_add_fault ("delay=3000", "GET", "/v1/payment_intents", 1);
    list = cp_stripe_payment_intent_list (client, NULL, 10, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (counter.attempts, ==, 2);
    g_assert_cmpuint (g_array_index (counter.statuses, guint, 0), ==, 0);
  }

  /* Always slow, no retries allowed: a network error. */
  {
    g_autoptr(CpStripeErrorInfo) info = NULL;
    g_autoptr(GError) error = NULL;
    cp_stripe_client_set_max_retries (client, 0);
    stripe_sim_add_fault ("delay=3000", "GET", "/v1/payment_intents", 1);
    g_assert_null (cp_stripe_payment_intent_list (client, NULL, 10, NULL, NULL, &info, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_NETWORK);
    g_assert_cmpuint (info->http_status, ==, 0);
    g_assert_cmpuint (info->attempts, ==, 1);
  }
  attempts_clear (&counter);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

static void
test_cancellation (void)
{
  g_autoptr(CpStripeClient) client = NULL;

  if (!sim_client (&client))
    return;

  /* While waiting for the answer. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CpStripeList) list = NULL;

    stripe_sim_add_fault ("delay=5000", "GET", "/v1/payment_intents", 1);
    cp_stripe_payment_intent_list_async (client, NULL, 10, NULL, cancellable, list_done_cb, &result);
    g_timeout_add (100, cancel_cb, cancellable);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    list = cp_stripe_payment_intent_list_finish (client, result, NULL, &error);
    g_assert_null (list);
    g_assert_error (error, CP_ERROR, CP_ERROR_CANCELLED);
  }

  /* While sleeping between retries. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CpStripeList) list = NULL;
    Attempts counter;

    cp_stripe_client_set_backoff (client, 60000, 60000);
    attempts_watch (client, &counter);
    stripe_sim_add_fault ("status=500", "GET", "/v1/payment_intents", 1);
    cp_stripe_payment_intent_list_async (client, NULL, 10, NULL, cancellable, list_done_cb, &result);
    while (counter.attempts == 0)
      g_main_context_iteration (NULL, TRUE);
    g_cancellable_cancel (cancellable);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    list = cp_stripe_payment_intent_list_finish (client, result, NULL, &error);
    g_assert_error (error, CP_ERROR, CP_ERROR_CANCELLED);
    g_assert_cmpuint (counter.attempts, ==, 1);
    attempts_clear (&counter);
  }

  /* Already cancelled: nothing is sent. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    Attempts counter;

    attempts_watch (client, &counter);
    g_cancellable_cancel (cancellable);
    g_assert_null (cp_stripe_payment_intent_list (client, NULL, 10, NULL, cancellable, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_CANCELLED);
    g_assert_cmpuint (counter.attempts, ==, 0);
    attempts_clear (&counter);
  }
}

static void
test_key_survives_restart (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *first_key = NULL;
  g_autofree char *pi_id = NULL;
  g_autoptr(GError) error = NULL;
  const char *operation = "pi.create:invoice=77:attempt=6f1c";

  if (!stripe_sim_require ())
    return;

  dir = g_dir_make_tmp ("carepay-stripe-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "carepay.db", NULL);

  /* First run: the create is committed by Stripe but the answer is lost and
   * no retry is allowed, so the app "crashes" without knowing the id. */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error);
    g_autoptr(CpStripeClient) client = NULL;
    g_autoptr(GError) local_error = NULL;
    CpStripePaymentIntentParams params = { .amount = 7700, .currency = "usd", .invoice_id = 77, .card_only = TRUE };

    g_assert_no_error (error);
    client = stripe_sim_new_client (SIM_KEY, CP_STORE (store));
    cp_stripe_client_set_max_retries (client, 0);
    first_key = cp_stripe_client_dup_idempotency_key (client, operation, &error);
    g_assert_no_error (error);
    g_assert_nonnull (first_key);

    stripe_sim_add_fault ("drop-after-commit", "POST", "/v1/payment_intents", 1);
    g_assert_null (cp_stripe_payment_intent_create (client, &params, operation, NULL, NULL, &local_error));
    g_assert_error (local_error, CP_ERROR, CP_ERROR_NETWORK);
  }

  /* After the restart: same key, same PaymentIntent, still only one. */
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_DEFAULT, &error);
    g_autoptr(CpStripeClient) client = NULL;
    g_autoptr(CpStripePaymentIntent) pi = NULL;
    g_autofree char *key = NULL;
    CpStripePaymentIntentParams params = { .amount = 7700, .currency = "usd", .invoice_id = 77, .card_only = TRUE };

    g_assert_no_error (error);
    client = stripe_sim_new_client (SIM_KEY, CP_STORE (store));
    key = cp_stripe_client_dup_idempotency_key (client, operation, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (key, ==, first_key);

    pi = cp_stripe_payment_intent_create (client, &params, operation, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_one_payment_intent (client, pi->id);
    pi_id = g_strdup (pi->id);
  }

  g_assert_nonnull (pi_id);
  g_remove (db);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (dir);
}

static void
test_async_api (void)
{
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(GError) error = NULL;
  CpStripePaymentIntentParams params = { .amount = 1500, .currency = "usd", .card_only = TRUE };

  if (!sim_client (&client))
    return;

  cp_stripe_payment_intent_create_async (client, &params, NULL, NULL, list_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  pi = cp_stripe_payment_intent_create_finish (client, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pi->amount, ==, 1500);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/stripe-client/customer-ensure", test_customer_ensure);
  g_test_add_func ("/carepay/stripe-client/payment-intent-lifecycle", test_payment_intent_lifecycle);
  g_test_add_func ("/carepay/stripe-client/payment-intent-automatic-methods", test_payment_intent_automatic_methods);
  g_test_add_func ("/carepay/stripe-client/confirm-success", test_confirm_success);
  g_test_add_func ("/carepay/stripe-client/confirm-declines", test_confirm_declines);
  g_test_add_func ("/carepay/stripe-client/confirm-refused-live", test_confirm_refused_live);
  g_test_add_func ("/carepay/stripe-client/errors", test_errors);
  g_test_add_func ("/carepay/stripe-client/list-and-search", test_list_and_search);
  g_test_add_func ("/carepay/stripe-client/refunds", test_refunds);
  g_test_add_func ("/carepay/stripe-client/payment-link", test_payment_link);
  g_test_add_func ("/carepay/stripe-client/events", test_events);
  g_test_add_func ("/carepay/stripe-client/drop-after-commit", test_drop_after_commit);
  g_test_add_func ("/carepay/stripe-client/drop-after-commit-create", test_drop_after_commit_create);
  g_test_add_func ("/carepay/stripe-client/retry-bursts", test_retry_bursts);
  g_test_add_func ("/carepay/stripe-client/no-retry-on-client-errors", test_no_retry_on_client_errors);
  g_test_add_func ("/carepay/stripe-client/timeout", test_timeout);
  g_test_add_func ("/carepay/stripe-client/cancellation", test_cancellation);
  g_test_add_func ("/carepay/stripe-client/key-survives-restart", test_key_survives_restart);
  g_test_add_func ("/carepay/stripe-client/async-api", test_async_api);

  ret = g_test_run ();
  stripe_sim_stop ();
  return ret;
}
