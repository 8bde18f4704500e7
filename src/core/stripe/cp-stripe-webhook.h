/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Stripe webhook signatures: `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=...]`
 * where v1 is HMAC-SHA256 over "<t>.<raw body>" keyed with the endpoint's
 * signing secret (whsec_...). v0 and unknown schemes are ignored. Every
 * rejection is CP_ERROR_SIGNATURE with a message saying which check failed. */

#define CP_STRIPE_WEBHOOK_DEFAULT_TOLERANCE 300 /* seconds */

/* `now` is the current Unix time in seconds (tests pin it); `tolerance` is
 * how far, either way, the signed timestamp may be from `now`. */
gboolean    cp_stripe_webhook_verify_at     (const char  *payload,
                                             gsize        payload_length,
                                             const char  *signature_header,
                                             const char  *secret,
                                             gint64       tolerance,
                                             gint64       now,
                                             GError     **error);
/* As above with the real clock and the default tolerance. */
gboolean    cp_stripe_webhook_verify        (const char  *payload,
                                             gsize        payload_length,
                                             const char  *signature_header,
                                             const char  *secret,
                                             GError     **error);
/* The header value Stripe would send for `payload` at `timestamp`
 * (for tests and the simulator). */
char       *cp_stripe_webhook_sign          (const char  *payload,
                                             gsize        payload_length,
                                             const char  *secret,
                                             gint64       timestamp);
/* Verifies, then parses the event; returns its JSON object (an "event"). */
JsonObject *cp_stripe_webhook_construct_event (const char  *payload,
                                               gsize        payload_length,
                                               const char  *signature_header,
                                               const char  *secret,
                                               gint64       tolerance,
                                               gint64       now,
                                               GError     **error);

G_END_DECLS
