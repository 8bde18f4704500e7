/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-invoice-list-header.h"

#define N_COLUMNS CP_INVOICE_N_SORTS
/* How near a heading's right edge a press starts a resize, in pixels. */
#define EDGE 4

struct _CpInvoiceListHeader
{
  GtkWidget         parent_instance;

  GtkWidget        *buttons[N_COLUMNS];
  GtkWidget        *arrows[N_COLUMNS];
  gboolean          visible[N_COLUMNS];
  int               content[N_COLUMNS];  /* widest row content seen */
  int               user[N_COLUMNS];     /* dragged width, or -1 */
  CpInvoiceSortKey  sort_key;
  gboolean          sort_descending;

  int               rows_width;          /* as last allocated, or 0 */
  guint             realign_id;
  CpInvoiceSortKey  dragged;             /* column being resized, or -1 */
  int               drag_start_width;
};

G_DEFINE_FINAL_TYPE (CpInvoiceListHeader, cp_invoice_list_header, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SORT_KEY,
  PROP_SORT_DESCENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  COLUMNS_CHANGED,
  WIDTHS_RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
column_title (CpInvoiceSortKey column)
{
  switch (column)
    {
    /* Translators: column headings of the invoice list */
    case CP_INVOICE_SORT_NUMBER: return C_("column", "Invoice");
    case CP_INVOICE_SORT_PATIENT: return C_("column", "Patient");
    case CP_INVOICE_SORT_ISSUE_DATE: return C_("column", "Issued");
    case CP_INVOICE_SORT_DUE_DATE: return C_("column", "Due");
    case CP_INVOICE_SORT_TOTAL: return C_("column", "Total");
    case CP_INVOICE_SORT_BALANCE: return C_("column", "Balance");
    case CP_INVOICE_SORT_STATUS: return C_("column", "Status");
    case CP_INVOICE_SORT_NONE:
    case CP_INVOICE_N_SORTS:
    default: g_return_val_if_reached (NULL);
    }
}

/* A column's natural width: its heading's or its widest content. */
static int
column_natural (CpInvoiceListHeader *self,
                CpInvoiceSortKey     column)
{
  int heading = 0;

  gtk_widget_measure (self->buttons[column], GTK_ORIENTATION_HORIZONTAL, -1, NULL, &heading, NULL, NULL);
  return MAX (heading, self->content[column]);
}

static int
column_min (CpInvoiceListHeader *self,
            CpInvoiceSortKey     column)
{
  int min = 0;

  if (column != CP_INVOICE_SORT_PATIENT)
    return column_natural (self, column);
  /* Only the patient's name gives way (it ellipsizes): a cut number, date,
   * amount or status ("Partially p…") says nothing. */
  gtk_widget_measure (self->buttons[column], GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  return min;
}

static int
column_width (CpInvoiceListHeader *self,
              CpInvoiceSortKey     column)
{
  int natural = column_natural (self, column);

  return self->user[column] > natural ? self->user[column] : natural;
}

/* The rows' width, which a classic (not overlaid) scrollbar makes narrower
 * than the header. */
static int
rows_width (CpInvoiceListHeader *self,
            int                  width)
{
  return self->rows_width > 0 && self->rows_width < width ? self->rows_width : width;
}

void
cp_invoice_list_header_get_columns (CpInvoiceListHeader *self,
                                    int                  width,
                                    int                 *x,
                                    int                 *widths)
{
  int fixed = 0;
  int at = 0;

  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  for (int i = 0; i < N_COLUMNS; i++)
    {
      widths[i] = self->visible[i] ? column_width (self, i) : 0;
      if (i != CP_INVOICE_SORT_PATIENT)
        fixed += widths[i];
    }
  widths[CP_INVOICE_SORT_PATIENT] = MAX (width - fixed, column_min (self, CP_INVOICE_SORT_PATIENT));
  for (int i = 0; i < N_COLUMNS; i++)
    {
      x[i] = at;
      at += widths[i];
    }
}

int
cp_invoice_list_header_get_min_row_width (CpInvoiceListHeader *self)
{
  int min = 0;

  for (int i = 0; i < N_COLUMNS; i++)
    if (self->visible[i])
      min += i == CP_INVOICE_SORT_PATIENT ? column_min (self, i) : column_width (self, i);
  return min;
}

int
cp_invoice_list_header_get_natural_row_width (CpInvoiceListHeader *self)
{
  int natural = 0;

  for (int i = 0; i < N_COLUMNS; i++)
    if (self->visible[i])
      natural += column_width (self, i);
  return natural;
}

static void
columns_changed (CpInvoiceListHeader *self)
{
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_signal_emit (self, signals[COLUMNS_CHANGED], 0);
}

void
cp_invoice_list_header_note_widths (CpInvoiceListHeader *self,
                                    const int           *widths)
{
  gboolean grew = FALSE;

  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  for (int i = 0; i < N_COLUMNS; i++)
    if (widths[i] > self->content[i])
      {
        self->content[i] = widths[i];
        grew = TRUE;
      }
  if (grew)
    columns_changed (self);
}

void
cp_invoice_list_header_reset_widths (CpInvoiceListHeader *self)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  for (int i = 0; i < N_COLUMNS; i++)
    self->content[i] = 0;
  g_signal_emit (self, signals[WIDTHS_RESET], 0);
  columns_changed (self);
}

void
cp_invoice_list_header_set_column_width (CpInvoiceListHeader *self,
                                         CpInvoiceSortKey     column,
                                         int                  width)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));
  g_return_if_fail (column >= 0 && column < N_COLUMNS);

  if (self->user[column] == width)
    return;
  self->user[column] = width;
  columns_changed (self);
}

