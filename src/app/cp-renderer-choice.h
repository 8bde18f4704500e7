/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Before the first window: when GSK_RENDERER is not set and OpenGL is a
 * software rasterizer, sets GSK_RENDERER=cairo and returns TRUE. Call it
 * before any other thread may read the environment (g_setenv). */
gboolean cp_renderer_choose_for_software_gl (void);
/* OpenGL's GL_RENDERER on the default display, or NULL without OpenGL. */
char    *cp_renderer_get_gl_name            (void);

G_END_DECLS
