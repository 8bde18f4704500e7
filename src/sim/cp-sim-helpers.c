/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the simulator's endpoints: parameters, metadata,
 * amounts, and Stripe's list and search envelopes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-sim-cards.h"
#include "cp-sim-api-private.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

char *
cp_sim_random_string (guint len)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < len; i++)
    g_string_append_c (s, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (s, FALSE);
}

void
cp_sim_set_string_or_null (JsonObject *obj,
                    const char *member,
                    const char *value)
{
  if (value != NULL && *value != '\0')
    json_object_set_string_member (obj, member, value);
  else
    json_object_set_null_member (obj, member);
}

JsonObject *
cp_sim_obj_copy (JsonObject *obj)
{
  g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), obj);
  JsonNode *copy = cp_sim_json_copy (tmp);
  JsonObject *ret = json_object_ref (json_node_get_object (copy));

  json_node_unref (copy);
  return ret;
}

gboolean
cp_sim_require_param (CpSimRequest *req,
               const char   *name)
{
  if (json_object_has_member (req->params, name))
    return TRUE;
  cp_sim_reply_error (req, 400, INVALID, "parameter_missing", name, "Missing required param: %s.", name);
  return FALSE;
}

/* metadata[k]=v sets, metadata[k]= removes, metadata= clears */
gboolean
cp_sim_apply_metadata (CpSimRequest *req,
                JsonObject   *obj,
                JsonObject   *params,
                const char   *param_prefix)
{
  JsonNode *node = json_object_get_member (params, "metadata");
  JsonObject *meta = cp_sim_obj (obj, "metadata");
  g_autoptr(GList) keys = NULL;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && g_strcmp0 (json_node_get_string (node), "") == 0)
    {
      json_object_set_object_member (obj, "metadata", json_object_new ());
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "metadata",
                          "Invalid object");
      return FALSE;
    }
  if (meta == NULL)
    {
      meta = json_object_new ();
      json_object_set_object_member (obj, "metadata", meta);
    }
  keys = json_object_get_members (json_node_get_object (node));
  for (GList *l = keys; l; l = l->next)
    {
      JsonNode *v = json_object_get_member (json_node_get_object (node), l->data);
      if (!JSON_NODE_HOLDS_VALUE (v))
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "metadata",
                              "Invalid value for metadata[%s]: metadata values must be strings", (char *) l->data);
          return FALSE;
        }
      if (strlen (l->data) > 40)
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "metadata",
                              "Metadata keys can have up to 40 characters");
          return FALSE;
        }
      if (*json_node_get_string (v) == '\0')
        json_object_remove_member (meta, l->data);
      else
        json_object_set_string_member (meta, l->data, json_node_get_string (v));
    }
  (void) param_prefix;
  return TRUE;
}

static gboolean
is_zero_decimal (const char *currency)
{
  static const char *zero[] = { "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                                "ugx", "vnd", "vuv", "xaf", "xof", "xpf", NULL };

  return currency != NULL && g_strv_contains (zero, currency);
}

char *
cp_sim_format_amount (gint64      amount,
                      const char *currency)
{
  g_autofree char *upper = g_ascii_strup (currency ? currency : "", -1);
  const char *symbol = NULL;

  if (g_strcmp0 (currency, "usd") == 0)
    symbol = "$";
  else if (g_strcmp0 (currency, "eur") == 0)
    symbol = "€";
  else if (g_strcmp0 (currency, "gbp") == 0)
    symbol = "£";
  if (is_zero_decimal (currency))
    return g_strdup_printf ("%s%" G_GINT64_FORMAT "%s%s", symbol ? symbol : "", amount,
                            symbol ? "" : " ", symbol ? "" : upper);
  return g_strdup_printf ("%s%s%" G_GINT64_FORMAT ".%02d%s%s", amount < 0 ? "-" : "", symbol ? symbol : "",
                          ABS (amount) / 100, (int) (ABS (amount) % 100), symbol ? "" : " ", symbol ? "" : upper);
}

gboolean
cp_sim_check_currency (CpSimRequest *req,
                const char   *currency)
{
  if (currency == NULL || strlen (currency) != 3)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "currency",
                          "Invalid currency: %s. Stripe currently supports these currencies: usd, eur, gbp, chf, cad, aud, jpy, ...",
                          currency ? currency : "");
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    if (!g_ascii_isalpha (currency[i]))
      {
        cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_string", "currency",
                            "Invalid currency: %s.", currency);
        return FALSE;
      }
  return TRUE;
}

