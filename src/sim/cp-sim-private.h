/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Internals shared by the simulator's server, API handlers and pages. */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cp-sim-server.h"
#include "cp-sim-state.h"

G_BEGIN_DECLS

typedef struct _CpSimRequest CpSimRequest;

struct _CpSimRequest
{
  CpSimServer       *server;
  CpSimState        *state;
  SoupServerMessage *msg;
  const char        *method;
  char              *path;
  char              *raw_params;    /* body (POST) or query (GET) */
  JsonObject        *params;
  char              *request_id;
  char              *idempotency_key;
  char              *api_key;
  gboolean           publishable;   /* authenticated with a pk_test_ key */
  char             **args;          /* the '*' parts of the route */

  /* the answer */
  guint              status;
  char              *body;
  const char        *content_type;
  gboolean           answered;
  gboolean           keep_idempotent;  /* store for idempotent replay */
};

typedef void (*CpSimHandler) (CpSimRequest *req);

typedef struct {
  const char   *method;
  const char   *pattern;        /* "/v1/payment_intents/ * /confirm" without spaces */
  const char  **allowed;        /* accepted top-level parameters; NULL = any */
  gboolean      publishable;    /* may be called with a pk_test_ key */
  CpSimHandler  handler;
} CpSimRoute;

const CpSimRoute *cp_sim_api_routes (guint *n_routes);

/* answers */
void        cp_sim_reply_object   (CpSimRequest *req,
                                   guint         status,
                                   JsonObject   *object);
void        cp_sim_reply_error    (CpSimRequest *req,
                                   guint         status,
                                   const char   *type,
                                   const char   *code,
                                   const char   *param,
                                   const char   *message,
                                   ...) G_GNUC_PRINTF (6, 7);
void        cp_sim_reply_error_object (CpSimRequest *req,
                                       guint         status,
                                       JsonObject   *error);
void        cp_sim_reply_missing  (CpSimRequest *req,
                                   const char   *kind,
                                   const char   *id,
                                   const char   *param);
void        cp_sim_reply_text     (CpSimRequest *req,
                                   guint         status,
                                   const char   *content_type,
                                   const char   *text);

/* helpers */
const char *cp_sim_param_string   (CpSimRequest *req,
                                   const char   *name);
JsonObject *cp_sim_param_object   (CpSimRequest *req,
                                   const char   *name);
gboolean    cp_sim_param_int      (CpSimRequest *req,
                                   const char   *name,
                                   gint64       *out,
                                   gboolean     *present);
gboolean    cp_sim_param_bool     (CpSimRequest *req,
                                   const char   *name,
                                   gboolean     *out);
JsonNode   *cp_sim_copy_expanded  (CpSimRequest *req,
                                   JsonObject   *object);
JsonObject *cp_sim_emit           (CpSimRequest *req,
                                   const char   *type,
                                   JsonObject   *object,
                                   JsonObject   *previous);
JsonObject *cp_sim_emit_plain     (CpSimState   *state,
                                   const char   *type,
                                   JsonObject   *object,
                                   JsonObject   *previous);
const char *cp_sim_publishable_key (CpSimServer *server);

/* payments shared with the pages */
JsonObject *cp_sim_api_error_for_pi        (CpSimState   *state,
                                            JsonObject   *pi);
JsonObject *cp_sim_api_publishable_view    (JsonObject   *pi);
void        cp_sim_api_three_d_secure_done (CpSimServer  *server,
                                            JsonObject   *pi,
                                            gboolean      success);
char       *cp_sim_format_amount           (gint64        amount,
                                            const char   *currency);
gboolean    cp_sim_link_is_payable         (CpSimState   *state,
                                            JsonObject   *link);
JsonObject *cp_sim_api_start_checkout      (CpSimServer  *server,
                                            JsonObject   *link,
                                            const char  **message);

/* pages (Stripe.js stand-in, Payment Element, payment link, 3-D Secure) */
gboolean    cp_sim_pages_handle   (CpSimServer       *server,
                                   SoupServerMessage *msg,
                                   const char        *path);

G_END_DECLS
