/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-notifier.h"
#include "cp-reconcile-dialog.h"
#include "cp-sync-controller.h"
#include "cp-sync.h"
#include "cp-webhook-listener.h"

/* A payment counts as "just taken at this desk" for this long. */
#define DESK_PAYMENT_WINDOW_SECONDS (10 * 60)

/* The webhook listener's thread. Everything in it but the fields under
 * `lock` belongs to the thread until it has been joined. */
typedef struct {
  GThread           *thread;
  GMainContext      *context;
  GMainLoop         *loop;
  CpLedger          *ledger;
  char              *secret;
  guint              port;
  GMainContext      *main_context;  /* the controller's */
  GWeakRef           controller;

  GMutex             lock;
  GCond              cond;
  gboolean           ready;
  guint              bound_port;
  GError            *error;
} ListenerThread;

struct _CpSyncController
{
  GObject           parent_instance;

  GApplication     *application;  /* weak */
  CpWindow         *window;       /* weak */
  CpLedger         *ledger;
  CpSync           *sync;
  CpNotifier       *notifier;
  GSettings        *settings;
  char             *webhook_secret;
  GCancellable     *cancellable;

  guint             timeout_id;
  guint             reload_id;
  gboolean          started;
  gboolean          running;
  gboolean          again;        /* sync-now while a pass ran */
  guint             n_passes;
  guint             n_webhooks;
  char             *status;
  GHashTable       *notified;     /* payment ids already announced */

  ListenerThread   *listener;
};

G_DEFINE_FINAL_TYPE (CpSyncController, cp_sync_controller, G_TYPE_OBJECT)

enum {
  PAYMENT_NOTIFIED,
  SYNCED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_pass (CpSyncController *self);

/* --- the window ---------------------------------------------------------- */

static gboolean
window_signed_in (CpSyncController *self)
{
  return self->window != NULL && cp_window_get_staff (self->window) != NULL &&
         g_strcmp0 (cp_window_get_page (self->window), "main") == 0;
}

static void
show_status (CpSyncController *self)
{
  if (self->window != NULL && self->status != NULL)
    cp_invoice_list_set_sync_status (cp_window_get_invoice_list (self->window), self->status);
}

static gboolean
reload_cb (gpointer user_data)
{
  CpSyncController *self = user_data;

  self->reload_id = 0;
  if (window_signed_in (self))
    cp_invoice_list_reload (cp_window_get_invoice_list (self->window));
  return G_SOURCE_REMOVE;
}

static void
invoice_changed (CpSyncController *self,
                 gint64            invoice_id)
{
  CpInvoiceDetail *detail;

  if (!window_signed_in (self))
    return;
  /* One reload of the list for a burst of changes. */
  if (self->reload_id == 0)
    self->reload_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload_cb, self, NULL);
  detail = cp_window_get_invoice_detail (self->window);
  if (invoice_id > 0 && cp_invoice_detail_get_invoice_id (detail) == invoice_id &&
      !cp_invoice_detail_get_loading (detail))
    cp_invoice_detail_reload (detail);
}

/* --- notifications ------------------------------------------------------- */

/* Recorded in the last few minutes (or when unknown). */
static gboolean
payment_is_recent (const CpPayment *payment)
{
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (payment->created_at == NULL)
    return TRUE;
  created = g_date_time_new_from_iso8601 (payment->created_at, NULL);
  if (created == NULL)
    {
      g_autofree char *iso = g_strdup_printf ("%sZ", payment->created_at);
      created = g_date_time_new_from_iso8601 (iso, NULL);
    }
  if (created == NULL)
    return TRUE;
  now = g_date_time_new_now_utc ();
  return g_date_time_difference (now, created) < DESK_PAYMENT_WINDOW_SECONDS * G_TIME_SPAN_SECOND;
}

static gboolean
taken_here_just_now (CpSyncController *self,
                     const CpPayment  *payment)
{
  const CpStaff *staff;

  if (payment->channel != CP_PAYMENT_CHANNEL_DESK || self->window == NULL)
    return FALSE;
  staff = cp_window_get_staff (self->window);
  if (staff == NULL || staff->id != payment->staff_id)
    return FALSE;
  return payment_is_recent (payment);
}

typedef struct {
  CpSyncController *self;
  gboolean          only_recent;
} PaymentRead;

