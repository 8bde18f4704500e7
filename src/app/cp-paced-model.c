/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-paced-model.h"

/* GTK 4.8's list views keep widgets for up to 200 rows around the top of the
 * view: when a search result grows from a few rows to more than 200, the
 * view builds 200 rows (and measures them all) in one frame: 70–200 ms with
 * the column view's 7 cells a row (issue #8), still ~40 ms of CPU with one drawn
 * widget a row. Let in a screenful first and the rest a step each
 * next frame, so that no frame builds more than a screenful of rows. Only the
 * rows GTK builds widgets for are paced: past CP_PACED_MODEL_LIMIT, adding
 * rows costs GTK nothing but a number.
 *
 * The rows held back do not exist for the view, so its End, Page Down or a
 * scrollbar dragged to the bottom would stop at the last row let in. When
 * the person asks for those (the keys, or a press on the scrollbar, seen
 * before the view takes them), everything is let in at once: that one frame
 * builds what the view needs at the end, as it would once the steps are
 * done; typing, which presses none of them, is paced as before. */

struct _CpPacedModel
{
  GObject     parent_instance;

  GListModel *source;
  guint       n_shown;    /* the first n_shown rows of the source */
  guint       idle_id;
  GtkWidget  *widget;     /* weak */
  guint       tick_id;

  /* While there is a widget: its keys, seen before it takes them; and the
   * presses on the vertical scrollbar of its scrolled window, found when it
   * is realized. */
  GtkEventController *keys;
  gulong              realize_id;
  gulong              unrealize_id;
  GtkWidget          *scrollbar;   /* weak */
  GtkEventController *presses;
};

static void cp_paced_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpPacedModel, cp_paced_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cp_paced_model_list_model_init))

static GType
cp_paced_model_get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (CP_PACED_MODEL (model)->source);
}

static guint
cp_paced_model_get_n_items (GListModel *model)
{
  return CP_PACED_MODEL (model)->n_shown;
}

static gpointer
cp_paced_model_get_item (GListModel *model,
                         guint       position)
{
  CpPacedModel *self = CP_PACED_MODEL (model);

  if (position >= self->n_shown)
    return NULL;
  return g_list_model_get_item (self->source, position);
}

static void
cp_paced_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cp_paced_model_get_item_type;
  iface->get_n_items = cp_paced_model_get_n_items;
  iface->get_item = cp_paced_model_get_item;
}

/* How many rows to show out of `n_source`, `n_shown` being shown now. */
static guint
next_count (guint n_shown,
            guint n_source)
{
  if (n_source <= n_shown || n_shown >= CP_PACED_MODEL_LIMIT)
    return n_source;
  if (n_shown < CP_PACED_MODEL_FIRST)
    return MIN (n_source, CP_PACED_MODEL_FIRST);
  return MIN (n_source, n_shown + CP_PACED_MODEL_STEP);
}

static gboolean step_cb (gpointer data);
static gboolean tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data);

static void
unschedule (CpPacedModel *self)
{
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->tick_id != 0 && self->widget != NULL)
    gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  self->tick_id = 0;
}

static void
schedule (CpPacedModel *self)
{
  if (self->widget == NULL)
    self->tick_id = 0;  /* gone with its widget */
  if (self->n_shown >= g_list_model_get_n_items (self->source))
    unschedule (self);
  else if (self->tick_id != 0 || self->idle_id != 0)
    return;
  else if (self->widget != NULL && gtk_widget_get_realized (self->widget))
    /* A step at the start of each frame, laid out and painted by it: idles
     * could run several steps between two frames. (Realized, not mapped: a
     * search with no match hides the list until the next one.) */
    self->tick_id = gtk_widget_add_tick_callback (self->widget, tick_cb, self, NULL);
  else
    /* Below GDK's redraw priority: a frame due comes first. */
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, step_cb, self, NULL);
}

static void
grow_to (CpPacedModel *self,
         guint         n)
{
  guint n_old = self->n_shown;

  if (n <= n_old)
    return;
  self->n_shown = n;
  g_list_model_items_changed (G_LIST_MODEL (self), n_old, 0, n - n_old);
}

static gboolean
step_cb (gpointer data)
{
  CpPacedModel *self = data;

  self->idle_id = 0;
  grow_to (self, next_count (self->n_shown, g_list_model_get_n_items (self->source)));
  schedule (self);
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  CpPacedModel *self = data;

  grow_to (self, next_count (self->n_shown, g_list_model_get_n_items (self->source)));
  if (self->n_shown < g_list_model_get_n_items (self->source))
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
source_items_changed_cb (GListModel   *source,
                         guint         position,
                         guint         removed,
                         guint         added,
                         CpPacedModel *self)
{
  guint n_old = self->n_shown;
  guint n_source = g_list_model_get_n_items (source);
  guint n_new;
  guint from;

  if (position > n_old)
    {
      /* Only rows not shown yet changed. */
      schedule (self);
      return;
    }

  /* Shown rows before `position` are unchanged; the ones from there on are
   * replaced by what the source has now, a step of it if it grew. */
  from = position;
  n_new = next_count (MAX (n_old, position), n_source);
  if (n_new < from)
    n_new = from;
  self->n_shown = n_new;
  if (n_old - from > 0 || n_new - from > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), from, n_old - from, n_new - from);
  schedule (self);
}

