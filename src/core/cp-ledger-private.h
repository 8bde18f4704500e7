/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-ledger.h"

G_BEGIN_DECLS

/* Shared by cp-ledger.c, cp-ledger-events.c, cp-ledger-refunds.c and cp-ledger-async.c. */

/* Fails with CP_ERROR_PERMISSION unless `staff` is an active supervisor or
 * administrator; `action` completes "Only a supervisor or an administrator may …". */
gboolean   cp_ledger_require_supervisor      (const CpStaff  *staff,
                                              const char     *action,
                                              GError        **error);
/* The invoice as far as a payment that does not newly succeed needs it
 * (number and currency: no lines, no sums), or all of it when `full`. */
CpInvoice *cp_ledger_read_invoice            (CpLedger       *self,
                                              gint64          invoice_id,
                                              gboolean        full,
                                              GError        **error);
/* Records that `object_id` was applied as Stripe had it at `seen_us` (0:
 * not known, nothing is noted) or at `event_id`. */
gboolean   cp_ledger_note_version            (CpLedger       *self,
                                              const char     *object_id,
                                              gint64          seen_us,
                                              const char     *event_id,
                                              GError        **error);
/* Revokes the invoice's link once its amount no longer matches what is
 * due; while a page of events is applied, afterwards (cp_ledger_defer_links()). */
void       cp_ledger_maintain_link           (CpLedger       *self,
                                              gint64          invoice_id,
                                              GCancellable   *cancellable);

gint64     cp_ledger_metadata_invoice_id     (JsonObject    *metadata);
gboolean   cp_ledger_is_not_found            (const GError  *error);
/* After an event failed to apply with `event_error`: an event that is not
 * ours (CP_ERROR_INVALID_INPUT: another system's PaymentIntent, another
 * currency) is applied as nothing and TRUE is returned; anything else moves
 * to `error` (retried with the next delivery or sync) and FALSE is returned. */
gboolean   cp_ledger_event_not_ours          (const char    *event_id,
                                              const char    *type,
                                              GError       **event_error,
                                              GError       **error);
/* One audit line per money action: who, what, which invoice, how much. */
void       cp_ledger_audit                   (CpLedger      *self,
                                              gint64         staff_id,
                                              const char    *action,
                                              const char    *invoice_number,
                                              gint64         amount,
                                              const char    *currency,
                                              const char    *stripe_id);
/* Retrieves the PaymentIntent from Stripe and applies it by the rules. */
CpPayment *cp_ledger_retrieve_and_apply_full (CpLedger      *self,
                                              const char    *payment_intent_id,
                                              gint64        *out_invoice_id,
                                              gboolean      *out_received,
                                              GCancellable  *cancellable,
                                              GError       **error);
CpPayment *cp_ledger_retrieve_and_apply      (CpLedger      *self,
                                              const char    *payment_intent_id,
                                              gint64        *out_invoice_id,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* Records a refund as Stripe has it: retrieved by the caller, who asked at
 * `seen_us` (0: not known), or an event's snapshot (`event_id`). */
CpRefund  *cp_ledger_apply_stripe_refund     (CpLedger              *self,
                                              const CpStripeRefund  *re,
                                              gint64                 staff_id,
                                              const char            *reason,
                                              gint64                 seen_us,
                                              const char            *event_id,
                                              gint64                *out_invoice_id,
                                              GCancellable          *cancellable,
                                              GError               **error);
/* Applies the snapshot of `pi` that `event` carries (listed from Stripe);
 * `existing` (taken) is the store's row for it, NULL when there is none. */
gboolean   cp_ledger_apply_snapshot          (CpLedger                     *self,
                                              const CpStripePaymentIntent  *pi,
                                              const CpStripeEvent          *event,
                                              CpPayment                    *existing,
                                              gint64                       *out_invoice_id,
                                              gboolean                     *out_received,
                                              GCancellable                 *cancellable,
                                              GError                      **error);
/* The test-only fault hook (cp_ledger_set_fault_hook()) at `point`. */
void       cp_ledger_fault_point             (CpLedger              *self,
                                              const char            *point);
/* cp-ledger-bodies.c: records the card, receipt and dispute of `charge` on
 * `payment` (the store's row, updated in place). */
gboolean   cp_ledger_apply_charge_details    (CpLedger              *self,
                                              CpPayment             *payment,
                                              const CpStripeCharge  *charge,
                                              GError               **error);
/* Sees to the links queued by pages of events that did not get to them
 * (a crash after the commit, Stripe unreachable); each stays queued until
 * done. */
void       cp_ledger_check_queued_links      (CpLedger              *self,
                                              GCancellable          *cancellable);

/* cp-ledger-bodies.c: the sync applies the events it lists from Stripe by
 * their own snapshot (data.object) rather than asking Stripe for each
 * object again. A page's charge events are kept (CpLedgerPage) for the
 * card details PaymentIntent snapshots do not carry. */
typedef struct _CpLedgerPage CpLedgerPage;

CpLedgerPage *cp_ledger_page_new             (GPtrArray             *events,
                                              guint                  first,
                                              guint                  end);
void       cp_ledger_page_free               (CpLedgerPage          *page);
/* As cp_ledger_apply_event_full() but from the event's body. When that
 * needs a request to Stripe (an object newer than the body may exist, a
 * detail the body lacks, a refund of a payment not recorded here) nothing
 * is done and *out_needs_request is TRUE: the caller applies the event with
 * cp_ledger_apply_event_full() outside its transaction. */
gboolean   cp_ledger_apply_event_body        (CpLedger              *self,
                                              const CpStripeEvent   *event,
                                              CpLedgerPage          *page,
                                              GCancellable          *cancellable,
                                              gint64                *out_invoice_id,
                                              gboolean              *out_applied,
                                              gboolean              *out_received,
                                              gboolean              *out_needs_request,
                                              GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpLedgerPage, cp_ledger_page_free)

G_END_DECLS
