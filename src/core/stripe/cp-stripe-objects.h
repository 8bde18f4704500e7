/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-records.h"

G_BEGIN_DECLS

/* Small typed views of the Stripe objects CarePay uses, parsed leniently
 * from today's response shapes. Each keeps the whole object in `json` for
 * anything not lifted into a field. Strings are NULL when Stripe sent null
 * or nothing. Client secrets are kept only where a payment page needs them
 * and must never be logged. */

typedef struct {
  char       *id;                /* ch_... */
  char       *status;            /* succeeded, pending, failed */
  gint64      amount;
  gint64      amount_refunded;
  char       *currency;
  gboolean    refunded;
  gboolean    disputed;
  char       *card_brand;        /* payment_method_details.card.brand */
  char       *card_last4;
  char       *receipt_url;
  char       *failure_code;
  char       *failure_message;
} CpStripeCharge;

typedef struct {
  char           *id;            /* pi_... */
  char           *status;        /* requires_payment_method, ..., succeeded, canceled */
  gint64          amount;
  gint64          amount_received;
  char           *currency;
  char           *customer;
  char           *description;
  char           *receipt_email;
  char           *client_secret; /* secret: never log */
  char           *payment_method;
  gint64          created;
  JsonObject     *metadata;      /* never NULL */
  char           *latest_charge_id;
  CpStripeCharge *latest_charge; /* only when expanded, else NULL */
  /* last_payment_error, when the last attempt failed */
  char           *last_error_type;
  char           *last_error_code;
  char           *last_error_decline_code;
  char           *last_error_message;
  JsonObject     *json;
} CpStripePaymentIntent;

typedef struct {
  char       *id;                /* re_... */
  char       *status;            /* pending, requires_action, succeeded, failed, canceled */
  gint64      amount;
  char       *currency;
  char       *payment_intent;
  char       *charge;
  char       *reason;
  char       *failure_reason;
  gint64      created;
  JsonObject *metadata;
  JsonObject *json;
} CpStripeRefund;

typedef struct {
  char       *id;                /* evt_... */
  char       *type;              /* payment_intent.succeeded, charge.refunded, ... */
  gint64      created;
  JsonObject *object;            /* data.object */
  JsonObject *json;
} CpStripeEvent;

typedef struct {
  char       *id;                /* cus_... */
  char       *name;
  char       *email;
  gboolean    deleted;
  JsonObject *metadata;
  JsonObject *json;
} CpStripeCustomer;

typedef struct {
  char       *id;                /* plink_... */
  char       *url;
  gboolean    active;
  char       *price_id;          /* the one-off price made for the invoice */
  JsonObject *metadata;
  JsonObject *json;
} CpStripePaymentLink;

/* A page of a list or search answer. `items` holds the typed objects. */
typedef struct {
  GPtrArray  *items;
  gboolean    has_more;
  char       *next_page;         /* search results only */
} CpStripeList;

CpStripeCharge        *cp_stripe_charge_new_from_json         (JsonObject *object);
void                   cp_stripe_charge_free                  (CpStripeCharge *charge);
CpStripePaymentIntent *cp_stripe_payment_intent_new_from_json (JsonObject *object);
void                   cp_stripe_payment_intent_free          (CpStripePaymentIntent *pi);
/* metadata[key] or NULL. */
const char            *cp_stripe_payment_intent_get_metadata  (const CpStripePaymentIntent *pi,
                                                               const char *key);
/* Fills a ledger payment from the PaymentIntent (ids, amount, status, card,
 * receipt, failure). `channel`, `staff_id` and `invoice_id` are the caller's. */
CpPayment             *cp_stripe_payment_intent_to_payment    (const CpStripePaymentIntent *pi,
                                                               gint64 invoice_id);
CpStripeRefund        *cp_stripe_refund_new_from_json         (JsonObject *object);
void                   cp_stripe_refund_free                  (CpStripeRefund *refund);
CpRefund              *cp_stripe_refund_to_refund             (const CpStripeRefund *refund,
                                                               gint64 invoice_id,
                                                               gint64 payment_id);
CpStripeEvent         *cp_stripe_event_new_from_json          (JsonObject *object);
void                   cp_stripe_event_free                   (CpStripeEvent *event);
CpStripeCustomer      *cp_stripe_customer_new_from_json       (JsonObject *object);
void                   cp_stripe_customer_free                (CpStripeCustomer *customer);
CpStripePaymentLink   *cp_stripe_payment_link_new_from_json   (JsonObject *object);
void                   cp_stripe_payment_link_free            (CpStripePaymentLink *link);

/* `parse` turns each element of data[] into a typed object (NULL skips it). */
CpStripeList          *cp_stripe_list_new_from_json           (JsonObject     *object,
                                                               gpointer      (*parse) (JsonObject *),
                                                               GDestroyNotify  free_func);
void                   cp_stripe_list_free                    (CpStripeList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeCharge, cp_stripe_charge_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripePaymentIntent, cp_stripe_payment_intent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeRefund, cp_stripe_refund_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeEvent, cp_stripe_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeCustomer, cp_stripe_customer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripePaymentLink, cp_stripe_payment_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeList, cp_stripe_list_free)

G_END_DECLS
