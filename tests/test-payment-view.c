/* SPDX-License-Identifier: GPL-3.0-or-later */

/* CpPaymentView in a real window under Xvfb, against the real Stripe
 * simulator (CAREPAY_STRIPE_SIM) started on port 0. Card details are typed
 * with xdotool as real X key events into the simulator's cross-origin iframe. */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <webkit/webkit.h>

#include "cp-payment-view.h"
#include "webkit-test-util.h"

#define XSS_NAME "<img src=x onerror=alert(1)>\"'</script>"
#define SECRET_KEY "sk_test_carepay_payview"
#define PUBLISHABLE_KEY "pk_test_carepay_payview"

/* Where the simulator's 3-D Secure test page has its buttons, from the
 * frame's top left, in CSS pixels (see data/sim/challenge.html). */
#define CHALLENGE_COMPLETE_X 150
#define CHALLENGE_FAIL_X     350
#define CHALLENGE_BUTTON_Y   260

static GSubprocess *sim_process;
static char *sim_base;           /* http://127.0.0.1:PORT */
static SoupSession *http;
static SoupServer *elsewhere;     /* on 127.0.0.2: must never see a request */
static char *elsewhere_base;
static char *other_port_base;     /* 127.0.0.1, but not the simulator's port */
static guint elsewhere_hits;

/* --- waiting ------------------------------------------------------------- */

/* WAIT_UNTIL and test_web_spin: webkit-test-util.h */

typedef struct
{
  JSCValue *value;
  GError   *error;
  gboolean  done;
} JsResult;

static void
js_call_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  JsResult *r = user_data;

  r->value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (object), result, &r->error);
  r->done = TRUE;
}

static char *
run_js_string (WebKitWebView *web_view,
               const char    *script)
{
  g_autoptr(JSCValue) value = test_web_run_js (web_view, script);

  return jsc_value_to_string (value);
}

static gboolean
run_js_bool (WebKitWebView *web_view,
             const char    *script)
{
  g_autoptr(JSCValue) value = test_web_run_js (web_view, script);

  return jsc_value_to_boolean (value);
}

/* --- the simulator -------------------------------------------------------- */

static void
drain_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data);

static void
drain (GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, drain_done, NULL);
}

static void
drain_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    drain (G_INPUT_STREAM (object));
}

/* The simulator must not outlive a test that crashes or times out. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_sim (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *path = g_getenv ("CAREPAY_STRIPE_SIM");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "carepay-stripe-sim listening on ";

  if (path == NULL || *path == '\0')
    return;
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sim_process = g_subprocess_launcher_spawn (launcher, &error, path, "--port", "0", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim_process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  sim_base = g_strdup (line + strlen (prefix));
  g_strchomp (sim_base);
  drain (g_subprocess_get_stdout_pipe (sim_process));
}

static void
stop_sim (void)
{
  if (sim_process != NULL)
    {
      g_subprocess_send_signal (sim_process, SIGTERM);
      g_subprocess_wait (sim_process, NULL, NULL);
      g_clear_object (&sim_process);
    }
}

static char *
stripe_js_url (void)
{
  return g_strconcat (sim_base, "/v3/", NULL);
}

static JsonObject *
sim_request (const char *method,
             const char *path,
             const char *form)
{
  g_autofree char *url = g_strconcat (sim_base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", "Bearer " SECRET_KEY);
  if (form != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));
      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", request);
    }
  body = soup_session_send_and_read (http, msg, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != 200)
    g_error ("%s %s: HTTP %u: %.*s", method, path, soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A fresh PaymentIntent for $125.00, made the way the app's server side would. */
static JsonObject *
create_payment_intent (void)
{
  return sim_request ("POST", "/v1/payment_intents",
                      "amount=12500&currency=usd&payment_method_types[]=card"
                      "&description=CarePay%20payview%20test");
}

static JsonObject *
retrieve_payment_intent (const char *id)
{
  g_autofree char *path = g_strconcat ("/v1/payment_intents/", id, NULL);

  return sim_request ("GET", path, NULL);
}

/* --- a server on another loopback address ------------------------------ */

static void
elsewhere_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  elsewhere_hits++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<p>escaped</p>", 14);
}

static void
start_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, 0);
  GSList *uris;

  elsewhere = soup_server_new (NULL, NULL);
  soup_server_add_handler (elsewhere, NULL, elsewhere_handler, NULL, NULL);
  soup_server_listen (elsewhere, socket_address, 0, &error);
  g_assert_no_error (error);
  soup_server_listen_local (elsewhere, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (elsewhere);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *text = g_uri_to_string (l->data);

      text[strlen (text) - 1] = '\0';  /* no trailing slash */
      if (g_str_equal (g_uri_get_host (l->data), "127.0.0.2"))
        elsewhere_base = g_steal_pointer (&text);
      else
        other_port_base = g_steal_pointer (&text);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_assert_nonnull (elsewhere_base);
  g_assert_nonnull (other_port_base);
}

