/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The event poller and the webhook listener against a real SQLite file and
 * the real simulator on 127.0.0.1. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <sqlite3.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"
#include "cp-stripe-webhook.h"
#include "cp-sync.h"
#include "cp-webhook-listener.h"
#include "ledger-test-util.h"

#define SKIP_WITHOUT_SIM(f) if ((f)->ledger == NULL) return
#define WEBHOOK_SECRET "whsec_carepay_ledger_test"

static void
count_signal (CpSync   *sync,
              gint64    invoice_id,
              GArray   *ids)
{
  g_array_append_val (ids, invoice_id);
}

static gboolean
contains (GArray *ids,
          gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static guint
sync_once (CpSync *sync)
{
  g_autoptr(GError) error = NULL;
  guint applied = G_MAXUINT;

  g_assert_true (cp_sync_run (sync, NULL, &applied, &error));
  g_assert_no_error (error);
  return applied;
}

static void
test_payments_elsewhere (LedgerFixture *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GArray) received = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autoptr(CpInvoice) c = NULL;
  g_autoptr(CpPaymentLink) active = NULL;
  g_autofree char *desk_pi = NULL;
  g_autofree char *link_pi = NULL;
  g_autofree char *euro_pi = NULL;
  CpPayment *payment;

  SKIP_WITHOUT_SIM (f);
  sync = cp_sync_new (f->ledger);
  g_signal_connect (sync, "payment-received", G_CALLBACK (count_signal), received);
  g_signal_connect (sync, "invoice-changed", G_CALLBACK (count_signal), changed);

  /* Another desk takes A; the patient pays B through a link; someone
   * charges C in the wrong currency */
  link = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);
  desk_pi = lt_pay_directly (f->client, f->invoice_a, 10000, "usd", "pm_card_visa");
  link_pi = lt_pay_link (f->client, link->id, "pm_card_mastercard");
  euro_pi = lt_pay_directly (f->client, f->invoice_c, 5000, "eur", "pm_card_visa");

  g_assert_cmpuint (sync_once (sync), >=, 2);
  a = lt_invoice (f, f->invoice_a);
  b = lt_invoice (f, f->invoice_b);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (b->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (c->status, ==, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpuint (a->payments->len, ==, 1);
  g_assert_cmpuint (b->payments->len, ==, 1);
  payment = g_ptr_array_index (a->payments, 0);
  g_assert_cmpstr (payment->stripe_payment_intent_id, ==, desk_pi);
  g_assert_cmpint (payment->staff_id, ==, 0);
  payment = g_ptr_array_index (b->payments, 0);
  g_assert_cmpstr (payment->stripe_payment_intent_id, ==, link_pi);
  g_assert_cmpint (payment->channel, ==, CP_PAYMENT_CHANNEL_LINK);
  g_assert_cmpstr (payment->card_brand, ==, "mastercard");
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, 2);

  /* The paid link is revoked */
  active = cp_store_get_active_payment_link (CP_STORE (f->store), f->invoice_b, &error);
  g_assert_no_error (error);
  g_assert_null (active);

  g_assert_true (contains (received, f->invoice_a));
  g_assert_true (contains (received, f->invoice_b));
  g_assert_false (contains (received, f->invoice_c));
  g_assert_true (contains (changed, f->invoice_a));

  /* Nothing new: nothing applied, nothing counted twice */
  g_array_set_size (received, 0);
  g_assert_cmpuint (sync_once (sync), ==, 0);
  g_assert_cmpuint (received->len, ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, 2);
}

typedef struct {
  char *first_events_cursor;
  guint events_requests;
} HookLog;

static void
request_hook (const char   *method,
              const char   *path,
              CpStripeForm *form,
              gpointer      user_data)
{
  HookLog *log = user_data;

  if (g_str_equal (method, "GET") && g_str_equal (path, "/v1/events"))
    {
      if (log->events_requests++ == 0)
        log->first_events_cursor = g_strdup (cp_stripe_form_lookup (form, "ending_before"));
    }
}

static void
test_resume_after_reopen (LedgerFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(CpSync) again = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) c = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *reopened_cursor = NULL;
  HookLog log = { NULL, 0 };
  gint64 events_before;

  SKIP_WITHOUT_SIM (f);
  first = lt_pay_directly (f->client, f->invoice_a, 4000, "usd", "pm_card_visa");
  sync = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (sync), >=, 1);
  cursor = cp_store_get_meta (CP_STORE (f->store), "sync.cursor");
  g_assert_true (g_str_has_prefix (cursor, "evt_"));
  events_before = lt_count_rows (f, "SELECT COUNT(*) FROM applied_events");
  g_clear_object (&sync);

  /* Closed and opened again, as after a restart */
  lt_reopen (f);
  reopened_cursor = cp_store_get_meta (CP_STORE (f->store), "sync.cursor");
  g_assert_cmpstr (reopened_cursor, ==, cursor);

  second = lt_pay_directly (f->client, f->invoice_c, 5000, "usd", "pm_card_visa");
  cp_stripe_client_set_request_hook (f->client, request_hook, &log, NULL);
  again = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (again), >=, 1);
  cp_stripe_client_set_request_hook (f->client, NULL, NULL, NULL);

  /* It asked only for what came after the saved cursor */
  g_assert_cmpstr (log.first_events_cursor, ==, cursor);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), >, events_before);

  a = lt_invoice (f, f->invoice_a);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (a->amount_paid, ==, 4000);
  g_assert_cmpint (c->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, 2);
  g_free (log.first_events_cursor);
}

