/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CP_SIM_CARD_SUCCEED,
  CP_SIM_CARD_DECLINE,           /* declined at confirm (charge failed) */
  CP_SIM_CARD_THREE_D_SECURE,    /* requires_action, then the challenge */
  CP_SIM_CARD_REFUND_FAIL,       /* succeeds; its refunds fail afterwards */
  CP_SIM_CARD_DISPUTE,           /* succeeds; then disputed */
  CP_SIM_CARD_INCORRECT_NUMBER,  /* refused when the payment method is created */
  CP_SIM_CARD_LIVE_CARD,         /* a real card number used in test mode */
} CpSimCardBehaviour;

typedef struct {
  const char         *number;
  const char         *brand;
  const char         *funding;
  const char         *country;
  CpSimCardBehaviour  behaviour;
  const char         *code;          /* error code when declined */
  const char         *decline_code;
  const char         *message;
  const char         *pm_alias;      /* "pm_card_..." test payment method */
} CpSimCard;

const CpSimCard *cp_sim_card_lookup_number (const char *number);
const CpSimCard *cp_sim_card_lookup_pm     (const char *payment_method_id);
const CpSimCard *cp_sim_card_for_unknown   (const char *number);
gboolean         cp_sim_card_luhn_valid    (const char *number);
const char      *cp_sim_card_detect_brand  (const char *number);

G_END_DECLS
