/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-stripe-form.h"

struct _CpStripeForm
{
  gatomicrefcount  ref_count;
  GPtrArray       *keys;    /* char*, unencoded */
  GPtrArray       *values;  /* char*, unencoded */
};

G_DEFINE_BOXED_TYPE (CpStripeForm, cp_stripe_form, cp_stripe_form_ref, cp_stripe_form_unref)

CpStripeForm *
cp_stripe_form_new (void)
{
  CpStripeForm *form = g_new0 (CpStripeForm, 1);

  g_atomic_ref_count_init (&form->ref_count);
  form->keys = g_ptr_array_new_with_free_func (g_free);
  form->values = g_ptr_array_new_with_free_func (g_free);
  return form;
}

CpStripeForm *
cp_stripe_form_ref (CpStripeForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  g_atomic_ref_count_inc (&form->ref_count);
  return form;
}

void
cp_stripe_form_unref (CpStripeForm *form)
{
  g_return_if_fail (form != NULL);
  if (g_atomic_ref_count_dec (&form->ref_count))
    {
      g_ptr_array_unref (form->keys);
      g_ptr_array_unref (form->values);
      g_free (form);
    }
}

void
cp_stripe_form_add (CpStripeForm *form,
                    const char   *key,
                    const char   *value)
{
  g_return_if_fail (form != NULL);
  g_return_if_fail (key != NULL && *key != '\0');
  g_return_if_fail (value == NULL || g_utf8_validate (value, -1, NULL));

  g_ptr_array_add (form->keys, g_strdup (key));
  g_ptr_array_add (form->values, g_strdup (value != NULL ? value : ""));
}

void
cp_stripe_form_add_printf (CpStripeForm *form,
                           const char   *key,
                           const char   *format,
                           ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  cp_stripe_form_add (form, key, value);
}

void
cp_stripe_form_add_int (CpStripeForm *form,
                        const char   *key,
                        gint64        value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  cp_stripe_form_add (form, key, buf);
}

void
cp_stripe_form_add_bool (CpStripeForm *form,
                         const char   *key,
                         gboolean      value)
{
  cp_stripe_form_add (form, key, value ? "true" : "false");
}

static gboolean
node_is_container (JsonNode *node)
{
  return JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node);
}

static void
add_scalar (CpStripeForm *form,
            const char   *key,
            JsonNode     *node)
{
  GType type;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      cp_stripe_form_add (form, key, "");
      return;
    }

  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    cp_stripe_form_add_bool (form, key, json_node_get_boolean (node));
  else if (type == G_TYPE_INT64)
    cp_stripe_form_add_int (form, key, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      cp_stripe_form_add (form, key, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  else
    cp_stripe_form_add (form, key, json_node_get_string (node));
}

static void
add_node (CpStripeForm *form,
          const char   *key,
          JsonNode     *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *member;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &member, &child))
        {
          g_autofree char *child_key = key != NULL ? g_strdup_printf ("%s[%s]", key, member)
                                                   : g_strdup (member);
          add_node (form, child_key, child);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);
      gboolean indexed = FALSE;

      g_return_if_fail (key != NULL);

      /* Stripe's libraries index arrays of objects and send scalars as key[]. */
      for (guint i = 0; i < n; i++)
        indexed |= node_is_container (json_array_get_element (array, i));

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *child_key = indexed ? g_strdup_printf ("%s[%u]", key, i)
                                               : g_strdup_printf ("%s[]", key);
          add_node (form, child_key, json_array_get_element (array, i));
        }
    }
  else
    {
      g_return_if_fail (key != NULL);
      add_scalar (form, key, node);
    }
}

void
cp_stripe_form_add_node (CpStripeForm *form,
                         const char   *key,
                         JsonNode     *node)
{
  g_return_if_fail (form != NULL);
  g_return_if_fail (node != NULL);
  g_return_if_fail (key != NULL || JSON_NODE_HOLDS_OBJECT (node));

  add_node (form, key, node);
}

void
cp_stripe_form_add_object (CpStripeForm *form,
                           JsonObject   *object)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (form != NULL);
  g_return_if_fail (object != NULL);

  node = json_node_init_object (json_node_alloc (), object);
  add_node (form, NULL, node);
}

void
cp_stripe_form_add_form (CpStripeForm *form,
                         CpStripeForm *other)
{
  g_return_if_fail (form != NULL);

  if (other == NULL)
    return;
  for (guint i = 0; i < other->keys->len; i++)
    cp_stripe_form_add (form, other->keys->pdata[i], other->values->pdata[i]);
}

guint
cp_stripe_form_get_length (CpStripeForm *form)
{
  g_return_val_if_fail (form != NULL, 0);
  return form->keys->len;
}

const char *
cp_stripe_form_get_key (CpStripeForm *form,
                        guint         index)
{
  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (index < form->keys->len, NULL);
  return form->keys->pdata[index];
}

const char *
cp_stripe_form_get_value (CpStripeForm *form,
                          guint         index)
{
  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (index < form->values->len, NULL);
  return form->values->pdata[index];
}

const char *
cp_stripe_form_lookup (CpStripeForm *form,
                       const char   *key)
{
  g_return_val_if_fail (form != NULL, NULL);

  for (guint i = 0; i < form->keys->len; i++)
    if (g_str_equal (form->keys->pdata[i], key))
      return form->values->pdata[i];
  return NULL;
}

static void
append_encoded (GString    *out,
                const char *text)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
        g_string_append_c (out, *p);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
}

char *
cp_stripe_percent_encode (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) + 8);
  append_encoded (out, text);
  return g_string_free (out, FALSE);
}

char *
cp_stripe_form_encode (CpStripeForm *form)
{
  GString *out;

  g_return_val_if_fail (form != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < form->keys->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '&');
      append_encoded (out, form->keys->pdata[i]);
      g_string_append_c (out, '=');
      append_encoded (out, form->values->pdata[i]);
    }
  return g_string_free (out, FALSE);
}