gboolean
cp_sim_check_amount (CpSimRequest *req,
              gint64        amount,
              const char   *currency)
{
  gint64 minimum = 1;

  if (g_strcmp0 (currency, "usd") == 0 || g_strcmp0 (currency, "eur") == 0 || g_strcmp0 (currency, "chf") == 0
      || g_strcmp0 (currency, "cad") == 0 || g_strcmp0 (currency, "aud") == 0)
    minimum = 50;
  else if (g_strcmp0 (currency, "gbp") == 0)
    minimum = 30;
  else if (g_strcmp0 (currency, "jpy") == 0)
    minimum = 50;
  if (amount < 0)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "amount",
                          "This value must be greater than or equal to 1.");
      return FALSE;
    }
  if (amount < minimum)
    {
      g_autofree char *min = cp_sim_format_amount (minimum, currency);
      cp_sim_reply_error (req, 400, INVALID, "amount_too_small", "amount",
                          "Amount must be at least %s %s", min, currency);
      return FALSE;
    }
  if (amount > 99999999)
    {
      cp_sim_reply_error (req, 400, INVALID, "amount_too_large", "amount",
                          "Amount must be no more than 999,999.99");
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* lists                                                               */


static gboolean
created_matches (JsonNode *filter,
                 gint64    created,
                 gboolean *ok)
{
  *ok = TRUE;
  if (filter == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (filter))
    return created == g_ascii_strtoll (json_node_get_string (filter), NULL, 10);
  if (JSON_NODE_HOLDS_OBJECT (filter))
    {
      JsonObject *o = json_node_get_object (filter);
      const char *ops[] = { "gt", "gte", "lt", "lte" };
      for (guint i = 0; i < 4; i++)
        {
          const char *s = json_object_get_string_member_with_default (o, ops[i], NULL);
          gint64 v;
          if (s == NULL)
            continue;
          v = g_ascii_strtoll (s, NULL, 10);
          if ((i == 0 && !(created > v)) || (i == 1 && !(created >= v))
              || (i == 2 && !(created < v)) || (i == 3 && !(created <= v)))
            return FALSE;
        }
      return TRUE;
    }
  *ok = FALSE;
  return FALSE;
}

static gboolean
parse_limit (CpSimRequest *req,
             gint64       *limit)
{
  gboolean present;

  *limit = 10;
  if (!cp_sim_param_int (req, "limit", limit, &present))
    return FALSE;
  if (!present)
    *limit = 10;
  if (*limit < 1)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "limit",
                          "This value must be greater than or equal to 1.");
      return FALSE;
    }
  if (*limit > 100)
    {
      cp_sim_reply_error (req, 400, INVALID, "parameter_invalid_integer", "limit",
                          "This value must be less than or equal to 100.");
      return FALSE;
    }
  return TRUE;
}

/* Whether a listed object passes `created` (already checked to be
 * well-formed) and the resource's filter. */
static gboolean
list_item_matches (CpSimRequest    *req,
                   JsonObject      *obj,
                   JsonNode        *created,
                   CpSimListFilter  filter)
{
  gboolean ok;

  if (obj == NULL)
    return FALSE;
  if (!created_matches (created, json_object_get_int_member_with_default (obj, "created", 0), &ok))
    return FALSE;
  return filter == NULL || filter (req, obj);
}

