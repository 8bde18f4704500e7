/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cp-store.h"
#include "cp-stripe-config.h"
#include "cp-stripe-error.h"
#include "cp-stripe-form.h"

G_BEGIN_DECLS

/* One client per process: one SoupSession, the configuration, and the
 * store that hands out idempotency keys.
 *
 * Idempotency: every POST carries an Idempotency-Key. When the caller names
 * the operation ("pi.create:invoice=12:attempt=<uuid>") and a store is set,
 * the key comes from cp_store_idempotency_key() BEFORE anything is sent: the
 * store commits it first, so a retry, a crash and a restart all reuse it and
 * Stripe performs the operation at most once. Without a store (tools,
 * one-off scripts) or without an operation name, a random key is made for
 * the call and reused by that call's retries only.
 *
 * Retries: network errors, 409 lock_timeout, 429 and 5xx are retried with
 * exponential backoff and full jitter, up to max-retries more attempts and
 * within the time budget. A Stripe-Should-Retry header overrides that:
 * "true" retries, "false" never does.
 *
 * Logging: g_debug with method, path, status, request id and attempt only;
 * never keys, client secrets or bodies. */

#define CP_TYPE_STRIPE_CLIENT (cp_stripe_client_get_type ())
G_DECLARE_FINAL_TYPE (CpStripeClient, cp_stripe_client, CP, STRIPE_CLIENT, GObject)

/* Called once per request before it is first sent (for tests that check
 * requests against Stripe's API description). `path` has no query string;
 * `form` is the parameters (query for GET/DELETE, body for POST). */
typedef void (*CpStripeRequestHook) (const char   *method,
                                     const char   *path,
                                     CpStripeForm *form,
                                     gpointer      user_data);

/* `session` and `store` may be NULL (a session is made; keys per call). */
CpStripeClient *cp_stripe_client_new              (CpStripeConfig *config,
                                                   SoupSession    *session,
                                                   CpStore        *store);

CpStripeConfig *cp_stripe_client_get_config       (CpStripeClient *self);
SoupSession    *cp_stripe_client_get_session      (CpStripeClient *self);
CpStore        *cp_stripe_client_get_store        (CpStripeClient *self);
void            cp_stripe_client_set_store        (CpStripeClient *self,
                                                   CpStore        *store);

/* More attempts after the first (default 3). */
void            cp_stripe_client_set_max_retries  (CpStripeClient *self,
                                                   guint           max_retries);
guint           cp_stripe_client_get_max_retries  (CpStripeClient *self);
/* Wall-clock budget for a request and its retries, in ms (default 60000). */
void            cp_stripe_client_set_time_budget  (CpStripeClient *self,
                                                   guint           budget_ms);
/* Per-attempt timeout in ms (default 30000). */
void            cp_stripe_client_set_request_timeout (CpStripeClient *self,
                                                      guint           timeout_ms);
/* Backoff: attempt n waits a random time in [0, min(max, base * 2^n)] ms
 * (defaults 500 and 8000). */
void            cp_stripe_client_set_backoff      (CpStripeClient *self,
                                                   guint           base_ms,
                                                   guint           max_ms);
void            cp_stripe_client_set_request_hook (CpStripeClient      *self,
                                                   CpStripeRequestHook  hook,
                                                   gpointer             user_data,
                                                   GDestroyNotify       destroy);

/* The generic request. `path` starts with "/v1/". `params` may be NULL.
 * `operation` names the POST for its idempotency key (see above); ignored
 * for other methods. Extra headers (e.g. the simulator's X-Sim-Fault) may be
 * given in `extra_headers` (NULL for none). The result is Stripe's JSON
 * object. Errors: see cp-stripe-error.h. */
void            cp_stripe_client_request_async    (CpStripeClient       *self,
                                                   const char           *method,
                                                   const char           *path,
                                                   CpStripeForm         *params,
                                                   const char           *operation,
                                                   SoupMessageHeaders   *extra_headers,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JsonObject     *cp_stripe_client_request_finish   (CpStripeClient       *self,
                                                   GAsyncResult         *result,
                                                   CpStripeErrorInfo   **info,
                                                   GError              **error);
/* Blocking: runs the request on a private main context of this client
 * (blocking calls from several threads take turns). For carepayctl, tests
 * and worker threads; never from the UI thread. Every resource call in
 * cp-stripe-*.h has the same blocking form. */
JsonObject     *cp_stripe_client_request          (CpStripeClient       *self,
                                                   const char           *method,
                                                   const char           *path,
                                                   CpStripeForm         *params,
                                                   const char           *operation,
                                                   SoupMessageHeaders   *extra_headers,
                                                   GCancellable         *cancellable,
                                                   CpStripeErrorInfo   **info,
                                                   GError              **error);

/* The idempotency key the client would send for `operation` (from the
 * store; NULL with no store or no operation). */
char           *cp_stripe_client_dup_idempotency_key (CpStripeClient  *self,
                                                      const char      *operation,
                                                      GError         **error);

G_END_DECLS
