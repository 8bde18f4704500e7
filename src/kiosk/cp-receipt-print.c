/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Printing receipts, for the staff app and the kiosk: the pages recorded by
 * cp-receipt, painted scaled to the printable area. */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-receipt-print.h"

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CpReceiptPages    *pages)
{
  gtk_print_operation_set_n_pages (operation, (int) cp_receipt_pages_get_n_pages (pages));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              CpReceiptPages    *pages)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = MIN (gtk_print_context_get_width (context) / pages->width,
                      gtk_print_context_get_height (context) / pages->height);

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cp_receipt_pages_draw (pages, (guint) page_nr, cr);
  cairo_restore (cr);
}

GtkPrintOperationResult
cp_receipt_print_pages (GtkWindow       *parent,
                        CpReceiptPages  *pages,
                        const char      *job_name,
                        gboolean         with_dialog,
                        const char      *export_filename,
                        GError         **error)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = NULL;
  GtkPrintOperationAction action;

  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  paper = gtk_paper_size_new_custom ("carepay-receipt", _("Receipt"), pages->width, pages->height,
                                     GTK_UNIT_POINTS);
  gtk_page_setup_set_paper_size_and_default_margins (setup, paper);
  gtk_print_operation_set_default_page_setup (operation, setup);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), pages);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), pages);
  g_object_set_data_full (G_OBJECT (operation), "cp-receipt-pages", pages,
                          (GDestroyNotify) cp_receipt_pages_free);
  if (export_filename != NULL)
    {
      gtk_print_operation_set_export_filename (operation, export_filename);
      action = GTK_PRINT_OPERATION_ACTION_EXPORT;
    }
  else
    action = with_dialog ? GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG : GTK_PRINT_OPERATION_ACTION_PRINT;
  return gtk_print_operation_run (operation, action, parent, error);
}
