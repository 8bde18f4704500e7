/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <epoxy/gl.h>
#include <gtk/gtk.h>

#include "cp-renderer-choice.h"

/* GTK 4.8 renders with OpenGL even when OpenGL is Mesa's software
 * rasterizer (a PC or thin client without a GPU driver, a virtual desktop,
 * Xvfb). There it repaints the whole window for every frame (no buffer age)
 * on the CPU: measured by tests/bench-glframe.c, a frame of the staff window
 * costs 17.5 ms of CPU with GL and 3.9 ms with cairo, a blinking cursor 476
 * against 33 ms a second, and the window 84 MB more memory. GTK 4.14 makes
 * the same choice itself ("gsk: Don't use gpu renderers with llvmpipe").
 * An explicit GSK_RENDERER is always kept. */
static gboolean
is_software_rasterizer (const char *renderer)
{
  static const char *const names[] = { "llvmpipe", "softpipe", "swrast", "SWR" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (renderer, names[i]) != NULL)
      return TRUE;
  return FALSE;
}

char *
cp_renderer_get_gl_name (void)
{
  g_autoptr(GdkGLContext) context = gdk_display_create_gl_context (gdk_display_get_default (), NULL);
  char *name;

  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    return NULL;
  gdk_gl_context_make_current (context);
  name = g_strdup ((const char *) glGetString (GL_RENDERER));
  gdk_gl_context_clear_current ();
  return name;
}

gboolean
cp_renderer_choose_for_software_gl (void)
{
  g_autofree char *renderer = NULL;

  if (g_getenv ("GSK_RENDERER") != NULL || !gtk_init_check ())
    return FALSE;
  renderer = cp_renderer_get_gl_name ();
  /* No OpenGL at all: GTK picks cairo by itself. */
  if (renderer == NULL || !is_software_rasterizer (renderer))
    return FALSE;
  g_debug ("OpenGL is %s, a software rasterizer: drawing with cairo", renderer);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return TRUE;
}
