/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-records.h"

G_BEGIN_DECLS

/* PDF receipts and statements, drawn with cairo and laid out with Pango.
 * Text is drawn, never parsed as markup: a patient called "<b>" prints as
 * "<b>". Labels follow the patient's language (CpReceiptHeader.language). */

typedef enum {
  CP_PAPER_AUTO,    /* Letter where the LC_PAPER locale is US or Canadian, A4 elsewhere */
  CP_PAPER_A4,
  CP_PAPER_LETTER,
} CpPaperSize;

/* Who issues the document. Core has no GSettings: the caller passes this. */
typedef struct {
  const char  *name;        /* "St. Raymond General Hospital" */
  const char  *address;     /* multi-line */
  const char  *logo_path;   /* PNG, optional (NULL) */
  CpPaperSize  paper;
  /* "en", "es": the language to print in (the kiosk's, as the patient chose
   * it); NULL: the patient's preferred language (cp_mail_language_for()).
   * Labels, dates, numbers and money follow it, not the program's locale. */
  const char  *language;
} CpReceiptHeader;

/* Receipt for one payment of `invoice` (a computed invoice, as the store
 * returns it): the invoice and its line items, the totals, and the payment's
 * confirmation number (PaymentIntent id), card and date. */
GBytes   *cp_receipt_render_payment    (const CpReceiptHeader  *header,
                                        const CpInvoice        *invoice,
                                        const CpPayment        *payment,
                                        GError                **error);
/* Receipt for one refund of `invoice`. */
GBytes   *cp_receipt_render_refund     (const CpReceiptHeader  *header,
                                        const CpInvoice        *invoice,
                                        const CpRefund         *refund,
                                        GError                **error);
/* A patient's statement of open invoices (CpInvoice, computed) as of
 * `today` (YYYY-MM-DD), with the balance in aging buckets by days past due. */
GBytes   *cp_receipt_render_statement  (const CpReceiptHeader  *header,
                                        const CpPatient        *patient,
                                        GPtrArray              *invoices,
                                        const char             *today,
                                        GError                **error);

/* Aging buckets of a statement. */
typedef enum {
  CP_AGING_CURRENT,     /* not yet past due */
  CP_AGING_1_30,
  CP_AGING_31_60,
  CP_AGING_61_90,
  CP_AGING_OVER_90,
  CP_N_AGING_BUCKETS
} CpAgingBucket;

/* Days from `due_date` to `today` (negative before the due date);
 * G_MININT when either date does not parse. */
int            cp_days_between          (const char *due_date,
                                         const char *today);
CpAgingBucket  cp_aging_bucket_for_days (int days_past_due);
const char    *cp_aging_bucket_label    (CpAgingBucket bucket); /* translated */

/* "Visa •••• 4242"; "Card" without a brand, no dots without last4. */
char          *cp_card_display_name     (const char *brand,
                                         const char *last4);

/* The paper CP_PAPER_AUTO means under the current locale. */
CpPaperSize    cp_paper_size_for_locale (void);

/* The same documents drawn onto any cairo context, one page at a time (for
 * GtkPrintOperation): each page is a recording of the drawing, in points,
 * width × height. cp_receipt_pages_draw() paints page `n` at the context's
 * origin in its current units; scale the context to fit. */
typedef struct _cairo cairo_t;
typedef struct {
  GPtrArray *surfaces;   /* cairo_surface_t (recording), one a page */
  double     width;
  double     height;
} CpReceiptPages;

CpReceiptPages *cp_receipt_render_payment_pages   (const CpReceiptHeader  *header,
                                                   const CpInvoice        *invoice,
                                                   const CpPayment        *payment,
                                                   GError                **error);
CpReceiptPages *cp_receipt_render_statement_pages (const CpReceiptHeader  *header,
                                                   const CpPatient        *patient,
                                                   GPtrArray              *invoices,
                                                   const char             *today,
                                                   GError                **error);
guint           cp_receipt_pages_get_n_pages      (const CpReceiptPages   *pages);
void            cp_receipt_pages_draw             (const CpReceiptPages   *pages,
                                                   guint                   n,
                                                   cairo_t                *cr);
void            cp_receipt_pages_free             (CpReceiptPages         *pages);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReceiptPages, cp_receipt_pages_free)

/* Writes the bytes to `path` (replacing it atomically). */
gboolean       cp_receipt_save          (GBytes      *pdf,
                                         const char  *path,
                                         GError     **error);

G_END_DECLS
