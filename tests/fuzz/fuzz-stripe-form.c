/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Differential fuzzing of the Stripe form encoder (src/core/stripe) against
 * the simulator's independent decoder (src/sim).
 *
 * Input starting with '{' or '[' is JSON: it is cleaned to what Stripe's
 * form encoding can express, flattened with cp_stripe_form_add_node(),
 * encoded, decoded by cp_sim_form_decode(), and the result must be the same
 * tree with every scalar as its string. Any other input is lines of
 * "key<TAB>value" pairs added with cp_stripe_form_add(); the encoding must
 * decode, pair by pair, to exactly the keys and values added. */
#include "config.h"

#include <string.h>

#include "cp-sim-form.h"
#include "cp-stripe-form.h"
#include "fuzz-common.h"

#define MAX_DEPTH 32

/* Member names the bracket syntax cannot carry unambiguously: empty, with
 * brackets, or all digits (which the decoder reads as an array index). */
static gboolean
name_is_expressible (const char *name)
{
  gboolean all_digits = TRUE;

  if (*name == '\0' || strpbrk (name, "[]") != NULL)
    return FALSE;
  for (const char *p = name; *p; p++)
    all_digits &= g_ascii_isdigit (*p) != 0;
  return !all_digits;
}

/* The part of `node` that form encoding can express: no doubles (their
 * text is not ours to predict), no empty containers (they send nothing), no
 * inexpressible member names. `expected` gets the same tree with every
 * scalar as the string the decoder must give back. NULL if nothing is left. */
static JsonNode *
clean (JsonNode  *node,
       guint      depth,
       JsonNode **expected)
{
  *expected = NULL;
  if (depth > MAX_DEPTH)
    return NULL;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(JsonObject) out = json_object_new ();
      g_autoptr(JsonObject) out_expected = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          JsonNode *child_expected;
          JsonNode *cleaned;

          if (!name_is_expressible (name))
            continue;
          cleaned = clean (child, depth + 1, &child_expected);
          if (cleaned == NULL)
            continue;
          json_object_set_member (out, name, cleaned);
          json_object_set_member (out_expected, name, child_expected);
        }
      if (json_object_get_size (out) == 0)
        return NULL;
      *expected = json_node_init_object (json_node_alloc (), out_expected);
      return json_node_init_object (json_node_alloc (), out);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) out = json_array_new ();
      g_autoptr(JsonArray) out_expected = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *child_expected;
          JsonNode *cleaned = clean (json_array_get_element (array, i), depth + 1, &child_expected);

          if (cleaned == NULL)
            continue;
          json_array_add_element (out, cleaned);
          json_array_add_element (out_expected, child_expected);
        }
      if (json_array_get_length (out) == 0)
        return NULL;
      *expected = json_node_init_array (json_node_alloc (), out_expected);
      return json_node_init_array (json_node_alloc (), out);
    }

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *expected = json_node_init_string (json_node_alloc (), "");
      return json_node_copy (node);
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      *expected = json_node_init_string (json_node_alloc (),
                                         json_node_get_boolean (node) ? "true" : "false");
      return json_node_copy (node);
    case G_TYPE_INT64:
      {
        g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
        *expected = json_node_init_string (json_node_alloc (), text);
        return json_node_copy (node);
      }
    case G_TYPE_STRING:
      *expected = json_node_init_string (json_node_alloc (), json_node_get_string (node));
      return json_node_copy (node);
    default:
      return NULL;
    }
}

