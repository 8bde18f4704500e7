/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* PaymentIntents. Every call has an _async/_finish pair and a blocking form
 * (for carepayctl and tests). PaymentIntents come back with latest_charge
 * expanded, so the ledger gets card brand, last4 and receipt in one go.
 * `operation` names a POST for its durable idempotency key (see
 * cp-stripe-client.h); NULL uses a key for this call only. */

typedef struct {
  gint64      amount;          /* minor units, > 0 */
  const char *currency;        /* "usd" */
  const char *customer;        /* cus_..., or NULL */
  gint64      invoice_id;      /* metadata[invoice_id]; 0 leaves it out */
  const char *invoice_number;  /* metadata[invoice_number], or NULL */
  const char *description;
  const char *receipt_email;
  gboolean    card_only;       /* payment_method_types[]=card instead of automatic payment methods */
} CpStripePaymentIntentParams;

void                   cp_stripe_payment_intent_create_async   (CpStripeClient                    *client,
                                                                const CpStripePaymentIntentParams *params,
                                                                const char                        *operation,
                                                                GCancellable                      *cancellable,
                                                                GAsyncReadyCallback                callback,
                                                                gpointer                           user_data);
CpStripePaymentIntent *cp_stripe_payment_intent_create_finish  (CpStripeClient      *client,
                                                                GAsyncResult        *result,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);
CpStripePaymentIntent *cp_stripe_payment_intent_create         (CpStripeClient                    *client,
                                                                const CpStripePaymentIntentParams *params,
                                                                const char                        *operation,
                                                                GCancellable                      *cancellable,
                                                                CpStripeErrorInfo                **info,
                                                                GError                           **error);

void                   cp_stripe_payment_intent_retrieve_async (CpStripeClient      *client,
                                                                const char          *id,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
CpStripePaymentIntent *cp_stripe_payment_intent_retrieve_finish (CpStripeClient      *client,
                                                                 GAsyncResult        *result,
                                                                 CpStripeErrorInfo  **info,
                                                                 GError             **error);
CpStripePaymentIntent *cp_stripe_payment_intent_retrieve       (CpStripeClient      *client,
                                                                const char          *id,
                                                                GCancellable        *cancellable,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);

/* `reason`: duplicate, fraudulent, requested_by_customer, abandoned, or NULL. */
void                   cp_stripe_payment_intent_cancel_async   (CpStripeClient      *client,
                                                                const char          *id,
                                                                const char          *reason,
                                                                const char          *operation,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
CpStripePaymentIntent *cp_stripe_payment_intent_cancel_finish  (CpStripeClient      *client,
                                                                GAsyncResult        *result,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);
CpStripePaymentIntent *cp_stripe_payment_intent_cancel         (CpStripeClient      *client,
                                                                const char          *id,
                                                                const char          *reason,
                                                                const char          *operation,
                                                                GCancellable        *cancellable,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);

/* Server-side confirmation with a payment method id (pm_card_visa, ...).
 * Real card data only ever goes through Stripe.js, so this is refused with
 * CP_ERROR_PERMISSION unless the client runs with a test key. A decline
 * fails with CP_ERROR_CARD_DECLINED; info->payment_intent_id names the PI. */
void                   cp_stripe_payment_intent_confirm_async  (CpStripeClient      *client,
                                                                const char          *id,
                                                                const char          *payment_method,
                                                                const char          *operation,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
CpStripePaymentIntent *cp_stripe_payment_intent_confirm_finish (CpStripeClient      *client,
                                                                GAsyncResult        *result,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);
CpStripePaymentIntent *cp_stripe_payment_intent_confirm        (CpStripeClient      *client,
                                                                const char          *id,
                                                                const char          *payment_method,
                                                                const char          *operation,
                                                                GCancellable        *cancellable,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);

/* One page, newest first. `customer` and `starting_after` may be NULL;
 * `limit` 0 means Stripe's default. Items are CpStripePaymentIntent. */
void                   cp_stripe_payment_intent_list_async     (CpStripeClient      *client,
                                                                const char          *customer,
                                                                guint                limit,
                                                                const char          *starting_after,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
CpStripeList          *cp_stripe_payment_intent_list_finish    (CpStripeClient      *client,
                                                                GAsyncResult        *result,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);
CpStripeList          *cp_stripe_payment_intent_list           (CpStripeClient      *client,
                                                                const char          *customer,
                                                                guint                limit,
                                                                const char          *starting_after,
                                                                GCancellable        *cancellable,
                                                                CpStripeErrorInfo  **info,
                                                                GError             **error);

/* Search by metadata, e.g. key "invoice_id", value "12" (the query
 * metadata['invoice_id']:'12'). `page` is a previous list's next_page or NULL.
 * Stripe's search index lags writes by up to a minute. */
void                   cp_stripe_payment_intent_search_metadata_async  (CpStripeClient      *client,
                                                                        const char          *key,
                                                                        const char          *value,
                                                                        const char          *page,
                                                                        GCancellable        *cancellable,
                                                                        GAsyncReadyCallback  callback,
                                                                        gpointer             user_data);
CpStripeList          *cp_stripe_payment_intent_search_metadata_finish (CpStripeClient      *client,
                                                                        GAsyncResult        *result,
                                                                        CpStripeErrorInfo  **info,
                                                                        GError             **error);
CpStripeList          *cp_stripe_payment_intent_search_metadata        (CpStripeClient      *client,
                                                                        const char          *key,
                                                                        const char          *value,
                                                                        const char          *page,
                                                                        GCancellable        *cancellable,
                                                                        CpStripeErrorInfo  **info,
                                                                        GError             **error);

/* "metadata['key']:'value'" with quotes and backslashes escaped. */
char                  *cp_stripe_metadata_query                (const char *key,
                                                                const char *value);

G_END_DECLS
