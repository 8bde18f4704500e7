/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fault-injection suite: seeded, repeatable random sequences of pay,
 * partial pay, refund, link (and paying it), void and sync against the real
 * simulator while it drops answers after committing, answers 500 and 429 in
 * bursts and delays past the client's timeout, and while carepayctl dies at
 * each point where it writes (CAREPAY_FAULT). After every run, once the
 * faults are gone and a sync has run, Stripe's objects and the local ledger
 * must agree:
 *
 *   - no PaymentIntent has two successful charges, no attempt two
 *     successful PaymentIntents, no more PaymentIntents made by the desk
 *     than idempotency keys stored, no invoice more money than its total;
 *   - no payment link whose URL someone was given is active on Stripe
 *     but unknown to the ledger;
 *   - every succeeded Stripe payment and every refund is in the ledger
 *     exactly once, with Stripe's status;
 *   - every invoice's paid, refunded and balance figures are what Stripe's
 *     objects add up to;
 *   - cp_ledger_verify and `carepayctl verify` find no difference.
 *
 * CAREPAY_FAULT_SEED (default 20261122) and CAREPAY_FAULT_RUNS (default 24)
 * choose the runs; the summary goes to the TAP stream and to
 * tests/output/faults.txt. "faults injected" counts the faults armed: each
 * queued burst of one to four simulator faults and each kill point set
 * (how many kills fired is printed too). Run with --verbose to see every
 * run's operations; a failing run is always shown. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-sqlite-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-sync.h"
#include "ctl-test-util.h"
#include "ledger-test-util.h"
#include "test-util.h"

#define DEFAULT_SEED 20261122
#define DEFAULT_RUNS 24
#define CLIENT_TIMEOUT_MS 250
#define DELAY_MS 600

typedef struct {
  guint64 runs;
  guint64 operations;
  guint64 faults;       /* faults armed: simulator faults queued, kill points set */
  guint64 kills;        /* kill points carepayctl actually died at */
  guint64 violations;
} Totals;

static Totals totals;
static char *template_dir;
static char *template_path;

typedef struct {
  GRand          *rand;
  char           *dir;
  char           *path;
  CpSqliteStore  *store;
  CpStripeClient *client;
  CpLedger       *ledger;
  CpStaff        *clerk;
  CpStaff        *supervisor;
  gint64          invoices[3];
  const char     *numbers[3];
  guint           violations;
  GString        *log;  /* what this run did, shown when it fails */
  GHashTable     *shown_links;  /* ids of links whose URL someone was given */
  char           *last_out;     /* carepayctl's last standard output */
} Run;

static const char *invoice_numbers[] = { "INV-2026-000001", "INV-2026-000002", "INV-2026-000003" };

/* The simulator's control endpoints */

static SoupSession *
control_session (void)
{
  static SoupSession *session;

  if (session == NULL)
    session = soup_session_new ();
  return session;
}

static JsonObject *
sim_state (void)
{
  g_autofree char *url = g_strdup_printf ("%s/_sim/state", stripe_sim_base_url ());
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (control_session (), msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
sim_clear_faults (void)
{
  g_autofree char *url = g_strdup_printf ("%s/_sim/faults", stripe_sim_base_url ());
  g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (control_session (), msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* Opens a checkout for the link and pays it, as the patient's browser would;
 * FALSE when the simulator refuses (the link was deactivated). */
static gboolean
pay_link (Run        *r,
          const char *link_id)
{
  g_autofree char *url = g_strdup_printf ("%s/pay/%s/session", stripe_sim_base_url (), link_id);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CpStripePaymentIntent) done = NULL;
  const char *pi_id;

  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", empty);
  reply = soup_session_send_and_read (control_session (), msg, NULL, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != 200)
    return FALSE;
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error));
  pi_id = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                      "payment_intent", NULL);
  if (pi_id == NULL)
    return FALSE;
  done = cp_stripe_payment_intent_confirm (r->client, pi_id, "pm_card_visa", NULL, NULL, NULL, &error);
  return done != NULL;
}

static CpInvoice *
run_invoice (Run    *r,
                  gint64  id)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice = cp_store_get_invoice (CP_STORE (r->store), id, &error);

  g_assert_no_error (error);
  return invoice;
}

