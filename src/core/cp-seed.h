/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-ledger.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* Demo data. With n_invoices == 0: the classic demo set of 5 patients and 15
 * invoices of realistic hospital services (most unpaid, some overdue, some
 * paid), plus one staff account per role (see README). With n_invoices > 0:
 * that many invoices over about n/3.3 patients, generated deterministically
 * from `seed`, for scale work; 100,000 in a few seconds. Dates are relative
 * to `today` (YYYY-MM-DD). All in one transaction: all or nothing. */
gboolean cp_seed_demo (CpStore     *store,
                       guint        n_invoices,
                       guint32      seed,
                       const char  *today,
                       GError     **error);

typedef enum {
  CP_SEED_FLAGS_NONE      = 0,
  /* The classic set's paid and partly paid invoices are left open and their
   * payments are written down as a plan (cp_seed_demo_planned_payments()),
   * to be made for real on Stripe's test mode or the simulator with
   * cp_seed_demo_make_payments(): training mode and `carepayctl seed-demo
   * --stripe`. Without it the payments are recorded offline with made-up
   * "pi_demo_…" ids that Stripe has never seen. No effect on scale data. */
  CP_SEED_STRIPE_PAYMENTS = 1 << 0,
} CpSeedFlags;

gboolean cp_seed_demo_full (CpStore     *store,
                            guint        n_invoices,
                            guint32      seed,
                            const char  *today,
                            CpSeedFlags  flags,
                            GError     **error);

/* One payment of the demo set, as data. */
typedef struct {
  char             *invoice_number;
  gint64            amount;           /* minor units, in the invoice's currency */
  CpPaymentChannel  channel;          /* desk payments are taken by the demo clerk */
  char             *payment_method;   /* a test method: "pm_card_visa", "pm_card_mastercard" */
} CpSeedPayment;

void       cp_seed_payment_free          (CpSeedPayment *payment);

/* The payments still to be made (of CpSeedPayment), oldest invoice first;
 * empty when none are planned or all were made. */
GPtrArray *cp_seed_demo_planned_payments (CpStore     *store,
                                          GError     **error);

/* Makes the planned payments through the ledger with test payment methods
 * (cp_ledger_pay_with_test_method), so Stripe has every one of them, and
 * clears the plan. Blocking: call it from a worker thread or carepayctl.
 * Safe to run again after a failure: an invoice that already holds a
 * payment is not paid twice. *out_n_made (may be NULL): payments made. */
gboolean   cp_seed_demo_make_payments    (CpLedger      *ledger,
                                          GCancellable  *cancellable,
                                          guint         *out_n_made,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpSeedPayment, cp_seed_payment_free)

G_END_DECLS
