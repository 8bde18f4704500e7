/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Lenient readers for Stripe objects: a missing member, a null, or a value
 * of another type gives the fallback instead of a critical warning. */
const char *cp_stripe_json_get_string  (JsonObject *object,
                                        const char *member);
gint64      cp_stripe_json_get_int     (JsonObject *object,
                                        const char *member,
                                        gint64      fallback);
gboolean    cp_stripe_json_get_bool    (JsonObject *object,
                                        const char *member,
                                        gboolean    fallback);
JsonObject *cp_stripe_json_get_object  (JsonObject *object,
                                        const char *member);
JsonArray  *cp_stripe_json_get_array   (JsonObject *object,
                                        const char *member);
/* For members that are an id or, when expanded, an object with "id". */
const char *cp_stripe_json_get_id      (JsonObject *object,
                                        const char *member);

G_END_DECLS
