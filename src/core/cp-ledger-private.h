/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-ledger.h"

G_BEGIN_DECLS

/* Shared by cp-ledger.c, cp-ledger-events.c and cp-ledger-async.c. */

gint64     cp_ledger_metadata_invoice_id     (JsonObject    *metadata);
gboolean   cp_ledger_is_not_found            (const GError  *error);
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
/* Applies a PaymentIntent the caller has just retrieved from Stripe. */
CpPayment *cp_ledger_apply_retrieved         (CpLedger                     *self,
                                              const CpStripePaymentIntent  *pi,
                                              gint64                       *out_invoice_id,
                                              gboolean                     *out_received,
                                              GCancellable                 *cancellable,
                                              GError                      **error);
/* The prefetched objects of a page (NULL when not fetched). */
CpStripePaymentIntent *cp_ledger_prefetch_get_payment_intent (CpLedgerPrefetch *prefetch,
                                                              const char       *id);
CpStripeRefund        *cp_ledger_prefetch_get_refund         (CpLedgerPrefetch *prefetch,
                                                              const char       *id);
CpStripeList          *cp_ledger_prefetch_get_refunds_of     (CpLedgerPrefetch *prefetch,
                                                              const char       *payment_intent_id);
CpPayment *cp_ledger_retrieve_and_apply      (CpLedger      *self,
                                              const char    *payment_intent_id,
                                              gint64        *out_invoice_id,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* Records a refund as Stripe has it (the caller retrieved it). */
CpRefund  *cp_ledger_apply_stripe_refund     (CpLedger              *self,
                                              const CpStripeRefund  *re,
                                              gint64                 staff_id,
                                              const char            *reason,
                                              gint64                *out_invoice_id,
                                              GCancellable          *cancellable,
                                              GError               **error);

G_END_DECLS
