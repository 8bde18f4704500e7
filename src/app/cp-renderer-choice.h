/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* GSK_RENDERER was set to something else than cairo, or OpenGL is a
   * real GPU's: GTK chooses, as always. */
  CP_RENDERER_CHOICE_GTK,
  /* Cairo, and OpenGL left unloaded: GSK_RENDERER=cairo was set, or this
   * display's OpenGL is known to be a software rasterizer (the cache). */
  CP_RENDERER_CHOICE_CAIRO_WITHOUT_GL,
  /* Cairo, found out now by asking OpenGL (so it is loaded this time). */
  CP_RENDERER_CHOICE_CAIRO,
} CpRendererChoice;

/* The argument that makes `carepay` probe OpenGL, update the cache and
 * exit (cp_renderer_probe_main): the cache's refresh runs it. */
#define CP_RENDERER_PROBE_ARG "--probe-renderer"

/* Before the first window, and before any other thread may read the
 * environment (it calls g_setenv). */
CpRendererChoice cp_renderer_choose            (void);
/* When cp_renderer_choose() went by the cache: `seconds` from now, on the
 * default main context, probes OpenGL again in a child process with the
 * environment as it was before, so a new GPU driver is seen at the next
 * start. */
void             cp_renderer_refresh_later     (guint            seconds);
/* `carepay --probe-renderer`: probes OpenGL on the default display and
 * writes what it found to the cache. Returns the exit status. */
int              cp_renderer_probe_main        (void);
/* OpenGL's GL_RENDERER on the default display, or NULL without OpenGL. */
char            *cp_renderer_get_gl_name       (void);
/* The cache file ($XDG_CACHE_HOME/carepay/renderer.ini). */
char            *cp_renderer_get_cache_path    (void);

G_END_DECLS
