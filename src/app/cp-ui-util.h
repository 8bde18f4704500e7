/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cp-records.h"

G_BEGIN_DECLS

/* Style class of a status badge: "success" for paid, "error" for overdue... */
const char *cp_ui_status_css_class   (CpInvoiceStatus status);
/* Turns `label` into a status badge (text and colours). */
void        cp_ui_label_set_status   (GtkLabel        *label,
                                      CpInvoiceStatus  status);
GtkWidget  *cp_ui_status_badge_new   (CpInvoiceStatus  status);
/* "Nov 22, 2026" for "2026-11-22"; the text itself if it is not a date; "—" for NULL. */
char       *cp_ui_format_date        (const char      *iso_date);
/* "2026-11-22T10:00:00Z" shown as a local date and time. */
char       *cp_ui_format_timestamp   (const char      *iso_time);
/* Sets text or, for NULL/empty, a dim dash. */
void        cp_ui_label_set_text_or_dash (GtkLabel   *label,
                                          const char *text);
void        cp_ui_label_set_money    (GtkLabel   *label,
                                      gint64      minor,
                                      const char *currency);
/* Whether an invoice in this status can still be paid. */
gboolean    cp_ui_status_is_open     (CpInvoiceStatus  status);
/* Start-up: draws the text of the labels and invoice rows shown under `root`
 * once, on a scratch surface, so that their glyphs are rasterized (cairo
 * keeps them per font) before the frame that first shows them. At most
 * `max_rows` rows: past a screenful they bring no new glyphs. Returns the
 * number of rows drawn. */
guint       cp_ui_warm_glyphs        (GtkWidget       *root,
                                      guint            max_rows);
/* "Visa" for Stripe's "visa", "Mastercard", "American Express"...; "Card" for NULL. */
const char *cp_ui_card_brand_label   (const char      *brand);

G_END_DECLS
