/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-mail.h"
#include "cp-receipt.h"

G_BEGIN_DECLS

/* The hospital's settings as the staff app and the kiosk read them from the
 * app's GSettings (the schema must be installed): who signs receipts,
 * statements and mail, and the SMTP relay mail goes through. carepayctl,
 * which may run where the schema is not, has its own (ctl-mail.c). */

typedef struct {
  char *name;     /* hospital-name, or "Billing office" when empty */
  char *address;  /* hospital-address */
  char *logo;     /* hospital-logo when it is a file, else NULL */
} CpHospital;

void          cp_hospital_load        (CpHospital       *hospital);
void          cp_hospital_clear       (CpHospital       *hospital);
/* The header for cp_receipt_render_*(); it points into `hospital`. */
void          cp_hospital_header      (const CpHospital *hospital,
                                       CpReceiptHeader  *header);

/* The SMTP relay: cp_mail_config_from_env() when CAREPAY_SMTP_HOST is set,
 * else the smtp-* settings, with the hospital's name as the sender's. NULL
 * with CP_ERROR_INVALID_INPUT and `not_set_up` as the message when no server
 * or sender address is set (the staff and the patients are told apart). */
CpMailConfig *cp_hospital_mail_config (const char       *not_set_up,
                                       GError          **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CpHospital, cp_hospital_clear)

G_END_DECLS
