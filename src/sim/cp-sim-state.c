/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "cp-error.h"
#include "cp-sim-state.h"

struct _CpSimState
{
  GObject     parent_instance;

  JsonObject *templates;
  GHashTable *objects;      /* id -> JsonObject */
  GHashTable *types;        /* type -> GPtrArray of ids, oldest first */
  GHashTable *private;      /* id -> GHashTable key -> value */
  GHashTable *idempotency;  /* key -> Slot */
  GSequence  *expiry;       /* Slot, by (created, serial): the oldest first */
  guint64     serial;
};

G_DEFINE_FINAL_TYPE (CpSimState, cp_sim_state, G_TYPE_OBJECT)

enum {
  EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define IDEMPOTENCY_LIFETIME (24 * 60 * 60)

/* A stored key: the public entry first, so a Slot is a CpSimIdempotent; its
 * place in the expiry order lets a request drop old keys without walking
 * every key (Stripe keeps them 24 hours: a busy day is many thousands). */
typedef struct {
  CpSimIdempotent  entry;
  char            *key;      /* the table's key, owned by the table */
  guint64          serial;   /* ties of `created` in insertion order */
  GSequenceIter   *place;    /* in CpSimState.expiry */
} Slot;

static void
idempotent_free (gpointer data)
{
  Slot *slot = data;

  /* Leaving the table (removed, replaced or the table freed) leaves the order */
  g_sequence_remove (slot->place);
  g_free (slot->entry.fingerprint);
  g_free (slot->entry.request_id);
  g_free (slot->entry.body);
  g_free (slot);
}

static int
slot_compare (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Slot *x = a, *y = b;

  if (x->entry.created != y->entry.created)
    return x->entry.created < y->entry.created ? -1 : 1;
  return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static void
ptr_array_unref (gpointer data)
{
  g_ptr_array_unref (data);
}

static void
cp_sim_state_finalize (GObject *object)
{
  CpSimState *self = CP_SIM_STATE (object);

  g_clear_pointer (&self->templates, json_object_unref);
  g_clear_pointer (&self->objects, g_hash_table_unref);
  g_clear_pointer (&self->types, g_hash_table_unref);
  g_clear_pointer (&self->private, g_hash_table_unref);
  g_clear_pointer (&self->idempotency, g_hash_table_unref);
  g_clear_pointer (&self->expiry, g_sequence_free);  /* after the slots that point into it */

  G_OBJECT_CLASS (cp_sim_state_parent_class)->finalize (object);
}

static void
cp_sim_state_class_init (CpSimStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_sim_state_finalize;

  /**
   * CpSimState::event:
   * @event: the event's JsonObject
   */
  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
init_tables (CpSimState *self)
{
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, ptr_array_unref);
  self->private = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  self->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, idempotent_free);
  self->expiry = g_sequence_new (NULL);
}

static void
cp_sim_state_init (CpSimState *self)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  bytes = g_resources_lookup_data ("/org/stingrays/CarePay/sim/objects.json", 0, &error);
  if (bytes == NULL || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                                    g_bytes_get_size (bytes), &error))
    g_error ("Cannot load the simulator's object templates: %s", error->message);
  self->templates = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  init_tables (self);
}

JsonObject *
cp_sim_obj (JsonObject *obj,
            const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonNode *
cp_sim_json_copy (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node);
      JsonObject *dst = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, src);
      while (json_object_iter_next (&iter, &name, &member))
        json_object_set_member (dst, name, cp_sim_json_copy (member));
      node = json_node_alloc ();
      json_node_init (node, JSON_NODE_OBJECT);
      json_node_take_object (node, dst);
      return node;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_sized_new (json_array_get_length (src));

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, cp_sim_json_copy (json_array_get_element (src, i)));
      node = json_node_alloc ();
      json_node_init (node, JSON_NODE_ARRAY);
      json_node_take_array (node, dst);
      return node;
    }
  return json_node_copy (node);
}

CpSimState *
cp_sim_state_new (void)
{
  return g_object_new (CP_TYPE_SIM_STATE, NULL);
}

