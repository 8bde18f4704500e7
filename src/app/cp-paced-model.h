/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CP_TYPE_PACED_MODEL (cp_paced_model_get_type ())
G_DECLARE_FINAL_TYPE (CpPacedModel, cp_paced_model, CP, PACED_MODEL, GObject)

/* Shows another GListModel, position for position, to a list view; but when
 * it grows by many rows at once near its top, lets the new rows in a step at
 * a time, one a frame of the widget set with cp_paced_model_set_widget()
 * while it is realized (else one a main-loop idle), until the list view has
 * all the rows it keeps widgets for. Rows going away, and rows past those,
 * are passed on at once; and all the rows are let in at once when the
 * person asks the widget for its end or a page down (End, Page Down, with
 * or without Ctrl or Shift) or presses the vertical scrollbar of its
 * scrolled window, so that these reach the real end. */
#define CP_PACED_MODEL_FIRST 40   /* rows let in at once first: more than a screen */
#define CP_PACED_MODEL_STEP  20   /* then a frame's worth */
#define CP_PACED_MODEL_LIMIT 256  /* past this, rows are let in at once */

CpPacedModel *cp_paced_model_new          (GListModel   *source);
GListModel   *cp_paced_model_get_source   (CpPacedModel *self);
/* The list view showing the model, whose frames pace the steps; not held. */
void          cp_paced_model_set_widget   (CpPacedModel *self,
                                           GtkWidget    *widget);
/* Lets in at once at least the first `n` rows of the source (or all it has). */
void          cp_paced_model_show         (CpPacedModel *self,
                                           guint         n);
/* TRUE while rows of the source are still held back. */
gboolean      cp_paced_model_is_pacing    (CpPacedModel *self);

G_END_DECLS
