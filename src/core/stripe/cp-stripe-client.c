/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-version.h"

struct _CpStripeClient
{
  GObject              parent_instance;

  CpStripeConfig      *config;
  SoupSession         *session;
  CpStore             *store;
  GMainContext        *sync_context;
  GMutex               sync_lock;      /* one blocking call at a time */

  guint                max_retries;
  guint                time_budget_ms;
  guint                request_timeout_ms;
  guint                backoff_base_ms;
  guint                backoff_max_ms;

  CpStripeRequestHook  hook;
  gpointer             hook_data;
  GDestroyNotify       hook_destroy;
};

G_DEFINE_FINAL_TYPE (CpStripeClient, cp_stripe_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_SESSION,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ATTEMPT_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One request and its attempts. */
typedef struct {
  CpStripeClient     *client;
  char               *method;
  char               *path;
  CpStripeForm       *params;
  char               *operation;
  char               *idempotency_key;
  SoupMessageHeaders *extra_headers;
  GMainContext       *context;
  GCancellable       *cancellable;      /* the caller's, may be NULL */
  gint64              started_us;
  guint               attempt;          /* 1 for the first send */

  /* per attempt */
  SoupMessage        *message;
  GCancellable       *attempt_cancellable;
  gulong              cancelled_id;
  GSource            *timeout_source;
  gboolean            timed_out;
  guint               status;
  char               *request_id;
  char               *should_retry;

  /* between attempts */
  GSource            *sleep_source;
  GSource            *sleep_cancel_source;

  CpStripeErrorInfo  *info;             /* of the last failed attempt */
} Request;

static void send_attempt (GTask *task);

static void
request_clear_attempt (Request *req)
{
  if (req->cancelled_id != 0)
    {
      g_cancellable_disconnect (req->cancellable, req->cancelled_id);
      req->cancelled_id = 0;
    }
  if (req->timeout_source != NULL)
    {
      g_source_destroy (req->timeout_source);
      g_clear_pointer (&req->timeout_source, g_source_unref);
    }
  g_clear_object (&req->message);
  g_clear_object (&req->attempt_cancellable);
  g_clear_pointer (&req->request_id, g_free);
  g_clear_pointer (&req->should_retry, g_free);
  req->timed_out = FALSE;
  req->status = 0;
}

static void
request_clear_sleep (Request *req)
{
  if (req->sleep_source != NULL)
    {
      g_source_destroy (req->sleep_source);
      g_clear_pointer (&req->sleep_source, g_source_unref);
    }
  if (req->sleep_cancel_source != NULL)
    {
      g_source_destroy (req->sleep_cancel_source);
      g_clear_pointer (&req->sleep_cancel_source, g_source_unref);
    }
}

static void
request_free (Request *req)
{
  request_clear_attempt (req);
  request_clear_sleep (req);
  g_clear_object (&req->client);
  g_free (req->method);
  g_free (req->path);
  g_clear_pointer (&req->params, cp_stripe_form_unref);
  g_free (req->operation);
  g_free (req->idempotency_key);
  g_clear_pointer (&req->extra_headers, soup_message_headers_unref);
  g_clear_pointer (&req->context, g_main_context_unref);
  g_clear_object (&req->cancellable);
  g_clear_pointer (&req->info, cp_stripe_error_info_free);
  g_free (req);
}

static void
cp_stripe_client_dispose (GObject *object)
{
  CpStripeClient *self = CP_STRIPE_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->config);
  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  self->hook = NULL;
  self->hook_data = NULL;
  self->hook_destroy = NULL;

  G_OBJECT_CLASS (cp_stripe_client_parent_class)->dispose (object);
}

static void
cp_stripe_client_finalize (GObject *object)
{
  CpStripeClient *self = CP_STRIPE_CLIENT (object);

  g_clear_pointer (&self->sync_context, g_main_context_unref);
  g_mutex_clear (&self->sync_lock);

  G_OBJECT_CLASS (cp_stripe_client_parent_class)->finalize (object);
}

