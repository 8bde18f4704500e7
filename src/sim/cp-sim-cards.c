/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-sim-cards.h"

#define DECLINED "Your card was declined."

/* Stripe's documented test cards (https://docs.stripe.com/testing). */
static const CpSimCard cards[] = {
  { "4242424242424242", "visa", "credit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_visa" },
  { "4000056655665556", "visa", "debit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_visa_debit" },
  { "5555555555554444", "mastercard", "credit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_mastercard" },
  { "5200828282828210", "mastercard", "debit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_mastercard_debit" },
  { "378282246310005", "amex", "credit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_amex" },
  { "6011111111111117", "discover", "credit", "US", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_discover" },
  { "4000008260000000", "visa", "credit", "GB", CP_SIM_CARD_SUCCEED, NULL, NULL, NULL, "pm_card_gb" },
  { "4000000000000002", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "card_declined", "generic_decline", DECLINED, "pm_card_chargeDeclined" },
  { "4000000000009995", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "card_declined", "insufficient_funds", "Your card has insufficient funds.", "pm_card_chargeDeclinedInsufficientFunds" },
  { "4000000000009987", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "card_declined", "lost_card", DECLINED, "pm_card_chargeDeclinedLostCard" },
  { "4000000000009979", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "card_declined", "stolen_card", DECLINED, "pm_card_chargeDeclinedStolenCard" },
  { "4100000000000019", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "card_declined", "fraudulent", DECLINED, "pm_card_chargeDeclinedFraudulent" },
  { "4000000000000069", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "expired_card", "expired_card", "Your card has expired.", "pm_card_chargeDeclinedExpiredCard" },
  { "4000000000000127", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.", "pm_card_chargeDeclinedIncorrectCvc" },
  { "4000000000000119", "visa", "credit", "US", CP_SIM_CARD_DECLINE, "processing_error", "processing_error", "An error occurred while processing your card. Try again in a little bit.", "pm_card_chargeDeclinedProcessingError" },
  { "4242424242424241", "visa", "credit", "US", CP_SIM_CARD_INCORRECT_NUMBER, "incorrect_number", NULL, "Your card number is incorrect.", NULL },
  { "4000002760003184", "visa", "credit", "US", CP_SIM_CARD_THREE_D_SECURE, NULL, NULL, NULL, "pm_card_authenticationRequired" },
  { "4000002500003155", "visa", "credit", "US", CP_SIM_CARD_THREE_D_SECURE, NULL, NULL, NULL, "pm_card_authenticationRequiredOnSetup" },
  { "4000000000003220", "visa", "credit", "US", CP_SIM_CARD_THREE_D_SECURE, NULL, NULL, NULL, "pm_card_threeDSecure2Required" },
  { "4000000000005126", "visa", "credit", "US", CP_SIM_CARD_REFUND_FAIL, NULL, NULL, NULL, "pm_card_refundFail" },
  { "4000000000000259", "visa", "credit", "US", CP_SIM_CARD_DISPUTE, NULL, NULL, NULL, "pm_card_createDispute" },
};

static const CpSimCard live_visa = { NULL, "visa", "credit", "US", CP_SIM_CARD_LIVE_CARD, "card_declined", "test_mode_live_card",
  "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.", NULL };
static const CpSimCard live_mc = { NULL, "mastercard", "credit", "US", CP_SIM_CARD_LIVE_CARD, "card_declined", "test_mode_live_card",
  "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.", NULL };
static const CpSimCard live_amex = { NULL, "amex", "credit", "US", CP_SIM_CARD_LIVE_CARD, "card_declined", "test_mode_live_card",
  "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.", NULL };
static const CpSimCard live_other = { NULL, "unknown", "unknown", "US", CP_SIM_CARD_LIVE_CARD, "card_declined", "test_mode_live_card",
  "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.", NULL };

const CpSimCard *
cp_sim_card_lookup_number (const char *number)
{
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    if (g_strcmp0 (cards[i].number, number) == 0)
      return &cards[i];
  return NULL;
}

const CpSimCard *
cp_sim_card_lookup_pm (const char *payment_method_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    if (cards[i].pm_alias != NULL && g_strcmp0 (cards[i].pm_alias, payment_method_id) == 0)
      return &cards[i];
  /* Stripe's older aliases */
  if (g_strcmp0 (payment_method_id, "pm_card_us") == 0)
    return &cards[0];
  return NULL;
}

const CpSimCard *
cp_sim_card_for_unknown (const char *number)
{
  const char *brand = cp_sim_card_detect_brand (number);

  if (g_str_equal (brand, "visa"))
    return &live_visa;
  if (g_str_equal (brand, "mastercard"))
    return &live_mc;
  if (g_str_equal (brand, "amex"))
    return &live_amex;
  return &live_other;
}

gboolean
cp_sim_card_luhn_valid (const char *number)
{
  gsize len;
  int sum = 0;

  if (number == NULL)
    return FALSE;
  len = strlen (number);
  if (len < 12 || len > 19)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int d;

      if (!g_ascii_isdigit (number[len - 1 - i]))
        return FALSE;
      d = number[len - 1 - i] - '0';
      if (i % 2 == 1)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }
  return sum % 10 == 0;
}

const char *
cp_sim_card_detect_brand (const char *number)
{
  int two, four;

  if (number == NULL || strlen (number) < 4)
    return "unknown";
  two = (number[0] - '0') * 10 + (number[1] - '0');
  four = two * 100 + (number[2] - '0') * 10 + (number[3] - '0');
  if (number[0] == '4')
    return "visa";
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
    return "mastercard";
  if (two == 34 || two == 37)
    return "amex";
  if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499))
    return "discover";
  if (two == 35)
    return "jcb";
  if (two == 36 || two == 30 || two == 38)
    return "diners";
  if (two == 62)
    return "unionpay";
  return "unknown";
}
