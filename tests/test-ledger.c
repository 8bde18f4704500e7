/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ledger against a real SQLite file and the real simulator on 127.0.0.1. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-payment-link.h"
#include "ledger-test-util.h"
#include "test-util.h"

#define SKIP_WITHOUT_SIM(f) if ((f)->ledger == NULL) return

static CpPayment *
pay (LedgerFixture *f,
     gint64         invoice_id,
     gint64         amount,
     const char    *method)
{
  g_autoptr(GError) error = NULL;
  CpPayment *payment = cp_ledger_pay_with_test_method (f->ledger, invoice_id, amount, method,
                                                       CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);
  return payment;
}

/* The ledger begins no payment for this (without a member of staff), and
 * says why with `code`. */
static void
assert_begin_refused (LedgerFixture    *f,
                      gint64            invoice_id,
                      gint64            amount,
                      CpPaymentChannel  channel,
                      gint              code)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cp_ledger_begin_payment (f->ledger, invoice_id, amount, channel, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, code);
}

static void
test_pay_visa (LedgerFixture *f,
               gconstpointer  data)
{
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPatient) patient = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_visa");
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpint (payment->amount, ==, 10000);
  g_assert_cmpstr (payment->currency, ==, "USD");
  g_assert_cmpstr (payment->card_brand, ==, "visa");
  g_assert_cmpstr (payment->card_last4, ==, "4242");
  g_assert_cmpint (payment->staff_id, ==, f->clerk->id);
  g_assert_cmpint (payment->channel, ==, CP_PAYMENT_CHANNEL_DESK);
  g_assert_nonnull (payment->attempt_id);
  g_assert_false (payment->overpaid);

  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 0);
  g_assert_cmpuint (invoice->payments->len, ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments"), ==, 1);

  /* The patient got a Stripe customer, kept for next time */
  patient = cp_store_get_patient (CP_STORE (f->store), invoice->patient->id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (patient->stripe_customer_id, "cus_"));

  /* The audit log names the action, the invoice, the amount and the clerk */
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded' "
                                     "AND object = 'INV-2026-000001' AND details LIKE 'amount=10000 %'"), ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT staff_id FROM audit_log WHERE action = 'payment.succeeded'"),
                   ==, f->clerk->id);

  /* The idempotency key of the attempt was stored under its operation */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM idempotency_keys WHERE operation = "
                                            "'pi.create:invoice=%" G_GINT64_FORMAT ":attempt=%s'",
                                            f->invoice_a, payment->attempt_id);
    g_assert_cmpint (lt_count_rows (f, sql), ==, 1);
  }

  /* Nothing left to pay */
  g_assert_null (cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_visa",
                                                 CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_declined (LedgerFixture *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPayment) payment = NULL;
  CpPayment *row;

  SKIP_WITHOUT_SIM (f);
  g_assert_null (cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_chargeDeclined",
                                                 CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_CARD_DECLINED);
  g_clear_error (&error);

  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpint (invoice->balance_due, ==, 10000);
  g_assert_cmpint (invoice->amount_paid, ==, 0);
  g_assert_cmpuint (invoice->payments->len, ==, 1);
  row = g_ptr_array_index (invoice->payments, 0);
  g_assert_cmpstr (row->failure_code, ==, "generic_decline");
  g_assert_false (cp_payment_status_counts (row->status));
  g_assert_false (cp_payment_status_is_open (row->status));

  /* The declined attempt no longer holds the balance: another card works */
  payment = pay (f, f->invoice_a, 0, "pm_card_mastercard");
  g_assert_cmpstr (payment->card_brand, ==, "mastercard");
  g_clear_pointer (&invoice, cp_invoice_free);
  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
}

