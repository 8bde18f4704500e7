/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cp-invoice-row-widget.h"
#include "cp-money.h"
#include "cp-ui-util.h"

#define N_COLUMNS CP_INVOICE_N_SORTS
#define PAD CP_INVOICE_CELL_PADDING
/* The badges' spacing, as the status cell's box had. */
#define BADGE_SPACING 6

/* Why drawn: GTK 4.8 keeps widgets for up to ~200 rows, and a row of the
 * column view was ~18 widgets (row, 7 cells, labels, boxes): dropping them
 * when a search result shrank was the longest frame. This is one widget and
 * its badge a row; the text is laid out once per change (bind, ::changed,
 * text size) and only drawn in snapshot. */
struct _CpInvoiceRowWidget
{
  GtkWidget            parent_instance;

  CpInvoiceListHeader *header;
  CpInvoiceRow        *row;
  /* One a text column (none for the status), and the MRN under the name. */
  PangoLayout         *layouts[N_COLUMNS];
  PangoLayout         *mrn;
  GtkWidget           *status;
  GtkWidget           *disputed;     /* made when first needed: few rows have one */
  char                *text;         /* the accessible label */
  gboolean             overdue;
  gboolean             balance_due;
  gboolean             noted;        /* widths told to the header */
  int                  full[N_COLUMNS]; /* each text's whole width, as noted */
  guint                mrn_serial;   /* of the Pango context the MRN's font is from */
};

G_DEFINE_FINAL_TYPE (CpInvoiceRowWidget, cp_invoice_row_widget, GTK_TYPE_WIDGET)

/* What the "numeric" class gives: tabular digits, so amounts line up. */
static PangoAttrList *
numeric_attrs (gboolean bold)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum 1"));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  return attrs;
}

static void
set_layout (CpInvoiceRowWidget *self,
            PangoLayout       **layout,
            const char         *text,
            PangoAttrList      *attrs)
{
  if (*layout == NULL)
    *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_text (*layout, text, -1);
  pango_layout_set_attributes (*layout, attrs);
  if (attrs != NULL)
    pango_attr_list_unref (attrs);
}

static void
update_accessible (CpInvoiceRowWidget *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->text ? self->text : "", -1);
  /* The list's row takes the focus: it is what a screen reader names. */
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    self->text ? self->text : "", -1);
}

/* The "caption" class for the MRN: 9 pt (scaled with the text size as CSS
 * points are) in the row's font, with its own line height as the label had.
 * Made from the widget's context as it is now: a row is filled before GTK
 * puts it in the list, where its CSS font is known. */
