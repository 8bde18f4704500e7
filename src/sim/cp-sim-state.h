/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CP_TYPE_SIM_STATE (cp_sim_state_get_type ())
G_DECLARE_FINAL_TYPE (CpSimState, cp_sim_state, CP, SIM_STATE, GObject)

/* A stored idempotent response. */
typedef struct {
  char   *fingerprint;   /* method, path and canonical parameters */
  char   *request_id;
  guint   status;        /* 0 while the first request is still running */
  char   *body;
  gint64  created;       /* unix seconds */
} CpSimIdempotent;

/* A deep copy (json_node_copy() shares objects and arrays). */
JsonNode        *cp_sim_json_copy              (JsonNode    *node);

/* The object member @name of @obj, or NULL (no warnings). */
JsonObject      *cp_sim_obj                    (JsonObject  *obj,
                                                const char  *name);

CpSimState      *cp_sim_state_new              (void);
void             cp_sim_state_reset            (CpSimState  *self);

char            *cp_sim_state_make_id          (const char  *prefix);
gint64           cp_sim_state_now              (void);

/* A new object of @type ("payment_intent", "checkout.session"...) from the
 * fixture-shaped template, with a fresh id "@prefix_..." and created = now.
 * The state keeps the object; the return value is borrowed. */
JsonObject      *cp_sim_state_create           (CpSimState  *self,
                                                const char  *type,
                                                const char  *prefix);
JsonObject      *cp_sim_state_create_with_id   (CpSimState  *self,
                                                const char  *type,
                                                const char  *id);
/* A new unstored object of @type from the template (caller owns it). */
JsonObject      *cp_sim_state_template         (CpSimState  *self,
                                                const char  *type);
/* Forgets the object @id (rolls back a create that failed validation). */
void             cp_sim_state_remove           (CpSimState  *self,
                                                const char  *id);
JsonObject      *cp_sim_state_lookup           (CpSimState  *self,
                                                const char  *id);
JsonObject      *cp_sim_state_lookup_typed     (CpSimState  *self,
                                                const char  *id,
                                                const char  *type);
/* Ids of @type in creation order (oldest first); borrowed. */
GPtrArray       *cp_sim_state_ids              (CpSimState  *self,
                                                const char  *type);

/* Private facts that Stripe keeps but does not show (the test card of a
 * payment method, the session a PaymentIntent belongs to...). */
const char      *cp_sim_state_get_private      (CpSimState  *self,
                                                const char  *id,
                                                const char  *key);
void             cp_sim_state_set_private      (CpSimState  *self,
                                                const char  *id,
                                                const char  *key,
                                                const char  *value);

CpSimIdempotent *cp_sim_state_get_idempotent   (CpSimState  *self,
                                                const char  *key);
CpSimIdempotent *cp_sim_state_begin_idempotent (CpSimState  *self,
                                                const char  *key,
                                                const char  *fingerprint,
                                                const char  *request_id);
void             cp_sim_state_end_idempotent   (CpSimState  *self,
                                                const char  *key,
                                                guint        status,
                                                const char  *body);
void             cp_sim_state_drop_idempotent  (CpSimState  *self,
                                                const char  *key);

JsonNode        *cp_sim_state_to_json          (CpSimState  *self);
gboolean         cp_sim_state_save             (CpSimState  *self,
                                                const char  *path,
                                                GError     **error);
gboolean         cp_sim_state_load             (CpSimState  *self,
                                                const char  *path,
                                                GError     **error);

/* Records an event for @object and emits CpSimState::event. Returns the
 * event (borrowed). */
JsonObject      *cp_sim_state_add_event        (CpSimState  *self,
                                                const char  *type,
                                                JsonObject  *object,
                                                JsonObject  *previous_attributes,
                                                const char  *request_id,
                                                const char  *idempotency_key);

G_END_DECLS