/* Faults */

static const char *fault_kinds[] = { "drop-after-commit", "status=500", "status=429", "delay=" G_STRINGIFY (DELAY_MS) };
static const char *fault_paths[] = { NULL, "/v1/payment_intents", "/v1/refunds", "/v1/payment_links", "/v1/events" };

/* Queues a burst or two of simulator faults; TRUE when one delays. */
static gboolean
arm_sim_faults (Run      *r,
                gboolean  with_delay)
{
  guint bursts = g_rand_int_range (r->rand, 1, 3);
  gboolean delayed = FALSE;

  for (guint i = 0; i < bursts; i++)
    {
      guint kind = g_rand_int_range (r->rand, 0, with_delay ? 4 : 3);
      const char *path = fault_paths[g_rand_int_range (r->rand, 0, G_N_ELEMENTS (fault_paths))];
      const char *method = g_rand_boolean (r->rand) ? "POST" : NULL;
      guint count = g_rand_int_range (r->rand, 1, 5);

      stripe_sim_add_fault (fault_kinds[kind], method, path, count);
      g_string_append_printf (r->log, " [%s x%u %s %s]", fault_kinds[kind], count,
                              method ? method : "*", path ? path : "*");
      totals.faults++;
      delayed |= kind == 3;
    }
  return delayed;
}

/* carepayctl, as a separate process that may die at a fault point */

static int
run_ctl (Run        *r,
         const char *as_user,
         const char *fault,
         ...)
{
  g_auto(CtlRun) run = { 0 };
  g_autofree char *fault_pair = fault != NULL ? g_strconcat ("CAREPAY_FAULT=", fault, NULL) : NULL;
  const char *env[] = { fault_pair, NULL };
  const char *first;
  va_list args;

  va_start (args, fault);
  first = va_arg (args, const char *);
  ctl_run_money_valist (&run, r->path, stripe_sim_base_url (), SIM_KEY, as_user, LT_PASSWORD, env, TRUE,
                        first, args);
  va_end (args);
  if (run.status == -1)
    {
      g_string_append_printf (r->log, " carepayctl crashed (wait status %d): %s", run.wait_status, run.err);
      r->violations++;
      return -1;
    }
  if (run.status == 99 && fault != NULL)
    totals.kills++;
  g_free (r->last_out);
  r->last_out = g_steal_pointer (&run.out);
  g_string_append_printf (r->log, " -> exit %d", run.status);
  return run.status;
}

static const char *
pick (Run         *r,
      const char **choices,
      guint        n)
{
  return choices[g_rand_int_range (r->rand, 0, n)];
}

/* Operations */

typedef enum {
  OP_PAY,
  OP_PARTIAL_PAY,
  OP_REFUND,
  OP_LINK,
  OP_PAY_LINK,
  OP_VOID,
  OP_SYNC,
  N_OPS
} Op;

static const char *op_names[] = { "pay", "partial-pay", "refund", "link", "pay-link", "void", "sync" };
static const guint op_weights[] = { 5, 5, 4, 3, 2, 1, 2 };

static Op
pick_op (Run *r)
{
  guint sum = 0, x;

  for (guint i = 0; i < N_OPS; i++)
    sum += op_weights[i];
  x = g_rand_int_range (r->rand, 0, sum);
  for (guint i = 0; i < N_OPS; i++)
    {
      if (x < op_weights[i])
        return i;
      x -= op_weights[i];
    }
  return OP_SYNC;
}

static gboolean
sync_once (Run     *r,
           GError **error)
{
  g_autoptr(CpSync) sync = cp_sync_new (r->ledger);

  return cp_sync_run (sync, NULL, NULL, error);
}