static void
payment_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PaymentRead *read = user_data;
  g_autoptr(CpSyncController) self = read->self;
  gboolean only_recent = read->only_recent;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice_finish (CP_STORE (source), result, &error);
  const CpPayment *newest = NULL;

  g_free (read);
  if (invoice == NULL)
    {
      g_debug ("No notification: %s", error->message);
      return;
    }
  for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
    {
      const CpPayment *p = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (p->status))
        newest = p;
    }
  if (newest == NULL || (only_recent && !payment_is_recent (newest)))
    return;
  /* The poller and a webhook may both report it. */
  if (g_hash_table_contains (self->notified, &newest->id))
    return;
  {
    gint64 *key = g_new (gint64, 1);

    *key = newest->id;
    g_hash_table_add (self->notified, key);
  }
  if (taken_here_just_now (self, newest))
    {
      g_debug ("Payment %" G_GINT64_FORMAT " was taken at this desk: no notification", newest->id);
      return;
    }
  if (self->notifier != NULL && !cp_notifier_send (self->notifier, invoice, &error))
    {
      g_debug ("No notification for invoice %" G_GINT64_FORMAT ": %s", invoice->id, error->message);
      return;
    }
  g_signal_emit (self, signals[PAYMENT_NOTIFIED], 0, invoice->id);
}

/* `only_recent`: a webhook says an invoice's PaymentIntent changed, not
 * that a payment newly succeeded: only a payment recorded just now counts.
 * The invoice is read in a worker, as the sync may hold the store. */
static void
payment_received (CpSyncController *self,
                  gint64            invoice_id,
                  gboolean          only_recent)
{
  PaymentRead *read = g_new0 (PaymentRead, 1);

  read->self = g_object_ref (self);
  read->only_recent = only_recent;
  cp_store_get_invoice_async (cp_ledger_get_store (self->ledger), invoice_id, self->cancellable,
                              payment_read_cb, read);
}

static void
sync_payment_received_cb (CpSync           *sync,
                          gint64            invoice_id,
                          CpSyncController *self)
{
  payment_received (self, invoice_id, FALSE);
}

static void
sync_invoice_changed_cb (CpSync           *sync,
                         gint64            invoice_id,
                         CpSyncController *self)
{
  invoice_changed (self, invoice_id);
}

/* --- the poller ---------------------------------------------------------- */

static void
set_status (CpSyncController *self,
            char             *status)
{
  g_free (self->status);
  self->status = status;
  show_status (self);
}

static void
pass_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CpSyncController) self = user_data;
  g_autoptr(GError) error = NULL;
  guint applied = 0;

  self->running = FALSE;
  if (!cp_sync_run_finish (CP_SYNC (source), result, &applied, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, CP_ERROR, CP_ERROR_CANCELLED))
        return;
      g_debug ("Sync failed, trying again later: %s", error->message);
      /* Translators: the reason comes from Stripe or the network. */
      set_status (self, g_strdup_printf (_("Sync failed: %s — retrying"), error->message));
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *time = g_date_time_format (now, "%H:%M");

      /* Translators: the time of the last sync, "Synced 12:04" */
      set_status (self, g_strdup_printf (_("Synced %s"), time));
    }
  self->n_passes++;
  g_signal_emit (self, signals[SYNCED], 0);
  if (self->again && self->started)
    {
      self->again = FALSE;
      run_pass (self);
    }
}

static void
run_pass (CpSyncController *self)
{
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  self->running = TRUE;
  cp_sync_run_async (self->sync, self->cancellable, pass_done_cb, g_object_ref (self));
}

static gboolean
tick_cb (gpointer user_data)
{
  CpSyncController *self = user_data;

  if (!self->running)
    run_pass (self);
  return G_SOURCE_CONTINUE;
}

static void
restart_timer (CpSyncController *self)
{
  guint interval = g_settings_get_uint (self->settings, "sync-interval");

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  cp_sync_set_interval (self->sync, interval);
  if (self->started)
    self->timeout_id = g_timeout_add_seconds (MAX (interval, 1), tick_cb, self);
}

static void
interval_changed_cb (GSettings        *settings,
                     const char       *key,
                     CpSyncController *self)
{
  restart_timer (self);
}

/* --- the webhook listener, in its own thread ------------------------------ */

typedef struct {
  GWeakRef  controller;
  gint64    invoice_id;
  char     *type;
} WebhookNote;

static gboolean
webhook_note_cb (gpointer data)
{
  WebhookNote *note = data;
  g_autoptr(CpSyncController) self = g_weak_ref_get (&note->controller);

  if (self != NULL)
    {
      self->n_webhooks++;
      g_debug ("Webhook %s applied (invoice %" G_GINT64_FORMAT ")", note->type, note->invoice_id);
      /* Whichever of these arrives first records the payment (the listener
       * does not say whether it newly succeeded); one notification a payment. */
      if (note->invoice_id > 0 &&
          (g_str_has_prefix (note->type, "payment_intent.") ||
           g_strcmp0 (note->type, "charge.succeeded") == 0 ||
           g_strcmp0 (note->type, "checkout.session.completed") == 0))
        payment_received (self, note->invoice_id, TRUE);
      invoice_changed (self, note->invoice_id);
    }
  return G_SOURCE_REMOVE;
}

