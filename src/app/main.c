/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "cp-application.h"
#include "cp-renderer-choice.h"
#include "cp-timing.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpApplication) app = NULL;

  cp_timing_mark ("main");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Here, before GApplication starts other threads that may read the
   * environment. */
  cp_renderer_choose_for_software_gl ();

  app = cp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
