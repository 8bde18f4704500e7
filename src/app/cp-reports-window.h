/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-report.h"
#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_REPORTS_WINDOW (cp_reports_window_get_type ())

G_DECLARE_FINAL_TYPE (CpReportsWindow, cp_reports_window, CP, REPORTS_WINDOW, AdwWindow)

/* The reports dashboard (issue #5 §3): collected, refunded and net by day,
 * week or month for a date range, success rate and failure reasons, the
 * average payment, channels, disputes and the aging of open balances. Each
 * table exports as CSV. Loads in a worker thread; opens on "This Month". */
CpReportsWindow *cp_reports_window_new           (GtkWindow           *parent,
                                                  CpStore             *store);
/* Picks a custom range and reloads. */
void             cp_reports_window_set_range     (CpReportsWindow     *self,
                                                  const char          *from,
                                                  const char          *to,
                                                  CpReportGranularity  by);
gboolean         cp_reports_window_get_loading   (CpReportsWindow     *self);
/* The report on show; NULL before the first load finishes. */
CpReport        *cp_reports_window_get_report    (CpReportsWindow     *self);
/* The text of a summary card's value: "collected", "refunded", "net",
 * "average", "success-rate" or "disputes". */
const char      *cp_reports_window_get_card_text (CpReportsWindow     *self,
                                                  const char          *card);
gboolean         cp_reports_window_export_csv    (CpReportsWindow     *self,
                                                  CpReportTable        table,
                                                  GFile               *file,
                                                  GError             **error);

G_END_DECLS
