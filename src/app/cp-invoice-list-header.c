/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-invoice-list-header.h"

#define N_COLUMNS CP_INVOICE_N_SORTS
/* How near a heading's right edge a press starts a resize, in pixels. */
#define EDGE 4
/* How long the rows must stay put (no row bound, unbound or changed) before
 * the columns shrink to the rows now shown: they grow at once, but shrinking
 * while scrolling would make them jitter. */
#define SHRINK_DELAY_MS 400

struct _CpInvoiceListHeader
{
  GtkWidget         parent_instance;

  GtkWidget        *buttons[N_COLUMNS];
  GtkWidget        *arrows[N_COLUMNS];
  gboolean          visible[N_COLUMNS];
  int               content[N_COLUMNS];  /* widest content of the rows bound */
  int               user[N_COLUMNS];     /* dragged width, or -1: fit the content (the patient: the rest) */
  GHashTable       *reported;            /* row → int[N_COLUMNS], its widths, while bound */
  guint             shrink_id;
  gint64            shrink_at;           /* monotonic time the rows last changed + the delay */
  CpInvoiceSortKey  sort_key;
  gboolean          sort_descending;

  int               rows_width;          /* as last allocated, or 0 */
  guint             realign_id;
  CpInvoiceSortKey  dragged;             /* column being resized, or -1 */
  int               drag_start_width;
  int               drag_max_width;
  CpInvoiceSortKey  pressed_edge;        /* the last press on an edge, for double-clicks */
  guint32           pressed_time;
  GSettings        *settings;            /* where the user's widths are kept, or NULL */
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

/* The narrowest a column can be: its heading whole (and its sort arrow's
 * room), and but for the patient's, its widest value now shown: an invoice
 * number, a date or an amount cut short could be misread ("$9,87…").
 * Names ellipsize. */
static int
column_min (CpInvoiceListHeader *self,
            CpInvoiceSortKey     column)
{
  int heading = 0;

  gtk_widget_measure (self->buttons[column], GTK_ORIENTATION_HORIZONTAL, -1, NULL, &heading, NULL, NULL);
  if (column != CP_INVOICE_SORT_PATIENT)
    return MAX (heading, self->content[column]);
  return heading;
}

/* A column's natural width: its heading's or its widest content. */
static int
column_natural (CpInvoiceListHeader *self,
                CpInvoiceSortKey     column)
{
  return MAX (column_min (self, column), self->content[column]);
}

/* What a column asks for: the width it was dragged to, else its content's. */
static int
column_width (CpInvoiceListHeader *self,
              CpInvoiceSortKey     column)
{
  if (self->user[column] >= 0)
    return MAX (self->user[column], column_min (self, column));
  return column_natural (self, column);
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
  int rest;

  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  for (int i = 0; i < N_COLUMNS; i++)
    {
      widths[i] = self->visible[i] ? column_width (self, i) : 0;
      if (i != CP_INVOICE_SORT_PATIENT)
        fixed += widths[i];
    }
  /* The patient takes the rest until it is given a width; then the rest is
   * left empty after the last column, as in a spreadsheet. Either way it is
   * the one that gives way when the row is too narrow (names ellipsize). */
  rest = width - fixed;
  if (self->user[CP_INVOICE_SORT_PATIENT] >= 0)
    rest = MIN (rest, self->user[CP_INVOICE_SORT_PATIENT]);
  widths[CP_INVOICE_SORT_PATIENT] = MAX (rest, column_min (self, CP_INVOICE_SORT_PATIENT));
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

/* A column's content width changed: the columns move when it sizes one
 * (every row is laid out again); the patient's only changes the rows'
 * natural width (it takes the rest, or the width it was given), which a
 * resize of the header tells its parent. */
static void
content_changed (CpInvoiceListHeader *self,
                 CpInvoiceSortKey     column,
                 gboolean            *moved)
{
  if (column == CP_INVOICE_SORT_PATIENT)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else if (self->user[column] < 0)
    *moved = TRUE;
}

static gboolean
shrink_cb (gpointer data)
{
  CpInvoiceListHeader *self = data;
  gint64 now = g_get_monotonic_time ();
  int widest[N_COLUMNS] = { 0 };
  gboolean changed = FALSE;
  GHashTableIter iter;
  gpointer value;

  self->shrink_id = 0;
  if (now < self->shrink_at)
    {
      /* The rows changed again since: wait until they stay put. */
      self->shrink_id = g_timeout_add ((self->shrink_at - now + 999) / 1000, shrink_cb, self);
      return G_SOURCE_REMOVE;
    }
  g_hash_table_iter_init (&iter, self->reported);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    for (int i = 0; i < N_COLUMNS; i++)
      widest[i] = MAX (widest[i], ((const int *) value)[i]);
  for (int i = 0; i < N_COLUMNS; i++)
    if (widest[i] != self->content[i])
      {
        self->content[i] = widest[i];
        content_changed (self, i, &changed);
      }
  if (changed)
    columns_changed (self);
  return G_SOURCE_REMOVE;
}

/* A widest row went away or got narrower: the columns may shrink once the
 * rows stay put. One timer, pushed back by each change (no source churn). */
static void
queue_shrink (CpInvoiceListHeader *self)
{
  self->shrink_at = g_get_monotonic_time () + SHRINK_DELAY_MS * 1000;
  if (self->shrink_id == 0)
    self->shrink_id = g_timeout_add (SHRINK_DELAY_MS, shrink_cb, self);
}

void
cp_invoice_list_header_note_widths (CpInvoiceListHeader *self,
                                    gpointer             row,
                                    const int           *widths)
{
  int *had;
  gboolean grew = FALSE;
  gboolean narrowed = FALSE;

  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));
  g_return_if_fail (row != NULL);

