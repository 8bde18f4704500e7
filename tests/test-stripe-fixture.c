/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "test-stripe-fixture.h"

static GSubprocess *sim_process;

/* The simulator must not outlive a test that aborts. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
static char *sim_base_url;
static SoupSession *control_session;

gboolean
stripe_sim_start (void)
{
  const char *path = g_getenv ("CAREPAY_STRIPE_SIM");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "carepay-stripe-sim listening on ";

  if (sim_process != NULL)
    return TRUE;
  if (path == NULL)
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("CAREPAY_STRIPE_SIM=%s is not an executable", path);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    sim_process = g_subprocess_launcher_spawn (launcher, &error, path, "--port", "0", NULL);
  }
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim_process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  sim_base_url = g_strdup (line + strlen (prefix));
  g_strstrip (sim_base_url);
  g_assert_true (g_str_has_prefix (sim_base_url, "http://127.0.0.1:"));

  control_session = soup_session_new ();
  return TRUE;
}

void
stripe_sim_stop (void)
{
  if (sim_process == NULL)
    return;
  g_subprocess_force_exit (sim_process);
  g_subprocess_wait (sim_process, NULL, NULL);
  g_clear_object (&sim_process);
  g_clear_object (&control_session);
  g_clear_pointer (&sim_base_url, g_free);
}

const char *
stripe_sim_base_url (void)
{
  return sim_base_url;
}

gboolean
stripe_sim_require (void)
{
  if (!stripe_sim_start ())
    {
      g_test_skip ("CAREPAY_STRIPE_SIM does not name the simulator");
      return FALSE;
    }
  stripe_sim_reset ();
  return TRUE;
}

static void
control_post (const char *path,
              const char *body)
{
  g_autofree char *url = g_strconcat (sim_base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " SIM_KEY);
  reply = soup_session_send_and_read (control_session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

void
stripe_sim_reset (void)
{
  control_post ("/_sim/reset", "");
}

void
stripe_sim_add_fault (const char *fault,
                      const char *method,
                      const char *path,
                      guint       count)
{
  g_autoptr(CpStripeForm) form = cp_stripe_form_new ();
  g_autofree char *body = NULL;

  cp_stripe_form_add (form, "next", fault);
  if (method != NULL)
    cp_stripe_form_add (form, "method", method);
  if (path != NULL)
    cp_stripe_form_add (form, "path", path);
  cp_stripe_form_add_int (form, "count", count);
  body = cp_stripe_form_encode (form);
  control_post ("/_sim/faults", body);
}

CpStripeClient *
stripe_sim_new_client (const char *secret_key,
                       CpStore    *store)
{
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  CpStripeClient *client;

  cp_stripe_config_set_api_base (config, sim_base_url);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, secret_key);
  client = cp_stripe_client_new (config, NULL, store);
  cp_stripe_client_set_backoff (client, 5, 40);
  cp_stripe_client_set_request_timeout (client, 10000);
  return client;
}

JsonObject *
stripe_sim_request_ok (CpStripeClient *client,
                       const char     *method,
                       const char     *path,
                       CpStripeForm   *form)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  object = cp_stripe_client_request (client, method, path, form, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  return object;
}