static void
cp_stripe_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpStripeClient *self = CP_STRIPE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_stripe_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CpStripeClient *self = CP_STRIPE_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_STORE:
      cp_stripe_client_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_stripe_client_constructed (GObject *object)
{
  CpStripeClient *self = CP_STRIPE_CLIENT (object);

  G_OBJECT_CLASS (cp_stripe_client_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = cp_stripe_config_new_from_environment ();
  if (self->session == NULL)
    {
      g_autofree char *user_agent = g_strdup_printf ("CarePay/%s", PACKAGE_VERSION);
      self->session = soup_session_new_with_options ("user-agent", user_agent, NULL);
    }
}

static void
cp_stripe_client_class_init (CpStripeClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_stripe_client_dispose;
  object_class->finalize = cp_stripe_client_finalize;
  object_class->constructed = cp_stripe_client_constructed;
  object_class->get_property = cp_stripe_client_get_property;
  object_class->set_property = cp_stripe_client_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, CP_TYPE_STRIPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CP_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CpStripeClient::attempt-finished:
   * @method: "GET", "POST"...
   * @path: the request path, without query
   * @status: the HTTP status, or 0 when no answer arrived
   * @attempt: 1 for the first send
   *
   * Emitted after every attempt, for diagnostics and tests.
   */
  signals[ATTEMPT_FINISHED] =
    g_signal_new ("attempt-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
}

static void
cp_stripe_client_init (CpStripeClient *self)
{
  self->max_retries = 3;
  self->time_budget_ms = 60000;
  self->request_timeout_ms = 30000;
  self->backoff_base_ms = 500;
  self->backoff_max_ms = 8000;
  g_mutex_init (&self->sync_lock);
}

CpStripeClient *
cp_stripe_client_new (CpStripeConfig *config,
                      SoupSession    *session,
                      CpStore        *store)
{
  g_return_val_if_fail (config == NULL || CP_IS_STRIPE_CONFIG (config), NULL);
  g_return_val_if_fail (session == NULL || SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (store == NULL || CP_IS_STORE (store), NULL);

  return g_object_new (CP_TYPE_STRIPE_CLIENT,
                       "config", config,
                       "session", session,
                       "store", store,
                       NULL);
}

CpStripeConfig *
cp_stripe_client_get_config (CpStripeClient *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);
  return self->config;
}

SoupSession *
cp_stripe_client_get_session (CpStripeClient *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);
  return self->session;
}

CpStore *
cp_stripe_client_get_store (CpStripeClient *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);
  return self->store;
}

void
cp_stripe_client_set_store (CpStripeClient *self,
                            CpStore        *store)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  g_return_if_fail (store == NULL || CP_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
cp_stripe_client_set_max_retries (CpStripeClient *self,
                                  guint           max_retries)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  self->max_retries = max_retries;
}

guint
cp_stripe_client_get_max_retries (CpStripeClient *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), 0);
  return self->max_retries;
}

void
cp_stripe_client_set_time_budget (CpStripeClient *self,
                                  guint           budget_ms)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  self->time_budget_ms = budget_ms;
}

void
cp_stripe_client_set_request_timeout (CpStripeClient *self,
                                      guint           timeout_ms)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  self->request_timeout_ms = timeout_ms;
}

void
cp_stripe_client_set_backoff (CpStripeClient *self,
                              guint           base_ms,
                              guint           max_ms)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  self->backoff_base_ms = base_ms;
  self->backoff_max_ms = MAX (max_ms, base_ms);
}

void
cp_stripe_client_set_request_hook (CpStripeClient      *self,
                                   CpStripeRequestHook  hook,
                                   gpointer             user_data,
                                   GDestroyNotify       destroy)
{
  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));

  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  self->hook = hook;
  self->hook_data = user_data;
  self->hook_destroy = destroy;
}

char *
cp_stripe_client_dup_idempotency_key (CpStripeClient  *self,
                                      const char      *operation,
                                      GError         **error)
{
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);

  if (self->store == NULL || operation == NULL)
    return NULL;
  return cp_store_idempotency_key (self->store, operation, error);
}

