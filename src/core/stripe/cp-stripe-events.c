/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-error.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-events.h"
#include "cp-stripe-json.h"

#define PARSE_EVENT ((CpStripeParseFunc) cp_stripe_event_new_from_json)
#define FREE_EVENT  ((GDestroyNotify) cp_stripe_event_free)

static CpStripeForm *
list_form (const char * const *types,
           const char         *starting_after,
           const char         *ending_before,
           guint               limit)
{
  CpStripeForm *form = cp_stripe_form_new ();

  if (types != NULL && types[0] != NULL && types[1] == NULL)
    cp_stripe_form_add (form, "type", types[0]);
  else if (types != NULL)
    for (guint i = 0; types[i] != NULL; i++)
      cp_stripe_form_add (form, "types[]", types[i]);
  if (starting_after != NULL)
    cp_stripe_form_add (form, "starting_after", starting_after);
  if (ending_before != NULL)
    cp_stripe_form_add (form, "ending_before", ending_before);
  if (limit > 0)
    cp_stripe_form_add_int (form, "limit", MIN (limit, 100));
  return form;
}

void
cp_stripe_event_list_async (CpStripeClient      *client,
                            const char * const  *types,
                            const char          *starting_after,
                            const char          *ending_before,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(CpStripeForm) form = list_form (types, starting_after, ending_before, limit);

  g_return_if_fail (CP_IS_STRIPE_CLIENT (client));
  cp_stripe_list_async (client, cp_stripe_event_list_async, "/v1/events", form, PARSE_EVENT,
                        FREE_EVENT, cancellable, callback, user_data);
}

CpStripeList *
cp_stripe_event_list_finish (CpStripeClient      *client,
                             GAsyncResult        *result,
                             CpStripeErrorInfo  **info,
                             GError             **error)
{
  return cp_stripe_call_finish (client, result, cp_stripe_event_list_async, info, error);
}

CpStripeList *
cp_stripe_event_list (CpStripeClient      *client,
                      const char * const  *types,
                      const char          *starting_after,
                      const char          *ending_before,
                      guint                limit,
                      GCancellable        *cancellable,
                      CpStripeErrorInfo  **info,
                      GError             **error)
{
  g_autoptr(CpStripeForm) form = list_form (types, starting_after, ending_before, limit);

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);
  return cp_stripe_list (client, "/v1/events", form, PARSE_EVENT, FREE_EVENT, cancellable, info,
                         error);
}

/* ---- iterator ---- */

struct _CpStripeEventIter
{
  CpStripeClient *client;
  GStrv           types;
  char           *cursor;
  guint           page_size;
  gboolean        caught_up;
};

typedef struct {
  CpStripeEventIter *iter;
  GPtrArray         *collected;  /* newest first, while walking back from the start */
} Next;

static void
next_free (Next *next)
{
  g_clear_pointer (&next->collected, g_ptr_array_unref);
  g_free (next);
}

CpStripeEventIter *
cp_stripe_event_iter_new (CpStripeClient     *client,
                          const char         *after_event_id,
                          const char * const *types)
{
  CpStripeEventIter *iter;

  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);

  iter = g_new0 (CpStripeEventIter, 1);
  iter->client = g_object_ref (client);
  iter->types = g_strdupv ((char **) types);
  iter->cursor = g_strdup (after_event_id);
  iter->page_size = 100;
  return iter;
}

void
cp_stripe_event_iter_free (CpStripeEventIter *iter)
{
  if (iter == NULL)
    return;
  g_clear_object (&iter->client);
  g_strfreev (iter->types);
  g_free (iter->cursor);
  g_free (iter);
}

void
cp_stripe_event_iter_set_page_size (CpStripeEventIter *iter,
                                    guint              page_size)
{
  g_return_if_fail (iter != NULL);
  iter->page_size = CLAMP (page_size, 1, 100);
}

const char *
cp_stripe_event_iter_get_cursor (CpStripeEventIter *iter)
{
  g_return_val_if_fail (iter != NULL, NULL);
  return iter->cursor;
}

gboolean
cp_stripe_event_iter_is_caught_up (CpStripeEventIter *iter)
{
  g_return_val_if_fail (iter != NULL, FALSE);
  return iter->caught_up;
}

