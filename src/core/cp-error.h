/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CP_ERROR (cp_error_quark ())

typedef enum {
  CP_ERROR_FAILED,          /* anything not listed below */
  CP_ERROR_INVALID_INPUT,   /* user or caller text that does not parse or validate */
  CP_ERROR_NOT_FOUND,       /* no such invoice, patient, staff member... */
  CP_ERROR_EXISTS,          /* a unique value is taken (invoice number, MRN, username) */
  CP_ERROR_DATABASE,        /* SQLite failed; the message says how */
  CP_ERROR_NOT_A_DATABASE,  /* the file is missing, not SQLite, or from a newer CarePay */
  CP_ERROR_AUTH,            /* wrong username or password */
  CP_ERROR_PERMISSION,      /* the staff member's role does not allow the action */
  CP_ERROR_OVERFLOW,        /* money arithmetic left the int64 range */
  CP_ERROR_NETWORK,         /* could not reach a server; may be retried */
  CP_ERROR_STRIPE,          /* Stripe answered with an error object (see cp-stripe-error.h) */
  CP_ERROR_CARD_DECLINED,   /* Stripe card_error: the message is for people */
  CP_ERROR_SIGNATURE,       /* a webhook signature did not verify */
  CP_ERROR_CANCELLED,
} CpError;

GQuark cp_error_quark (void);

G_END_DECLS
