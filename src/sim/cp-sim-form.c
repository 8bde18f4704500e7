/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-sim-form.h"

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static char *
form_unescape (const char *s,
               gsize       len,
               GError    **error)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '+')
        g_string_append_c (out, ' ');
      else if (s[i] == '%')
        {
          int hi, lo;

          if (i + 2 >= len)
            goto bad;
          hi = hex_value (s[i + 1]);
          lo = hex_value (s[i + 2]);
          if (hi < 0 || lo < 0)
            goto bad;
          g_string_append_c (out, (char) (hi * 16 + lo));
          i += 2;
        }
      else
        g_string_append_c (out, s[i]);
    }

  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, "Invalid UTF-8 in request parameters");
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);

bad:
  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, "Invalid percent-encoding in request parameters");
  g_string_free (out, TRUE);
  return NULL;
}

/* Splits "a[b][]" into {"a", "b", ""}. */
static GPtrArray *
split_key (const char  *key,
           GError     **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *br = strchr (key, '[');
  const char *p;

  if (br == NULL)
    {
      g_ptr_array_add (parts, g_strdup (key));
      return g_steal_pointer (&parts);
    }
  if (br == key)
    goto bad;
  g_ptr_array_add (parts, g_strndup (key, br - key));
  p = br;
  while (*p != '\0')
    {
      const char *close;

      if (*p != '[')
        goto bad;
      close = strchr (p, ']');
      if (close == NULL)
        goto bad;
      g_ptr_array_add (parts, g_strndup (p + 1, close - p - 1));
      p = close + 1;
    }
  return g_steal_pointer (&parts);

bad:
  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, "Invalid parameter name: %s", key);
  return NULL;
}

static gboolean
is_index (const char *s,
          guint      *out)
{
  guint64 v;

  if (*s == '\0' || strlen (s) > 6)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  v = g_ascii_strtoull (s, NULL, 10);
  *out = (guint) v;
  return TRUE;
}

/* The container for parts[i+1]: an array when it is "" or a number. */
static JsonNode *
new_container_for (const char *next)
{
  guint idx;

  JsonNode *node = json_node_alloc ();

  if (*next == '\0' || is_index (next, &idx))
    {
      json_node_init (node, JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }
  else
    {
      json_node_init (node, JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  return node;
}

static gboolean
insert_value (JsonNode   *root,
              GPtrArray  *parts,
              const char *value,
              const char *key,
              GError    **error)
{
  JsonNode *node = root;

  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);
      gboolean last = (i + 1 == parts->len);
      JsonNode *child = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *obj = json_node_get_object (node);

          if (*part == '\0')
            goto bad;
          if (last)
            {
              if (json_object_has_member (obj, part))
                {
                  JsonNode *old = json_object_get_member (obj, part);
                  if (!JSON_NODE_HOLDS_VALUE (old))
                    goto bad;
                }
              json_object_set_string_member (obj, part, value);
              return TRUE;
            }
          child = json_object_get_member (obj, part);
          if (child == NULL)
            {
              child = new_container_for (g_ptr_array_index (parts, i + 1));
              json_object_set_member (obj, part, child);
            }
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *arr = json_node_get_array (node);
          guint idx;

          if (*part == '\0')
            {
              if (last)
                {
                  json_array_add_string_element (arr, value);
                  return TRUE;
                }
              /* a[][b]=: append a new object */
              child = new_container_for (g_ptr_array_index (parts, i + 1));
              json_array_add_element (arr, child);
            }
          else if (is_index (part, &idx))
            {
              /* Stripe requires indices to be dense; accept the next index
               * or an existing one. */
              if (idx > json_array_get_length (arr))
                {
                  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               "Invalid array index in %s: indices must start at 0 and be consecutive", key);
                  return FALSE;
                }
              if (idx == json_array_get_length (arr))
                {
                  if (last)
                    {
                      json_array_add_string_element (arr, value);
                      return TRUE;
                    }
                  child = new_container_for (g_ptr_array_index (parts, i + 1));
                  json_array_add_element (arr, child);
                }
              else
                {
                  if (last)
                    goto bad;
                  child = json_array_get_element (arr, idx);
                }
            }
          else
            goto bad;
        }
      else
        goto bad;

      node = child;
      /* A container created earlier must match the kind the key asks for. */
      if (!last)
        {
          const char *next = g_ptr_array_index (parts, i + 1);
          guint idx;
          gboolean want_array = (*next == '\0' || is_index (next, &idx));

          if (want_array != JSON_NODE_HOLDS_ARRAY (node) || JSON_NODE_HOLDS_VALUE (node))
            goto bad;
        }
    }

bad:
  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, "Invalid or conflicting parameter: %s", key);
  return FALSE;
}

JsonNode *
cp_sim_form_decode (const char  *body,
                    GError     **error)
{
  g_autoptr(JsonNode) root = json_node_alloc ();
  g_auto(GStrv) pairs = NULL;

  json_node_init (root, JSON_NODE_OBJECT);
  json_node_take_object (root, json_object_new ());
  if (body == NULL || *body == '\0')
    return g_steal_pointer (&root);

  pairs = g_strsplit (body, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *pair = pairs[i];
      const char *eq;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      g_autoptr(GPtrArray) parts = NULL;

      if (*pair == '\0')
        continue;
      eq = strchr (pair, '=');
      if (eq != NULL)
        {
          key = form_unescape (pair, eq - pair, error);
          if (key == NULL)
            return NULL;
          value = form_unescape (eq + 1, strlen (eq + 1), error);
        }
      else
        {
          key = form_unescape (pair, strlen (pair), error);
          if (key == NULL)
            return NULL;
          value = g_strdup ("");
        }
      if (value == NULL)
        return NULL;
      if (*key == '\0')
        continue;
      parts = split_key (key, error);
      if (parts == NULL)
        return NULL;
      if (!insert_value (root, parts, value, key, error))
        return NULL;
    }

  return g_steal_pointer (&root);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

char *
cp_sim_form_fingerprint (const char *body)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) pairs = NULL;
  GString *out = g_string_new (NULL);

  if (body != NULL)
    {
      pairs = g_strsplit (body, "&", -1);
      for (guint i = 0; pairs[i] != NULL; i++)
        {
          g_autofree char *k = NULL;
          if (*pairs[i] == '\0')
            continue;
          /* decode for the comparison; invalid escapes compare raw */
          k = form_unescape (pairs[i], strlen (pairs[i]), NULL);
          g_ptr_array_add (items, k ? g_steal_pointer (&k) : g_strdup (pairs[i]));
        }
    }
  g_ptr_array_sort (items, compare_strings);
  for (guint i = 0; i < items->len; i++)
    {
      g_string_append (out, g_ptr_array_index (items, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