static void
run_op (Run *r)
{
  Op op = pick_op (r);
  guint which = g_rand_int_range (r->rand, 0, 3);
  gint64 invoice_id = r->invoices[which];
  const char *number = r->numbers[which];
  /* 0: clean, 1: simulator faults (in process), 2: carepayctl killed at a point,
   * 3: carepayctl under simulator faults (no delays: its timeout is long) */
  guint mode = g_rand_int_range (r->rand, 0, 4);
  g_autoptr(CpInvoice) invoice = run_invoice (r, invoice_id);
  g_autoptr(GError) error = NULL;
  g_autofree char *amount_text = NULL;
  const char *fault = NULL;
  gboolean delayed = FALSE;
  gint64 amount = 0;

  if (op == OP_PAY_LINK && mode >= 2)
    mode = 0;
  if (op == OP_PARTIAL_PAY && invoice->balance_due > 2)
    amount = g_rand_int_range (r->rand, 1, (gint32) MIN (invoice->balance_due, G_MAXINT32));
  if (op == OP_REFUND && g_rand_boolean (r->rand))
    amount = g_rand_int_range (r->rand, 1, 6000);
  if (amount > 0)
    amount_text = g_strdup_printf ("%" G_GINT64_FORMAT, amount);

  g_string_append_printf (r->log, "\n  %s %s amount=%" G_GINT64_FORMAT " mode=%u", op_names[op], number, amount, mode);
  totals.operations++;

  if (mode == 1)
    delayed = arm_sim_faults (r, TRUE);
  else if (mode == 3)
    arm_sim_faults (r, FALSE);

  if (mode == 2)
    {
      static const char *pay_points[] = {
        "after-payment-intent-create", "after-stripe-confirm", "before-store-write#1",
        "before-store-write#2", "after-store-write#1", "after-store-write#2",
      };
      static const char *refund_points[] = { "after-refund-create", "before-store-write#1", "after-store-write#1" };
      static const char *link_points[] = { "after-link-create", "before-store-write#1", "after-store-write#1" };
      static const char *void_points[] = { "before-store-write#1", "after-store-write#1" };
      static const char *sync_points[] = { "before-store-write#1", "before-store-write#2", "after-store-write#1" };

      switch (op)
        {
        case OP_PAY:
        case OP_PARTIAL_PAY:
          fault = pick (r, pay_points, G_N_ELEMENTS (pay_points));
          break;
        case OP_REFUND:
          fault = pick (r, refund_points, G_N_ELEMENTS (refund_points));
          break;
        case OP_LINK:
          fault = pick (r, link_points, G_N_ELEMENTS (link_points));
          break;
        case OP_VOID:
          fault = pick (r, void_points, G_N_ELEMENTS (void_points));
          break;
        case OP_SYNC:
          fault = pick (r, sync_points, G_N_ELEMENTS (sync_points));
          break;
        case OP_PAY_LINK:
        case N_OPS:
        default:
          break;
        }
      if (fault != NULL)
        {
          g_string_append_printf (r->log, " kill at %s", fault);
          totals.faults++;
        }
    }

  if (mode >= 2)
    {
      const char *method = g_rand_int_range (r->rand, 0, 10) == 0 ? "pm_card_chargeDeclined" : "pm_card_visa";

      switch (op)
        {
        case OP_PAY:
        case OP_PARTIAL_PAY:
          if (amount_text != NULL)
            run_ctl (r, "casey", fault, "pay", number, "--payment-method", method, "--amount", amount_text, NULL);
          else
            run_ctl (r, "casey", fault, "pay", number, "--payment-method", method, NULL);
          break;
        case OP_REFUND:
          if (amount_text != NULL)
            run_ctl (r, "sam", fault, "refund", number, "--reason", "duplicate", "--amount", amount_text, NULL);
          else
            run_ctl (r, "sam", fault, "refund", number, "--reason", "duplicate", NULL);
          break;
        case OP_LINK:
          if (run_ctl (r, "casey", fault, "link", number, NULL) == 0)
            {
              /* It printed the URL, .../pay/plink_... */
              g_autofree char *url = g_strstrip (g_strdup (r->last_out));
              const char *id = strrchr (url, '/');

              g_assert_nonnull (id);
              g_hash_table_add (r->shown_links, g_strdup (id + 1));
            }
          break;
        case OP_VOID:
          run_ctl (r, "sam", fault, "void", number, NULL);
          break;
        case OP_SYNC:
          run_ctl (r, NULL, fault, "sync", NULL);
          break;
        case OP_PAY_LINK:
        case N_OPS:
        default:
          g_assert_not_reached ();
        }
    }
  else
    {
      g_autoptr(CpPayment) payment = NULL;
      g_autoptr(GPtrArray) refunds = NULL;
      g_autoptr(CpPaymentLinkInfo) link = NULL;
      const char *method = g_rand_int_range (r->rand, 0, 10) == 0 ? "pm_card_chargeDeclined" : "pm_card_visa";
      gboolean ok = TRUE;

      switch (op)
        {
        case OP_PAY:
        case OP_PARTIAL_PAY:
          payment = cp_ledger_pay_with_test_method (r->ledger, invoice_id, amount, method,
                                                    CP_PAYMENT_CHANNEL_DESK, r->clerk, NULL, &error);
          ok = payment != NULL;
          break;
        case OP_REFUND:
          refunds = cp_ledger_refund (r->ledger, invoice_id, amount, "duplicate", r->supervisor, NULL, &error);
          ok = refunds != NULL;
          break;
        case OP_LINK:
          link = cp_ledger_create_link (r->ledger, invoice_id, r->clerk, NULL, &error);
          ok = link != NULL;
          if (ok)
            g_hash_table_add (r->shown_links, g_strdup (link->id));
          break;
        case OP_VOID:
          ok = cp_ledger_void_invoice (r->ledger, invoice_id, r->supervisor, NULL, &error);
          break;
        case OP_SYNC:
          ok = sync_once (r, &error);
          break;
        case OP_PAY_LINK:
          {
            g_autoptr(CpPaymentLink) active = NULL;
            g_autoptr(CpInvoice) now = NULL;

            /* As a patient would, some time later: the desk's state is settled */
            sim_clear_faults ();
            ok = sync_once (r, &error);
            if (!ok)
              break;
            active = cp_store_get_active_payment_link (CP_STORE (r->store), invoice_id, NULL);
            now = run_invoice (r, invoice_id);
            if (active == NULL || now->voided || active->amount != now->balance_due)
              {
                g_string_append (r->log, " (no payable link)");
                break;
              }
            ok = pay_link (r, active->id);
          }
          break;
        case N_OPS:
        default:
          g_assert_not_reached ();
        }
      g_string_append_printf (r->log, " -> %s%s", ok ? "ok" : "failed: ", ok ? "" : (error ? error->message : "?"));
    }

  sim_clear_faults ();
  /* A delayed request still commits on the simulator after the client gave
   * up; let it land before the next operation, as time would */
  if (delayed)
    g_usleep ((DELAY_MS + 150) * 1000);
}