/* --- windows and X input ------------------------------------------------- */

typedef struct
{
  GtkWidget     *window;
  CpPaymentView *view;
  guint          refused;
  guint          succeeded;
  guint          failed;
  guint          action_shown;
  guint          action_finished;
  guint          incomplete;       /* times "complete" went FALSE */
  char          *decline_code;
  char          *code;
} Kiosk;

static void
on_refused (CpPaymentView *view,
            const char    *uri,
            Kiosk         *k)
{
  k->refused++;
}

static void
on_succeeded (CpPaymentView *view,
              const char    *id,
              Kiosk         *k)
{
  k->succeeded++;
}

static void
on_failed (CpPaymentView *view,
           const char    *code,
           const char    *decline_code,
           const char    *message,
           Kiosk         *k)
{
  k->failed++;
  g_free (k->code);
  g_free (k->decline_code);
  k->code = g_strdup (code);
  k->decline_code = g_strdup (decline_code);
}

static void
on_requires_action (CpPaymentView *view,
                    gboolean       shown,
                    Kiosk         *k)
{
  if (shown)
    k->action_shown++;
  else
    k->action_finished++;
}

static void
on_complete_changed (CpPaymentView *view,
                     GParamSpec    *pspec,
                     Kiosk         *k)
{
  if (!cp_payment_view_get_complete (view))
    k->incomplete++;
}

static Kiosk *
kiosk_new (void)
{
  Kiosk *k = g_new0 (Kiosk, 1);
  g_autofree char *url = stripe_js_url ();

  k->window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (k->window), "CarePay payment test");
  gtk_window_set_default_size (GTK_WINDOW (k->window), 760, 760);
  k->view = CP_PAYMENT_VIEW (cp_payment_view_new (url, PUBLISHABLE_KEY));
  g_signal_connect (k->view, "navigation-refused", G_CALLBACK (on_refused), k);
  g_signal_connect (k->view, "succeeded", G_CALLBACK (on_succeeded), k);
  g_signal_connect (k->view, "failed", G_CALLBACK (on_failed), k);
  g_signal_connect (k->view, "requires-action", G_CALLBACK (on_requires_action), k);
  g_signal_connect (k->view, "notify::complete", G_CALLBACK (on_complete_changed), k);
  gtk_window_set_child (GTK_WINDOW (k->window), GTK_WIDGET (k->view));
  gtk_window_present (GTK_WINDOW (k->window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (k->view)), 30);
  return k;
}

static void
kiosk_free (Kiosk *k)
{
  gtk_window_destroy (GTK_WINDOW (k->window));
  g_free (k->code);
  g_free (k->decline_code);
  g_free (k);
  test_web_spin (50);
}

static void
kiosk_start (Kiosk      *k,
             const char *client_secret,
             const char *patient)
{
  cp_payment_view_start (k->view, client_secret, "$125.00", "INV-2026-0042", patient, "en");
  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_READY ||
              cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_ERROR, 60);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_READY);
}

/* Clicks a point given in the web view's CSS pixels (zoom 1, scale 1). */
static void
click_in_web_view (Kiosk  *k,
                   double  x,
                   double  y,
                   const char *button)
{
  test_web_click (GTK_WIDGET (cp_payment_view_get_web_view (k->view)), x, y, button);
}

/* Clicks the native Pay button the way the patient does. */
static void
click_pay_button (Kiosk *k)
{
  test_web_click_pay (k->view);
}

static void save_screenshot (Kiosk      *k,
                             const char *name);

/* --- tests ---------------------------------------------------------------- */

