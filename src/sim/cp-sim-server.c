/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cp-error.h"
#include "cp-sim-form.h"
#include "cp-sim-api-private.h"

typedef struct {
  char   *fault;     /* "drop-after-commit", "delay=MS", "status=500"... */
  int     count;     /* how many more requests it applies to */
  char   *path;      /* prefix of the request path, or NULL for any /v1/ */
  char   *method;    /* or NULL for any */
} Fault;

struct _CpSimServer
{
  GObject      parent_instance;

  SoupServer  *server;
  CpSimState  *state;
  char        *publishable_key;
  char        *base_url;
  guint        port;
  GList       *faults;   /* Fault, in order */
};

G_DEFINE_FINAL_TYPE (CpSimServer, cp_sim_server, G_TYPE_OBJECT)

static void
fault_free (gpointer data)
{
  Fault *f = data;

  g_free (f->fault);
  g_free (f->path);
  g_free (f->method);
  g_free (f);
}

/* ------------------------------------------------------------------ */
/* answers                                                             */

void
cp_sim_reply_text (CpSimRequest *req,
                   guint         status,
                   const char   *content_type,
                   const char   *text)
{
  req->status = status;
  g_free (req->body);
  req->body = g_strdup (text);
  req->content_type = content_type;
  req->answered = TRUE;
}

void
cp_sim_reply_object (CpSimRequest *req,
                     guint         status,
                     JsonObject   *object)
{
  g_autoptr(JsonNode) node = cp_sim_copy_expanded (req, object);
  g_autofree char *text = NULL;

  if (node == NULL)
    return;  /* an expand error was answered */
  text = json_to_string (node, TRUE);
  cp_sim_reply_text (req, status, "application/json", text);
  req->keep_idempotent = (status < 300);
}

void
cp_sim_reply_error_object (CpSimRequest *req,
                           guint         status,
                           JsonObject   *error)
{
  g_autoptr(JsonObject) wrapper = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  if (!json_object_has_member (error, "request_log_url"))
    {
      g_autofree char *url = g_strdup_printf ("https://dashboard.stripe.com/test/logs/%s", req->request_id);
      json_object_set_string_member (error, "request_log_url", url);
    }
  json_object_set_object_member (wrapper, "error", json_object_ref (error));
  json_node_set_object (node, wrapper);
  text = json_to_string (node, TRUE);
  cp_sim_reply_text (req, status, "application/json", text);
  req->keep_idempotent = FALSE;
}

void
cp_sim_reply_error (CpSimRequest *req,
                    guint         status,
                    const char   *type,
                    const char   *code,
                    const char   *param,
                    const char   *message,
                    ...)
{
  g_autoptr(JsonObject) error = json_object_new ();
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, message);
  text = g_strdup_vprintf (message, args);
  va_end (args);

  if (code != NULL)
    {
      g_autofree char *doc = g_strdup_printf ("https://stripe.com/docs/error-codes/%s", code);
      g_strdelimit (doc + strlen ("https://stripe.com/docs/error-codes/"), "_", '-');
      json_object_set_string_member (error, "code", code);
      json_object_set_string_member (error, "doc_url", doc);
    }
  json_object_set_string_member (error, "message", text);
  if (param != NULL)
    json_object_set_string_member (error, "param", param);
  json_object_set_string_member (error, "type", type);
  cp_sim_reply_error_object (req, status, error);
}