/* The checks */

static void
violation (Run        *r,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
violation (Run        *r,
           const char *format,
           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_string_append_printf (r->log, "\n  VIOLATION: %s", text);
  r->violations++;
}

static gint64
metadata_invoice (JsonObject *object)
{
  JsonObject *metadata = json_object_has_member (object, "metadata") &&
                         JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "metadata"))
                         ? json_object_get_object_member (object, "metadata") : NULL;

  return metadata != NULL ? cp_ledger_metadata_invoice_id (metadata) : 0;
}

static JsonArray *
objects_of (JsonObject *state,
            const char *type)
{
  JsonObject *objects = json_object_get_object_member (state, "objects");

  if (!json_object_has_member (objects, type))
    return NULL;
  return json_object_get_array_member (objects, type);
}

/* One row's count and status from the local ledger */
static gint64
local_row (Run         *r,
           const char  *sql,
           const char  *id,
           char       **out_status)
{
  sqlite3 *db = cp_sqlite_store_get_connection (r->store);
  sqlite3_stmt *stmt = NULL;
  gint64 count = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      count++;
      if (out_status != NULL)
        {
          g_free (*out_status);
          *out_status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        }
    }
  sqlite3_finalize (stmt);
  return count;
}

static gint64
run_count_rows (Run        *r,
                  const char *sql)
{
  sqlite3 *db = cp_sqlite_store_get_connection (r->store);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
refund_counts (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "pending") == 0;
}