void
cp_sim_state_reset (CpSimState *self)
{
  g_return_if_fail (CP_IS_SIM_STATE (self));

  g_clear_pointer (&self->objects, g_hash_table_unref);
  g_clear_pointer (&self->types, g_hash_table_unref);
  g_clear_pointer (&self->private, g_hash_table_unref);
  g_clear_pointer (&self->idempotency, g_hash_table_unref);
  g_clear_pointer (&self->expiry, g_sequence_free);
  init_tables (self);
}

char *
cp_sim_state_make_id (const char *prefix)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  GString *id = g_string_new (prefix);

  g_string_append_c (id, '_');
  /* Stripe's ids: "1" + account-ish part + random; 24 characters in all */
  g_string_append (id, "1Sim");
  for (int i = 0; i < 20; i++)
    g_string_append_c (id, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (id, FALSE);
}

gint64
cp_sim_state_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
insert_object (CpSimState *self,
               const char *type,
               const char *id,
               JsonObject *obj)
{
  GPtrArray *ids = g_hash_table_lookup (self->types, type);

  if (ids == NULL)
    {
      ids = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->types, g_strdup (type), ids);
    }
  if (!g_hash_table_contains (self->objects, id))
    g_ptr_array_add (ids, g_strdup (id));
  g_hash_table_insert (self->objects, g_strdup (id), json_object_ref (obj));
}

JsonObject *
cp_sim_state_create_with_id (CpSimState *self,
                             const char *type,
                             const char *id)
{
  JsonNode *template = json_object_get_member (self->templates, type);
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *obj;

  g_assert (template != NULL);
  copy = cp_sim_json_copy (template);
  obj = json_node_get_object (copy);
  json_object_set_string_member (obj, "id", id);
  if (json_object_has_member (obj, "created"))
    json_object_set_int_member (obj, "created", cp_sim_state_now ());
  insert_object (self, type, id, obj);
  return obj;
}

JsonObject *
cp_sim_state_create (CpSimState *self,
                     const char *type,
                     const char *prefix)
{
  g_autofree char *id = cp_sim_state_make_id (prefix);

  return cp_sim_state_create_with_id (self, type, id);
}

JsonObject *
cp_sim_state_template (CpSimState *self,
                       const char *type)
{
  g_autoptr(JsonNode) copy = cp_sim_json_copy (json_object_get_member (self->templates, type));

  g_assert (copy != NULL);
  return json_object_ref (json_node_get_object (copy));
}

void
cp_sim_state_remove (CpSimState *self,
                     const char *id)
{
  JsonObject *obj = g_hash_table_lookup (self->objects, id);
  GPtrArray *ids;

  if (obj == NULL)
    return;
  ids = g_hash_table_lookup (self->types, json_object_get_string_member_with_default (obj, "object", ""));
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      {
        g_ptr_array_remove_index (ids, i);
        break;
      }
  g_hash_table_remove (self->objects, id);
}

JsonObject *
cp_sim_state_lookup (CpSimState *self,
                     const char *id)
{
  if (id == NULL)
    return NULL;
  return g_hash_table_lookup (self->objects, id);
}

JsonObject *
cp_sim_state_lookup_typed (CpSimState *self,
                           const char *id,
                           const char *type)
{
  JsonObject *obj = cp_sim_state_lookup (self, id);

  if (obj == NULL || g_strcmp0 (json_object_get_string_member_with_default (obj, "object", ""), type) != 0)
    return NULL;
  return obj;
}

GPtrArray *
cp_sim_state_ids (CpSimState *self,
                  const char *type)
{
  GPtrArray *ids = g_hash_table_lookup (self->types, type);

  if (ids == NULL)
    {
      ids = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->types, g_strdup (type), ids);
    }
  return ids;
}

const char *
cp_sim_state_get_private (CpSimState *self,
                          const char *id,
                          const char *key)
{
  GHashTable *table = g_hash_table_lookup (self->private, id);

  return table ? g_hash_table_lookup (table, key) : NULL;
}

