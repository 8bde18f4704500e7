/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-stripe-client.h"
#include "cp-stripe-objects.h"

G_BEGIN_DECLS

/* Blocking wrappers: begin pushes the client's private main context, the
 * async call is made with cp_stripe_sync_callback and &sync, wait iterates
 * that context until the result is there, and end pops it and frees. */
typedef struct {
  CpStripeClient *client;
  GMainContext   *context;
  GAsyncResult   *result;
} CpStripeSync;

void          cp_stripe_sync_begin    (CpStripeClient *client,
                                       CpStripeSync   *sync);
void          cp_stripe_sync_callback (GObject        *source,
                                       GAsyncResult   *result,
                                       gpointer        user_data);
GAsyncResult *cp_stripe_sync_wait     (CpStripeSync   *sync);
void          cp_stripe_sync_end      (CpStripeSync   *sync);

/* Helpers for the resource files. */
char         *cp_stripe_path_escape   (const char     *segment);

G_END_DECLS

G_BEGIN_DECLS

/* Typed calls for the resource files: one request whose JSON object is
 * turned into a typed result by `parse`. */
typedef gpointer (*CpStripeParseFunc) (JsonObject *object);

void      cp_stripe_call_async  (CpStripeClient      *client,
                                 gpointer             source_tag,
                                 const char          *method,
                                 const char          *path,
                                 CpStripeForm        *params,
                                 const char          *operation,
                                 CpStripeParseFunc    parse,
                                 GDestroyNotify       free_func,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gpointer  cp_stripe_call_finish (CpStripeClient      *client,
                                 GAsyncResult        *result,
                                 gpointer             source_tag,
                                 CpStripeErrorInfo  **info,
                                 GError             **error);
/* Blocking form of the two above. */
gpointer  cp_stripe_call        (CpStripeClient      *client,
                                 const char          *method,
                                 const char          *path,
                                 CpStripeForm        *params,
                                 const char          *operation,
                                 CpStripeParseFunc    parse,
                                 GDestroyNotify       free_func,
                                 GCancellable        *cancellable,
                                 CpStripeErrorInfo  **info,
                                 GError             **error);

/* Error details travel on the task (for multi-step tasks too). */
void      cp_stripe_task_set_error_info (GTask             *task,
                                         CpStripeErrorInfo *info);
/* Propagates the task's pointer result and hands out its error info. */
gpointer  cp_stripe_task_propagate      (GTask              *task,
                                         CpStripeErrorInfo **info,
                                         GError            **error);

/* List calls: a GET whose answer is a Stripe list object, its data parsed
 * item by item with `parse_item` (finish with cp_stripe_call_finish). The
 * usual list form: `filter`=`filter_value` when the value is set, then
 * limit (when > 0) and starting_after (when set). */
CpStripeForm *cp_stripe_list_form  (const char          *filter,
                                    const char          *filter_value,
                                    guint                limit,
                                    const char          *starting_after);
void          cp_stripe_list_async (CpStripeClient      *client,
                                    gpointer             source_tag,
                                    const char          *path,
                                    CpStripeForm        *params,
                                    CpStripeParseFunc    parse_item,
                                    GDestroyNotify       free_item,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
CpStripeList *cp_stripe_list       (CpStripeClient      *client,
                                    const char          *path,
                                    CpStripeForm        *params,
                                    CpStripeParseFunc    parse_item,
                                    GDestroyNotify       free_item,
                                    GCancellable        *cancellable,
                                    CpStripeErrorInfo  **info,
                                    GError             **error);

G_END_DECLS
