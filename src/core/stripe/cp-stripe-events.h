/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* Events: one list page (newest first, as Stripe sends it), and an iterator
 * that walks every event after a given one in the order they happened,
 * which is what the sync needs to catch up after being offline. Stripe
 * keeps events for 30 days. */

/* `types`: NULL for all, one type (sent as type=...) or several (types[]=...).
 * `starting_after`/`ending_before` are event ids or NULL; `limit` 0 is
 * Stripe's default (10), at most 100. Items are CpStripeEvent. */
void          cp_stripe_event_list_async  (CpStripeClient      *client,
                                           const char * const  *types,
                                           const char          *starting_after,
                                           const char          *ending_before,
                                           guint                limit,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
CpStripeList *cp_stripe_event_list_finish (CpStripeClient      *client,
                                           GAsyncResult        *result,
                                           CpStripeErrorInfo  **info,
                                           GError             **error);
CpStripeList *cp_stripe_event_list        (CpStripeClient      *client,
                                           const char * const  *types,
                                           const char          *starting_after,
                                           const char          *ending_before,
                                           guint                limit,
                                           GCancellable        *cancellable,
                                           CpStripeErrorInfo  **info,
                                           GError             **error);

typedef struct _CpStripeEventIter CpStripeEventIter;

/* Walks the events after `after_event_id` (NULL: every event Stripe still
 * has), oldest first. Each next() returns the following batch (a
 * GPtrArray of CpStripeEvent, empty when there is nothing new); the
 * iterator can be asked again later to pick up newer events. Persist
 * cp_stripe_event_iter_get_cursor() once a batch is processed. Keep the
 * iterator alive until its pending call has finished. */
CpStripeEventIter *cp_stripe_event_iter_new         (CpStripeClient     *client,
                                                     const char         *after_event_id,
                                                     const char * const *types);
void               cp_stripe_event_iter_free        (CpStripeEventIter  *iter);
/* Events per request (1..100, default 100). */
void               cp_stripe_event_iter_set_page_size (CpStripeEventIter *iter,
                                                       guint              page_size);
void               cp_stripe_event_iter_next_async  (CpStripeEventIter   *iter,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray         *cp_stripe_event_iter_next_finish (CpStripeEventIter   *iter,
                                                     GAsyncResult        *result,
                                                     CpStripeErrorInfo  **info,
                                                     GError             **error);
GPtrArray         *cp_stripe_event_iter_next        (CpStripeEventIter   *iter,
                                                     GCancellable        *cancellable,
                                                     CpStripeErrorInfo  **info,
                                                     GError             **error);
/* The id of the newest event returned so far (or the starting id). */
const char        *cp_stripe_event_iter_get_cursor  (CpStripeEventIter   *iter);
/* TRUE once a batch ended without Stripe reporting more. */
gboolean           cp_stripe_event_iter_is_caught_up (CpStripeEventIter  *iter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeEventIter, cp_stripe_event_iter_free)

G_END_DECLS