static void
test_long_gap (LedgerFixture *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autofree char *pi = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *old = NULL;
  g_autofree char *last = NULL;
  g_autoptr(CpPayment) paid = NULL;
  CpStore *store;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  SKIP_WITHOUT_SIM (f);
  store = CP_STORE (f->store);
  sync = cp_sync_new (f->ledger);

  /* Stripe no longer knows the cursor event (it expired) */
  pi = lt_pay_directly (f->client, f->invoice_a, 10000, "usd", "pm_card_visa");
  last = g_strdup_printf ("%" G_GINT64_FORMAT, now - 2 * 24 * 3600);
  g_assert_true (cp_store_set_meta (store, "sync.cursor", "evt_1ExpiredLongAgo0000000", &error));
  g_assert_true (cp_store_set_meta (store, "sync.last_sync", last, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync_once (sync), >=, 1);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  cursor = cp_store_get_meta (store, "sync.cursor");
  g_assert_cmpstr (cursor, !=, "evt_1ExpiredLongAgo0000000");
  g_assert_true (g_str_has_prefix (cursor, "evt_"));

  /* The cursor is a real event but older than Stripe keeps them: the same
   * catch-up, which also finds a refund made on the Dashboard */
  paid = cp_ledger_pay_with_test_method (f->ledger, f->invoice_b, 0, "pm_card_visa",
                                         CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
    g_autoptr(JsonObject) refund = NULL;

    cp_stripe_form_add (form, "payment_intent", paid->stripe_payment_intent_id);
    cp_stripe_form_add_int (form, "amount", 5000);
    refund = stripe_sim_request_ok (f->client, "POST", "/v1/refunds", form);
  }
  old = g_strdup_printf ("%" G_GINT64_FORMAT, now - 40 * 24 * 3600);
  g_assert_true (cp_store_set_meta (store, "sync.cursor_created", old, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync_once (sync), >=, 1);
  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (b->amount_refunded, ==, 5000);
  g_assert_cmpint (b->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpint (b->balance_due, ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM refunds"), ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, 2);

  /* And back to events as usual */
  g_assert_cmpuint (sync_once (sync), ==, 0);
}

static void
count_in_main_thread (CpSync *sync,
                      gint64  invoice_id,
                      GArray *ids)
{
  /* Signals arrive on the caller's thread, not the worker's */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_array_append_val (ids, invoice_id);
}

static void
test_async (LedgerFixture *f,
            gconstpointer  data)
{
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GArray) received = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) c = NULL;
  g_autofree char *pi = NULL;
  LtWait wait = LT_WAIT_INIT;
  guint applied = 0;

  SKIP_WITHOUT_SIM (f);
  pi = lt_pay_directly (f->client, f->invoice_c, 5000, "usd", "pm_card_visa");
  sync = cp_sync_new (f->ledger);
  g_object_set (sync, "interval", 5, NULL);
  g_assert_cmpuint (cp_sync_get_interval (sync), ==, 5);
  g_signal_connect (sync, "payment-received", G_CALLBACK (count_in_main_thread), received);

  cp_sync_run_async (sync, NULL, lt_keep_result, &wait);
  g_assert_true (cp_sync_run_finish (sync, lt_wait_for (&wait), &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, >=, 1);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpint (g_array_index (received, gint64, 0), ==, f->invoice_c);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (c->status, ==, CP_INVOICE_STATUS_PAID);

  lt_wait_clear (&wait);
}

/* Webhooks */

typedef struct {
  GMainLoop *loop;
  guint      status;
  char      *body;
} Post;

static void
posted (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Post *post = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  g_assert_no_error (error);
  post->status = soup_message_get_status (msg);
  post->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_main_loop_quit (post->loop);
}

/* POSTs while the listener serves on this thread's main context */
static guint
post_webhook (const char  *url,
              const char  *payload,
              const char  *signature,
              char       **out_body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (payload, strlen (payload));
  Post post = { g_main_loop_new (NULL, FALSE), 0, NULL };

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Stripe-Signature", signature);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, posted, &post);
  g_main_loop_run (post.loop);
  g_main_loop_unref (post.loop);
  if (out_body != NULL)
    *out_body = post.body;
  else
    g_free (post.body);
  return post.status;
}

static char *
event_payload (CpStripeEvent *event)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), event->json);

  return json_to_string (node, FALSE);
}

static void
test_webhooks (LedgerFixture *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpWebhookListener) listener = NULL;
  g_autoptr(CpStripeEvent) event_a = NULL;
  g_autoptr(CpStripeEvent) event_b = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pi_a = NULL;
  g_autofree char *pi_b = NULL;
  g_autofree char *payload_a = NULL;
  g_autofree char *payload_b = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *sql = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  SKIP_WITHOUT_SIM (f);
  listener = cp_webhook_listener_new (f->ledger, WEBHOOK_SECRET);
  g_assert_true (cp_webhook_listener_listen (listener, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cp_webhook_listener_get_port (listener), >, 0);
  url = cp_webhook_listener_dup_url (listener);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  pi_a = lt_pay_directly (f->client, f->invoice_a, 10000, "usd", "pm_card_visa");
  event_a = lt_wait_event (f->client, "payment_intent.succeeded", pi_a);
  payload_a = event_payload (event_a);
  signature = cp_stripe_webhook_sign (payload_a, strlen (payload_a), WEBHOOK_SECRET, now);

  /* Delivered twice (Stripe retries): applied once */
  g_assert_cmpuint (post_webhook (url, payload_a, signature, NULL), ==, 200);
  g_assert_cmpuint (post_webhook (url, payload_a, signature, &reply), ==, 200);
  g_assert_nonnull (strstr (reply, "duplicate"));
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (a->payments->len, ==, 1);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM applied_events WHERE event_id = '%s'", event_a->id);
  g_assert_cmpint (lt_count_rows (f, sql), ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==, 1);

  /* Forged: signed with another secret, or not at all, or tampered with */
  pi_b = lt_pay_directly (f->client, f->invoice_b, 25000, "usd", "pm_card_visa");
  event_b = lt_wait_event (f->client, "payment_intent.succeeded", pi_b);
  payload_b = event_payload (event_b);
  forged = cp_stripe_webhook_sign (payload_b, strlen (payload_b), "whsec_someone_else", now);
  g_clear_pointer (&reply, g_free);
  g_assert_cmpuint (post_webhook (url, payload_b, forged, &reply), ==, 400);
  g_assert_cmpuint (strlen (reply), >, 1);
  g_assert_cmpuint (post_webhook (url, payload_b, NULL, NULL), ==, 400);
  g_assert_cmpuint (post_webhook (url, payload_b, signature, NULL), ==, 400);   /* A's signature */

  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (b->status, ==, CP_INVOICE_STATUS_PENDING);
  g_assert_cmpuint (b->payments->len, ==, 0);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM applied_events WHERE event_id = '%s'", event_b->id);
  g_assert_cmpint (lt_count_rows (f, sql), ==, 0);
}

