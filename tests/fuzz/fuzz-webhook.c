/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The webhook verifier and event parser. Input: a Stripe-Signature header
 * line, a signing secret line, then the raw body (any bytes).
 *
 * - The fuzzed header is verified against the body (must not crash; a
 *   header that passes must carry the right v1 for its t).
 * - The body signed by cp_stripe_webhook_sign() must verify, a changed body
 *   or secret must not, and construct_event() must parse it or say why, and
 *   an event it returns must load into a CpStripeEvent. */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-objects.h"
#include "cp-stripe-webhook.h"
#include "fuzz-common.h"

#define NOW G_GINT64_CONSTANT (1790000000)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize lengths[3];
  g_auto(GStrv) fields = fuzz_split_fields (data, size, 3, lengths);
  const char *header = fields[0];
  const char *secret = fields[1];
  const char *body = fields[2];
  gsize body_length = lengths[2];
  g_autoptr(GError) error = NULL;
  g_autofree char *signed_header = NULL;
  g_autoptr(JsonObject) event = NULL;
  gboolean ok;

  /* The fuzzed header, with a pinned clock and with no tolerance. */
  ok = cp_stripe_webhook_verify_at (body, body_length, header, secret, 300, NOW, &error);
  FUZZ_CHECK (ok == (error == NULL), "result and error disagree");
  FUZZ_CHECK (ok || g_error_matches (error, CP_ERROR, CP_ERROR_SIGNATURE), "wrong error: %s",
              error->message);
  g_clear_error (&error);
  ok = cp_stripe_webhook_verify_at (body, body_length, header, secret, 0, NOW, &error);
  FUZZ_CHECK (ok || g_error_matches (error, CP_ERROR, CP_ERROR_SIGNATURE), "wrong error: %s",
              error->message);
  g_clear_error (&error);
  event = cp_stripe_webhook_construct_event (body, body_length, header, secret, 0, NOW, &error);
  FUZZ_CHECK ((event == NULL) == (error != NULL), "result and error disagree");
  g_clear_error (&error);
  g_clear_pointer (&event, json_object_unref);

  if (*secret == '\0')
    return 0;

  /* What Stripe would send. */
  signed_header = cp_stripe_webhook_sign (body, body_length, secret, NOW - 10);
  ok = cp_stripe_webhook_verify_at (body, body_length, signed_header, secret, 300, NOW, &error);
  FUZZ_CHECK (ok, "%s does not verify: %s", signed_header, error->message);
  ok = cp_stripe_webhook_verify_at (body, body_length, signed_header, secret, 5, NOW, &error);
  FUZZ_CHECK (!ok && g_error_matches (error, CP_ERROR, CP_ERROR_SIGNATURE), "stale timestamp accepted");
  g_clear_error (&error);

  if (body_length > 0)
    {
      g_autofree char *tampered = g_memdup2 (body, body_length + 1);

      tampered[body_length - 1] ^= 0x01;
      ok = cp_stripe_webhook_verify_at (tampered, body_length, signed_header, secret, 300, NOW, &error);
      FUZZ_CHECK (!ok && g_error_matches (error, CP_ERROR, CP_ERROR_SIGNATURE),
                  "a changed body verified");
      g_clear_error (&error);
    }
  {
    g_autofree char *other_secret = g_strconcat (secret, "x", NULL);

    ok = cp_stripe_webhook_verify_at (body, body_length, signed_header, other_secret, 300, NOW, &error);
    FUZZ_CHECK (!ok && g_error_matches (error, CP_ERROR, CP_ERROR_SIGNATURE),
                "another secret verified");
    g_clear_error (&error);
  }

  event = cp_stripe_webhook_construct_event (body, body_length, signed_header, secret, 300, NOW, &error);
  FUZZ_CHECK ((event == NULL) == (error != NULL), "result and error disagree");
  if (event == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, CP_ERROR, CP_ERROR_INVALID_INPUT), "wrong error: %s",
                  error->message);
      return 0;
    }

  {
    g_autoptr(CpStripeEvent) parsed = cp_stripe_event_new_from_json (event);

    FUZZ_CHECK (parsed != NULL, "a verified event does not parse");
    FUZZ_CHECK (parsed->id != NULL && parsed->type != NULL, "event without id or type");
  }
  return 0;
}