  if (self->reported == NULL)  /* disposed */
    return;
  had = g_hash_table_lookup (self->reported, row);
  if (had == NULL)
    {
      had = g_new0 (int, N_COLUMNS);
      g_hash_table_insert (self->reported, row, had);
    }
  for (int i = 0; i < N_COLUMNS; i++)
    {
      if (widths[i] < had[i] && had[i] >= self->content[i])
        narrowed = TRUE;
      had[i] = widths[i];
      if (widths[i] > self->content[i])
        {
          self->content[i] = widths[i];
          content_changed (self, i, &grew);
        }
    }
  if (grew)
    columns_changed (self);
  if (narrowed)
    queue_shrink (self);
}

void
cp_invoice_list_header_forget_widths (CpInvoiceListHeader *self,
                                      gpointer             row)
{
  int *had;

  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  had = self->reported != NULL ? g_hash_table_lookup (self->reported, row) : NULL;
  if (had == NULL)
    return;
  for (int i = 0; i < N_COLUMNS; i++)
    if (had[i] > 0 && had[i] >= self->content[i])
      {
        queue_shrink (self);
        break;
      }
  g_hash_table_remove (self->reported, row);
}

void
cp_invoice_list_header_reset_widths (CpInvoiceListHeader *self)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));

  for (int i = 0; i < N_COLUMNS; i++)
    self->content[i] = 0;
  if (self->reported != NULL)
    g_hash_table_remove_all (self->reported);
  g_signal_emit (self, signals[WIDTHS_RESET], 0);
  columns_changed (self);
}

int
cp_invoice_list_header_get_content_width (CpInvoiceListHeader *self,
                                          CpInvoiceSortKey     column)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (self), 0);
  g_return_val_if_fail (column >= 0 && column < N_COLUMNS, 0);

  return self->content[column];
}

void
cp_invoice_list_header_set_column_width (CpInvoiceListHeader *self,
                                         CpInvoiceSortKey     column,
                                         int                  width)
{
  g_return_if_fail (CP_IS_INVOICE_LIST_HEADER (self));
  g_return_if_fail (column >= 0 && column < N_COLUMNS);

  width = MAX (width, -1);
  if (self->user[column] == width)
    return;
  self->user[column] = width;
  columns_changed (self);
}

/* The widths the user gave (by the pointer or the keyboard; not those set
 * by code) are kept for the next start. */
static void
save_user_widths (CpInvoiceListHeader *self)
{
  gint32 widths[N_COLUMNS];

  if (self->settings == NULL)
    return;
  for (int i = 0; i < N_COLUMNS; i++)
    widths[i] = self->user[i];
  g_settings_set_value (self->settings, "invoice-column-widths",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, widths, N_COLUMNS, sizeof (gint32)));
}

static void
load_user_widths (CpInvoiceListHeader *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_autoptr(GVariant) value = NULL;
  const gint32 *widths;
  gsize n = 0;

  /* Without the schema (a test of another part): nothing kept. */
  if (schema == NULL || !g_settings_schema_has_key (schema, "invoice-column-widths"))
    return;
  self->settings = g_settings_new (APP_ID);
  value = g_settings_get_value (self->settings, "invoice-column-widths");
  widths = g_variant_get_fixed_array (value, &n, sizeof (gint32));
  if (n != N_COLUMNS)  /* unset, or from another version's columns */
    return;
  for (int i = 0; i < N_COLUMNS; i++)
    self->user[i] = MAX (widths[i], -1);
}

int
cp_invoice_list_header_get_column_width (CpInvoiceListHeader *self,
                                         CpInvoiceSortKey     column)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (self), -1);
  g_return_val_if_fail (column >= 0 && column < N_COLUMNS, -1);

  return self->user[column];
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

/* Resizing by dragging a heading's right edge; a double-click on it fits
 * the column to its content again (the patient: to the rest of the row). */

static CpInvoiceSortKey
edge_at (CpInvoiceListHeader *self,
         double               x)
{
  int xs[N_COLUMNS], ws[N_COLUMNS];

  cp_invoice_list_header_get_columns (self, rows_width (self, gtk_widget_get_width (GTK_WIDGET (self))), xs, ws);
  for (int i = 0; i < N_COLUMNS; i++)
    if (self->visible[i] && ABS (x - (xs[i] + ws[i])) <= EDGE)
      return i;
  return CP_INVOICE_SORT_NONE;
}