static void
test_allowlist (void)
{
  const char *sim = "http://127.0.0.1:4242/v3/";
  const char *live = "https://js.stripe.com/v3/";

  g_assert_true (cp_payment_view_uri_is_allowed (sim, "carepay-pay://page/payment.html"));
  g_assert_true (cp_payment_view_uri_is_allowed (live, "https://pay.carepay.invalid/"));
  g_assert_true (cp_payment_view_uri_is_allowed (sim, "http://127.0.0.1:4242/elements/frame"));
  g_assert_false (cp_payment_view_uri_is_allowed (sim, "http://127.0.0.1:4243/"));
  g_assert_false (cp_payment_view_uri_is_allowed (sim, "http://127.0.0.2:4242/"));
  g_assert_false (cp_payment_view_uri_is_allowed (sim, "http://localhost:4242/"));
  g_assert_true (cp_payment_view_uri_is_allowed (live, "https://js.stripe.com/v3/elements-inner-card.html"));
  g_assert_true (cp_payment_view_uri_is_allowed (live, "https://hooks.stripe.com/3d_secure_2/hosted"));
  g_assert_true (cp_payment_view_uri_is_allowed (live, "https://m.stripe.network/inner.html"));
  g_assert_true (cp_payment_view_uri_is_allowed (live, "https://b.stripecdn.stripe.com/x"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "https://evilstripe.com/"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "https://stripe.com.evil.example/"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "http://js.stripe.com/v3/"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "https://js.stripe.com:8443/v3/"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "https://example.org/"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "file:///etc/passwd"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "data:text/html,hi"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "javascript:alert(1)"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, "carepay-pay://page/other.html"));
  g_assert_false (cp_payment_view_uri_is_allowed (live, NULL));
  /* The simulator's origin is allowed only while it is the Stripe.js origin. */
  g_assert_false (cp_payment_view_uri_is_allowed (live, "http://127.0.0.1:4242/elements/frame"));
}

/* Live 3-D Secure: the issuer's page loads in a frame inside Stripe's, on
 * the bank's own https origin, so the navigation decision lets any https
 * host on the default port through with live Stripe.js (the main frame is
 * still held to our page by the response decision, see navigation-refused);
 * with the simulator the strict allowlist stays. */
