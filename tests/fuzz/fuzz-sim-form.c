/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulator's form decoder on arbitrary bytes. When it accepts a body,
 * the Stripe client's encoder must write the decoded tree back as a body
 * that decodes to the same tree (decode . encode . decode == decode). */
#include "config.h"

#include <string.h>

#include "cp-sim-form.h"
#include "cp-stripe-form.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *body = g_strndup ((const char *) data, size);
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(CpStripeForm) form = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *decoded_text = NULL;
  g_autofree char *again_text = NULL;

  fingerprint = cp_sim_form_fingerprint (body);
  FUZZ_CHECK (fingerprint != NULL, "no fingerprint");

  decoded = cp_sim_form_decode (body, &error);
  FUZZ_CHECK ((decoded == NULL) == (error != NULL), "result and error disagree");
  if (decoded == NULL)
    return 0;
  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (decoded), "the decoded body is not an object");

  form = cp_stripe_form_new ();
  cp_stripe_form_add_node (form, NULL, decoded);
  encoded = cp_stripe_form_encode (form);
  again = cp_sim_form_decode (encoded, &error);
  decoded_text = json_to_string (decoded, FALSE);
  FUZZ_CHECK (again != NULL, "%s decoded to %s, which encodes to %s, which does not decode: %s",
              body, decoded_text, encoded, error->message);
  again_text = json_to_string (again, FALSE);
  FUZZ_CHECK (json_node_equal (decoded, again) && g_str_equal (decoded_text, again_text),
              "%s decoded to %s, re-encoded as %s, decoded to %s",
              body, decoded_text, encoded, again_text);
  return 0;
}
