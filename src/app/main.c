/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-application.h"
#include "cp-renderer-choice.h"
#include "cp-startup-theme.h"
#include "cp-timing.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpApplication) app = NULL;

  if (argc == 2 && strcmp (argv[1], CP_RENDERER_PROBE_ARG) == 0)
    return cp_renderer_probe_main ();
  cp_timing_mark ("main");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Here, before GApplication starts other threads that may read the
   * environment. */
  cp_renderer_choose ();
  /* Well after the first frames, so the probe does not compete with them. */
  cp_renderer_refresh_later (10);
  cp_startup_theme_begin ();

  app = cp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
