/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-store.h"

G_BEGIN_DECLS

/* Demo data. With n_invoices == 0: the classic demo set of 5 patients and 15
 * invoices of realistic hospital services (most unpaid, some overdue, some
 * paid), plus one staff account per role (see README). With n_invoices > 0:
 * that many invoices over about n/3.3 patients, generated deterministically
 * from `seed`, for scale work; 100,000 in a few seconds. Dates are relative
 * to `today` (YYYY-MM-DD). All in one transaction: all or nothing. */
gboolean cp_seed_demo (CpStore     *store,
                       guint        n_invoices,
                       guint32      seed,
                       const char  *today,
                       GError     **error);

G_END_DECLS