void
cp_sim_reply_list (CpSimRequest *req,
            const char   *type,
            CpSimListFilter    filter,
            const char   *url)
{
  GPtrArray *ids = cp_sim_state_ids (req->state, type);
  const char *starting_after = cp_sim_param_string (req, "starting_after");
  const char *ending_before = cp_sim_param_string (req, "ending_before");
  JsonNode *created = json_object_get_member (req->params, "created");
  g_autoptr(JsonObject) list = json_object_new ();
  JsonArray *data = json_array_new ();
  gint64 limit;
  gint anchor = -1;
  gboolean has_more = FALSE;

  if (!parse_limit (req, &limit))
    {
      json_array_unref (data);
      return;
    }
  if (starting_after != NULL && ending_before != NULL)
    {
      json_array_unref (data);
      cp_sim_reply_error (req, 400, INVALID, NULL, "ending_before",
                          "You may only specify one of these parameters: ending_before, starting_after.");
      return;
    }
  if (starting_after != NULL || ending_before != NULL)
    {
      const char *cursor = starting_after ? starting_after : ending_before;
      /* newest first: a cursor is usually near the end */
      for (guint i = ids->len; i > 0 && anchor < 0; i--)
        if (g_str_equal (g_ptr_array_index (ids, i - 1), cursor))
          anchor = i - 1;
      if (anchor < 0)
        {
          json_array_unref (data);
          cp_sim_reply_error (req, 400, INVALID, "resource_missing",
                              starting_after ? "starting_after" : "ending_before",
                              "No such %s: '%s'", type, cursor);
          return;
        }
    }

  {
    gboolean ok;

    /* a malformed `created` is refused even when nothing would be checked */
    created_matches (created, 0, &ok);
    if (!ok)
      {
        json_array_unref (data);
        cp_sim_reply_error (req, 400, INVALID, NULL, "created", "Invalid timestamp or range for created");
        return;
      }
  }

  /* Walk from the anchor (or the newest) only until the page is full and one
   * more match says has_more: paging a long list stays linear overall. */
  if (ending_before != NULL)
    {
      /* the `limit` objects just newer than the anchor, newest first */
      g_autoptr(GPtrArray) picked = g_ptr_array_new ();
      for (guint idx = anchor + 1; idx < ids->len; idx++)
        {
          JsonObject *obj = cp_sim_state_lookup (req->state, g_ptr_array_index (ids, idx));

          if (!list_item_matches (req, obj, created, filter))
            continue;
          if (picked->len < (guint) limit)
            g_ptr_array_add (picked, obj);
          else
            {
              has_more = TRUE;
              break;
            }
        }
      for (guint k = picked->len; k > 0; k--)
        json_array_add_object_element (data, json_object_ref (g_ptr_array_index (picked, k - 1)));
    }
  else
    {
      guint count = 0;
      for (guint idx = anchor >= 0 ? (guint) anchor : ids->len; idx > 0; idx--)
        {
          JsonObject *obj = cp_sim_state_lookup (req->state, g_ptr_array_index (ids, idx - 1));

          if (!list_item_matches (req, obj, created, filter))
            continue;
          if (count < (guint) limit)
            {
              json_array_add_object_element (data, json_object_ref (obj));
              count++;
            }
          else
            {
              has_more = TRUE;
              break;
            }
        }
    }

  json_object_set_string_member (list, "object", "list");
  json_object_set_array_member (list, "data", data);
  json_object_set_boolean_member (list, "has_more", has_more);
  json_object_set_string_member (list, "url", url);
  cp_sim_reply_object (req, 200, list);
}

/* ------------------------------------------------------------------ */
/* search: field:'value' clauses joined by AND or OR                  */

typedef struct {
  char     *field;      /* "metadata" for metadata['key'] */
  char     *key;
  char     *op;         /* ":", ">", "<", ">=", "<=", "~" */
  char     *value;
  gboolean  negate;
} Clause;

static void
clause_free (gpointer data)
{
  Clause *c = data;

  g_free (c->field);
  g_free (c->key);
  g_free (c->op);
  g_free (c->value);
  g_free (c);
}

static gboolean
parse_quoted (const char **p,
              char       **out)
{
  char q = **p;
  GString *s;

  if (q != '\'' && q != '"')
    return FALSE;
  s = g_string_new (NULL);
  (*p)++;
  while (**p && **p != q)
    {
      if (**p == '\\' && (*p)[1])
        (*p)++;
      g_string_append_c (s, **p);
      (*p)++;
    }
  if (**p != q)
    {
      g_string_free (s, TRUE);
      return FALSE;
    }
  (*p)++;
  *out = g_string_free (s, FALSE);
  return TRUE;
}

