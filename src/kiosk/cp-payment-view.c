/* SPDX-License-Identifier: GPL-3.0-or-later */

/* CpPaymentView: Stripe's Payment Element in a locked-down WebKitGTK 6 view.
 *
 * Which origin our payment page gets (checked with WebKitGTK 2.50 under Xvfb,
 * see tests/test-payment-view.c):
 *
 * - Live Stripe.js throws "IntegrationError: Live Stripe.js integrations must
 *   use HTTPS" unless location.protocol is "https:". A custom scheme, even one
 *   registered as secure (window.isSecureContext is then true), still reports
 *   its own protocol, so a carepay-pay:// page cannot take live payments.
 * - A page loaded with webkit_web_view_load_html() and the base URI
 *   https://pay.carepay.invalid/ is https and a secure context, needs no
 *   network (.invalid never resolves) and can use js.stripe.com. But WebKit's
 *   mixed-content checker blocks every http:// load from it, loopback
 *   included: the simulator's http://127.0.0.1:PORT/v3/ never gets a request.
 *
 * So the origin follows the Stripe.js URL, decided in one place
 * (choose_page_origin): an https Stripe.js (Stripe itself) gets the page as
 * load_html() at https://pay.carepay.invalid/; an http Stripe.js on a
 * loopback host (the simulator, test keys only) gets the page from our
 * carepay-pay://page/ scheme, registered as secure and CORS-enabled; any
 * other Stripe.js URL is refused. Both pages are the same GResource file and
 * take their script and style from carepay-pay://page/, which a secure https
 * page may load because the scheme is registered as secure.
 *
 * Data goes into the page only as a JSON argument of
 * webkit_web_view_call_async_javascript_function() (never concatenated into
 * HTML or JS), and the page sets textContent only. The page talks back through
 * a message handler in a private script world (see payment-bridge.js), and
 * what it says is untrusted: "succeeded" only means the page claims so; the
 * caller must retrieve the PaymentIntent from Stripe itself.
 *
 * Lockdown: every navigation (any frame) must pass the one allowlist
 * (cp_payment_view_uri_is_allowed), the main frame may only show our page
 * (checked again on the response), new windows, downloads, context menus,
 * file choosers, printing, dialogs and permission requests are refused, and
 * each view has its own ephemeral network session. The page's CSP limits
 * scripts, frames and fetches to Stripe and loopback.
 *
 * Live 3-D Secure: the issuer's challenge page (any bank's https origin)
 * loads in a frame inside Stripe's own frame, where our page's CSP does not
 * reach. WebKitGTK's navigation decision does not say which frame navigates,
 * so with live Stripe.js any https navigation on the default port passes the
 * navigation decision (cp_payment_view_navigation_is_allowed), and the main
 * frame is held to our page by the response decision, which refuses every
 * main-frame document but ours before it is shown. The cost: a main-frame
 * navigation to an https address is requested before it is refused. The
 * simulator's challenge is on its own origin, so there the strict allowlist
 * stays.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cp-timing-mark.h"
#include "cp-payment-view.h"

#define PAGE_SCHEME        "carepay-pay"
#define PAGE_SCHEME_HOST   "page"
#define PAGE_SCHEME_URI    PAGE_SCHEME "://" PAGE_SCHEME_HOST "/payment.html"
#define PAGE_HTTPS_URI     "https://pay.carepay.invalid/"
#define RESOURCE_DIR       "/org/stingrays/CarePay/payment/"
#define BRIDGE_WORLD       "carepay-bridge"
#define BRIDGE_HANDLER     "carepay"
#define MAX_MESSAGE_LEN    4096
#define MAX_FIELD_LEN      500

/* What may be navigated to, besides our page and the Stripe.js origin itself
 * (the simulator's http://127.0.0.1:PORT). The one allowlist. */
typedef struct
{
  const char *scheme;
  const char *host;
  gboolean    subdomains;
} AllowedOrigin;

static const AllowedOrigin stripe_origins[] = {
  { "https", "js.stripe.com", FALSE },     /* Stripe.js, Elements iframes */
  { "https", "hooks.stripe.com", FALSE },  /* 3-D Secure redirects and challenges */
  { "https", "m.stripe.network", FALSE },  /* Stripe.js fraud signals frame */
  { "https", "stripe.com", TRUE },         /* *.stripe.com */
};

/* The files of the page the scheme serves; nothing else in the resource. */
static const struct {
  const char *name;
  const char *content_type;
} page_files[] = {
  { "payment.html", "text/html" },
  { "payment.js", "text/javascript" },
  { "payment.css", "text/css" },
};

/* Also sent as a header by the scheme; payment.html carries the same in a meta
 * element for the https (load_html) page. */
#define PAGE_CSP \
  "default-src 'none'; " \
  "script-src carepay-pay: https://js.stripe.com https://*.js.stripe.com http://127.0.0.1:* http://localhost:*; " \
  "style-src carepay-pay: 'unsafe-inline'; " \
  "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com http://127.0.0.1:* http://localhost:*; " \
  "connect-src https://api.stripe.com https://*.stripe.com http://127.0.0.1:* http://localhost:*; " \
  "img-src data: https://*.stripe.com http://127.0.0.1:* http://localhost:*; " \
  "font-src carepay-pay: data:; base-uri 'none'; form-action 'none'"