static void
count_applied (CpWebhookListener *listener,
               const char        *event_id,
               const char        *type,
               gint64             invoice_id,
               guint             *count)
{
  (*count)++;
}

/* The simulator itself delivers signed webhooks to the listener. */
static void
test_sim_delivers_webhooks (LedgerFixture *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpLedger) ledger = NULL;
  g_autoptr(CpWebhookListener) listener = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autofree char *url = NULL;
  g_autofree char *line = NULL;
  g_autofree char *pi = NULL;
  const char *prefix = "carepay-stripe-sim listening on ";
  guint applied = 0;

  SKIP_WITHOUT_SIM (f);
  /* The client learns the second simulator's address once it runs */
  client = stripe_sim_new_client (SIM_KEY, CP_STORE (f->store));
  ledger = cp_ledger_new (CP_STORE (f->store), client);
  listener = cp_webhook_listener_new (ledger, WEBHOOK_SECRET);
  g_signal_connect (listener, "event-applied", G_CALLBACK (count_applied), &applied);
  g_assert_true (cp_webhook_listener_listen (listener, 0, &error));
  g_assert_no_error (error);
  url = cp_webhook_listener_dup_url (listener);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_SIM_WEBHOOK_RETRY_MS", "50", TRUE);
  sim = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CAREPAY_STRIPE_SIM"), "--port", "0",
                                     "--webhook-url", url, "--webhook-secret", WEBHOOK_SECRET, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_strstrip (line);
  cp_stripe_config_set_api_base (cp_stripe_client_get_config (client), line + strlen (prefix));

  pi = lt_pay_directly (client, f->invoice_a, 10000, "usd", "pm_card_visa");

  /* Deliveries arrive on this thread's main context; bounded, not timed */
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(CpInvoice) now = NULL;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      now = lt_invoice (f, f->invoice_a);
      if (now->status == CP_INVOICE_STATUS_PAID)
        break;
      g_usleep (5 * 1000);
    }

  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (a->payments->len, ==, 1);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (a->payments, 0))->stripe_payment_intent_id, ==, pi);
  g_assert_cmpuint (applied, >=, 1);

  g_subprocess_force_exit (sim);
  g_subprocess_wait (sim, NULL, NULL);
}

/* carepayctl sync, killed (as a crash would) at the ledger's Nth store
 * write. Returns its exit status. */
static int
ctl_sync_killed_at (LedgerFixture *f,
                    const char    *fault)
{
  const char *argv[] = { CAREPAYCTL, "--db", f->path, "--api-base", stripe_sim_base_url (),
                         "--secret-key", SIM_KEY, "sync", NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "CAREPAY_FAULT", fault, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  envp = g_environ_unsetenv (envp, "CAREPAY_STRIPE_SECRET_KEY");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* Every event on the simulator, oldest first */
static GPtrArray *
all_events (LedgerFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeEventIter) iter = cp_stripe_event_iter_new (f->client, NULL, NULL);
  GPtrArray *events = cp_stripe_event_iter_next (iter, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

/* The stored cursor is the id of events[index]. */
static void
assert_cursor_at (LedgerFixture *f,
                  GPtrArray     *events,
                  guint          index)
{
  g_autofree char *cursor = cp_store_get_meta (CP_STORE (f->store), "sync.cursor");

  g_assert_cmpstr (cursor, ==, ((CpStripeEvent *) g_ptr_array_index (events, index))->id);
}

static void
assert_applied_once (LedgerFixture *f,
                     guint          n_payments,
                     guint          n_events)
{
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), ==, n_payments);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, n_events);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(DISTINCT event_id) FROM applied_events"), ==, n_events);
  /* One audit line per payment: none applied twice, none lost */
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==,
                   n_payments);
}

/* A page of events is applied in one transaction with the cursor: killed in
 * the middle of the first page, nothing of it is kept (no cursor, no
 * payment, no event marked applied); the next sync applies each event
 * exactly once. */
