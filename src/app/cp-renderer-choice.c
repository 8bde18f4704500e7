/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
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
 *
 * Drawing with cairo, nothing in the process needs OpenGL, yet GDK loads it
 * when it opens the display (to pick a visual): Mesa and LLVM are ~55 ms of
 * a cold start and ~58 MB (tests/bench-startup). So then GDK is told not to
 * (GDK_DEBUG=gl-disable) and WebKit, which would find no GL in GTK, warn and
 * draw on the CPU anyway, is told at once (WEBKIT_DISABLE_COMPOSITING_MODE).
 * Knowing that OpenGL is software takes loading it, so the answer is kept
 * per display in a cache, and checked again in a child process after each
 * start that went by it.
 *
 * An explicit GSK_RENDERER is always kept. */

#define CACHE_KEY "software-gl"

static gboolean chose_from_cache;
static char   **environ_before;

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

char *
cp_renderer_get_cache_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "carepay", "renderer.ini", NULL);
}

/* The display GDK will open, as the environment names it (GDK has not
 * opened it yet); NULL without one. */
static char *
display_group (void)
{
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");
  const char *x11 = g_getenv ("DISPLAY");

  if (wayland == NULL && x11 == NULL)
    return NULL;
  return g_strdup_printf ("display %s/%s/%s", g_getenv ("GDK_BACKEND") ?: "", wayland ?: "", x11 ?: "");
}

static GKeyFile *
load_cache (const char *path)
{
  GKeyFile *cache = g_key_file_new ();

  /* Missing or unreadable: as if empty, and rewritten whole. */
  g_key_file_load_from_file (cache, path, G_KEY_FILE_NONE, NULL);
  return cache;
}

static gboolean
cache_says_software (void)
{
  g_autofree char *group = display_group ();
  g_autofree char *path = cp_renderer_get_cache_path ();
  g_autoptr(GKeyFile) cache = NULL;
  g_autofree char *renderer = NULL;

  if (group == NULL)
    return FALSE;
  cache = load_cache (path);
  renderer = g_key_file_get_string (cache, group, CACHE_KEY, NULL);
  return renderer != NULL && is_software_rasterizer (renderer);
}

/* `renderer`: the software rasterizer found, or NULL for none (a GPU, or no
 * OpenGL at all). */
static void
store_in_cache (const char *renderer)
{
  g_autofree char *group = display_group ();
  g_autofree char *path = cp_renderer_get_cache_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GKeyFile) cache = NULL;
  g_autoptr(GError) error = NULL;

  if (group == NULL)
    return;
  cache = load_cache (path);
  if (renderer != NULL)
    g_key_file_set_string (cache, group, CACHE_KEY, renderer);
  else if (!g_key_file_remove_group (cache, group, NULL))
    return;
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_key_file_save_to_file (cache, path, &error))
    g_debug ("Renderer cache %s not written: %s", path, error ? error->message : g_strerror (errno));
}

/* Asks OpenGL, and keeps the answer for this display: the software
 * rasterizer's name, or NULL (a GPU, or no OpenGL at all). */
static char *
probe_software_gl (void)
{
  char *renderer = cp_renderer_get_gl_name ();

  if (renderer != NULL && !is_software_rasterizer (renderer))
    g_clear_pointer (&renderer, g_free);
  store_in_cache (renderer);
  return renderer;
}

static void
append_to_env (const char *name,
               const char *item)
{
  const char *value = g_getenv (name);
  g_autofree char *joined = NULL;

  if (value == NULL || *value == '\0')
    {
      g_setenv (name, item, TRUE);
      return;
    }
  joined = g_strconcat (value, ",", item, NULL);
  g_setenv (name, joined, TRUE);
}

static void
draw_without_gl (void)
{
  environ_before = g_get_environ ();
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  append_to_env ("GDK_DEBUG", "gl-disable");
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", FALSE);
}

CpRendererChoice
cp_renderer_choose (void)
{
  const char *explicit = g_getenv ("GSK_RENDERER");
  g_autofree char *renderer = NULL;

  chose_from_cache = FALSE;
  if (explicit != NULL)
    {
      if (g_strcmp0 (explicit, "cairo") != 0)
        return CP_RENDERER_CHOICE_GTK;
      draw_without_gl ();
      return CP_RENDERER_CHOICE_CAIRO_WITHOUT_GL;
    }
  if (cache_says_software ())
    {
      chose_from_cache = TRUE;
      draw_without_gl ();
      return CP_RENDERER_CHOICE_CAIRO_WITHOUT_GL;
    }

  if (!gtk_init_check ())
    return CP_RENDERER_CHOICE_GTK;
  renderer = probe_software_gl ();
  /* A GPU; or no OpenGL at all, and GTK picks cairo by itself. */
  if (renderer == NULL)
    return CP_RENDERER_CHOICE_GTK;
  g_debug ("OpenGL is %s, a software rasterizer: drawing with cairo", renderer);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return CP_RENDERER_CHOICE_CAIRO;
}

int
cp_renderer_probe_main (void)
{
  if (!gtk_init_check ())
    return 1;
  g_free (probe_software_gl ());
  return 0;
}

static gboolean
refresh_cb (gpointer user_data)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) probe = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_environ (launcher, environ_before);
  /* GSubprocess reaps it when it exits; nobody waits for it. */
  probe = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", CP_RENDERER_PROBE_ARG, NULL);
  if (probe == NULL)
    g_debug ("OpenGL not probed again: %s", error->message);
  return G_SOURCE_REMOVE;
}

void
cp_renderer_refresh_later (guint seconds)
{
  if (chose_from_cache)
    g_timeout_add_seconds (seconds, refresh_cb, NULL);
}
