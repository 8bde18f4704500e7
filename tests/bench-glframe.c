/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What one frame of the staff main window costs, part by part (issue #8).
 *
 * The signed-in CpWindow (1280x800, 10,000 seeded invoices) repaints 12 times
 * per variant, the variants interleaved over 5 rounds so that the machine's
 * load hits them alike; medians of the CPU time per frame of the whole
 * process (llvmpipe rasterizes on its own threads), of the main thread, and
 * of the X server (Xvfb gets the frame as an image). A variant hides one part
 * of the window (opacity 0: it keeps its size, GTK skips its snapshot) or
 * adds CSS; "css:adw-frame" puts back libadwaita's window frame, which
 * style.css replaces. Run once per renderer (default and cairo), each in a
 * child process.
 *
 * "tiny" changes an 8x8 corner instead of the whole window: with GL under
 * Xvfb it costs a full frame, since Mesa's llvmpipe has neither
 * GLX_EXT_buffer_age nor EGL_EXT_buffer_age and GTK then repaints it all.
 * Also: frames and CPU time in a second of idling after sign-in (the search
 * entry's cursor fading in and out), and the memory by mapping against a
 * bare window (separate processes). Prints tables; asserts nothing.
 *
 * By hand: bench-glframe --run main DB [VARIANT] repaints only VARIANT (its
 * CSS in force from the start) for BENCH_GLFRAME_SECONDS (default 10), for
 * perf record or the memory it costs; bench-glframe --run bare; with
 * BENCH_GLFRAME_SHOTS=DIR a PNG of the X screen per CSS variant (ImageMagick's
 * import); BENCH_GLFRAME_NODES=FILE writes the window's render nodes. */
#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <adwaita.h>

#include "cp-invoice-list.h"
#include "cp-window.h"
#include "cp-signin-page.h"
#include "bench-child-util.h"
#include "bench-stats.h"
#include "test-app-util.h"

#define ROUNDS 5
#define FRAMES 12

typedef struct {
  const char *name;
  const char *what;
  const char *hide;   /* a part to hide, see collect_parts() */
  const char *css;    /* or CSS added above the app's */
} Variant;

static const Variant variants[] = {
  { "all", "the whole window", NULL, NULL },
  { "tiny", "an 8x8 corner changes, not the window", NULL, NULL },
  { "-content", "everything hidden (window background only)", "content", NULL },
  { "-list-pane", "list pane hidden", "list-pane", NULL },
  { "-detail-pane", "detail pane hidden", "detail-pane", NULL },
  { "-headers", "both header bars hidden", "headers", NULL },
  { "-cards", "summary cards hidden", "cards", NULL },
  { "-search", "search entry and filter hidden", "search", NULL },
  { "-view", "list view (rows + column headers) hidden", "view", NULL },
  { "-count", "count bar hidden", "count", NULL },
  { "css:adw-frame", "window frame as libadwaita draws it (before)", NULL,
    "window.solid-csd { border: none; padding: 5px; outline: 1px solid rgba(255, 255, 255, 0.07);"
    " outline-offset: -1px; box-shadow: inset 0 0 0 5px alpha(currentColor, 0.15),"
    " inset 0 0 0 4px @headerbar_bg_color, inset 0 0 0 1px alpha(currentColor, 0.15); }"
    " window.solid-csd > contents { border: none; }" },
  { "css:no-shadow", "cards without box-shadow", NULL,
    ".card { box-shadow: none; }" },
  { "css:border-card", "cards: 1px border instead of shadow", NULL,
    ".card { box-shadow: none; border: 1px solid alpha(currentColor, 0.12); }" },
  { "css:dim-colour", "dim-label as colour, not opacity", NULL,
    ".dim-label { opacity: 1; color: alpha(currentColor, 0.55); }" },
};

typedef struct {
  gint64 painted;   /* frames painted */
} Frames;

static Frames frames;

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *f)
{
  f->painted++;
}

static void
wait_frame (void)
{
  gint64 n = frames.painted;

  while (frames.painted == n)
    g_main_context_iteration (NULL, TRUE);
}

static double
cpu_ms (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The X server's PID (Xvfb :N with N from DISPLAY), or 0. */
static int
find_x_server (void)
{
  const char *display = g_getenv ("DISPLAY");
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (display == NULL || proc == NULL)
    return 0;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *cmdline = NULL;
      gsize len;
      gboolean xvfb = FALSE, ours = FALSE;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &len, NULL))
        continue;
      for (const char *arg = cmdline; arg < cmdline + len; arg += strlen (arg) + 1)
        {
          xvfb |= g_str_has_suffix (arg, "Xvfb") && arg == cmdline;
          ours |= strcmp (arg, display) == 0;
        }
      if (xvfb && ours)
        return atoi (name);
    }
  return 0;
}

