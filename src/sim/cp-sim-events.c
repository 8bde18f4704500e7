/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "cp-sim-events.h"

#define MAX_ATTEMPTS 8
#define MAX_BACKOFF_MS 30000

struct _CpSimWebhooks
{
  GObject       parent_instance;

  CpSimState   *state;
  SoupSession  *session;
  char         *url;
  char         *secret;
  GQueue        queue;      /* event ids, in order */
  guint         attempts;   /* for the head of the queue */
  guint         retry_id;
  guint         base_backoff_ms;
  gboolean      in_flight;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CpSimWebhooks, cp_sim_webhooks, G_TYPE_OBJECT)

static void deliver_next (CpSimWebhooks *self);

char *
cp_sim_webhook_signature (const char *secret,
                          gint64      timestamp,
                          const char *payload)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT ".", timestamp);

  g_hmac_update (hmac, (const guchar *) prefix, strlen (prefix));
  g_hmac_update (hmac, (const guchar *) payload, strlen (payload));
  return g_strdup (g_hmac_get_string (hmac));
}

static void
set_pending (CpSimWebhooks *self,
             const char    *event_id,
             int            pending)
{
  JsonObject *event = cp_sim_state_lookup (self->state, event_id);

  if (event != NULL)
    json_object_set_int_member (event, "pending_webhooks", pending);
}

static gboolean
retry_cb (gpointer data)
{
  CpSimWebhooks *self = data;

  self->retry_id = 0;
  deliver_next (self);
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CpSimWebhooks) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  self->in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  status = bytes != NULL ? soup_message_get_status (msg) : 0;
  if (status >= 200 && status < 300)
    {
      g_autofree char *id = g_queue_pop_head (&self->queue);
      set_pending (self, id, 0);
      self->attempts = 0;
      deliver_next (self);
      return;
    }

  self->attempts++;
  if (self->attempts >= MAX_ATTEMPTS)
    {
      g_autofree char *id = g_queue_pop_head (&self->queue);
      g_debug ("Giving up delivering %s after %u attempts", id, self->attempts);
      self->attempts = 0;
      deliver_next (self);
      return;
    }
  {
    guint delay = self->base_backoff_ms << MIN (self->attempts - 1, 10u);
    self->retry_id = g_timeout_add (MIN (delay, MAX_BACKOFF_MS), retry_cb, self);
  }
}

static void
deliver_next (CpSimWebhooks *self)
{
  const char *id;
  JsonObject *event;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *sig = NULL;
  g_autofree char *header = NULL;
  gint64 now;

  if (self->in_flight || self->retry_id != 0)
    return;
  id = g_queue_peek_head (&self->queue);
  if (id == NULL)
    return;
  event = cp_sim_state_lookup (self->state, id);
  if (event == NULL)
    {
      g_free (g_queue_pop_head (&self->queue));
      deliver_next (self);
      return;
    }

  msg = soup_message_new (SOUP_METHOD_POST, self->url);
  if (msg == NULL)
    {
      g_warning ("Invalid webhook URL");
      return;
    }
  node = json_node_init_object (json_node_alloc (), event);
  payload = json_to_string (node, TRUE);
  now = cp_sim_state_now ();
  sig = cp_sim_webhook_signature (self->secret, now, payload);
  header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s", now, sig);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Stripe-Signature", header);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "User-Agent",
                                "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
  {
    gsize len = strlen (payload);
    g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&payload), len);
    soup_message_set_request_body_from_bytes (msg, "application/json; charset=utf-8", body);
  }
  self->in_flight = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    sent_cb, g_object_ref (self));
}

static void
on_event (CpSimState    *state,
          JsonObject    *event,
          CpSimWebhooks *self)
{
  json_object_set_int_member (event, "pending_webhooks", 1);
  g_queue_push_tail (&self->queue, g_strdup (json_object_get_string_member (event, "id")));
  /* deliver after the request that made the event has been answered */
  if (!self->in_flight && self->retry_id == 0)
    self->retry_id = g_idle_add (retry_cb, self);
}

static void
cp_sim_webhooks_dispose (GObject *object)
{
  CpSimWebhooks *self = CP_SIM_WEBHOOKS (object);

  g_cancellable_cancel (self->cancellable);
  if (self->state != NULL)
    g_signal_handlers_disconnect_by_data (self->state, self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_object (&self->state);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cp_sim_webhooks_parent_class)->dispose (object);
}

static void
cp_sim_webhooks_finalize (GObject *object)
{
  CpSimWebhooks *self = CP_SIM_WEBHOOKS (object);

  g_queue_clear_full (&self->queue, g_free);
  g_free (self->url);
  g_free (self->secret);

  G_OBJECT_CLASS (cp_sim_webhooks_parent_class)->finalize (object);
}

static void
cp_sim_webhooks_class_init (CpSimWebhooksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_sim_webhooks_dispose;
  object_class->finalize = cp_sim_webhooks_finalize;
}

static void
cp_sim_webhooks_init (CpSimWebhooks *self)
{
  const char *backoff = g_getenv ("CAREPAY_SIM_WEBHOOK_RETRY_MS");

  g_queue_init (&self->queue);
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", 10, NULL);
  self->base_backoff_ms = backoff ? (guint) g_ascii_strtoull (backoff, NULL, 10) : 500;
  if (self->base_backoff_ms == 0)
    self->base_backoff_ms = 1;
}

CpSimWebhooks *
cp_sim_webhooks_new (CpSimState *state,
                     const char *url,
                     const char *secret)
{
  CpSimWebhooks *self = g_object_new (CP_TYPE_SIM_WEBHOOKS, NULL);

  self->state = g_object_ref (state);
  self->url = g_strdup (url);
  self->secret = g_strdup (secret ? secret : "");
  g_signal_connect (state, "event", G_CALLBACK (on_event), self);
  return self;
}

guint
cp_sim_webhooks_pending (CpSimWebhooks *self)
{
  return g_queue_get_length (&self->queue);
}