static void
test_issuer_frames (void)
{
  const char *sim = "http://127.0.0.1:4242/v3/";
  const char *live = "https://js.stripe.com/v3/";

  g_assert_true (cp_payment_view_navigation_is_allowed (live, "https://acs.bank.example/3ds/challenge?id=1"));
  g_assert_true (cp_payment_view_navigation_is_allowed (live, "https://secure.issuer.example:443/creq"));
  g_assert_true (cp_payment_view_navigation_is_allowed (live, "https://hooks.stripe.com/3d_secure_2/hosted"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "http://acs.bank.example/3ds/challenge"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://acs.bank.example:8443/creq"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://127.0.0.1/"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://localhost/"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://[::1]/"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://10.0.0.8/"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "https://pay.carepay.invalid/return"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "file:///etc/passwd"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, "data:text/html,hi"));
  g_assert_false (cp_payment_view_navigation_is_allowed (live, NULL));
  /* The simulator's challenge is on its own origin: nothing else. */
  g_assert_true (cp_payment_view_navigation_is_allowed (sim, "http://127.0.0.1:4242/challenge"));
  g_assert_false (cp_payment_view_navigation_is_allowed (sim, "https://acs.bank.example/3ds/challenge"));
  g_assert_false (cp_payment_view_navigation_is_allowed ("http://example.org/v3/", "https://acs.bank.example/"));
}

static void
test_create_destroy (void)
{
  g_autofree char *url = stripe_js_url ();
  GtkWidget *view = g_object_ref_sink (cp_payment_view_new (url, PUBLISHABLE_KEY));

  /* Prepared ahead: Stripe.js loads without a window and without a client secret. */
  WAIT_UNTIL (cp_payment_view_get_prepared (CP_PAYMENT_VIEW (view)), 60);
  g_assert_cmpint (cp_payment_view_get_state (CP_PAYMENT_VIEW (view)), ==, CP_PAYMENT_VIEW_STATE_LOADING);
  g_assert_cmpstr (cp_payment_view_get_page_uri (CP_PAYMENT_VIEW (view)), ==, "carepay-pay://page/payment.html");
  g_assert_finalize_object (view);
}

static void
test_refused_stripe_url (void)
{
  GtkWidget *view = g_object_ref_sink (cp_payment_view_new ("http://stripe.example.com/v3/", PUBLISHABLE_KEY));

  g_assert_cmpint (cp_payment_view_get_state (CP_PAYMENT_VIEW (view)), ==, CP_PAYMENT_VIEW_STATE_ERROR);
  g_assert_finalize_object (view);
}

/* An https Stripe.js gets an https page: a secure context whose protocol is
 * "https:", as live Stripe.js demands; our own script still runs in it. Port
 * 1 on loopback refuses at once, so no request leaves the machine. */
static void
test_https_origin (void)
{
  GtkWidget *window = gtk_window_new ();
  CpPaymentView *view = CP_PAYMENT_VIEW (cp_payment_view_new ("https://127.0.0.1:1/v3/", PUBLISHABLE_KEY));
  WebKitWebView *web_view = cp_payment_view_get_web_view (view);
  g_autofree char *origin = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (cp_payment_view_get_page_uri (view), ==, "https://pay.carepay.invalid/");
  WAIT_UNTIL (cp_payment_view_get_state (view) == CP_PAYMENT_VIEW_STATE_ERROR, 60);
  g_assert_cmpstr (cp_payment_view_get_error_message (view), ==, "Stripe.js could not be loaded");
  origin = run_js_string (web_view, "location.origin + ' ' + location.protocol + ' ' + window.isSecureContext");
  g_assert_cmpstr (origin, ==, "https://pay.carepay.invalid https: true");
  g_assert_true (run_js_bool (web_view, "typeof window.carepay.start === 'function'"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_xss_as_text (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  WebKitWebView *web_view;
  g_autofree char *shown = NULL;

  kiosk_start (k, json_object_get_string_member (pi, "client_secret"), XSS_NAME);
  web_view = cp_payment_view_get_web_view (k->view);
  shown = run_js_string (web_view, "document.getElementById('patient').textContent");
  g_assert_cmpstr (shown, ==, XSS_NAME);
  g_assert_true (run_js_bool (web_view, "document.querySelectorAll('img').length === 0"));
  g_assert_true (run_js_bool (web_view, "document.querySelectorAll('main script').length === 0"));
  g_assert_true (run_js_bool (web_view, "document.getElementById('invoice').textContent === 'INV-2026-0042'"));
  g_assert_true (run_js_bool (web_view, "document.getElementById('amount').textContent === '$125.00'"));
  save_screenshot (k, "payment-view-xss.png");
  kiosk_free (k);
}

static void
test_spanish (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  WebKitWebView *web_view;

  cp_payment_view_start (k->view, json_object_get_string_member (pi, "client_secret"),
                         "125,00 US$", "INV-2026-0042", "José Núñez", "es");
  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_READY, 60);
  web_view = cp_payment_view_get_web_view (k->view);
  g_assert_true (run_js_bool (web_view, "document.documentElement.lang === 'es' &&"
                                        "document.getElementById('patient-label').textContent === 'Paciente' &&"
                                        "document.getElementById('amount-label').textContent === 'Importe a pagar' &&"
                                        "document.getElementById('patient').textContent === 'José Núñez'"));
  kiosk_free (k);
}

/* The message handler is in a private world: page scripts cannot reach it,
 * and what they can send (a DOM event) is checked against the view's state. */
static void
test_bridge_is_private (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  WebKitWebView *web_view;

  kiosk_start (k, json_object_get_string_member (pi, "client_secret"), "Ana");
  web_view = cp_payment_view_get_web_view (k->view);
  g_assert_true (run_js_bool (web_view,
                              "!(window.webkit && window.webkit.messageHandlers &&"
                              "  window.webkit.messageHandlers.carepay)"));
  /* A forged "succeeded" without a submit, and junk, change nothing. */
  test_web_run_js (web_view,
          "const fire = (d) => document.dispatchEvent(new CustomEvent('carepay:message', {detail: d}));"
          "fire(JSON.stringify({type: 'succeeded', payment_intent_id: 'pi_forged'}));"
          "fire('{not json'); fire(JSON.stringify({type: 'ready', extra: 'x'.repeat(10000)}));"
          "fire(JSON.stringify({type: 'change', complete: 'yes'})); fire(42); true");
  test_web_spin (200);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_READY);
  g_assert_null (cp_payment_view_get_payment_intent_id (k->view));
  g_assert_false (cp_payment_view_get_complete (k->view));
  g_assert_cmpuint (k->succeeded, ==, 0);
  kiosk_free (k);
}

static void
test_navigation_refused (void)
{
  Kiosk *k = kiosk_new ();
  WebKitWebView *web_view = cp_payment_view_get_web_view (k->view);
  const char *page = cp_payment_view_get_page_uri (k->view);
  g_autofree char *script = NULL;
  g_autofree char *sim_page = NULL;
  guint hits = elsewhere_hits;

  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  test_web_run_js (web_view, "window.__carepayMarker = 42; true");

  /* Another origin (127.0.0.2): refused before any request. */
  script = g_strdup_printf ("window.location.href = '%s/steal'; true", elsewhere_base);
  test_web_run_js (web_view, script);
  WAIT_UNTIL (k->refused == 1, 30);

  /* The simulator's own origin may serve frames but never the main frame. */
  sim_page = g_strdup_printf ("window.location.href = '%s/v3/'; true", sim_base);
  test_web_run_js (web_view, sim_page);
  WAIT_UNTIL (k->refused == 2, 30);

  /* Nor may a frame of the page load another origin: the decide-policy
   * allowlist refuses a port the page's CSP would let through... */
  g_free (script);
  script = g_strdup_printf ("const f = document.createElement('iframe'); f.src = '%s/frame';"
                            "document.body.appendChild(f); true", other_port_base);
  test_web_run_js (web_view, script);
  WAIT_UNTIL (k->refused == 3, 30);
  /* ...and the CSP stops other hosts before they are even asked for. */
  g_free (script);
  script = g_strdup_printf ("return new Promise((resolve) => {"
                            "  document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective));"
                            "  const f = document.createElement('iframe'); f.src = '%s/frame';"
                            "  document.body.appendChild(f); })", elsewhere_base);
  {
    JsResult r = { 0 };
    g_autofree char *directive = NULL;

    webkit_web_view_call_async_javascript_function (web_view, script, -1, NULL, NULL, NULL, NULL, js_call_done, &r);
    WAIT_UNTIL (r.done, 30);
    g_assert_no_error (r.error);
    directive = jsc_value_to_string (r.value);
    g_assert_cmpstr (directive, ==, "frame-src");
    g_clear_object (&r.value);
  }

  g_assert_cmpuint (elsewhere_hits, ==, hits);
  g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, page);
  g_assert_true (run_js_bool (web_view, "window.__carepayMarker === 42"));
  g_assert_cmpint (cp_payment_view_get_state (k->view), !=, CP_PAYMENT_VIEW_STATE_ERROR);
  kiosk_free (k);
}

static void
test_new_window_refused (void)
{
  Kiosk *k = kiosk_new ();
  WebKitWebView *web_view = cp_payment_view_get_web_view (k->view);
  g_autofree char *script = NULL;
  g_autofree char *link = NULL;
  guint hits = elsewhere_hits;

  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  /* Without a user gesture, window.open gets nothing at all. */
  script = g_strdup_printf ("window.open('%s/popup') === null", elsewhere_base);
  g_assert_true (run_js_bool (web_view, script));

  /* A real click on a target=_blank link is a new-window action: refused. */
  link = g_strdup_printf ("const a = document.createElement('a'); a.href = '%s/blank'; a.target = '_blank';"
                          "a.textContent = 'open'; a.id = 'blank-link';"
                          "a.style = 'position:fixed;left:0;top:0;width:200px;height:80px;display:block;background:#fc0';"
                          "document.body.appendChild(a); true", elsewhere_base);
  test_web_run_js (web_view, link);
  test_web_spin (100);
  click_in_web_view (k, 50, 40, "1");
  WAIT_UNTIL (k->refused >= 1, 30);
  g_assert_cmpuint (elsewhere_hits, ==, hits);
  g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, cp_payment_view_get_page_uri (k->view));
  kiosk_free (k);
}

static guint context_menus;

static gboolean
count_context_menu (GSignalInvocationHint *hint,
                    guint                  n_params,
                    const GValue          *params,
                    gpointer               data)
{
  context_menus++;
  return TRUE;
}

static gboolean
has_popover (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if ((GTK_IS_POPOVER (child) && gtk_widget_get_visible (child)) || has_popover (child))
      return TRUE;
  return FALSE;
}

static void
test_context_menu_refused (void)
{
  Kiosk *k = kiosk_new ();
  guint signal_id = g_signal_lookup ("context-menu", WEBKIT_TYPE_WEB_VIEW);
  gulong hook = g_signal_add_emission_hook (signal_id, 0, count_context_menu, NULL, NULL);

  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  context_menus = 0;
  click_in_web_view (k, 300, 40, "3");
  WAIT_UNTIL (context_menus == 1, 30);
  test_web_spin (200);
  g_assert_false (has_popover (GTK_WIDGET (cp_payment_view_get_web_view (k->view))));
  g_signal_remove_emission_hook (signal_id, hook);
  kiosk_free (k);
}

typedef struct
{
  gboolean  done;
  GList    *cookies;
  GError   *error;
} CookieResult;

static void
cookie_added (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CookieResult *c = user_data;

  webkit_cookie_manager_add_cookie_finish (WEBKIT_COOKIE_MANAGER (object), result, &c->error);
  c->done = TRUE;
}

static void
cookies_got (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CookieResult *c = user_data;

  c->cookies = webkit_cookie_manager_get_cookies_finish (WEBKIT_COOKIE_MANAGER (object), result, &c->error);
  c->done = TRUE;
}

static guint
count_cookies (WebKitWebView *web_view,
               const char    *uri)
{
  WebKitNetworkSession *session = webkit_web_view_get_network_session (web_view);
  CookieResult c = { 0 };
  guint n;

  webkit_cookie_manager_get_cookies (webkit_network_session_get_cookie_manager (session), uri, NULL,
                                     cookies_got, &c);
  WAIT_UNTIL (c.done, 30);
  g_assert_no_error (c.error);
  n = g_list_length (c.cookies);
  g_list_free_full (c.cookies, (GDestroyNotify) soup_cookie_free);
  return n;
}

static guint hooked;

static gboolean
count_emission (GSignalInvocationHint *hint,
                guint                  n_params,
                const GValue          *params,
                gpointer               data)
{
  hooked++;
  return TRUE;
}

/* No printing, no file chooser, no permission (here: geolocation). */
static void
test_print_files_permissions_refused (void)
{
  Kiosk *k = kiosk_new ();
  WebKitWebView *web_view = cp_payment_view_get_web_view (k->view);
  guint print_id = g_signal_lookup ("print", WEBKIT_TYPE_WEB_VIEW);
  guint chooser_id = g_signal_lookup ("run-file-chooser", WEBKIT_TYPE_WEB_VIEW);
  gulong hook;
  JsResult r = { 0 };
  g_autofree char *answer = NULL;

  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);

  hooked = 0;
  hook = g_signal_add_emission_hook (print_id, 0, count_emission, NULL, NULL);
  test_web_run_js (web_view, "window.print(); true");
  WAIT_UNTIL (hooked == 1, 30);
  g_signal_remove_emission_hook (print_id, hook);

  hooked = 0;
  hook = g_signal_add_emission_hook (chooser_id, 0, count_emission, NULL, NULL);
  test_web_run_js (web_view, "const i = document.createElement('input'); i.type = 'file';"
                    "i.style = 'position:fixed;left:0;top:0;width:300px;height:60px';"
                    "document.body.appendChild(i); true");
  test_web_spin (100);
  click_in_web_view (k, 60, 30, "1");
  WAIT_UNTIL (hooked == 1, 30);
  g_signal_remove_emission_hook (chooser_id, hook);

  webkit_web_view_call_async_javascript_function (web_view,
      "return new Promise((resolve) => navigator.geolocation.getCurrentPosition("
      "  () => resolve('granted'), (e) => resolve('refused ' + e.code)));",
      -1, NULL, NULL, NULL, NULL, js_call_done, &r);
  WAIT_UNTIL (r.done, 30);
  g_assert_no_error (r.error);
  answer = jsc_value_to_string (r.value);
  g_assert_cmpstr (answer, ==, "refused 1");
  g_clear_object (&r.value);

  g_assert_false (has_popover (GTK_WIDGET (web_view)));
  kiosk_free (k);
}