static void
test_over_balance (LedgerFixture *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpPaymentAttempt) second = NULL;

  SKIP_WITHOUT_SIM (f);
  g_assert_null (cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 10001, "pm_card_visa",
                                                 CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  assert_begin_refused (f, f->invoice_a, 20000, CP_PAYMENT_CHANNEL_KIOSK, CP_ERROR_INVALID_INPUT);
  /* Refused before any PaymentIntent existed */
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 0);

  /* An open attempt holds its amount: a second one for the whole balance is refused */
  attempt = cp_ledger_begin_payment (f->ledger, f->invoice_a, 6000, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attempt->amount, ==, 6000);
  g_assert_true (g_str_has_prefix (attempt->payment_intent_id, "pi_"));
  g_assert_nonnull (attempt->client_secret);
  assert_begin_refused (f, f->invoice_a, 10000, CP_PAYMENT_CHANNEL_KIOSK, CP_ERROR_INVALID_INPUT);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 1);
  second = cp_ledger_begin_payment (f->ledger, f->invoice_a, 4000, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Desk payments need a signed-in member of staff */
  assert_begin_refused (f, f->invoice_b, 100, CP_PAYMENT_CHANNEL_DESK, CP_ERROR_PERMISSION);
}

static void
test_partial_then_rest (LedgerFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CpPayment) first = NULL;
  g_autoptr(CpPayment) rest = NULL;
  g_autoptr(CpInvoice) invoice = NULL;

  SKIP_WITHOUT_SIM (f);
  first = pay (f, f->invoice_b, 10000, "pm_card_visa");
  invoice = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PARTIALLY_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 15000);
  g_clear_pointer (&invoice, cp_invoice_free);

  rest = pay (f, f->invoice_b, 0, "pm_card_amex");
  g_assert_cmpint (rest->amount, ==, 15000);
  g_assert_cmpstr (rest->card_brand, ==, "amex");
  invoice = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (invoice->amount_paid, ==, 25000);
  g_assert_cmpuint (invoice->payments->len, ==, 2);
}

static CpStripeEvent *
fake_event (const char *id,
            const char *type,
            const char *object_id)
{
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"object\":\"event\",\"type\":\"%s\",\"created\":1,"
                                           "\"data\":{\"object\":{\"id\":\"%s\",\"object\":\"payment_intent\","
                                           "\"status\":\"succeeded\",\"amount\":99999999,"
                                           "\"metadata\":{\"invoice_id\":\"3\"}}}}",
                                           id, type, object_id);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return cp_stripe_event_new_from_json (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_apply_twice (LedgerFixture *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpPayment) again = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpStripeEvent) event = NULL;
  g_autoptr(CpStripeEvent) lying = NULL;
  g_autofree char *pi_id = NULL;
  gint64 changed = -1;
  gboolean applied = FALSE;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_visa");

  again = cp_ledger_complete_payment (f->ledger, payment->stripe_payment_intent_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, payment->id);

  /* The real event, twice: applied once */
  event = lt_wait_event (f->client, "payment_intent.succeeded", payment->stripe_payment_intent_id);
  g_assert_true (cp_ledger_apply_event_full (f->ledger, event, NULL, &changed, &applied, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  g_assert_cmpint (changed, ==, 0);   /* nothing new: we knew already */
  g_assert_true (cp_ledger_apply_event_full (f->ledger, event, NULL, &changed, &applied, NULL, &error));
  g_assert_false (applied);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, 1);

  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->amount_paid, ==, 10000);
  g_assert_cmpuint (invoice->payments->len, ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==, 1);
  g_clear_pointer (&invoice, cp_invoice_free);

  /* An event body that lies (amount, status) is not believed: the ledger
   * asks Stripe, which has an unpaid PaymentIntent for invoice C */
  {
    g_autoptr(CpPaymentAttempt) attempt = cp_ledger_begin_payment (f->ledger, f->invoice_c, 0,
                                                                   CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
    g_assert_no_error (error);
    pi_id = g_strdup (attempt->payment_intent_id);
  }
  lying = fake_event ("evt_forged_1", "payment_intent.succeeded", pi_id);
  g_assert_true (cp_ledger_apply_event (f->ledger, lying, NULL, &changed, &error));
  g_assert_no_error (error);
  invoice = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (invoice->amount_paid, ==, 0);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PENDING);
}