char *
cp_stripe_path_escape (const char *segment)
{
  return g_uri_escape_string (segment, NULL, FALSE);
}

/* ---- the request state machine ---- */

static gboolean
method_has_body (const char *method)
{
  return g_str_equal (method, "POST");
}

static void
fail_cancelled (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  g_clear_pointer (&req->info, cp_stripe_error_info_free);
  req->info = cp_stripe_error_info_new ();
  req->info->attempts = req->attempt;
  req->info->message = g_strdup ("cancelled");
  g_task_return_error (task, g_error_new_literal (CP_ERROR, CP_ERROR_CANCELLED, _("The request was cancelled")));
}

static gboolean
task_cancelled (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  return req->cancellable != NULL && g_cancellable_is_cancelled (req->cancellable);
}

static guint
backoff_delay_ms (CpStripeClient *client,
                  guint           attempt)
{
  guint64 cap = client->backoff_base_ms;

  /* attempt n (1-based) that failed: ceiling base * 2^(n-1), capped. */
  for (guint i = 1; i < attempt && cap < client->backoff_max_ms; i++)
    cap *= 2;
  cap = MIN (cap, client->backoff_max_ms);
  if (cap == 0)
    return 0;
  /* Full jitter: anywhere between zero and the ceiling. */
  return (guint) g_random_int_range (0, (gint32) MIN (cap, G_MAXINT32 - 1) + 1);
}

static gboolean
sleep_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  request_clear_sleep (req);
  send_attempt (task);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  request_clear_sleep (req);
  fail_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Decides after a failed attempt whether to send again; returns TRUE when
 * a retry has been scheduled (and then owns the task reference). */
static gboolean
maybe_retry (GTask    *task,
             gboolean  network_failure)
{
  Request *req = g_task_get_task_data (task);
  CpStripeClient *client = req->client;
  gboolean retryable;
  gint64 elapsed_ms;
  guint delay;

  if (req->should_retry != NULL && g_ascii_strcasecmp (req->should_retry, "false") == 0)
    retryable = FALSE;
  else if (req->should_retry != NULL && g_ascii_strcasecmp (req->should_retry, "true") == 0)
    retryable = TRUE;
  else if (network_failure)
    retryable = TRUE;
  else if (req->status == 409)
    retryable = req->info != NULL && g_strcmp0 (req->info->code, "lock_timeout") == 0;
  else
    retryable = req->status == 429 || req->status >= 500;

  if (!retryable || req->attempt > client->max_retries)
    return FALSE;

  delay = backoff_delay_ms (client, req->attempt);
  elapsed_ms = (g_get_monotonic_time () - req->started_us) / 1000;
  if (elapsed_ms + delay >= client->time_budget_ms)
    {
      g_debug ("Stripe %s %s: no retry, time budget of %u ms spent",
               req->method, req->path, client->time_budget_ms);
      return FALSE;
    }

  g_debug ("Stripe %s %s: retrying in %u ms (attempt %u failed)",
           req->method, req->path, delay, req->attempt);

  /* Whichever of the two sources fires first takes over our reference to
   * the task and destroys the other. */
  req->sleep_source = g_timeout_source_new (delay);
  g_source_set_callback (req->sleep_source, sleep_done_cb, task, NULL);
  g_source_attach (req->sleep_source, req->context);
  if (req->cancellable != NULL)
    {
      req->sleep_cancel_source = g_cancellable_source_new (req->cancellable);
      g_source_set_callback (req->sleep_cancel_source, G_SOURCE_FUNC (sleep_cancelled_cb),
                             task, NULL);
      g_source_attach (req->sleep_cancel_source, req->context);
    }
  return TRUE;
}

static void
finish_attempt (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->cancelled_id != 0)
    {
      g_cancellable_disconnect (req->cancellable, req->cancelled_id);
      req->cancelled_id = 0;
    }
  if (req->timeout_source != NULL)
    {
      g_source_destroy (req->timeout_source);
      g_clear_pointer (&req->timeout_source, g_source_unref);
    }
}

