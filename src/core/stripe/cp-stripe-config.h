/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the Stripe keys live in the keyring (libsecret). */
#define CP_STRIPE_KEY_SCHEMA_NAME "org.stingrays.CarePay.StripeKey"

typedef enum {
  CP_STRIPE_KEY_SECRET,
  CP_STRIPE_KEY_PUBLISHABLE,
  CP_STRIPE_KEY_WEBHOOK,
} CpStripeKeyKind;

#define CP_TYPE_STRIPE_CONFIG (cp_stripe_config_get_type ())
G_DECLARE_FINAL_TYPE (CpStripeConfig, cp_stripe_config, CP, STRIPE_CONFIG, GObject)

/* Empty configuration with the defaults (api.stripe.com, Stripe.js v3). */
CpStripeConfig *cp_stripe_config_new               (void);
/* Reads CAREPAY_STRIPE_API_BASE, CAREPAY_STRIPE_SECRET_KEY,
 * CAREPAY_STRIPE_PUBLISHABLE_KEY, CAREPAY_STRIPE_WEBHOOK_SECRET and
 * CAREPAY_STRIPE_JS_URL. Does not touch the keyring. */
CpStripeConfig *cp_stripe_config_new_from_environment (void);
/* The app's configuration: the environment, then the keyring for any key
 * the environment does not set. Blocking (see below). */
CpStripeConfig *cp_stripe_config_load              (GCancellable    *cancellable,
                                                    GError         **error);
/* Fills every key that is still unset from the keyring. Blocking (D-Bus):
 * call it once at start-up, off the UI's hot path. A missing keyring entry
 * is not an error; an unreachable keyring is. */
gboolean        cp_stripe_config_load_keyring      (CpStripeConfig  *self,
                                                    GCancellable    *cancellable,
                                                    GError         **error);
/* Stores a key in the keyring and in this configuration. */
gboolean        cp_stripe_config_store_keyring     (CpStripeConfig  *self,
                                                    CpStripeKeyKind  kind,
                                                    const char      *value,
                                                    GCancellable    *cancellable,
                                                    GError         **error);

const char     *cp_stripe_config_get_api_base      (CpStripeConfig *self);
void            cp_stripe_config_set_api_base      (CpStripeConfig *self,
                                                    const char     *api_base);
const char     *cp_stripe_config_get_js_url        (CpStripeConfig *self);
void            cp_stripe_config_set_js_url        (CpStripeConfig *self,
                                                    const char     *js_url);
const char     *cp_stripe_config_get_key           (CpStripeConfig *self,
                                                    CpStripeKeyKind kind);
void            cp_stripe_config_set_key           (CpStripeConfig *self,
                                                    CpStripeKeyKind kind,
                                                    const char     *value);
const char     *cp_stripe_config_get_secret_key    (CpStripeConfig *self);
const char     *cp_stripe_config_get_publishable_key (CpStripeConfig *self);
const char     *cp_stripe_config_get_webhook_secret (CpStripeConfig *self);
gboolean        cp_stripe_config_has_secret_key    (CpStripeConfig *self);
/* TRUE when the secret key is a test key (sk_test_ or rk_test_). */
gboolean        cp_stripe_config_is_test_mode      (CpStripeConfig *self);

/* "sk_test_…4242": safe to log or show. NULL or "" gives "(none)". */
char           *cp_stripe_redact_key               (const char *key);

G_END_DECLS
