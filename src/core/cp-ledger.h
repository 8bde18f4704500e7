/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-records.h"
#include "cp-store.h"
#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* The ledger turns Stripe's facts into payments and refunds on invoices, and
 * runs the money actions (pay, refund, link, void) with their rules:
 *
 * - A payment counts for an invoice only when its PaymentIntent, as *we*
 *   retrieve it from Stripe (never as a web page or a webhook body says),
 *   succeeded, its metadata[invoice_id] names that invoice and its currency
 *   is the invoice's.
 * - Applying the same fact twice changes nothing: idempotent by Stripe object
 *   id and by event id, whichever path (our own confirmation, the event
 *   poller, a webhook) brings it first.
 * - More than the balance due is refused before any PaymentIntent exists. A
 *   second concurrent attempt on one invoice is refused while the first is
 *   open; a payment that still overpays (a link paid at the same moment) is
 *   recorded, since the money was taken, and flagged for a refund.
 * - Every money action is written to the audit log: who, when, what, how much.
 *
 * All *_async functions run their Stripe calls asynchronously and their store
 * work in a worker thread; results come back on the caller's main context.
 * The blocking variants are for carepayctl and tests. */

#define CP_TYPE_LEDGER (cp_ledger_get_type ())
G_DECLARE_FINAL_TYPE (CpLedger, cp_ledger, CP, LEDGER, GObject)

/* One attempt to pay one invoice: a PaymentIntent waiting for a card. */
typedef struct {
  gint64            invoice_id;
  char             *invoice_number;
  gint64            amount;
  char             *currency;
  char             *payment_intent_id;
  char             *client_secret;   /* for the Payment Element only; never log */
  CpPaymentChannel  channel;
  gint64            staff_id;        /* 0 at the kiosk and for links */
  char             *attempt_id;      /* our UUID, part of the idempotency operation */
} CpPaymentAttempt;

typedef struct {
  char    *id;          /* plink_... */
  char    *url;
  gint64   invoice_id;
  gint64   amount;
  char    *currency;
  gboolean active;
} CpPaymentLinkInfo;

/* One difference between our ledger and Stripe's record, from verify. */
typedef struct {
  char   *invoice_number;   /* NULL when Stripe has an object we cannot place */
  char   *stripe_id;
  char   *what;             /* plain words: "payment missing locally", ... */
} CpLedgerDifference;

void               cp_payment_attempt_free       (CpPaymentAttempt *attempt);
void               cp_payment_link_info_free     (CpPaymentLinkInfo *info);
void               cp_ledger_difference_free     (CpLedgerDifference *difference);

CpLedger          *cp_ledger_new                 (CpStore        *store,
                                                  CpStripeClient *client);
CpStore           *cp_ledger_get_store           (CpLedger *self);
CpStripeClient    *cp_ledger_get_client          (CpLedger *self);

/* Checks the amount against the balance due and other open attempts (after
 * asking Stripe about them and about completed checkouts of the invoice's
 * active payment link, so a link paid a moment ago counts), gets or
 * creates the patient's Stripe customer, and creates the PaymentIntent with
 * metadata[invoice_id], metadata[invoice_number], description and
 * receipt_email, under an idempotency key stored before it is sent. */