/* utime + stime of a process in ms (clock ticks: 10 ms steps). */
static double
process_cpu_ms (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;

  if (pid == 0 || !g_file_get_contents (path, &stat, NULL, NULL) ||
      (end = strrchr (stat, ')')) == NULL)
    return 0;
  fields = g_strsplit (end + 2, " ", -1);
  /* fields[0] is the state (field 3): utime and stime are fields 14, 15 */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 /
         sysconf (_SC_CLK_TCK);
}

/* RSS of /proc/self/smaps by kind of mapping, in KiB */
static void
print_smaps (const char *prefix)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 anon = 0, heap = 0, libs = 0, shm = 0, files = 0, *cat = NULL;
  struct mallinfo2 mi = mallinfo2 ();

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      int off = -1;

      /* A mapping's line: "START-END PERMS OFFSET DEV INODE   PATH" */
      if (line[0] != '\0' && !g_ascii_isupper (line[0]) &&
          sscanf (line, "%*s %*s %*s %*s %*s %n", &off) >= 0 && off >= 0)
        {
          const char *path = line + off;

          if (*path == '\0' || g_str_has_prefix (path, "[anon"))
            cat = &anon;
          else if (strcmp (path, "[heap]") == 0)
            cat = &heap;
          else if (g_str_has_prefix (path, "/dev/") || g_str_has_prefix (path, "/memfd:") ||
                   g_str_has_prefix (path, "/SYSV"))
            cat = &shm;
          else if (strstr (path, ".so") != NULL)
            cat = &libs;
          else
            cat = &files;
        }
      else if (g_str_has_prefix (line, "Rss:") && cat != NULL)
        *cat += g_ascii_strtoll (line + 4, NULL, 10);
    }
  printf ("%s_rss=%" G_GINT64_FORMAT "\n%s_anon=%" G_GINT64_FORMAT "\n%s_heap=%" G_GINT64_FORMAT
          "\n%s_libs=%" G_GINT64_FORMAT "\n%s_shm=%" G_GINT64_FORMAT "\n%s_files=%" G_GINT64_FORMAT
          "\n%s_malloc_used=%zu\n%s_malloc_free=%zu\n",
          prefix, anon + heap + libs + shm + files, prefix, anon, prefix, heap, prefix, libs,
          prefix, shm, prefix, files, prefix, (mi.uordblks + mi.hblkhd) / 1024, prefix,
          mi.fordblks / 1024);
}

