/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What Stripe said when a request failed, kept next to the GError.
 *
 * The client's *_finish functions return a GError in CP_ERROR:
 *   CP_ERROR_CARD_DECLINED  Stripe error type card_error; the message is the
 *                           staff wording from cp_stripe_decline_staff_message()
 *   CP_ERROR_STRIPE         any other Stripe error object (or an unusable answer)
 *   CP_ERROR_NETWORK        the request did not get an answer (DNS, TLS, timeout,
 *                           connection dropped) after every allowed retry
 *   CP_ERROR_CANCELLED      the caller's GCancellable was cancelled
 * and, through an optional `CpStripeErrorInfo **info` out parameter, these
 * details. Nothing here ever holds a key or a client secret. */

#define CP_TYPE_STRIPE_ERROR_INFO (cp_stripe_error_info_get_type ())

typedef struct {
  guint   http_status;        /* 0 when no answer arrived */
  char   *type;               /* card_error, invalid_request_error, api_error, idempotency_error... */
  char   *code;               /* card_declined, resource_missing, parameter_unknown, lock_timeout... */
  char   *decline_code;       /* insufficient_funds, ... for card_error */
  char   *message;            /* Stripe's English message, for logs and staff */
  char   *param;              /* the parameter at fault, if any */
  char   *request_id;         /* Request-Id header: quote it to Stripe support */
  char   *payment_intent_id;  /* error.payment_intent.id, when Stripe sent one */
  char   *doc_url;
  guint   attempts;           /* how many times the request was sent */
} CpStripeErrorInfo;

GType              cp_stripe_error_info_get_type (void) G_GNUC_CONST;
CpStripeErrorInfo *cp_stripe_error_info_new      (void);
CpStripeErrorInfo *cp_stripe_error_info_copy     (const CpStripeErrorInfo *info);
void               cp_stripe_error_info_free     (CpStripeErrorInfo *info);

/* Parses Stripe's {"error": {...}} body (NULL or not an error object gives
 * an info with only status and request id). */
CpStripeErrorInfo *cp_stripe_error_info_new_from_response (guint        http_status,
                                                           const char  *request_id,
                                                           JsonNode    *body);
/* The CP_ERROR code for this info: CARD_DECLINED for card_error,
 * NETWORK when http_status is 0, STRIPE otherwise. */
int                cp_stripe_error_info_get_code (const CpStripeErrorInfo *info);
/* Sets `error` from `info` (code as above, a readable message). */
void               cp_stripe_error_info_set_error (const CpStripeErrorInfo  *info,
                                                   GError                  **error);

/* Plain, localized words for a decline (decline_code, or Stripe's error code
 * for card errors such as expired_card or incorrect_cvc). Unknown or NULL
 * codes get a general wording. The staff text says what the bank said; the
 * patient text only ever says the card was declined and what to do next,
 * never why a bank suspects the card (lost, stolen, fraud). */
const char        *cp_stripe_decline_staff_message   (const char *code);
const char        *cp_stripe_decline_patient_message (const char *code);
/* TRUE when `code` has its own entry in the table. */
gboolean           cp_stripe_decline_code_is_known   (const char *code);
/* The code to look up for `info`: decline_code, else code. */
const char        *cp_stripe_error_info_get_decline_key (const CpStripeErrorInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeErrorInfo, cp_stripe_error_info_free)

G_END_DECLS
