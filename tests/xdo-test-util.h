/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Real X events for the tests that drive a window under Xvfb with xdotool
 * (tests/test-paced-view.c, tests/test-list-columns.c, tests/test-keyboard.c). */
#pragma once

#include <gdk/x11/gdkx.h>
#include <gtk/gtk.h>

/* xdotool's argv, NULL-terminated, from NULL-terminated arguments. */
static inline GPtrArray *
xdo_argv_valist (const char *first,
                 va_list     ap)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) "xdotool");
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* xdotool with these arguments (NULL-terminated) while our main loop waits:
 * what it sends is queued for GTK, which takes it first thing when the loop
 * runs again, before the next frame. */
static inline void
xdo_sync (const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list ap;

  va_start (ap, first);
  argv = xdo_argv_valist (first, ap);
  va_end (ap);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* The X window of `window`, as xdotool's --window takes it. */
static inline char *
xdo_window_id (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  return g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
}
