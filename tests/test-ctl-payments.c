/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl's money commands, run as the built program against a real
 * SQLite file and the real simulator on 127.0.0.1. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>

#include "cp-error.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-webhook.h"
#include "ctl-test-util.h"
#include "ledger-test-util.h"

#define SKIP_WITHOUT_SIM(f) if ((f)->ledger == NULL) return

/* carepayctl --db F --api-base SIM --secret-key KEY [--as USER] ARGS...;
 * `env` is "NAME=VALUE" pairs added to the environment (NULL-terminated). */
static void
ctl (LedgerFixture      *f,
     CtlRun             *run,
     const char         *as_user,
     const char * const *env,
     ...)
{
  const char *first;
  va_list rest;

  va_start (rest, env);
  first = va_arg (rest, const char *);
  ctl_run_money_valist (run, f->path, stripe_sim_base_url (), SIM_KEY, as_user, LT_PASSWORD, env, FALSE, first,
                        rest);
  va_end (rest);
}

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_pay (LedgerFixture *f,
          gconstpointer  data)
{
  g_auto(CtlRun) run = { 0 };
  g_auto(CtlRun) text = { 0 };
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;

  SKIP_WITHOUT_SIM (f);
  ctl (f, &run, "casey", NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  out = parse (run.out);
  g_assert_cmpstr (json_object_get_string_member (out, "invoice"), ==, "INV-2026-000001");
  g_assert_cmpstr (json_object_get_string_member (out, "status"), ==, "succeeded");
  g_assert_cmpint (json_object_get_int_member (out, "amount"), ==, 10000);
  g_assert_cmpstr (json_object_get_string_member (out, "card_brand"), ==, "visa");
  g_assert_cmpstr (json_object_get_string_member (out, "card_last4"), ==, "4242");
  g_assert_cmpstr (json_object_get_string_member (out, "invoice_status"), ==, "paid");
  g_assert_cmpint (json_object_get_int_member (out, "balance_due"), ==, 0);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (out, "payment_intent"), "pi_"));

  ctl (f, &text, "casey", NULL, "pay", "INV-2026-000002", "--payment-method", "pm_card_visa",
       "--amount", "5000", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_true (g_str_has_prefix (text.out, "Paid "));
  g_assert_nonnull (strstr (text.out, "INV-2026-000002"));

  a = lt_invoice (f, f->invoice_a);
  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (b->amount_paid, ==, 5000);
  g_assert_cmpint (((CpPayment *) g_ptr_array_index (a->payments, 0))->staff_id, ==, f->clerk->id);
}

static void
test_refusals (LedgerFixture *f,
               gconstpointer  data)
{
  g_auto(CtlRun) no_user = { 0 };
  g_auto(CtlRun) bad_password = { 0 };
  g_auto(CtlRun) usage = { 0 };
  g_auto(CtlRun) over = { 0 };
  g_auto(CtlRun) declined = { 0 };
  g_auto(CtlRun) live = { 0 };
  g_auto(CtlRun) missing = { 0 };
  const char *wrong_password[] = { "CAREPAY_PASSWORD=not it", NULL };
  g_autoptr(CpInvoice) a = NULL;

  SKIP_WITHOUT_SIM (f);
  ctl (f, &no_user, NULL, NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  ctl_assert_one_line_error (&no_user, 1);
  g_assert_nonnull (strstr (no_user.err, "--as"));

  ctl (f, &bad_password, "casey", wrong_password, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  ctl_assert_one_line_error (&bad_password, 1);

  ctl (f, &usage, "casey", NULL, "pay", "INV-2026-000001", NULL);
  ctl_assert_one_line_error (&usage, 2);

  ctl (f, &missing, "casey", NULL, "pay", "INV-2026-999999", "--payment-method", "pm_card_visa", NULL);
  ctl_assert_one_line_error (&missing, 1);

  ctl (f, &over, "casey", NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", "--amount", "10001", NULL);
  ctl_assert_one_line_error (&over, 1);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 0);

  ctl (f, &declined, "casey", NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_chargeDeclined", NULL);
  ctl_assert_one_line_error (&declined, 1);

  /* Global options are read before the command: a live key wins over the fixture's */
  {
    const char *argv[] = { CAREPAYCTL, "--db", f->path, "--api-base", stripe_sim_base_url (),
                           "--secret-key", "sk_live_not_a_real_key", "--as", "casey",
                           "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "CAREPAY_PASSWORD", LT_PASSWORD, TRUE);
    g_autoptr(GError) error = NULL;
    int wait_status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                                 &live.out, &live.err, &wait_status, &error));
    g_assert_no_error (error);
    live.status = WEXITSTATUS (wait_status);
    ctl_assert_one_line_error (&live, 1);
  }

  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_paid, ==, 0);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PENDING);
}