void
cp_invoice_list_header_set_column_visible (CpInvoiceListHeader *self,
                                           CpInvoiceSortKey     column,
                                           gboolean             visible)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));
  g_return_if_fail (column >= 0 && column < N_COLUMNS);

  visible = !!visible;
  if (self->visible[column] == visible)
    return;
  self->visible[column] = visible;
  gtk_widget_set_visible (self->buttons[column], visible);
  columns_changed (self);
}

gboolean
cp_invoice_list_header_get_column_visible (CpInvoiceListHeader *self,
                                           CpInvoiceSortKey     column)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (self), FALSE);
  g_return_val_if_fail (column >= 0 && column < N_COLUMNS, FALSE);

  return self->visible[column];
}

/* Sorting */

static void
show_sort (CpInvoiceListHeader *self)
{
  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkAccessibleSort sort = GTK_ACCESSIBLE_SORT_NONE;
      const char *icon = NULL;

      if (i == self->sort_key)
        {
          sort = self->sort_descending ? GTK_ACCESSIBLE_SORT_DESCENDING : GTK_ACCESSIBLE_SORT_ASCENDING;
          icon = self->sort_descending ? "pan-down-symbolic" : "pan-up-symbolic";
        }
      gtk_image_set_from_icon_name (GTK_IMAGE (self->arrows[i]), icon);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->buttons[i]),
                                      GTK_ACCESSIBLE_PROPERTY_SORT, sort, -1);
    }
}

void
cp_invoice_list_header_set_sort (CpInvoiceListHeader *self,
                                 CpInvoiceSortKey     key,
                                 gboolean             descending)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));
  g_return_if_fail (key >= CP_INVOICE_SORT_NONE && key < N_COLUMNS);

  descending = !!descending;
  if (key == self->sort_key && descending == self->sort_descending)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  if (key != self->sort_key)
    {
      self->sort_key = key;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_KEY]);
    }
  if (descending != self->sort_descending)
    {
      self->sort_descending = descending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
    }
  show_sort (self);
  g_object_thaw_notify (G_OBJECT (self));
}

CpInvoiceSortKey
cp_invoice_list_header_get_sort_key (CpInvoiceListHeader *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (self), CP_INVOICE_SORT_NONE);

  return self->sort_key;
}

gboolean
cp_invoice_list_header_get_sort_descending (CpInvoiceListHeader *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (self), FALSE);

  return self->sort_descending;
}

static void
button_clicked_cb (GtkButton           *button,
                   CpInvoiceListHeader *self)
{
  CpInvoiceSortKey key = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cp-column"));

  /* As the column view did: a new column sorts up, the same one reverses. */
  if (key == self->sort_key)
    cp_invoice_list_header_set_sort (self, key, !self->sort_descending);
  else
    cp_invoice_list_header_set_sort (self, key, FALSE);
}

/* Resizing by dragging a heading's right edge */

static CpInvoiceSortKey
edge_at (CpInvoiceListHeader *self,
         double               x)
{
  int xs[N_COLUMNS], ws[N_COLUMNS];

  cp_invoice_list_header_get_columns (self, rows_width (self, gtk_widget_get_width (GTK_WIDGET (self))), xs, ws);
  for (int i = 0; i < N_COLUMNS; i++)
    /* The patient takes what is left: its edge is not its own to move. */
    if (self->visible[i] && i != CP_INVOICE_SORT_PATIENT && ABS (x - (xs[i] + ws[i])) <= EDGE)
      return i;
  return CP_INVOICE_SORT_NONE;
}

static void
drag_begin_cb (GtkGestureDrag      *gesture,
               double               x,
               double               y,
               CpInvoiceListHeader *self)
{
  int xs[N_COLUMNS], ws[N_COLUMNS];

  self->dragged = edge_at (self, x);
  if (self->dragged == CP_INVOICE_SORT_NONE)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  cp_invoice_list_header_get_columns (self, rows_width (self, gtk_widget_get_width (GTK_WIDGET (self))), xs, ws);
  self->drag_start_width = ws[self->dragged];
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update_cb (GtkGestureDrag      *gesture,
                double               dx,
                double               dy,
                CpInvoiceListHeader *self)
{
  if (self->dragged == CP_INVOICE_SORT_NONE)
    return;
  /* Never narrower than its contents: numbers, dates and amounts stay whole. */
  cp_invoice_list_header_set_column_width (self, self->dragged,
                                           MAX (self->drag_start_width + (int) dx,
                                                column_natural (self, self->dragged)));
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CpInvoiceListHeader      *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   edge_at (self, x) != CP_INVOICE_SORT_NONE ? "col-resize" : NULL);
}

