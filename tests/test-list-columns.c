/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The invoice list's columns (CpInvoiceListHeader over CpInvoiceRowWidget
 * rows in a GtkListView, wired as CpInvoiceList wires them) in a real window
 * under Xvfb, driven by real X events (xdotool): a column fits the rows
 * bound now, so it shrinks back once a wide value has scrolled away and the
 * rows stay put, and grows at once when it comes back; a drag on a heading's
 * edge makes a column wider or narrower (the patient's down to its heading,
 * names ellipsized; the others never below their widest value); a double-click on the
 * edge fits the column to its content again, and neither sorts; so do
 * Ctrl+Left, Ctrl+Right and Ctrl+0 on a focused heading. The widths given
 * are kept (GSettings) for the next start. */
#include "config.h"

#include "cp-invoice-list-header.h"
#include "cp-invoice-row.h"
#include "cp-invoice-row-widget.h"
#include "test-app-util.h"
#include "xdo-test-util.h"

#define N_ROWS 600        /* far more than GTK 4.8 keeps bound (~200) */
#define WIDE_NUMBER "INV-2026-000000"
#define WIDE_TOTAL  987654321099  /* $9,876,543,210.99: the one wide amount */

typedef struct {
  GtkWidget           *window;
  CpInvoiceListHeader *header;
  GtkWidget           *list;
  GListStore          *rows;
  /* The pointer events the window has taken (its capture phase): the test
   * waits for each one sent, not for a while. */
  guint                n_presses;
  guint                n_releases;
  double               motion_x;
} Fixture;

/* --- the list ------------------------------------------------------------ */

static CpInvoiceRow *
make_row (guint i)
{
  CpInvoiceSummary *s = cp_invoice_summary_new ();

  s->id = i + 1;
  s->number = i == 0 ? g_strdup (WIDE_NUMBER) : g_strdup_printf ("INV-2026-%06u", i);
  s->patient_id = i % 50 + 1;
  s->patient_name = g_strdup_printf ("Garcia Lopez, Maria %u", i % 50);
  s->mrn = g_strdup_printf ("MRN-%05u", i % 50);
  s->issue_date = g_strdup ("2026-11-01");
  s->due_date = g_strdup ("2026-12-01");
  s->currency = g_strdup ("USD");
  s->total = i == 0 ? WIDE_TOTAL : 12050;
  s->balance_due = i % 3 == 0 ? 0 : s->total;
  s->status = i % 3 == 0 ? CP_INVOICE_STATUS_PAID : CP_INVOICE_STATUS_PENDING;
  return cp_invoice_row_new (s);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          Fixture                  *f)
{
  gtk_list_item_set_child (item, cp_invoice_row_widget_new (f->header));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Fixture                  *f)
{
  cp_invoice_row_widget_set_row (CP_INVOICE_ROW_WIDGET (gtk_list_item_get_child (item)),
                                 gtk_list_item_get_item (item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Fixture                  *f)
{
  cp_invoice_row_widget_set_row (CP_INVOICE_ROW_WIDGET (gtk_list_item_get_child (item)), NULL);
}

/* --- events -------------------------------------------------------------- */

static gboolean
window_event_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 Fixture                  *f)
{
  double x = 0, y = 0;

  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
      f->n_presses++;
      break;
    case GDK_BUTTON_RELEASE:
      f->n_releases++;
      break;
    case GDK_MOTION_NOTIFY:
      if (gdk_event_get_position (event, &x, &y))
        f->motion_x = x;
      break;
    default:
      break;
    }
  return FALSE;
}

/* The pointer to a point of the header, in the X window's coordinates. */
static void
pointer_to (Fixture *f,
            int      x,
            int      y)
{
  g_autofree char *xid = xdo_window_id (f->window);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  GdkDevice *pointer = gdk_seat_get_pointer (gdk_display_get_default_seat (gdk_display_get_default ()));
  graphene_point_t p;
  double sx = 0, sy = 0, at_x = -1, at_y = -1;
  int tx, ty;
  g_autofree char *xs = NULL;
  g_autofree char *ys = NULL;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f->header), f->window, &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &sx, &sy);
  tx = (int) (p.x + sx);
  ty = (int) (p.y + sy);
  /* Already there (the X server's pointer is shared by the tests): no
   * motion to wait for. */
  gdk_surface_get_device_position (surface, pointer, &at_x, &at_y, NULL);
  if ((int) at_x == tx && (int) at_y == ty)
    return;
  xs = g_strdup_printf ("%d", tx);
  ys = g_strdup_printf ("%d", ty);
  xdo_sync ("mousemove", "--window", xid, xs, ys, NULL);
  SPIN_UNTIL ((int) f->motion_x == tx, 20);
}