static void
test_refund_link_void (LedgerFixture *f,
                       gconstpointer  data)
{
  g_auto(CtlRun) paid = { 0 };
  g_auto(CtlRun) clerk_refund = { 0 };
  g_auto(CtlRun) refund = { 0 };
  g_auto(CtlRun) link = { 0 };
  g_auto(CtlRun) link_json = { 0 };
  g_auto(CtlRun) clerk_void = { 0 };
  g_auto(CtlRun) voided = { 0 };
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) link_out = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) c = NULL;
  JsonObject *first;

  SKIP_WITHOUT_SIM (f);
  ctl (f, &paid, "casey", NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  g_assert_cmpint (paid.status, ==, 0);

  ctl (f, &clerk_refund, "casey", NULL, "refund", "INV-2026-000001", "--reason", "duplicate", NULL);
  ctl_assert_one_line_error (&clerk_refund, 1);

  ctl (f, &refund, "sam", NULL, "refund", "INV-2026-000001", "--amount", "3000", "--reason", "duplicate", "--json", NULL);
  g_assert_cmpint (refund.status, ==, 0);
  out = parse (refund.out);
  first = json_array_get_object_element (json_object_get_array_member (out, "refunds"), 0);
  g_assert_cmpint (json_object_get_int_member (first, "amount"), ==, 3000);
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "succeeded");
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_refunded, ==, 3000);

  ctl (f, &link, "casey", NULL, "link", "INV-2026-000003", NULL);
  g_assert_cmpint (link.status, ==, 0);
  g_assert_true (g_str_has_prefix (link.out, "http"));
  ctl (f, &link_json, "casey", NULL, "link", "INV-2026-000003", "--json", NULL);
  g_assert_cmpint (link_json.status, ==, 0);
  link_out = parse (link_json.out);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (link_out, "id"), "plink_"));
  g_assert_cmpint (json_object_get_int_member (link_out, "amount"), ==, 5000);
  /* The same link again, not a second one */
  g_assert_true (g_str_has_prefix (link.out, json_object_get_string_member (link_out, "url")));

  ctl (f, &clerk_void, "casey", NULL, "void", "INV-2026-000003", NULL);
  ctl_assert_one_line_error (&clerk_void, 1);
  ctl (f, &voided, "sam", NULL, "void", "INV-2026-000003", NULL);
  g_assert_cmpint (voided.status, ==, 0);
  c = lt_invoice (f, f->invoice_c);
  g_assert_true (c->voided);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payment_links WHERE active = 1"), ==, 0);
}

static void
test_sync_and_verify (LedgerFixture *f,
                      gconstpointer  data)
{
  g_auto(CtlRun) differs = { 0 };
  g_auto(CtlRun) differs_json = { 0 };
  g_auto(CtlRun) sync = { 0 };
  g_auto(CtlRun) again = { 0 };
  g_auto(CtlRun) same = { 0 };
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(JsonObject) diff = NULL;
  g_autofree char *pi = NULL;

  SKIP_WITHOUT_SIM (f);
  pi = lt_pay_directly (f->client, f->invoice_b, 25000, "usd", "pm_card_visa");

  ctl (f, &differs, NULL, NULL, "verify", NULL);
  g_assert_cmpint (differs.status, ==, 1);
  g_assert_nonnull (strstr (differs.out, "INV-2026-000002"));
  g_assert_nonnull (strstr (differs.out, pi));
  g_assert_nonnull (strstr (differs.out, "payment missing locally"));
  ctl (f, &differs_json, NULL, NULL, "verify", "--json", NULL);
  g_assert_cmpint (differs_json.status, ==, 1);
  diff = parse (differs_json.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (diff, "differences")), ==, 1);

  ctl (f, &sync, NULL, NULL, "sync", "--json", NULL);
  g_assert_cmpint (sync.status, ==, 0);
  out = parse (sync.out);
  g_assert_cmpint (json_object_get_int_member (out, "applied"), >=, 1);

  ctl (f, &again, NULL, NULL, "sync", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, "Applied 0 events\n");

  ctl (f, &same, NULL, NULL, "verify", NULL);
  g_assert_cmpint (same.status, ==, 0);
}

