/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>

#include "cp-startup-theme.h"

/* libadwaita replaces GTK's theme with its own stylesheet: it sets GTK's
 * theme to this empty one. GTK has parsed its default theme by then, when
 * its settings were made (20–30 ms before the first frame, thrown away).
 * With this name in GTK_THEME while GTK makes its settings, it parses
 * nothing. libadwaita loads its stylesheet only without GTK_THEME, so the
 * variable is gone before libadwaita starts; then it sets the same empty
 * theme, as always. */
#define EMPTY_THEME "Adwaita-empty"

static gboolean preset;

void
cp_startup_theme_begin (void)
{
  /* A theme the user asked for (libadwaita then keeps it too). */
  if (g_getenv ("GTK_THEME") != NULL)
    return;
  g_setenv ("GTK_THEME", EMPTY_THEME, TRUE);
  preset = TRUE;
}

void
cp_startup_theme_end (void)
{
  if (!preset)
    return;
  preset = FALSE;
  /* Without a display GtkApplication's own gtk_init() says so, as always. */
  if (gtk_init_check ())
    (void) gtk_settings_get_default ();
  /* g_unsetenv frees nothing, unlike g_setenv: threads started since (GDBus)
   * may read the environment meanwhile. */
  g_unsetenv ("GTK_THEME");
}
