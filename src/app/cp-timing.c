/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cp-timing.h"

typedef struct {
  GtkWidget *widget;
  char      *name;
  gulong     handler;
} PaintMark;

static void
after_paint_cb (GdkFrameClock *clock,
                PaintMark     *mark)
{
  cp_timing_mark (mark->name);
  g_signal_handler_disconnect (clock, mark->handler);
  g_object_unref (mark->widget);
  g_free (mark->name);
  g_free (mark);
}

static void
mapped_cb (GtkWidget *widget,
           PaintMark *mark);

static void
arm (PaintMark *mark)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (mark->widget);

  if (clock == NULL)
    {
      /* Not realized yet: wait for it to be shown. */
      g_signal_connect (mark->widget, "map", G_CALLBACK (mapped_cb), mark);
      return;
    }
  mark->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), mark);
  gtk_widget_queue_draw (mark->widget);
}

static void
mapped_cb (GtkWidget *widget,
           PaintMark *mark)
{
  g_signal_handlers_disconnect_by_func (widget, mapped_cb, mark);
  arm (mark);
}

void
cp_timing_mark_after_paint (GtkWidget  *widget,
                            const char *name)
{
  PaintMark *mark;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (!cp_timing_enabled ())
    return;
  mark = g_new0 (PaintMark, 1);
  mark->widget = g_object_ref (widget);
  mark->name = g_strdup (name);
  arm (mark);
}