typedef enum {
  PAGE_ORIGIN_REFUSED,
  PAGE_ORIGIN_SCHEME,  /* carepay-pay://page/payment.html */
  PAGE_ORIGIN_HTTPS,   /* load_html at https://pay.carepay.invalid/ */
} PageOrigin;

struct _CpPaymentView
{
  GtkWidget           parent_instance;

  GtkWidget          *header;
  GtkWidget          *invoice_label;
  GtkWidget          *amount_label;
  GtkWidget          *web_box;
  GtkWidget          *status_label;
  GtkWidget          *pay_button;

  WebKitWebView      *web_view;
  GCancellable       *cancellable;

  char               *stripe_js_url;
  char               *publishable_key;
  PageOrigin          page_origin;
  const char         *page_uri;

  char               *pending_start;  /* JSON with the client secret, until delivered */
  char               *amount_text;

  CpPaymentViewState  state;
  char               *payment_intent_id;
  char               *error_message;
  guint               page_loaded : 1;
  guint               prepared : 1;
  guint               started : 1;
  guint               complete : 1;
};

G_DEFINE_FINAL_TYPE (CpPaymentView, cp_payment_view, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (CpPaymentViewState, cp_payment_view_state,
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_LOADING, "loading"),
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_PROCESSING, "processing"),
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_SUCCEEDED, "succeeded"),
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (CP_PAYMENT_VIEW_STATE_ERROR, "error"))

enum {
  PROP_0,
  PROP_STRIPE_JS_URL,
  PROP_PUBLISHABLE_KEY,
  PROP_STATE,
  PROP_PREPARED,
  PROP_COMPLETE,
  PROP_PAYMENT_INTENT_ID,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  SIGNAL_SUCCEEDED,
  SIGNAL_FAILED,
  SIGNAL_REQUIRES_ACTION,
  SIGNAL_NAVIGATION_REFUSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void create_web_view (CpPaymentView *self);

/* g_set_str() is GLib 2.76; we build against 2.74. */
static gboolean
set_str (char       **ptr,
         const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;
  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}

/* --- origins and the allowlist ------------------------------------------ */

static gboolean
is_loopback_host (const char *host)
{
  return host != NULL &&
         (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "localhost") ||
          g_str_equal (host, "::1") || g_str_equal (host, "[::1]"));
}