static void request_page (GTask *task, const char *starting_after);

/* `newest_first` holds CpStripeEvent in Stripe's order; returns them oldest first. */
static GPtrArray *
chronological (GPtrArray *newest_first)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_stripe_event_free);

  for (guint i = newest_first->len; i > 0; i--)
    g_ptr_array_add (out, g_ptr_array_steal_index (newest_first, i - 1));
  return out;
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Next *next = g_task_get_task_data (task);
  CpStripeEventIter *iter = next->iter;
  g_autoptr(CpStripeList) list = NULL;
  CpStripeErrorInfo *info = NULL;
  GError *error = NULL;

  list = cp_stripe_event_list_finish (CP_STRIPE_CLIENT (source), result, &info, &error);
  if (list == NULL)
    {
      cp_stripe_task_set_error_info (task, info);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (next->collected != NULL)
    {
      /* Walking back from the newest event to the oldest. */
      const char *last = NULL;

      while (list->items->len > 0)
        g_ptr_array_add (next->collected, g_ptr_array_steal_index (list->items, 0));
      if (next->collected->len > 0)
        last = ((CpStripeEvent *) next->collected->pdata[next->collected->len - 1])->id;
      if (list->has_more && last != NULL)
        {
          request_page (task, last);
          return;
        }
      {
        GPtrArray *events = chronological (next->collected);
        iter->caught_up = TRUE;
        if (events->len > 0)
          {
            g_free (iter->cursor);
            iter->cursor = g_strdup (((CpStripeEvent *) events->pdata[events->len - 1])->id);
          }
        g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
        g_object_unref (task);
        return;
      }
    }

  /* ending_before=cursor: the events just after the cursor, newest first. */
  {
    GPtrArray *events = chronological (list->items);

    iter->caught_up = !list->has_more;
    if (events->len > 0)
      {
        g_free (iter->cursor);
        iter->cursor = g_strdup (((CpStripeEvent *) events->pdata[events->len - 1])->id);
      }
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
    g_object_unref (task);
  }
}

static void
request_page (GTask      *task,
              const char *starting_after)
{
  Next *next = g_task_get_task_data (task);
  CpStripeEventIter *iter = next->iter;

  cp_stripe_event_list_async (iter->client, (const char * const *) iter->types,
                              next->collected != NULL ? starting_after : NULL,
                              next->collected != NULL ? NULL : iter->cursor,
                              iter->page_size, g_task_get_cancellable (task), page_cb, task);
}

void
cp_stripe_event_iter_next_async (CpStripeEventIter   *iter,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Next *next;

  g_return_if_fail (iter != NULL);

  task = g_task_new (iter->client, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_stripe_event_iter_next_async);
  g_task_set_check_cancellable (task, FALSE);
  next = g_new0 (Next, 1);
  next->iter = iter;
  if (iter->cursor == NULL)
    next->collected = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_stripe_event_free);
  g_task_set_task_data (task, next, (GDestroyNotify) next_free);

  request_page (task, NULL);
}

GPtrArray *
cp_stripe_event_iter_next_finish (CpStripeEventIter   *iter,
                                  GAsyncResult        *result,
                                  CpStripeErrorInfo  **info,
                                  GError             **error)
{
  g_return_val_if_fail (iter != NULL, NULL);
  return cp_stripe_call_finish (iter->client, result, cp_stripe_event_iter_next_async, info, error);
}

GPtrArray *
cp_stripe_event_iter_next (CpStripeEventIter   *iter,
                           GCancellable        *cancellable,
                           CpStripeErrorInfo  **info,
                           GError             **error)
{
  CpStripeSync sync;
  GPtrArray *events;

  g_return_val_if_fail (iter != NULL, NULL);

  cp_stripe_sync_begin (iter->client, &sync);
  cp_stripe_event_iter_next_async (iter, cancellable, cp_stripe_sync_callback, &sync);
  events = cp_stripe_event_iter_next_finish (iter, cp_stripe_sync_wait (&sync), info, error);
  cp_stripe_sync_end (&sync);
  return events;
}