static void
test_crash_mid_page (LedgerFixture *f,
                     gconstpointer  data)
{
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *pi_a = NULL;
  g_autofree char *pi_b = NULL;
  g_autofree char *pi_c = NULL;

  SKIP_WITHOUT_SIM (f);
  pi_a = lt_pay_directly (f->client, f->invoice_a, 4000, "usd", "pm_card_visa");
  pi_b = lt_pay_directly (f->client, f->invoice_b, 5000, "usd", "pm_card_visa");
  pi_c = lt_pay_directly (f->client, f->invoice_c, 5000, "usd", "pm_card_visa");
  events = all_events (f);
  g_assert_cmpuint (events->len, ==, 9);

  /* The 4th write: the 2nd PaymentIntent, halfway through the page */
  g_assert_cmpint (ctl_sync_killed_at (f, "after-store-write#4"), ==, 99);
  cursor = cp_store_get_meta (CP_STORE (f->store), "sync.cursor");
  g_assert_null (cursor);
  assert_applied_once (f, 0, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments"), ==, 0);

  sync = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (sync), ==, 9);
  assert_applied_once (f, 3, 9);
  assert_cursor_at (f, events, 8);
  g_assert_cmpuint (sync_once (sync), ==, 0);
  assert_applied_once (f, 3, 9);
}

/* Killed in the second page: the first page (100 events) stays applied with
 * the cursor on its last event; the next sync redoes only the second page. */
static void
test_crash_second_page (LedgerFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 invoices[] = { f->invoice_a, f->invoice_b, f->invoice_c };
  guint n_payments = 36;
  guint first_page_payments = 0;

  SKIP_WITHOUT_SIM (f);
  for (guint i = 0; i < n_payments; i++)
    g_free (lt_pay_directly (f->client, invoices[i % 3], 100, "usd", "pm_card_visa"));
  events = all_events (f);
  g_assert_cmpuint (events->len, ==, 3 * n_payments);
  for (guint i = 0; i < 100; i++)
    if (g_str_equal (((CpStripeEvent *) g_ptr_array_index (events, i))->type, "payment_intent.succeeded"))
      first_page_payments++;

  /* Each event is one write: the 103rd is the 3rd of the second page */
  g_assert_cmpint (ctl_sync_killed_at (f, "after-store-write#103"), ==, 99);
  assert_cursor_at (f, events, 99);
  /* Each event is applied as its body says: the first page recorded the
   * payments whose succeeded event it holds */
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, 100);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), >=,
                   first_page_payments);

  sync = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (sync), ==, events->len - 100);
  assert_applied_once (f, n_payments, events->len);
  assert_cursor_at (f, events, events->len - 1);
}

/* In a page, a refund of a payment not recorded here needs a request to
 * Stripe: it is applied outside the page's transaction (no request is made
 * while the store is held) and the page goes on around it. */
static void
test_page_with_foreign_refund (LedgerFixture *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(CpStripeRefund) refund = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *ours = NULL;
  CpStripeRefundParams params = { 0 };

  SKIP_WITHOUT_SIM (f);
  foreign = lt_pay_directly (f->client, 0, 3000, "usd", "pm_card_visa");
  params.payment_intent = foreign;
  params.amount = 1000;
  refund = cp_stripe_refund_create (f->client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ours = lt_pay_directly (f->client, f->invoice_a, 4000, "usd", "pm_card_visa");
  events = all_events (f);

  sync = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (sync), ==, events->len);
  assert_applied_once (f, 1, events->len);
  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->amount_paid, ==, 4000);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM refunds"), ==, 0);
  assert_cursor_at (f, events, events->len - 1);
}

/* Bodies: the sync applies the events it lists by their own snapshot */

typedef struct {
  gint event_pages;
  gint object_gets;
} Gets;

static void
count_gets (const char   *method,
            const char   *path,
            CpStripeForm *form,
            gpointer      user_data)
{
  Gets *gets = user_data;

  if (!g_str_equal (method, "GET"))
    return;
  if (g_str_equal (path, "/v1/events"))
    g_atomic_int_inc (&gets->event_pages);
  else
    g_atomic_int_inc (&gets->object_gets);
}

/* One sync pass from where the store's cursor is, counting its GETs */
static guint
sync_counting (CpLedger *ledger,
               Gets     *gets)
{
  g_autoptr(CpSync) sync = cp_sync_new (ledger);
  CpStripeClient *client = cp_ledger_get_client (ledger);
  guint applied;

  *gets = (Gets) { 0 };
  cp_stripe_client_set_request_hook (client, count_gets, gets, NULL);
  applied = sync_once (sync);
  cp_stripe_client_set_request_hook (client, NULL, NULL, NULL);
  return applied;
}

/* A PaymentIntent confirmed straight on the simulator with a card that is
 * declined: its id */
static char *
decline_directly (CpStripeClient *client,
                  gint64          invoice_id,
                  gint64          amount)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) done = NULL;
  CpStripePaymentIntentParams params = { 0 };

  params.amount = amount;
  params.currency = "usd";
  params.invoice_id = invoice_id;
  params.card_only = TRUE;
  pi = cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  done = cp_stripe_payment_intent_confirm (client, pi->id, "pm_card_chargeDeclined", NULL, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_null (done);
  return g_strdup (pi->id);
}

static char *
refund_directly (CpStripeClient *client,
                 const char     *payment_intent,
                 gint64          amount)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeRefund) refund = NULL;
  CpStripeRefundParams params = { 0 };

  params.payment_intent = payment_intent;
  params.amount = amount;
  refund = cp_stripe_refund_create (client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (refund->id);
}

static char *
digest_query (CpSqliteStore *store,
              const char    *sql)
{
  sqlite3 *db = cp_sqlite_store_get_connection (store);
  sqlite3_stmt *stmt = NULL;
  char *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text != NULL ? text : g_strdup ("");
}

/* What the ledger holds: every payment, refund and invoice sum (not the
 * audit log: applying the states in order tells more of the history) */
