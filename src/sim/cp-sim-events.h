/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-sim-state.h"

G_BEGIN_DECLS

#define CP_TYPE_SIM_WEBHOOKS (cp_sim_webhooks_get_type ())
G_DECLARE_FINAL_TYPE (CpSimWebhooks, cp_sim_webhooks, CP, SIM_WEBHOOKS, GObject)

/* Delivers every event of @state to @url, one at a time and in order,
 * signed the way Stripe signs (Stripe-Signature: t=..,v1=..), retrying with
 * backoff while the endpoint fails, at most a bounded number of times. */
CpSimWebhooks *cp_sim_webhooks_new        (CpSimState    *state,
                                           const char    *url,
                                           const char    *secret);
guint          cp_sim_webhooks_pending    (CpSimWebhooks *self);

/* HEX(HMAC-SHA256(secret, "TIMESTAMP.PAYLOAD")) */
char          *cp_sim_webhook_signature   (const char    *secret,
                                           gint64         timestamp,
                                           const char    *payload);

G_END_DECLS