/* Each view has its own ephemeral session: storage and cookies of one
 * patient are gone for the next view, and after a reset of the same one. */
static void
test_no_shared_storage (void)
{
  Kiosk *k = kiosk_new ();
  WebKitWebView *web_view = cp_payment_view_get_web_view (k->view);
  WebKitNetworkSession *session = webkit_web_view_get_network_session (web_view);
  g_autoptr(SoupCookie) cookie = soup_cookie_new ("patient", "ana", "127.0.0.1", "/", -1);
  g_autofree char *cookie_uri = g_strconcat (sim_base, "/", NULL);
  CookieResult added = { 0 };

  g_assert_true (webkit_network_session_is_ephemeral (session));
  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  g_assert_true (run_js_bool (web_view, "localStorage.setItem('carepay-test', 'Ana'); "
                                        "localStorage.getItem('carepay-test') === 'Ana'"));
  webkit_cookie_manager_add_cookie (webkit_network_session_get_cookie_manager (session), cookie, NULL,
                                    cookie_added, &added);
  WAIT_UNTIL (added.done, 30);
  g_assert_no_error (added.error);
  g_assert_cmpuint (count_cookies (web_view, cookie_uri), ==, 1);
  kiosk_free (k);

  /* The next patient's view. */
  k = kiosk_new ();
  web_view = cp_payment_view_get_web_view (k->view);
  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  g_assert_true (run_js_bool (web_view, "localStorage.getItem('carepay-test') === null"));
  g_assert_cmpuint (count_cookies (web_view, cookie_uri), ==, 0);

  /* The same widget after a reset. */
  g_assert_true (run_js_bool (web_view, "localStorage.setItem('carepay-test', 'Ana'); "
                                        "localStorage.getItem('carepay-test') === 'Ana'"));
  cp_payment_view_reset (k->view);
  g_assert_true (web_view != cp_payment_view_get_web_view (k->view));
  web_view = cp_payment_view_get_web_view (k->view);
  g_assert_false (cp_payment_view_get_prepared (k->view));
  WAIT_UNTIL (cp_payment_view_get_prepared (k->view), 60);
  g_assert_true (run_js_bool (web_view, "localStorage.getItem('carepay-test') === null"));
  kiosk_free (k);
}