void
cp_sim_reply_missing (CpSimRequest *req,
                      const char   *kind,
                      const char   *id,
                      const char   *param)
{
  cp_sim_reply_error (req, param ? 400 : 404, "invalid_request_error", "resource_missing",
                      param ? param : "id", "No such %s: '%s'", kind, id);
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */

const char *
cp_sim_param_string (CpSimRequest *req,
                     const char   *name)
{
  JsonNode *node = json_object_get_member (req->params, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
cp_sim_param_object (CpSimRequest *req,
                     const char   *name)
{
  JsonNode *node = json_object_get_member (req->params, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

gboolean
cp_sim_param_int (CpSimRequest *req,
                  const char   *name,
                  gint64       *out,
                  gboolean     *present)
{
  const char *s = cp_sim_param_string (req, name);
  char *end = NULL;
  gint64 v;

  *present = FALSE;
  if (s == NULL)
    {
      if (json_object_has_member (req->params, name))
        {
          cp_sim_reply_error (req, 400, "invalid_request_error", "parameter_invalid_integer", name,
                              "Invalid integer: %s", name);
          return FALSE;
        }
      return TRUE;
    }
  v = g_ascii_strtoll (s, &end, 10);
  if (*s == '\0' || end == NULL || *end != '\0')
    {
      cp_sim_reply_error (req, 400, "invalid_request_error", "parameter_invalid_integer", name,
                          "Invalid integer: %s", s);
      return FALSE;
    }
  *out = v;
  *present = TRUE;
  return TRUE;
}

gboolean
cp_sim_param_bool (CpSimRequest *req,
                   const char   *name,
                   gboolean     *out)
{
  const char *s = cp_sim_param_string (req, name);

  if (s == NULL)
    return TRUE;
  if (g_str_equal (s, "true"))
    *out = TRUE;
  else if (g_str_equal (s, "false"))
    *out = FALSE;
  else
    {
      cp_sim_reply_error (req, 400, "invalid_request_error", "parameter_invalid_boolean", name,
                          "Invalid boolean: %s", s);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* expand[]                                                            */

static gboolean
expand_path (CpSimRequest *req,
             JsonNode     *node,
             char        **parts,
             const char   *full)
{
  JsonObject *obj;
  JsonNode *child;

  if (parts[0] == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  obj = json_node_get_object (node);
  if (g_str_equal (parts[0], "data") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "data")))
    {
      JsonArray *arr = json_object_get_array_member (obj, "data");
      for (guint i = 0; i < json_array_get_length (arr); i++)
        if (!expand_path (req, json_array_get_element (arr, i), parts + 1, full))
          return FALSE;
      return TRUE;
    }
  child = json_object_get_member (obj, parts[0]);
  if (child == NULL)
    goto bad;
  if (JSON_NODE_HOLDS_NULL (child))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (child) && json_node_get_value_type (child) == G_TYPE_STRING)
    {
      JsonObject *target = cp_sim_state_lookup (req->state, json_node_get_string (child));
      if (target == NULL)
        goto bad;
      json_object_set_member (obj, parts[0], json_node_init_object (json_node_alloc (), target));
      /* copy so that deeper expansion does not touch the stored object */
      json_object_set_member (obj, parts[0], cp_sim_json_copy (json_object_get_member (obj, parts[0])));
      child = json_object_get_member (obj, parts[0]);
    }
  return expand_path (req, child, parts + 1, full);

bad:
  cp_sim_reply_error (req, 400, "invalid_request_error", NULL, NULL,
                      "This property cannot be expanded (%s).", full);
  return FALSE;
}

JsonNode *
cp_sim_copy_expanded (CpSimRequest *req,
                      JsonObject   *object)
{
  g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonNode) node = cp_sim_json_copy (tmp);
  JsonNode *expand = json_object_get_member (req->params, "expand");

  if (expand != NULL && JSON_NODE_HOLDS_ARRAY (expand))
    {
      JsonArray *arr = json_node_get_array (expand);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *path = json_array_get_string_element (arr, i);
          g_auto(GStrv) parts = g_strsplit (path ? path : "", ".", 4);

          if (path == NULL || !expand_path (req, node, parts, path))
            return NULL;
        }
    }
  return g_steal_pointer (&node);
}

/* ------------------------------------------------------------------ */
/* events                                                              */

JsonObject *
cp_sim_emit_plain (CpSimState *state,
                   const char *type,
                   JsonObject *object,
                   JsonObject *previous)
{
  g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonNode) copy = cp_sim_json_copy (tmp);

  return cp_sim_state_add_event (state, type, json_node_get_object (copy), previous, NULL, NULL);
}

JsonObject *
cp_sim_emit (CpSimRequest *req,
             const char   *type,
             JsonObject   *object,
             JsonObject   *previous)
{
  g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonNode) copy = cp_sim_json_copy (tmp);

  return cp_sim_state_add_event (req->state, type, json_node_get_object (copy), previous,
                                 req->request_id, req->idempotency_key);
}

const char *
cp_sim_publishable_key (CpSimServer *server)
{
  return server->publishable_key;
}

/* ------------------------------------------------------------------ */
/* request handling                                                    */

static void
request_free (CpSimRequest *req)
{
  g_clear_object (&req->server);
  g_clear_object (&req->msg);
  g_free (req->path);
  g_free (req->raw_params);
  g_clear_pointer (&req->params, json_object_unref);
  g_free (req->request_id);
  g_free (req->idempotency_key);
  g_free (req->api_key);
  g_strfreev (req->args);
  g_free (req->body);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpSimRequest, request_free)

static char *
make_request_id (void)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  GString *id = g_string_new ("req_");

  for (int i = 0; i < 14; i++)
    g_string_append_c (id, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (id, FALSE);
}

static void
add_cors (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (h, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  soup_message_headers_replace (h, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account, X-Sim-Fault");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers", "Request-Id, Idempotent-Replayed, Stripe-Should-Retry");
  soup_message_headers_replace (h, "Access-Control-Max-Age", "300");
}

static void
send_answer (CpSimRequest *req)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  soup_message_headers_replace (h, "Request-Id", req->request_id);
  soup_message_headers_replace (h, "Stripe-Version", "2020-08-27");
  soup_message_headers_replace (h, "Cache-Control", "no-cache, no-store");
  if (req->idempotency_key != NULL && !soup_message_headers_get_one (h, "Idempotency-Key"))
    soup_message_headers_replace (h, "Idempotency-Key", req->idempotency_key);
  soup_server_message_set_status (req->msg, req->status, NULL);
  soup_server_message_set_response (req->msg, req->content_type ? req->content_type : "application/json",
                                    SOUP_MEMORY_COPY, req->body ? req->body : "", req->body ? strlen (req->body) : 0);
}

static char *
redact_key (const char *key)
{
  gsize len = strlen (key);

  if (len <= 12)
    return g_strdup (key);
  return g_strdup_printf ("%.8s%s%s", key, "************", key + len - 4);
}

/* Returns FALSE after answering 401. */
static gboolean
authenticate (CpSimRequest *req,
              const CpSimRoute *route)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (req->msg);
  const char *auth = soup_message_headers_get_one (h, "Authorization");
  g_autofree char *key = NULL;

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    key = g_strstrip (g_strdup (auth + 7));
  else if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0)
    {
      gsize len = 0;
      g_autofree guchar *raw = g_base64_decode (auth + 6, &len);
      g_autofree char *text = g_strndup ((const char *) raw, len);
      char *colon = strchr (text, ':');

      if (colon)
        *colon = '\0';
      key = g_strdup (text);
    }
  else if (cp_sim_param_string (req, "key") != NULL)
    key = g_strdup (cp_sim_param_string (req, "key"));

  if (key == NULL || *key == '\0')
    {
      cp_sim_reply_error (req, 401, "invalid_request_error", NULL, NULL,
                          "You did not provide an API key. You need to provide your API key in the Authorization header, "
                          "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). "
                          "See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.");
      return FALSE;
    }
  if (g_str_has_prefix (key, "sk_test_") || g_str_has_prefix (key, "rk_test_"))
    {
      if (strlen (key) > 8)
        {
          req->api_key = g_steal_pointer (&key);
          return TRUE;
        }
    }
  else if (g_str_has_prefix (key, "pk_test_") && strlen (key) > 8)
    {
      if (route != NULL && !route->publishable)
        {
          cp_sim_reply_error (req, 401, "invalid_request_error", NULL, NULL,
                              "This API call cannot be made with a publishable API key. Please use a secret API key. "
                              "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.");
          return FALSE;
        }
      req->publishable = TRUE;
      req->api_key = g_steal_pointer (&key);
      return TRUE;
    }

  {
    g_autofree char *redacted = redact_key (key);
    cp_sim_reply_error (req, 401, "invalid_request_error", NULL, NULL,
                        "Invalid API Key provided: %s", redacted);
  }
  return FALSE;
}