static void
ensure_mrn_font (CpInvoiceRowWidget *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontDescription *font;

  if (self->mrn == NULL || self->mrn_serial == pango_context_get_serial (context))
    return;
  self->mrn_serial = pango_context_get_serial (context);
  font = pango_font_description_copy (pango_context_get_font_description (context));
  pango_font_description_set_size (font, 9 * PANGO_SCALE);
  pango_font_description_set_weight (font, PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (self->mrn, font);
  pango_font_description_free (font);
}

static void
fill (CpInvoiceRowWidget *self)
{
  const CpInvoiceSummary *s = cp_invoice_row_get_summary (self->row);
  g_autofree char *issued = cp_ui_format_date (s->issue_date);
  g_autofree char *due = cp_ui_format_date (s->due_date);
  g_autofree char *total = cp_money_format (s->total, s->currency);
  g_autofree char *balance = cp_money_format (s->balance_due, s->currency);
  const char *mrn = s->mrn ? s->mrn : "—";

  self->overdue = s->status == CP_INVOICE_STATUS_OVERDUE;
  self->balance_due = s->balance_due > 0;

  set_layout (self, &self->layouts[CP_INVOICE_SORT_NUMBER], s->number, numeric_attrs (FALSE));
  set_layout (self, &self->layouts[CP_INVOICE_SORT_PATIENT], s->patient_name, NULL);
  set_layout (self, &self->mrn, mrn, NULL);
  set_layout (self, &self->layouts[CP_INVOICE_SORT_ISSUE_DATE], issued, NULL);
  set_layout (self, &self->layouts[CP_INVOICE_SORT_DUE_DATE], due, NULL);
  set_layout (self, &self->layouts[CP_INVOICE_SORT_TOTAL], total, numeric_attrs (FALSE));
  /* The "amount-due" class: bold. */
  set_layout (self, &self->layouts[CP_INVOICE_SORT_BALANCE], balance, numeric_attrs (self->balance_due));
  /* Only when given a width: the patient's always, the others' when the
   * user made their column narrower than them. */
  for (int i = 0; i < N_COLUMNS; i++)
    if (self->layouts[i] != NULL)
      pango_layout_set_ellipsize (self->layouts[i], PANGO_ELLIPSIZE_END);
  pango_layout_set_ellipsize (self->mrn, PANGO_ELLIPSIZE_END);

  cp_ui_label_set_status (GTK_LABEL (self->status), s->status);
  if (s->disputed && self->disputed == NULL)
    {
      self->disputed = gtk_label_new (_("Disputed"));
      gtk_widget_set_css_classes (self->disputed, (const char *[]) { "badge", "error", "badge-disputed", NULL });
      gtk_label_set_ellipsize (GTK_LABEL (self->disputed), PANGO_ELLIPSIZE_END);
      gtk_widget_set_parent (self->disputed, GTK_WIDGET (self));
    }
  if (self->disputed != NULL)
    gtk_widget_set_visible (self->disputed, s->disputed);

  g_free (self->text);
  /* Reading order: what identifies the invoice, then what is owed. */
  self->text = g_strjoin (", ", s->number, s->patient_name, mrn, due, balance,
                          cp_invoice_status_label (s->status),
                          s->disputed ? _("Disputed") : NULL, NULL);
  update_accessible (self);

  self->noted = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
row_changed_cb (CpInvoiceRowWidget *self)
{
  fill (self);
}

void
cp_invoice_row_widget_set_row (CpInvoiceRowWidget *self,
                               CpInvoiceRow       *row)
{
  g_return_if_fail (CP_IS_INVOICE_ROW_WIDGET (self));
  g_return_if_fail (row == NULL || CP_IS_INVOICE_ROW (row));

  if (self->row == row)
    return;
  if (self->row != NULL)
    g_signal_handlers_disconnect_by_func (self->row, row_changed_cb, self);
  g_set_object (&self->row, row);
  if (row == NULL)
    {
      /* Unbound: its widths no longer size the columns. */
      if (self->header != NULL)
        cp_invoice_list_header_forget_widths (self->header, self);
      self->noted = FALSE;
      return;
    }
  /* The item is a position of the list: it is refilled when the list changes. */
  g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), self, G_CONNECT_SWAPPED);
  fill (self);
}

static int
layout_width (PangoLayout *layout)
{
  int width = 0;

  if (layout != NULL)
    {
      /* The whole text, whatever the current ellipsizing width. */
      int set = pango_layout_get_width (layout);

      pango_layout_set_width (layout, -1);
      pango_layout_get_pixel_size (layout, &width, NULL);
      pango_layout_set_width (layout, set);
    }
  return width;
}

static int
layout_height (PangoLayout *layout)
{
  int height = 0;

  if (layout != NULL)
    pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static int
badges_width (CpInvoiceRowWidget *self)
{
  int width = 0;
  int disputed = 0;

  gtk_widget_measure (self->status, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &width, NULL, NULL);
  if (self->disputed != NULL && gtk_widget_get_visible (self->disputed))
    {
      gtk_widget_measure (self->disputed, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &disputed, NULL, NULL);
      width += BADGE_SPACING + disputed;
    }
  return width;
}

/* Tells the header how wide this row's contents are, once a change: the
 * columns fit the widest row bound (measured here, rooted, so the badges'
 * CSS is known). */
static void
note_widths (CpInvoiceRowWidget *self)
{
  int widths[N_COLUMNS] = { 0 };

  if (self->noted || self->row == NULL)
    return;
  self->noted = TRUE;
  for (int i = 0; i < N_COLUMNS; i++)
    {
      self->full[i] = self->layouts[i] != NULL ? layout_width (self->layouts[i]) : 0;
      if (self->layouts[i] != NULL)
        widths[i] = self->full[i] + 2 * PAD;
    }
  /* The patient gives way (ellipsizes): its natural width is only a wish. */
  widths[CP_INVOICE_SORT_PATIENT] = MAX (widths[CP_INVOICE_SORT_PATIENT], layout_width (self->mrn) + 2 * PAD);
  self->full[CP_INVOICE_SORT_STATUS] = badges_width (self);
  widths[CP_INVOICE_SORT_STATUS] = self->full[CP_INVOICE_SORT_STATUS] + 2 * PAD;
  cp_invoice_list_header_note_widths (self->header, self, widths);
}

static void
cp_invoice_row_widget_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  CpInvoiceRowWidget *self = CP_INVOICE_ROW_WIDGET (widget);

  ensure_mrn_font (self);
  note_widths (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = cp_invoice_list_header_get_min_row_width (self->header);
      *natural = cp_invoice_list_header_get_natural_row_width (self->header);
    }
  else
    {
      int text = layout_height (self->layouts[CP_INVOICE_SORT_PATIENT]) + layout_height (self->mrn);
      int badge = 0;

      gtk_widget_measure (self->status, GTK_ORIENTATION_VERTICAL, -1, NULL, &badge, NULL, NULL);
      for (int i = 0; i < N_COLUMNS; i++)
        text = MAX (text, layout_height (self->layouts[i]));
      *minimum = *natural = MAX (text, badge) + 2 * PAD;
    }
}

