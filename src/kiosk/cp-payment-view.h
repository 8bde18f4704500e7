/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <webkit/webkit.h>

G_BEGIN_DECLS

typedef enum {
  CP_PAYMENT_VIEW_STATE_LOADING,     /* page, Stripe.js or the Payment Element still loading */
  CP_PAYMENT_VIEW_STATE_READY,       /* the Payment Element is mounted and accepts input */
  CP_PAYMENT_VIEW_STATE_PROCESSING,  /* confirmPayment is running (3-D Secure included) */
  CP_PAYMENT_VIEW_STATE_SUCCEEDED,   /* the PAGE SAYS the PaymentIntent succeeded */
  CP_PAYMENT_VIEW_STATE_FAILED,      /* the page says the payment failed; the patient may retry */
  CP_PAYMENT_VIEW_STATE_ERROR,       /* the view cannot take a payment (load failure, crash) */
} CpPaymentViewState;

#define CP_TYPE_PAYMENT_VIEW_STATE (cp_payment_view_state_get_type ())
GType cp_payment_view_state_get_type (void);

#define CP_TYPE_PAYMENT_VIEW (cp_payment_view_get_type ())
G_DECLARE_FINAL_TYPE (CpPaymentView, cp_payment_view, CP, PAYMENT_VIEW, GtkWidget)

GtkWidget          *cp_payment_view_new                    (const char    *stripe_js_url,
                                                            const char    *publishable_key);
void                cp_payment_view_start                  (CpPaymentView *self,
                                                            const char    *client_secret,
                                                            const char    *amount_text,
                                                            const char    *invoice_number,
                                                            const char    *patient_name,
                                                            const char    *locale);
void                cp_payment_view_submit                 (CpPaymentView *self);
void                cp_payment_view_reset                  (CpPaymentView *self);

CpPaymentViewState  cp_payment_view_get_state              (CpPaymentView *self);
gboolean            cp_payment_view_get_prepared           (CpPaymentView *self);
gboolean            cp_payment_view_get_complete           (CpPaymentView *self);
const char         *cp_payment_view_get_payment_intent_id  (CpPaymentView *self);
const char         *cp_payment_view_get_error_message      (CpPaymentView *self);
const char         *cp_payment_view_get_page_uri           (CpPaymentView *self);
WebKitWebView      *cp_payment_view_get_web_view           (CpPaymentView *self);

gboolean            cp_payment_view_uri_is_allowed         (const char    *stripe_js_url,
                                                            const char    *uri);
gboolean            cp_payment_view_navigation_is_allowed  (const char    *stripe_js_url,
                                                            const char    *uri);

G_END_DECLS
