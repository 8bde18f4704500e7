/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-ledger.h"
#include "cp-sqlite-store.h"
#include "test-stripe-fixture.h"

G_BEGIN_DECLS

/* A real SQLite file in a temp dir with one patient, three invoices in USD
 * (10000, 25000 and 5000 minor units, no tax) and three staff members, and a
 * ledger on the real simulator. */
#define LT_PASSWORD "correct horse"

typedef struct {
  char          *dir;
  char          *path;
  CpSqliteStore *store;
  CpStripeClient *client;
  CpLedger      *ledger;
  CpStaff       *clerk;
  CpStaff       *supervisor;
  gint64         invoice_a;  /* INV-2026-000001, 10000 */
  gint64         invoice_b;  /* INV-2026-000002, 25000 */
  gint64         invoice_c;  /* INV-2026-000003, 5000 */
} LedgerFixture;

/* Creates the database only (no simulator): for carepayctl tests. */
void       lt_make_database    (LedgerFixture *f);
void       lt_setup            (LedgerFixture *f,
                                gconstpointer  data);
void       lt_teardown         (LedgerFixture *f,
                                gconstpointer  data);
void       lt_reopen           (LedgerFixture *f);
CpInvoice *lt_invoice          (LedgerFixture *f,
                                gint64         id);
guint      lt_count_payment_intents (CpStripeClient *client);
gint64     lt_count_rows       (LedgerFixture *f,
                                const char    *sql);
/* A PaymentIntent made and confirmed straight on the simulator, as another
 * desk would: metadata[invoice_id] = invoice_id (0: none). Returns its id. */
char      *lt_pay_directly     (CpStripeClient *client,
                                gint64          invoice_id,
                                gint64          amount,
                                const char     *currency,
                                const char     *payment_method);
/* Waits (bounded) until the simulator has an event of `type` about
 * `object_id` (NULL: any), and returns it. */
CpStripeEvent *lt_wait_event   (CpStripeClient *client,
                                const char     *type,
                                const char     *object_id);

/* An async call's result for a test on the main thread: give lt_keep_result
 * and an LtWait (LT_WAIT_INIT) as the call's callback and data, then
 * lt_wait_for() runs the main loop until it ends. */
typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} LtWait;

#define LT_WAIT_INIT { g_main_loop_new (NULL, FALSE), NULL }

void          lt_keep_result   (GObject      *source,
                                GAsyncResult *result,
                                gpointer      wait);
/* The call's result, kept by `wait` until the next call or lt_wait_clear(). */
GAsyncResult *lt_wait_for      (LtWait       *wait);
void          lt_wait_clear    (LtWait       *wait);

G_END_DECLS

G_BEGIN_DECLS
/* Opens a checkout for a payment link on the simulator (as the patient's
 * browser would) and pays it with `payment_method`. Returns the PI id. */
char      *lt_pay_link         (CpStripeClient *client,
                                const char     *link_id,
                                const char     *payment_method);
G_END_DECLS