void               cp_ledger_begin_payment_async (CpLedger            *self,
                                                  gint64               invoice_id,
                                                  gint64               amount,
                                                  CpPaymentChannel     channel,
                                                  const CpStaff       *staff,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CpPaymentAttempt  *cp_ledger_begin_payment_finish (CpLedger     *self,
                                                   GAsyncResult *result,
                                                   GError      **error);
CpPaymentAttempt  *cp_ledger_begin_payment       (CpLedger          *self,
                                                  gint64             invoice_id,
                                                  gint64             amount,
                                                  CpPaymentChannel   channel,
                                                  const CpStaff     *staff,
                                                  GCancellable      *cancellable,
                                                  GError           **error);

/* Retrieves the PaymentIntent from Stripe (expand latest_charge), checks it
 * against the invoice and records what Stripe says: the returned payment's
 * status tells the caller whether it succeeded. A declined attempt stays open
 * so the patient can try another card. */
void               cp_ledger_complete_payment_async (CpLedger            *self,
                                                     const char          *payment_intent_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
CpPayment         *cp_ledger_complete_payment_finish (CpLedger     *self,
                                                      GAsyncResult *result,
                                                      GError      **error);
CpPayment         *cp_ledger_complete_payment    (CpLedger      *self,
                                                  const char    *payment_intent_id,
                                                  GCancellable  *cancellable,
                                                  GError       **error);

/* Test mode only: confirms the attempt server-side with a test payment
 * method such as "pm_card_visa" (carepayctl pay). Refused with live keys. */
CpPayment         *cp_ledger_pay_with_test_method (CpLedger          *self,
                                                   gint64             invoice_id,
                                                   gint64             amount,
                                                   const char        *payment_method,
                                                   CpPaymentChannel   channel,
                                                   const CpStaff     *staff,
                                                   GCancellable      *cancellable,
                                                   GError           **error);

/* Cancels an open attempt (the patient walked away). */
void               cp_ledger_cancel_payment_async (CpLedger            *self,
                                                   const char          *payment_intent_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean           cp_ledger_cancel_payment_finish (CpLedger     *self,
                                                    GAsyncResult *result,
                                                    GError      **error);
gboolean           cp_ledger_cancel_payment      (CpLedger      *self,
                                                  const char    *payment_intent_id,
                                                  GCancellable  *cancellable,
                                                  GError       **error);

/* Supervisors and admins only (CP_ERROR_PERMISSION otherwise). amount 0
 * means the whole refundable remainder; more than the remainder is refused. */
void               cp_ledger_refund_async        (CpLedger            *self,
                                                  gint64               invoice_id,
                                                  gint64               amount,
                                                  const char          *reason,
                                                  const CpStaff       *staff,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray         *cp_ledger_refund_finish       (CpLedger     *self,
                                                  GAsyncResult *result,
                                                  GError      **error); /* of CpRefund */
GPtrArray         *cp_ledger_refund              (CpLedger       *self,
                                                  gint64          invoice_id,
                                                  gint64          amount,
                                                  const char     *reason,
                                                  const CpStaff  *staff,
                                                  GCancellable   *cancellable,
                                                  GError        **error);

/* A link for the balance due that names the invoice and can be paid once;
 * an active link for the same balance is returned again rather than made
 * twice. Links are revoked when the invoice is paid another way, voided, or
 * its balance changes. */
void               cp_ledger_create_link_async   (CpLedger            *self,
                                                  gint64               invoice_id,
                                                  const CpStaff       *staff,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CpPaymentLinkInfo *cp_ledger_create_link_finish  (CpLedger     *self,
                                                  GAsyncResult *result,
                                                  GError      **error);
CpPaymentLinkInfo *cp_ledger_create_link         (CpLedger       *self,
                                                  gint64          invoice_id,
                                                  const CpStaff  *staff,
                                                  GCancellable   *cancellable,
                                                  GError        **error);

/* Supervisors and admins only. Cancels open PaymentIntents, revokes links. */
void               cp_ledger_void_invoice_async  (CpLedger            *self,
                                                  gint64               invoice_id,
                                                  const CpStaff       *staff,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean           cp_ledger_void_invoice_finish (CpLedger     *self,
                                                  GAsyncResult *result,
                                                  GError      **error);
gboolean           cp_ledger_void_invoice        (CpLedger       *self,
                                                  gint64          invoice_id,
                                                  const CpStaff  *staff,
                                                  GCancellable   *cancellable,
                                                  GError        **error);

/* The one event handler behind the poller and the webhook listener.
 * Returns the id of the invoice it changed in *out_invoice_id (0: none). */
gboolean           cp_ledger_apply_event         (CpLedger             *self,
                                                  const CpStripeEvent  *event,
                                                  GCancellable         *cancellable,
                                                  gint64               *out_invoice_id,
                                                  GError              **error);

/* As cp_ledger_apply_event; *out_applied is FALSE when the event had been
 * applied before (or is of a type the ledger ignores), so a poller can
 * count what it applied; *out_received is TRUE when a payment newly
 * succeeded. Out parameters may be NULL. */
gboolean           cp_ledger_apply_event_full    (CpLedger             *self,
                                                  const CpStripeEvent  *event,
                                                  GCancellable         *cancellable,
                                                  gint64               *out_invoice_id,
                                                  gboolean             *out_applied,
                                                  gboolean             *out_received,
                                                  GError              **error);

/* Around a page applied in one transaction (per thread): the links of the
 * invoices it changes are revoked (a request to Stripe) only once
 * cp_ledger_maintain_deferred_links() is called after the commit. */
void               cp_ledger_defer_links         (CpLedger             *self);
void               cp_ledger_maintain_deferred_links (CpLedger         *self,
                                                      GCancellable     *cancellable);

/* For the sync's catch-up after a long gap (events expired): apply a
 * PaymentIntent or refund found by listing. Each is retrieved again from
 * Stripe by id and applied by the same rules as events. */
gboolean           cp_ledger_apply_payment_intent (CpLedger                     *self,
                                                   const CpStripePaymentIntent  *pi,
                                                   GCancellable                 *cancellable,
                                                   gint64                       *out_invoice_id,
                                                   gboolean                     *out_received,
                                                   GError                      **error);
gboolean           cp_ledger_apply_refund        (CpLedger              *self,
                                                  const CpStripeRefund  *refund,
                                                  GCancellable          *cancellable,
                                                  gint64                *out_invoice_id,
                                                  GError               **error);

/* Test-only fault injection: `hook` is called at named points:
 * "after-payment-intent-create", "after-stripe-confirm" (Stripe has
 * charged, nothing is recorded yet), "after-refund-create",
 * "after-link-create", "before-store-write" / "after-store-write"
 * around each transaction that records a payment, refund or link, and
 * "before-link-checks" (the sync: a page committed, its invoices' payment
 * links not checked yet).
 * carepayctl sets it from CAREPAY_FAULT to test crash recovery. */
typedef void (*CpLedgerFaultHook) (const char *point,
                                   gpointer    user_data);
void               cp_ledger_set_fault_hook      (CpLedger          *self,
                                                  CpLedgerFaultHook  hook,
                                                  gpointer           user_data);

/* Compares every invoice's payments and refunds with Stripe's. */
GPtrArray         *cp_ledger_verify              (CpLedger      *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error); /* of CpLedgerDifference */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPaymentAttempt, cp_payment_attempt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPaymentLinkInfo, cp_payment_link_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpLedgerDifference, cp_ledger_difference_free)

G_END_DECLS