static void
columns (Fixture *f,
         int     *xs,
         int     *ws)
{
  cp_invoice_list_header_get_columns (f->header, gtk_widget_get_width (GTK_WIDGET (f->header)), xs, ws);
}

/* The right edge of `column` in the header. */
static int
edge (Fixture          *f,
      CpInvoiceSortKey  column)
{
  int xs[CP_INVOICE_N_SORTS], ws[CP_INVOICE_N_SORTS];

  columns (f, xs, ws);
  return xs[column] + ws[column];
}

/* A person's drag of `column`'s edge by dx, a few moves a frame apart. */
static void
drag_edge (Fixture          *f,
           CpInvoiceSortKey  column,
           int               dx)
{
  int x = edge (f, column) - 1;
  int y = gtk_widget_get_height (GTK_WIDGET (f->header)) / 2;

  guint presses = f->n_presses, releases = f->n_releases;

  pointer_to (f, x, y);
  xdo_sync ("mousedown", "1", NULL);
  SPIN_UNTIL (f->n_presses == presses + 1, 20);
  for (int i = 1; i <= 4; i++)
    pointer_to (f, MAX (x + dx * i / 4, 0), y);
  xdo_sync ("mouseup", "1", NULL);
  SPIN_UNTIL (f->n_releases == releases + 1, 20);
}

static void
double_click_edge (Fixture          *f,
                   CpInvoiceSortKey  column)
{
  guint releases = f->n_releases;

  pointer_to (f, edge (f, column) - 1, gtk_widget_get_height (GTK_WIDGET (f->header)) / 2);
  xdo_sync ("click", "--repeat", "2", "--delay", "60", "1", NULL);
  SPIN_UNTIL (f->n_releases == releases + 2, 20);
}

/* The row widget showing `number`, if bound. */
static gboolean
shows_number (GtkWidget     *widget,
              gconstpointer  data)
{
  const char *text = CP_IS_INVOICE_ROW_WIDGET (widget) ? cp_invoice_row_widget_get_text (CP_INVOICE_ROW_WIDGET (widget)) : NULL;

  return text != NULL && g_str_has_prefix (text, data) && gtk_widget_get_mapped (widget);
}

static CpInvoiceRowWidget *
row_widget (Fixture    *f,
            const char *number)
{
  return (CpInvoiceRowWidget *) find_widget (f->list, CP_TYPE_INVOICE_ROW_WIDGET, shows_number, number);
}

/* The text width `column` has in the row showing `number`, padding included. */
static int
cell_width (Fixture          *f,
            const char       *number,
            CpInvoiceSortKey  column,
            gboolean         *cut)
{
  CpInvoiceRowWidget *row = row_widget (f, number);
  graphene_rect_t bounds;

  g_assert_nonnull (row);
  g_assert_nonnull (cp_invoice_row_widget_get_cell (row, column, &bounds, cut));
  return (int) bounds.size.width + 2 * CP_INVOICE_CELL_PADDING;
}