/* The cell's full height, as the column view's status cell gave its badges;
 * no wider than `room` (ellipsized) in a column the user made narrow.
 * Returns the width given. */
static int
allocate_badge (GtkWidget *badge,
                int        x,
                int        room,
                int        height)
{
  int min = 0, width = 0;

  gtk_widget_measure (badge, GTK_ORIENTATION_HORIZONTAL, -1, &min, &width, NULL, NULL);
  width = MAX (MIN (width, room), min);
  gtk_widget_size_allocate (badge, &(GtkAllocation) { x, PAD, width, MAX (height - 2 * PAD, 0) }, -1);
  return width;
}

static void
cp_invoice_row_widget_size_allocate (GtkWidget *widget,
                                     int        width,
                                     int        height,
                                     int        baseline)
{
  CpInvoiceRowWidget *self = CP_INVOICE_ROW_WIDGET (widget);
  int xs[N_COLUMNS], ws[N_COLUMNS];
  int x, room;

  cp_invoice_list_header_get_columns (self->header, width, xs, ws);
  cp_invoice_list_header_note_rows_width (self->header, width);
  if (self->row == NULL)
    return;
  x = xs[CP_INVOICE_SORT_STATUS] + PAD;
  room = ws[CP_INVOICE_SORT_STATUS] - 2 * PAD;
  x += allocate_badge (self->status, x, room, height) + BADGE_SPACING;
  if (self->disputed != NULL && gtk_widget_get_visible (self->disputed))
    allocate_badge (self->disputed, x, xs[CP_INVOICE_SORT_STATUS] + ws[CP_INVOICE_SORT_STATUS] - PAD - x, height);
  /* The name and MRN ellipsize at the patient column's width. */
  pango_layout_set_width (self->layouts[CP_INVOICE_SORT_PATIENT],
                          MAX (ws[CP_INVOICE_SORT_PATIENT] - 2 * PAD, 0) * PANGO_SCALE);
  pango_layout_set_width (self->mrn, MAX (ws[CP_INVOICE_SORT_PATIENT] - 2 * PAD, 0) * PANGO_SCALE);
  /* The others only in a column the user made narrower than their text:
   * a width given to every layout would lay them all out again each time
   * a column moves. */
  for (int i = 0; i < N_COLUMNS; i++)
    if (i != CP_INVOICE_SORT_PATIENT && self->layouts[i] != NULL)
      pango_layout_set_width (self->layouts[i],
                              self->full[i] + 2 * PAD > ws[i] ? MAX (ws[i] - 2 * PAD, 0) * PANGO_SCALE : -1);
}

