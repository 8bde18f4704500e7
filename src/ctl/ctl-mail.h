/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-mail.h"
#include "cp-receipt.h"
#include "ctl.h"

G_BEGIN_DECLS

/* What receipts, statements and mail are signed with. Each value comes from
 * the command's option, else the environment (CAREPAY_HOSPITAL_NAME,
 * CAREPAY_HOSPITAL_ADDRESS, CAREPAY_HOSPITAL_LOGO), else the app's GSettings
 * (hospital-name, hospital-address, hospital-logo) when its schema is
 * installed. */
typedef struct {
  char *name;
  char *address;
  char *logo;
} CtlHospital;

void ctl_hospital_load  (CtlHospital *hospital,
                         const char  *name_option,
                         const char  *address_option,
                         const char  *logo_option);
void ctl_hospital_clear (CtlHospital *hospital);
/* The receipt header's name, address and logo, borrowed from `hospital`. */
void ctl_hospital_set_header (const CtlHospital *hospital,
                              CpReceiptHeader   *header);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtlHospital, ctl_hospital_clear)

/* Command groups (registered in main.c) */
int  ctl_cmd_receipt    (CtlContext *ctx, int argc, char **argv);
int  ctl_cmd_statement  (CtlContext *ctx, int argc, char **argv);
int  ctl_cmd_remind     (CtlContext *ctx, int argc, char **argv);
int  ctl_cmd_mail       (CtlContext *ctx, int argc, char **argv);
int  ctl_cmd_mail_log   (CtlContext *ctx, int argc, char **argv);

G_END_DECLS
