/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Start-up (issue #8), under Xvfb: the `carepay` executable shows its
 * sign-in page, and builds and lays out its main page behind it, without
 * loading libcurl (opened at the first mail: src/app/cp-curl-deferred.c) or
 * librsvg (the icons of those pages are PNG: data/icons/resource/README.md).
 * The spinner and avatar icons it ships are in its resources. Mail through
 * the deferred libcurl is tested by test-mail-deferred-curl; speed by
 * tests/bench-startup, never asserted here. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <gio/gio.h>

#include "test-app-util.h"
#include "test-util.h"

typedef struct {
  GSubprocess      *process;
  GDataInputStream *err;
  char             *dir;
} App;

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **out_line = user_data;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  *out_line = line != NULL ? line : g_strdup ("");
}

/* Reads the app's stderr until the timing marker `name` (cp-timing.h). */
static void
wait_for_marker (App        *app,
                 const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("carepay-timing %s ", name);

  for (;;)
    {
      g_autofree char *line = NULL;

      g_data_input_stream_read_line_async (app->err, G_PRIORITY_DEFAULT, NULL, line_cb, &line);
      SPIN_UNTIL (line != NULL, 120);
      if (*line == '\0')
        g_error ("carepay ended before its %s marker", name);
      if (g_str_has_prefix (line, prefix))
        return;
    }
}

static char *
maps_of (App *app)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (app->process));
  g_autoptr(GError) error = NULL;
  char *maps = NULL;

  g_file_get_contents (path, &maps, NULL, &error);
  g_assert_no_error (error);
  return maps;
}

static void
app_start (App *app)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *data = NULL;
  g_autofree char *cmd = NULL;

  app->dir = g_dir_make_tmp ("carepay-startup-libs-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (app->dir, "carepay.db", NULL);
  data = g_build_filename (app->dir, "data", NULL);
  /* Some invoices, so the list has rows to load and lay out behind the page. */
  cmd = g_strdup_printf ("'%s' --db '%s' seed-demo", CAREPAYCTL, db);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_subprocess_launcher_setenv (launcher, "CAREPAY_TRACE_TIMING", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  /* Test mode with a key from the environment: no simulator, no demo data. */
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_SECRET_KEY", "sk_test_startup", TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_API_BASE", "http://127.0.0.1:9", TRUE);
  app->process = g_subprocess_launcher_spawn (launcher, &error, CAREPAY_BIN, "--db", db, NULL);
  g_assert_no_error (error);
  app->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (app->process));
}

static void
app_stop (App *app)
{
  g_subprocess_send_signal (app->process, SIGTERM);
  g_subprocess_wait (app->process, NULL, NULL);
  g_clear_object (&app->err);
  g_clear_object (&app->process);
  test_remove_tree (app->dir);
  g_clear_pointer (&app->dir, g_free);
}

static void
test_no_curl_no_rsvg_at_signin (void)
{
  App app = { 0 };
  g_autofree char *maps = NULL;

  app_start (&app);
  wait_for_marker (&app, "signin-painted");
  /* The main page is built and laid out in idle time after that frame. */
  wait_for_marker (&app, "warm-up-done");
  spin_briefly (300);
  maps = maps_of (&app);
  g_assert_null (strstr (maps, "libcurl"));
  g_assert_null (strstr (maps, "librsvg"));
  g_assert_null (strstr (maps, "libpixbufloader-svg"));
  app_stop (&app);
}

/* The icons GTK finds in the app's resources instead of Adwaita's SVGs:
 * under names of their own, in the sizes the spinners and avatar use. */
static void
test_resource_icons (void)
{
  static const char *paths[] = {
    "/org/stingrays/CarePay/icons/16x16/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/32x32/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/64x64/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/16x16/status/cp-avatar-default-symbolic.symbolic.png",
  };
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      gsize size = 0;

      g_assert_true (g_resources_get_info (paths[i], G_RESOURCE_LOOKUP_FLAGS_NONE, &size, NULL, NULL));
      g_assert_cmpuint (size, >, 0);
    }

  /* As GtkApplication does with its resource base path. */
  gtk_icon_theme_add_resource_path (theme, "/org/stingrays/CarePay/icons");
  for (int size = 12; size <= 64; size += 4)
    {
      g_autoptr(GtkIconPaintable) spinner =
        gtk_icon_theme_lookup_icon (theme, "cp-process-working-symbolic", NULL, size, 1, GTK_TEXT_DIR_NONE, 0);
      g_autoptr(GFile) file = gtk_icon_paintable_get_file (spinner);
      g_autofree char *uri = file != NULL ? g_file_get_uri (file) : NULL;

      g_assert_nonnull (uri);
      g_assert_true (g_str_has_prefix (uri, "resource:///org/stingrays/CarePay/icons/"));
      g_assert_true (g_str_has_suffix (uri, ".symbolic.png"));
      g_assert_true (gtk_icon_paintable_is_symbolic (spinner));
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/startup-libs/no-curl-no-rsvg-at-signin", test_no_curl_no_rsvg_at_signin);
  g_test_add_func ("/carepay/startup-libs/resource-icons", test_resource_icons);
  return g_test_run ();
}
