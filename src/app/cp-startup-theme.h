/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In main(), before any other thread may read the environment (it calls
 * g_setenv): names libadwaita's empty GTK theme in GTK_THEME, unless the
 * user set GTK_THEME. */
void cp_startup_theme_begin (void);
/* In GApplication::startup, before chaining up: makes GTK's settings with
 * that empty theme, then takes GTK_THEME away again so libadwaita loads its
 * stylesheet. Does nothing without cp_startup_theme_begin(). */
void cp_startup_theme_end   (void);

G_END_DECLS
