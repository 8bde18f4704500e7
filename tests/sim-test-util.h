/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A running carepay-stripe-sim, talked to with plain libsoup. */
typedef struct {
  GSubprocess *process;
  char        *base_url;
  SoupSession *session;
  char        *state_path;
} SimFixture;

typedef struct {
  guint       status;
  JsonNode   *json;       /* NULL when the body is not JSON */
  char       *body;
  SoupMessageHeaders *headers;
  GError     *error;      /* transport error (connection closed...) */
} SimResponse;

#define SIM_KEY "sk_test_simtests123"

void         sim_fixture_start     (SimFixture  *fixture,
                                    const char  *first_arg,
                                    ...);
void         sim_fixture_stop      (SimFixture  *fixture);

/* @headers: NULL or "Name", "value", ..., NULL */
SimResponse *sim_request_full      (SimFixture  *fixture,
                                    const char  *method,
                                    const char  *path,
                                    const char  *key,
                                    const char  *body,
                                    const char  *const *headers);
SimResponse *sim_get               (SimFixture  *fixture,
                                    const char  *path);
SimResponse *sim_post              (SimFixture  *fixture,
                                    const char  *path,
                                    const char  *body);
void         sim_response_free     (SimResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimResponse, sim_response_free)

JsonObject  *sim_object            (SimResponse *response);
const char  *sim_string            (SimResponse *response,
                                    const char  *path);  /* "error.code" */
gint64       sim_int               (SimResponse *response,
                                    const char  *path);

/* Iterates the default main context until @done returns TRUE or @timeout_ms
 * passes. */
gboolean     sim_wait_until        (gboolean   (*done) (gpointer),
                                    gpointer     data,
                                    guint        timeout_ms);

G_END_DECLS