/* Takes ownership of `task`. */
static void
attempt_failed (GTask             *task,
                CpStripeErrorInfo *info,
                gboolean           network_failure)
{
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  info->attempts = req->attempt;
  g_clear_pointer (&req->info, cp_stripe_error_info_free);
  req->info = info;

  if (maybe_retry (task, network_failure))
    return;

  cp_stripe_error_info_set_error (req->info, &error);
  g_debug ("Stripe %s %s failed after %u attempt(s): HTTP %u %s/%s (request %s)",
           req->method, req->path, req->attempt, req->info->http_status,
           req->info->type ? req->info->type : "-", req->info->code ? req->info->code : "-",
           req->info->request_id ? req->info->request_id : "-");
  g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);
}

/* Takes ownership of `task`. */
static void
network_failed (GTask        *task,
                const GError *cause)
{
  Request *req = g_task_get_task_data (task);
  CpStripeErrorInfo *info;

  if (task_cancelled (task))
    {
      fail_cancelled (task);
      g_object_unref (task);
      return;
    }

  g_signal_emit (req->client, signals[ATTEMPT_FINISHED], 0, req->method, req->path, 0u, req->attempt);

  info = cp_stripe_error_info_new ();
  info->request_id = g_strdup (req->request_id);
  info->message = req->timed_out ? g_strdup_printf (_("no answer within %u ms"),
                                                    req->client->request_timeout_ms)
                                 : g_strdup (cause->message);
  g_debug ("Stripe %s %s attempt %u: %s", req->method, req->path, req->attempt,
           req->timed_out ? "timed out" : cause->message);
  attempt_failed (task, info, TRUE);
}

/* The answer is read whole on the request's own main context
 * (soup_session_send_and_read_async) and parsed from memory: Stripe's
 * answers are small, and json_parser_load_from_stream_async() would read
 * and drop libsoup's body stream in a worker thread, which libsoup 3
 * forbids (the message must complete on the context that sent it). */
static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  SoupMessageHeaders *headers;
  JsonNode *root = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  finish_attempt (task);
  if (body == NULL)
    {
      network_failed (task, error);
      return;
    }
  if (task_cancelled (task))
    {
      fail_cancelled (task);
      g_object_unref (task);
      return;
    }

  req->status = soup_message_get_status (req->message);
  headers = soup_message_get_response_headers (req->message);
  req->request_id = g_strdup (soup_message_headers_get_one (headers, "Request-Id"));
  req->should_retry = g_strdup (soup_message_headers_get_one (headers, "Stripe-Should-Retry"));

  parser = json_parser_new_immutable ();
  if (g_bytes_get_size (body) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    root = json_parser_get_root (parser);

  g_debug ("Stripe %s %s -> %u (request %s, attempt %u)", req->method, req->path,
           req->status, req->request_id ? req->request_id : "-", req->attempt);
  g_signal_emit (req->client, signals[ATTEMPT_FINISHED], 0, req->method, req->path,
                 req->status, req->attempt);

  if (SOUP_STATUS_IS_SUCCESSFUL (req->status))
    {
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          CpStripeErrorInfo *info = cp_stripe_error_info_new_from_response (req->status,
                                                                            req->request_id, NULL);
          info->type = g_strdup ("api_error");
          info->message = g_strdup (_("Stripe's answer was not a JSON object"));
          attempt_failed (task, info, FALSE);
          return;
        }
      g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                             (GDestroyNotify) json_object_unref);
      g_object_unref (task);
      return;
    }

  {
    CpStripeErrorInfo *info = cp_stripe_error_info_new_from_response (req->status,
                                                                      req->request_id, root);
    if (info->message == NULL)
      info->message = g_strdup (soup_message_get_reason_phrase (req->message));
    attempt_failed (task, info, FALSE);
  }
}