static void
check_json (const uint8_t *data,
            size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autoptr(JsonNode) cleaned = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *decoded_text = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return;

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      cleaned = clean (root, 0, &expected);
      if (cleaned == NULL)
        return;
      cp_stripe_form_add_node (form, NULL, cleaned);
    }
  else
    {
      /* Arrays and scalars go under one top-level key. */
      g_autoptr(JsonObject) wrapper = json_object_new ();
      g_autoptr(JsonObject) wrapper_expected = json_object_new ();
      JsonNode *value_expected;
      JsonNode *value = clean (root, 1, &value_expected);

      if (value == NULL)
        return;
      json_object_set_member (wrapper, "root", value);
      json_object_set_member (wrapper_expected, "root", value_expected);
      cleaned = json_node_init_object (json_node_alloc (), wrapper);
      expected = json_node_init_object (json_node_alloc (), wrapper_expected);
      cp_stripe_form_add_object (form, wrapper);
    }

  body = cp_stripe_form_encode (form);
  FUZZ_CHECK (strspn (body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&")
              == strlen (body), "unencoded byte in %s", body);

  decoded = cp_sim_form_decode (body, &error);
  expected_text = json_to_string (expected, FALSE);
  FUZZ_CHECK (decoded != NULL, "the decoder refused %s: %s (expected %s)",
              body, error->message, expected_text);
  decoded_text = json_to_string (decoded, FALSE);
  FUZZ_CHECK (json_node_equal (decoded, expected) && g_str_equal (decoded_text, expected_text),
              "%s decoded to %s, expected %s", body, decoded_text, expected_text);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static void
check_pairs (const uint8_t *data,
             size_t         size)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *text = g_utf8_make_valid ((const char *) data, size);
  g_autofree char *body = NULL;
  g_autofree char *fingerprint = NULL;
  g_auto(GStrv) split = g_strsplit (text, "\n", -1);
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; split[i] != NULL; i++)
    {
      char *tab = strchr (split[i], '\t');
      const char *value = NULL;

      if (tab != NULL)
        {
          *tab = '\0';
          value = tab + 1;
        }
      if (*split[i] == '\0')
        continue;
      cp_stripe_form_add (form, split[i], value);
      g_ptr_array_add (pairs, g_strconcat (split[i], "=", value ? value : "", NULL));
    }

  FUZZ_CHECK (cp_stripe_form_get_length (form) == pairs->len, "%u pairs, %u added",
              cp_stripe_form_get_length (form), pairs->len);
  body = cp_stripe_form_encode (form);

  /* Every key and value comes back byte for byte (the fingerprint decodes
   * each whole pair), and no '&' or '=' leaks into the encoding. */
  g_ptr_array_sort (pairs, compare_strings);
  for (guint i = 0; i < pairs->len; i++)
    {
      g_string_append (expected, g_ptr_array_index (pairs, i));
      g_string_append_c (expected, '\n');
    }
  fingerprint = cp_sim_form_fingerprint (body);
  FUZZ_CHECK (g_str_equal (fingerprint, expected->str), "%s gave fingerprint\n%s\nexpected\n%s",
              body, fingerprint, expected->str);

  /* Keys with brackets may conflict (a=1&a[b]=2): then the decoder must say
   * so, never crash; a key without brackets always decodes to its value. */
  decoded = cp_sim_form_decode (body, &error);
  FUZZ_CHECK ((decoded == NULL) == (error != NULL), "decode result and error disagree for %s", body);
  if (decoded != NULL)
    {
      JsonObject *object = json_node_get_object (decoded);

      for (guint i = 0; i < cp_stripe_form_get_length (form); i++)
        {
          const char *key = cp_stripe_form_get_key (form, i);
          const char *last = NULL;

          if (strchr (key, '[') != NULL)
            continue;
          /* the last pair with this key wins */
          for (guint j = 0; j < cp_stripe_form_get_length (form); j++)
            if (g_str_equal (cp_stripe_form_get_key (form, j), key))
              last = cp_stripe_form_get_value (form, j);
          FUZZ_CHECK (json_object_has_member (object, key), "%s lost key %s", body, key);
          FUZZ_CHECK (g_strcmp0 (json_object_get_string_member (object, key), last) == 0,
                      "%s: %s decoded to %s, sent %s", body, key,
                      json_object_get_string_member (object, key), last);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size > 0 && (data[0] == '{' || data[0] == '['))
    check_json (data, size);
  else
    check_pairs (data, size);
  return 0;
}