static char *
ledger_digest (CpSqliteStore *store,
               const gint64  *invoices,
               guint          n_invoices)
{
  g_autoptr(GString) digest = g_string_new (NULL);
  g_autofree char *payments = digest_query (store,
    "SELECT group_concat(x, char(10)) FROM (SELECT stripe_payment_intent_id || ' ' || invoice_id || ' ' || "
    "status || ' ' || amount || ' ' || currency || ' ' || ifnull(stripe_charge_id, '-') || ' ' || "
    "ifnull(card_brand, '-') || ' ' || ifnull(card_last4, '-') || ' ' || ifnull(receipt_url, '-') || ' ' || "
    "ifnull(failure_code, '-') || ' ' || disputed || ' ' || overpaid || ' ' || channel AS x "
    "FROM payments ORDER BY stripe_payment_intent_id)");
  g_autofree char *refunds = digest_query (store,
    "SELECT group_concat(x, char(10)) FROM (SELECT r.stripe_refund_id || ' ' || p.stripe_payment_intent_id || ' ' || "
    "r.status || ' ' || r.amount || ' ' || r.currency || ' ' || ifnull(r.failure_reason, '-') AS x "
    "FROM refunds r JOIN payments p ON p.id = r.payment_id ORDER BY r.stripe_refund_id)");

  g_string_append_printf (digest, "%s\n--\n%s\n--\n", payments, refunds);
  for (guint i = 0; i < n_invoices; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice (CP_STORE (store), invoices[i], &error);

      g_assert_no_error (error);
      g_string_append_printf (digest, "%s paid %" G_GINT64_FORMAT " refunded %" G_GINT64_FORMAT
                              " due %" G_GINT64_FORMAT " status %d\n", invoice->number, invoice->amount_paid,
                              invoice->amount_refunded, invoice->balance_due, invoice->status);
    }
  return g_string_free (g_steal_pointer (&digest), FALSE);
}

/* Payments, a decline, a partial refund, a refund that fails later and a
 * dispute, made on the simulator as other desks and the Dashboard would:
 * synced from the events' bodies they give the same ledger as the events
 * applied the old way (each object asked for as Stripe has it now), with
 * no request but the event pages. */
static void
test_bodies_same_ledger (LedgerFixture *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(CpLedger) old_way = NULL;
  g_autoptr(CpStripeEvent) failed = NULL;
  g_autoptr(CpStripeEvent) disputed = NULL;
  g_autofree char *declined = NULL;
  g_autofree char *pi_a = NULL;
  g_autofree char *pi_b = NULL;
  g_autofree char *pi_b2 = NULL;
  g_autofree char *pi_c = NULL;
  g_autofree char *refund_b = NULL;
  g_autofree char *refund_c = NULL;
  g_autofree char *by_body = NULL;
  g_autofree char *by_retrieve = NULL;
  g_autofree char *failed_refund = NULL;
  LedgerFixture other = { 0 };
  Gets gets;
  gint old_gets = 0;

  SKIP_WITHOUT_SIM (f);
  declined = decline_directly (f->client, f->invoice_a, 10000);
  pi_a = lt_pay_directly (f->client, f->invoice_a, 10000, "usd", "pm_card_visa");
  pi_b = lt_pay_directly (f->client, f->invoice_b, 10000, "usd", "pm_card_refundFail");
  refund_b = refund_directly (f->client, pi_b, 4000);
  pi_b2 = lt_pay_directly (f->client, f->invoice_b, 15000, "usd", "pm_card_createDispute");
  pi_c = lt_pay_directly (f->client, f->invoice_c, 5000, "usd", "pm_card_mastercard");
  refund_c = refund_directly (f->client, pi_c, 2000);
  /* The simulator fails the refund and opens the dispute a moment later */
  failed = lt_wait_event (f->client, "refund.failed", refund_b);
  disputed = lt_wait_event (f->client, "charge.dispute.created", pi_b2);
  events = all_events (f);
  g_assert_cmpuint (events->len, <=, 100);

  g_assert_cmpuint (sync_counting (f->ledger, &gets), ==, events->len);
  g_assert_cmpint (gets.object_gets, ==, 0);
  g_assert_cmpint (gets.event_pages, >=, 1);

  /* The same events applied one by one the old way, into a second database */
  lt_make_database (&other);
  old_way = cp_ledger_new (CP_STORE (other.store), f->client);
  cp_stripe_client_set_request_hook (f->client, count_gets, &gets, NULL);
  gets = (Gets) { 0 };
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cp_ledger_apply_event_full (old_way, g_ptr_array_index (events, i), NULL, NULL, NULL, NULL,
                                                 &error));
      g_assert_no_error (error);
    }
  cp_stripe_client_set_request_hook (f->client, NULL, NULL, NULL);
  old_gets = gets.object_gets;
  g_assert_cmpint (old_gets, >=, 10);

  {
    gint64 invoices[] = { f->invoice_a, f->invoice_b, f->invoice_c };

    by_body = ledger_digest (f->store, invoices, G_N_ELEMENTS (invoices));
    by_retrieve = ledger_digest (other.store, invoices, G_N_ELEMENTS (invoices));
  }
  g_test_message ("object GETs: %d from bodies, %d the old way", 0, old_gets);
  g_assert_cmpstr (by_body, ==, by_retrieve);

  /* And what that ledger is */
  {
    g_autoptr(CpInvoice) a = lt_invoice (f, f->invoice_a);
    g_autoptr(CpInvoice) b = lt_invoice (f, f->invoice_b);
    g_autoptr(CpInvoice) c = lt_invoice (f, f->invoice_c);
    g_autoptr(CpPayment) decline = cp_store_get_payment_by_intent (CP_STORE (f->store), declined, NULL);
    g_autoptr(CpPayment) dispute = cp_store_get_payment_by_intent (CP_STORE (f->store), pi_b2, NULL);
    g_autoptr(CpPayment) card = cp_store_get_payment_by_intent (CP_STORE (f->store), pi_c, NULL);

    g_assert_cmpint (a->amount_paid, ==, 10000);
    g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
    g_assert_cmpint (b->amount_paid, ==, 25000);
    g_assert_cmpint (b->amount_refunded, ==, 0);
    g_assert_cmpint (c->amount_refunded, ==, 2000);
    g_assert_nonnull (decline);
    g_assert_false (cp_payment_status_counts (decline->status));
    g_assert_nonnull (decline->failure_code);
    g_assert_true (dispute->disputed);
    g_assert_cmpstr (card->card_brand, ==, "mastercard");
    g_assert_nonnull (card->card_last4);
  }
  /* The failed refund was recorded, then failed: its newer state applied */
  failed_refund = g_strdup_printf ("SELECT COUNT(*) FROM audit_log WHERE action IN ('refund.recorded', 'refund.failed') "
                                   "AND details LIKE '%%stripe=%s%%'", refund_b);
  g_assert_cmpint (lt_count_rows (f, failed_refund), ==, 2);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==, 4);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.disputed'"), ==, 1);

  /* Nothing new: nothing applied, nothing asked */
  g_assert_cmpuint (sync_counting (f->ledger, &gets), ==, 0);
  g_assert_cmpint (gets.object_gets, ==, 0);

  g_clear_object (&old_way);
  lt_teardown (&other, NULL);
}