static PageOrigin
choose_page_origin (const char *stripe_js_url)
{
  g_autoptr(GUri) uri = NULL;

  if (stripe_js_url == NULL)
    return PAGE_ORIGIN_REFUSED;
  uri = g_uri_parse (stripe_js_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return PAGE_ORIGIN_REFUSED;
  if (g_str_equal (g_uri_get_scheme (uri), "https"))
    return PAGE_ORIGIN_HTTPS;
  if (g_str_equal (g_uri_get_scheme (uri), "http") && is_loopback_host (g_uri_get_host (uri)))
    return PAGE_ORIGIN_SCHEME;
  return PAGE_ORIGIN_REFUSED;
}

static const char *
page_uri_for_origin (PageOrigin origin)
{
  return origin == PAGE_ORIGIN_HTTPS ? PAGE_HTTPS_URI : PAGE_SCHEME_URI;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_uri_get_host (a) != NULL && g_uri_get_host (b) != NULL &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

static gboolean
is_page_uri (const char *uri)
{
  return uri != NULL && (g_str_equal (uri, PAGE_SCHEME_URI) || g_str_equal (uri, PAGE_HTTPS_URI));
}

/**
 * cp_payment_view_uri_is_allowed:
 * @stripe_js_url: the Stripe.js URL the view was made with
 * @uri: a URI some frame wants to navigate to
 *
 * The navigation allowlist: our page, the Stripe.js origin, and Stripe's own
 * https origins (stripe_origins). Everything else is refused.
 */
gboolean
cp_payment_view_uri_is_allowed (const char *stripe_js_url,
                                const char *uri)
{
  g_autoptr(GUri) target = NULL;
  g_autoptr(GUri) stripe = NULL;
  const char *host;
  int port;

  if (uri == NULL)
    return FALSE;
  if (is_page_uri (uri))
    return TRUE;

  target = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (target == NULL || (host = g_uri_get_host (target)) == NULL || *host == '\0')
    return FALSE;

  if (stripe_js_url != NULL && choose_page_origin (stripe_js_url) != PAGE_ORIGIN_REFUSED)
    {
      stripe = g_uri_parse (stripe_js_url, G_URI_FLAGS_NONE, NULL);
      if (stripe != NULL && same_origin (target, stripe))
        return TRUE;
    }

  port = g_uri_get_port (target);
  if (!g_str_equal (g_uri_get_scheme (target), "https") || (port != -1 && port != 443))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (stripe_origins); i++)
    {
      const AllowedOrigin *o = &stripe_origins[i];

      if (g_ascii_strcasecmp (host, o->host) == 0)
        return TRUE;
      if (o->subdomains && g_str_has_suffix (host, o->host) &&
          strlen (host) > strlen (o->host) && host[strlen (host) - strlen (o->host) - 1] == '.')
        return TRUE;
    }
  return FALSE;
}

/**
 * cp_payment_view_navigation_is_allowed:
 * @stripe_js_url: the Stripe.js URL the view was made with
 * @uri: a URI some frame wants to navigate to
 *
 * What the navigation decision lets through: the allowlist, and with live
 * (https) Stripe.js any https host on the default port, for the card
 * issuers' 3-D Secure frames. The main frame is further held to our page
 * when the response arrives.
 */
gboolean
cp_payment_view_navigation_is_allowed (const char *stripe_js_url,
                                       const char *uri)
{
  g_autoptr(GUri) target = NULL;
  const char *host;
  int port;

  if (cp_payment_view_uri_is_allowed (stripe_js_url, uri))
    return TRUE;
  if (uri == NULL || choose_page_origin (stripe_js_url) != PAGE_ORIGIN_HTTPS)
    return FALSE;
  target = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (target == NULL || g_ascii_strcasecmp (g_uri_get_scheme (target), "https") != 0)
    return FALSE;
  host = g_uri_get_host (target);
  port = g_uri_get_port (target);
  /* A bank's site, never this machine or an address typed as a number. */
  return host != NULL && *host != '\0' && (port == -1 || port == 443) &&
         !g_hostname_is_ip_address (host) && !is_loopback_host (host) &&
         g_ascii_strcasecmp (host, "pay.carepay.invalid") != 0;
}

/* --- the carepay-pay:// scheme ---------------------------------------- */

static void
serve_page_file (WebKitURISchemeRequest *request,
                 gpointer                user_data)
{
  g_autoptr(GUri) uri = g_uri_parse (webkit_uri_scheme_request_get_uri (request), G_URI_FLAGS_NONE, NULL);
  const char *method = webkit_uri_scheme_request_get_http_method (request);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;

  g_debug ("Serving %s %s", method, webkit_uri_scheme_request_get_uri (request));

  if (uri != NULL && g_strcmp0 (g_uri_get_host (uri), PAGE_SCHEME_HOST) == 0 &&
      (method == NULL || g_str_equal (method, "GET")) && path != NULL && path[0] == '/')
    {
      for (guint i = 0; i < G_N_ELEMENTS (page_files); i++)
        {
          g_autofree char *resource = NULL;
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GInputStream) stream = NULL;
          g_autoptr(WebKitURISchemeResponse) response = NULL;
          SoupMessageHeaders *headers;

          if (!g_str_equal (path + 1, page_files[i].name))
            continue;
          resource = g_strconcat (RESOURCE_DIR, page_files[i].name, NULL);
          bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
          if (bytes == NULL)
            break;
          stream = g_memory_input_stream_new_from_bytes (bytes);
          response = webkit_uri_scheme_response_new (stream, g_bytes_get_size (bytes));
          webkit_uri_scheme_response_set_content_type (response, page_files[i].content_type);
          headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
          /* The headers replace the content type set above, so it goes in them too. */
          soup_message_headers_set_content_type (headers, page_files[i].content_type, NULL);
          soup_message_headers_append (headers, "Content-Security-Policy", PAGE_CSP);
          soup_message_headers_append (headers, "Cache-Control", "no-store");
          soup_message_headers_append (headers, "X-Content-Type-Options", "nosniff");
          webkit_uri_scheme_response_set_http_headers (response, headers);
          webkit_uri_scheme_request_finish_with_response (request, response);
          return;
        }
    }

  {
    g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Not part of the payment page");
    webkit_uri_scheme_request_finish_error (request, error);
  }
}

/* One context for every payment view: it only registers our scheme. What a
 * patient leaves behind lives in each view's own ephemeral network session. */
static WebKitWebContext *
payment_web_context (void)
{
  static WebKitWebContext *context;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      WebKitWebContext *c = webkit_web_context_new ();
      WebKitSecurityManager *security = webkit_web_context_get_security_manager (c);

      webkit_web_context_set_cache_model (c, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
      webkit_web_context_register_uri_scheme (c, PAGE_SCHEME, serve_page_file, NULL, NULL);
      webkit_security_manager_register_uri_scheme_as_secure (security, PAGE_SCHEME);
      webkit_security_manager_register_uri_scheme_as_cors_enabled (security, PAGE_SCHEME);
      context = c;
      g_once_init_leave (&initialized, 1);
    }
  return context;
}

/* --- state ---------------------------------------------------------------- */