static gboolean
route_matches (const char  *pattern,
               const char  *path,
               char      ***args_out)
{
  g_auto(GStrv) pp = g_strsplit (pattern, "/", -1);
  g_auto(GStrv) sp = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  if (g_strv_length (pp) != g_strv_length (sp))
    return FALSE;
  for (guint i = 0; pp[i] != NULL; i++)
    {
      if (g_str_equal (pp[i], "*"))
        {
          if (*sp[i] == '\0')
            return FALSE;
          g_ptr_array_add (args, g_uri_unescape_string (sp[i], NULL));
        }
      else if (!g_str_equal (pp[i], sp[i]))
        return FALSE;
    }
  g_ptr_array_add (args, NULL);
  *args_out = (char **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
  return TRUE;
}

static gboolean
check_parameters (CpSimRequest     *req,
                  const CpSimRoute *route)
{
  g_autoptr(GList) members = json_object_get_members (req->params);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      gboolean ok = FALSE;

      if (g_str_equal (name, "key") || g_str_equal (name, "_stripe_version"))
        continue;
      if (route->allowed == NULL)
        continue;
      for (guint i = 0; route->allowed[i] != NULL; i++)
        if (g_str_equal (route->allowed[i], name))
          ok = TRUE;
      if (!ok)
        {
          cp_sim_reply_error (req, 400, "invalid_request_error", "parameter_unknown", name,
                              "Received unknown parameter: %s", name);
          return FALSE;
        }
    }
  return TRUE;
}