/* GtkWidget */

static void
cp_invoice_list_header_measure (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = cp_invoice_list_header_get_min_row_width (self);
      *natural = cp_invoice_list_header_get_natural_row_width (self);
      return;
    }
  *minimum = *natural = 0;
  for (int i = 0; i < N_COLUMNS; i++)
    {
      int min = 0, nat = 0;

      gtk_widget_measure (self->buttons[i], orientation, -1, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

static gboolean
realign_cb (gpointer data)
{
  CpInvoiceListHeader *self = data;

  self->realign_id = 0;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

void
cp_invoice_list_header_note_rows_width (CpInvoiceListHeader *self,
                                        int                  width)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  if (width == self->rows_width)
    return;
  self->rows_width = width;
  /* The rows are allocated after the header (below it), in the same pass:
   * line up in the next one (GTK ignores a resize queued during this). */
  if (self->realign_id == 0)
    self->realign_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, realign_cb, self, NULL);
}

static void
cp_invoice_list_header_size_allocate (GtkWidget *widget,
                                      int        width,
                                      int        height,
                                      int        baseline)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (widget);
  int xs[N_COLUMNS], ws[N_COLUMNS];

  cp_invoice_list_header_get_columns (self, rows_width (self, width), xs, ws);
  for (int i = 0; i < N_COLUMNS; i++)
    if (self->visible[i])
      gtk_widget_size_allocate (self->buttons[i], &(GtkAllocation) { xs[i], 0, ws[i], height }, -1);
}

static void
cp_invoice_list_header_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (object);

  switch (prop_id)
    {
    case PROP_SORT_KEY:
      g_value_set_int (value, self->sort_key);
      break;
    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_invoice_list_header_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (object);

  switch (prop_id)
    {
    case PROP_SORT_KEY:
      cp_invoice_list_header_set_sort (self, g_value_get_int (value), self->sort_descending);
      break;
    case PROP_SORT_DESCENDING:
      cp_invoice_list_header_set_sort (self, self->sort_key, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_invoice_list_header_dispose (GObject *object)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (object);

  g_clear_handle_id (&self->realign_id, g_source_remove);
  for (int i = 0; i < N_COLUMNS; i++)
    g_clear_pointer (&self->buttons[i], gtk_widget_unparent);

  G_OBJECT_CLASS (cp_invoice_list_header_parent_class)->dispose (object);
}

static void
cp_invoice_list_header_class_init (CpInvoiceListHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_invoice_list_header_dispose;
  object_class->get_property = cp_invoice_list_header_get_property;
  object_class->set_property = cp_invoice_list_header_set_property;
  widget_class->measure = cp_invoice_list_header_measure;
  widget_class->size_allocate = cp_invoice_list_header_size_allocate;

  properties[PROP_SORT_KEY] =
    g_param_spec_int ("sort-key", NULL, NULL, CP_INVOICE_SORT_NONE, N_COLUMNS - 1, CP_INVOICE_SORT_NONE,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[COLUMNS_CHANGED] = g_signal_new ("columns-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[WIDTHS_RESET] = g_signal_new ("widths-reset", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "header");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ROW);
}

static void
cp_invoice_list_header_init (CpInvoiceListHeader *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->sort_key = CP_INVOICE_SORT_NONE;
  self->dragged = CP_INVOICE_SORT_NONE;
  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *title = gtk_label_new (column_title (i));

      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_widget_set_hexpand (title, TRUE);
      /* Always 16 px, as the column view's sort indicator: sorting does not
       * move the columns. */
      self->arrows[i] = gtk_image_new ();
      gtk_image_set_pixel_size (GTK_IMAGE (self->arrows[i]), 16);
      gtk_widget_add_css_class (self->arrows[i], "sort-indicator");
      gtk_box_append (GTK_BOX (box), title);
      gtk_box_append (GTK_BOX (box), self->arrows[i]);

      self->buttons[i] = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (self->buttons[i]), box);
      gtk_widget_set_focus_on_click (self->buttons[i], FALSE);
      g_object_set_data (G_OBJECT (self->buttons[i]), "cp-column", GINT_TO_POINTER (i));
      g_signal_connect (self->buttons[i], "clicked", G_CALLBACK (button_clicked_cb), self);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self->buttons[i]),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL, -1);
      gtk_widget_set_parent (self->buttons[i], GTK_WIDGET (self));
      self->visible[i] = TRUE;
      self->user[i] = -1;
    }
  show_sort (self);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
cp_invoice_list_header_new (void)
{
  return g_object_new (CP_TYPE_INVOICE_LIST_HEADER, NULL);
}