static void
show_all (CpPacedModel *self)
{
  grow_to (self, g_list_model_get_n_items (self->source));
  schedule (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CpPacedModel          *self)
{
  /* With or without Ctrl and Shift: the list view moves to the end, or a
   * page down, which may be past the rows let in. */
  switch (keyval)
    {
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      if (cp_paced_model_is_pacing (self))
        {
          g_debug ("Navigation key while pacing: letting in all %u rows",
                   g_list_model_get_n_items (self->source));
          show_all (self);
        }
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static gboolean
scrollbar_event_cb (GtkEventControllerLegacy *controller,
                    GdkEvent                 *event,
                    CpPacedModel             *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  /* Before the scrollbar's own drag starts, so that it drags over all the
   * rows from the next frame on. (A legacy controller: it only looks, and
   * no gesture of ours can claim or cancel the scrollbar's.) */
  if ((type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN) && cp_paced_model_is_pacing (self))
    {
      g_debug ("Scrollbar pressed while pacing: letting in all %u rows",
               g_list_model_get_n_items (self->source));
      show_all (self);
    }
  return GDK_EVENT_PROPAGATE;
}

static void
detach_scrollbar (CpPacedModel *self)
{
  if (self->scrollbar != NULL)
    {
      gtk_widget_remove_controller (self->scrollbar, self->presses);
      g_object_remove_weak_pointer (G_OBJECT (self->scrollbar), (gpointer *) &self->scrollbar);
    }
  self->scrollbar = NULL;
  self->presses = NULL;  /* was the scrollbar's */
}

static void
attach_scrollbar (CpPacedModel *self)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (self->widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *scrollbar = NULL;

  if (scrolled != NULL)
    scrollbar = gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (scrolled));
  if (scrollbar == self->scrollbar)
    return;
  detach_scrollbar (self);
  if (scrollbar == NULL)
    return;
  self->scrollbar = scrollbar;
  g_object_add_weak_pointer (G_OBJECT (scrollbar), (gpointer *) &self->scrollbar);
  self->presses = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (self->presses, GTK_PHASE_CAPTURE);
  g_signal_connect (self->presses, "event", G_CALLBACK (scrollbar_event_cb), self);
  gtk_widget_add_controller (scrollbar, self->presses);
}

static void
widget_realize_cb (GtkWidget    *widget,
                   CpPacedModel *self)
{
  attach_scrollbar (self);
}

static void
widget_unrealize_cb (GtkWidget    *widget,
                     CpPacedModel *self)
{
  detach_scrollbar (self);
}

static void
attach_widget (CpPacedModel *self)
{
  self->keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (self->keys, GTK_PHASE_CAPTURE);
  g_signal_connect (self->keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (self->widget, self->keys);
  self->realize_id = g_signal_connect (self->widget, "realize", G_CALLBACK (widget_realize_cb), self);
  self->unrealize_id = g_signal_connect (self->widget, "unrealize", G_CALLBACK (widget_unrealize_cb), self);
  if (gtk_widget_get_realized (self->widget))
    attach_scrollbar (self);
}

static void
detach_widget (CpPacedModel *self)
{
  detach_scrollbar (self);
  if (self->widget != NULL)
    {
      gtk_widget_remove_controller (self->widget, self->keys);
      g_clear_signal_handler (&self->realize_id, self->widget);
      g_clear_signal_handler (&self->unrealize_id, self->widget);
    }
  /* Else all went with the widget. */
  self->keys = NULL;
  self->realize_id = 0;
  self->unrealize_id = 0;
}

static void
cp_paced_model_dispose (GObject *object)
{
  CpPacedModel *self = CP_PACED_MODEL (object);

  /* Without its widget it would go on with idles: none may outlive it. */
  cp_paced_model_set_widget (self, NULL);
  unschedule (self);
  detach_scrollbar (self);
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, source_items_changed_cb, self);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (cp_paced_model_parent_class)->dispose (object);
}

static void
cp_paced_model_class_init (CpPacedModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_paced_model_dispose;
}

static void
cp_paced_model_init (CpPacedModel *self)
{
}

CpPacedModel *
cp_paced_model_new (GListModel *source)
{
  CpPacedModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  self = g_object_new (CP_TYPE_PACED_MODEL, NULL);
  self->source = g_object_ref (source);
  self->n_shown = next_count (0, g_list_model_get_n_items (source));
  g_signal_connect (source, "items-changed", G_CALLBACK (source_items_changed_cb), self);
  schedule (self);
  return self;
}

GListModel *
cp_paced_model_get_source (CpPacedModel *self)
{
  g_return_val_if_fail (CP_IS_PACED_MODEL (self), NULL);

  return self->source;
}

void
cp_paced_model_set_widget (CpPacedModel *self,
                           GtkWidget    *widget)
{
  g_return_if_fail (CP_IS_PACED_MODEL (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  if (self->widget == widget)
    return;
  unschedule (self);
  detach_widget (self);
  if (self->widget != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
  self->widget = widget;
  if (widget != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);
      attach_widget (self);
    }
  schedule (self);
}

void
cp_paced_model_show (CpPacedModel *self,
                     guint         n)
{
  g_return_if_fail (CP_IS_PACED_MODEL (self));

  grow_to (self, MIN (n, g_list_model_get_n_items (self->source)));
  schedule (self);
}

gboolean
cp_paced_model_is_pacing (CpPacedModel *self)
{
  g_return_val_if_fail (CP_IS_PACED_MODEL (self), FALSE);

  return self->n_shown < g_list_model_get_n_items (self->source);
}