static void
webhook_note_free (gpointer data)
{
  WebhookNote *note = data;

  g_weak_ref_clear (&note->controller);
  g_free (note->type);
  g_free (note);
}

/* On the listener's thread: hand the news to the controller's. */
static void
event_applied_cb (CpWebhookListener *listener,
                  const char        *event_id,
                  const char        *type,
                  gint64             invoice_id,
                  ListenerThread    *lt)
{
  g_autoptr(GObject) controller = g_weak_ref_get (&lt->controller);
  WebhookNote *note;

  if (controller == NULL)
    return;
  note = g_new0 (WebhookNote, 1);
  g_weak_ref_init (&note->controller, controller);
  note->invoice_id = invoice_id;
  note->type = g_strdup (type);
  g_main_context_invoke_full (lt->main_context, G_PRIORITY_DEFAULT, webhook_note_cb, note,
                              webhook_note_free);
}

static gpointer
listener_thread_func (gpointer data)
{
  ListenerThread *lt = data;
  g_autoptr(CpWebhookListener) listener = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (lt->context);
  listener = cp_webhook_listener_new (lt->ledger, lt->secret);
  ok = cp_webhook_listener_listen (listener, lt->port, &error);
  if (ok)
    g_signal_connect (listener, "event-applied", G_CALLBACK (event_applied_cb), lt);

  g_mutex_lock (&lt->lock);
  lt->ready = TRUE;
  lt->bound_port = ok ? cp_webhook_listener_get_port (listener) : 0;
  lt->error = g_steal_pointer (&error);
  g_cond_signal (&lt->cond);
  g_mutex_unlock (&lt->lock);

  if (ok)
    g_main_loop_run (lt->loop);

  cp_webhook_listener_disconnect (listener);
  g_signal_handlers_disconnect_by_data (listener, lt);
  g_clear_object (&listener);
  /* Let the listener's pending sources go before the context does. */
  while (g_main_context_pending (lt->context))
    g_main_context_iteration (lt->context, FALSE);
  g_main_context_pop_thread_default (lt->context);
  return NULL;
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
listener_thread_stop (ListenerThread *lt)
{
  g_main_context_invoke (lt->context, quit_loop_cb, lt->loop);
  g_thread_join (lt->thread);
  g_weak_ref_clear (&lt->controller);
  g_main_loop_unref (lt->loop);
  g_main_context_unref (lt->context);
  g_main_context_unref (lt->main_context);
  g_object_unref (lt->ledger);
  g_free (lt->secret);
  g_clear_error (&lt->error);
  g_mutex_clear (&lt->lock);
  g_cond_clear (&lt->cond);
  g_free (lt);
}

static void
stop_listener (CpSyncController *self)
{
  g_clear_pointer (&self->listener, listener_thread_stop);
}

static void
start_listener (CpSyncController *self)
{
  guint port = g_settings_get_uint (self->settings, "webhook-port");
  ListenerThread *lt;
  g_autoptr(GError) error = NULL;

  stop_listener (self);
  if (port == 0 || !self->started)
    return;
  if (self->webhook_secret == NULL || *self->webhook_secret == '\0')
    {
      g_warning ("The webhook listener needs a webhook signing secret; polling only");
      return;
    }

  lt = g_new0 (ListenerThread, 1);
  lt->context = g_main_context_new ();
  lt->loop = g_main_loop_new (lt->context, FALSE);
  lt->ledger = g_object_ref (self->ledger);
  lt->secret = g_strdup (self->webhook_secret);
  lt->port = port;
  lt->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&lt->controller, self);
  g_mutex_init (&lt->lock);
  g_cond_init (&lt->cond);
  lt->thread = g_thread_new ("carepay-webhooks", listener_thread_func, lt);

  /* Only the bind is waited for. */
  g_mutex_lock (&lt->lock);
  while (!lt->ready)
    g_cond_wait (&lt->cond, &lt->lock);
  g_mutex_unlock (&lt->lock);

  if (lt->error != NULL)
    {
      g_warning ("The webhook listener cannot listen on 127.0.0.1:%u: %s", port, lt->error->message);
      listener_thread_stop (lt);
      return;
    }
  g_debug ("Webhook listener on 127.0.0.1:%u", lt->bound_port);
  self->listener = lt;
}

static void
port_changed_cb (GSettings        *settings,
                 const char       *key,
                 CpSyncController *self)
{
  start_listener (self);
}

/* --- actions ------------------------------------------------------------- */

static void
sync_now_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  cp_sync_controller_sync_now (user_data);
}

static void
reconcile_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  cp_sync_controller_reconcile (user_data);
}