/* What the desk recorded from Stripe is newer than the snapshots the sync
 * lists afterwards: none of them takes the ledger back (a payment stays
 * succeeded, a cancelled decline cancelled, a failed refund failed). */
static void
test_stale_snapshots (LedgerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPayment) paid = NULL;
  g_autoptr(CpPayment) declined = NULL;
  g_autoptr(CpPayment) refund_card = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GPtrArray) failing = NULL;
  g_autoptr(CpStripeEvent) failed = NULL;
  g_autoptr(GPtrArray) c_payments = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autoptr(CpInvoice) c = NULL;
  CpRefund *failing_refund;
  guint applied;
  Gets gets;

  SKIP_WITHOUT_SIM (f);
  paid = cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_visa", CP_PAYMENT_CHANNEL_DESK,
                                         f->clerk, NULL, &error);
  g_assert_no_error (error);
  refunds = cp_ledger_refund (f->ledger, f->invoice_a, 3000, "requested_by_customer", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  declined = cp_ledger_pay_with_test_method (f->ledger, f->invoice_c, 0, "pm_card_chargeDeclined",
                                             CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_error (error, CP_ERROR, CP_ERROR_CARD_DECLINED);
  g_clear_error (&error);
  refund_card = cp_ledger_pay_with_test_method (f->ledger, f->invoice_b, 0, "pm_card_refundFail",
                                                CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_no_error (error);
  failing = cp_ledger_refund (f->ledger, f->invoice_b, 5000, "requested_by_customer", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  failing_refund = g_ptr_array_index (failing, 0);
  /* The desk hears of the failure first (a webhook retrieves the refund) */
  failed = lt_wait_event (f->client, "refund.failed", failing_refund->stripe_refund_id);
  g_assert_true (cp_ledger_apply_event_full (f->ledger, failed, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (b->amount_refunded, ==, 0);
  g_clear_pointer (&b, cp_invoice_free);

  /* All but the one the webhook applied (customer.* events are not money) */
  applied = sync_counting (f->ledger, &gets);
  g_assert_cmpuint (applied, >=, 12);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, applied + 1);
  g_assert_cmpint (gets.object_gets, ==, 0);

  a = lt_invoice (f, f->invoice_a);
  b = lt_invoice (f, f->invoice_b);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (a->amount_paid, ==, 10000);
  g_assert_cmpint (a->amount_refunded, ==, 3000);
  g_assert_cmpint (b->amount_paid, ==, 25000);
  g_assert_cmpint (b->amount_refunded, ==, 0);
  g_assert_cmpint (c->amount_paid, ==, 0);
  c_payments = cp_store_list_payments (CP_STORE (f->store), f->invoice_c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c_payments->len, ==, 1);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (c_payments, 0))->status, ==, "canceled");
  g_assert_nonnull (((CpPayment *) g_ptr_array_index (c_payments, 0))->failure_code);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (a->payments, 0))->status, ==, "succeeded");
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.succeeded'"), ==, 2);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM refunds WHERE status = 'failed'"), ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'refund.failed'"), ==, 1);
}

/* PaymentIntents that are not ours (no invoice in their metadata, an
 * invoice this database does not have, another currency) change nothing,
 * asked about or not. */
static void
test_foreign_intents (LedgerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *none = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *euro = NULL;
  Gets gets;

  SKIP_WITHOUT_SIM (f);
  none = lt_pay_directly (f->client, 0, 3000, "usd", "pm_card_visa");
  missing = lt_pay_directly (f->client, 999, 3000, "usd", "pm_card_visa");
  euro = lt_pay_directly (f->client, f->invoice_c, 5000, "eur", "pm_card_visa");
  events = all_events (f);

  g_assert_cmpuint (sync_counting (f->ledger, &gets), ==, events->len);
  g_assert_cmpint (gets.object_gets, ==, 0);
  assert_applied_once (f, 0, events->len);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payments"), ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM stripe_versions"), ==, 0);
}