static int
heading_width (Fixture          *f,
               CpInvoiceSortKey  column)
{
  GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (f->header));
  int natural = 0;

  for (int i = 0; i < column; i++)
    button = gtk_widget_get_next_sibling (button);
  gtk_widget_measure (button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

/* The width a header made now (as at the next start) gives `column`. */
static int
kept_width (CpInvoiceSortKey column)
{
  GtkWidget *header = g_object_ref_sink (cp_invoice_list_header_new ());
  int width = cp_invoice_list_header_get_column_width (CP_INVOICE_LIST_HEADER (header), column);

  g_assert_finalize_object (header);
  return width;
}

static void
wait_frames (Fixture *f,
             guint    n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (f->window);
  gint64 start = gdk_frame_clock_get_frame_counter (clock);

  gtk_widget_queue_draw (f->window);
  SPIN_UNTIL (gdk_frame_clock_get_frame_counter (clock) >= start + n, 20);
}

/* --- fixture ------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autofree char *xid = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkSingleSelection *selection;

  /* Each test starts with no widths kept by an earlier one. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.stingrays.CarePay");

    g_settings_reset (settings, "invoice-column-widths");
  }
  f->rows = g_list_store_new (CP_TYPE_INVOICE_ROW);
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autoptr(CpInvoiceRow) row = make_row (i);

      g_list_store_append (f->rows, row);
    }
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (f->rows)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);

  f->header = CP_INVOICE_LIST_HEADER (cp_invoice_list_header_new ());
  gtk_widget_add_css_class (GTK_WIDGET (f->header), "invoice-header");
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), f);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), f);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), f);
  f->list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), g_object_ref (factory));
  gtk_list_view_set_show_separators (GTK_LIST_VIEW (f->list), TRUE);
  gtk_widget_add_css_class (f->list, "invoice-table");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), f->list);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->header));
  gtk_box_append (GTK_BOX (box), scrolled);

  f->window = gtk_window_new ();
  {
    GtkEventController *events = gtk_event_controller_legacy_new ();

    gtk_event_controller_set_propagation_phase (events, GTK_PHASE_CAPTURE);
    g_signal_connect (events, "event", G_CALLBACK (window_event_cb), f);
    gtk_widget_add_controller (f->window, events);
  }
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 600);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (f->window), 20);
  xid = xdo_window_id (f->window);
  xdo_sync ("windowfocus", "--sync", xid, NULL);
  SPIN_UNTIL (gtk_window_is_active (GTK_WINDOW (f->window)), 20);
  SPIN_UNTIL (row_widget (f, WIDE_NUMBER) != NULL, 20);
  wait_frames (f, 2);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_briefly (50);
  g_clear_object (&f->rows);
}

/* --- tests --------------------------------------------------------------- */

/* The total column fits the one wide amount while its row is bound; once
 * it has scrolled far away and the rows stay put, the column shrinks to the
 * amounts bound now; back at the top it is wide again, at once. */
static void
test_shrink_after_scroll (Fixture       *f,
                          gconstpointer  data)
{
  int xs[CP_INVOICE_N_SORTS], ws[CP_INVOICE_N_SORTS];
  int wide, narrow;
  gboolean cut = TRUE;
  g_autofree char *last = g_strdup_printf ("INV-2026-%06u", N_ROWS - 1);

  wide = cell_width (f, WIDE_NUMBER, CP_INVOICE_SORT_TOTAL, &cut);
  g_assert_false (cut);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);

  /* End, as a clerk would press it in the list. */
  gtk_widget_grab_focus (f->list);
  SPIN_UNTIL (gtk_widget_has_focus (f->list) || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), f->list), 20);
  xdo_sync ("key", "--clearmodifiers", "End", NULL);
  SPIN_UNTIL (row_widget (f, last) != NULL, 20);
  g_assert_null (row_widget (f, WIDE_NUMBER));

  /* The amounts bound now are all "$120.50": the column fits them. */
  narrow = cell_width (f, last, CP_INVOICE_SORT_TOTAL, &cut);
  g_assert_cmpint (narrow, <, wide);
  SPIN_UNTIL (cp_invoice_list_header_get_content_width (f->header, CP_INVOICE_SORT_TOTAL) == narrow, 20);
  wait_frames (f, 1);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, MAX (narrow, heading_width (f, CP_INVOICE_SORT_TOTAL)));
  cell_width (f, last, CP_INVOICE_SORT_TOTAL, &cut);
  g_assert_false (cut);

  /* Home: the wide amount is whole as soon as its row is laid out. */
  xdo_sync ("key", "--clearmodifiers", "Home", NULL);
  SPIN_UNTIL (row_widget (f, WIDE_NUMBER) != NULL, 20);
  wait_frames (f, 1);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);
  cell_width (f, WIDE_NUMBER, CP_INVOICE_SORT_TOTAL, &cut);
  g_assert_false (cut);
}