/* The fault for this request: from the X-Sim-Fault header or the queue. */
static char *
take_fault (CpSimServer       *self,
            SoupServerMessage *msg,
            const char        *path)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-Sim-Fault");
  const char *method = soup_server_message_get_method (msg);

  if (header != NULL && *header != '\0')
    return g_strdup (header);
  for (GList *l = self->faults; l; l = l->next)
    {
      Fault *f = l->data;

      if (f->path != NULL && !g_str_has_prefix (path, f->path))
        continue;
      if (f->method != NULL && g_ascii_strcasecmp (f->method, method) != 0)
        continue;
      {
        char *fault = g_strdup (f->fault);
        if (--f->count <= 0)
          {
            self->faults = g_list_delete_link (self->faults, l);
            fault_free (f);
          }
        return fault;
      }
    }
  return NULL;
}

typedef struct {
  CpSimRequest     *req;
  const CpSimRoute *route;
  gboolean          drop;
} Pending;

static void
finish_request (CpSimRequest     *req,
                const CpSimRoute *route,
                gboolean          drop)
{
  if (!req->answered)
    {
      if (check_parameters (req, route))
        route->handler (req);
      if (!req->answered)
        cp_sim_reply_error (req, 500, "api_error", NULL, NULL, "The simulator did not answer this request.");
    }
  if (req->idempotency_key != NULL && g_str_equal (req->method, "POST"))
    {
      CpSimIdempotent *entry = cp_sim_state_get_idempotent (req->state, req->idempotency_key);
      gboolean keep = req->keep_idempotent || req->status == 402;

      if (entry != NULL && entry->status == 0)
        {
          if (keep)
            cp_sim_state_end_idempotent (req->state, req->idempotency_key, req->status, req->body);
          else
            cp_sim_state_drop_idempotent (req->state, req->idempotency_key);
        }
    }
  send_answer (req);
  if (drop)
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (req->msg);
      g_debug ("Fault: dropped the connection after committing %s %s", req->method, req->path);
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
    }
}

static gboolean
delayed_cb (gpointer data)
{
  Pending *p = data;
  SoupServerMessage *msg = g_object_ref (p->req->msg);

  finish_request (p->req, p->route, p->drop);
  if (!p->drop)
    soup_server_message_unpause (msg);
  g_object_unref (msg);
  request_free (p->req);
  g_free (p);
  return G_SOURCE_REMOVE;
}