static void
update_actions (CpPaymentView *self)
{
  gboolean can_pay = self->complete &&
                     (self->state == CP_PAYMENT_VIEW_STATE_READY ||
                      self->state == CP_PAYMENT_VIEW_STATE_FAILED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payment.submit", can_pay);
}

static void
update_status (CpPaymentView *self)
{
  const char *text = "";

  switch (self->state)
    {
    case CP_PAYMENT_VIEW_STATE_LOADING:
      text = self->started ? _("Loading the card form…") : _("Preparing…");
      break;
    case CP_PAYMENT_VIEW_STATE_READY:
      text = self->complete ? _("Ready to pay") : _("Enter the card details");
      break;
    case CP_PAYMENT_VIEW_STATE_PROCESSING:
      text = _("Processing the payment…");
      break;
    case CP_PAYMENT_VIEW_STATE_SUCCEEDED:
      text = _("Payment accepted, confirming…");
      break;
    case CP_PAYMENT_VIEW_STATE_FAILED:
      text = self->error_message != NULL ? self->error_message : _("The payment did not go through");
      break;
    case CP_PAYMENT_VIEW_STATE_ERROR:
      text = _("Card payments are unavailable");
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (self->status_label), text);
}

static void
set_state (CpPaymentView      *self,
           CpPaymentViewState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  update_status (self);
  update_actions (self);
}

static void
set_error_message (CpPaymentView *self,
                   const char    *message)
{
  if (set_str (&self->error_message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_complete (CpPaymentView *self,
              gboolean       complete)
{
  complete = !!complete;
  if (self->complete != complete)
    {
      self->complete = complete;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
  update_status (self);
  update_actions (self);
}

static void
fail_view (CpPaymentView *self,
           const char    *message)
{
  set_error_message (self, message);
  set_state (self, CP_PAYMENT_VIEW_STATE_ERROR);
}

/* --- calling into the page -------------------------------------------- */

static void
page_call_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (object), result, &error);
  if (value == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Payment page call failed: %s", error->message);
}

/* Calls window.carepay.<method>(JSON.parse(config)) in the page's world; the
 * JSON travels as a string argument, so nothing of ours is parsed as code. */
static void
call_page (CpPaymentView *self,
           const char    *method,
           const char    *json)
{
  g_autoptr(GVariantBuilder) args = g_variant_builder_new (G_VARIANT_TYPE ("a{sv}"));
  g_autofree char *body = NULL;

  g_assert (g_regex_match_simple ("^[a-z]+$", method, 0, 0));
  g_variant_builder_add (args, "{sv}", "config", g_variant_new_string (json != NULL ? json : "{}"));
  body = g_strdup_printf ("window.carepay.%s(JSON.parse(config)); return true;", method);
  webkit_web_view_call_async_javascript_function (self->web_view, body, -1,
                                                  g_variant_builder_end (args),
                                                  NULL, PAGE_SCHEME_URI,
                                                  self->cancellable, page_call_done, NULL);
}

static char *
builder_to_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
prepare_page (CpPaymentView *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stripeJsUrl");
  json_builder_add_string_value (builder, self->stripe_js_url);
  json_builder_set_member_name (builder, "publishableKey");
  json_builder_add_string_value (builder, self->publishable_key);
  json_builder_end_object (builder);
  json = builder_to_json (builder);
  call_page (self, "prepare", json);
}

static void
deliver_pending_start (CpPaymentView *self)
{
  if (self->pending_start == NULL || !self->page_loaded)
    return;
  cp_timing_mark ("payview-start");
  call_page (self, "start", self->pending_start);
  /* The client secret leaves our memory once handed to the page. */
  memset (self->pending_start, 0, strlen (self->pending_start));
  g_clear_pointer (&self->pending_start, g_free);
}

/* --- what the page says (untrusted) -------------------------------------- */

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  value = json_node_get_string (node);
  if (value == NULL || strlen (value) > MAX_FIELD_LEN || !g_utf8_validate (value, -1, NULL))
    return NULL;
  return value;
}

static gboolean
is_payment_intent_id (const char *id)
{
  return id != NULL && g_regex_match_simple ("^pi_[A-Za-z0-9_]{1,200}$", id, 0, 0);
}

static void
handle_page_message (CpPaymentView *self,
                     JsonObject    *msg)
{
  const char *type = get_string_member (msg, "type");

  if (type == NULL)
    return;
  g_debug ("Page says %s", type);

  if (g_str_equal (type, "prepared"))
    {
      if (!self->prepared)
        {
          cp_timing_mark ("payview-prepared");
          self->prepared = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREPARED]);
        }
    }
  else if (g_str_equal (type, "ready"))
    {
      if (self->state == CP_PAYMENT_VIEW_STATE_LOADING && self->started)
        {
          cp_timing_mark ("payview-ready");
          set_state (self, CP_PAYMENT_VIEW_STATE_READY);
        }
    }
  else if (g_str_equal (type, "change"))
    {
      JsonNode *node = json_object_get_member (msg, "complete");

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        set_complete (self, json_node_get_boolean (node));
    }
  else if (g_str_equal (type, "submitting"))
    {
      if (self->state == CP_PAYMENT_VIEW_STATE_READY || self->state == CP_PAYMENT_VIEW_STATE_FAILED)
        set_state (self, CP_PAYMENT_VIEW_STATE_PROCESSING);
    }
  else if (g_str_equal (type, "succeeded"))
    {
      const char *id = get_string_member (msg, "payment_intent_id");

      /* Only an answer to our own submit counts, and only with a well-formed id. */
      if (self->state != CP_PAYMENT_VIEW_STATE_PROCESSING || !is_payment_intent_id (id))
        {
          g_debug ("Ignoring a succeeded message out of turn or without a PaymentIntent id");
          return;
        }
      set_str (&self->payment_intent_id, id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYMENT_INTENT_ID]);
      set_error_message (self, NULL);
      set_state (self, CP_PAYMENT_VIEW_STATE_SUCCEEDED);
      g_signal_emit (self, signals[SIGNAL_SUCCEEDED], 0, self->payment_intent_id);
    }
  else if (g_str_equal (type, "failed"))
    {
      const char *code = get_string_member (msg, "code");
      const char *decline_code = get_string_member (msg, "decline_code");
      const char *message = get_string_member (msg, "message");

      if (self->state != CP_PAYMENT_VIEW_STATE_PROCESSING)
        return;
      set_error_message (self, message != NULL ? message : _("The payment did not go through"));
      set_state (self, CP_PAYMENT_VIEW_STATE_FAILED);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, code, decline_code, self->error_message);
    }
  else if (g_str_equal (type, "requires_action"))
    {
      const char *phase = get_string_member (msg, "phase");

      if (self->state == CP_PAYMENT_VIEW_STATE_PROCESSING && phase != NULL &&
          (g_str_equal (phase, "shown") || g_str_equal (phase, "finished")))
        g_signal_emit (self, signals[SIGNAL_REQUIRES_ACTION], 0, g_str_equal (phase, "shown"));
    }
  else if (g_str_equal (type, "error"))
    {
      const char *message = get_string_member (msg, "message");

      if (self->state != CP_PAYMENT_VIEW_STATE_SUCCEEDED)
        fail_view (self, message != NULL ? message : _("The payment page failed"));
    }
  else
    g_debug ("Ignoring an unknown message from the payment page");
}