static void
attempt_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GCancellable *attempt_cancellable = user_data;
  g_cancellable_cancel (attempt_cancellable);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  Request *req = user_data;

  req->timed_out = TRUE;
  g_cancellable_cancel (req->attempt_cancellable);
  g_clear_pointer (&req->timeout_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_replace (user_data, name, value);
}

/* Takes ownership of `task`. */
static void
send_attempt (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  CpStripeClient *client = req->client;
  CpStripeConfig *config = client->config;
  g_autofree char *encoded = NULL;
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *user_agent = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable = req->cancellable;

  request_clear_attempt (req);
  req->attempt++;

  if (task_cancelled (task))
    {
      fail_cancelled (task);
      g_object_unref (task);
      return;
    }

  encoded = req->params != NULL ? cp_stripe_form_encode (req->params) : g_strdup ("");
  if (!method_has_body (req->method) && *encoded != '\0')
    url = g_strdup_printf ("%s%s?%s", cp_stripe_config_get_api_base (config), req->path, encoded);
  else
    url = g_strconcat (cp_stripe_config_get_api_base (config), req->path, NULL);

  req->message = soup_message_new (req->method, url);
  if (req->message == NULL)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               "Not a valid Stripe URL for %s %s", req->method, req->path);
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_request_headers (req->message);
  authorization = g_strdup_printf ("Bearer %s", cp_stripe_config_get_secret_key (config));
  soup_message_headers_replace (headers, "Authorization", authorization);
  explicit_bzero (authorization, strlen (authorization));
  soup_message_headers_replace (headers, "Stripe-Version", CP_STRIPE_API_VERSION);
  user_agent = g_strdup_printf ("CarePay/%s", PACKAGE_VERSION);
  soup_message_headers_replace (headers, "User-Agent", user_agent);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (req->idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", req->idempotency_key);
  if (req->extra_headers != NULL)
    soup_message_headers_foreach (req->extra_headers, copy_header, headers);

  if (method_has_body (req->method))
    {
      gsize len = strlen (encoded);
      g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&encoded), len);
      soup_message_set_request_body_from_bytes (req->message, "application/x-www-form-urlencoded",
                                                body);
    }

  req->attempt_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (attempt_cancelled_cb),
                                               g_object_ref (req->attempt_cancellable),
                                               g_object_unref);
  if (client->request_timeout_ms > 0)
    {
      req->timeout_source = g_timeout_source_new (client->request_timeout_ms);
      g_source_set_callback (req->timeout_source, attempt_timeout_cb, req, NULL);
      g_source_attach (req->timeout_source, req->context);
    }

  g_debug ("Stripe %s %s (attempt %u)", req->method, req->path, req->attempt);
  soup_session_send_and_read_async (client->session, req->message, G_PRIORITY_DEFAULT,
                                    req->attempt_cancellable, sent_cb, task);
}

void
cp_stripe_client_request_async (CpStripeClient       *self,
                                const char           *method,
                                const char           *path,
                                CpStripeForm         *params,
                                const char           *operation,
                                SoupMessageHeaders   *extra_headers,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Request *req;

  g_return_if_fail (CP_IS_STRIPE_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_stripe_client_request_async);
  g_task_set_check_cancellable (task, FALSE);

  req = g_new0 (Request, 1);
  req->client = g_object_ref (self);
  req->method = g_ascii_strup (method, -1);
  req->path = g_strdup (path);
  req->params = params != NULL ? cp_stripe_form_ref (params) : NULL;
  req->operation = g_strdup (operation);
  req->extra_headers = extra_headers != NULL ? soup_message_headers_ref (extra_headers) : NULL;
  req->context = g_main_context_ref_thread_default ();
  req->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  req->started_us = g_get_monotonic_time ();
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  if (!cp_stripe_config_has_secret_key (self->config))
    {
      req->info = cp_stripe_error_info_new ();
      req->info->type = g_strdup ("configuration_error");
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_STRIPE,
                               _("No Stripe secret key is configured"));
      return;
    }

  if (self->hook != NULL)
    self->hook (req->method, req->path, req->params, self->hook_data);

  if (method_has_body (req->method))
    {
      /* The key is durable before the first byte goes out. */
      if (self->store != NULL && operation != NULL)
        {
          req->idempotency_key = cp_store_idempotency_key (self->store, operation, &error);
          if (req->idempotency_key == NULL)
            {
              req->info = cp_stripe_error_info_new ();
              req->info->message = g_strdup (error != NULL ? error->message : "no key");
              g_task_return_new_error (task, CP_ERROR, CP_ERROR_DATABASE,
                                       _("Could not get an idempotency key: %s"),
                                       error != NULL ? error->message : "unknown error");
              return;
            }
        }
      else
        req->idempotency_key = g_uuid_string_random ();
    }

  send_attempt (g_steal_pointer (&task));
}

