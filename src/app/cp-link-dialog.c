/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <qrencode.h>

#include "cp-link-dialog.h"
#include "cp-money.h"

/* Modules of white around the symbol, as the QR specification asks. */
#define QUIET_ZONE 4

struct _CpLinkDialog
{
  AdwWindow          parent_instance;

  CpLedger          *ledger;
  GCancellable      *cancellable;
  CpPaymentLinkInfo *link;
  QRcode            *qr;
  char              *error_message;
  char              *invoice_number;

  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkStack          *stack;
  GtkSpinner        *spinner;
  GtkLabel          *amount_label;
  GtkLabel          *summary_label;
  GtkDrawingArea    *qr_area;
  GtkLabel          *url_label;
  AdwStatusPage     *error_page;
};

G_DEFINE_FINAL_TYPE (CpLinkDialog, cp_link_dialog, ADW_TYPE_WINDOW)

enum {
  LINK_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
draw_qr (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        user_data)
{
  CpLinkDialog *self = user_data;
  int modules, scale, x0, y0;

  if (self->qr == NULL)
    return;

  /* Whole device pixels per module keep the edges sharp for a camera. */
  modules = self->qr->width + 2 * QUIET_ZONE;
  scale = MAX (1, MIN (width, height) / modules);
  x0 = (width - modules * scale) / 2;
  y0 = (height - modules * scale) / 2;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x0, y0, modules * scale, modules * scale);
  cairo_fill (cr);

  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int y = 0; y < self->qr->width; y++)
    for (int x = 0; x < self->qr->width; x++)
      if (self->qr->data[y * self->qr->width + x] & 1)
        cairo_rectangle (cr, x0 + (x + QUIET_ZONE) * scale, y0 + (y + QUIET_ZONE) * scale, scale, scale);
  cairo_fill (cr);
}

static void
show_link (CpLinkDialog *self)
{
  g_autofree char *amount = cp_money_format (self->link->amount, self->link->currency);
  g_autofree char *summary = NULL;

  if (self->qr != NULL)
    QRcode_free (self->qr);
  self->qr = QRcode_encodeString (self->link->url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (self->qr == NULL)
    g_warning ("Could not encode the payment link as a QR code");

  /* Translators: "Balance due on invoice INV-2026-0042. The link can be paid once." */
  summary = g_strdup_printf (_("Balance due on invoice %s. The link can be paid once."),
                             self->invoice_number);
  gtk_label_set_text (self->amount_label, amount);
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->url_label, self->link->url);
  gtk_widget_queue_draw (GTK_WIDGET (self->qr_area));
  gtk_stack_set_visible_child_name (self->stack, "link");
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "link.copy", TRUE);
}

static void
create_link_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpLinkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  CpPaymentLinkInfo *link;

  link = cp_ledger_create_link_finish (CP_LEDGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (link == NULL)
    {
      self->error_message = g_strdup (error->message);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  self->link = link;
  show_link (self);
  g_signal_emit (self, signals[LINK_CREATED], 0, link->invoice_id);
}

void
cp_link_dialog_copy (CpLinkDialog *self)
{
  g_return_if_fail (CP_IS_LINK_DIALOG (self));

  if (self->link == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->link->url);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Link copied")));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  cp_link_dialog_copy (CP_LINK_DIALOG (widget));
}

static void
cp_link_dialog_dispose (GObject *object)
{
  CpLinkDialog *self = CP_LINK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->ledger);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_LINK_DIALOG);

  G_OBJECT_CLASS (cp_link_dialog_parent_class)->dispose (object);
}

static void
cp_link_dialog_finalize (GObject *object)
{
  CpLinkDialog *self = CP_LINK_DIALOG (object);

  g_clear_pointer (&self->link, cp_payment_link_info_free);
  g_clear_pointer (&self->qr, QRcode_free);
  g_free (self->error_message);
  g_free (self->invoice_number);

  G_OBJECT_CLASS (cp_link_dialog_parent_class)->finalize (object);
}

static void
cp_link_dialog_class_init (CpLinkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_link_dialog_dispose;
  object_class->finalize = cp_link_dialog_finalize;

  signals[LINK_CREATED] = g_signal_new ("link-created", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-link-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpLinkDialog, name)
  BIND (toast_overlay);
  BIND (window_title);
  BIND (stack);
  BIND (spinner);
  BIND (amount_label);
  BIND (summary_label);
  BIND (qr_area);
  BIND (url_label);
  BIND (error_page);
#undef BIND

  gtk_widget_class_install_action (widget_class, "link.copy", NULL, copy_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_link_dialog_init (CpLinkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_drawing_area_set_draw_func (self->qr_area, draw_qr, self, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "link.copy", FALSE);
}

CpLinkDialog *
cp_link_dialog_new (GtkWindow       *parent,
                    CpLedger        *ledger,
                    const CpStaff   *staff,
                    const CpInvoice *invoice)
{
  CpLinkDialog *self;

  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);
  g_return_val_if_fail (invoice != NULL, NULL);

  self = g_object_new (CP_TYPE_LINK_DIALOG, "transient-for", parent, NULL);
  self->ledger = g_object_ref (ledger);
  self->invoice_number = g_strdup (invoice->number);
  adw_window_title_set_subtitle (self->window_title, invoice->number);
  gtk_stack_set_visible_child_name (self->stack, "working");
  cp_ledger_create_link_async (ledger, invoice->id, staff, self->cancellable,
                               create_link_cb, g_object_ref (self));
  return self;
}

const char *
cp_link_dialog_get_page (CpLinkDialog *self)
{
  g_return_val_if_fail (CP_IS_LINK_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
cp_link_dialog_get_url (CpLinkDialog *self)
{
  g_return_val_if_fail (CP_IS_LINK_DIALOG (self), NULL);
  return self->link ? self->link->url : NULL;
}

const char *
cp_link_dialog_get_error (CpLinkDialog *self)
{
  g_return_val_if_fail (CP_IS_LINK_DIALOG (self), NULL);
  return self->error_message;
}

GtkWidget *
cp_link_dialog_get_qr_widget (CpLinkDialog *self)
{
  g_return_val_if_fail (CP_IS_LINK_DIALOG (self), NULL);
  return GTK_WIDGET (self->qr_area);
}

int
cp_link_dialog_get_qr_modules (CpLinkDialog *self)
{
  g_return_val_if_fail (CP_IS_LINK_DIALOG (self), 0);
  return self->qr ? self->qr->width : 0;
}