static void
test_foreign_payment_intents (LedgerFixture *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpStripePaymentIntent) confirmed = NULL;
  g_autofree char *euro = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CpStripeForm) form = NULL;
  g_autoptr(JsonObject) updated = NULL;

  SKIP_WITHOUT_SIM (f);

  /* Another currency: not counted */
  euro = lt_pay_directly (f->client, f->invoice_a, 10000, "eur", "pm_card_visa");
  g_assert_null (cp_ledger_complete_payment (f->ledger, euro, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Begun for A, then its metadata changed to name B: counted for neither */
  attempt = cp_ledger_begin_payment (f->ledger, f->invoice_a, 5000, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/v1/payment_intents/%s", attempt->payment_intent_id);
  form = cp_stripe_form_new ();
  cp_stripe_form_add_int (form, "metadata[invoice_id]", f->invoice_b);
  updated = stripe_sim_request_ok (f->client, "POST", path, form);
  confirmed = cp_stripe_payment_intent_confirm (f->client, attempt->payment_intent_id, "pm_card_visa",
                                                NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cp_ledger_complete_payment (f->ledger, attempt->payment_intent_id, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  a = lt_invoice (f, f->invoice_a);
  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (a->amount_paid, ==, 0);
  g_assert_cmpint (b->amount_paid, ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, 0);

  /* No metadata at all: not ours */
  {
    g_autofree char *bare = lt_pay_directly (f->client, 0, 700, "usd", "pm_card_visa");
    g_assert_null (cp_ledger_complete_payment (f->ledger, bare, NULL, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  }
}

static void
test_refunds (LedgerFixture *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  CpRefund *refund;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_visa");

  /* A clerk may not refund */
  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 3000, "requested_by_customer", f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 3000, "requested_by_customer", NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);

  refunds = cp_ledger_refund (f->ledger, f->invoice_a, 3000, "Billed twice for the X-ray", f->supervisor,
                              NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunds->len, ==, 1);
  refund = g_ptr_array_index (refunds, 0);
  g_assert_cmpint (refund->amount, ==, 3000);
  g_assert_cmpstr (refund->status, ==, "succeeded");
  g_assert_cmpstr (refund->reason, ==, "Billed twice for the X-ray");
  g_assert_cmpint (refund->staff_id, ==, f->supervisor->id);

  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->amount_refunded, ==, 3000);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (invoice->balance_due, ==, 0);
  g_clear_pointer (&invoice, cp_invoice_free);

  /* More than is left is refused, before Stripe hears of it */
  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 7001, "duplicate", f->supervisor, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* 0: everything left */
  rest = cp_ledger_refund (f->ledger, f->invoice_a, 0, "duplicate", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rest->len, ==, 1);
  g_assert_cmpint (((CpRefund *) g_ptr_array_index (rest, 0))->amount, ==, 7000);
  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->amount_refunded, ==, 10000);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_REFUNDED);
  g_assert_cmpuint (invoice->refunds->len, ==, 2);

  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 0, "duplicate", f->supervisor, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'refund' "
                                     "AND object = 'INV-2026-000001'"), ==, 2);
}

static void
test_refund_fails_later (LedgerFixture *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpStripeEvent) event = NULL;
  CpRefund *refund;
  gint64 changed = 0;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_refundFail");
  refunds = cp_ledger_refund (f->ledger, f->invoice_a, 0, "requested_by_customer", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  refund = g_ptr_array_index (refunds, 0);
  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_REFUNDED);
  g_clear_pointer (&invoice, cp_invoice_free);

  /* The bank sends it back later */
  event = lt_wait_event (f->client, "refund.updated", refund->stripe_refund_id);
  g_assert_true (cp_ledger_apply_event (f->ledger, event, NULL, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, f->invoice_a);

  invoice = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (invoice->amount_refunded, ==, 0);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (invoice->refunds->len, ==, 1);
  refund = g_ptr_array_index (invoice->refunds, 0);
  g_assert_cmpstr (refund->status, ==, "failed");
  g_assert_nonnull (refund->failure_reason);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'refund.failed'"), ==, 1);
}