static GPtrArray *
parse_query (const char *query,
             gboolean   *use_or,
             char      **error)
{
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func (clause_free);
  const char *p = query;
  gboolean seen_and = FALSE, seen_or = FALSE;

  while (*p)
    {
      Clause *c;
      const char *start;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      if (clauses->len > 0)
        {
          if (g_str_has_prefix (p, "AND "))
            {
              seen_and = TRUE;
              p += 4;
            }
          else if (g_str_has_prefix (p, "OR "))
            {
              seen_or = TRUE;
              p += 3;
            }
          else
            {
              *error = g_strdup_printf ("expected AND or OR at '%s'", p);
              return NULL;
            }
          while (*p == ' ')
            p++;
        }
      c = g_new0 (Clause, 1);
      g_ptr_array_add (clauses, c);
      if (*p == '-')
        {
          c->negate = TRUE;
          p++;
        }
      start = p;
      while (g_ascii_isalnum (*p) || *p == '_' || *p == '.')
        p++;
      c->field = g_strndup (start, p - start);
      if (*c->field == '\0')
        {
          *error = g_strdup_printf ("expected a field name at '%s'", start);
          return NULL;
        }
      if (*p == '[')
        {
          p++;
          if (!parse_quoted (&p, &c->key) || *p != ']')
            {
              *error = g_strdup ("metadata keys are written metadata['key']");
              return NULL;
            }
          p++;
        }
      if (g_str_has_prefix (p, ">=") || g_str_has_prefix (p, "<="))
        {
          c->op = g_strndup (p, 2);
          p += 2;
        }
      else if (*p == ':' || *p == '>' || *p == '<' || *p == '~')
        {
          c->op = g_strndup (p, 1);
          p++;
        }
      else
        {
          *error = g_strdup_printf ("expected ':' after %s", c->field);
          return NULL;
        }
      if (*p == '\'' || *p == '"')
        {
          if (!parse_quoted (&p, &c->value))
            {
              *error = g_strdup ("unterminated string");
              return NULL;
            }
        }
      else
        {
          start = p;
          while (*p && *p != ' ')
            p++;
          c->value = g_strndup (start, p - start);
          if (*c->value == '\0' || (!g_ascii_isdigit (*c->value) && *c->value != '-' && g_strcmp0 (c->value, "null") != 0))
            {
              *error = g_strdup_printf ("values must be quoted: %s", c->value);
              return NULL;
            }
        }
    }
  if (seen_and && seen_or)
    {
      *error = g_strdup ("AND and OR cannot be combined in one query");
      return NULL;
    }
  if (clauses->len == 0)
    {
      *error = g_strdup ("the query is empty");
      return NULL;
    }
  *use_or = seen_or;
  return g_steal_pointer (&clauses);
}

static gboolean
clause_matches (JsonObject *obj,
                Clause     *c)
{
  gboolean result = FALSE;

  if (g_str_equal (c->field, "metadata"))
    {
      JsonObject *meta = cp_sim_obj (obj, "metadata");
      const char *v = meta ? json_object_get_string_member_with_default (meta, c->key ? c->key : "", NULL) : NULL;
      result = (v != NULL && g_str_equal (v, c->value));
      if (g_strcmp0 (c->value, "null") == 0 && v == NULL)
        result = TRUE;
    }
  else
    {
      JsonNode *node = json_object_get_member (obj, c->field);
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        {
          GType t = json_node_get_value_type (node);
          if (t == G_TYPE_INT64)
            {
              gint64 a = json_node_get_int (node), b = g_ascii_strtoll (c->value, NULL, 10);
              if (g_str_equal (c->op, ":"))
                result = a == b;
              else if (g_str_equal (c->op, ">"))
                result = a > b;
              else if (g_str_equal (c->op, "<"))
                result = a < b;
              else if (g_str_equal (c->op, ">="))
                result = a >= b;
              else if (g_str_equal (c->op, "<="))
                result = a <= b;
            }
          else if (t == G_TYPE_STRING)
            {
              const char *s = json_node_get_string (node);
              if (g_str_equal (c->op, "~"))
                {
                  g_autofree char *a = g_utf8_casefold (s, -1);
                  g_autofree char *b = g_utf8_casefold (c->value, -1);
                  result = strstr (a, b) != NULL;
                }
              else
                result = g_ascii_strcasecmp (s, c->value) == 0;
            }
          else if (t == G_TYPE_BOOLEAN)
            result = g_str_equal (c->value, json_node_get_boolean (node) ? "true" : "false");
        }
      else if (node != NULL && JSON_NODE_HOLDS_NULL (node))
        result = g_strcmp0 (c->value, "null") == 0;
    }
  return c->negate ? !result : result;
}

