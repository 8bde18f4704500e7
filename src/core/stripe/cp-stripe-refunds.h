/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* Refunds of a PaymentIntent's charge. */

typedef struct {
  const char *payment_intent;  /* pi_... */
  gint64      amount;          /* minor units; 0 refunds whatever is left */
  const char *reason;          /* duplicate, fraudulent, requested_by_customer, or NULL */
  gint64      invoice_id;      /* metadata[invoice_id]; 0 leaves it out */
  gint64      staff_id;        /* metadata[staff_id]; 0 leaves it out */
} CpStripeRefundParams;

void            cp_stripe_refund_create_async  (CpStripeClient             *client,
                                                const CpStripeRefundParams *params,
                                                const char                 *operation,
                                                GCancellable               *cancellable,
                                                GAsyncReadyCallback         callback,
                                                gpointer                    user_data);
CpStripeRefund *cp_stripe_refund_create_finish (CpStripeClient      *client,
                                                GAsyncResult        *result,
                                                CpStripeErrorInfo  **info,
                                                GError             **error);
CpStripeRefund *cp_stripe_refund_create        (CpStripeClient             *client,
                                                const CpStripeRefundParams *params,
                                                const char                 *operation,
                                                GCancellable               *cancellable,
                                                CpStripeErrorInfo         **info,
                                                GError                    **error);

void            cp_stripe_refund_retrieve_async  (CpStripeClient      *client,
                                                  const char          *id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CpStripeRefund *cp_stripe_refund_retrieve_finish (CpStripeClient      *client,
                                                  GAsyncResult        *result,
                                                  CpStripeErrorInfo  **info,
                                                  GError             **error);
CpStripeRefund *cp_stripe_refund_retrieve        (CpStripeClient      *client,
                                                  const char          *id,
                                                  GCancellable        *cancellable,
                                                  CpStripeErrorInfo  **info,
                                                  GError             **error);

/* One page, newest first; `payment_intent` and `starting_after` may be NULL.
 * Items are CpStripeRefund. */
void            cp_stripe_refund_list_async    (CpStripeClient      *client,
                                                const char          *payment_intent,
                                                guint                limit,
                                                const char          *starting_after,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CpStripeList   *cp_stripe_refund_list_finish   (CpStripeClient      *client,
                                                GAsyncResult        *result,
                                                CpStripeErrorInfo  **info,
                                                GError             **error);
CpStripeList   *cp_stripe_refund_list          (CpStripeClient      *client,
                                                const char          *payment_intent,
                                                guint                limit,
                                                const char          *starting_after,
                                                GCancellable        *cancellable,
                                                CpStripeErrorInfo  **info,
                                                GError             **error);

G_END_DECLS
