/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* A payment link for an invoice's balance (Stripe Payment Links; why not
 * Checkout Sessions is explained at the top of cp-stripe-payment-link.c). */

typedef struct {
  gint64      invoice_id;      /* metadata[invoice_id] on price, link and PaymentIntent */
  const char *invoice_number;  /* shown as the product name: "Invoice INV-2026-000123" */
  gint64      amount;          /* the balance due, minor units */
  const char *currency;
} CpStripePaymentLinkParams;

/* Creates a one-off Price and a Payment Link that accepts one completed
 * payment. `operation` (e.g. "plink.create:invoice=12:attempt=<uuid>") is
 * the base of both idempotency operations ("<operation>:price" and
 * "<operation>:link"); NULL uses keys for this call only. The link's
 * price_id is filled in. */
void                 cp_stripe_payment_link_create_async      (CpStripeClient                  *client,
                                                               const CpStripePaymentLinkParams *params,
                                                               const char                      *operation,
                                                               GCancellable                    *cancellable,
                                                               GAsyncReadyCallback              callback,
                                                               gpointer                         user_data);
CpStripePaymentLink *cp_stripe_payment_link_create_finish     (CpStripeClient      *client,
                                                               GAsyncResult        *result,
                                                               CpStripeErrorInfo  **info,
                                                               GError             **error);
CpStripePaymentLink *cp_stripe_payment_link_create            (CpStripeClient                  *client,
                                                               const CpStripePaymentLinkParams *params,
                                                               const char                      *operation,
                                                               GCancellable                    *cancellable,
                                                               CpStripeErrorInfo              **info,
                                                               GError                         **error);

/* active=false: the URL stops taking payments (invoice paid at the desk,
 * voided, or its amount changed). */
void                 cp_stripe_payment_link_deactivate_async  (CpStripeClient      *client,
                                                               const char          *id,
                                                               const char          *operation,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
CpStripePaymentLink *cp_stripe_payment_link_deactivate_finish (CpStripeClient      *client,
                                                               GAsyncResult        *result,
                                                               CpStripeErrorInfo  **info,
                                                               GError             **error);
CpStripePaymentLink *cp_stripe_payment_link_deactivate        (CpStripeClient      *client,
                                                               const char          *id,
                                                               const char          *operation,
                                                               GCancellable        *cancellable,
                                                               CpStripeErrorInfo  **info,
                                                               GError             **error);

CpStripePaymentLink *cp_stripe_payment_link_retrieve          (CpStripeClient      *client,
                                                               const char          *id,
                                                               GCancellable        *cancellable,
                                                               CpStripeErrorInfo  **info,
                                                               GError             **error);

G_END_DECLS