static void
on_script_message (WebKitUserContentManager *manager,
                   JSCValue                 *value,
                   CpPaymentView            *self)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  JsonNode *root;

  if (!jsc_value_is_string (value))
    return;
  text = jsc_value_to_string (value);
  if (text == NULL || strlen (text) > MAX_MESSAGE_LEN)
    return;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  handle_page_message (self, json_node_get_object (root));
}

/* --- lockdown ------------------------------------------------------------- */

static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  CpPaymentView            *self)
{
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
      {
        WebKitNavigationAction *action =
          webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
        const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

        if (cp_payment_view_navigation_is_allowed (self->stripe_js_url, uri))
          webkit_policy_decision_use (decision);
        else
          {
            g_debug ("Refused a navigation away from the payment page");
            webkit_policy_decision_ignore (decision);
            g_signal_emit (self, signals[SIGNAL_NAVIGATION_REFUSED], 0, uri);
          }
        return TRUE;
      }

    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      {
        WebKitNavigationAction *action =
          webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
        const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

        webkit_policy_decision_ignore (decision);
        g_signal_emit (self, signals[SIGNAL_NAVIGATION_REFUSED], 0, uri);
        return TRUE;
      }

    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      {
        WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION (decision);
        const char *uri = webkit_uri_request_get_uri (webkit_response_policy_decision_get_request (response));

        /* Downloads and the like are refused, and the main frame shows our page only. */
        if (!webkit_response_policy_decision_is_mime_type_supported (response) ||
            (webkit_response_policy_decision_is_main_frame_main_resource (response) &&
             !g_str_equal (uri, self->page_uri)))
          {
            webkit_policy_decision_ignore (decision);
            g_signal_emit (self, signals[SIGNAL_NAVIGATION_REFUSED], 0, uri);
          }
        else
          webkit_policy_decision_use (decision);
        return TRUE;
      }

    default:
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }
}

static gboolean
on_context_menu (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 CpPaymentView       *self)
{
  return TRUE;
}

static gboolean
on_run_file_chooser (WebKitWebView            *web_view,
                     WebKitFileChooserRequest *request,
                     CpPaymentView            *self)
{
  webkit_file_chooser_request_cancel (request);
  return TRUE;
}

static gboolean
on_permission_request (WebKitWebView           *web_view,
                       WebKitPermissionRequest *request,
                       CpPaymentView           *self)
{
  webkit_permission_request_deny (request);
  return TRUE;
}

static gboolean
on_print (WebKitWebView       *web_view,
          WebKitPrintOperation *operation,
          CpPaymentView        *self)
{
  return TRUE;
}

static gboolean
on_script_dialog (WebKitWebView      *web_view,
                  WebKitScriptDialog *dialog,
                  CpPaymentView      *self)
{
  /* No alert/confirm/prompt reaches the patient; a confirm() reads as "no". */
  if (webkit_script_dialog_get_dialog_type (dialog) == WEBKIT_SCRIPT_DIALOG_CONFIRM ||
      webkit_script_dialog_get_dialog_type (dialog) == WEBKIT_SCRIPT_DIALOG_BEFORE_UNLOAD_CONFIRM)
    webkit_script_dialog_confirm_set_confirmed (dialog, FALSE);
  return TRUE;
}

static GtkWidget *
on_create (WebKitWebView          *web_view,
           WebKitNavigationAction *action,
           CpPaymentView          *self)
{
  return NULL;
}

static void
on_web_process_terminated (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           CpPaymentView                     *self)
{
  /* Not a fault of ours to warn about: the view says so through its state,
   * and the caller resets it (a payment in flight is then looked up at Stripe). */
  g_message ("The payment page's web process ended (reason %d)", reason);
  fail_view (self, _("The payment page stopped"));
}

static void
on_load_changed (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 CpPaymentView   *self)
{
  g_debug ("Load event %d at %s", event, webkit_web_view_get_uri (web_view));
  if (event != WEBKIT_LOAD_FINISHED || self->page_loaded)
    return;
  if (!is_page_uri (webkit_web_view_get_uri (web_view)))
    return;
  self->page_loaded = TRUE;
  cp_timing_mark ("payview-page-loaded");
  prepare_page (self);
  deliver_pending_start (self);
}

