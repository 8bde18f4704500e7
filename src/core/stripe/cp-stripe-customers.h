/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* One Stripe Customer per patient. cp_stripe_customer_ensure finds it by
 * the id kept on the patient (patient->stripe_customer_id), else by a
 * search on metadata['patient_id'], else creates it with name, email,
 * metadata[patient_id] and metadata[mrn] under the idempotency operation
 * "customer.create:patient=<id>", so two desks racing for the same patient
 * (or a search index that has not caught up) still make only one customer.
 * The caller stores the returned id on the patient. */

void              cp_stripe_customer_ensure_async    (CpStripeClient      *client,
                                                      const CpPatient     *patient,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
CpStripeCustomer *cp_stripe_customer_ensure_finish   (CpStripeClient      *client,
                                                      GAsyncResult        *result,
                                                      CpStripeErrorInfo  **info,
                                                      GError             **error);
CpStripeCustomer *cp_stripe_customer_ensure          (CpStripeClient      *client,
                                                      const CpPatient     *patient,
                                                      GCancellable        *cancellable,
                                                      CpStripeErrorInfo  **info,
                                                      GError             **error);

CpStripeCustomer *cp_stripe_customer_retrieve        (CpStripeClient      *client,
                                                      const char          *id,
                                                      GCancellable        *cancellable,
                                                      CpStripeErrorInfo  **info,
                                                      GError             **error);

G_END_DECLS