void
cp_sim_state_set_private (CpSimState *self,
                          const char *id,
                          const char *key,
                          const char *value)
{
  GHashTable *table = g_hash_table_lookup (self->private, id);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->private, g_strdup (id), table);
    }
  g_hash_table_insert (table, g_strdup (key), g_strdup (value));
}

static gboolean
is_expired (const CpSimIdempotent *entry,
            gint64                 now)
{
  /* A key whose first request is still running is never dropped */
  return entry->status != 0 && now - entry->created > IDEMPOTENCY_LIFETIME;
}

/* Drops the expired keys, oldest first, and stops at the first key still
 * within its lifetime: O(1) when none is due, and each key is dropped once,
 * so O(log n) a request over time. Only a key whose request is still running
 * past the lifetime (none in practice) is stepped over. */
static void
expire_idempotency (CpSimState *self,
                    gint64      now)
{
  GSequenceIter *it = g_sequence_get_begin_iter (self->expiry);

  while (!g_sequence_iter_is_end (it))
    {
      Slot *slot = g_sequence_get (it);

      if (now - slot->entry.created <= IDEMPOTENCY_LIFETIME)
        break;
      it = g_sequence_iter_next (it);
      if (is_expired (&slot->entry, now))
        g_hash_table_remove (self->idempotency, slot->key);
    }
}

CpSimIdempotent *
cp_sim_state_get_idempotent (CpSimState *self,
                             const char *key)
{
  expire_idempotency (self, cp_sim_state_now ());
  return g_hash_table_lookup (self->idempotency, key);
}

static CpSimIdempotent *
begin_idempotent_at (CpSimState *self,
                     const char *key,
                     const char *fingerprint,
                     const char *request_id,
                     gint64      created)
{
  Slot *slot = g_new0 (Slot, 1);

  slot->entry.fingerprint = g_strdup (fingerprint);
  slot->entry.request_id = g_strdup (request_id);
  slot->entry.created = created;
  slot->key = g_strdup (key);
  slot->serial = self->serial++;
  /* Replaces key and slot of the same key (the old slot leaves the order) */
  g_hash_table_replace (self->idempotency, slot->key, slot);
  slot->place = g_sequence_insert_sorted (self->expiry, slot, slot_compare, NULL);
  return &slot->entry;
}

CpSimIdempotent *
cp_sim_state_begin_idempotent (CpSimState *self,
                               const char *key,
                               const char *fingerprint,
                               const char *request_id)
{
  return begin_idempotent_at (self, key, fingerprint, request_id, cp_sim_state_now ());
}

void
cp_sim_state_end_idempotent (CpSimState *self,
                             const char *key,
                             guint       status,
                             const char *body)
{
  CpSimIdempotent *entry = g_hash_table_lookup (self->idempotency, key);

  g_return_if_fail (entry != NULL);
  entry->status = status;
  g_free (entry->body);
  entry->body = g_strdup (body);
}

void
cp_sim_state_drop_idempotent (CpSimState *self,
                              const char *key)
{
  g_hash_table_remove (self->idempotency, key);
}

JsonObject *
cp_sim_state_add_event (CpSimState *self,
                        const char *type,
                        JsonObject *object,
                        JsonObject *previous_attributes,
                        const char *request_id,
                        const char *idempotency_key)
{
  JsonObject *event = cp_sim_state_create (self, "event", "evt");
  JsonObject *data = json_object_new ();
  JsonObject *request = json_object_new ();
  g_autoptr(JsonNode) snapshot = json_node_init_object (json_node_alloc (), object);

  json_object_set_member (data, "object", cp_sim_json_copy (snapshot));
  if (previous_attributes != NULL)
    json_object_set_object_member (data, "previous_attributes", json_object_ref (previous_attributes));
  json_object_set_object_member (event, "data", data);
  json_object_set_string_member (event, "type", type);
  json_object_set_int_member (event, "pending_webhooks", 0);
  if (request_id != NULL)
    json_object_set_string_member (request, "id", request_id);
  else
    json_object_set_null_member (request, "id");
  if (idempotency_key != NULL)
    json_object_set_string_member (request, "idempotency_key", idempotency_key);
  else
    json_object_set_null_member (request, "idempotency_key");
  json_object_set_object_member (event, "request", request);

  g_signal_emit (self, signals[EVENT], 0, event);
  return event;
}

