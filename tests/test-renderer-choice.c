/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The staff app draws with cairo when OpenGL is a software rasterizer and
 * GSK_RENDERER is unset (src/app/cp-renderer-choice.c), under a real X
 * server. Each case runs in a fresh process: GSK reads GSK_RENDERER once. */
#include <string.h>
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

static void
software_gl_draws_with_cairo_child (void)
{
  g_autofree char *gl = NULL;
  g_autofree char *type = NULL;
  gboolean chosen;

  g_unsetenv ("GSK_RENDERER");
  chosen = cp_renderer_choose_for_software_gl ();
  gl = cp_renderer_get_gl_name ();
  g_test_message ("OpenGL here: %s", gl ? gl : "(none)");
  /* Under Xvfb OpenGL is Mesa's llvmpipe or softpipe, or there is none. */
  if (gl != NULL)
    {
      g_assert_true (strstr (gl, "llvmpipe") != NULL || strstr (gl, "softpipe") != NULL);
      g_assert_true (chosen);
      g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
    }
  type = window_renderer_type ();
  g_assert_cmpstr (type, ==, "GskCairoRenderer");
}

static void
explicit_renderer_kept_child (void)
{
  g_autofree char *gl = NULL;
  g_autofree char *type = NULL;

  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_assert_false (cp_renderer_choose_for_software_gl ());
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  gtk_init ();
  gl = cp_renderer_get_gl_name ();
  type = window_renderer_type ();
  if (gl != NULL)
    g_assert_cmpstr (type, ==, "GskGLRenderer");
}

static void
run_in_child (const char *path)
{
  g_test_trap_subprocess (path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_software_gl_draws_with_cairo (void)
{
  run_in_child ("/renderer-choice/software-gl-draws-with-cairo/subprocess");
}

static void
test_explicit_renderer_kept (void)
{
  run_in_child ("/renderer-choice/explicit-renderer-kept/subprocess");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/renderer-choice/software-gl-draws-with-cairo", test_software_gl_draws_with_cairo);
  g_test_add_func ("/renderer-choice/software-gl-draws-with-cairo/subprocess",
                   software_gl_draws_with_cairo_child);
  g_test_add_func ("/renderer-choice/explicit-renderer-kept", test_explicit_renderer_kept);
  g_test_add_func ("/renderer-choice/explicit-renderer-kept/subprocess", explicit_renderer_kept_child);
  return g_test_run ();
}
