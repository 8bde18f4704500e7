/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The staff app draws with cairo when OpenGL is a software rasterizer and
 * GSK_RENDERER is unset, and then, as with GSK_RENDERER=cairo, does not load
 * OpenGL at all once the per-display cache knows (src/app/cp-renderer-choice.c),
 * under a real X server. Each case runs in fresh processes (GSK reads
 * GSK_RENDERER once; GLib reads XDG_CACHE_HOME once) with a cache of its own. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cp-renderer-choice.h"

/* The type name of the renderer a realized window gets. */
static char *
window_renderer_type (void)
{
  GtkWidget *window = gtk_window_new ();
  char *type;

  gtk_widget_realize (window);
  type = g_strdup (G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  gtk_window_destroy (GTK_WINDOW (window));
  return type;
}

/* Whether Mesa's OpenGL driver is mapped into process `pid` ("self"). */
static gboolean
gl_driver_loaded (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/maps", pid);
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents (path, &maps, NULL, NULL));
  return strstr (maps, "libEGL_mesa") != NULL || strstr (maps, "libGLX_mesa") != NULL ||
         strstr (maps, "_dri.so") != NULL || strstr (maps, "libgallium") != NULL;
}

/* The software rasterizer the cache file at `path` names, or NULL. (The
 * children read cp_renderer_get_cache_path(); the parent cannot, as GLib
 * reads XDG_CACHE_HOME once, and each test has its own.) */
static char *
cached_renderer (const char *path)
{
  g_autoptr(GKeyFile) cache = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (cache, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  groups = g_key_file_get_groups (cache, NULL);
  if (groups[0] == NULL)
    return NULL;
  return g_key_file_get_string (cache, groups[0], "software-gl", NULL);
}

/* --- the children: each a fresh process ----------------------------------- */

static void
probe_child (void)
{
  g_assert_cmpint (cp_renderer_probe_main (), ==, 0);
}

static void
probe_as_x11_child (void)
{
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_assert_cmpint (cp_renderer_probe_main (), ==, 0);
}

/* Nothing cached: asks OpenGL, draws with cairo, and remembers why. */
static void
software_gl_draws_with_cairo_child (void)
{
  g_autofree char *gl = NULL;
  g_autofree char *type = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *path = NULL;
  CpRendererChoice choice;

  choice = cp_renderer_choose ();
  gl = cp_renderer_get_gl_name ();
  g_test_message ("OpenGL here: %s", gl ? gl : "(none)");
  /* Under Xvfb OpenGL is Mesa's llvmpipe or softpipe, or there is none. */
  path = cp_renderer_get_cache_path ();
  cached = cached_renderer (path);
  if (gl != NULL)
    {
      g_assert_true (strstr (gl, "llvmpipe") != NULL || strstr (gl, "softpipe") != NULL);
      g_assert_cmpint (choice, ==, CP_RENDERER_CHOICE_CAIRO);
      g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
      g_assert_cmpstr (cached, ==, gl);
    }
  else
    g_assert_null (cached);
  type = window_renderer_type ();
  g_assert_cmpstr (type, ==, "GskCairoRenderer");
}

/* The cache says software: cairo, and no OpenGL loaded, in GTK nor WebKit. */
static void
cached_software_loads_no_gl_child (void)
{
  g_autofree char *type = NULL;

  g_assert_cmpint (cp_renderer_choose (), ==, CP_RENDERER_CHOICE_CAIRO_WITHOUT_GL);
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
  g_assert_nonnull (strstr (g_getenv ("GDK_DEBUG"), "gl-disable"));
  g_assert_cmpstr (g_getenv ("WEBKIT_DISABLE_COMPOSITING_MODE"), ==, "1");
  gtk_init ();
  type = window_renderer_type ();
  g_assert_cmpstr (type, ==, "GskCairoRenderer");
  g_assert_false (gl_driver_loaded ("self"));
}

static void
explicit_cairo_loads_no_gl_child (void)
{
  g_autofree char *type = NULL;
  g_autofree char *path = cp_renderer_get_cache_path ();
  g_autofree char *cached = NULL;

  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "misc", TRUE);
  g_assert_cmpint (cp_renderer_choose (), ==, CP_RENDERER_CHOICE_CAIRO_WITHOUT_GL);
  /* What was there is kept. */
  g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "misc,gl-disable");
  gtk_init ();
  type = window_renderer_type ();
  g_assert_cmpstr (type, ==, "GskCairoRenderer");
  g_assert_false (gl_driver_loaded ("self"));
  /* Nothing was asked, so nothing is cached. */
  cached = cached_renderer (path);
  g_assert_null (cached);
}

static void
explicit_renderer_kept_child (void)
{
  g_autofree char *gl = NULL;
  g_autofree char *type = NULL;

  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_assert_cmpint (cp_renderer_choose (), ==, CP_RENDERER_CHOICE_GTK);
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  g_assert_null (g_getenv ("WEBKIT_DISABLE_COMPOSITING_MODE"));
  gtk_init ();
  gl = cp_renderer_get_gl_name ();
  type = window_renderer_type ();
  if (gl != NULL)
    g_assert_cmpstr (type, ==, "GskGLRenderer");
}

/* --- the tests ------------------------------------------------------------ */

typedef struct {
  char *cache_home;
  char *cache;  /* the file in it */
  char *gl;     /* the software rasterizer here, NULL without OpenGL */
} Fixture;