JsonObject *
cp_stripe_client_request_finish (CpStripeClient     *self,
                                 GAsyncResult       *result,
                                 CpStripeErrorInfo **info,
                                 GError            **error)
{
  JsonObject *object;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_stripe_client_request_async, NULL);

  object = g_task_propagate_pointer (G_TASK (result), error);
  if (info != NULL)
    {
      Request *req = g_task_get_task_data (G_TASK (result));
      *info = (object == NULL && req->info != NULL) ? cp_stripe_error_info_copy (req->info) : NULL;
    }
  return object;
}

void
cp_stripe_sync_begin (CpStripeClient *client,
                      CpStripeSync   *sync)
{
  /* Blocking calls from several threads take turns on the one context. */
  g_mutex_lock (&client->sync_lock);
  if (client->sync_context == NULL)
    client->sync_context = g_main_context_new ();
  sync->client = client;
  sync->context = g_main_context_ref (client->sync_context);
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

void
cp_stripe_sync_callback (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  CpStripeSync *sync = user_data;
  sync->result = g_object_ref (result);
}

GAsyncResult *
cp_stripe_sync_wait (CpStripeSync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
  /* Let libsoup finish its bookkeeping for the message on this context
   * (it asserts that a message completes on the context it started on). */
  while (g_main_context_pending (sync->context))
    g_main_context_iteration (sync->context, FALSE);
  return sync->result;
}

void
cp_stripe_sync_end (CpStripeSync *sync)
{
  g_main_context_pop_thread_default (sync->context);
  g_clear_object (&sync->result);
  g_clear_pointer (&sync->context, g_main_context_unref);
  g_mutex_unlock (&sync->client->sync_lock);
}

JsonObject *
cp_stripe_client_request (CpStripeClient      *self,
                          const char          *method,
                          const char          *path,
                          CpStripeForm        *params,
                          const char          *operation,
                          SoupMessageHeaders  *extra_headers,
                          GCancellable        *cancellable,
                          CpStripeErrorInfo  **info,
                          GError             **error)
{
  CpStripeSync sync;
  JsonObject *object;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (self), NULL);

  cp_stripe_sync_begin (self, &sync);
  cp_stripe_client_request_async (self, method, path, params, operation, extra_headers,
                                  cancellable, cp_stripe_sync_callback, &sync);
  object = cp_stripe_client_request_finish (self, cp_stripe_sync_wait (&sync), info, error);
  cp_stripe_sync_end (&sync);
  return object;
}

/* ---- typed calls for the resource files ---- */

typedef struct {
  CpStripeParseFunc parse;
  GDestroyNotify    free_func;
  /* Lists: parse and free one item of the list's data */
  CpStripeParseFunc parse_item;
  GDestroyNotify    free_item;
} Call;

static gpointer
call_parse (Call       *call,
            JsonObject *object)
{
  if (call->parse_item != NULL)
    return cp_stripe_list_new_from_json (object, call->parse_item, call->free_item);
  return call->parse (object);
}

void
cp_stripe_task_set_error_info (GTask             *task,
                               CpStripeErrorInfo *info)
{
  g_object_set_data_full (G_OBJECT (task), "cp-stripe-error-info", info,
                          (GDestroyNotify) cp_stripe_error_info_free);
}

