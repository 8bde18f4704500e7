/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-stripe-error.h"
#include "cp-stripe-json.h"

G_DEFINE_BOXED_TYPE (CpStripeErrorInfo, cp_stripe_error_info,
                     cp_stripe_error_info_copy, cp_stripe_error_info_free)

CpStripeErrorInfo *
cp_stripe_error_info_new (void)
{
  return g_new0 (CpStripeErrorInfo, 1);
}

CpStripeErrorInfo *
cp_stripe_error_info_copy (const CpStripeErrorInfo *info)
{
  CpStripeErrorInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (CpStripeErrorInfo, 1);
  copy->http_status = info->http_status;
  copy->type = g_strdup (info->type);
  copy->code = g_strdup (info->code);
  copy->decline_code = g_strdup (info->decline_code);
  copy->message = g_strdup (info->message);
  copy->param = g_strdup (info->param);
  copy->request_id = g_strdup (info->request_id);
  copy->payment_intent_id = g_strdup (info->payment_intent_id);
  copy->doc_url = g_strdup (info->doc_url);
  copy->attempts = info->attempts;
  return copy;
}

void
cp_stripe_error_info_free (CpStripeErrorInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->type);
  g_free (info->code);
  g_free (info->decline_code);
  g_free (info->message);
  g_free (info->param);
  g_free (info->request_id);
  g_free (info->payment_intent_id);
  g_free (info->doc_url);
  g_free (info);
}

static char *
dup_member_string (JsonObject *object,
                   const char *member)
{
  return g_strdup (cp_stripe_json_get_string (object, member));
}

CpStripeErrorInfo *
cp_stripe_error_info_new_from_response (guint       http_status,
                                        const char *request_id,
                                        JsonNode   *body)
{
  CpStripeErrorInfo *info = cp_stripe_error_info_new ();
  JsonObject *error;

  info->http_status = http_status;
  info->request_id = g_strdup (request_id);

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return info;
  error = cp_stripe_json_get_object (json_node_get_object (body), "error");
  if (error == NULL)
    return info;

  info->type = dup_member_string (error, "type");
  info->code = dup_member_string (error, "code");
  info->decline_code = dup_member_string (error, "decline_code");
  info->message = dup_member_string (error, "message");
  info->param = dup_member_string (error, "param");
  info->doc_url = dup_member_string (error, "doc_url");

  /* A declined confirmation names its PaymentIntent, as object or id. */
  info->payment_intent_id = g_strdup (cp_stripe_json_get_id (error, "payment_intent"));

  return info;
}

int
cp_stripe_error_info_get_code (const CpStripeErrorInfo *info)
{
  g_return_val_if_fail (info != NULL, CP_ERROR_FAILED);

  if (info->http_status == 0)
    return CP_ERROR_NETWORK;
  if (g_strcmp0 (info->type, "card_error") == 0)
    return CP_ERROR_CARD_DECLINED;
  return CP_ERROR_STRIPE;
}

void
cp_stripe_error_info_set_error (const CpStripeErrorInfo  *info,
                                GError                  **error)
{
  int code;

  g_return_if_fail (info != NULL);

  code = cp_stripe_error_info_get_code (info);
  if (code == CP_ERROR_CARD_DECLINED)
    g_set_error_literal (error, CP_ERROR, code,
                         cp_stripe_decline_staff_message (cp_stripe_error_info_get_decline_key (info)));
  else if (code == CP_ERROR_NETWORK)
    g_set_error (error, CP_ERROR, code, _("Could not reach Stripe: %s"),
                 info->message != NULL ? info->message : _("no answer"));
  else
    g_set_error (error, CP_ERROR, code, _("Stripe refused the request (HTTP %u, %s%s%s): %s"),
                 info->http_status,
                 info->type != NULL ? info->type : "unknown_error",
                 info->code != NULL ? "/" : "",
                 info->code != NULL ? info->code : "",
                 info->message != NULL ? info->message : _("no details given"));
}

const char *
cp_stripe_error_info_get_decline_key (const CpStripeErrorInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->decline_code != NULL && *info->decline_code != '\0')
    return info->decline_code;
  return info->code;
}

typedef struct {
  const char *code;
  const char *staff;
  const char *patient;
} DeclineEntry;

/* The patient wording never repeats a fraud or lost/stolen reason: the
 * person at the kiosk may be the card's rightful owner, and the bank's
 * reason is for staff and the bank only. */
#define PATIENT_DECLINED N_("Your card was declined. Please try another card or contact your bank.")

static const DeclineEntry decline_table[] = {
  { "insufficient_funds",
    N_("Declined: insufficient funds on the card."),
    PATIENT_DECLINED },
  { "generic_decline",
    N_("Declined by the card issuer without a reason. The patient can call their bank or use another card."),
    PATIENT_DECLINED },
  { "expired_card",
    N_("Declined: the card has expired."),
    N_("Your card was declined. Please check the expiry date or use another card.") },
  { "incorrect_cvc",
    N_("Declined: the security code (CVC) is incorrect."),
    N_("Your card was declined. Please check the security code and try again.") },
  { "incorrect_number",
    N_("Declined: the card number is incorrect."),
    N_("Your card was declined. Please check the card number and try again.") },
  { "processing_error",
    N_("The card could not be processed. Try again in a moment."),
    N_("Your card could not be processed. Please try again in a moment.") },
  { "lost_card",
    N_("Declined: the issuer reports the card as lost. Do not retry; ask for another payment method and do not tell the patient the reason."),
    PATIENT_DECLINED },
  { "stolen_card",
    N_("Declined: the issuer reports the card as stolen. Do not retry; ask for another payment method and do not tell the patient the reason."),
    PATIENT_DECLINED },
  { "do_not_honor",
    N_("Declined by the card issuer (do not honor). The patient should contact their bank or use another card."),
    PATIENT_DECLINED },
  { "authentication_required",
    N_("Declined: the bank requires the cardholder to authenticate (3-D Secure). Retry with the card present."),
    N_("Your bank needs you to confirm this payment. Please try again and follow your bank's steps.") },
  { "card_velocity_exceeded",
    N_("Declined: the card has reached its limit for now (too many or too large payments)."),
    PATIENT_DECLINED },
};

static const DeclineEntry decline_fallback = {
  NULL,
  N_("The card was declined."),
  PATIENT_DECLINED,
};

static const DeclineEntry *
lookup_decline (const char *code)
{
  if (code != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (decline_table); i++)
      if (g_str_equal (decline_table[i].code, code))
        return &decline_table[i];
  return &decline_fallback;
}

const char *
cp_stripe_decline_staff_message (const char *code)
{
  return _(lookup_decline (code)->staff);
}

const char *
cp_stripe_decline_patient_message (const char *code)
{
  return _(lookup_decline (code)->patient);
}

gboolean
cp_stripe_decline_code_is_known (const char *code)
{
  return lookup_decline (code) != &decline_fallback;
}