static JsonObject *
object_member_or_null (JsonObject *obj,
                       const char *name,
                       gpointer    unused)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Persistence: {"version":1,"objects":{type:[...]}, "private":{...},
 * "idempotency":{key:{...}}} */

JsonNode *
cp_sim_state_to_json (CpSimState *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);

  json_builder_set_member_name (b, "objects");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->types);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *ids = value;

      json_builder_set_member_name (b, key);
      json_builder_begin_array (b);
      for (guint i = 0; i < ids->len; i++)
        {
          JsonObject *obj = g_hash_table_lookup (self->objects, g_ptr_array_index (ids, i));
          JsonNode *node = json_node_init_object (json_node_alloc (), obj);
          json_builder_add_value (b, node);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "private");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->private);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTableIter inner;
      gpointer k, v;

      json_builder_set_member_name (b, key);
      json_builder_begin_object (b);
      g_hash_table_iter_init (&inner, value);
      while (g_hash_table_iter_next (&inner, &k, &v))
        {
          json_builder_set_member_name (b, k);
          json_builder_add_string_value (b, v);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "idempotency");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->idempotency);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CpSimIdempotent *entry = value;

      if (entry->status == 0)
        continue;
      json_builder_set_member_name (b, key);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, entry->fingerprint);
      json_builder_set_member_name (b, "request_id");
      json_builder_add_string_value (b, entry->request_id);
      json_builder_set_member_name (b, "status");
      json_builder_add_int_value (b, entry->status);
      json_builder_set_member_name (b, "body");
      json_builder_add_string_value (b, entry->body);
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, entry->created);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
cp_sim_state_save (CpSimState  *self,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(JsonNode) root = cp_sim_state_to_json (self);
  g_autofree char *text = json_to_string (root, TRUE);

  return g_file_set_contents (path, text, -1, error);
}

gboolean
cp_sim_state_load (CpSimState  *self,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *objects, *private, *idem;
  g_autoptr(GList) types = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, "%s is not a simulator state file", path);
      return FALSE;
    }
  cp_sim_state_reset (self);
  root = json_node_get_object (json_parser_get_root (parser));
  objects = object_member_or_null (root, "objects", NULL);
  if (objects != NULL)
    {
      types = json_object_get_members (objects);
      for (GList *l = types; l; l = l->next)
        {
          JsonArray *arr = json_object_get_array_member (objects, l->data);
          for (guint i = 0; i < json_array_get_length (arr); i++)
            {
              JsonObject *obj = json_array_get_object_element (arr, i);
              const char *id = json_object_get_string_member_with_default (obj, "id", NULL);
              if (id != NULL)
                insert_object (self, l->data, id, obj);
            }
        }
    }
  private = object_member_or_null (root, "private", NULL);
  if (private != NULL)
    {
      g_autoptr(GList) ids = json_object_get_members (private);
      for (GList *l = ids; l; l = l->next)
        {
          JsonObject *kv = json_object_get_object_member (private, l->data);
          g_autoptr(GList) keys = json_object_get_members (kv);
          for (GList *k = keys; k; k = k->next)
            cp_sim_state_set_private (self, l->data, k->data, json_object_get_string_member (kv, k->data));
        }
    }
  idem = object_member_or_null (root, "idempotency", NULL);
  if (idem != NULL)
    {
      g_autoptr(GList) keys = json_object_get_members (idem);
      for (GList *l = keys; l; l = l->next)
        {
          JsonObject *e = json_object_get_object_member (idem, l->data);
          CpSimIdempotent *entry = begin_idempotent_at (self, l->data,
                                                        json_object_get_string_member (e, "fingerprint"),
                                                        json_object_get_string_member (e, "request_id"),
                                                        json_object_get_int_member (e, "created"));
          entry->status = json_object_get_int_member (e, "status");
          entry->body = g_strdup (json_object_get_string_member (e, "body"));
        }
    }
  return TRUE;
}
