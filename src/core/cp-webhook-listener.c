/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-webhook.h"
#include "cp-webhook-listener.h"

struct _CpWebhookListener
{
  GObject     parent_instance;

  CpLedger   *ledger;
  char       *secret;
  gint64      tolerance;
  SoupServer *server;
  guint       port;
};

G_DEFINE_FINAL_TYPE (CpWebhookListener, cp_webhook_listener, G_TYPE_OBJECT)

enum {
  EVENT_APPLIED,
  REJECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *content_type,
       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
reject (CpWebhookListener *self,
        SoupServerMessage *msg,
        guint              status,
        const char        *reason)
{
  g_autofree char *text = g_strdup_printf ("%s\n", reason);

  g_debug ("Webhook refused: %s", reason);
  g_signal_emit (self, signals[REJECTED], 0, reason);
  reply (msg, status, "text/plain; charset=utf-8", text);
}

static void
handle_webhook (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  CpWebhookListener *self = user_data;
  SoupMessageBody *request_body;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(CpStripeEvent) event = NULL;
  const char *signature;
  gint64 invoice_id = 0;
  gboolean applied = FALSE;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      reject (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Only POST is accepted");
      return;
    }
  if (self->secret == NULL || *self->secret == '\0')
    {
      reject (self, msg, SOUP_STATUS_BAD_REQUEST, "No webhook signing secret is configured");
      return;
    }

  signature = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Stripe-Signature");
  if (signature == NULL)
    {
      reject (self, msg, SOUP_STATUS_BAD_REQUEST, "No Stripe-Signature header");
      return;
    }

  request_body = soup_server_message_get_request_body (msg);
  body = soup_message_body_flatten (request_body);
  object = cp_stripe_webhook_construct_event (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                              signature, self->secret, self->tolerance,
                                              g_get_real_time () / G_USEC_PER_SEC, &error);
  if (object == NULL)
    {
      reject (self, msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  event = cp_stripe_event_new_from_json (object);
  if (event == NULL || event->id == NULL)
    {
      reject (self, msg, SOUP_STATUS_BAD_REQUEST, "The body is not a Stripe event");
      return;
    }

  if (!cp_ledger_apply_event_full (self->ledger, event, NULL, &invoice_id, &applied, NULL, &error))
    {
      /* Stripe retries on a 5xx, which is what a passing failure wants */
      g_warning ("Could not apply webhook event %s: %s", event->id, error->message);
      reply (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", "Could not apply the event\n");
      return;
    }

  if (applied)
    g_signal_emit (self, signals[EVENT_APPLIED], 0, event->id, event->type, invoice_id);
  reply (msg, SOUP_STATUS_OK, "application/json", applied ? "{\"received\":true}" : "{\"received\":true,\"duplicate\":true}");
}

CpWebhookListener *
cp_webhook_listener_new (CpLedger   *ledger,
                         const char *signing_secret)
{
  CpWebhookListener *self;

  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);

  self = g_object_new (CP_TYPE_WEBHOOK_LISTENER, NULL);
  self->ledger = g_object_ref (ledger);
  self->secret = g_strdup (signing_secret);
  return self;
}

void
cp_webhook_listener_set_tolerance (CpWebhookListener *self,
                                   gint64             seconds)
{
  g_return_if_fail (CP_IS_WEBHOOK_LISTENER (self));
  self->tolerance = seconds;
}

gboolean
cp_webhook_listener_listen (CpWebhookListener  *self,
                            guint               port,
                            GError            **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  GSList *uris;

  g_return_val_if_fail (CP_IS_WEBHOOK_LISTENER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  self->server = soup_server_new ("server-header", "CarePay-Webhook", NULL);
  soup_server_add_handler (self->server, NULL, handle_webhook, self, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!soup_server_listen (self->server, address, 0, &local_error))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NETWORK, _("Could not listen on 127.0.0.1:%u: %s"),
                   port, local_error->message);
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

guint
cp_webhook_listener_get_port (CpWebhookListener *self)
{
  g_return_val_if_fail (CP_IS_WEBHOOK_LISTENER (self), 0);
  return self->port;
}

char *
cp_webhook_listener_dup_url (CpWebhookListener *self)
{
  g_return_val_if_fail (CP_IS_WEBHOOK_LISTENER (self), NULL);
  if (self->server == NULL)
    return NULL;
  return g_strdup_printf ("http://127.0.0.1:%u/", self->port);
}

void
cp_webhook_listener_disconnect (CpWebhookListener *self)
{
  g_return_if_fail (CP_IS_WEBHOOK_LISTENER (self));
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  self->port = 0;
}

static void
cp_webhook_listener_dispose (GObject *object)
{
  CpWebhookListener *self = CP_WEBHOOK_LISTENER (object);

  cp_webhook_listener_disconnect (self);
  g_clear_object (&self->ledger);
  G_OBJECT_CLASS (cp_webhook_listener_parent_class)->dispose (object);
}

static void
cp_webhook_listener_finalize (GObject *object)
{
  CpWebhookListener *self = CP_WEBHOOK_LISTENER (object);

  g_free (self->secret);
  G_OBJECT_CLASS (cp_webhook_listener_parent_class)->finalize (object);
}

static void
cp_webhook_listener_class_init (CpWebhookListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_webhook_listener_dispose;
  object_class->finalize = cp_webhook_listener_finalize;

  signals[EVENT_APPLIED] =
    g_signal_new ("event-applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64);
  signals[REJECTED] =
    g_signal_new ("rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cp_webhook_listener_init (CpWebhookListener *self)
{
  self->tolerance = CP_STRIPE_WEBHOOK_DEFAULT_TOLERANCE;
}