static gboolean
on_load_failed (WebKitWebView   *web_view,
                WebKitLoadEvent  event,
                const char      *failing_uri,
                GError          *error,
                CpPaymentView   *self)
{
  /* Refused navigations end up here too; only our own page failing matters. */
  if (!self->page_loaded && is_page_uri (failing_uri) &&
      !g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    fail_view (self, _("The payment page could not be loaded"));
  return TRUE;
}

static WebKitSettings *
locked_down_settings (void)
{
  return g_object_new (WEBKIT_TYPE_SETTINGS,
                       "enable-javascript", TRUE,
                       "javascript-can-open-windows-automatically", FALSE,
                       "javascript-can-access-clipboard", FALSE,
                       "enable-developer-extras", FALSE,
                       /* For developers: the page's console on our stdout. */
                       "enable-write-console-messages-to-stdout", g_getenv ("CAREPAY_PAYVIEW_CONSOLE") != NULL,
                       "enable-back-forward-navigation-gestures", FALSE,
                       "enable-page-cache", FALSE,
                       "enable-fullscreen", FALSE,
                       "enable-webaudio", FALSE,
                       "enable-webgl", FALSE,
                       "enable-media", FALSE,
                       "enable-media-stream", FALSE,
                       "enable-webrtc", FALSE,
                       "enable-caret-browsing", FALSE,
                       "enable-spatial-navigation", FALSE,
                       "allow-file-access-from-file-urls", FALSE,
                       "allow-universal-access-from-file-urls", FALSE,
                       "allow-top-navigation-to-data-urls", FALSE,
                       "allow-modal-dialogs", FALSE,
                       "disable-web-security", FALSE,
                       NULL);
}

static void
destroy_web_view (CpPaymentView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->web_view != NULL)
    {
      WebKitWebView *web_view = g_steal_pointer (&self->web_view);

      g_signal_handlers_disconnect_by_data (web_view, self);
      g_signal_handlers_disconnect_by_data (webkit_web_view_get_user_content_manager (web_view), self);
      webkit_web_view_terminate_web_process (web_view);
      gtk_box_remove (GTK_BOX (self->web_box), GTK_WIDGET (web_view));
      g_object_unref (web_view);
    }
}

static void
create_web_view (CpPaymentView *self)
{
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();
  g_autoptr(WebKitUserContentManager) content = webkit_user_content_manager_new ();
  g_autoptr(WebKitSettings) settings = locked_down_settings ();
  g_autoptr(WebKitUserScript) bridge = NULL;
  g_autoptr(GBytes) bridge_source = NULL;
  const char *allow[] = { self->page_uri, NULL };

  g_assert (self->web_view == NULL);
  self->cancellable = g_cancellable_new ();
  self->page_loaded = FALSE;

  bridge_source = g_resources_lookup_data (RESOURCE_DIR "payment-bridge.js", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert (bridge_source != NULL);
  bridge = webkit_user_script_new_for_world (g_bytes_get_data (bridge_source, NULL),
                                             WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                                             WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START,
                                             BRIDGE_WORLD, allow, NULL);
  webkit_user_content_manager_add_script (content, bridge);
  webkit_user_content_manager_register_script_message_handler (content, BRIDGE_HANDLER, BRIDGE_WORLD);
  g_signal_connect_object (content, "script-message-received::" BRIDGE_HANDLER,
                           G_CALLBACK (on_script_message), self, 0);

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", payment_web_context (),
                                 "network-session", session,
                                 "user-content-manager", content,
                                 "settings", settings,
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);
  g_object_ref_sink (self->web_view);
  gtk_box_append (GTK_BOX (self->web_box), GTK_WIDGET (self->web_view));

  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (on_context_menu), self);
  g_signal_connect (self->web_view, "run-file-chooser", G_CALLBACK (on_run_file_chooser), self);
  g_signal_connect (self->web_view, "permission-request", G_CALLBACK (on_permission_request), self);
  g_signal_connect (self->web_view, "print", G_CALLBACK (on_print), self);
  g_signal_connect (self->web_view, "script-dialog", G_CALLBACK (on_script_dialog), self);
  g_signal_connect (self->web_view, "create", G_CALLBACK (on_create), self);
  g_signal_connect (self->web_view, "web-process-terminated", G_CALLBACK (on_web_process_terminated), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self);
  g_signal_connect (self->web_view, "load-failed", G_CALLBACK (on_load_failed), self);

  cp_timing_mark ("payview-load-started");
  switch (self->page_origin)
    {
    case PAGE_ORIGIN_SCHEME:
      webkit_web_view_load_uri (self->web_view, PAGE_SCHEME_URI);
      break;

    case PAGE_ORIGIN_HTTPS:
      {
        g_autoptr(GBytes) html = g_resources_lookup_data (RESOURCE_DIR "payment.html",
                                                          G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
        g_autofree char *text = g_strndup (g_bytes_get_data (html, NULL), g_bytes_get_size (html));

        webkit_web_view_load_html (self->web_view, text, PAGE_HTTPS_URI);
        break;
      }

    case PAGE_ORIGIN_REFUSED:
    default:
      fail_view (self, _("The Stripe.js address is not allowed"));
      break;
    }
}

/* --- public API ------------------------------------------------------------ */

/**
 * cp_payment_view_new:
 * @stripe_js_url: https://js.stripe.com/v3/, or the simulator's http://127.0.0.1:PORT/v3/
 * @publishable_key: the pk_test_/pk_live_ key (never a secret key)
 *
 * Creates the view and starts preparing at once: web process, page and
 * Stripe.js load before the PaymentIntent is known.
 */