static void
check_run (Run *r)
{
  g_autoptr(JsonObject) state = sim_state ();
  JsonArray *pis = objects_of (state, "payment_intent");
  JsonArray *refunds = objects_of (state, "refund");
  JsonArray *charges = objects_of (state, "charge");
  g_autoptr(GHashTable) pi_invoice = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) succeeded_charges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) differences = NULL;
  g_autoptr(GError) error = NULL;
  gint64 paid[3] = { 0 }, refunded[3] = { 0 };

  /* At most one successful charge per PaymentIntent */
  for (guint i = 0; charges != NULL && i < json_array_get_length (charges); i++)
    {
      JsonObject *charge = json_array_get_object_element (charges, i);
      const char *pi = json_object_get_string_member_with_default (charge, "payment_intent", NULL);

      if (pi == NULL || g_strcmp0 (json_object_get_string_member_with_default (charge, "status", ""), "succeeded") != 0)
        continue;
      if (g_hash_table_contains (succeeded_charges, pi))
        violation (r, "PaymentIntent %s has two successful charges", pi);
      g_hash_table_add (succeeded_charges, g_strdup (pi));
    }

  for (guint i = 0; pis != NULL && i < json_array_get_length (pis); i++)
    {
      JsonObject *pi = json_array_get_object_element (pis, i);
      const char *id = json_object_get_string_member (pi, "id");
      const char *status = json_object_get_string_member_with_default (pi, "status", "");
      gint64 invoice_id = metadata_invoice (pi);
      g_autofree char *local_status = NULL;
      g_autofree char *attempt = NULL;
      gint64 rows;
      guint which = 3;

      for (guint k = 0; k < 3; k++)
        if (r->invoices[k] == invoice_id)
          which = k;
      if (which == 3)
        {
          violation (r, "PaymentIntent %s names no invoice of ours", id);
          continue;
        }
      g_hash_table_insert (pi_invoice, g_strdup (id), GUINT_TO_POINTER (which + 1));

      rows = local_row (r, "SELECT status FROM payments WHERE stripe_payment_intent_id = ?", id, &local_status);
      if (rows > 1)
        violation (r, "PaymentIntent %s is in the ledger %" G_GINT64_FORMAT " times", id, rows);
      if (g_str_equal (status, "succeeded"))
        {
          paid[which] += json_object_get_int_member (pi, "amount");
          if (rows != 1)
            violation (r, "succeeded PaymentIntent %s is in the ledger %" G_GINT64_FORMAT " times", id, rows);
          else if (g_strcmp0 (local_status, "succeeded") != 0)
            violation (r, "succeeded PaymentIntent %s is %s in the ledger", id, local_status);

          /* One attempt, one successful PaymentIntent (links have no attempt) */
          if (local_row (r, "SELECT attempt_id FROM payments WHERE stripe_payment_intent_id = ? AND attempt_id IS NOT NULL",
                         id, &attempt) == 1)
            {
              if (g_hash_table_contains (attempts, attempt))
                violation (r, "attempt %s has two successful PaymentIntents", attempt);
              g_hash_table_add (attempts, g_steal_pointer (&attempt));
            }
        }
      else if (rows == 1 && g_strcmp0 (local_status, "succeeded") == 0)
        violation (r, "PaymentIntent %s is %s on Stripe but succeeded in the ledger", id, status);
    }

  for (guint i = 0; refunds != NULL && i < json_array_get_length (refunds); i++)
    {
      JsonObject *refund = json_array_get_object_element (refunds, i);
      const char *id = json_object_get_string_member (refund, "id");
      const char *pi = json_object_get_string_member_with_default (refund, "payment_intent", NULL);
      const char *status = json_object_get_string_member_with_default (refund, "status", "");
      guint which = pi != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (pi_invoice, pi)) : 0;
      g_autofree char *local_status = NULL;
      gint64 rows;

      if (which == 0)
        {
          violation (r, "refund %s is for a PaymentIntent of no invoice", id);
          continue;
        }
      if (refund_counts (status))
        refunded[which - 1] += json_object_get_int_member (refund, "amount");
      rows = local_row (r, "SELECT status FROM refunds WHERE stripe_refund_id = ?", id, &local_status);
      if (rows != 1)
        violation (r, "refund %s is in the ledger %" G_GINT64_FORMAT " times", id, rows);
      else if (g_strcmp0 (local_status, status) != 0)
        violation (r, "refund %s is %s on Stripe but %s in the ledger", id, status, local_status);
    }

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(CpInvoice) invoice = run_invoice (r, r->invoices[k]);
      gint64 balance = 0;

      cp_invoice_status_compute (invoice->voided, invoice->total, paid[k], refunded[k],
                                 invoice->due_date, "2026-03-15", &balance);
      if (paid[k] - refunded[k] > invoice->total)
        violation (r, "%s: %" G_GINT64_FORMAT " taken net of refunds, more than its total %" G_GINT64_FORMAT,
                   invoice->number, paid[k] - refunded[k], invoice->total);
      if (invoice->amount_paid != paid[k] || invoice->amount_refunded != refunded[k] ||
          invoice->balance_due != balance)
        violation (r, "%s: ledger paid %" G_GINT64_FORMAT " refunded %" G_GINT64_FORMAT " due %" G_GINT64_FORMAT
                   ", Stripe's objects paid %" G_GINT64_FORMAT " refunded %" G_GINT64_FORMAT " due %" G_GINT64_FORMAT,
                   invoice->number, invoice->amount_paid, invoice->amount_refunded, invoice->balance_due,
                   paid[k], refunded[k], balance);
    }

  /* Each PaymentIntent we made came from one stored idempotency key (the
   * others came from link checkouts): a retry never made a second one */
  {
    JsonArray *sessions = objects_of (state, "checkout.session");
    g_autoptr(GHashTable) from_links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    gint64 keys = run_count_rows (r, "SELECT COUNT(*) FROM idempotency_keys WHERE operation LIKE 'pi.create:%'");
    gint64 ours = 0;

    for (guint i = 0; sessions != NULL && i < json_array_get_length (sessions); i++)
      {
        const char *pi = json_object_get_string_member_with_default (json_array_get_object_element (sessions, i),
                                                                     "payment_intent", NULL);
        if (pi != NULL)
          g_hash_table_add (from_links, g_strdup (pi));
      }
    for (guint i = 0; pis != NULL && i < json_array_get_length (pis); i++)
      if (!g_hash_table_contains (from_links, json_object_get_string_member (json_array_get_object_element (pis, i), "id")))
        ours++;
    if (ours > keys)
      violation (r, "%" G_GINT64_FORMAT " PaymentIntents made by the desk from %" G_GINT64_FORMAT " idempotency keys",
                 ours, keys);
  }

  /* No link a patient was given and could still pay that the ledger does
   * not know. (A link made on Stripe by a process that died before it
   * recorded or showed it has a URL nobody was given.) */
  {
    JsonArray *links = objects_of (state, "payment_link");

    for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
      {
        JsonObject *link = json_array_get_object_element (links, i);
        const char *id = json_object_get_string_member (link, "id");

        if (json_object_get_boolean_member_with_default (link, "active", FALSE) &&
            g_hash_table_contains (r->shown_links, id) &&
            local_row (r, "SELECT id FROM payment_links WHERE id = ?", id, NULL) != 1)
          violation (r, "payment link %s is active on Stripe but unknown to the ledger", id);
      }
  }

  differences = cp_ledger_verify (r->ledger, NULL, &error);
  if (differences == NULL)
    violation (r, "verify failed: %s", error->message);
  else
    for (guint i = 0; i < differences->len; i++)
      {
        CpLedgerDifference *d = g_ptr_array_index (differences, i);
        violation (r, "verify: %s %s %s", d->invoice_number, d->stripe_id, d->what);
      }
  if (run_ctl (r, NULL, NULL, "verify", NULL) != 0)
    violation (r, "carepayctl verify found differences");
}

