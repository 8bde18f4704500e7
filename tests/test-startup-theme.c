/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GTK makes its settings with libadwaita's empty theme at start-up, and
 * libadwaita still loads its stylesheet (src/app/cp-startup-theme.c); a theme
 * the user names in GTK_THEME is left alone. Each case runs in a fresh
 * process: the environment and GTK's settings are the process's. */
#include "config.h"

#include <adwaita.h>

#include "cp-startup-theme.h"

/* The colour libadwaita's stylesheet gives a label of class "error". */
static GdkRGBA
error_label_color (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("Declined");
  GdkRGBA color;

  gtk_widget_add_css_class (label, "error");
  gtk_window_set_child (GTK_WINDOW (window), label);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (label), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_destroy (GTK_WINDOW (window));
  return color;
}

/* Runs the case again in a child process, which does the work. */
static gboolean
in_child (void)
{
  if (g_test_subprocess ())
    return TRUE;
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  return FALSE;
}

static void
test_preset (void)
{
  g_autofree char *theme = NULL;
  GdkRGBA color;

  if (!in_child ())
    return;
  g_unsetenv ("GTK_THEME");
  cp_startup_theme_begin ();
  g_assert_cmpstr (g_getenv ("GTK_THEME"), ==, "Adwaita-empty");

  cp_startup_theme_end ();
  g_assert_true (gtk_is_initialized ());
  g_assert_null (g_getenv ("GTK_THEME"));

  adw_init ();
  g_object_get (gtk_settings_get_default (), "gtk-theme-name", &theme, NULL);
  g_assert_cmpstr (theme, ==, "Adwaita-empty");
  /* Red (#c01c28, or #ff7b63 when dark): libadwaita's stylesheet is loaded.
   * Without it the label would be the theme-less black. */
  color = error_label_color ();
  g_assert_cmpfloat (color.red, >, 0.6);
  g_assert_cmpfloat (color.green, <, color.red * 0.6);
}

static void
test_user_theme (void)
{
  if (!in_child ())
    return;
  g_setenv ("GTK_THEME", "HighContrast", TRUE);
  cp_startup_theme_begin ();
  cp_startup_theme_end ();
  g_assert_cmpstr (g_getenv ("GTK_THEME"), ==, "HighContrast");
}

static void
test_end_alone (void)
{
  if (!in_child ())
    return;
  /* As in the in-process tests, which never run main(). */
  g_unsetenv ("GTK_THEME");
  cp_startup_theme_end ();
  g_assert_false (gtk_is_initialized ());
  g_assert_null (g_getenv ("GTK_THEME"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/startup-theme/preset", test_preset);
  g_test_add_func ("/carepay/startup-theme/user-theme", test_user_theme);
  g_test_add_func ("/carepay/startup-theme/end-alone", test_end_alone);
  return g_test_run ();
}