/* --- card payments typed by a person (xdotool) --------------------------- */

/* The frame's rectangle in the page, in CSS pixels: the Payment Element's, or
 * with challenge TRUE the one Stripe.js adds outside it for 3-D Secure. */
static graphene_rect_t
frame_rect (Kiosk    *k,
            gboolean  challenge)
{
  WebKitWebView *web_view = cp_payment_view_get_web_view (k->view);
  g_autoptr(JSCValue) box = NULL;
  double v[4];
  const char *script = challenge
    ? "(() => { const e = document.getElementById('payment-element');"
      "  const f = [...document.querySelectorAll('iframe')].filter((f) => !e.contains(f)).pop();"
      "  if (!f) return null; const r = f.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
    : "(() => { const r = document.querySelector('#payment-element iframe').getBoundingClientRect();"
      "  return [r.left, r.top, r.width, r.height]; })()";

  box = test_web_run_js (web_view, script);
  if (!jsc_value_is_array (box))
    return GRAPHENE_RECT_INIT (0, 0, 0, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JSCValue) item = jsc_value_object_get_property_at_index (box, i);
      v[i] = jsc_value_to_double (item);
    }
  return GRAPHENE_RECT_INIT (v[0], v[1], v[2], v[3]);
}

/* Types a card as a person does (webkit-test-util.c). */
static void
type_card (Kiosk      *k,
           const char *number)
{
  test_web_type_card (k->view, number, TEST_WEB_CARD_DEFAULT);
}