static void
collect_parts (GtkWidget  *window,
               GtkWidget  *content,
               const char *name,
               GPtrArray  *parts)
{
  CpWindow *win = CP_WINDOW (window);
  GtkWidget *list = GTK_WIDGET (cp_window_get_invoice_list (win));
  GtkWidget *leaflet = GTK_WIDGET (cp_window_get_leaflet (win));
  GtkWidget *w;

  if (strcmp (name, "content") == 0)
    g_ptr_array_add (parts, content);
  else if (strcmp (name, "list-pane") == 0)
    g_ptr_array_add (parts, gtk_widget_get_parent (list));
  else if (strcmp (name, "detail-pane") == 0)
    g_ptr_array_add (parts, gtk_widget_get_parent (gtk_widget_get_parent (
                              GTK_WIDGET (cp_window_get_invoice_detail (win)))));
  else if (strcmp (name, "headers") == 0)
    {
      for (w = gtk_widget_get_first_child (leaflet); w != NULL; w = gtk_widget_get_next_sibling (w))
        {
          GtkWidget *bar = find_widget (w, ADW_TYPE_HEADER_BAR, NULL, NULL);

          if (bar != NULL)
            g_ptr_array_add (parts, bar);
        }
    }
  else if (strcmp (name, "cards") == 0)
    {
      w = find_widget (list, GTK_TYPE_WIDGET, (WidgetPredicate) gtk_widget_has_css_class, "summary-card");
      if (w != NULL)
        g_ptr_array_add (parts, gtk_widget_get_parent (w));
    }
  else if (strcmp (name, "search") == 0)
    {
      w = find_widget (list, GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
      if (w != NULL)
        g_ptr_array_add (parts, gtk_widget_get_parent (w));
    }
  else if (strcmp (name, "view") == 0 || strcmp (name, "count") == 0)
    {
      /* The invoices' scrolled window (not the filter drop-down's) */
      w = find_widget (list, GTK_TYPE_WIDGET, (WidgetPredicate) gtk_widget_has_css_class, "invoice-table");
      while (w != NULL && !GTK_IS_SCROLLED_WINDOW (w))
        w = gtk_widget_get_parent (w);
      if (w != NULL && strcmp (name, "count") == 0)
        w = gtk_widget_get_next_sibling (w);
      if (w != NULL)
        g_ptr_array_add (parts, w);
    }
}

/* Sign in as the demo clerk and wait for the whole list. */
static void
sign_in (CpWindow *window)
{
  GtkWidget *page = GTK_WIDGET (cp_window_get_signin_page (window));
  GtkWidget *user_entry = find_widget (page, GTK_TYPE_ENTRY, NULL, NULL);
  GtkWidget *pass_entry = find_widget (page, GTK_TYPE_PASSWORD_ENTRY, NULL, NULL);
  GtkWidget *button = find_action_button (page, "signin.submit");
  CpInvoiceList *list = cp_window_get_invoice_list (window);

  SPIN_UNTIL (gtk_widget_get_mapped (page), 30);
  gtk_editable_set_text (GTK_EDITABLE (user_entry), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (pass_entry), "clerk");
  gtk_widget_activate (button);
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_strcmp0 (cp_invoice_list_get_state (list), "loading") != 0, 60);
}

static GtkWidget *
veil_new (gboolean tiny)
{
  GtkWidget *veil = gtk_label_new (NULL);

  gtk_widget_set_can_target (veil, FALSE);
  gtk_widget_add_css_class (veil, "bench-a");
  if (tiny)
    {
      gtk_widget_set_size_request (veil, 8, 8);
      gtk_widget_set_halign (veil, GTK_ALIGN_START);
      gtk_widget_set_valign (veil, GTK_ALIGN_END);
    }
  return veil;
}

static void
toggle (GtkWidget *veil)
{
  gboolean a = gtk_widget_has_css_class (veil, "bench-a");

  gtk_widget_set_css_classes (veil, (const char *[]) { a ? "bench-b" : "bench-a", NULL });
}

static void
apply (const Variant  *v,
       GtkCssProvider *extra,
       GtkWidget      *window,
       GtkWidget      *content,
       GPtrArray      *hidden,
       GtkWidget      *veil)
{
  for (guint i = 0; i < hidden->len; i++)
    gtk_widget_set_opacity (hidden->pdata[i], 1);
  g_ptr_array_set_size (hidden, 0);
  gtk_css_provider_load_from_data (extra, v != NULL && v->css != NULL ? v->css : "", -1);
  if (v != NULL && v->hide != NULL)
    collect_parts (window, content, v->hide, hidden);
  for (guint i = 0; i < hidden->len; i++)
    gtk_widget_set_opacity (hidden->pdata[i], 0);
  /* Let caches, glyphs and shader variants settle. */
  for (guint i = 0; i < 3; i++)
    {
      toggle (veil);
      wait_frame ();
    }
}