GtkWidget *
cp_payment_view_new (const char *stripe_js_url,
                     const char *publishable_key)
{
  g_return_val_if_fail (stripe_js_url != NULL, NULL);
  g_return_val_if_fail (publishable_key != NULL, NULL);

  return g_object_new (CP_TYPE_PAYMENT_VIEW,
                       "stripe-js-url", stripe_js_url,
                       "publishable-key", publishable_key,
                       NULL);
}

/**
 * cp_payment_view_start:
 * @client_secret: the PaymentIntent's client secret
 * @amount_text: the amount, already formatted for people
 * @invoice_number: shown above the card fields
 * @patient_name: shown as text on the page
 * @locale: "en" or "es"
 *
 * Mounts the Payment Element for one PaymentIntent. May be called before the
 * page has loaded; it is then delivered as soon as it has.
 */
void
cp_payment_view_start (CpPaymentView *self,
                       const char    *client_secret,
                       const char    *amount_text,
                       const char    *invoice_number,
                       const char    *patient_name,
                       const char    *locale)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (CP_IS_PAYMENT_VIEW (self));
  g_return_if_fail (client_secret != NULL);
  g_return_if_fail (!self->started);

  if (locale == NULL || !(g_str_equal (locale, "en") || g_str_equal (locale, "es")))
    locale = "en";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clientSecret");
  json_builder_add_string_value (builder, client_secret);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_string_value (builder, amount_text != NULL ? amount_text : "");
  json_builder_set_member_name (builder, "invoice");
  json_builder_add_string_value (builder, invoice_number != NULL ? invoice_number : "");
  json_builder_set_member_name (builder, "patient");
  json_builder_add_string_value (builder, patient_name != NULL ? patient_name : "");
  json_builder_set_member_name (builder, "locale");
  json_builder_add_string_value (builder, locale);
  /* The page's own texts, translated here rather than in JavaScript, when
   * the catalog in use is the page's language (else the page's own English
   * or Spanish fallback).
   * Translators: the code of the language you translate into, e.g. "es" */
  if (g_str_equal (C_("language code", "en"), locale))
    {
      json_builder_set_member_name (builder, "labels");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "title");
      /* Translators: the title of the kiosk's card payment page */
      json_builder_add_string_value (builder, C_("payment page", "Payment"));
      json_builder_set_member_name (builder, "patient");
      json_builder_add_string_value (builder, C_("payment page", "Patient"));
      json_builder_set_member_name (builder, "invoice");
      json_builder_add_string_value (builder, C_("payment page", "Invoice"));
      json_builder_set_member_name (builder, "amount");
      json_builder_add_string_value (builder, C_("payment page", "Amount due"));
      json_builder_set_member_name (builder, "unavailable");
      json_builder_add_string_value (builder, _("Card payments are unavailable right now."));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  self->started = TRUE;
  set_str (&self->amount_text, amount_text);
  gtk_label_set_text (GTK_LABEL (self->amount_label), amount_text != NULL ? amount_text : "");
  gtk_label_set_text (GTK_LABEL (self->invoice_label), invoice_number != NULL ? invoice_number : "");
  {
    g_autofree char *pay = amount_text != NULL ? g_strdup_printf (_("Pay %s"), amount_text) : g_strdup (_("Pay"));
    gtk_button_set_label (GTK_BUTTON (self->pay_button), pay);
  }

  g_clear_pointer (&self->pending_start, g_free);
  self->pending_start = builder_to_json (builder);
  if (self->state != CP_PAYMENT_VIEW_STATE_ERROR)
    set_state (self, CP_PAYMENT_VIEW_STATE_LOADING);
  if (self->web_view != NULL)
    deliver_pending_start (self);
}

/**
 * cp_payment_view_submit:
 *
 * Asks the page to confirm the payment (stripe.confirmPayment). The outcome
 * arrives as the "succeeded" or "failed" signal and the "state" property.
 */
void
cp_payment_view_submit (CpPaymentView *self)
{
  g_return_if_fail (CP_IS_PAYMENT_VIEW (self));

  if (self->state != CP_PAYMENT_VIEW_STATE_READY && self->state != CP_PAYMENT_VIEW_STATE_FAILED)
    return;
  set_error_message (self, NULL);
  set_state (self, CP_PAYMENT_VIEW_STATE_PROCESSING);
  call_page (self, "submit", NULL);
}

/**
 * cp_payment_view_reset:
 *
 * Throws the web view and its ephemeral session away (cookies, storage,
 * caches with them) and prepares a fresh one for the next patient.
 */
void
cp_payment_view_reset (CpPaymentView *self)
{
  g_return_if_fail (CP_IS_PAYMENT_VIEW (self));

  destroy_web_view (self);
  g_clear_pointer (&self->pending_start, g_free);
  g_clear_pointer (&self->amount_text, g_free);
  self->started = FALSE;
  if (self->prepared)
    {
      self->prepared = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREPARED]);
    }
  if (self->payment_intent_id != NULL)
    {
      g_clear_pointer (&self->payment_intent_id, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYMENT_INTENT_ID]);
    }
  set_error_message (self, NULL);
  gtk_label_set_text (GTK_LABEL (self->amount_label), "");
  gtk_label_set_text (GTK_LABEL (self->invoice_label), "");
  gtk_button_set_label (GTK_BUTTON (self->pay_button), _("Pay"));
  set_complete (self, FALSE);
  set_state (self, CP_PAYMENT_VIEW_STATE_LOADING);
  create_web_view (self);
}

CpPaymentViewState
cp_payment_view_get_state (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), CP_PAYMENT_VIEW_STATE_ERROR);
  return self->state;
}