/* A paid link is revoked after the page commits: killed in between, the
 * check stays queued with the page and the next pass revokes it. */
static void
test_link_revocation_durable (LedgerFixture *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpPaymentLink) active = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(CpInvoice) b = NULL;
  g_autofree char *pi = NULL;

  SKIP_WITHOUT_SIM (f);
  link = cp_ledger_create_link (f->ledger, f->invoice_b, f->clerk, NULL, &error);
  g_assert_no_error (error);
  pi = lt_pay_link (f->client, link->id, "pm_card_visa");

  g_assert_cmpint (ctl_sync_killed_at (f, "before-link-checks#1"), ==, 99);
  b = lt_invoice (f, f->invoice_b);
  g_assert_cmpint (b->status, ==, CP_INVOICE_STATUS_PAID);
  active = cp_store_get_active_payment_link (CP_STORE (f->store), f->invoice_b, &error);
  g_assert_no_error (error);
  g_assert_nonnull (active);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM link_checks"), ==, 1);
  g_clear_pointer (&active, cp_payment_link_free);

  /* Nothing new to apply; the queued check is still seen to */
  sync = cp_sync_new (f->ledger);
  g_assert_cmpuint (sync_once (sync), ==, 0);
  active = cp_store_get_active_payment_link (CP_STORE (f->store), f->invoice_b, &error);
  g_assert_no_error (error);
  g_assert_null (active);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM link_checks"), ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM audit_log WHERE action = 'link.revoke'"), ==, 1);
}

/* Walking forward from a cursor: the next pages are fetched on a thread of
 * their own ("cp-sync-fetch") while the sync applies the page before. */

#define FETCH_THREAD "cp-sync-fetch"

/* Threads of this process with that name */
static guint
fetch_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strchomp (comm), FETCH_THREAD))
        n++;
    }
  return n;
}

static gboolean
on_fetch_thread (void)
{
  g_autofree char *comm = NULL;

  return g_file_get_contents ("/proc/thread-self/comm", &comm, NULL, NULL) &&
         g_str_equal (g_strchomp (comm), FETCH_THREAD);
}

/* Payments on the three invoices (one in five partly refunded) until the
 * simulator holds at least `n_events` more events; how many succeeded */
static guint
make_payments (LedgerFixture *f,
               guint          n_events)
{
  gint64 invoices[] = { f->invoice_a, f->invoice_b, f->invoice_c };
  guint events = 0;
  guint i;

  for (i = 0; events < n_events; i++)
    {
      g_autofree char *pi = lt_pay_directly (f->client, invoices[i % 3], 100, "usd", "pm_card_visa");

      events += 3;
      if (i % 5 == 0)
        {
          g_free (refund_directly (f->client, pi, 50));
          events += 2;
        }
    }
  return i;
}

/* A first sync, so the store has a cursor; the events it applied */
static guint
first_sync (LedgerFixture *f)
{
  g_autoptr(CpSync) sync = cp_sync_new (f->ledger);
  g_autofree char *pi = lt_pay_directly (f->client, f->invoice_a, 100, "usd", "pm_card_visa");
  g_autofree char *cursor = NULL;
  guint applied = sync_once (sync);

  cursor = cp_store_get_meta (CP_STORE (f->store), "sync.cursor");
  g_assert_true (g_str_has_prefix (cursor, "evt_"));
  return applied;
}

/* The forward cases' start: a first sync for a cursor (`n0` events), then
 * `n_payments` payments until more than `pages` full pages of events (100
 * each) follow it and at least `n_events` more. All the events, oldest first. */
static GPtrArray *
events_after_cursor (LedgerFixture *f,
                     guint          n_events,
                     guint          pages,
                     guint         *n0,
                     guint         *n_payments)
{
  GPtrArray *events;

  *n0 = first_sync (f);
  *n_payments = make_payments (f, n_events);
  events = all_events (f);
  g_assert_cmpuint (events->len - *n0, >, pages * 100);
  return events;
}

typedef struct {
  gint          pages;
  gint          pages_off_thread;  /* event pages not asked for by the fetch thread */
  gint          cancel_at;         /* cancel when the nth event page is asked for */
  GCancellable *cancellable;
} Forward;

static void
forward_hook (const char   *method,
              const char   *path,
              CpStripeForm *form,
              gpointer      user_data)
{
  Forward *forward = user_data;

  if (!g_str_equal (method, "GET") || !g_str_equal (path, "/v1/events"))
    return;
  if (!on_fetch_thread ())
    g_atomic_int_inc (&forward->pages_off_thread);
  if (g_atomic_int_add (&forward->pages, 1) + 1 == forward->cancel_at)
    g_cancellable_cancel (forward->cancellable);
}

/* Several pages after the cursor, fetched while the ones before apply: the
 * same ledger as one pass from no cursor (which walks back and applies it
 * all in order) into another database, each event applied once. */