void
cp_sim_reply_search (CpSimRequest *req,
              const char   *type,
              const char  **fields,
              const char   *url)
{
  const char *query = cp_sim_param_string (req, "query");
  const char *page = cp_sim_param_string (req, "page");
  g_autoptr(GPtrArray) clauses = NULL;
  g_autofree char *error = NULL;
  GPtrArray *ids = cp_sim_state_ids (req->state, type);
  g_autoptr(JsonObject) result = json_object_new ();
  JsonArray *data = json_array_new ();
  gboolean use_or = FALSE;
  gint64 limit;
  guint offset = 0, matched = 0, added = 0;
  gboolean has_more = FALSE;

  if (!cp_sim_require_param (req, "query") || !parse_limit (req, &limit))
    goto out;
  clauses = parse_query (query, &use_or, &error);
  if (clauses == NULL)
    {
      cp_sim_reply_error (req, 400, INVALID, NULL, "query", "Invalid query: %s", error);
      goto out;
    }
  for (guint i = 0; i < clauses->len; i++)
    {
      Clause *c = g_ptr_array_index (clauses, i);
      if (!g_strv_contains (fields, c->field))
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "query",
                              "Invalid query: the field '%s' is not supported for search on %s", c->field, type);
          goto out;
        }
    }
  if (page != NULL)
    {
      gsize len;
      g_autofree guchar *raw = g_base64_decode (page, &len);
      g_autofree char *text = g_strndup ((const char *) raw, len);
      if (!g_str_has_prefix (text, "offset:"))
        {
          cp_sim_reply_error (req, 400, INVALID, NULL, "page", "Invalid page: %s", page);
          goto out;
        }
      offset = (guint) g_ascii_strtoull (text + 7, NULL, 10);
    }

  for (guint i = ids->len; i > 0; i--)
    {
      JsonObject *obj = cp_sim_state_lookup (req->state, g_ptr_array_index (ids, i - 1));
      gboolean ok = !use_or;

      for (guint k = 0; k < clauses->len; k++)
        {
          gboolean m = clause_matches (obj, g_ptr_array_index (clauses, k));
          ok = use_or ? (ok || m) : (ok && m);
        }
      if (!ok)
        continue;
      if (matched++ < offset)
        continue;
      if (added < (guint) limit)
        {
          json_array_add_object_element (data, json_object_ref (obj));
          added++;
        }
      else
        has_more = TRUE;
    }

  json_object_set_string_member (result, "object", "search_result");
  json_object_set_array_member (result, "data", g_steal_pointer (&data));
  json_object_set_boolean_member (result, "has_more", has_more);
  if (has_more)
    {
      g_autofree char *text = g_strdup_printf ("offset:%u", offset + added);
      g_autofree char *token = g_base64_encode ((const guchar *) text, strlen (text));
      json_object_set_string_member (result, "next_page", token);
    }
  else
    json_object_set_null_member (result, "next_page");
  json_object_set_string_member (result, "url", url);
  cp_sim_reply_object (req, 200, result);

out:
  if (data != NULL)
    json_array_unref (data);
}

void
cp_sim_set_status (JsonObject *pi,
            const char *status)
{
  json_object_set_string_member (pi, "status", status);
}
