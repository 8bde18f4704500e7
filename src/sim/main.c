/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepay-stripe-sim: a local program that speaks Stripe's wire format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "cp-sim-events.h"
#include "cp-sim-server.h"
#include "cp-sim-state.h"

typedef struct {
  GMainLoop  *loop;
  CpSimState *state;
  const char *state_path;
  int         status;
} App;

static void
save_state (App *app)
{
  g_autoptr(GError) error = NULL;

  if (app->state_path == NULL)
    return;
  if (!cp_sim_state_save (app->state, app->state_path, &error))
    {
      g_printerr ("carepay-stripe-sim: cannot save %s: %s\n", app->state_path, error->message);
      app->status = 1;
    }
}

static gboolean
on_signal (gpointer data)
{
  App *app = data;

  save_state (app);
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
autosave_cb (gpointer data)
{
  save_state (data);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSimState) state = NULL;
  g_autoptr(CpSimServer) server = NULL;
  g_autoptr(CpSimWebhooks) webhooks = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  int port = 0;
  g_autofree char *webhook_url = NULL;
  g_autofree char *webhook_secret = NULL;
  g_autofree char *state_path = NULL;
  g_autofree char *publishable_key = NULL;
  App app = { 0 };
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0 picks a free one)", "PORT" },
    { "webhook-url", 0, 0, G_OPTION_ARG_STRING, &webhook_url, "Deliver events to this URL", "URL" },
    { "webhook-secret", 0, 0, G_OPTION_ARG_STRING, &webhook_secret, "Signing secret for webhooks", "whsec_..." },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state_path, "Load and save the simulator's objects in FILE", "FILE" },
    { "publishable-key", 0, 0, G_OPTION_ARG_STRING, &publishable_key, "Publishable key used by the hosted pages", "pk_test_..." },
    { NULL }
  };

  context = g_option_context_new ("- a local Stripe simulator for CarePay");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("carepay-stripe-sim: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("carepay-stripe-sim: invalid port %d\n", port);
      return 2;
    }
  if (webhook_url != NULL && webhook_secret == NULL)
    {
      g_printerr ("carepay-stripe-sim: --webhook-url needs --webhook-secret\n");
      return 2;
    }
  if (publishable_key != NULL && !g_str_has_prefix (publishable_key, "pk_test_"))
    {
      g_printerr ("carepay-stripe-sim: the publishable key must start with pk_test_\n");
      return 2;
    }

  state = cp_sim_state_new ();
  if (state_path != NULL && !cp_sim_state_load (state, state_path, &error))
    {
      g_printerr ("carepay-stripe-sim: cannot load %s: %s\n", state_path, error->message);
      return 1;
    }
  server = cp_sim_server_new (state, publishable_key);
  if (!cp_sim_server_listen (server, (guint) port, &error))
    {
      g_printerr ("carepay-stripe-sim: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 1;
    }
  if (webhook_url != NULL)
    webhooks = cp_sim_webhooks_new (state, webhook_url, webhook_secret);

  printf ("carepay-stripe-sim listening on %s\n", cp_sim_server_get_base_url (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.state = state;
  app.state_path = state_path;
  g_unix_signal_add (SIGTERM, on_signal, &app);
  g_unix_signal_add (SIGINT, on_signal, &app);
  if (state_path != NULL)
    g_timeout_add_seconds (5, autosave_cb, &app);
  g_main_loop_run (loop);

  return app.status;
}
