/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"
#include "cp-sync.h"

#define META_CURSOR         "sync.cursor"
#define META_CURSOR_CREATED "sync.cursor_created"
#define META_LAST_SYNC      "sync.last_sync"

/* Stripe keeps events for 30 days; an hour less leaves room for clocks */
#define EVENT_RETENTION_SECONDS (30 * 24 * 3600 - 3600)
#define CATCH_UP_MARGIN_SECONDS 3600
/* Events applied per transaction: Stripe's largest list page */
#define PAGE_EVENTS 100

struct _CpSync
{
  GObject       parent_instance;

  CpLedger     *ledger;
  guint         interval;
  guint         timeout_id;
  GCancellable *cancellable;
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (CpSync, cp_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LEDGER,
  PROP_INTERVAL,
  N_PROPS
};

enum {
  PAYMENT_RECEIVED,
  INVOICE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What a pass changed, reported as signals once it is back on the caller's
 * context. */
typedef struct {
  gint64   invoice_id;
  gboolean received;
} Change;

static void
note_change (GArray   *changes,
             gint64    invoice_id,
             gboolean  received)
{
  Change change;

  if (invoice_id <= 0)
    return;
  change.invoice_id = invoice_id;
  change.received = received;
  g_array_append_val (changes, change);
}

static void
emit_changes (CpSync *self,
              GArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = &g_array_index (changes, Change, i);

      if (change->received)
        g_signal_emit (self, signals[PAYMENT_RECEIVED], 0, change->invoice_id);
      g_signal_emit (self, signals[INVOICE_CHANGED], 0, change->invoice_id);
    }
}

static gint64
meta_int (CpStore    *store,
          const char *key)
{
  g_autofree char *text = cp_store_get_meta (store, key);
  gint64 value = 0;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    return 0;
  return value;
}

static gboolean
set_meta_int (CpStore     *store,
              const char  *key,
              gint64       value,
              GError     **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  return cp_store_set_meta (store, key, text, error);
}

static gboolean
save_cursor (CpStore              *store,
             const CpStripeEvent  *event,
             GError              **error)
{
  return cp_store_set_meta (store, META_CURSOR, event->id, error) &&
         set_meta_int (store, META_CURSOR_CREATED, event->created, error);
}

static gboolean
not_ours (const GError *error)
{
  return g_error_matches (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

/* After a long gap: what the events would have told us, from the objects. */
static gboolean
catch_up (CpSync        *self,
          GArray        *changes,
          guint         *applied,
          GCancellable  *cancellable,
          GError       **error)
{
  CpStripeClient *client = cp_ledger_get_client (self->ledger);
  CpStore *store = cp_ledger_get_store (self->ledger);
  g_autoptr(CpStripeList) newest = NULL;
  g_autofree char *after = NULL;
  gint64 since = meta_int (store, META_LAST_SYNC);
  gboolean more = TRUE;

  if (since <= 0)
    since = meta_int (store, META_CURSOR_CREATED);
  since = since > CATCH_UP_MARGIN_SECONDS ? since - CATCH_UP_MARGIN_SECONDS : 0;
  g_debug ("Catching up on Stripe objects created since %" G_GINT64_FORMAT, since);

  /* Taken first, so nothing that happens during the catch-up is missed */
  newest = cp_stripe_event_list (client, NULL, NULL, NULL, 1, cancellable, NULL, error);
  if (newest == NULL)
    return FALSE;

  while (more)
    {
      g_autoptr(CpStripeList) page = cp_stripe_payment_intent_list (client, NULL, 100, after, cancellable, NULL, error);

      if (page == NULL)
        return FALSE;
      more = page->has_more && page->items->len > 0;
      for (guint i = 0; i < page->items->len; i++)
        {
          CpStripePaymentIntent *pi = g_ptr_array_index (page->items, i);
          g_autoptr(GError) local_error = NULL;
          gint64 invoice_id = 0;
          gboolean received = FALSE;

          if (pi->created < since)
            {
              more = FALSE;
              break;
            }
          if (!cp_ledger_apply_payment_intent (self->ledger, pi, cancellable, &invoice_id, &received, &local_error) &&
              !not_ours (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (invoice_id > 0)
            {
              note_change (changes, invoice_id, received);
              (*applied)++;
            }
        }
      if (more)
        {
          g_free (after);
          after = g_strdup (((CpStripePaymentIntent *) g_ptr_array_index (page->items, page->items->len - 1))->id);
        }
    }

  g_clear_pointer (&after, g_free);
  more = TRUE;
  while (more)
    {
      g_autoptr(CpStripeList) page = cp_stripe_refund_list (client, NULL, 100, after, cancellable, NULL, error);

      if (page == NULL)
        return FALSE;
      more = page->has_more && page->items->len > 0;
      for (guint i = 0; i < page->items->len; i++)
        {
          CpStripeRefund *refund = g_ptr_array_index (page->items, i);
          g_autoptr(GError) local_error = NULL;
          gint64 invoice_id = 0;

          if (refund->created < since)
            {
              more = FALSE;
              break;
            }
          if (!cp_ledger_apply_refund (self->ledger, refund, cancellable, &invoice_id, &local_error) &&
              !not_ours (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (invoice_id > 0)
            {
              note_change (changes, invoice_id, FALSE);
              (*applied)++;
            }
        }
      if (more)
        {
          g_free (after);
          after = g_strdup (((CpStripeRefund *) g_ptr_array_index (page->items, page->items->len - 1))->id);
        }
    }

  if (newest->items->len > 0)
    return save_cursor (store, g_ptr_array_index (newest->items, 0), error);
  /* No events at all: start from the beginning next time */
  return cp_store_set_meta (store, META_CURSOR, NULL, error);
}

/* Commits the open page transaction with the cursor on `last` (NULL: no
 * event was applied in it); the page's changes count from then on. */
static gboolean
commit_page (CpStore              *store,
             const CpStripeEvent  *last,
             GArray               *page_changes,
             GArray               *changes,
             guint                *page_applied,
             guint                *applied,
             GError              **error)
{
  if (last != NULL && !save_cursor (store, last, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }
  /* A commit that fails has rolled back */
  if (!cp_store_commit (store, error))
    return FALSE;
  *applied += *page_applied;
  *page_applied = 0;
  g_array_append_vals (changes, page_changes->data, page_changes->len);
  g_array_set_size (page_changes, 0);
  return TRUE;
}

/* Applies batch[first..end) in one transaction with the cursor, so a crash
 * in the middle leaves the ledger and the cursor as they were before the
 * page and the next pass applies the whole page again (each event exactly
 * once: none of the page's events were recorded as applied). Each event is
 * applied from its own body (cp-ledger-bodies.c), which needs no request to
 * Stripe; one that still needs a request (a refund of a payment not
 * recorded here, a state the body cannot order against ours) ends the
 * transaction and is applied on its own, as events were before pages, so no
 * request is made while the store is held. An event that fails (Stripe
 * unreachable...) ends the page: what came before it is kept, with the
 * cursor on the last event applied. */
static gboolean
apply_page (CpSync        *self,
            GPtrArray     *batch,
            guint          first,
            guint          end,
            GArray        *changes,
            guint         *applied,
            GCancellable  *cancellable,
            GError       **error)
{
  CpStore *store = cp_ledger_get_store (self->ledger);
  g_autoptr(CpLedgerPage) page = cp_ledger_page_new (batch, first, end);
  g_autoptr(GArray) page_changes = g_array_new (FALSE, FALSE, sizeof (Change));
  const CpStripeEvent *last = NULL;
  guint page_applied = 0;
  gboolean in_transaction = FALSE;
  gboolean ok = TRUE;

  cp_ledger_defer_links (self->ledger);
  for (guint i = first; i < end; i++)
    {
      const CpStripeEvent *event = g_ptr_array_index (batch, i);
      gint64 invoice_id = 0;
      gboolean was_applied = FALSE;
      gboolean received = FALSE;
      gboolean needs_request = FALSE;

      if (!in_transaction)
        {
          if (!cp_store_begin (store, error))
            {
              ok = FALSE;
              break;
            }
          in_transaction = TRUE;
          last = NULL;
        }
      if (!cp_ledger_apply_event_body (self->ledger, event, page, cancellable, &invoice_id, &was_applied,
                                       &received, &needs_request, error))
        {
          ok = FALSE;
          break;
        }

      if (needs_request)
        {
          /* Applied by itself, its cursor by itself too, as before pages */
          in_transaction = FALSE;
          if (!commit_page (store, last, page_changes, changes, &page_applied, applied, error) ||
              !cp_ledger_apply_event_full (self->ledger, event, cancellable, &invoice_id, &was_applied,
                                           &received, error) ||
              !save_cursor (store, event, error))
            {
              ok = FALSE;
              break;
            }
          if (was_applied)
            (*applied)++;
          note_change (changes, invoice_id, received);
          last = NULL;
          continue;
        }

      last = event;
      if (was_applied)
        page_applied++;
      note_change (page_changes, invoice_id, received);
    }

  if (in_transaction)
    {
      /* Keep what was applied before a failure */
      if (!commit_page (store, last, page_changes, changes, &page_applied, applied, ok ? error : NULL))
        ok = FALSE;
    }
  cp_ledger_maintain_deferred_links (self->ledger, cancellable);
  return ok;
}

/* Applies a batch the iterator gave, a page (one transaction) at a time */
static gboolean
apply_batch (CpSync        *self,
             GPtrArray     *batch,
             GArray        *changes,
             guint         *applied,
             GCancellable  *cancellable,
             GError       **error)
{
  for (guint first = 0; first < batch->len; first += PAGE_EVENTS)
    if (!apply_page (self, batch, first, MIN (batch->len, first + PAGE_EVENTS), changes, applied, cancellable,
                     error))
      return FALSE;
  return TRUE;
}

/* Whether a failed first request says Stripe no longer has our cursor event */
static gboolean
cursor_missing (const CpStripeErrorInfo *info)
{
  return info != NULL && g_strcmp0 (info->code, "resource_missing") == 0;
}

/* One page after the other: from no cursor (the iterator walks back to the
 * oldest event and hands them all over at once), or forward with
 * CAREPAY_SYNC_SERIAL=1 (benchmarks compare the two ways) */
static gboolean
walk_serial (CpSync             *self,
             CpStripeEventIter  *iter,
             gboolean            may_gap,
             gboolean           *gap,
             GArray             *changes,
             guint              *applied,
             GCancellable       *cancellable,
             GError            **error)
{
  while (TRUE)
    {
      g_autoptr(CpStripeErrorInfo) info = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) batch = cp_stripe_event_iter_next (iter, cancellable, &info, &local_error);

      if (batch == NULL)
        {
          if (may_gap && cursor_missing (info))
            {
              *gap = TRUE;
              return TRUE;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!apply_batch (self, batch, changes, applied, cancellable, error))
        return FALSE;
      if (cp_stripe_event_iter_is_caught_up (iter))
        return TRUE;
    }
}

/* Walking forward from a cursor, the next pages are fetched on a thread of
 * their own while this one applies the page before: the requests take
 * turns on the client's context with any the applier makes, and the store
 * is only touched here, a page and its cursor per transaction as before. */

/* Pages fetched ahead of the one being applied */
#define PAGES_AHEAD 2

typedef struct {
  GPtrArray         *batch;      /* NULL: the request failed */
  CpStripeErrorInfo *info;
  GError            *error;
  gboolean           last;
} Fetched;

static void
fetched_free (Fetched *fetched)
{
  g_clear_pointer (&fetched->batch, g_ptr_array_unref);
  g_clear_pointer (&fetched->info, cp_stripe_error_info_free);
  g_clear_error (&fetched->error);
  g_free (fetched);
}

typedef struct {
  CpStripeEventIter *iter;
  GCancellable      *cancellable;  /* the walk's own, cancelled with the caller's */
  GAsyncQueue       *pages;        /* Fetched, oldest first */
  GAsyncQueue       *slots;        /* a token for each page it may fetch ahead */
} Fetcher;

static gpointer
fetch_pages (gpointer data)
{
  Fetcher *fetcher = data;
  gboolean last = FALSE;

  while (!last)
    {
      Fetched *fetched;

      g_async_queue_pop (fetcher->slots);
      fetched = g_new0 (Fetched, 1);
      /* Stopped (by the caller, or the applier that failed): said as a last
       * page, which the applier may be waiting for */
      if (!g_cancellable_set_error_if_cancelled (fetcher->cancellable, &fetched->error))
        fetched->batch = cp_stripe_event_iter_next (fetcher->iter, fetcher->cancellable, &fetched->info,
                                                    &fetched->error);
      fetched->last = last = fetched->batch == NULL || cp_stripe_event_iter_is_caught_up (fetcher->iter);
      g_async_queue_push (fetcher->pages, fetched);
    }
  return NULL;
}

static void
cancel_walk (GCancellable *caller,
             GCancellable *own)
{
  g_cancellable_cancel (own);
}

static gboolean
walk_forward (CpSync             *self,
              CpStripeEventIter  *iter,
              gboolean            may_gap,
              gboolean           *gap,
              GArray             *changes,
              guint              *applied,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autoptr(GCancellable) own = g_cancellable_new ();
  Fetcher fetcher = { iter, own, NULL, NULL };
  GThread *thread;
  gulong handler = 0;
  gboolean ok = TRUE;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_walk), g_object_ref (own), g_object_unref);
  fetcher.pages = g_async_queue_new_full ((GDestroyNotify) fetched_free);
  fetcher.slots = g_async_queue_new ();
  for (guint i = 0; i < PAGES_AHEAD; i++)
    g_async_queue_push (fetcher.slots, GINT_TO_POINTER (1));
  thread = g_thread_new ("cp-sync-fetch", fetch_pages, &fetcher);

  while (TRUE)
    {
      Fetched *fetched = g_async_queue_pop (fetcher.pages);
      gboolean last = fetched->last;

      /* Its slot is free again: the next page comes while this one applies */
      g_async_queue_push (fetcher.slots, GINT_TO_POINTER (1));
      if (fetched->batch == NULL)
        {
          if (may_gap && cursor_missing (fetched->info))
            *gap = TRUE;
          else
            {
              g_propagate_error (error, g_steal_pointer (&fetched->error));
              ok = FALSE;
            }
        }
      /* A page fetched before the caller cancelled is still applied, as it
       * would have been in turn: the next request is the one that stops */
      else if (!apply_batch (self, fetched->batch, changes, applied, cancellable, error))
        ok = FALSE;
      fetched_free (fetched);
      if (!ok || last)
        break;
    }

  /* A failure here stops the fetcher too (waiting for a slot or in a
   * request); either way it is gone before the pass goes on */
  g_cancellable_cancel (own);
  g_async_queue_push (fetcher.slots, GINT_TO_POINTER (1));
  g_thread_join (thread);
  g_cancellable_disconnect (cancellable, handler);
  g_async_queue_unref (fetcher.pages);
  g_async_queue_unref (fetcher.slots);
  return ok;
}

static gboolean
run_pass (CpSync        *self,
          GArray        *changes,
          guint         *out_applied,
          GCancellable  *cancellable,
          GError       **error)
{
  CpStore *store = cp_ledger_get_store (self->ledger);
  CpStripeClient *client = cp_ledger_get_client (self->ledger);
  g_autofree char *cursor = cp_store_get_meta (store, META_CURSOR);
  gint64 cursor_created = meta_int (store, META_CURSOR_CREATED);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean gap = cursor != NULL && cursor_created > 0 && now - cursor_created > EVENT_RETENTION_SECONDS;
  guint applied = 0;

  /* Links a crash (or Stripe) kept the last pass from seeing to */
  cp_ledger_check_queued_links (self->ledger, cancellable);

  for (int round = 0; round < 2; round++)
    {
      g_autoptr(CpStripeEventIter) iter = NULL;
      gboolean ok;

      if (gap)
        {
          if (!catch_up (self, changes, &applied, cancellable, error))
            return FALSE;
          g_free (cursor);
          cursor = cp_store_get_meta (store, META_CURSOR);
          gap = FALSE;
        }

      iter = cp_stripe_event_iter_new (client, cursor, NULL);
      /* Only the first round may find Stripe without our cursor event */
      if (cursor != NULL && g_strcmp0 (g_getenv ("CAREPAY_SYNC_SERIAL"), "1") != 0)
        ok = walk_forward (self, iter, round == 0, &gap, changes, &applied, cancellable, error);
      else
        ok = walk_serial (self, iter, round == 0 && cursor != NULL, &gap, changes, &applied, cancellable, error);
      if (!ok)
        return FALSE;
      if (!gap)
        break;
    }

  if (!set_meta_int (store, META_LAST_SYNC, now, error))
    return FALSE;
  if (out_applied != NULL)
    *out_applied = applied;
  return TRUE;
}

gboolean
cp_sync_run (CpSync        *self,
             GCancellable  *cancellable,
             guint         *out_applied,
             GError       **error)
{
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  gboolean ok;

  g_return_val_if_fail (CP_IS_SYNC (self), FALSE);

  ok = run_pass (self, changes, out_applied, cancellable, error);
  emit_changes (self, changes);
  return ok;
}

typedef struct {
  GArray *changes;
  guint   applied;
} Pass;

static void
pass_free (Pass *pass)
{
  g_array_unref (pass->changes);
  g_free (pass);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Pass *pass = task_data;
  GError *error = NULL;

  if (!run_pass (source, pass->changes, &pass->applied, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  CpSync *self = CP_SYNC (source);
  Pass *pass = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  /* Changes applied before a failure still happened */
  emit_changes (self, pass->changes);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (outer, error);
  else
    g_task_return_int (outer, pass->applied);
}

void
cp_sync_run_async (CpSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) inner = NULL;
  Pass *pass;

  g_return_if_fail (CP_IS_SYNC (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cp_sync_run_async);
  inner = g_task_new (self, cancellable, run_done, outer);
  pass = g_new0 (Pass, 1);
  pass->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_task_set_task_data (inner, pass, (GDestroyNotify) pass_free);
  g_task_run_in_thread (inner, run_thread);
}

gboolean
cp_sync_run_finish (CpSync        *self,
                    GAsyncResult  *result,
                    guint         *out_applied,
                    GError       **error)
{
  gssize applied;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  applied = g_task_propagate_int (G_TASK (result), error);
  if (applied < 0)
    return FALSE;
  if (out_applied != NULL)
    *out_applied = (guint) applied;
  return TRUE;
}

/* The poller */

static gboolean poll_cb (gpointer user_data);

static void
poll_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CpSync *self = CP_SYNC (source);
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  if (!cp_sync_run_finish (self, result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, CP_ERROR, CP_ERROR_CANCELLED))
    g_debug ("Sync failed, trying again later: %s", error->message);
}

static gboolean
poll_cb (gpointer user_data)
{
  CpSync *self = user_data;

  if (!self->running)
    {
      self->running = TRUE;
      cp_sync_run_async (self, self->cancellable, poll_done, NULL);
    }
  return G_SOURCE_CONTINUE;
}

void
cp_sync_start (CpSync *self)
{
  g_return_if_fail (CP_IS_SYNC (self));

  if (self->timeout_id != 0)
    return;
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  self->timeout_id = g_timeout_add_seconds (MAX (self->interval, 1), poll_cb, self);
  poll_cb (self);
}

void
cp_sync_stop (CpSync *self)
{
  g_return_if_fail (CP_IS_SYNC (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* Object */

CpSync *
cp_sync_new (CpLedger *ledger)
{
  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);
  return g_object_new (CP_TYPE_SYNC, "ledger", ledger, NULL);
}

CpLedger *
cp_sync_get_ledger (CpSync *self)
{
  g_return_val_if_fail (CP_IS_SYNC (self), NULL);
  return self->ledger;
}

guint
cp_sync_get_interval (CpSync *self)
{
  g_return_val_if_fail (CP_IS_SYNC (self), 0);
  return self->interval;
}

void
cp_sync_set_interval (CpSync *self,
                      guint   seconds)
{
  g_return_if_fail (CP_IS_SYNC (self));

  seconds = MAX (seconds, 1);
  if (self->interval == seconds)
    return;
  self->interval = seconds;
  if (self->timeout_id != 0)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      self->timeout_id = g_timeout_add_seconds (self->interval, poll_cb, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

static void
cp_sync_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CpSync *self = CP_SYNC (object);

  switch (prop_id)
    {
    case PROP_LEDGER:
      g_value_set_object (value, self->ledger);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_sync_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  CpSync *self = CP_SYNC (object);

  switch (prop_id)
    {
    case PROP_LEDGER:
      self->ledger = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      cp_sync_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_sync_dispose (GObject *object)
{
  CpSync *self = CP_SYNC (object);

  cp_sync_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->ledger);
  G_OBJECT_CLASS (cp_sync_parent_class)->dispose (object);
}

static void
cp_sync_class_init (CpSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cp_sync_get_property;
  object_class->set_property = cp_sync_set_property;
  object_class->dispose = cp_sync_dispose;

  properties[PROP_LEDGER] =
    g_param_spec_object ("ledger", NULL, NULL, CP_TYPE_LEDGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, 24 * 3600, CP_SYNC_DEFAULT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PAYMENT_RECEIVED] =
    g_signal_new ("payment-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[INVOICE_CHANGED] =
    g_signal_new ("invoice-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
cp_sync_init (CpSync *self)
{
  self->interval = CP_SYNC_DEFAULT_INTERVAL;
}
