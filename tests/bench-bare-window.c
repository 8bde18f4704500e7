/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reference for tests/bench-startup: the least a GTK 4 program does to
 * show a window. It prints, on stderr, in the app's marker format
 * (src/app/cp-timing.h):
 *   carepay-timing main <µs>           at the top of main()
 *   carepay-timing first-paint <µs>    right after the window's first frame
 *   carepay-rss <kB>                   its VmRSS, --linger seconds after that
 * then quits. --adw makes it an AdwApplication with an AdwApplicationWindow
 * (as the app is: a registered GApplication on the session bus), the second
 * reference; without it, plain gtk_init() and a GtkWindow. */
#include <stdio.h>
#include <string.h>
#include <adwaita.h>

static gboolean use_adw;
static double   linger = 1.0;
static gboolean done;

static void
mark (const char *name)
{
  fprintf (stderr, "carepay-timing %s %" G_GINT64_FORMAT "\n", name, g_get_monotonic_time ());
  fflush (stderr);
}

static long
vm_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "\nVmRSS:");
  return line != NULL ? strtol (line + strlen ("\nVmRSS:"), NULL, 10) : -1;
}

static gboolean
report_rss (gpointer user_data)
{
  GtkWindow *window = user_data;

  fprintf (stderr, "carepay-rss %ld\n", vm_rss_kb ());
  fflush (stderr);
  gtk_window_destroy (window);
  done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                GtkWindow     *window)
{
  mark ("first-paint");
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);
  g_timeout_add ((guint) (linger * 1000), report_rss, window);
}

static void
realize_cb (GtkWidget *widget)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                    G_CALLBACK (after_paint_cb), widget);
}

static GtkWindow *
make_window (GtkApplication *app)
{
  GtkWindow *window;
  GtkWidget *label = gtk_label_new ("Hello");

  if (app != NULL)
    {
      window = GTK_WINDOW (adw_application_window_new (app));
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), label);
    }
  else
    {
      window = GTK_WINDOW (gtk_window_new ());
      gtk_window_set_child (window, label);
    }
  gtk_window_set_title (window, "Bare window");
  gtk_window_set_default_size (window, 1200, 760);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), NULL);
  return window;
}

static void
activate_cb (GtkApplication *app)
{
  gtk_window_present (make_window (app));
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "adw", 0, 0, G_OPTION_ARG_NONE, &use_adw, "An AdwApplication and AdwApplicationWindow", NULL },
    { "linger", 0, 0, G_OPTION_ARG_DOUBLE, &linger, "Seconds between the first frame and the VmRSS", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  mark ("main");
  context = g_option_context_new ("- a bare GTK 4 window for bench-startup");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  if (use_adw)
    {
      g_autoptr(AdwApplication) app =
        adw_application_new ("org.stingrays.CarePay.BenchBareWindow", G_APPLICATION_NON_UNIQUE);

      g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
      return g_application_run (G_APPLICATION (app), 1, argv);
    }

  gtk_init ();
  gtk_window_present (make_window (NULL));
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