static void
test_forward_pages_same_ledger (LedgerFixture *f,
                                gconstpointer  data)
{
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(CpSync) other_sync = NULL;
  g_autoptr(CpLedger) other_ledger = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *forward_digest = NULL;
  g_autofree char *back_digest = NULL;
  gint64 invoices[3];
  LedgerFixture other = { 0 };
  Forward forward = { 0 };
  guint n0, n_payments, after;

  SKIP_WITHOUT_SIM (f);
  events = events_after_cursor (f, 320, 3, &n0, &n_payments);
  after = events->len - n0;

  sync = cp_sync_new (f->ledger);
  cp_stripe_client_set_request_hook (f->client, forward_hook, &forward, NULL);
  g_assert_cmpuint (sync_once (sync), ==, after);
  cp_stripe_client_set_request_hook (f->client, NULL, NULL, NULL);
  g_assert_cmpuint (fetch_threads (), ==, 0);
  /* Each page asked for once, all by the fetch thread */
  g_assert_cmpint (forward.pages, ==, (after + 99) / 100);
  g_assert_cmpint (forward.pages_off_thread, ==, 0);
  assert_cursor_at (f, events, events->len - 1);
  assert_applied_once (f, 1 + n_payments, events->len);

  lt_make_database (&other);
  other_ledger = cp_ledger_new (CP_STORE (other.store), f->client);
  other_sync = cp_sync_new (other_ledger);
  g_assert_cmpuint (sync_once (other_sync), ==, events->len);
  invoices[0] = f->invoice_a;
  invoices[1] = f->invoice_b;
  invoices[2] = f->invoice_c;
  forward_digest = ledger_digest (f->store, invoices, G_N_ELEMENTS (invoices));
  back_digest = ledger_digest (other.store, invoices, G_N_ELEMENTS (invoices));
  g_assert_cmpstr (forward_digest, ==, back_digest);

  /* Nothing new: one page asked for, nothing applied */
  g_assert_cmpuint (sync_once (sync), ==, 0);
  g_assert_cmpuint (fetch_threads (), ==, 0);

  g_clear_object (&other_sync);
  g_clear_object (&other_ledger);
  lt_teardown (&other, NULL);
}

/* Stripe fails the third page: the pass stops with the two pages before it
 * applied and the cursor on the last of them; the next pass does the rest. */
static void
test_forward_error_later_page (LedgerFixture *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n0, n_payments, applied = 0;

  SKIP_WITHOUT_SIM (f);
  events = events_after_cursor (f, 250, 2, &n0, &n_payments);

  /* The first two event pages go through as they are, the third fails
   * (a 400 is not retried) */
  stripe_sim_add_fault ("delay=0", "GET", "/v1/events", 2);
  stripe_sim_add_fault ("status=400", "GET", "/v1/events", 1);
  sync = cp_sync_new (f->ledger);
  g_assert_false (cp_sync_run (sync, NULL, &applied, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (fetch_threads (), ==, 0);
  assert_cursor_at (f, events, n0 + 199);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, n0 + 200);

  g_assert_cmpuint (sync_once (sync), ==, events->len - n0 - 200);
  g_assert_cmpuint (fetch_threads (), ==, 0);
  assert_cursor_at (f, events, events->len - 1);
  assert_applied_once (f, 1 + n_payments, events->len);
}

/* Cancelled while the second page is being fetched: the pass returns with
 * the first page applied and no fetch thread left; the next pass does the
 * rest. */
static void
test_forward_cancel (LedgerFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Forward forward = { 0 };
  guint n0, n_payments, applied = 0;

  SKIP_WITHOUT_SIM (f);
  events = events_after_cursor (f, 250, 2, &n0, &n_payments);

  /* Cancelled before it starts: nothing applied, no thread left */
  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();

    g_cancellable_cancel (cancelled);
    sync = cp_sync_new (f->ledger);
    g_assert_false (cp_sync_run (sync, cancelled, &applied, &error));
    g_assert_true (g_error_matches (error, CP_ERROR, CP_ERROR_CANCELLED) ||
                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    g_clear_error (&error);
    g_assert_cmpuint (fetch_threads (), ==, 0);
    g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, n0);
  }

  forward.cancel_at = 2;
  forward.cancellable = cancellable;
  cp_stripe_client_set_request_hook (f->client, forward_hook, &forward, NULL);
  g_assert_false (cp_sync_run (sync, cancellable, &applied, &error));
  cp_stripe_client_set_request_hook (f->client, NULL, NULL, NULL);
  g_assert_true (g_error_matches (error, CP_ERROR, CP_ERROR_CANCELLED) ||
                 g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_cmpuint (fetch_threads (), ==, 0);
  /* The third page was never asked for */
  g_assert_cmpint (forward.pages, ==, 2);
  assert_cursor_at (f, events, n0 + 99);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM applied_events"), ==, n0 + 100);

  g_assert_cmpuint (sync_once (sync), ==, events->len - n0 - 100);
  g_assert_cmpuint (fetch_threads (), ==, 0);
  assert_applied_once (f, 1 + n_payments, events->len);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/carepay/sync/" path, LedgerFixture, NULL, lt_setup, func, lt_teardown)
  ADD ("payments-elsewhere", test_payments_elsewhere);
  ADD ("resume-after-reopen", test_resume_after_reopen);
  ADD ("long-gap", test_long_gap);
  ADD ("async", test_async);
  ADD ("webhooks", test_webhooks);
  ADD ("sim-delivers-webhooks", test_sim_delivers_webhooks);
  ADD ("crash-mid-page", test_crash_mid_page);
  ADD ("crash-second-page", test_crash_second_page);
  ADD ("page-with-foreign-refund", test_page_with_foreign_refund);
  ADD ("bodies-same-ledger", test_bodies_same_ledger);
  ADD ("stale-snapshots", test_stale_snapshots);
  ADD ("foreign-intents", test_foreign_intents);
  ADD ("link-revocation-durable", test_link_revocation_durable);
  ADD ("forward-pages-same-ledger", test_forward_pages_same_ledger);
  ADD ("forward-error-later-page", test_forward_error_later_page);
  ADD ("forward-cancel", test_forward_cancel);
#undef ADD

  status = g_test_run ();
  stripe_sim_stop ();
  return status;
}