/* Stripe charged, then the process died before writing it down */
static void
crash_after_confirm (LedgerFixture *f)
{
  g_auto(CtlRun) crashed = { 0 };
  const char *fault[] = { "CAREPAY_FAULT=after-stripe-confirm", NULL };
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpStripeList) list = NULL;
  g_autoptr(GError) error = NULL;

  ctl (f, &crashed, "casey", fault, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  g_assert_cmpint (crashed.status, ==, 99);

  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_paid, ==, 0);
  g_assert_cmpuint (a->payments->len, ==, 1);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (a->payments, 0))->status, ==, "requires_payment_method");

  list = cp_stripe_payment_intent_list (f->client, NULL, 100, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->items->len, ==, 1);
  g_assert_cmpstr (((CpStripePaymentIntent *) g_ptr_array_index (list->items, 0))->status, ==, "succeeded");
}

static void
test_crash_then_sync (LedgerFixture *f,
                      gconstpointer  data)
{
  g_auto(CtlRun) verify = { 0 };
  g_auto(CtlRun) sync = { 0 };
  g_auto(CtlRun) verified = { 0 };
  g_autoptr(CpInvoice) a = NULL;

  SKIP_WITHOUT_SIM (f);
  crash_after_confirm (f);

  ctl (f, &verify, NULL, NULL, "verify", NULL);
  g_assert_cmpint (verify.status, ==, 1);
  g_assert_nonnull (strstr (verify.out, "INV-2026-000001"));

  ctl (f, &sync, NULL, NULL, "sync", NULL);
  g_assert_cmpint (sync.status, ==, 0);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (a->amount_paid, ==, 10000);
  g_assert_cmpuint (a->payments->len, ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==, 1);

  ctl (f, &verified, NULL, NULL, "verify", NULL);
  g_assert_cmpint (verified.status, ==, 0);
}

static void
test_crash_then_pay_again (LedgerFixture *f,
                           gconstpointer  data)
{
  g_auto(CtlRun) again = { 0 };
  g_autoptr(CpInvoice) a = NULL;

  SKIP_WITHOUT_SIM (f);
  crash_after_confirm (f);

  /* The attempt on record is asked about first: it was paid, nothing is due */
  ctl (f, &again, "casey", NULL, "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  ctl_assert_one_line_error (&again, 1);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 1);

  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (a->payments->len, ==, 1);
}

static void
test_webhook_listen (LedgerFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeEvent) event = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autofree char *line = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *payload = NULL;
  const char *prefix = "carepayctl webhook-listen listening on ";
  const char *url;

  SKIP_WITHOUT_SIM (f);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_WEBHOOK_SECRET", "whsec_ctl_test", TRUE);
  listener = g_subprocess_launcher_spawn (launcher, &error, CAREPAYCTL, "--db", f->path,
                                          "--api-base", stripe_sim_base_url (), "--secret-key", SIM_KEY,
                                          "webhook-listen", "--port", "0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, prefix));
  url = line + strlen (prefix);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  pi = lt_pay_directly (f->client, f->invoice_a, 10000, "usd", "pm_card_visa");
  event = lt_wait_event (f->client, "payment_intent.succeeded", pi);
  node = json_node_init_object (json_node_alloc (), event->json);
  payload = json_to_string (node, FALSE);

  g_assert_cmpuint (ctl_post_signed (url, payload, "whsec_not_ours"), ==, 400);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_paid, ==, 0);
  g_clear_pointer (&a, cp_invoice_free);

  g_assert_cmpuint (ctl_post_signed (url, payload, "whsec_ctl_test"), ==, 200);
  g_assert_cmpuint (ctl_post_signed (url, payload, "whsec_ctl_test"), ==, 200);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (a->payments->len, ==, 1);

  g_subprocess_send_signal (listener, SIGTERM);
  g_assert_true (g_subprocess_wait (listener, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (listener));
  g_assert_cmpint (g_subprocess_get_exit_status (listener), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/carepay/ctl-payments/" path, LedgerFixture, NULL, lt_setup, func, lt_teardown)
  ADD ("pay", test_pay);
  ADD ("refusals", test_refusals);
  ADD ("refund-link-void", test_refund_link_void);
  ADD ("sync-and-verify", test_sync_and_verify);
  ADD ("crash-then-sync", test_crash_then_sync);
  ADD ("crash-then-pay-again", test_crash_then_pay_again);
  ADD ("webhook-listen", test_webhook_listen);
#undef ADD

  status = g_test_run ();
  stripe_sim_stop ();
  return status;
}