/* One run */

static void
make_template (void)
{
  LedgerFixture f = { 0 };
  g_autoptr(GError) error = NULL;

  lt_make_database (&f);
  g_assert_true (cp_store_get_invoice_by_number (CP_STORE (f.store), "INV-2026-000001", NULL) != NULL);
  g_clear_object (&f.store);
  g_clear_pointer (&f.clerk, cp_staff_free);
  g_clear_pointer (&f.supervisor, cp_staff_free);
  template_dir = f.dir;
  template_path = f.path;
}

static void
one_run (guint32 seed,
         guint   index)
{
  Run r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) from = g_file_new_for_path (template_path);
  g_autoptr(GFile) to = NULL;
  guint n_ops;

  r.rand = g_rand_new_with_seed (seed + index * 7919u);
  r.log = g_string_new (NULL);
  r.shown_links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.dir = g_dir_make_tmp ("carepay-faults-XXXXXX", &error);
  g_assert_no_error (error);
  r.path = g_build_filename (r.dir, "carepay.db", NULL);
  to = g_file_new_for_path (r.path);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  stripe_sim_reset ();
  r.store = cp_sqlite_store_open (r.path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  r.client = stripe_sim_new_client (SIM_KEY, CP_STORE (r.store));
  cp_stripe_client_set_request_timeout (r.client, CLIENT_TIMEOUT_MS);
  cp_stripe_client_set_backoff (r.client, 2, 20);
  r.ledger = cp_ledger_new (CP_STORE (r.store), r.client);
  r.clerk = cp_store_authenticate (CP_STORE (r.store), "casey", LT_PASSWORD, &error);
  g_assert_no_error (error);
  r.supervisor = cp_store_authenticate (CP_STORE (r.store), "sam", LT_PASSWORD, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice_by_number (CP_STORE (r.store), invoice_numbers[k], &error);

      g_assert_no_error (error);
      r.invoices[k] = invoice->id;
      r.numbers[k] = invoice_numbers[k];
    }

  n_ops = g_rand_int_range (r.rand, 4, 11);
  g_string_append_printf (r.log, "run %u (seed %u), %u operations:", index, seed, n_ops);
  for (guint i = 0; i < n_ops; i++)
    run_op (&r);

  /* The faults are over: the clean sync that any desk runs every 30 s */
  sim_clear_faults ();
  cp_stripe_client_set_request_timeout (r.client, 10000);
  if (!sync_once (&r, &error))
    violation (&r, "the final sync failed: %s", error->message);
  g_clear_error (&error);
  check_run (&r);

  totals.runs++;
  totals.violations += r.violations;
  if (r.violations > 0 || g_test_verbose ())
    g_test_message ("%s", r.log->str);

  g_clear_object (&r.ledger);
  g_clear_object (&r.client);
  g_clear_object (&r.store);
  g_clear_pointer (&r.clerk, cp_staff_free);
  g_clear_pointer (&r.supervisor, cp_staff_free);
  g_rand_free (r.rand);
  g_string_free (r.log, TRUE);
  g_hash_table_unref (r.shown_links);
  g_free (r.last_out);
  test_remove_tree (r.dir);
  g_free (r.dir);
  g_free (r.path);
}