/* With CAREPAY_SCREENSHOT_DIR set, saves the window as the X server shows it
 * (WebKit draws outside GSK's snapshot, so `import` reads the real pixels). */
static void
save_screenshot (Kiosk      *k,
                 const char *name)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    return;
  test_web_spin (300);
  test_web_import_window (k->window, name);
}

static void
test_card_succeeds (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  g_autoptr(JsonObject) after = NULL;
  const char *id = json_object_get_string_member (pi, "id");

  kiosk_start (k, json_object_get_string_member (pi, "client_secret"), "Ana María Pérez");
  type_card (k, "4242 4242 4242 4242");
  WAIT_UNTIL (cp_payment_view_get_complete (k->view), 30);
  save_screenshot (k, "payment-view.png");

  /* The patient presses the native Pay button. */
  click_pay_button (k);
  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_SUCCEEDED ||
              cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_FAILED, 60);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_SUCCEEDED);
  g_assert_cmpuint (k->succeeded, ==, 1);
  g_assert_cmpstr (cp_payment_view_get_payment_intent_id (k->view), ==, id);

  /* The page's word is not proof: ask Stripe. */
  after = retrieve_payment_intent (id);
  g_assert_cmpstr (json_object_get_string_member (after, "status"), ==, "succeeded");
  g_assert_cmpint (json_object_get_int_member (after, "amount"), ==, 12500);
  kiosk_free (k);
}

static void
test_card_declined_then_another (void)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  g_autoptr(JsonObject) after = NULL;
  const char *id = json_object_get_string_member (pi, "id");

  kiosk_start (k, json_object_get_string_member (pi, "client_secret"), "Ana");
  type_card (k, "4000 0000 0000 0002");
  WAIT_UNTIL (cp_payment_view_get_complete (k->view), 30);
  cp_payment_view_submit (k->view);
  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_SUCCEEDED ||
              cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_FAILED, 60);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_FAILED);
  g_assert_cmpuint (k->failed, ==, 1);
  g_assert_cmpstr (k->code, ==, "card_declined");
  g_assert_cmpstr (k->decline_code, ==, "generic_decline");
  g_assert_null (cp_payment_view_get_payment_intent_id (k->view));

  after = retrieve_payment_intent (id);
  g_assert_cmpstr (json_object_get_string_member (after, "status"), !=, "succeeded");
  g_clear_pointer (&after, json_object_unref);

  /* The patient tries another card on the same PaymentIntent. */
  {
    graphene_rect_t frame = frame_rect (k, FALSE);
    guint incomplete = k->incomplete;

    click_in_web_view (k, frame.origin.x + 100, frame.origin.y + 120, "1");
    test_web_xdo ("key", "ctrl+a", NULL);
    test_web_xdo ("type", "--delay", "30", "4242 4242 4242 4242", NULL);
    WAIT_UNTIL (k->incomplete > incomplete && cp_payment_view_get_complete (k->view), 30);
  }
  click_pay_button (k);
  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_SUCCEEDED ||
              k->failed > 1, 60);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_SUCCEEDED);
  g_assert_cmpstr (cp_payment_view_get_payment_intent_id (k->view), ==, id);
  after = retrieve_payment_intent (id);
  g_assert_cmpstr (json_object_get_string_member (after, "status"), ==, "succeeded");
  kiosk_free (k);
}

