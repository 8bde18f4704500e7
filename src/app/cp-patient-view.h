/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_PATIENT_VIEW (cp_patient_view_get_type ())
G_DECLARE_FINAL_TYPE (CpPatientView, cp_patient_view, CP, PATIENT_VIEW, AdwBin)

/* A patient's details, their invoices and their total balance.
 * ::invoice-activated (gint64 id) when an invoice row is activated. */
GtkWidget       *cp_patient_view_new            (void);
void             cp_patient_view_set_store      (CpPatientView *self,
                                                 CpStore       *store);
void             cp_patient_view_show_patient   (CpPatientView *self,
                                                 gint64         patient_id);
void             cp_patient_view_reload         (CpPatientView *self);
gint64           cp_patient_view_get_patient_id (CpPatientView *self);
const CpPatient *cp_patient_view_get_patient    (CpPatientView *self);
gboolean         cp_patient_view_get_loading    (CpPatientView *self);
guint            cp_patient_view_get_n_invoices (CpPatientView *self);
/* Sum of balance due over the patient's invoices. */
gint64           cp_patient_view_get_balance    (CpPatientView *self);

G_END_DECLS
