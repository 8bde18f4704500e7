/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The invoice list at hospital scale (issue #8): for 1,000, 10,000 and
 * 100,000 seeded invoices, the index build, each keystroke of a typed search
 * (filter + items-changed, then the frame that shows it), the same searches
 * as SQL in the store and in the sqlite3 shell, and the resident memory with
 * the list shown and scrolled to the end. Prints a table; asserts nothing.
 *
 * Each size runs in a child process (a clean heap for the memory figures),
 * once with the default GSK renderer and once with GSK_RENDERER=cairo.
 * By hand: bench-list --run FILE N runs one child on a seeded file;
 * BENCH_LIST_NO_SQL=1 skips its SQL part, BENCH_LIST_NODES=FILE writes the
 * window's render nodes there, BENCH_LIST_LOOP=1 only crosses GTK's 200 rows
 * back and forth 40 times (for perf record).
 *
 * Load-independent figures too: cells built and dropped (the factories'
 * signals), CPU time, and a full repaint of a bare window of the same size. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "bench-child-util.h"
#include "bench-stats.h"
#include "cp-invoice-index.h"
#include "cp-invoice-list.h"
#include "cp-invoice-model.h"
#include "cp-invoice-row.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "test-util.h"

#define TODAY "2026-03-15"
#define SQLITE3 "/usr/bin/sqlite3"

static const guint sizes[] = { 1000, 10000, 100000 };

/* The store's narrow list query (cp-sqlite-store.c, list_invoices_narrow_sql)
 * with its parameters written in: ?1 the pattern, ?2 = 0, ?3 = -1. */
static const char store_sql[] =
  "SELECT i.id, i.number, i.patient_id, p.family_name, p.given_name, p.mrn, "
  "  i.issue_date, i.due_date, i.currency, i.tax_rate_bp, i.voided, "
  "  (SELECT COALESCE(SUM(l.quantity * l.unit_amount), 0) FROM line_items l WHERE l.invoice_id = i.id), "
  "  (SELECT COALESCE(SUM(pa.amount), 0) FROM payments pa "
  "     WHERE pa.invoice_id = i.id AND pa.status = 'succeeded'), "
  "  (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r "
  "     WHERE r.invoice_id = i.id AND r.status IN ('succeeded', 'pending')), "
  "  EXISTS (SELECT 1 FROM payments pd WHERE pd.invoice_id = i.id AND pd.disputed = 1)"
  " FROM invoices i JOIN patients p ON p.id = i.patient_id "
  "WHERE ('%s' IS NULL OR i.search_key LIKE '%s' ESCAPE '\\' OR p.search_key LIKE '%s' ESCAPE '\\') "
  "  AND (0 = 0 OR i.patient_id = 0) "
  "ORDER BY i.issue_date DESC, i.number "
  "LIMIT -1;";

/* A figure of /proc/self/status in KiB: "VmRSS:", "RssAnon:" */
static gint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtoll (line + strlen (field), NULL, 10) : -1;
}

static void
print_rss (const char *name)
{
  printf ("rss_%s=%" G_GINT64_FORMAT "\nanon_%s=%" G_GINT64_FORMAT "\n",
          name, status_kib ("VmRSS:"), name, status_kib ("RssAnon:"));
}

/* Median and 95th percentile (nearest rank) of `n` values, in place. */
static void
stats (double *values,
       guint   n,
       double *median,
       double *p95)
{
  *median = bench_median (values, n);
  *p95 = bench_percentile (values, n, 95);
}

static CpInvoiceSummary *
cp_invoice_summary_copy_for_bench (const CpInvoiceSummary *s)
{
  CpInvoiceSummary *copy = cp_invoice_summary_new ();

  copy->number = g_strdup (s->number);
  copy->mrn = g_strdup (s->mrn);
  return copy;
}

/* Cells built (setup), dropped (teardown) and filled (bind) by the column
 * view's factories: counts that do not depend on the machine's load. */
typedef struct {
  guint setup, teardown, bind;
} Cells;

static Cells cells;

static gboolean
count_cb (GSignalInvocationHint *hint,
          guint                  n_params,
          const GValue          *params,
          gpointer               data)
{
  (*(guint *) data)++;
  return TRUE;
}