static const GActionEntry app_actions[] = {
  { "sync-now", sync_now_action },
  { "reconcile", reconcile_action },
};

/* --- public -------------------------------------------------------------- */

void
cp_sync_controller_set_window (CpSyncController *self,
                               CpWindow         *window)
{
  g_return_if_fail (CP_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (window == NULL || CP_IS_WINDOW (window));

  g_set_weak_pointer (&self->window, window);
  show_status (self);
}

void
cp_sync_controller_start (CpSyncController *self)
{
  g_return_if_fail (CP_IS_SYNC_CONTROLLER (self));

  if (self->started)
    return;
  self->started = TRUE;
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  start_listener (self);
  restart_timer (self);
  run_pass (self);
}

void
cp_sync_controller_stop (CpSyncController *self)
{
  g_return_if_fail (CP_IS_SYNC_CONTROLLER (self));

  self->started = FALSE;
  self->again = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  stop_listener (self);
}

void
cp_sync_controller_sync_now (CpSyncController *self)
{
  g_return_if_fail (CP_IS_SYNC_CONTROLLER (self));

  if (!self->started)
    return;
  run_pass (self);
}

GtkWindow *
cp_sync_controller_reconcile (CpSyncController *self)
{
  GtkWindow *dialog;

  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), NULL);

  /* Invoice numbers and Stripe ids are for signed-in staff only. */
  if (!window_signed_in (self))
    return NULL;
  dialog = GTK_WINDOW (cp_reconcile_dialog_new (GTK_WINDOW (self->window), self->ledger));
  gtk_window_present (dialog);
  return dialog;
}

CpSync *
cp_sync_controller_get_sync (CpSyncController *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), NULL);
  return self->sync;
}

const char *
cp_sync_controller_get_status (CpSyncController *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), NULL);
  return self->status;
}

guint
cp_sync_controller_get_n_passes (CpSyncController *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), 0);
  return self->n_passes;
}

guint
cp_sync_controller_get_webhook_port (CpSyncController *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), 0);
  return self->listener != NULL ? self->listener->bound_port : 0;
}

guint
cp_sync_controller_get_n_webhooks (CpSyncController *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CONTROLLER (self), 0);
  return self->n_webhooks;
}

/* --- object -------------------------------------------------------------- */

static void
cp_sync_controller_dispose (GObject *object)
{
  CpSyncController *self = CP_SYNC_CONTROLLER (object);

  cp_sync_controller_stop (self);
  if (self->application != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (app_actions); i++)
      g_action_map_remove_action (G_ACTION_MAP (self->application), app_actions[i].name);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->notifier);
  g_clear_object (&self->ledger);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->window);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (cp_sync_controller_parent_class)->dispose (object);
}

static void
cp_sync_controller_finalize (GObject *object)
{
  CpSyncController *self = CP_SYNC_CONTROLLER (object);

  g_free (self->status);
  g_free (self->webhook_secret);
  g_hash_table_unref (self->notified);

  G_OBJECT_CLASS (cp_sync_controller_parent_class)->finalize (object);
}

static void
cp_sync_controller_class_init (CpSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_sync_controller_dispose;
  object_class->finalize = cp_sync_controller_finalize;

  signals[PAYMENT_NOTIFIED] =
    g_signal_new ("payment-notified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cp_sync_controller_init (CpSyncController *self)
{
  self->notified = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

CpSyncController *
cp_sync_controller_new (GApplication *application,
                        CpLedger     *ledger,
                        const char   *webhook_secret)
{
  CpSyncController *self;

  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CP_IS_LEDGER (ledger), NULL);

  self = g_object_new (CP_TYPE_SYNC_CONTROLLER, NULL);
  self->ledger = g_object_ref (ledger);
  self->webhook_secret = g_strdup (webhook_secret);
  self->sync = cp_sync_new (ledger);
  g_signal_connect (self->sync, "payment-received", G_CALLBACK (sync_payment_received_cb), self);
  g_signal_connect (self->sync, "invoice-changed", G_CALLBACK (sync_invoice_changed_cb), self);
  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::sync-interval", G_CALLBACK (interval_changed_cb), self);
  g_signal_connect (self->settings, "changed::webhook-port", G_CALLBACK (port_changed_cb), self);
  /* GSettings only reports changes of keys that were read. */
  g_settings_get_uint (self->settings, "sync-interval");
  g_settings_get_uint (self->settings, "webhook-port");

  if (application != NULL)
    {
      g_set_weak_pointer (&self->application, application);
      self->notifier = cp_notifier_new (application);
      g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                       G_N_ELEMENTS (app_actions), self);
      if (GTK_IS_APPLICATION (application))
        {
          gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.sync-now",
                                                 (const char *[]) { "<Control><Shift>r", "<Shift>F5", NULL });
        }
    }
  return self;
}
