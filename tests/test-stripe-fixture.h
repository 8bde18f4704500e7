/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"

G_BEGIN_DECLS

/* The real carepay-stripe-sim ($CAREPAY_STRIPE_SIM) on 127.0.0.1, started
 * once per test program and reset before each test. */

#define SIM_KEY "sk_test_carepay_simulator_4242"

gboolean        stripe_sim_start        (void);
void            stripe_sim_stop         (void);
const char     *stripe_sim_base_url     (void);
/* Skips the test (returning FALSE) when the simulator is not available. */
gboolean        stripe_sim_require      (void);
void            stripe_sim_reset        (void);
/* Queues a fault for the next `count` matching requests (POST /_sim/faults). */
void            stripe_sim_add_fault    (const char *fault,
                                         const char *method,
                                         const char *path,
                                         guint       count);
/* A client on the simulator with short backoff, so retry tests stay quick. */
CpStripeClient *stripe_sim_new_client   (const char *secret_key,
                                         CpStore    *store);
/* A blocking GET/POST through a client, asserting success. */
JsonObject     *stripe_sim_request_ok   (CpStripeClient *client,
                                         const char     *method,
                                         const char     *path,
                                         CpStripeForm   *form);

G_END_DECLS