/* Where a column's text is drawn: numbers at the right of theirs. */
static void
cell_origin (CpInvoiceRowWidget *self,
             CpInvoiceSortKey    column,
             PangoLayout        *layout,
             const int          *xs,
             const int          *ws,
             int                 height,
             int                *x,
             int                *y)
{
  int w = 0, h = 0;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (column == CP_INVOICE_SORT_TOTAL || column == CP_INVOICE_SORT_BALANCE)
    *x = xs[column] + ws[column] - PAD - w;
  else
    *x = xs[column] + PAD;
  if (column == CP_INVOICE_SORT_PATIENT)
    {
      /* Name and MRN as one block, as the cell's box had them. */
      int block = h + layout_height (self->mrn);

      *y = (height - block) / 2;
      if (layout == self->mrn)
        *y += h;
    }
  else
    *y = (height - h) / 2;
}

static void
draw (GtkSnapshot   *snapshot,
      PangoLayout   *layout,
      int            x,
      int            y,
      const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
cp_invoice_row_widget_draw_text (CpInvoiceRowWidget *self,
                                 cairo_t            *cr)
{
  g_return_if_fail (CP_IS_INVOICE_ROW_WIDGET (self));

  if (self->row == NULL)
    return;
  ensure_mrn_font (self);
  for (int i = 0; i < N_COLUMNS; i++)
    if (self->layouts[i] != NULL)
      {
        cairo_move_to (cr, 0, 0);
        pango_cairo_show_layout (cr, self->layouts[i]);
      }
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, self->mrn);
}

static void
cp_invoice_row_widget_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  CpInvoiceRowWidget *self = CP_INVOICE_ROW_WIDGET (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  int height = gtk_widget_get_height (widget);
  int xs[N_COLUMNS], ws[N_COLUMNS];
  GdkRGBA fg, dim, error;
  gboolean clip;
  int x, y;

  if (self->row == NULL)
    return;
  ensure_mrn_font (self);

  /* The theme's colours: the row's text colour, libadwaita's dim-label
   * opacity (higher in high contrast) and its error colour. */
  gtk_style_context_get_color (context, &fg);
  dim = fg;
  dim.alpha *= adw_style_manager_get_high_contrast (adw_style_manager_get_default ()) ? 0.9 : 0.55;
  if (!gtk_style_context_lookup_color (context, "error_color", &error))
    error = fg;

  cp_invoice_list_header_get_columns (self->header, gtk_widget_get_width (widget), xs, ws);
  for (int i = 0; i < N_COLUMNS; i++)
    {
      const GdkRGBA *color = &fg;

      if (self->layouts[i] == NULL || ws[i] == 0)
        continue;
      if (i == CP_INVOICE_SORT_DUE_DATE && self->overdue)
        color = &error;
      else if (i == CP_INVOICE_SORT_BALANCE && !self->balance_due)
        color = &dim;
      cell_origin (self, i, self->layouts[i], xs, ws, height, &x, &y);
      draw (snapshot, self->layouts[i], x, y, color);
    }
  cell_origin (self, CP_INVOICE_SORT_PATIENT, self->mrn, xs, ws, height, &x, &y);
  draw (snapshot, self->mrn, x, y, &dim);

  /* Badges wider than a column the user made narrow are cut at its edge. */
  clip = self->full[CP_INVOICE_SORT_STATUS] + 2 * PAD > ws[CP_INVOICE_SORT_STATUS];
  if (clip)
    gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (xs[CP_INVOICE_SORT_STATUS], 0,
                                                           MAX (ws[CP_INVOICE_SORT_STATUS] - PAD, 0), height));
  gtk_widget_snapshot_child (widget, self->status, snapshot);
  if (self->disputed != NULL)
    gtk_widget_snapshot_child (widget, self->disputed, snapshot);
  if (clip)
    gtk_snapshot_pop (snapshot);
}

const char *
cp_invoice_row_widget_get_cell (CpInvoiceRowWidget *self,
                                CpInvoiceSortKey    column,
                                graphene_rect_t    *bounds,
                                gboolean           *cut)
{
  int xs[N_COLUMNS], ws[N_COLUMNS];
  PangoLayout *layout;
  int x, y, w, h;

  g_return_val_if_fail (CP_IS_INVOICE_ROW_WIDGET (self), NULL);
  g_return_val_if_fail (column >= 0 && column < N_COLUMNS, NULL);

  layout = self->layouts[column];
  if (layout == NULL)
    return NULL;
  cp_invoice_list_header_get_columns (self->header, gtk_widget_get_width (GTK_WIDGET (self)), xs, ws);
  if (ws[column] == 0)
    return NULL;
  cell_origin (self, column, layout, xs, ws, gtk_widget_get_height (GTK_WIDGET (self)), &x, &y);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (bounds != NULL)
    graphene_rect_init (bounds, x, y, w, h);
  if (cut != NULL)
    *cut = pango_layout_is_ellipsized (layout) || x < xs[column] || x + w > xs[column] + ws[column];
  return pango_layout_get_text (layout);
}

