/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Stripe's request parameters: an ordered list of (key, value) pairs whose
 * keys carry the nesting in brackets, as Stripe's own libraries send them:
 *
 *   metadata[invoice_id]=12                 objects
 *   expand[]=latest_charge                  arrays of scalars
 *   line_items[0][price_data][unit_amount]  arrays of objects, indexed
 *
 * Keys are stored unencoded; cp_stripe_form_encode() percent-encodes keys and
 * values (everything except RFC 3986 unreserved characters), in insertion
 * order, so the same parameters always give the same bytes. */

#define CP_TYPE_STRIPE_FORM (cp_stripe_form_get_type ())

typedef struct _CpStripeForm CpStripeForm;

GType         cp_stripe_form_get_type   (void) G_GNUC_CONST;
CpStripeForm *cp_stripe_form_new        (void);
CpStripeForm *cp_stripe_form_ref        (CpStripeForm *form);
void          cp_stripe_form_unref      (CpStripeForm *form);

/* `value` NULL sends an empty value (Stripe's way to unset a field). */
void          cp_stripe_form_add        (CpStripeForm *form,
                                         const char   *key,
                                         const char   *value);
void          cp_stripe_form_add_printf (CpStripeForm *form,
                                         const char   *key,
                                         const char   *format,
                                         ...) G_GNUC_PRINTF (3, 4);
void          cp_stripe_form_add_int    (CpStripeForm *form,
                                         const char   *key,
                                         gint64        value);
void          cp_stripe_form_add_bool   (CpStripeForm *form,
                                         const char   *key,
                                         gboolean      value);
/* Flattens a JSON value under `key`: objects as key[member], arrays of
 * scalars as key[], arrays of objects (or arrays) as key[i][...]. Null gives
 * an empty value. With `key` NULL, `node` must be an object whose members
 * become top-level parameters. */
void          cp_stripe_form_add_node   (CpStripeForm *form,
                                         const char   *key,
                                         JsonNode     *node);
void          cp_stripe_form_add_object (CpStripeForm *form,
                                         JsonObject   *object);
/* Adds every pair of `other` (NULL is fine). */
void          cp_stripe_form_add_form   (CpStripeForm *form,
                                         CpStripeForm *other);

guint         cp_stripe_form_get_length (CpStripeForm *form);
const char   *cp_stripe_form_get_key    (CpStripeForm *form,
                                         guint         index);
const char   *cp_stripe_form_get_value  (CpStripeForm *form,
                                         guint         index);
/* The value of the first pair with `key`, or NULL. */
const char   *cp_stripe_form_lookup     (CpStripeForm *form,
                                         const char   *key);

/* "a=1&b%5Bc%5D=2"; "" for an empty form. */
char         *cp_stripe_form_encode     (CpStripeForm *form);

/* Percent-encodes all bytes but ALPHA / DIGIT / "-" / "." / "_" / "~". */
char         *cp_stripe_percent_encode  (const char   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStripeForm, cp_stripe_form_unref)

G_END_DECLS