static void
test_dispute (LedgerFixture *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpPayment) after = NULL;
  g_autoptr(CpStripeEvent) event = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  gint64 changed = 0;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_createDispute");
  event = lt_wait_event (f->client, "charge.dispute.created", payment->stripe_payment_intent_id);
  g_assert_true (cp_ledger_apply_event (f->ledger, event, NULL, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, f->invoice_a);

  after = cp_store_get_payment_by_intent (CP_STORE (f->store), payment->stripe_payment_intent_id, &error);
  g_assert_no_error (error);
  g_assert_true (after->disputed);
  query.search = "INV-2026-000001";
  rows = cp_store_list_invoices (CP_STORE (f->store), &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_true (((CpInvoiceSummary *) g_ptr_array_index (rows, 0))->disputed);

  /* A disputed charge cannot be refunded as well */
  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 0, "duplicate", f->supervisor, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_links (LedgerFixture *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpPaymentLinkInfo) same = NULL;
  g_autoptr(CpPaymentLinkInfo) second = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpStripePaymentLink) remote = NULL;
  g_autoptr(GPtrArray) links = NULL;

  SKIP_WITHOUT_SIM (f);
  link = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (link->id, "plink_"));
  g_assert_nonnull (link->url);
  g_assert_cmpint (link->amount, ==, 25000);
  g_assert_true (link->active);

  same = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (same->id, ==, link->id);

  /* The balance changes: the old link stops taking money */
  payment = pay (f, f->invoice_b, 5000, "pm_card_visa");
  remote = cp_stripe_payment_link_retrieve (f->client, link->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (remote->active);

  second = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->id, !=, link->id);
  g_assert_cmpint (second->amount, ==, 20000);

  links = cp_store_list_payment_links (CP_STORE (f->store), f->invoice_b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 2);
  g_assert_false (((CpPaymentLink *) g_ptr_array_index (links, 0))->active);
  g_assert_cmpstr (((CpPaymentLink *) g_ptr_array_index (links, 0))->reason, ==, "balance changed");
  g_assert_nonnull (((CpPaymentLink *) g_ptr_array_index (links, 0))->revoked_at);
  g_assert_true (((CpPaymentLink *) g_ptr_array_index (links, 1))->active);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'link.create'"), ==, 2);
}

