/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-ledger.h"

G_BEGIN_DECLS

/* An optional local endpoint for Stripe webhooks (e.g. behind `stripe
 * listen --forward-to` or the simulator's --webhook-url), on 127.0.0.1
 * only. Each POST must carry a Stripe-Signature that verifies with the
 * endpoint's signing secret; anything else is answered 400 with the reason
 * in the body and changes nothing. A verified event goes to the same
 * cp_ledger_apply_event() as the poller's, so a webhook delivered twice, or
 * after the poller saw the event, is applied once.
 *
 * Events are applied on the listener's main context (the thread-default
 * one when cp_webhook_listener_listen() was called); the ledger's blocking
 * Stripe calls run on a context of their own, so that is safe, but it
 * blocks that context for the length of a Stripe request. Give the
 * listener a thread of its own in an interactive program.
 *
 * Signals:
 *   ::event-applied (const char *event_id, const char *type, gint64 invoice_id)
 *   ::rejected (const char *reason) */

#define CP_TYPE_WEBHOOK_LISTENER (cp_webhook_listener_get_type ())
G_DECLARE_FINAL_TYPE (CpWebhookListener, cp_webhook_listener, CP, WEBHOOK_LISTENER, GObject)

CpWebhookListener *cp_webhook_listener_new        (CpLedger          *ledger,
                                                   const char        *signing_secret);
/* Seconds a signature's timestamp may be off (default 300). */
void               cp_webhook_listener_set_tolerance (CpWebhookListener *self,
                                                      gint64             seconds);
/* Listens on 127.0.0.1:`port` (0 picks a free port). */
gboolean           cp_webhook_listener_listen     (CpWebhookListener  *self,
                                                   guint               port,
                                                   GError            **error);
guint              cp_webhook_listener_get_port   (CpWebhookListener  *self);
/* "http://127.0.0.1:PORT/" once listening. */
char              *cp_webhook_listener_dup_url    (CpWebhookListener  *self);
void               cp_webhook_listener_disconnect (CpWebhookListener  *self);

G_END_DECLS