/* A drag on the total's edge widens it and narrows it again, the patient
 * taking or giving the room, but never below its widest amount shown: an
 * amount cut short could be misread. It keeps the width it was given while
 * other rows scroll by; a double-click on the edge fits it again. Presses
 * on an edge never sort. */
static void
test_drag_narrower_and_reset (Fixture       *f,
                              gconstpointer  data)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  int xs[CP_INVOICE_N_SORTS], ws[CP_INVOICE_N_SORTS], before[CP_INVOICE_N_SORTS], bx[CP_INVOICE_N_SORTS];
  gboolean cut = FALSE;
  int wide;

  columns (f, bx, before);
  wide = before[CP_INVOICE_SORT_TOTAL];

  drag_edge (f, CP_INVOICE_SORT_TOTAL, 60);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide + 60);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, before[CP_INVOICE_SORT_PATIENT] - 60);
  g_assert_cmpint (xs[CP_INVOICE_SORT_BALANCE], ==, bx[CP_INVOICE_SORT_BALANCE]);
  g_assert_cmpint (cp_invoice_list_header_get_sort_key (f->header), ==, CP_INVOICE_SORT_NONE);

  drag_edge (f, CP_INVOICE_SORT_TOTAL, -30);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide + 30);
  g_assert_cmpint (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL), ==, wide + 30);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, before[CP_INVOICE_SORT_PATIENT] - 30);
  /* Kept for the next start. */
  g_assert_cmpint (kept_width (CP_INVOICE_SORT_TOTAL), ==, wide + 30);

  /* Much further: it stops at the widest amount, which stays whole. */
  drag_edge (f, CP_INVOICE_SORT_TOTAL, -400);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);
  wait_frames (f, 1);
  cell_width (f, WIDE_NUMBER, CP_INVOICE_SORT_TOTAL, &cut);
  g_assert_false (cut);
  if (dir != NULL)
    save_screenshot (f->window, dir, "list-columns-narrowed.png");

  /* It keeps that width whatever the rows bound: not refitted by a scroll. */
  gtk_widget_grab_focus (f->list);
  xdo_sync ("key", "--clearmodifiers", "End", NULL);
  SPIN_UNTIL (row_widget (f, WIDE_NUMBER) == NULL, 20);
  xdo_sync ("key", "--clearmodifiers", "Home", NULL);
  SPIN_UNTIL (row_widget (f, WIDE_NUMBER) != NULL, 20);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);

  /* A double-click on its edge: fitted to the amounts again, unsorted. */
  drag_edge (f, CP_INVOICE_SORT_TOTAL, 40);
  double_click_edge (f, CP_INVOICE_SORT_TOTAL);
  g_assert_cmpint (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL), ==, -1);
  g_assert_cmpint (kept_width (CP_INVOICE_SORT_TOTAL), ==, -1);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);
  g_assert_cmpint (cp_invoice_list_header_get_sort_key (f->header), ==, CP_INVOICE_SORT_NONE);

  /* The invoice number's edge, too. */
  drag_edge (f, CP_INVOICE_SORT_NUMBER, 25);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_NUMBER], ==, before[CP_INVOICE_SORT_NUMBER] + 25);
  g_assert_cmpint (cp_invoice_list_header_get_sort_key (f->header), ==, CP_INVOICE_SORT_NONE);
}

/* The patient's edge moves too: the rest of the row is then left empty
 * after the last column; it cannot push the others out of the row; a
 * double-click gives it the rest again. */