static void
count_cells (void)
{
  GType type = GTK_TYPE_SIGNAL_LIST_ITEM_FACTORY;

  g_type_class_ref (type);
  g_signal_add_emission_hook (g_signal_lookup ("setup", type), 0, count_cb, &cells.setup, NULL);
  g_signal_add_emission_hook (g_signal_lookup ("teardown", type), 0, count_cb, &cells.teardown, NULL);
  g_signal_add_emission_hook (g_signal_lookup ("bind", type), 0, count_cb, &cells.bind, NULL);
}

/* CPU time in ms of this process (all threads: Mesa's llvmpipe renders in
 * threads of its own) and of the main thread alone. */
static double
cpu_ms (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Frames */

typedef struct {
  gint64   before;   /* start of the last frame (before-paint) */
  gint64   after;    /* end of it (after-paint) */
  gboolean painted;
} Frames;

static void
before_paint_cb (GdkFrameClock *clock,
                 Frames        *frames)
{
  frames->before = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *frames)
{
  frames->after = g_get_monotonic_time ();
  frames->painted = TRUE;
}

/* Runs the main loop until a frame that started after `since` has painted. */
static void
wait_frame (Frames    *frames,
            GtkWidget *widget,
            gint64     since)
{
  gtk_widget_queue_draw (widget);
  frames->painted = FALSE;
  while (!frames->painted || frames->before < since)
    {
      if (frames->painted)
        {
          frames->painted = FALSE;
          gtk_widget_queue_draw (widget);
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

/* A nearly clear veil over the whole window, for full_frames(). */
static GtkWidget *
veil_new (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  GtkWidget *veil = gtk_label_new (NULL);

  gtk_css_provider_load_from_data (provider, "label.bench-a { background-color: alpha(black, 0.004); }"
                                   "label.bench-b { background-color: alpha(black, 0.008); }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
  gtk_widget_set_can_target (veil, FALSE);
  gtk_widget_set_visible (veil, FALSE);
  return veil;
}

/* Median frame time and process CPU time of 15 full repaints of `widget`'s
 * window: the veil over it changes a little each time (a restyle of the
 * veil alone), so that the renderers, which otherwise repaint only what
 * changed, paint it all. */
static void
full_frames (Frames     *frames,
             GtkWidget  *widget,
             GtkWidget  *veil,
             const char *name)
{
  double wall[15], cpu[15], p95;

  gtk_widget_set_visible (veil, TRUE);
  wait_frame (frames, widget, g_get_monotonic_time ());
  for (guint i = 0; i < G_N_ELEMENTS (wall); i++)
    {
      double c0 = cpu_ms (CLOCK_PROCESS_CPUTIME_ID);

      gtk_widget_set_css_classes (veil, (const char *[]) { i % 2 ? "bench-a" : "bench-b", NULL });
      wait_frame (frames, widget, g_get_monotonic_time ());
      wall[i] = (frames->after - frames->before) / 1000.0;
      cpu[i] = cpu_ms (CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
  stats (wall, G_N_ELEMENTS (wall), &wall[0], &p95);
  stats (cpu, G_N_ELEMENTS (cpu), &cpu[0], &p95);
  printf ("%s_frame_med=%.2f\n%s_frame_cpu_med=%.2f\n", name, wall[0], name, cpu[0]);
  gtk_widget_set_visible (veil, FALSE);
  wait_frame (frames, widget, g_get_monotonic_time ());
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list's view: a GtkColumnView (before) or a GtkListView (one drawn
 * widget a row), so that one bench-list source measures both. */
static GtkWidget *
find_invoice_table (GtkWidget *root)
{
  if (GTK_IS_LIST_VIEW (root) && gtk_widget_has_css_class (root, "invoice-table"))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_invoice_table (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_view (GtkWidget *list)
{
  GtkWidget *view = find_widget (list, GTK_TYPE_COLUMN_VIEW);

  /* Not the first list view: the filter drop-down has one in its popup. */
  return view != NULL ? view : find_invoice_table (list);
}

static guint
view_n_items (GtkWidget *view)
{
  GListModel *model = GTK_IS_COLUMN_VIEW (view) ? G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)))
                                                : G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view)));

  return g_list_model_get_n_items (model);
}

/* Widgets alive under `root`, itself included. */
static guint
count_widgets (GtkWidget *root)
{
  guint n = 1;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child);
  return n;
}

/* The search */

static char *
like_literal (const char *typed)
{
  g_autoptr(GString) s = g_string_new ("%");

  for (const char *p = typed; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      if (*p == '\'')
        g_string_append_c (s, '\'');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static double
time_store_query (CpStore    *store,
                  const char *typed,
                  guint      *n_rows)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 t0;

  query.search = typed;
  t0 = g_get_monotonic_time ();
  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  *n_rows = rows->len;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static double
time_shell_query (const char *db,
                  const char *typed)
{
  g_autofree char *lit = like_literal (typed);
  g_autofree char *sql = g_strdup_printf (store_sql, lit, lit, lit);
  const char *argv[] = { SQLITE3, db, sql, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;
  gint64 t0 = g_get_monotonic_time ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("sqlite3: %s\n", error->message);
      return -1;
    }
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static double
time_index_filter (CpInvoiceIndex *index,
                   const char     *typed)
{
  guint n = cp_invoice_index_get_n_rows (index);
  g_autofree guint32 *out = g_new (guint32, MAX (n, 1));
  g_autofree char *needle = cp_invoice_index_fold (typed);
  gint64 t0 = g_get_monotonic_time ();

  cp_invoice_index_filter (index, NULL, n, FALSE, -1, needle, out);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* The child: one size, one renderer. Prints key=value lines. */
static int
run_one (const char *db,
         guint       n_invoices)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpInvoiceIndex) index = NULL;
  g_autoptr(GPtrArray) typing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CpInvoiceSummary) middle = NULL;
  GtkWidget *window, *bare, *view, *overlay, *veil;
  CpInvoiceList *list;
  GtkAdjustment *vadj;
  Frames frames = { 0 };
  GdkFrameClock *clock;
  gint64 t0, t1;
  double build_ms;
  guint n_keys;
  g_autofree double *filter_ms = NULL;
  g_autofree double *frame_ms = NULL;
  g_autofree double *both_ms = NULL;
  g_autofree double *wall_ms = NULL;
  g_autofree double *cpu_key_ms = NULL;
  g_autofree double *main_key_ms = NULL;
  g_autofree double *settle_frame_ms = NULL;
  g_autofree double *settle_cpu_ms = NULL;
  g_autofree double *settle_stall_ms = NULL;
  Cells total = { 0 };
  guint max_setup = 0;
  double med, p95;

  adw_init ();
  count_cells ();
  {
    /* What AdwApplication loads from the app's resource base path. */
    g_autoptr(GtkCssProvider) style = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (style, RESOURCE_PREFIX "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);


  /* (d) memory before the window, with a bare window, then with the list */
  print_rss ("base");
  bare = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (bare), 1280, 800);
  overlay = gtk_overlay_new ();
  veil = veil_new ();
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), veil);
  gtk_window_set_child (GTK_WINDOW (bare), overlay);
  gtk_window_present (GTK_WINDOW (bare));
  clock = NULL;
  while (clock == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      clock = gtk_widget_get_frame_clock (bare);
    }
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  wait_frame (&frames, bare, g_get_monotonic_time ());
  spin (300);
  print_rss ("bare");
  full_frames (&frames, bare, veil, "bare");
  g_signal_handlers_disconnect_by_data (clock, &frames);
  printf ("renderer=%s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (bare))));

  window = bare;
  list = CP_INVOICE_LIST (cp_invoice_list_new ());
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (list));
  view = find_view (GTK_WIDGET (list));
  g_assert_nonnull (view);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);

  /* Sign-in to rows: the first page, then the whole index. */
  t0 = g_get_monotonic_time ();
  cp_invoice_list_set_store (list, CP_STORE (store));
  {
    gint64 first = 0;
    double stall = 0, swap_cpu = 0;
    guint swap_setup = 0;

    while (cp_invoice_list_get_loading (list) ||
           g_strcmp0 (cp_invoice_list_get_state (list), "loading") == 0)
      {
        gint64 i0 = g_get_monotonic_time ();
        double c0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);
        guint s0 = cells.setup;

        frames.painted = FALSE;
        g_main_context_iteration (NULL, TRUE);
        /* After the first page is on screen: the longest the main loop was
         * busy at once (the whole index replacing the first page). */
        if (first != 0 && (g_get_monotonic_time () - i0) / 1000.0 > stall)
          {
            stall = (g_get_monotonic_time () - i0) / 1000.0;
            swap_cpu = cpu_ms (CLOCK_THREAD_CPUTIME_ID) - c0;
          }
        if (first != 0)
          swap_setup += cells.setup - s0;
        if (first == 0 && frames.painted &&
            g_list_model_get_n_items (cp_invoice_list_get_model (list)) > 0 &&
            g_strcmp0 (cp_invoice_list_get_state (list), "list") == 0)
          first = frames.after;
      }
    printf ("swap_stall_ms=%.1f\nswap_stall_cpu_ms=%.1f\nswap_cells_built=%u\n", stall, swap_cpu,
            swap_setup);
    t1 = g_get_monotonic_time ();
    wait_frame (&frames, view, t1);
    if (first == 0)
      first = frames.after;
    printf ("first_rows_ms=%.1f\nall_rows_ms=%.1f\n", (first - t0) / 1000.0,
            (frames.after - t0) / 1000.0);
  }
  g_assert_cmpuint (g_list_model_get_n_items (cp_invoice_list_get_model (list)), ==, n_invoices);
  spin (300);
  print_rss ("list");
  printf ("widgets_list=%u\n", count_widgets (view));
  if (g_getenv ("BENCH_LIST_NODES") != NULL)
    {
      /* By hand: the window's render nodes, to see what a frame draws. */
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GBytes) bytes = NULL;

      gdk_paintable_snapshot (paintable, snapshot, 1280, 800);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      bytes = gsk_render_node_serialize (node);
      g_file_set_contents (g_getenv ("BENCH_LIST_NODES"), g_bytes_get_data (bytes, NULL),
                           g_bytes_get_size (bytes), NULL);
    }
  full_frames (&frames, view, veil, "list");
  {
    GListModel *model = cp_invoice_list_get_model (list);
    g_autoptr(CpInvoiceRow) row = g_list_model_get_item (model, g_list_model_get_n_items (model) / 2);

    middle = cp_invoice_summary_copy_for_bench (cp_invoice_row_get_summary (row));
  }

  if (g_getenv ("BENCH_LIST_LOOP") != NULL)
    {
      /* By hand, for a profiler: one crossing of GTK's 200 rows, back and forth. */
      for (guint i = 0; i < 40; i++)
        {
          cp_invoice_list_set_search (list, i % 2 ? "mrn-020" : "mrn-0201");
          wait_frame (&frames, view, g_get_monotonic_time ());
        }
      return 0;
    }

  /* (b) typing: a name, back to nothing, an invoice number, an MRN prefix */
  {
    const char *name = "garcia";
    g_autofree char *number = g_ascii_strdown (middle->number, -1);
    const char *mrn = "mrn-0201";

    for (guint i = 1; i <= strlen (name); i++)
      g_ptr_array_add (typing, g_strndup (name, i));
    for (guint i = strlen (name); i-- > 0;)
      g_ptr_array_add (typing, g_strndup (name, i));
    for (guint i = 1; i <= strlen (number); i++)
      g_ptr_array_add (typing, g_strndup (number, i));
    g_ptr_array_add (typing, g_strdup (""));
    for (guint i = 1; i <= strlen (mrn); i++)
      g_ptr_array_add (typing, g_strndup (mrn, i));
    for (guint i = strlen (mrn); i-- > 0;)
      g_ptr_array_add (typing, g_strndup (mrn, i));
  }
  n_keys = typing->len;
  filter_ms = g_new (double, n_keys);
  frame_ms = g_new (double, n_keys);
  both_ms = g_new (double, n_keys);
  wall_ms = g_new (double, n_keys);
  cpu_key_ms = g_new (double, n_keys);
  main_key_ms = g_new (double, n_keys);
  settle_frame_ms = g_new (double, n_keys);
  settle_cpu_ms = g_new (double, n_keys);
  settle_stall_ms = g_new (double, n_keys);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *text = g_ptr_array_index (typing, i);

      Cells c = cells;
      double c0, m0;

      spin (20);  /* let the previous frame settle, as between keystrokes */
      c = cells;
      c0 = cpu_ms (CLOCK_PROCESS_CPUTIME_ID);
      m0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);
      t0 = g_get_monotonic_time ();
      cp_invoice_list_set_search (list, text);
      t1 = g_get_monotonic_time ();
      wait_frame (&frames, view, t1);
      /* Includes the idle wait for the frame clock, which costs no CPU. */
      cpu_key_ms[i] = cpu_ms (CLOCK_PROCESS_CPUTIME_ID) - c0;
      main_key_ms[i] = cpu_ms (CLOCK_THREAD_CPUTIME_ID) - m0;
      filter_ms[i] = (t1 - t0) / 1000.0;
      frame_ms[i] = (frames.after - frames.before) / 1000.0;
      both_ms[i] = filter_ms[i] + frame_ms[i];
      wall_ms[i] = (frames.after - t0) / 1000.0;
      /* Rows the list lets in over the next idles (CpPacedModel): until all
       * are in, the longest frame and the main thread's CPU time. */
      settle_frame_ms[i] = 0;
      settle_cpu_ms[i] = 0;
      settle_stall_ms[i] = 0;
      if (view_n_items (view) !=
          g_list_model_get_n_items (cp_invoice_list_get_model (list)))
        {
          double s0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);

          while (view_n_items (view) !=
                 g_list_model_get_n_items (cp_invoice_list_get_model (list)))
            {
              double i0 = cpu_ms (CLOCK_THREAD_CPUTIME_ID);

              frames.painted = FALSE;
              g_main_context_iteration (NULL, TRUE);
              if (frames.painted)
                settle_frame_ms[i] = MAX (settle_frame_ms[i], (frames.after - frames.before) / 1000.0);
              settle_stall_ms[i] = MAX (settle_stall_ms[i], cpu_ms (CLOCK_THREAD_CPUTIME_ID) - i0);
            }
          wait_frame (&frames, view, g_get_monotonic_time ());
          settle_frame_ms[i] = MAX (settle_frame_ms[i], (frames.after - frames.before) / 1000.0);
          settle_cpu_ms[i] = cpu_ms (CLOCK_THREAD_CPUTIME_ID) - s0;
        }
      total.setup += cells.setup - c.setup;
      total.teardown += cells.teardown - c.teardown;
      total.bind += cells.bind - c.bind;
      max_setup = MAX (max_setup, MAX (cells.setup - c.setup, cells.teardown - c.teardown));
      g_printerr ("  %-18s %6u rows  filter %6.2f ms  frame %6.2f ms  cpu %6.2f ms  "
                  "cells built %4u dropped %4u filled %4u  later frames max %6.2f ms cpu %6.2f ms "
                  "(longest %6.2f)\n",
                  text, g_list_model_get_n_items (cp_invoice_list_get_model (list)),
                  filter_ms[i], frame_ms[i], cpu_key_ms[i], cells.setup - c.setup,
                  cells.teardown - c.teardown, cells.bind - c.bind, settle_frame_ms[i],
                  settle_cpu_ms[i], settle_stall_ms[i]);
    }
  printf ("keys=%u\n", n_keys);
  stats (filter_ms, n_keys, &med, &p95);
  printf ("filter_med=%.2f\nfilter_p95=%.2f\n", med, p95);
  stats (frame_ms, n_keys, &med, &p95);
  printf ("frame_med=%.2f\nframe_p95=%.2f\n", med, p95);
  stats (both_ms, n_keys, &med, &p95);
  printf ("key_med=%.2f\nkey_p95=%.2f\n", med, p95);
  stats (wall_ms, n_keys, &med, &p95);
  printf ("wall_med=%.2f\nwall_p95=%.2f\n", med, p95);
  stats (cpu_key_ms, n_keys, &med, &p95);
  printf ("cpu_med=%.2f\ncpu_p95=%.2f\n", med, p95);
  stats (main_key_ms, n_keys, &med, &p95);
  printf ("main_cpu_med=%.2f\nmain_cpu_p95=%.2f\n", med, p95);
  stats (settle_frame_ms, n_keys, &med, &p95);
  printf ("later_frame_p95=%.2f\nlater_frame_max=%.2f\n", p95, settle_frame_ms[n_keys - 1]);
  stats (settle_cpu_ms, n_keys, &med, &p95);
  printf ("later_cpu_p95=%.2f\nlater_cpu_max=%.2f\n", p95, settle_cpu_ms[n_keys - 1]);
  stats (settle_stall_ms, n_keys, &med, &p95);
  printf ("later_stall_cpu_max=%.2f\n", settle_stall_ms[n_keys - 1]);
  printf ("cells_built=%u\ncells_dropped=%u\ncells_filled=%u\ncells_built_max=%u\n",
          total.setup, total.teardown, total.bind, max_setup);

  /* Scroll through the whole list, a page at a time for 200 pages spread
   * over it, then to the end. */
  vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  for (guint i = 0; i <= 200; i++)
    {
      double upper = gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj);

      gtk_adjustment_set_value (vadj, upper * i / 200.0);
      wait_frame (&frames, view, g_get_monotonic_time ());
    }
  spin (300);
  print_rss ("scrolled");
  printf ("widgets_scrolled=%u\n", count_widgets (view));
  printf ("cached_rows=%u\n", cp_invoice_model_get_n_cached (CP_INVOICE_MODEL (cp_invoice_list_get_model (list))));

  g_signal_handlers_disconnect_by_data (clock, &frames);
  gtk_window_destroy (GTK_WINDOW (window));

  /* (a) the index alone, as the list's worker builds it; then dropped */
  t0 = g_get_monotonic_time ();
  index = cp_invoice_index_new_from_store (CP_STORE (store), &error);
  g_assert_no_error (error);
  build_ms = (g_get_monotonic_time () - t0) / 1000.0;
  printf ("rows=%u\nbuild_ms=%.1f\nindex_kib=%" G_GSIZE_FORMAT "\n",
          cp_invoice_index_get_n_rows (index), build_ms, cp_invoice_index_get_size (index) / 1024);
  /* Each column's order, made on first use (the first click on a header) */
  {
    g_autoptr(GString) sorts = g_string_new ("sort_ms=");

    for (CpInvoiceSortKey key = 0; key < CP_INVOICE_N_SORTS; key++)
      {
        t0 = g_get_monotonic_time ();
        cp_invoice_index_get_order (index, key);
        g_string_append_printf (sorts, "%s%.1f", key > 0 ? " " : "", (g_get_monotonic_time () - t0) / 1000.0);
      }
    printf ("%s\n", sorts->str);
  }

  /* (c) the searches as SQL: the store in this process, the sqlite3 shell */
  if (g_getenv ("BENCH_LIST_NO_SQL") == NULL)
  {
    g_autofree char *number = g_ascii_strdown (middle->number, -1);
    const char *queries[] = { "g", "garc", "garcia", "smith, o", number, "mrn-02", middle->mrn };
    double store_ms[G_N_ELEMENTS (queries)], shell_ms[G_N_ELEMENTS (queries)];
    double index_ms[G_N_ELEMENTS (queries)];
    double ratio[G_N_ELEMENTS (queries)];
    guint n = G_N_ELEMENTS (queries);

    for (guint i = 0; i < n; i++)
      {
        double s[3], h[3], x[3], unused;
        guint n_rows = 0;

        for (guint r = 0; r < 3; r++)
          {
            s[r] = time_store_query (CP_STORE (store), queries[i], &n_rows);
            h[r] = time_shell_query (db, queries[i]);
            x[r] = time_index_filter (index, queries[i]);
          }
        stats (s, 3, &store_ms[i], &unused);
        stats (h, 3, &shell_ms[i], &unused);
        stats (x, 3, &index_ms[i], &unused);
        ratio[i] = store_ms[i] / shell_ms[i];
        printf ("sql_%u=%s|%u|%.1f|%.1f|%.2f|%.2f\n", i, queries[i], n_rows, store_ms[i],
                shell_ms[i], ratio[i], index_ms[i]);
      }
    stats (ratio, n, &med, &p95);
    printf ("sql_ratio_median=%.2f\nsql_ratio_max=%.2f\n", med, ratio[n - 1]);
  }
  g_clear_pointer (&index, cp_invoice_index_unref);
  fflush (stdout);
  return 0;
}

