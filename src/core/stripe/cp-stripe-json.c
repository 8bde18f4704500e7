/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-stripe-json.h"

static JsonNode *
get_value (JsonObject *object,
           const char *member,
           GType       type)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
cp_stripe_json_get_string (JsonObject *object,
                           const char *member)
{
  JsonNode *node = get_value (object, member, G_TYPE_STRING);
  return node != NULL ? json_node_get_string (node) : NULL;
}

gint64
cp_stripe_json_get_int (JsonObject *object,
                        const char *member,
                        gint64      fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_INT64);
  return node != NULL ? json_node_get_int (node) : fallback;
}

gboolean
cp_stripe_json_get_bool (JsonObject *object,
                         const char *member,
                         gboolean    fallback)
{
  JsonNode *node = get_value (object, member, G_TYPE_BOOLEAN);
  return node != NULL ? json_node_get_boolean (node) : fallback;
}

JsonObject *
cp_stripe_json_get_object (JsonObject *object,
                           const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  return (node != NULL && JSON_NODE_HOLDS_OBJECT (node)) ? json_node_get_object (node) : NULL;
}

JsonArray *
cp_stripe_json_get_array (JsonObject *object,
                          const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  return (node != NULL && JSON_NODE_HOLDS_ARRAY (node)) ? json_node_get_array (node) : NULL;
}

const char *
cp_stripe_json_get_id (JsonObject *object,
                       const char *member)
{
  JsonObject *expanded = cp_stripe_json_get_object (object, member);

  if (expanded != NULL)
    return cp_stripe_json_get_string (expanded, "id");
  return cp_stripe_json_get_string (object, member);
}
