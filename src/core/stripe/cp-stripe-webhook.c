/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-stripe-json.h"
#include "cp-stripe-webhook.h"

static char *
compute_signature (const char *payload,
                   gsize       payload_length,
                   const char *secret,
                   const char *timestamp)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));

  g_hmac_update (hmac, (const guchar *) timestamp, strlen (timestamp));
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) payload, payload_length);
  return g_strdup (g_hmac_get_string (hmac));
}

/* Compares without an early exit, so the time taken does not tell an
 * attacker how many leading characters were right. */
static gboolean
constant_time_equal (const char *a,
                     const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  guchar diff = len_a != len_b;

  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % MAX (len_b, 1)];
  return diff == 0;
}

static gboolean
parse_timestamp (const char *text,
                 gint64     *out)
{
  guint64 value;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

gboolean
cp_stripe_webhook_verify_at (const char  *payload,
                             gsize        payload_length,
                             const char  *signature_header,
                             const char  *secret,
                             gint64       tolerance,
                             gint64       now,
                             GError     **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GPtrArray) v1 = g_ptr_array_new ();
  g_autofree char *expected = NULL;
  const char *timestamp = NULL;
  gint64 t;

  g_return_val_if_fail (payload != NULL || payload_length == 0, FALSE);

  if (secret == NULL || *secret == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                           "No webhook signing secret is configured");
      return FALSE;
    }
  if (signature_header == NULL || *signature_header == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                           "Malformed Stripe-Signature header: missing or empty");
      return FALSE;
    }

  items = g_strsplit (signature_header, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *eq = strchr (item, '=');

      if (eq == NULL || eq == item)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_SIGNATURE,
                       "Malformed Stripe-Signature header: item %u is not scheme=value", i + 1);
          return FALSE;
        }
      *eq = '\0';
      if (g_str_equal (item, "t"))
        {
          if (timestamp != NULL)
            {
              g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                                   "Malformed Stripe-Signature header: more than one timestamp");
              return FALSE;
            }
          timestamp = eq + 1;
        }
      else if (g_str_equal (item, "v1"))
        g_ptr_array_add (v1, eq + 1);
      /* v0 (test-mode legacy) and unknown schemes are ignored on purpose. */
    }

  if (timestamp == NULL || !parse_timestamp (timestamp, &t))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                           "Malformed Stripe-Signature header: no valid timestamp (t=)");
      return FALSE;
    }
  if (v1->len == 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                           "No v1 signature in the Stripe-Signature header");
      return FALSE;
    }
  if (tolerance > 0 && (t < now - tolerance || t > now + tolerance))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_SIGNATURE,
                   "Timestamp outside the tolerance zone (%" G_GINT64_FORMAT " s %s, limit %" G_GINT64_FORMAT " s)",
                   t < now ? now - t : t - now, t < now ? "old" : "in the future", tolerance);
      return FALSE;
    }

  expected = compute_signature (payload, payload_length, secret, timestamp);
  for (guint i = 0; i < v1->len; i++)
    {
      g_autofree char *given = g_ascii_strdown (v1->pdata[i], -1);
      if (constant_time_equal (given, expected))
        return TRUE;
    }

  g_set_error_literal (error, CP_ERROR, CP_ERROR_SIGNATURE,
                       "No signature matches the expected signature for the payload");
  return FALSE;
}

gboolean
cp_stripe_webhook_verify (const char  *payload,
                          gsize        payload_length,
                          const char  *signature_header,
                          const char  *secret,
                          GError     **error)
{
  return cp_stripe_webhook_verify_at (payload, payload_length, signature_header, secret,
                                      CP_STRIPE_WEBHOOK_DEFAULT_TOLERANCE,
                                      g_get_real_time () / G_USEC_PER_SEC, error);
}

char *
cp_stripe_webhook_sign (const char *payload,
                        gsize       payload_length,
                        const char *secret,
                        gint64      timestamp)
{
  g_autofree char *t = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  g_autofree char *sig = compute_signature (payload, payload_length, secret, t);

  return g_strdup_printf ("t=%s,v1=%s", t, sig);
}

JsonObject *
cp_stripe_webhook_construct_event (const char  *payload,
                                   gsize        payload_length,
                                   const char  *signature_header,
                                   const char  *secret,
                                   gint64       tolerance,
                                   gint64       now,
                                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *event;

  if (!cp_stripe_webhook_verify_at (payload, payload_length, signature_header, secret,
                                    tolerance, now, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, payload, payload_length, &local_error))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   "The webhook body is not JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  /* Lenient readers: a member of another type ({"object": {}}) is a bad
   * body, not a critical warning (found by tests/fuzz/fuzz-webhook). */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (cp_stripe_json_get_string (json_node_get_object (root), "object"), "event") != 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           "The webhook body is not a Stripe event");
      return NULL;
    }
  event = json_node_get_object (root);
  if (cp_stripe_json_get_string (event, "id") == NULL ||
      cp_stripe_json_get_string (event, "type") == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           "The webhook event has no id or type");
      return NULL;
    }
  return json_object_ref (event);
}