static void
handle_control (CpSimServer  *self,
                CpSimRequest *req)
{
  if (g_str_equal (req->path, "/_sim/state") && g_str_equal (req->method, "GET"))
    {
      g_autoptr(JsonNode) node = cp_sim_state_to_json (self->state);
      g_autofree char *text = json_to_string (node, TRUE);
      cp_sim_reply_text (req, 200, "application/json", text);
    }
  else if (g_str_equal (req->path, "/_sim/reset") && g_str_equal (req->method, "POST"))
    {
      cp_sim_state_reset (self->state);
      g_list_free_full (g_steal_pointer (&self->faults), fault_free);
      cp_sim_reply_text (req, 200, "application/json", "{\"ok\": true}");
    }
  else if (g_str_equal (req->path, "/_sim/faults") && g_str_equal (req->method, "POST"))
    {
      const char *next = cp_sim_param_string (req, "next");
      const char *count = cp_sim_param_string (req, "count");
      Fault *f;

      if (next == NULL || *next == '\0')
        {
          cp_sim_reply_error (req, 400, "invalid_request_error", "parameter_missing", "next",
                              "Missing required param: next.");
          return;
        }
      f = g_new0 (Fault, 1);
      f->fault = g_strdup (next);
      f->count = count ? MAX (1, atoi (count)) : 1;
      f->path = g_strdup (cp_sim_param_string (req, "path"));
      f->method = g_strdup (cp_sim_param_string (req, "method"));
      self->faults = g_list_append (self->faults, f);
      cp_sim_reply_text (req, 200, "application/json", "{\"ok\": true}");
    }
  else if (g_str_equal (req->path, "/_sim/faults") && g_str_equal (req->method, "DELETE"))
    {
      g_list_free_full (g_steal_pointer (&self->faults), fault_free);
      cp_sim_reply_text (req, 200, "application/json", "{\"ok\": true}");
    }
  else
    cp_sim_reply_error (req, 404, "invalid_request_error", NULL, NULL, "Unknown simulator control: %s", req->path);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  CpSimServer *self = user_data;
  g_autoptr(CpSimRequest) req = g_new0 (CpSimRequest, 1);
  const CpSimRoute *routes, *route = NULL;
  guint n_routes;
  g_autofree char *fault = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) params = NULL;
  SoupMessageHeaders *rh = soup_server_message_get_request_headers (msg);
  guint delay_ms = 0;
  gboolean drop = FALSE;

  req->server = g_object_ref (self);
  req->state = self->state;
  req->msg = g_object_ref (msg);
  req->method = soup_server_message_get_method (msg);
  req->path = g_strdup (path);
  req->request_id = make_request_id ();
  add_cors (msg);

  if (g_str_equal (req->method, "OPTIONS"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Request-Id", req->request_id);
      soup_server_message_set_status (msg, 204, NULL);
      return;
    }

  if (!g_str_has_prefix (path, "/v1/") && !g_str_has_prefix (path, "/_sim/"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Request-Id", req->request_id);
      if (!cp_sim_pages_handle (self, msg, path))
        {
          soup_server_message_set_status (msg, 404, NULL);
          soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "Not found\n", 10);
        }
      return;
    }

  /* parameters: the query for GET and DELETE, the form body for POST */
  if (g_str_equal (req->method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      req->raw_params = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else
    req->raw_params = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  params = cp_sim_form_decode (req->raw_params, &error);
  if (params == NULL)
    {
      req->params = json_object_new ();
      cp_sim_reply_error (req, 400, "invalid_request_error", NULL, NULL, "%s", error->message);
      send_answer (req);
      return;
    }
  req->params = json_object_ref (json_node_get_object (params));

  if (g_str_has_prefix (path, "/_sim/"))
    {
      handle_control (self, req);
      send_answer (req);
      return;
    }

  {
    const CpSimRoute *(*tables[]) (guint *) = { cp_sim_api_routes, cp_sim_links_routes };

    for (guint t = 0; t < G_N_ELEMENTS (tables) && route == NULL; t++)
      {
        routes = tables[t] (&n_routes);
        for (guint i = 0; i < n_routes && route == NULL; i++)
          {
            char **args = NULL;
            if (g_str_equal (routes[i].method, req->method) && route_matches (routes[i].pattern, path, &args))
              {
                route = &routes[i];
                req->args = args;
              }
          }
      }
  }

  /* faults apply before anything else, like an overloaded front end */
  fault = take_fault (self, msg, path);
  if (fault != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (fault, ",", -1);
      for (guint i = 0; parts[i]; i++)
        {
          const char *f = g_strstrip (parts[i]);
          if (g_str_equal (f, "drop-after-commit"))
            drop = TRUE;
          else if (g_str_has_prefix (f, "delay="))
            delay_ms = (guint) g_ascii_strtoull (f + 6, NULL, 10);
          else if (g_str_equal (f, "status=500"))
            {
              soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Stripe-Should-Retry", "true");
              cp_sim_reply_error (req, 500, "api_error", NULL, NULL,
                                  "An unknown error occurred while processing this request (simulated fault).");
              send_answer (req);
              return;
            }
          else if (g_str_equal (f, "status=429"))
            {
              cp_sim_reply_error (req, 429, "invalid_request_error", "rate_limit", NULL,
                                  "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.");
              send_answer (req);
              return;
            }
          else if (g_str_has_prefix (f, "status="))
            {
              guint status = (guint) g_ascii_strtoull (f + 7, NULL, 10);
              cp_sim_reply_error (req, status ? status : 500, "api_error", NULL, NULL, "Simulated fault.");
              send_answer (req);
              return;
            }
        }
    }

  if (!authenticate (req, route))
    {
      send_answer (req);
      return;
    }

  if (route == NULL)
    {
      cp_sim_reply_error (req, 404, "invalid_request_error", NULL, NULL,
                          "Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                          req->method, path);
      send_answer (req);
      return;
    }

  /* idempotency: POST only, as Stripe */
  {
    const char *key = soup_message_headers_get_one (rh, "Idempotency-Key");

    if (key != NULL && *key != '\0' && g_str_equal (req->method, "POST"))
      {
        g_autofree char *params_fp = cp_sim_form_fingerprint (req->raw_params);
        g_autofree char *fp = g_strdup_printf ("%s %s\n%s", req->method, path, params_fp);
        CpSimIdempotent *entry;

        req->idempotency_key = g_strdup (key);
        if (strlen (key) > 255)
          {
            cp_sim_reply_error (req, 400, "invalid_request_error", NULL, NULL,
                                "Invalid Idempotency-Key: keys must be at most 255 characters long.");
            g_clear_pointer (&req->idempotency_key, g_free);
            send_answer (req);
            return;
          }
        entry = cp_sim_state_get_idempotent (self->state, key);
        if (entry != NULL && entry->status == 0)
          {
            cp_sim_reply_error (req, 409, "idempotency_error", NULL, NULL,
                                "There is currently another in-progress request using this Idempotent Key "
                                "(that probably means you submitted twice, and the other request is still going through): %s. "
                                "Please try again later.", key);
            g_clear_pointer (&req->idempotency_key, g_free);
            send_answer (req);
            return;
          }
        if (entry != NULL && g_strcmp0 (entry->fingerprint, fp) != 0)
          {
            cp_sim_reply_error (req, 400, "idempotency_error", NULL, NULL,
                                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                                "Try using a key other than '%s' if you meant to execute a different request.", key);
            g_clear_pointer (&req->idempotency_key, g_free);
            send_answer (req);
            return;
          }
        if (entry != NULL)
          {
            SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
            soup_message_headers_replace (h, "Idempotent-Replayed", "true");
            soup_message_headers_replace (h, "Original-Request", entry->request_id);
            cp_sim_reply_text (req, entry->status, "application/json", entry->body);
            g_clear_pointer (&req->idempotency_key, g_free);
            send_answer (req);
            if (drop)
              {
                g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
                if (stream != NULL)
                  g_io_stream_close (stream, NULL, NULL);
              }
            return;
          }
        cp_sim_state_begin_idempotent (self->state, key, fp, req->request_id);
      }
  }

  if (delay_ms > 0)
    {
      Pending *p = g_new0 (Pending, 1);

      p->req = g_steal_pointer (&req);
      p->route = route;
      p->drop = drop;
      soup_server_message_pause (msg);
      g_timeout_add (delay_ms, delayed_cb, p);
      return;
    }

  finish_request (req, route, drop);
}

/* ------------------------------------------------------------------ */

static void
cp_sim_server_dispose (GObject *object)
{
  CpSimServer *self = CP_SIM_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->state);

  G_OBJECT_CLASS (cp_sim_server_parent_class)->dispose (object);
}

static void
cp_sim_server_finalize (GObject *object)
{
  CpSimServer *self = CP_SIM_SERVER (object);

  g_list_free_full (self->faults, fault_free);
  g_free (self->publishable_key);
  g_free (self->base_url);

  G_OBJECT_CLASS (cp_sim_server_parent_class)->finalize (object);
}

static void
cp_sim_server_class_init (CpSimServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_sim_server_dispose;
  object_class->finalize = cp_sim_server_finalize;
}

static void
cp_sim_server_init (CpSimServer *self)
{
  self->server = soup_server_new ("server-header", "carepay-stripe-sim", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
}

CpSimServer *
cp_sim_server_new (CpSimState *state,
                   const char *publishable_key)
{
  CpSimServer *self = g_object_new (CP_TYPE_SIM_SERVER, NULL);

  self->state = g_object_ref (state);
  self->publishable_key = g_strdup (publishable_key ? publishable_key : "pk_test_carepaysim");
  return self;
}

gboolean
cp_sim_server_listen (CpSimServer  *self,
                      guint         port,
                      GError      **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSList) uris = NULL;

  if (!soup_server_listen (self->server, address, 0, error))
    return FALSE;
  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->port = g_uri_get_port (uris->data);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return TRUE;
}

guint
cp_sim_server_get_port (CpSimServer *self)
{
  return self->port;
}

const char *
cp_sim_server_get_base_url (CpSimServer *self)
{
  return self->base_url;
}

CpSimState *
cp_sim_server_get_state (CpSimServer *self)
{
  return self->state;
}