const char *
cp_invoice_row_widget_get_text (CpInvoiceRowWidget *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_ROW_WIDGET (self), NULL);

  return self->text;
}

/* The text size or font changed: lay out again and re-measure. */
static void
relayout (CpInvoiceRowWidget *self)
{
  for (int i = 0; i < N_COLUMNS; i++)
    if (self->layouts[i] != NULL)
      pango_layout_context_changed (self->layouts[i]);
  self->mrn_serial = 0;  /* its font is made from the widget's */
  self->noted = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
cp_invoice_row_widget_system_setting_changed (GtkWidget       *widget,
                                              GtkSystemSetting setting)
{
  GTK_WIDGET_CLASS (cp_invoice_row_widget_parent_class)->system_setting_changed (widget, setting);
  if (setting == GTK_SYSTEM_SETTING_DPI || setting == GTK_SYSTEM_SETTING_FONT_NAME ||
      setting == GTK_SYSTEM_SETTING_FONT_CONFIG)
    relayout (CP_INVOICE_ROW_WIDGET (widget));
}

static void
cp_invoice_row_widget_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cp_invoice_row_widget_parent_class)->root (widget);
  /* GTK binds a row before it puts it in the list: name the list's row now. */
  update_accessible (CP_INVOICE_ROW_WIDGET (widget));
}

static void
columns_changed_cb (CpInvoiceRowWidget *self)
{
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cp_invoice_row_widget_dispose (GObject *object)
{
  CpInvoiceRowWidget *self = CP_INVOICE_ROW_WIDGET (object);

  cp_invoice_row_widget_set_row (self, NULL);  /* its widths forgotten too */
  g_clear_pointer (&self->status, gtk_widget_unparent);
  g_clear_pointer (&self->disputed, gtk_widget_unparent);
  for (int i = 0; i < N_COLUMNS; i++)
    g_clear_object (&self->layouts[i]);
  g_clear_object (&self->mrn);
  g_clear_object (&self->header);

  G_OBJECT_CLASS (cp_invoice_row_widget_parent_class)->dispose (object);
}

static void
cp_invoice_row_widget_finalize (GObject *object)
{
  CpInvoiceRowWidget *self = CP_INVOICE_ROW_WIDGET (object);

  g_free (self->text);

  G_OBJECT_CLASS (cp_invoice_row_widget_parent_class)->finalize (object);
}

static void
cp_invoice_row_widget_class_init (CpInvoiceRowWidgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_invoice_row_widget_dispose;
  object_class->finalize = cp_invoice_row_widget_finalize;
  widget_class->measure = cp_invoice_row_widget_measure;
  widget_class->size_allocate = cp_invoice_row_widget_size_allocate;
  widget_class->snapshot = cp_invoice_row_widget_snapshot;
  widget_class->system_setting_changed = cp_invoice_row_widget_system_setting_changed;
  widget_class->root = cp_invoice_row_widget_root;

  gtk_widget_class_set_css_name (widget_class, "invoicerow");
}

static void
cp_invoice_row_widget_init (CpInvoiceRowWidget *self)
{
  self->status = gtk_label_new (NULL);
  /* Whole unless the user makes the status column narrower than it. */
  gtk_label_set_ellipsize (GTK_LABEL (self->status), PANGO_ELLIPSIZE_END);
  gtk_widget_set_parent (self->status, GTK_WIDGET (self));
}

GtkWidget *
cp_invoice_row_widget_new (CpInvoiceListHeader *header)
{
  CpInvoiceRowWidget *self;

  g_return_val_if_fail (CP_IS_INVOICE_LIST_HEADER (header), NULL);

  self = g_object_new (CP_TYPE_INVOICE_ROW_WIDGET, NULL);
  self->header = g_object_ref (header);
  g_signal_connect_object (header, "columns-changed", G_CALLBACK (columns_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (header, "widths-reset", G_CALLBACK (relayout), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