static void
write_summary (const char *line)
{
  const char *source = g_getenv ("CAREPAY_SOURCE_DIR");
  g_autofree char *dir = g_build_filename (source != NULL ? source : ".", "tests", "output", NULL);
  g_autofree char *path = g_build_filename (dir, "faults.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%s\n", line);

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, text, -1, &error))
    g_test_message ("Could not write %s: %s", path, error->message);
}

static void
test_random_runs (void)
{
  const char *seed_text = g_getenv ("CAREPAY_FAULT_SEED");
  const char *runs_text = g_getenv ("CAREPAY_FAULT_RUNS");
  guint64 seed = DEFAULT_SEED, runs = DEFAULT_RUNS;
  g_autofree char *summary = NULL;

  if (!stripe_sim_require ())
    return;
  if (seed_text != NULL && *seed_text != '\0')
    g_assert_true (g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT32, &seed, NULL));
  if (runs_text != NULL && *runs_text != '\0')
    g_assert_true (g_ascii_string_to_unsigned (runs_text, 10, 1, 1000000, &runs, NULL));

  make_template ();
  g_test_message ("seed %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " runs", seed, runs);
  for (guint i = 0; i < runs; i++)
    one_run ((guint32) seed, i);

  summary = g_strdup_printf ("runs %" G_GUINT64_FORMAT ", operations %" G_GUINT64_FORMAT
                             ", faults injected %" G_GUINT64_FORMAT ", violations %" G_GUINT64_FORMAT,
                             totals.runs, totals.operations, totals.faults, totals.violations);
  /* As a TAP comment, and the figures for the record */
  printf ("# %s\n", summary);
  printf ("# carepayctl killed at a fault point %" G_GUINT64_FORMAT " times (seed %" G_GUINT64_FORMAT ")\n",
          totals.kills, seed);
  write_summary (summary);
  test_remove_tree (template_dir);
  g_assert_cmpuint (totals.violations, ==, 0);
}