static void
run_in_child (const char *path)
{
  g_test_trap_subprocess (path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A cache of its own, which the children inherit. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->cache_home = g_dir_make_tmp ("carepay-renderer-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache = g_build_filename (f->cache_home, "carepay", "renderer.ini", NULL);
  g_setenv ("XDG_CACHE_HOME", f->cache_home, TRUE);
  g_unsetenv ("GSK_RENDERER");
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("GDK_BACKEND");
  g_unsetenv ("WEBKIT_DISABLE_COMPOSITING_MODE");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->cache_home);

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->cache_home);
  g_free (f->cache);
  g_free (f->gl);
}

/* Fills the cache as `carepay --probe-renderer` does; FALSE (and the test
 * skipped) when this machine has no OpenGL, so nothing to cache. */
static gboolean
probe_into_cache (Fixture *f)
{
  run_in_child ("/renderer-choice/probe/subprocess");
  f->gl = cached_renderer (f->cache);
  if (f->gl == NULL)
    g_test_skip ("no OpenGL here");
  return f->gl != NULL;
}

static void
test_software_gl_draws_with_cairo (Fixture       *f,
                                   gconstpointer  data)
{
  run_in_child ("/renderer-choice/software-gl-draws-with-cairo/subprocess");
}

static void
test_cached_software_loads_no_gl (Fixture       *f,
                                  gconstpointer  data)
{
  if (!probe_into_cache (f))
    return;
  run_in_child ("/renderer-choice/cached-software-loads-no-gl/subprocess");
}

/* The cache is per display: an entry made with GDK_BACKEND=x11 does not
 * count without it; that start asks OpenGL (and loads it) again. */
static void
test_cache_is_per_display (Fixture       *f,
                           gconstpointer  data)
{
  run_in_child ("/renderer-choice/probe-as-x11/subprocess");
  run_in_child ("/renderer-choice/software-gl-draws-with-cairo/subprocess");
}

static void
test_corrupt_cache_rewritten (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *cached = NULL;

  if (!probe_into_cache (f))
    return;
  g_assert_true (g_file_set_contents (f->cache, "[display\n\xff\xfe garbage = =\n", -1, NULL));
  /* Read as empty: OpenGL is asked, and the file written anew. */
  run_in_child ("/renderer-choice/software-gl-draws-with-cairo/subprocess");
  cached = cached_renderer (f->cache);
  g_assert_cmpstr (cached, ==, f->gl);
}

static void
test_explicit_cairo_loads_no_gl (Fixture       *f,
                                 gconstpointer  data)
{
  run_in_child ("/renderer-choice/explicit-cairo-loads-no-gl/subprocess");
}

static void
test_explicit_renderer_kept (Fixture       *f,
                             gconstpointer  data)
{
  run_in_child ("/renderer-choice/explicit-renderer-kept/subprocess");
}

/* The `carepay` executable: started by a cache entry that is out of date
 * (as after installing a GPU driver, here a changed name), it draws with
 * cairo without loading OpenGL, and has OpenGL probed again in a child
 * process some seconds later, which rewrites the entry. */
static void
test_app_refreshes_cache (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GKeyFile) cache = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_auto(GStrv) groups = NULL;
  gint64 deadline;

  if (!probe_into_cache (f))
    return;
  g_assert_true (g_key_file_load_from_file (cache, f->cache, G_KEY_FILE_NONE, NULL));
  groups = g_key_file_get_groups (cache, NULL);
  g_key_file_set_string (cache, groups[0], "software-gl", "llvmpipe (an older driver)");
  g_assert_true (g_key_file_save_to_file (cache, f->cache, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  db = g_build_filename (f->cache_home, "carepay.db", NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_SECRET_KEY", "sk_test_renderer", TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_API_BASE", "http://127.0.0.1:9", TRUE);
  app = g_subprocess_launcher_spawn (launcher, &error, CAREPAY_BIN, "--db", db, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *cached = cached_renderer (f->cache);

      g_assert_false (gl_driver_loaded (g_subprocess_get_identifier (app)));
      if (g_strcmp0 (cached, f->gl) == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/renderer-choice/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("software-gl-draws-with-cairo", test_software_gl_draws_with_cairo);
  ADD ("cached-software-loads-no-gl", test_cached_software_loads_no_gl);
  ADD ("cache-is-per-display", test_cache_is_per_display);
  ADD ("corrupt-cache-rewritten", test_corrupt_cache_rewritten);
  ADD ("explicit-cairo-loads-no-gl", test_explicit_cairo_loads_no_gl);
  ADD ("explicit-renderer-kept", test_explicit_renderer_kept);
  ADD ("app-refreshes-cache", test_app_refreshes_cache);
#undef ADD

  g_test_add_func ("/renderer-choice/probe/subprocess", probe_child);
  g_test_add_func ("/renderer-choice/probe-as-x11/subprocess", probe_as_x11_child);
  g_test_add_func ("/renderer-choice/software-gl-draws-with-cairo/subprocess",
                   software_gl_draws_with_cairo_child);
  g_test_add_func ("/renderer-choice/cached-software-loads-no-gl/subprocess",
                   cached_software_loads_no_gl_child);
  g_test_add_func ("/renderer-choice/explicit-cairo-loads-no-gl/subprocess", explicit_cairo_loads_no_gl_child);
  g_test_add_func ("/renderer-choice/explicit-renderer-kept/subprocess", explicit_renderer_kept_child);
  return g_test_run ();
}