gpointer
cp_stripe_task_propagate (GTask              *task,
                          CpStripeErrorInfo **info,
                          GError            **error)
{
  gpointer result = g_task_propagate_pointer (task, error);

  if (info != NULL)
    {
      CpStripeErrorInfo *stored = g_object_get_data (G_OBJECT (task), "cp-stripe-error-info");
      *info = (result == NULL && stored != NULL) ? cp_stripe_error_info_copy (stored) : NULL;
    }
  return result;
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonObject) object = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;

  object = cp_stripe_client_request_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (object == NULL)
    {
      cp_stripe_task_set_error_info (task, info);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, call_parse (call, object), call->free_func);
}

static void
call_start (CpStripeClient      *client,
            gpointer             source_tag,
            const char          *method,
            const char          *path,
            CpStripeForm        *params,
            const char          *operation,
            Call                *call,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, call, g_free);
  cp_stripe_client_request_async (client, method, path, params, operation, NULL, cancellable,
                                  call_done_cb, task);
}

void
cp_stripe_call_async (CpStripeClient      *client,
                      gpointer             source_tag,
                      const char          *method,
                      const char          *path,
                      CpStripeForm        *params,
                      const char          *operation,
                      CpStripeParseFunc    parse,
                      GDestroyNotify       free_func,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  Call *call = g_new0 (Call, 1);

  call->parse = parse;
  call->free_func = free_func;
  call_start (client, source_tag, method, path, params, operation, call, cancellable, callback,
              user_data);
}

gpointer
cp_stripe_call_finish (CpStripeClient      *client,
                       GAsyncResult        *result,
                       gpointer             source_tag,
                       CpStripeErrorInfo  **info,
                       GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return cp_stripe_task_propagate (G_TASK (result), info, error);
}

gpointer
cp_stripe_call (CpStripeClient      *client,
                const char          *method,
                const char          *path,
                CpStripeForm        *params,
                const char          *operation,
                CpStripeParseFunc    parse,
                GDestroyNotify       free_func,
                GCancellable        *cancellable,
                CpStripeErrorInfo  **info,
                GError             **error)
{
  g_autoptr(JsonObject) object = NULL;

  object = cp_stripe_client_request (client, method, path, params, operation, NULL, cancellable,
                                     info, error);
  return object != NULL ? parse (object) : NULL;
}

/* ---- lists ---- */

CpStripeForm *
cp_stripe_list_form (const char *filter,
                     const char *filter_value,
                     guint       limit,
                     const char *starting_after)
{
  CpStripeForm *form = cp_stripe_form_new ();

  if (filter_value != NULL)
    cp_stripe_form_add (form, filter, filter_value);
  if (limit > 0)
    cp_stripe_form_add_int (form, "limit", limit);
  if (starting_after != NULL)
    cp_stripe_form_add (form, "starting_after", starting_after);
  return form;
}

void
cp_stripe_list_async (CpStripeClient      *client,
                      gpointer             source_tag,
                      const char          *path,
                      CpStripeForm        *params,
                      CpStripeParseFunc    parse_item,
                      GDestroyNotify       free_item,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  Call *call = g_new0 (Call, 1);

  call->parse_item = parse_item;
  call->free_item = free_item;
  call->free_func = (GDestroyNotify) cp_stripe_list_free;
  call_start (client, source_tag, "GET", path, params, NULL, call, cancellable, callback, user_data);
}

CpStripeList *
cp_stripe_list (CpStripeClient      *client,
                const char          *path,
                CpStripeForm        *params,
                CpStripeParseFunc    parse_item,
                GDestroyNotify       free_item,
                GCancellable        *cancellable,
                CpStripeErrorInfo  **info,
                GError             **error)
{
  g_autoptr(JsonObject) object = NULL;

  object = cp_stripe_client_request (client, "GET", path, params, NULL, NULL, cancellable, info, error);
  return object != NULL ? cp_stripe_list_new_from_json (object, parse_item, free_item) : NULL;
}