/* Regression (found by the random runs, seed 99): a patient paid the
 * invoice's link a moment ago and no event has been applied yet; the desk
 * must not take the whole amount a second time. */
static void
test_link_paid_then_desk (LedgerFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pi = NULL;

  if (f->ledger == NULL)
    return;
  link = cp_ledger_create_link (f->ledger, f->invoice_a, f->clerk, NULL, &error);
  g_assert_no_error (error);
  pi = lt_pay_link (f->client, link->id, "pm_card_visa");

  payment = cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_visa",
                                            CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_null (payment);
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 1);

  a = lt_invoice (f, f->invoice_a);
  g_assert_cmpint (a->status, ==, CP_INVOICE_STATUS_PAID);
  g_assert_cmpuint (a->payments->len, ==, 1);
  g_assert_cmpstr (((CpPayment *) g_ptr_array_index (a->payments, 0))->stripe_payment_intent_id, ==, pi);
  g_assert_cmpint (((CpPayment *) g_ptr_array_index (a->payments, 0))->channel, ==, CP_PAYMENT_CHANNEL_LINK);
}

/* An open checkout on the link (the page shown, no card yet) holds nothing
 * back: the desk can still take the payment. */
static void
test_link_opened_then_desk (LedgerFixture *f,
                            gconstpointer  data)
{
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) reply = NULL;

  if (f->ledger == NULL)
    return;
  link = cp_ledger_create_link (f->ledger, f->invoice_a, f->clerk, NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("%s/pay/%s/session", stripe_sim_base_url (), link->id);
  msg = soup_message_new ("POST", url);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", empty);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  payment = cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_visa",
                                            CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpint (payment->amount, ==, 10000);
}

/* Regression: carepayctl died after Stripe made the link and before it was
 * recorded; asked again, the desk gets that same link, not a second one. */
static void
test_link_crash_then_again (LedgerFixture *f,
                            gconstpointer  data)
{
  Run r = { 0 };
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(CpPaymentLink) active = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *links;

  if (f->ledger == NULL)
    return;
  r.path = f->path;
  r.log = g_string_new (NULL);

  g_assert_cmpint (run_ctl (&r, "casey", "after-link-create", "link", "INV-2026-000003", NULL), ==, 99);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payment_links"), ==, 0);
  g_assert_cmpint (run_ctl (&r, "casey", NULL, "link", "INV-2026-000003", NULL), ==, 0);

  state = sim_state ();
  links = objects_of (state, "payment_link");
  g_assert_nonnull (links);
  g_assert_cmpuint (json_array_get_length (links), ==, 1);
  active = cp_store_get_active_payment_link (CP_STORE (f->store), f->invoice_c, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (active->id, ==, json_object_get_string_member (json_array_get_object_element (links, 0), "id"));
  g_assert_nonnull (strstr (r.last_out, active->id));

  /* A link for a new balance is a new link */
  {
    g_autoptr(CpPayment) part = cp_ledger_pay_with_test_method (f->ledger, f->invoice_c, 1000, "pm_card_visa",
                                                                CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
    g_autoptr(CpPaymentLinkInfo) again = NULL;

    g_assert_no_error (error);
    again = cp_ledger_create_link (f->ledger, f->invoice_c, f->clerk, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again->id, !=, active->id);
    g_assert_cmpint (again->amount, ==, 4000);
  }

  g_string_free (r.log, TRUE);
  g_free (r.last_out);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/carepay/faults/link-paid-then-desk", LedgerFixture, NULL, lt_setup,
              test_link_paid_then_desk, lt_teardown);
  g_test_add ("/carepay/faults/link-opened-then-desk", LedgerFixture, NULL, lt_setup,
              test_link_opened_then_desk, lt_teardown);
  g_test_add ("/carepay/faults/link-crash-then-again", LedgerFixture, NULL, lt_setup,
              test_link_crash_then_again, lt_teardown);
  g_test_add_func ("/carepay/faults/random-runs", test_random_runs);
  status = g_test_run ();
  stripe_sim_stop ();
  return status;
}