gboolean
cp_payment_view_get_prepared (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), FALSE);
  return self->prepared;
}

gboolean
cp_payment_view_get_complete (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), FALSE);
  return self->complete;
}

/**
 * cp_payment_view_get_payment_intent_id:
 *
 * Returns: (nullable): the PaymentIntent id the PAGE reported as succeeded.
 *   Not proof of payment: retrieve the PaymentIntent from Stripe.
 */
const char *
cp_payment_view_get_payment_intent_id (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), NULL);
  return self->payment_intent_id;
}

const char *
cp_payment_view_get_error_message (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), NULL);
  return self->error_message;
}

/* The URI our page has in this view: PAGE_SCHEME_URI or PAGE_HTTPS_URI. */
const char *
cp_payment_view_get_page_uri (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), NULL);
  return self->page_uri;
}

/* For tests and embedders that need to look inside; changes on reset. */
WebKitWebView *
cp_payment_view_get_web_view (CpPaymentView *self)
{
  g_return_val_if_fail (CP_IS_PAYMENT_VIEW (self), NULL);
  return self->web_view;
}

/* --- GObject ------------------------------------------------------------- */

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cp_payment_view_submit (CP_PAYMENT_VIEW (widget));
}

static void
cp_payment_view_constructed (GObject *object)
{
  CpPaymentView *self = CP_PAYMENT_VIEW (object);

  G_OBJECT_CLASS (cp_payment_view_parent_class)->constructed (object);

  self->page_origin = choose_page_origin (self->stripe_js_url);
  self->page_uri = page_uri_for_origin (self->page_origin);
  create_web_view (self);
}

static void
cp_payment_view_dispose (GObject *object)
{
  CpPaymentView *self = CP_PAYMENT_VIEW (object);

  GtkWidget *child;

  destroy_web_view (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_PAYMENT_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cp_payment_view_parent_class)->dispose (object);
}

static void
cp_payment_view_finalize (GObject *object)
{
  CpPaymentView *self = CP_PAYMENT_VIEW (object);

  g_free (self->stripe_js_url);
  g_free (self->publishable_key);
  g_free (self->pending_start);
  g_free (self->amount_text);
  g_free (self->payment_intent_id);
  g_free (self->error_message);

  G_OBJECT_CLASS (cp_payment_view_parent_class)->finalize (object);
}

static void
cp_payment_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CpPaymentView *self = CP_PAYMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STRIPE_JS_URL:
      g_value_set_string (value, self->stripe_js_url);
      break;
    case PROP_PUBLISHABLE_KEY:
      g_value_set_string (value, self->publishable_key);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PREPARED:
      g_value_set_boolean (value, self->prepared);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_PAYMENT_INTENT_ID:
      g_value_set_string (value, self->payment_intent_id);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_payment_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CpPaymentView *self = CP_PAYMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STRIPE_JS_URL:
      self->stripe_js_url = g_value_dup_string (value);
      break;
    case PROP_PUBLISHABLE_KEY:
      self->publishable_key = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_payment_view_class_init (CpPaymentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cp_payment_view_constructed;
  object_class->dispose = cp_payment_view_dispose;
  object_class->finalize = cp_payment_view_finalize;
  object_class->get_property = cp_payment_view_get_property;
  object_class->set_property = cp_payment_view_set_property;

  properties[PROP_STRIPE_JS_URL] =
    g_param_spec_string ("stripe-js-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUBLISHABLE_KEY] =
    g_param_spec_string ("publishable-key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CP_TYPE_PAYMENT_VIEW_STATE, CP_PAYMENT_VIEW_STATE_LOADING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PREPARED] =
    g_param_spec_boolean ("prepared", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PAYMENT_INTENT_ID] =
    g_param_spec_string ("payment-intent-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CpPaymentView::succeeded:
   * @payment_intent_id: the id the page reported
   *
   * The page says the payment succeeded. Untrusted: retrieve the
   * PaymentIntent from Stripe before recording a payment.
   */
  signals[SIGNAL_SUCCEEDED] =
    g_signal_new ("succeeded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * CpPaymentView::failed:
   * @code: (nullable): Stripe's error code, e.g. "card_declined"
   * @decline_code: (nullable): e.g. "generic_decline"
   * @message: a message for people
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * CpPaymentView::requires-action:
   * @shown: %TRUE when a 3-D Secure challenge appeared, %FALSE when it went
   */
  signals[SIGNAL_REQUIRES_ACTION] =
    g_signal_new ("requires-action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  /**
   * CpPaymentView::navigation-refused:
   * @uri: where the page or one of its frames tried to go
   *
   * A navigation, new window or download was refused by the lockdown.
   * The URI comes from the page: log it with care.
   */
  signals[SIGNAL_NAVIGATION_REFUSED] =
    g_signal_new ("navigation-refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_DIR "cp-payment-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, header);
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, invoice_label);
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, amount_label);
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, web_box);
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CpPaymentView, pay_button);

  gtk_widget_class_install_action (widget_class, "payment.submit", NULL, submit_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cppaymentview");
}

static void
cp_payment_view_init (CpPaymentView *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_button_set_label (GTK_BUTTON (self->pay_button), _("Pay"));
  self->state = CP_PAYMENT_VIEW_STATE_LOADING;
  update_status (self);
  update_actions (self);
}
