/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CpPacedModel in a real column view and a real list view under Xvfb,
 * driven by real X events (xdotool): when a result grows from 100 rows to
 * 1,500 and the person asks for the end (End, Ctrl+End, Shift+End, Page
 * Down, or the scrollbar dragged to the bottom) before the rows have all
 * been let in, the view reaches the real last row, not the last one let in
 * so far; other keys leave the pacing as it was. Each key is sent while our
 * main loop waits, so GTK takes it before the next frame lets more rows in;
 * the test checks that the model was still holding rows back when it came. */
#include "config.h"

#include "cp-paced-model.h"
#include "test-app-util.h"
#include "xdo-test-util.h"

#define N_FIRST   100  /* more than a page: the scrollbar has a slider */
#define N_GROWN   1500
#define N_COLUMNS 7
#define N_MOVES   4    /* a scrollbar drag in 4 moves, a frame apart: quicker than the pacing */

/* Each test runs in a column view of 7 columns, and in a list view of one
 * widget a row (as the invoice list draws its rows). */
typedef struct {
  const char *keys;
  gboolean    list_view;
} Case;

typedef struct {
  GtkWidget       *window;
  GtkWidget       *scrolled;
  GtkWidget       *view;         /* the scrollable: a GtkColumnView or a GtkListView */
  GtkWidget       *list;         /* the GtkListView, the column view's or the view */
  GListStore      *source;
  CpPacedModel    *paced;
  GtkSingleSelection *selection;
  guint            n_setup;      /* cells built */
  /* When the last key or button press came (the window's capture phase) */
  gboolean         pacing_at_event;
  guint            shown_at_event;
  guint            n_events;
} Fixture;

/* --- cells ------------------------------------------------------------- */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          Fixture                  *f)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
  f->n_setup++;
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Fixture                  *f)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

/* --- events -------------------------------------------------------------- */

static gboolean
window_key_cb (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               Fixture               *f)
{
  if (keyval == GDK_KEY_Control_L || keyval == GDK_KEY_Control_R ||
      keyval == GDK_KEY_Shift_L || keyval == GDK_KEY_Shift_R)
    return FALSE;
  f->pacing_at_event = cp_paced_model_is_pacing (f->paced);
  f->shown_at_event = g_list_model_get_n_items (G_LIST_MODEL (f->paced));
  f->n_events++;
  return FALSE;
}

static void
window_press_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 Fixture         *f)
{
  f->pacing_at_event = cp_paced_model_is_pacing (f->paced);
  f->shown_at_event = g_list_model_get_n_items (G_LIST_MODEL (f->paced));
  f->n_events++;
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *n)
{
  (*n)++;
}

static gboolean
keep_ticking_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until the window has painted `n` more frames (a tick
 * callback asks for them: GTK paints only when something changed). */
static void
wait_frames (Fixture *f,
             guint    n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (f->window);
  guint painted = 0;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  guint tick = gtk_widget_add_tick_callback (f->window, keep_ticking_cb, NULL, NULL);

  SPIN_UNTIL (painted >= n, 20);
  gtk_widget_remove_tick_callback (f->window, tick);
  g_signal_handler_disconnect (clock, id);
}

/* --- fixture ------------------------------------------------------------- */

static void
fill (GListStore *store,
      guint       from,
      guint       to)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = from; i < to; i++)
    {
      g_autofree char *text = g_strdup_printf ("INV-2026-%06u", i + 1);

      g_ptr_array_add (items, gtk_string_object_new (text));
    }
  g_list_store_splice (store, from, 0, items->pdata, items->len);
}

static GtkListItemFactory *
cell_factory (Fixture *f)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), f);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), f);
  return factory;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  g_autofree char *xid = NULL;

  f->source = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  fill (f->source, 0, N_FIRST);
  f->paced = cp_paced_model_new (G_LIST_MODEL (f->source));
  f->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (f->paced)));
  if (((const Case *) data)->list_view)
    {
      f->view = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (f->selection)), cell_factory (f));
      f->list = f->view;
    }
  else
    {
      f->view = gtk_column_view_new (GTK_SELECTION_MODEL (g_object_ref (f->selection)));
      for (guint c = 0; c < N_COLUMNS; c++)
        {
          g_autofree char *title = g_strdup_printf ("Column %u", c + 1);
          g_autoptr(GtkColumnViewColumn) column = gtk_column_view_column_new (title, cell_factory (f));

          gtk_column_view_column_set_expand (column, TRUE);
          gtk_column_view_append_column (GTK_COLUMN_VIEW (f->view), column);
        }
      for (GtkWidget *child = gtk_widget_get_first_child (f->view); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_LIST_VIEW (child))
          f->list = child;
      g_assert_nonnull (f->list);
    }
  cp_paced_model_set_widget (f->paced, f->view);

  f->scrolled = gtk_scrolled_window_new ();
  /* Classic scrollbars: an overlay one shows only under a moving pointer. */
  gtk_scrolled_window_set_overlay_scrolling (GTK_SCROLLED_WINDOW (f->scrolled), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (f->scrolled), f->view);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 900);
  gtk_window_set_child (GTK_WINDOW (f->window), f->scrolled);

  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (window_key_cb), f);
  gtk_widget_add_controller (f->window, key);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (window_press_cb), f);
  gtk_widget_add_controller (f->window, GTK_EVENT_CONTROLLER (click));

  gtk_window_present (GTK_WINDOW (f->window));
  SPIN_UNTIL (gtk_widget_get_mapped (f->window), 20);
  xid = xdo_window_id (f->window);
  xdo_sync ("windowfocus", "--sync", xid, NULL);
  SPIN_UNTIL (gtk_window_is_active (GTK_WINDOW (f->window)), 20);
  while (cp_paced_model_is_pacing (f->paced))
    g_main_context_iteration (NULL, TRUE);
  wait_frames (f, 2);

  /* The keyboard focus on the first row, selected */
  gtk_single_selection_set_selected (f->selection, 0);
  gtk_widget_grab_focus (f->list);
  SPIN_UNTIL (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), f->view), 20);
  wait_frames (f, 1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->selection);
  g_clear_object (&f->paced);
  g_clear_object (&f->source);
}