static void
idle_frames (const char *name)
{
  gint64 n = frames.painted;
  double c0 = cpu_ms (CLOCK_PROCESS_CPUTIME_ID), t0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);

  spin_briefly (1000);
  printf ("idle_%s=%" G_GINT64_FORMAT "|%.0f|%.0f\n", name, frames.painted - n,
          cpu_ms (CLOCK_PROCESS_CPUTIME_ID) - c0, cpu_ms (CLOCK_THREAD_CPUTIME_ID) - t0);
}

/* The X server's screen as it shows the window, frame included. */
static void
save_root (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const char *argv[] = { "import", "-window", "root", "-crop", "1280x800+0+0", path, NULL };

  spin_briefly (300);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL))
    g_printerr ("bench-glframe: no ImageMagick import for %s\n", path);
}

static int
run_main (const char *db,
          const char *only)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GtkCssProvider) style = gtk_css_provider_new ();
  g_autoptr(GtkCssProvider) style_hc = gtk_css_provider_new ();
  g_autoptr(GtkCssProvider) extra = gtk_css_provider_new ();
  gboolean high_contrast = g_strcmp0 (g_getenv ("ADW_DEBUG_HIGH_CONTRAST"), "1") == 0;
  g_autoptr(GtkCssProvider) bench = gtk_css_provider_new ();
  g_autoptr(GPtrArray) hidden = g_ptr_array_new ();
  const char *shots = g_getenv ("BENCH_GLFRAME_SHOTS");
  GtkWidget *window, *content, *overlay, *veil, *tiny;
  GdkFrameClock *clock;
  double process[G_N_ELEMENTS (variants)][ROUNDS * FRAMES];
  double thread[G_N_ELEMENTS (variants)][ROUNDS * FRAMES];
  double xserver[G_N_ELEMENTS (variants)][ROUNDS];
  double wall[G_N_ELEMENTS (variants)][ROUNDS * FRAMES];
  int x_pid = find_x_server ();

  adw_init ();
  /* What AdwApplication loads from the app's resource base path. */
  gtk_css_provider_load_from_resource (style, "/org/stingrays/CarePay/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  if (high_contrast)
    {
      gtk_css_provider_load_from_resource (style_hc, "/org/stingrays/CarePay/style-hc.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style_hc),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (extra),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER + 1);
  gtk_css_provider_load_from_data (bench, "label.bench-a { background-color: alpha(black, 0.004); }"
                                   "label.bench-b { background-color: alpha(black, 0.008); }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (bench),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER + 2);
  print_smaps ("base");
  /* By hand, for the memory a variant's CSS saves: in force from the start */
  for (guint v = 0; only != NULL && v < G_N_ELEMENTS (variants); v++)
    if (strcmp (variants[v].name, only) == 0 && variants[v].css != NULL)
      gtk_css_provider_load_from_data (extra, variants[v].css, -1);

  store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  window = GTK_WIDGET (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  /* The window's content under two veils: the whole window, a corner */
  content = g_object_ref (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), NULL);
  overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), content);
  g_object_unref (content);
  veil = veil_new (FALSE);
  tiny = veil_new (TRUE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), veil);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), tiny);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), overlay);
  cp_window_set_store (CP_WINDOW (window), CP_STORE (store));
  gtk_window_present (GTK_WINDOW (window));
  clock = NULL;
  while ((clock = gtk_widget_get_frame_clock (window)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  sign_in (CP_WINDOW (window));
  spin_briefly (1000);
  printf ("renderer=%s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));

  /* Frames while nothing happens, the search entry focused as after sign-in:
   * GTK 4.8 fades its cursor in and out, a frame each step, until the blink
   * timeout (gtk-cursor-blink-timeout, 10 s) after the last key; then after it. */
  idle_frames ("blink");
  spin_briefly (10000);
  idle_frames ("still");
  print_smaps ("main");
  if (g_getenv ("BENCH_GLFRAME_NODES") != NULL)
    {
      /* By hand: the window's render nodes (its snapshot vfunc, as
       * save_screenshot() takes it), what each frame draws. */
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GBytes) bytes = NULL;

      GTK_WIDGET_GET_CLASS (window)->snapshot (window, snapshot);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      bytes = gsk_render_node_serialize (node);
      g_file_set_contents (g_getenv ("BENCH_GLFRAME_NODES"), g_bytes_get_data (bytes, NULL),
                           g_bytes_get_size (bytes), NULL);
    }

  if (only != NULL)
    {
      double seconds = g_ascii_strtod (g_getenv ("BENCH_GLFRAME_SECONDS") ?: "10", NULL);
      gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
      guint n = 0;

      for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
        if (strcmp (variants[v].name, only) == 0)
          apply (&variants[v], extra, window, content, hidden, veil);
      while (g_get_monotonic_time () < end)
        {
          toggle (strcmp (only, "tiny") == 0 ? tiny : veil);
          wait_frame ();
          n++;
        }
      printf ("frames=%u\n", n);
      spin_briefly (500);
      print_smaps ("after");
      return 0;
    }

  for (guint r = 0; r < ROUNDS; r++)
    for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
      {
        GtkWidget *changed = strcmp (variants[v].name, "tiny") == 0 ? tiny : veil;
        double x0;

        apply (&variants[v], extra, window, content, hidden, veil);
        if (r == 0 && shots != NULL && (v == 0 || variants[v].css != NULL))
          {
            g_autofree char *name = g_strdup_printf ("%s%s-%s.png", g_getenv ("GSK_RENDERER") ?: "default",
                                                     high_contrast ? "-hc" : "", variants[v].name);

            save_root (shots, name);
          }
        x0 = process_cpu_ms (x_pid);
        for (guint f = 0; f < FRAMES; f++)
          {
            double p0 = cpu_ms (CLOCK_PROCESS_CPUTIME_ID), t0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);
            gint64 w0 = g_get_monotonic_time ();

            toggle (changed);
            wait_frame ();
            process[v][r * FRAMES + f] = cpu_ms (CLOCK_PROCESS_CPUTIME_ID) - p0;
            thread[v][r * FRAMES + f] = cpu_ms (CLOCK_THREAD_CPUTIME_ID) - t0;
            wall[v][r * FRAMES + f] = (g_get_monotonic_time () - w0) / 1000.0;
          }
        xserver[v][r] = (process_cpu_ms (x_pid) - x0) / FRAMES;
      }
  apply (NULL, extra, window, content, hidden, veil);

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    printf ("v_%s=%.2f|%.2f|%.2f|%.2f\n", variants[v].name, bench_median (process[v], ROUNDS * FRAMES),
            bench_median (thread[v], ROUNDS * FRAMES), x_pid ? bench_median (xserver[v], ROUNDS) : -1.0,
            bench_median (wall[v], ROUNDS * FRAMES));
  spin_briefly (500);
  print_smaps ("after");
  malloc_trim (0);
  print_smaps ("trimmed");
  fflush (stdout);
  return 0;
}