static gboolean
is_double_click (CpInvoiceListHeader *self,
                 CpInvoiceSortKey     edge,
                 guint32              time)
{
  int double_click_time = 400;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-double-click-time", &double_click_time, NULL);
  return edge == self->pressed_edge && time - self->pressed_time <= (guint32) double_click_time;
}

/* The widest `column` can be made, `ws` its current widths: as wide as the
 * row holds with the patient at its narrowest, since the list never
 * scrolls sideways. Never less than it is. */
static int
column_max (CpInvoiceListHeader *self,
            CpInvoiceSortKey     column,
            int                  width,
            const int           *ws)
{
  int room = MAX (width - cp_invoice_list_header_get_min_row_width (self), 0);
  int max = (column == CP_INVOICE_SORT_PATIENT ? column_min (self, column) : ws[column]) + room;

  return MAX (max, ws[column]);
}

static void
drag_begin_cb (GtkGestureDrag      *gesture,
               double               x,
               double               y,
               CpInvoiceListHeader *self)
{
  int width = rows_width (self, gtk_widget_get_width (GTK_WIDGET (self)));
  guint32 time = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (gesture));
  CpInvoiceSortKey edge = edge_at (self, x);
  int xs[N_COLUMNS], ws[N_COLUMNS];

  self->dragged = CP_INVOICE_SORT_NONE;
  if (edge == CP_INVOICE_SORT_NONE)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  /* Claimed either way: a press on an edge never sorts. */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (is_double_click (self, edge, time))
    {
      self->pressed_edge = CP_INVOICE_SORT_NONE;
      cp_invoice_list_header_set_column_width (self, edge, -1);
      save_user_widths (self);
      return;
    }
  self->pressed_edge = edge;
  self->pressed_time = time;
  self->dragged = edge;
  cp_invoice_list_header_get_columns (self, width, xs, ws);
  self->drag_start_width = ws[edge];
  self->drag_max_width = column_max (self, edge, width, ws);
}

static void
drag_update_cb (GtkGestureDrag      *gesture,
                double               dx,
                double               dy,
                CpInvoiceListHeader *self)
{
  if (self->dragged == CP_INVOICE_SORT_NONE)
    return;
  /* Down to column_min(): a name ellipsizes, other values stay whole. */
  cp_invoice_list_header_set_column_width (self, self->dragged,
                                           CLAMP (self->drag_start_width + (int) dx,
                                                  column_min (self, self->dragged),
                                                  self->drag_max_width));
}

static void
drag_end_cb (GtkGestureDrag      *gesture,
             double               dx,
             double               dy,
             CpInvoiceListHeader *self)
{
  int distance = 5;

  if (self->dragged == CP_INVOICE_SORT_NONE)
    return;
  self->dragged = CP_INVOICE_SORT_NONE;
  /* A press that moved the edge is a drag, not half a double-click. */
  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-double-click-distance", &distance, NULL);
  if (ABS (dx) > distance || ABS (dy) > distance)
    self->pressed_edge = CP_INVOICE_SORT_NONE;
  save_user_widths (self);
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

/* From the keyboard, on a focused heading: Ctrl+Left and Ctrl+Right make
 * its column narrower or wider by a step, Ctrl+0 fits it again (the
 * double-click). Bindings of the header, so only with a heading focused. */
#define KEY_STEP 16

static gboolean
resize_focused_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  CpInvoiceListHeader *self = CP_INVOICE_LIST_HEADER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  int step = g_variant_get_int32 (args);
  int width = rows_width (self, gtk_widget_get_width (widget));
  int xs[N_COLUMNS], ws[N_COLUMNS];

  for (int i = 0; i < N_COLUMNS; i++)
    if (focus != NULL && (focus == self->buttons[i] || gtk_widget_is_ancestor (focus, self->buttons[i])))
      {
        cp_invoice_list_header_get_columns (self, width, xs, ws);
        cp_invoice_list_header_set_column_width (self, i, step == 0 ? -1 :
                                                 CLAMP (ws[i] + step, column_min (self, i),
                                                        column_max (self, i, width, ws)));
        save_user_widths (self);
        return TRUE;
      }
  return FALSE;
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
  g_clear_handle_id (&self->shrink_id, g_source_remove);
  g_clear_pointer (&self->reported, g_hash_table_unref);
  g_clear_object (&self->settings);
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

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_CONTROL_MASK, resize_focused_cb, "i", -KEY_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Left, GDK_CONTROL_MASK, resize_focused_cb, "i", -KEY_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK, resize_focused_cb, "i", KEY_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Right, GDK_CONTROL_MASK, resize_focused_cb, "i", KEY_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, resize_focused_cb, "i", 0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, resize_focused_cb, "i", 0);

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
  self->pressed_edge = CP_INVOICE_SORT_NONE;
  self->reported = g_hash_table_new_full (NULL, NULL, NULL, g_free);
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
  load_user_widths (self);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
cp_invoice_list_header_new (void)
{
  return g_object_new (CP_TYPE_INVOICE_LIST_HEADER, NULL);
}
