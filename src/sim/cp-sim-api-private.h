/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the endpoint files (cp-sim-api.c, cp-sim-links.c) and their
 * helpers (cp-sim-helpers.c). */

#include "cp-sim-private.h"

G_BEGIN_DECLS

#define INVALID "invalid_request_error"

typedef gboolean (*CpSimListFilter) (CpSimRequest *req, JsonObject *obj);

char       *cp_sim_random_string       (guint         len);
void        cp_sim_set_string_or_null  (JsonObject   *obj,
                                        const char   *member,
                                        const char   *value);
JsonObject *cp_sim_obj_copy            (JsonObject   *obj);
gboolean    cp_sim_require_param       (CpSimRequest *req,
                                        const char   *name);
gboolean    cp_sim_apply_metadata      (CpSimRequest *req,
                                        JsonObject   *obj,
                                        JsonObject   *params,
                                        const char   *param_prefix);
gboolean    cp_sim_check_currency      (CpSimRequest *req,
                                        const char   *currency);
gboolean    cp_sim_check_amount        (CpSimRequest *req,
                                        gint64        amount,
                                        const char   *currency);
void        cp_sim_set_status          (JsonObject   *pi,
                                        const char   *status);
void        cp_sim_reply_list          (CpSimRequest *req,
                                        const char   *type,
                                        CpSimListFilter filter,
                                        const char   *url);
void        cp_sim_reply_search        (CpSimRequest *req,
                                        const char   *type,
                                        const char  **fields,
                                        const char   *url);

/* after a PaymentIntent of a payment link succeeded */
void        cp_sim_links_complete_checkout (CpSimRequest *req,
                                            CpSimServer  *server,
                                            JsonObject   *pi);

const CpSimRoute *cp_sim_links_routes (guint *n_routes);

G_END_DECLS
