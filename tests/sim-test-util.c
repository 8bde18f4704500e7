/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

#include "sim-test-util.h"

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
sim_fixture_start (SimFixture *fixture,
                   const char *first_arg,
                   ...)
{
  const char *sim = g_getenv ("CAREPAY_STRIPE_SIM");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  va_list args;
  const char *arg;

  g_assert_nonnull (sim);
  g_ptr_array_add (argv, (char *) sim);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    /* a crashed test must not leave its simulator behind */
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    fixture->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->process));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "carepay-stripe-sim listening on http://127.0.0.1:"));
  fixture->base_url = g_strdup (line + strlen ("carepay-stripe-sim listening on "));
  if (fixture->session == NULL)
    fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
}

void
sim_fixture_stop (SimFixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (fixture->process != NULL)
    {
      g_subprocess_send_signal (fixture->process, SIGTERM);
      g_subprocess_wait (fixture->process, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (fixture->process));
      g_assert_cmpint (g_subprocess_get_exit_status (fixture->process), ==, 0);
    }
  g_clear_object (&fixture->process);
  g_clear_pointer (&fixture->base_url, g_free);
}

SimResponse *
sim_request_full (SimFixture        *fixture,
                  const char        *method,
                  const char        *path,
                  const char        *key,
                  const char        *body,
                  const char *const *headers)
{
  g_autofree char *url = g_strconcat (fixture->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  SimResponse *response = g_new0 (SimResponse, 1);
  SoupMessageHeaders *rh;

  g_assert_nonnull (msg);
  rh = soup_message_get_request_headers (msg);
  if (key != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", key);
      soup_message_headers_replace (rh, "Authorization", auth);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (rh, headers[i], headers[i + 1]);
  if (body != NULL)
    {
      g_autoptr(GBytes) b = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", b);
    }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  bytes = soup_session_send_and_read (fixture->session, msg, NULL, &response->error);
  if (bytes == NULL)
    return response;
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  response->body = g_bytes_get_size (bytes) > 0 ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                                                 : g_strdup ("");
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    if (json_parser_load_from_data (parser, response->body, -1, NULL) && json_parser_get_root (parser) != NULL)
      response->json = json_node_ref (json_parser_get_root (parser));
  }
  return response;
}

SimResponse *
sim_get (SimFixture *fixture,
         const char *path)
{
  return sim_request_full (fixture, "GET", path, SIM_KEY, NULL, NULL);
}

SimResponse *
sim_post (SimFixture *fixture,
          const char *path,
          const char *body)
{
  return sim_request_full (fixture, "POST", path, SIM_KEY, body ? body : "", NULL);
}

void
sim_response_free (SimResponse *response)
{
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_error (&response->error);
  g_free (response->body);
  g_free (response);
}

JsonObject *
sim_object (SimResponse *response)
{
  g_assert_no_error (response->error);
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static JsonNode *
lookup (SimResponse *response,
        const char  *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = response->json;

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          guint idx = (guint) g_ascii_strtoull (parts[i], NULL, 10);
          JsonArray *arr = json_node_get_array (node);
          node = idx < json_array_get_length (arr) ? json_array_get_element (arr, idx) : NULL;
        }
      else
        node = NULL;
    }
  return node;
}

const char *
sim_string (SimResponse *response,
            const char  *path)
{
  JsonNode *node = lookup (response, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
sim_int (SimResponse *response,
         const char  *path)
{
  JsonNode *node = lookup (response, path);

  g_assert_nonnull (node);
  return json_node_get_int (node);
}

#define G_SOURCE_CONTINUE_FUNC keep_ticking

static gboolean
keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
sim_wait_until (gboolean (*done) (gpointer),
                gpointer   data,
                guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  gboolean tick = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);
  guint tick_id = g_timeout_add (20, (GSourceFunc) G_SOURCE_CONTINUE_FUNC, &tick);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_source_remove (tick_id);
  return done (data);
}