static void
test_patient_edge (Fixture       *f,
                   gconstpointer  data)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  int xs[CP_INVOICE_N_SORTS], ws[CP_INVOICE_N_SORTS], before[CP_INVOICE_N_SORTS], bx[CP_INVOICE_N_SORTS];
  int width = gtk_widget_get_width (GTK_WIDGET (f->header));
  gboolean cut = FALSE;

  columns (f, bx, before);
  g_assert_cmpint (edge (f, CP_INVOICE_SORT_STATUS), ==, width);
  g_assert_cmpint (before[CP_INVOICE_SORT_PATIENT] - 120, >, heading_width (f, CP_INVOICE_SORT_PATIENT));

  drag_edge (f, CP_INVOICE_SORT_PATIENT, -120);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, before[CP_INVOICE_SORT_PATIENT] - 120);
  g_assert_cmpint (xs[CP_INVOICE_SORT_ISSUE_DATE], ==, bx[CP_INVOICE_SORT_ISSUE_DATE] - 120);
  g_assert_cmpint (ws[CP_INVOICE_SORT_STATUS], ==, before[CP_INVOICE_SORT_STATUS]);
  g_assert_cmpint (edge (f, CP_INVOICE_SORT_STATUS), ==, width - 120);
  wait_frames (f, 1);
  if (dir != NULL)
    save_screenshot (f->window, dir, "list-columns-patient.png");

  /* Much wider: no further than the row holds. */
  drag_edge (f, CP_INVOICE_SORT_PATIENT, 600);
  columns (f, xs, ws);
  g_assert_cmpint (edge (f, CP_INVOICE_SORT_STATUS), ==, width);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, before[CP_INVOICE_SORT_PATIENT]);

  /* Narrower than the names: they ellipsize, the heading stays whole. */
  drag_edge (f, CP_INVOICE_SORT_PATIENT, -800);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, heading_width (f, CP_INVOICE_SORT_PATIENT));
  wait_frames (f, 1);
  cell_width (f, WIDE_NUMBER, CP_INVOICE_SORT_PATIENT, &cut);
  g_assert_true (cut);

  /* A double-click: the rest again. */
  double_click_edge (f, CP_INVOICE_SORT_PATIENT);
  g_assert_cmpint (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_PATIENT), ==, -1);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_PATIENT], ==, before[CP_INVOICE_SORT_PATIENT]);
  g_assert_cmpint (edge (f, CP_INVOICE_SORT_STATUS), ==, width);
  g_assert_cmpint (cp_invoice_list_header_get_sort_key (f->header), ==, CP_INVOICE_SORT_NONE);
}

/* With a heading focused: Ctrl+Right widens its column a step, Ctrl+Left
 * narrows it (not below its widest amount), Ctrl+0 fits it again; none of
 * them sorts. */
static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *total = gtk_widget_get_first_child (GTK_WIDGET (f->header));
  int xs[CP_INVOICE_N_SORTS], ws[CP_INVOICE_N_SORTS];
  int wide, step;

  for (int i = 0; i < CP_INVOICE_SORT_TOTAL; i++)
    total = gtk_widget_get_next_sibling (total);
  columns (f, xs, ws);
  wide = ws[CP_INVOICE_SORT_TOTAL];
  g_assert_true (gtk_widget_grab_focus (total));
  SPIN_UNTIL (gtk_widget_has_focus (total), 20);

  xdo_sync ("key", "--clearmodifiers", "ctrl+Right", NULL);
  SPIN_UNTIL (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL) != -1, 20);
  columns (f, xs, ws);
  step = ws[CP_INVOICE_SORT_TOTAL] - wide;
  g_assert_cmpint (step, >, 0);
  xdo_sync ("key", "--clearmodifiers", "ctrl+Right", "ctrl+Left", "ctrl+Left", NULL);
  SPIN_UNTIL (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL) == wide, 20);
  /* No narrower than the amounts. */
  xdo_sync ("key", "--clearmodifiers", "ctrl+Left", NULL);
  spin_briefly (200);
  g_assert_cmpint (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL), ==, wide);
  xdo_sync ("key", "--clearmodifiers", "ctrl+0", NULL);
  SPIN_UNTIL (cp_invoice_list_header_get_column_width (f->header, CP_INVOICE_SORT_TOTAL) == -1, 20);
  columns (f, xs, ws);
  g_assert_cmpint (ws[CP_INVOICE_SORT_TOTAL], ==, wide);
  g_assert_cmpint (cp_invoice_list_header_get_sort_key (f->header), ==, CP_INVOICE_SORT_NONE);
  g_assert_true (gtk_widget_has_focus (total));
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/carepay/list-columns/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("shrink-after-scroll", test_shrink_after_scroll);
  ADD ("drag-narrower-and-reset", test_drag_narrower_and_reset);
  ADD ("patient-edge", test_patient_edge);
  ADD ("keyboard", test_keyboard);
#undef ADD

  return g_test_run ();
}
