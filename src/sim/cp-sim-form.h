/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Decodes Stripe's application/x-www-form-urlencoded bodies and query strings
 * into a nested JSON object:
 *   a[b][c]=1        -> {"a":{"b":{"c":"1"}}}
 *   expand[]=x       -> {"expand":["x"]}
 *   items[0][price]=y -> {"items":[{"price":"y"}]}
 * Values stay strings (Stripe's form encoding has no types).
 * Percent-escapes are decoded and '+' means a space. */
JsonNode *cp_sim_form_decode (const char  *body,
                              GError     **error);

/* A canonical text of the decoded parameters (sorted pairs) used to compare
 * the parameters of two requests for idempotency. */
char     *cp_sim_form_fingerprint (const char *body);

G_END_DECLS