/* 3-D Secure: the challenge appears inside the view; the patient clicks
 * Complete or Fail in it. */
static void
run_three_d_secure (gboolean complete)
{
  Kiosk *k = kiosk_new ();
  g_autoptr(JsonObject) pi = create_payment_intent ();
  g_autoptr(JsonObject) after = NULL;
  const char *id = json_object_get_string_member (pi, "id");
  graphene_rect_t challenge;

  kiosk_start (k, json_object_get_string_member (pi, "client_secret"), "Ana");
  type_card (k, "4000 0027 6000 3184");
  WAIT_UNTIL (cp_payment_view_get_complete (k->view), 30);
  click_pay_button (k);
  WAIT_UNTIL (k->action_shown == 1 || cp_payment_view_get_state (k->view) != CP_PAYMENT_VIEW_STATE_PROCESSING, 60);
  g_assert_cmpuint (k->action_shown, ==, 1);
  g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_PROCESSING);

  /* Wait for the challenge page to be laid out, then click its button. */
  WAIT_UNTIL (frame_rect (k, TRUE).size.height > 100, 30);
  test_web_spin (500);
  save_screenshot (k, complete ? "payment-view-3ds.png" : "payment-view-3ds-fail.png");
  challenge = frame_rect (k, TRUE);
  click_in_web_view (k, challenge.origin.x + (complete ? CHALLENGE_COMPLETE_X : CHALLENGE_FAIL_X),
                     challenge.origin.y + CHALLENGE_BUTTON_Y, "1");

  WAIT_UNTIL (cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_SUCCEEDED ||
              cp_payment_view_get_state (k->view) == CP_PAYMENT_VIEW_STATE_FAILED, 60);
  g_assert_cmpuint (k->action_finished, ==, 1);
  after = retrieve_payment_intent (id);
  if (complete)
    {
      g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_SUCCEEDED);
      g_assert_cmpstr (cp_payment_view_get_payment_intent_id (k->view), ==, id);
      g_assert_cmpstr (json_object_get_string_member (after, "status"), ==, "succeeded");
    }
  else
    {
      g_assert_cmpint (cp_payment_view_get_state (k->view), ==, CP_PAYMENT_VIEW_STATE_FAILED);
      g_assert_cmpuint (k->failed, ==, 1);
      g_assert_cmpstr (k->code, ==, "payment_intent_authentication_failure");
      g_assert_null (cp_payment_view_get_payment_intent_id (k->view));
      g_assert_cmpstr (json_object_get_string_member (after, "status"), ==, "requires_payment_method");
    }
  kiosk_free (k);
}

static void
test_three_d_secure_complete (void)
{
  run_three_d_secure (TRUE);
}

static void
test_three_d_secure_fail (void)
{
  run_three_d_secure (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  http = soup_session_new ();
  start_sim ();
  start_elsewhere ();

  g_test_add_func ("/carepay/payview/allowlist", test_allowlist);
  g_test_add_func ("/carepay/payview/issuer-frames", test_issuer_frames);
  g_test_add_func ("/carepay/payview/refused-stripe-url", test_refused_stripe_url);
  g_test_add_func ("/carepay/payview/https-origin", test_https_origin);
  if (sim_base != NULL)
    {
      g_test_add_func ("/carepay/payview/create-destroy", test_create_destroy);
      g_test_add_func ("/carepay/payview/xss-as-text", test_xss_as_text);
      g_test_add_func ("/carepay/payview/spanish", test_spanish);
      g_test_add_func ("/carepay/payview/bridge-is-private", test_bridge_is_private);
      g_test_add_func ("/carepay/payview/navigation-refused", test_navigation_refused);
      g_test_add_func ("/carepay/payview/new-window-refused", test_new_window_refused);
      g_test_add_func ("/carepay/payview/context-menu-refused", test_context_menu_refused);
      g_test_add_func ("/carepay/payview/print-files-permissions-refused", test_print_files_permissions_refused);
      g_test_add_func ("/carepay/payview/no-shared-storage", test_no_shared_storage);
      g_test_add_func ("/carepay/payview/card-succeeds", test_card_succeeds);
      g_test_add_func ("/carepay/payview/card-declined-then-another", test_card_declined_then_another);
      g_test_add_func ("/carepay/payview/3ds-complete", test_three_d_secure_complete);
      g_test_add_func ("/carepay/payview/3ds-fail", test_three_d_secure_fail);
    }

  ret = g_test_run ();
  stop_sim ();
  g_clear_object (&elsewhere);
  g_clear_object (&http);
  return ret;
}