/* A bare window of the same size, for the memory a window costs anyway. */
static int
run_bare (void)
{
  g_autoptr(GtkCssProvider) bench = gtk_css_provider_new ();
  GtkWidget *window, *overlay, *veil;
  GdkFrameClock *clock;

  adw_init ();
  gtk_css_provider_load_from_data (bench, "label.bench-a { background-color: alpha(black, 0.004); }"
                                   "label.bench-b { background-color: alpha(black, 0.008); }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (bench),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER + 2);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), gtk_label_new ("CarePay"));
  veil = veil_new (FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), veil);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_present (GTK_WINDOW (window));
  while ((clock = gtk_widget_get_frame_clock (window)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  for (guint i = 0; i < 10; i++)
    {
      toggle (veil);
      wait_frame ();
    }
  spin_briefly (1000);
  print_smaps ("bare");
  fflush (stdout);
  return 0;
}

static GHashTable *
run_child (const char *self_exe,
           const char *mode,
           const char *db,
           const char *renderer)
{
  const char *argv[] = { self_exe, "--run", mode, db, NULL };

  return bench_run_child (argv, renderer);
}

static double
mib (GHashTable *v,
     const char *prefix,
     const char *key)
{
  g_autofree char *name = g_strdup_printf ("%s_%s", prefix, key);
  const char *value = g_hash_table_lookup (v, name);

  return value != NULL ? g_ascii_strtod (value, NULL) / 1024.0 : -1;
}

int
main (int   argc,
      char *argv[])
{
  const char *renderers[] = { NULL, "cairo" };
  const char *renderer_names[] = { "default", "cairo" };
  const char *kinds[] = { "rss", "anon", "heap", "libs", "shm", "files", "malloc_used", "malloc_free" };
  GHashTable *mains[2], *bares[2];
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *self_exe = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  g_setenv ("CAREPAY_TODAY", "2026-03-15", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (argc >= 3 && strcmp (argv[1], "--run") == 0 && strcmp (argv[2], "bare") == 0)
    {
      gtk_init ();
      return run_bare ();
    }
  if (argc >= 4 && strcmp (argv[1], "--run") == 0)
    {
      gtk_init ();
      return run_main (argv[3], argc > 4 ? argv[4] : NULL);
    }

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("carepay-bench-glframe-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "glframe.db", NULL);
  {
    g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error);

    g_assert_no_error (error);
    g_assert_true (cp_seed_demo (CP_STORE (store), 10000, 8, "2026-03-15", &error));
  }
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      bares[r] = run_child (self_exe, "bare", db, renderers[r]);
      mains[r] = run_child (self_exe, "main", db, renderers[r]);
    }

  printf ("\nOne frame of the staff main window (issue #8): 1280x800, 10,000 invoices, GTK %u.%u.%u\n"
          "CPU ms per frame, median of %u frames (%u rounds, variants interleaved): process (all\n"
          "threads: llvmpipe rasterizes on its own), main thread, X server (10 ms ticks / %u frames)\n\n",
          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
          ROUNDS * FRAMES, ROUNDS, FRAMES);
  printf ("%-16s %-42s", "variant", "");
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    printf (" %-7s proc/main/X  wall", renderer_names[r]);
  printf ("\n");
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *key = g_strdup_printf ("v_%s", variants[v].name);

      printf ("%-16s %-42s", variants[v].name, variants[v].what);
      for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
        {
          g_auto(GStrv) f = g_strsplit (g_hash_table_lookup (mains[r], key) ?: "?|?|?|?", "|", -1);

          printf ("   %5s/%5s/%5s %5s", f[0], f[1], f[2] ?: "?", f[2] ? f[3] : "?");
        }
      printf ("\n");
    }
  printf ("\nOne second idle after sign-in, the search entry focused: frames | CPU ms of the process\n"
          "| of its main thread; its cursor blinking (GTK 4.8 fades it in and out: a frame each\n"
          "step), then still (10 s later, gtk-cursor-blink-timeout)\n");
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    printf ("%-8s %-18s  blinking %-12s  still %s\n", renderer_names[r],
            (char *) g_hash_table_lookup (mains[r], "renderer") ?: "?",
            (char *) g_hash_table_lookup (mains[r], "idle_blink") ?: "?",
            (char *) g_hash_table_lookup (mains[r], "idle_still") ?: "?");
  printf ("\nMemory by mapping (MiB; RSS from /proc/self/smaps, malloc from mallinfo2): a bare\n"
          "1280x800 window vs the signed-in main window (separate processes), then the same after\n"
          "the frames above and after malloc_trim(0)\n\n%-22s", "");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    printf (" %11s", kinds[k]);
  printf ("\n");
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      const char *rows[][2] = { { "bare", "bare" }, { "main", "main" }, { "main after frames", "after" },
                                { "main malloc_trim", "trimmed" } };

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        {
          GHashTable *v = i == 0 ? bares[r] : mains[r];

          printf ("%-7s %-14s", renderer_names[r], rows[i][0]);
          for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
            printf (" %11.1f", mib (v, rows[i][1], kinds[k]));
          printf ("\n");
        }
    }
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      g_hash_table_unref (mains[r]);
      g_hash_table_unref (bares[r]);
    }
  test_unlink_sqlite (db);
  g_rmdir (dir);
  return 0;
}
