/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The one place that names the Stripe API version CarePay speaks. Every
 * request carries it as Stripe-Version, so response shapes do not change
 * under us when the account's default version moves. */
#define CP_STRIPE_API_VERSION "2024-06-20"

/* Defaults, overridable through CpStripeConfig (and its environment). */
#define CP_STRIPE_DEFAULT_API_BASE "https://api.stripe.com"
#define CP_STRIPE_DEFAULT_JS_URL   "https://js.stripe.com/v3/"