/* --- checks -------------------------------------------------------------- */

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether row `position` (its first cell, which shows its text) is on
 * screen, inside the scrolled window. */
static gboolean
row_visible (Fixture *f,
             guint    position)
{
  g_autofree char *text = g_strdup_printf ("INV-2026-%06u", position + 1);
  GtkWidget *cell = find_label (f->view, text);
  graphene_rect_t bounds;

  if (cell == NULL || !gtk_widget_compute_bounds (cell, f->scrolled, &bounds))
    return FALSE;
  return bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (f->scrolled) + 0.5;
}

/* The source grows from N_FIRST rows to N_GROWN: a search result arriving. */
static void
grow (Fixture *f)
{
  fill (f->source, N_FIRST, N_GROWN);
  g_assert_true (cp_paced_model_is_pacing (f->paced));
  f->n_events = 0;
}

/* After the event, the model was still pacing when GTK took it. */
static void
assert_asked_while_pacing (Fixture *f)
{
  SPIN_UNTIL (f->n_events > 0, 20);
  g_test_message ("rows let in when the event came: %u of %u", f->shown_at_event, N_GROWN);
  g_assert_true (f->pacing_at_event);
  g_assert_cmpuint (f->shown_at_event, <, N_GROWN);
}

static gboolean
at_bottom (Fixture *f)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->view));

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - 1;
}

/* All the rows are in, the view is scrolled to the bottom and the last row
 * is on screen (a frame or two after the selection moved). */
static void
assert_at_end (Fixture *f)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->view));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->paced)), ==, N_GROWN);
  SPIN_UNTIL (at_bottom (f) && row_visible (f, N_GROWN - 1), 20);
  g_test_message ("at the end: value %.0f + page %.0f of %.0f", gtk_adjustment_get_value (adjustment),
                  gtk_adjustment_get_page_size (adjustment), gtk_adjustment_get_upper (adjustment));
}

static void
test_end_key (Fixture       *f,
              gconstpointer  data)
{
  const char *keys = ((const Case *) data)->keys;
  guint n_setup;

  grow (f);
  n_setup = f->n_setup;
  xdo_sync ("key", "--clearmodifiers", keys, NULL);
  assert_asked_while_pacing (f);
  /* Ctrl moves the focus without selecting (GtkListBase): the view ends
   * at the last row either way. */
  if (!g_str_has_prefix (keys, "ctrl+"))
    SPIN_UNTIL (gtk_single_selection_get_selected (f->selection) == N_GROWN - 1, 20);
  assert_at_end (f);
  g_test_message ("cells built: %u", f->n_setup - n_setup);
}

/* Page Down while rows are held back lets them all in: the row a page down
 * may be past them. (GTK finds it from the rows' sizes, so the press that
 * lets them in can only go as far as the rows laid out; the next ones,
 * after a frame, go a page each, however slow the frames are.) */
static void
test_page_down (Fixture       *f,
                gconstpointer  data)
{
  guint from = N_FIRST - 1;
  guint page_rows;
  guint to;

  /* The focus on the last row (End, nothing held back) */
  xdo_sync ("key", "--clearmodifiers", "End", NULL);
  SPIN_UNTIL (gtk_single_selection_get_selected (f->selection) == from, 20);
  wait_frames (f, 2);

  grow (f);
  xdo_sync ("key", "--clearmodifiers", "Page_Down", NULL);
  assert_asked_while_pacing (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->paced)), ==, N_GROWN);
  g_assert_false (cp_paced_model_is_pacing (f->paced));
  SPIN_UNTIL (gtk_single_selection_get_selected (f->selection) > from, 20);
  wait_frames (f, 2);

  from = gtk_single_selection_get_selected (f->selection);
  xdo_sync ("key", "--clearmodifiers", "Page_Down", NULL);
  SPIN_UNTIL (gtk_single_selection_get_selected (f->selection) > from, 20);
  to = gtk_single_selection_get_selected (f->selection);
  page_rows = to - from;
  g_test_message ("Page Down from row %u went to row %u", from, to);
  g_assert_cmpuint (page_rows, >, 10);  /* a page of 32-pixel rows in 875 pixels */
  wait_frames (f, 2);
  g_assert_true (row_visible (f, to));

  /* Then End, all the way. */
  xdo_sync ("key", "--clearmodifiers", "End", NULL);
  SPIN_UNTIL (gtk_single_selection_get_selected (f->selection) == N_GROWN - 1, 20);
  assert_at_end (f);
}