/* The parent: seeds the files, runs the children, prints the tables. */

static GHashTable *
run_child (const char *self_exe,
           const char *db,
           guint       n,
           const char *renderer)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  const char *argv[] = { self_exe, "--run", db, n_text, NULL };

  return bench_run_child (argv, renderer);
}

static const char *
get (GHashTable *v,
     const char *key)
{
  const char *value = g_hash_table_lookup (v, key);

  return value != NULL ? value : "?";
}

static double
mib (GHashTable *v,
     const char *key)
{
  const char *value = g_hash_table_lookup (v, key);

  return value != NULL ? g_ascii_strtod (value, NULL) / 1024.0 : -1;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *self_exe = NULL;
  GHashTable *results[G_N_ELEMENTS (sizes)][2] = { { NULL } };
  const char *renderers[] = { NULL, "cairo" };
  const char *renderer_names[] = { "default", "cairo" };
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);

  if (argc == 4 && strcmp (argv[1], "--run") == 0)
    return run_one (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("carepay-bench-list-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *db = g_strdup_printf ("%s/list-%u.db", dir, sizes[s]);
      g_autoptr(CpSqliteStore) store = cp_sqlite_store_open (db, CP_SQLITE_OPEN_CREATE, &error);
      gint64 t0 = g_get_monotonic_time ();

      g_assert_no_error (error);
      g_assert_true (cp_seed_demo (CP_STORE (store), sizes[s], 8, TODAY, &error));
      g_assert_no_error (error);
      g_clear_object (&store);
      g_printerr ("seeded %u invoices in %.1f s\n", sizes[s], (g_get_monotonic_time () - t0) / 1e6);

      for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
        {
          g_printerr ("%u invoices, renderer %s:\n", sizes[s], renderer_names[r]);
          results[s][r] = run_child (self_exe, db, sizes[s], renderers[r]);
        }
    }

  printf ("\nInvoice list benchmark (issue #8), GTK %u.%u.%u, %s\n",
          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
          g_getenv ("DISPLAY") ? "X11 (Xvfb under run-benchmarks)" : "no display");
  printf ("Keystroke = time from cp_invoice_list_set_search() to the end of the next frame:\n"
          "  filter = filter + items-changed (+ what GTK does on it), frame = layout + paint\n"
          "  of the frame that shows it (before-paint to after-paint). The wait for the frame\n"
          "  clock between the two (vsync / frame pacing) is EXCLUDED from key = filter + frame;\n"
          "  wall includes it. Median / p95 over the typing sequence.\n\n");

  printf ("%-9s %-8s %9s %9s %10s %10s %13s %13s %13s %13s\n",
          "invoices", "render", "build ms", "index KiB", "1st rows", "all rows",
          "filter med/95", "frame med/95", "key med/95", "wall med/95");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
      {
        GHashTable *v = results[s][r];
        g_autofree char *filter = g_strdup_printf ("%s/%s", get (v, "filter_med"), get (v, "filter_p95"));
        g_autofree char *frame = g_strdup_printf ("%s/%s", get (v, "frame_med"), get (v, "frame_p95"));
        g_autofree char *key = g_strdup_printf ("%s/%s", get (v, "key_med"), get (v, "key_p95"));
        g_autofree char *wall = g_strdup_printf ("%s/%s", get (v, "wall_med"), get (v, "wall_p95"));

        printf ("%-9u %-8s %9s %9s %10s %10s %13s %13s %13s %13s\n", sizes[s], renderer_names[r],
                get (v, "build_ms"), get (v, "index_kib"), get (v, "first_rows_ms"),
                get (v, "all_rows_ms"), filter, frame, key, wall);
      }

  printf ("\nThe same keystrokes in load-independent terms: CPU time of the process (all\n"
          "threads, Mesa's included) and of the main thread, median / p95; cells (one widget\n"
          "tree per column of a row) built, dropped and filled over the %s keystrokes, and\n"
          "the most built or dropped by one. A full repaint of the window (15, median wall /\n"
          "process CPU ms): a bare 1280x800 window, and the same window with the list.\n"
          "Swap = the longest main-loop stall after the first page was painted, while the\n"
          "whole index replaced it (wall / main-thread CPU ms, cells built). Later = when\n"
          "a result grows past a screenful, the list lets the other rows GTK builds widgets\n"
          "for in over the next frames (CpPacedModel): the longest of those frames, p95 / max\n"
          "ms, and the main thread's CPU over them, p95 / max ms (not in key above); stall =\n"
          "the most main-thread CPU one main-loop iteration took among them (max ms).\n\n",
          get (results[0][0], "keys"));
  printf ("%-9s %-8s %13s %13s %6s %7s %6s %5s %12s %12s %12s %5s %13s %13s %6s\n", "invoices",
          "render", "cpu med/95", "main med/95", "built", "dropped", "filled", "max", "bare frame",
          "list frame", "swap stall", "built", "later frame", "later cpu", "stall");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
      {
        GHashTable *v = results[s][r];
        g_autofree char *cpu = g_strdup_printf ("%s/%s", get (v, "cpu_med"), get (v, "cpu_p95"));
        g_autofree char *main_cpu = g_strdup_printf ("%s/%s", get (v, "main_cpu_med"), get (v, "main_cpu_p95"));
        g_autofree char *bare = g_strdup_printf ("%s/%s", get (v, "bare_frame_med"), get (v, "bare_frame_cpu_med"));
        g_autofree char *listf = g_strdup_printf ("%s/%s", get (v, "list_frame_med"), get (v, "list_frame_cpu_med"));
        g_autofree char *swap = g_strdup_printf ("%s/%s", get (v, "swap_stall_ms"), get (v, "swap_stall_cpu_ms"));

        g_autofree char *later = g_strdup_printf ("%s/%s", get (v, "later_frame_p95"), get (v, "later_frame_max"));
        g_autofree char *later_cpu = g_strdup_printf ("%s/%s", get (v, "later_cpu_p95"), get (v, "later_cpu_max"));

        printf ("%-9u %-8s %13s %13s %6s %7s %6s %5s %12s %12s %12s %5s %13s %13s %6s\n", sizes[s],
                renderer_names[r], cpu, main_cpu, get (v, "cells_built"), get (v, "cells_dropped"),
                get (v, "cells_filled"), get (v, "cells_built_max"), bare, listf, swap,
                get (v, "swap_cells_built"), later, later_cpu, get (v, "later_stall_cpu_max"));
      }

  printf ("\nResident memory (MiB) of a fresh process: before any window, with a bare 1280x800\n"
          "GtkWindow painted, with the list in it (all rows loaded), after typing and scrolling\n"
          "through to the end. VmRSS, and RssAnon (the heap: VmRSS less the mapped files, such\n"
          "as the database pages SQLite read). list-bare = scrolled - bare, the issue's figure\n"
          "(budget 60 MiB). items = CpInvoiceRow objects alive after scrolling; widgets = widgets\n"
          "under the list's view with all rows loaded / after scrolling.\n\n");
  printf ("%-9s %-8s %-17s %7s %7s %7s %8s %9s | %8s %9s %9s %6s %11s\n", "invoices", "render",
          "renderer type", "base", "bare", "list", "scrolled", "list-bare", "anon bare",
          "anon scr.", "anon l-b", "items", "widgets");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
      {
        GHashTable *v = results[s][r];

        g_autofree char *widgets = g_strdup_printf ("%s/%s", get (v, "widgets_list"), get (v, "widgets_scrolled"));

        printf ("%-9u %-8s %-17s %7.1f %7.1f %7.1f %8.1f %9.1f | %8.1f %9.1f %9.1f %6s %11s\n",
                sizes[s], renderer_names[r], get (v, "renderer"), mib (v, "rss_base"),
                mib (v, "rss_bare"), mib (v, "rss_list"), mib (v, "rss_scrolled"),
                mib (v, "rss_scrolled") - mib (v, "rss_bare"), mib (v, "anon_bare"),
                mib (v, "anon_scrolled"), mib (v, "anon_scrolled") - mib (v, "anon_bare"),
                get (v, "cached_rows"), widgets);
      }

  printf ("\nEach column's order, made once on the first click on its header and kept\n"
          "(ms; number, patient, issued, due, total, balance, status), cairo run:\n\n");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    printf ("%-9u %s\n", sizes[s], get (results[s][1], "sort_ms"));

  printf ("\nSearch as SQL (default-renderer run; ms, median of 3): the store's list query in this\n"
          "process (cp_store_list_invoices) vs the same SQL run by `sqlite3 FILE \"SQL\"` (spawn\n"
          "included), and the in-memory index's pass over every row for the same text.\n\n");
  printf ("%-9s %-18s %7s %9s %9s %7s %9s\n", "invoices", "search", "rows", "store", "sqlite3",
          "ratio", "index");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint i = 0;; i++)
      {
        g_autofree char *key = g_strdup_printf ("sql_%u", i);
        const char *value = g_hash_table_lookup (results[s][0], key);
        g_auto(GStrv) f = NULL;

        if (value == NULL)
          break;
        f = g_strsplit (value, "|", -1);
        if (g_strv_length (f) < 6)
          break;
        printf ("%-9u %-18s %7s %9s %9s %7s %9s\n", sizes[s], f[0], f[1], f[2], f[3], f[4], f[5]);
      }

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *db = g_strdup_printf ("%s/list-%u.db", dir, sizes[s]);

      test_unlink_sqlite (db);
      for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
        g_clear_pointer (&results[s][r], g_hash_table_unref);
    }
  g_rmdir (dir);
  return 0;
}