static void
test_void (LedgerFixture *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentLink) remote = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPayment) paid = NULL;

  SKIP_WITHOUT_SIM (f);
  attempt = cp_ledger_begin_payment (f->ledger, f->invoice_b, 5000, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);
  link = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (cp_ledger_void_invoice (f->ledger, f->invoice_b, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);

  g_assert_true (cp_ledger_void_invoice (f->ledger, f->invoice_b, f->supervisor, NULL, &error));
  g_assert_no_error (error);

  pi = cp_stripe_payment_intent_retrieve (f->client, attempt->payment_intent_id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pi->status, ==, "canceled");
  remote = cp_stripe_payment_link_retrieve (f->client, link->id, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (remote->active);

  invoice = lt_invoice (f, f->invoice_b);
  g_assert_true (invoice->voided);
  g_assert_cmpint (invoice->status, ==, CP_INVOICE_STATUS_CANCELLED);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payment_links WHERE active = 1"), ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.void'"), ==, 1);

  /* A void invoice takes no money */
  assert_begin_refused (f, f->invoice_b, 0, CP_PAYMENT_CHANNEL_KIOSK, CP_ERROR_INVALID_INPUT);

  /* A paid invoice is refunded, not voided */
  paid = pay (f, f->invoice_c, 0, "pm_card_visa");
  g_assert_false (cp_ledger_void_invoice (f->ledger, f->invoice_c, f->supervisor, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_live_key_refused (LedgerFixture *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeClient) live = NULL;
  g_autoptr(CpLedger) ledger = NULL;

  SKIP_WITHOUT_SIM (f);
  live = stripe_sim_new_client ("sk_live_not_a_real_key", CP_STORE (f->store));
  ledger = cp_ledger_new (CP_STORE (f->store), live);
  g_assert_null (cp_ledger_pay_with_test_method (ledger, f->invoice_a, 0, "pm_card_visa",
                                                 CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 0);
}

static void
test_verify (LedgerFixture *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) differences = NULL;
  g_autofree char *elsewhere = NULL;
  CpLedgerDifference *d;

  SKIP_WITHOUT_SIM (f);
  payment = pay (f, f->invoice_a, 0, "pm_card_visa");
  differences = cp_ledger_verify (f->ledger, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (differences->len, ==, 0);
  g_clear_pointer (&differences, g_ptr_array_unref);

  elsewhere = lt_pay_directly (f->client, f->invoice_b, 2500, "usd", "pm_card_visa");
  differences = cp_ledger_verify (f->ledger, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (differences->len, ==, 1);
  d = g_ptr_array_index (differences, 0);
  g_assert_cmpstr (d->invoice_number, ==, "INV-2026-000002");
  g_assert_cmpstr (d->stripe_id, ==, elsewhere);
  g_assert_cmpstr (d->what, ==, "payment missing locally");
}

static void
test_async (LedgerFixture *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpStripePaymentIntent) confirmed = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpPaymentAttempt) walked_away = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) c = NULL;
  LtWait wait = LT_WAIT_INIT;

  SKIP_WITHOUT_SIM (f);

  /* The kiosk: begin, the patient pays on the page, complete */
  cp_ledger_begin_payment_async (f->ledger, f->invoice_a, 0, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL,
                                 lt_keep_result, &wait);
  attempt = cp_ledger_begin_payment_finish (f->ledger, lt_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpint (attempt->amount, ==, 10000);
  g_assert_cmpint (attempt->channel, ==, CP_PAYMENT_CHANNEL_KIOSK);
  confirmed = cp_stripe_payment_intent_confirm (f->client, attempt->payment_intent_id, "pm_card_visa",
                                                NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cp_ledger_complete_payment_async (f->ledger, attempt->payment_intent_id, NULL, lt_keep_result, &wait);
  payment = cp_ledger_complete_payment_finish (f->ledger, lt_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpint (payment->channel, ==, CP_PAYMENT_CHANNEL_KIOSK);
  g_assert_cmpint (payment->staff_id, ==, 0);

  cp_ledger_refund_async (f->ledger, f->invoice_a, 1000, "requested_by_customer", f->supervisor, NULL,
                          lt_keep_result, &wait);
  refunds = cp_ledger_refund_finish (f->ledger, lt_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunds->len, ==, 1);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_refunded, ==, 1000);

  /* The patient walks away: the attempt is cancelled */
  cp_ledger_begin_payment_async (f->ledger, f->invoice_c, 0, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL,
                                 lt_keep_result, &wait);
  walked_away = cp_ledger_begin_payment_finish (f->ledger, lt_wait_for (&wait), &error);
  g_assert_no_error (error);
  cp_ledger_cancel_payment_async (f->ledger, walked_away->payment_intent_id, NULL, lt_keep_result, &wait);
  g_assert_true (cp_ledger_cancel_payment_finish (f->ledger, lt_wait_for (&wait), &error));
  g_assert_no_error (error);

  cp_ledger_create_link_async (f->ledger, f->invoice_c, f->clerk, NULL, lt_keep_result, &wait);
  link = cp_ledger_create_link_finish (f->ledger, lt_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->amount, ==, 5000);

  cp_ledger_void_invoice_async (f->ledger, f->invoice_c, f->clerk, NULL, lt_keep_result, &wait);
  g_assert_false (cp_ledger_void_invoice_finish (f->ledger, lt_wait_for (&wait), &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);
  cp_ledger_void_invoice_async (f->ledger, f->invoice_c, f->supervisor, NULL, lt_keep_result, &wait);
  g_assert_true (cp_ledger_void_invoice_finish (f->ledger, lt_wait_for (&wait), &error));
  g_assert_no_error (error);
  c = lt_invoice (f, f->invoice_c);
  g_assert_true (c->voided);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (c->payments, 0))->status, ==, "canceled");

  lt_wait_clear (&wait);
}

static void
test_migration_from_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-ledger-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "v1.db", NULL);
  g_autoptr(CpSqliteStore) old = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  sqlite3 *db;

  old = cp_sqlite_store_open_at_version (path, 1, &error);
  g_assert_no_error (error);
  db = cp_sqlite_store_get_connection (old);
  g_assert_cmpint (sqlite3_exec (db,
    "INSERT INTO patients (id, mrn, given_name, family_name) VALUES (1, 'MRN-1', 'Ann', 'Lee');"
    "INSERT INTO invoices (id, number, patient_id, issue_date, due_date, currency, created_at) "
    "  VALUES (1, 'INV-1', 1, '2026-03-01', '2026-03-31', 'USD', '2026-03-01T00:00:00Z');"
    "INSERT INTO line_items (invoice_id, position, description, quantity, unit_amount) "
    "  VALUES (1, 0, 'Visit', 1, 5000);"
    "INSERT INTO payments (invoice_id, stripe_payment_intent_id, amount, currency, status, channel, created_at) "
    "  VALUES (1, 'pi_old', 2000, 'USD', 'succeeded', 'desk', '2026-03-02T10:00:00Z');",
    NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&old);

  store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cp_sqlite_store_get_schema_version (store), ==, CP_SQLITE_SCHEMA_VERSION);
  payment = cp_store_get_payment_by_intent (CP_STORE (store), "pi_old", &error);
  g_assert_no_error (error);
  g_assert_cmpint (payment->amount, ==, 2000);
  g_assert_null (payment->attempt_id);
  g_assert_false (payment->overpaid);
  invoice = cp_store_get_invoice (CP_STORE (store), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (invoice->balance_due, ==, 3000);
  g_assert_false (cp_store_event_applied (CP_STORE (store), "evt_1", &error));
  g_assert_no_error (error);
  g_assert_true (cp_store_mark_event_applied (CP_STORE (store), "evt_1", "payment_intent.succeeded", &error));
  g_assert_true (cp_store_event_applied (CP_STORE (store), "evt_1", &error));
  g_assert_true (cp_store_mark_event_applied (CP_STORE (store), "evt_1", "payment_intent.succeeded", &error));
  g_assert_no_error (error);

  g_clear_object (&store);
  test_unlink_sqlite (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/ledger/migration-from-v1", test_migration_from_v1);
#define ADD(path, func) \
  g_test_add ("/carepay/ledger/" path, LedgerFixture, NULL, lt_setup, func, lt_teardown)
  ADD ("pay-visa", test_pay_visa);
  ADD ("declined", test_declined);
  ADD ("over-balance", test_over_balance);
  ADD ("partial-then-rest", test_partial_then_rest);
  ADD ("apply-twice", test_apply_twice);
  ADD ("foreign-payment-intents", test_foreign_payment_intents);
  ADD ("refunds", test_refunds);
  ADD ("refund-fails-later", test_refund_fails_later);
  ADD ("dispute", test_dispute);
  ADD ("links", test_links);
  ADD ("void", test_void);
  ADD ("live-key-refused", test_live_key_refused);
  ADD ("verify", test_verify);
  ADD ("async", test_async);
#undef ADD

  status = g_test_run ();
  stripe_sim_stop ();
  return status;
}