/* The scrollbar's slider pressed while rows are held back, then dragged to
 * the bottom: the view ends at the last row. */
static void
test_scrollbar_drag (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *scrollbar = gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (f->scrolled));
  g_autofree char *xid = xdo_window_id (f->window);
  g_autofree char *x = NULL;
  g_autofree char *top = NULL;
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_get_mapped (scrollbar));
  g_assert_true (gtk_widget_compute_bounds (scrollbar, f->window, &bounds));
  x = g_strdup_printf ("%d", (int) (bounds.origin.x + bounds.size.width / 2));
  top = g_strdup_printf ("%d", (int) (bounds.origin.y + 4));  /* the slider, at the top */

  grow (f);
  xdo_sync ("mousemove", "--window", xid, x, top, "mousedown", "1", NULL);
  assert_asked_while_pacing (f);
  /* A person's drag: moves a frame apart, each laid out before the next is
   * taken, to past the bottom. (One jump from top to bottom left GTK 4.8's
   * view blank here, rows paced or not.) */
  wait_frames (f, 1);
  for (guint i = 1; i <= N_MOVES; i++)
    {
      g_autofree char *y = g_strdup_printf ("%d", (int) (bounds.origin.y + 4 + i * (bounds.size.height + 36) / N_MOVES));

      xdo_sync ("mousemove", "--window", xid, x, y, NULL);
      wait_frames (f, 1);
    }
  xdo_sync ("mouseup", "1", NULL);
  assert_at_end (f);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *max_added)
{
  if (position + added < CP_PACED_MODEL_LIMIT)
    *max_added = MAX (*max_added, added);
}

/* Typing's case is left alone: a growth with no key asking past the rows
 * let in (here Down) still comes in steps. */
static void
test_others_still_paced (Fixture       *f,
                         gconstpointer  data)
{
  guint max_added = 0;

  g_signal_connect (f->paced, "items-changed", G_CALLBACK (items_changed_cb), &max_added);
  grow (f);
  xdo_sync ("key", "--clearmodifiers", "Down", NULL);
  assert_asked_while_pacing (f);
  g_assert_true (cp_paced_model_is_pacing (f->paced));
  while (cp_paced_model_is_pacing (f->paced))
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("largest step: %u rows", max_added);
  g_assert_cmpuint (max_added, <=, CP_PACED_MODEL_STEP);
  g_assert_cmpuint (gtk_single_selection_get_selected (f->selection), ==, 1);
  g_signal_handlers_disconnect_by_func (f->paced, items_changed_cb, &max_added);
}

/* Dropped while it still holds rows back, with a widget (as when the window
 * closes while a result grows): no step of it may run after that. */
static void
test_dispose_while_pacing (void)
{
  g_autoptr(GListStore) source = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *widget = g_object_ref_sink (gtk_label_new (NULL));
  CpPacedModel *paced;

  paced = cp_paced_model_new (G_LIST_MODEL (source));
  cp_paced_model_set_widget (paced, widget);
  for (guint i = 0; i < N_GROWN; i++)
    g_ptr_array_add (rows, gtk_string_object_new ("row"));
  /* One result of many rows at once, as a search gives. */
  g_list_store_splice (source, 0, 0, rows->pdata, rows->len);
  g_assert_true (cp_paced_model_is_pacing (paced));
  g_assert_finalize_object (paced);
  spin_briefly (200);
  g_object_unref (widget);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  for (guint v = 0; v < 2; v++)
    {
      const char *kind = v == 0 ? "column-view" : "list-view";
      static const char *const keys[] = { "End", "ctrl+End", "KP_End", "shift+End" };
      static Case cases[2][G_N_ELEMENTS (keys)];
      static Case plain[2];

      plain[v].list_view = v == 1;
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          g_autofree char *path = g_strdup_printf ("/carepay/paced-view/%s/%s", kind, keys[k]);

          cases[v][k].keys = keys[k];
          cases[v][k].list_view = v == 1;
          g_test_add (path, Fixture, &cases[v][k], fixture_setup, test_end_key, fixture_teardown);
        }
#define ADD(name, func)                                                                     \
      G_STMT_START {                                                                        \
        g_autofree char *path = g_strdup_printf ("/carepay/paced-view/%s/%s", kind, name); \
        g_test_add (path, Fixture, &plain[v], fixture_setup, func, fixture_teardown);       \
      } G_STMT_END
      ADD ("page-down", test_page_down);
      ADD ("scrollbar-drag", test_scrollbar_drag);
      ADD ("others-still-paced", test_others_still_paced);
#undef ADD
    }

  g_test_add_func ("/carepay/paced-view/dispose-while-pacing", test_dispose_while_pacing);
  return g_test_run ();
}
