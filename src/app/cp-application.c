/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gi18n.h>

#include "cp-application.h"
#include "cp-backup-scheduler.h"
#include "cp-error.h"
#include "cp-ledger.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "cp-window.h"
#include "cp-preferences-window.h"
#include "cp-notifier.h"
#include "cp-sync.h"
#include "cp-sync-controller.h"
#include "cp-kiosk-window.h"
#include "cp-startup-theme.h"
#include "cp-timing.h"

struct _CpApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  CpStore        *store;
  GCancellable   *cancellable;

  /* Stripe: ready once the simulator runs or the keys are read. */
  CpStripeConfig *stripe_config;
  GSubprocess    *simulator;
  gboolean        training;
  gboolean        stripe_failed;
  CpStripeClient *stripe_client;
  CpLedger       *ledger;
  /* Staff app only: payments made elsewhere (links, kiosk) by polling Stripe */
  CpSync         *sync;
  CpNotifier     *notifier;
  CpSyncController *sync_controller; /* polls, webhooks, notifications, reconcile */
  char           *webhook_secret;  /* training mode: the simulator signs with it */
  gboolean        kiosk;   /* --kiosk: the patients' window, not the staff's */
  /* Training mode: the demo set's payments are made on the simulator
   * (cp_seed_demo_make_payments) before the ledger is handed out. */
  gboolean        demo_payments_running;
  gboolean        demo_payments_done;
  CpBackupScheduler *backups; /* staff app: online backups on a schedule */
  /* Staff app: Stripe, the ledger, the sync and the backups wait for the
   * window's first frame (or a second), so they never delay the sign-in page. */
  gboolean        services_started;
  GdkFrameClock  *services_clock;
  gulong          services_paint_id;
  guint           services_timeout_id;
};

G_DEFINE_FINAL_TYPE (CpApplication, cp_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the CarePay database FILE"), N_("FILE") },
  { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run as the patients’ self-service payment kiosk"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

typedef struct {
  char     *path;
  gboolean  seed_demo;
  gboolean  stripe_payments;  /* training: the demo payments go to the simulator */
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *od = data;

  g_free (od->path);
  g_free (od);
}

static gboolean
store_is_empty (CpStore  *store,
                gboolean *out_empty,
                GError  **error)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GPtrArray) invoices = NULL;

  staff = cp_store_list_staff (store, error);
  if (staff == NULL)
    return FALSE;
  query.limit = 1;
  invoices = cp_store_list_invoices (store, &query, error);
  if (invoices == NULL)
    return FALSE;
  *out_empty = staff->len == 0 && invoices->len == 0;
  return TRUE;
}

static void
open_store_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenData *od = task_data;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (od->path);
  gboolean empty = FALSE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_NOT_A_DATABASE,
                               _("Cannot create the folder “%s”: %s"),
                               dir, g_strerror (saved_errno));
      return;
    }

  /* The integrity check of a big file goes on in the background: signing in
   * and the list only read, and writes wait for it (store_checked_cb) */
  store = cp_sqlite_store_open (od->path, CP_SQLITE_OPEN_CREATE | CP_SQLITE_OPEN_CHECK_IN_BACKGROUND, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (od->seed_demo)
    {
      if (!store_is_empty (CP_STORE (store), &empty, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (empty)
        {
          g_autofree char *today = cp_today ();

          g_debug ("Seeding an empty database with the demo set");
          if (!cp_seed_demo_full (CP_STORE (store), 0, 0, today,
                                  od->stripe_payments ? CP_SEED_STRIPE_PAYMENTS : CP_SEED_FLAGS_NONE,
                                  &error))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

void
cp_open_store_async (const char          *path,
                     gboolean             seed_demo,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *od;

  g_return_if_fail (path != NULL);

  od = g_new0 (OpenData, 1);
  od->path = g_strdup (path);
  od->seed_demo = seed_demo;
  /* As set_up_stripe() decides training mode: then the simulator runs and
   * the demo payments are made on it, so they reconcile with "Stripe". */
  od->stripe_payments = seed_demo && (g_getenv ("CAREPAY_STRIPE_SECRET_KEY") == NULL ||
                                      *g_getenv ("CAREPAY_STRIPE_SECRET_KEY") == '\0');

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_open_store_async);
  g_task_set_task_data (task, od, open_data_free);
  g_task_run_in_thread (task, open_store_thread);
}

CpStore *
cp_open_store_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
training_mode (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return g_settings_get_enum (settings, "stripe-mode") == 0;
}

/* Training mode: the simulator as a child process */

#define SIM_BANNER "carepay-stripe-sim listening on "

char *
cp_training_simulator_find (void)
{
  const char *env = g_getenv ("CAREPAY_STRIPE_SIM");
  g_autofree char *exe = NULL;
  g_autofree char *installed = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  /* Running from the build tree: its own simulator, not an installed one. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL && g_str_has_prefix (exe, CAREPAY_BUILD_ROOT "/") &&
      g_file_test (CAREPAY_BUILD_STRIPE_SIM, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (CAREPAY_BUILD_STRIPE_SIM);

  installed = g_build_filename (CAREPAY_BINDIR, "carepay-stripe-sim", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *sibling = g_build_filename (dir, "carepay-stripe-sim", NULL);

      if (g_file_test (sibling, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&sibling);
    }
  return g_find_program_in_path ("carepay-stripe-sim");
}

typedef struct {
  GSubprocess      *process;
  GDataInputStream *in;
} SimStart;

static void
sim_start_free (gpointer data)
{
  SimStart *start = data;

  g_clear_object (&start->in);
  g_clear_object (&start->process);
  g_free (start);
}

/* The simulator must not outlive the app, even when the app crashes. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void drain_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
drain (GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_LOW, NULL, drain_cb, NULL);
}

/* Keeps reading the simulator's output so that it never blocks on a full pipe. */
static void
drain_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    drain (G_INPUT_STREAM (source));
}

static void
sim_line_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SimStart *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, SIM_BANNER))
    {
      g_subprocess_force_exit (start->process);
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, CP_ERROR, CP_ERROR_FAILED,
                                 _("The Stripe simulator did not start"));
      return;
    }
  g_strstrip (line);
  drain (g_subprocess_get_stdout_pipe (start->process));
  /* The URL rides on the process until _finish takes it. */
  g_object_set_data_full (G_OBJECT (start->process), "carepay-sim-url",
                          g_strdup (line + strlen (SIM_BANNER)), g_free);
  g_task_return_pointer (task, g_object_ref (start->process), g_object_unref);
}

void
cp_training_simulator_start_async (const char          *sim_path,
                                   const char          *state_path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  cp_training_simulator_start_with_webhook_async (sim_path, state_path, NULL, NULL,
                                                  cancellable, callback, user_data);
}

void
cp_training_simulator_start_with_webhook_async (const char          *sim_path,
                                                const char          *state_path,
                                                const char          *webhook_url,
                                                const char          *webhook_secret,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  SimStart *start;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_training_simulator_start_async);

  if (sim_path == NULL)
    {
      g_task_return_new_error (task, CP_ERROR, CP_ERROR_NOT_FOUND,
                               _("carepay-stripe-sim is not installed"));
      return;
    }
  if (state_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (state_path);

      g_mkdir_with_parents (dir, 0700);
    }

  g_ptr_array_add (argv, (char *) sim_path);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  if (state_path != NULL)
    {
      g_ptr_array_add (argv, (char *) "--state");
      g_ptr_array_add (argv, (char *) state_path);
    }
  if (webhook_url != NULL && webhook_secret != NULL)
    {
      g_ptr_array_add (argv, (char *) "--webhook-url");
      g_ptr_array_add (argv, (char *) webhook_url);
      g_ptr_array_add (argv, (char *) "--webhook-secret");
      g_ptr_array_add (argv, (char *) webhook_secret);
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  start = g_new0 (SimStart, 1);
  start->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (start->process == NULL)
    {
      sim_start_free (start);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  start->in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (start->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (start->in), FALSE);
  g_task_set_task_data (task, start, sim_start_free);
  g_data_input_stream_read_line_async (start->in, G_PRIORITY_DEFAULT, cancellable,
                                       sim_line_cb, g_object_ref (task));
}

GSubprocess *
cp_training_simulator_start_finish (GAsyncResult  *result,
                                    char         **out_url,
                                    GError       **error)
{
  GSubprocess *process;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  process = g_task_propagate_pointer (G_TASK (result), error);
  if (process != NULL && out_url != NULL)
    *out_url = g_strdup (g_object_get_data (G_OBJECT (process), "carepay-sim-url"));
  return process;
}

CpStripeConfig *
cp_training_stripe_config_new (const char *sim_url)
{
  CpStripeConfig *config = cp_stripe_config_new ();
  g_autofree char *js_url = g_strconcat (sim_url, "/v3/", NULL);

  cp_stripe_config_set_api_base (config, sim_url);
  cp_stripe_config_set_js_url (config, js_url);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, CP_TRAINING_SECRET_KEY);
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_PUBLISHABLE, CP_TRAINING_PUBLISHABLE_KEY);
  return config;
}

/* Only `carepay --kiosk` has a kiosk window. The staff app never asks GType
 * about its type, which lives with the kiosk's WebKit code (a module the
 * executable opens when first needed, cp-payview-module.c). */
static gboolean
is_kiosk_window (CpApplication *self,
                 GtkWindow     *window)
{
  return self->kiosk && CP_IS_KIOSK_WINDOW (window);
}

/* Another desk, a payment link or the kiosk changed an invoice: the sync
 * controller (cp-sync-controller.h) polls Stripe every sync-interval, listens
 * for webhooks on webhook-port, reloads the window and notifies. */
static void
start_sync (CpApplication *self)
{
  const char *secret = cp_stripe_config_get_webhook_secret (self->stripe_config);

  self->sync_controller = cp_sync_controller_new (G_APPLICATION (self), self->ledger, secret);
  self->sync = g_object_ref (cp_sync_controller_get_sync (self->sync_controller));
  cp_sync_controller_start (self->sync_controller);
}

static void maybe_set_up_ledger (CpApplication *self);

typedef struct {
  CpStore        *store;
  CpStripeConfig *config;
} DemoPayments;

static void
demo_payments_free (gpointer data)
{
  DemoPayments *dp = data;

  g_clear_object (&dp->store);
  g_clear_object (&dp->config);
  g_free (dp);
}

static void
demo_payments_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  DemoPayments *dp = task_data;
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpLedger) ledger = NULL;
  g_autoptr(GError) error = NULL;
  guint n_made = 0;

  /* A client of its own: this thread's blocking calls never share one
   * with the main loop's asynchronous ones. */
  client = cp_stripe_client_new (dp->config, NULL, dp->store);
  ledger = cp_ledger_new (dp->store, client);
  if (!cp_seed_demo_make_payments (ledger, cancellable, &n_made, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Training mode: made %u demo payments on the simulator", n_made);
  g_task_return_int (task, n_made);
}

static void
demo_payments_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CpApplication *self = CP_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  gssize n_made;

  n_made = g_task_propagate_int (G_TASK (result), &error);
  self->demo_payments_running = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;
  self->demo_payments_done = TRUE;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (error != NULL)
    {
      /* The invoices stay as they are; payments and reconcile still work. */
      g_warning ("The demo payments could not be made on the simulator: %s", error->message);
      if (CP_IS_WINDOW (window))
        {
          g_autofree char *text = g_strdup_printf (_("The demo payments could not be made: %s"), error->message);

          adw_toast_overlay_add_toast (cp_window_get_toast_overlay (CP_WINDOW (window)), adw_toast_new (text));
        }
    }
  maybe_set_up_ledger (self);
  if (n_made > 0 && CP_IS_WINDOW (window) && cp_window_get_staff (CP_WINDOW (window)) != NULL)
    cp_invoice_list_reload (cp_window_get_invoice_list (CP_WINDOW (window)));
}

/* Training mode: a database seeded just now still owes its demo payments
 * to the simulator; they are made (in a worker thread) before the sync
 * starts and the window gets the ledger. Returns TRUE while that runs. */
static gboolean
demo_payments_pending (CpApplication *self)
{
  g_autoptr(GTask) task = NULL;
  DemoPayments *dp;

  if (!self->training || self->demo_payments_done)
    return FALSE;
  if (self->demo_payments_running)
    return TRUE;
  self->demo_payments_running = TRUE;
  task = g_task_new (self, self->cancellable, demo_payments_done_cb, NULL);
  g_task_set_source_tag (task, demo_payments_pending);
  dp = g_new0 (DemoPayments, 1);
  dp->store = g_object_ref (self->store);
  dp->config = cp_training_stripe_config_new (cp_stripe_config_get_api_base (self->stripe_config));
  g_task_set_task_data (task, dp, demo_payments_free);
  g_task_run_in_thread (task, demo_payments_thread);
  return TRUE;
}

static void
maybe_set_up_ledger (CpApplication *self)
{
  GtkWindow *window;

  if (!self->kiosk && !self->services_started)
    return;
  if (self->ledger == NULL && self->store != NULL && self->stripe_config != NULL)
    {
      self->stripe_client = cp_stripe_client_new (self->stripe_config, NULL, self->store);
      self->ledger = cp_ledger_new (self->store, self->stripe_client);
    }
  if (self->ledger == NULL)
    return;
  if (demo_payments_pending (self))
    return;
  if (self->sync == NULL && !self->kiosk)
    start_sync (self);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (is_kiosk_window (self, window))
    cp_kiosk_window_set_ledger (CP_KIOSK_WINDOW (window), self->ledger);
  if (CP_IS_WINDOW (window) && cp_window_get_ledger (CP_WINDOW (window)) != self->ledger)
    cp_window_set_ledger (CP_WINDOW (window), self->ledger, self->training);
  if (CP_IS_WINDOW (window) && self->sync_controller != NULL)
    cp_sync_controller_set_window (self->sync_controller, CP_WINDOW (window));
}

static void
stripe_failed (CpApplication *self,
               const char    *message)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  self->stripe_failed = TRUE;
  g_warning ("Card payments are unavailable: %s", message);
  if (is_kiosk_window (self, window))
    cp_kiosk_window_set_unavailable (CP_KIOSK_WINDOW (window),
                                     _("Card payments are not available right now. Please pay at the front desk."));
  if (CP_IS_WINDOW (window))
    {
      g_autofree char *text = g_strdup_printf (_("Card payments are unavailable: %s"), message);
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (cp_window_get_toast_overlay (CP_WINDOW (window)), toast);
    }
}

static void
simulator_started_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CpApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSubprocess *process;

  process = cp_training_simulator_start_finish (result, &url, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (process == NULL)
    {
      stripe_failed (self, error->message);
      return;
    }
  self->simulator = process;
  g_debug ("Training mode: simulator at %s", url);
  self->stripe_config = cp_training_stripe_config_new (url);
  if (self->webhook_secret != NULL)
    cp_stripe_config_set_key (self->stripe_config, CP_STRIPE_KEY_WEBHOOK, self->webhook_secret);
  maybe_set_up_ledger (self);
}

static void
load_keyring_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CpStripeConfig *config = task_data;
  g_autoptr(GError) error = NULL;

  if (!cp_stripe_config_has_secret_key (config) &&
      !cp_stripe_config_load_keyring (config, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
keyring_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  CpStripeConfig *config = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        stripe_failed (self, error->message);
      return;
    }
  if (!cp_stripe_config_has_secret_key (config))
    {
      stripe_failed (self, _("no Stripe keys are set up; ask an administrator"));
      return;
    }
  /* The kiosk only takes cards, in Stripe's form, which needs this key */
  if (self->kiosk && cp_stripe_config_get_publishable_key (config) == NULL)
    {
      stripe_failed (self, _("the Stripe publishable key is not set up; ask an administrator"));
      return;
    }
  self->stripe_config = g_object_ref (config);
  maybe_set_up_ledger (self);
}

static void
set_up_stripe (CpApplication *self)
{
  const char *secret = g_getenv ("CAREPAY_STRIPE_SECRET_KEY");

  if (self->stripe_config != NULL || self->simulator != NULL || self->stripe_failed)
    return;

  self->training = training_mode () && (secret == NULL || *secret == '\0');
  if (self->training)
    {
      g_autofree char *sim = cp_training_simulator_find ();
      g_autofree char *dir = g_path_get_dirname (self->db_path);
      g_autofree char *state = g_build_filename (dir, "simulator.json", NULL);
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      guint webhook_port = g_settings_get_uint (settings, "webhook-port");
      g_autofree char *webhook_url = NULL;

      /* The staff app's webhook listener (cp-sync-controller.c) gets the
       * simulator's events, signed with a secret made for this run. */
      if (webhook_port != 0 && !self->kiosk)
        {
          g_autofree char *uuid = g_uuid_string_random ();

          webhook_url = g_strdup_printf ("http://127.0.0.1:%u/", webhook_port);
          g_free (self->webhook_secret);
          self->webhook_secret = g_strconcat ("whsec_training_", uuid, NULL);
        }
      cp_training_simulator_start_with_webhook_async (sim, state, webhook_url, self->webhook_secret,
                                                      self->cancellable, simulator_started_cb,
                                                      g_object_ref (self));
    }
  else
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, keyring_loaded_cb, g_object_ref (self));

      /* With real keys the configuration is the environment's and the keyring's, unchanged. */
      g_task_set_task_data (task, cp_stripe_config_new_from_environment (), g_object_unref);
      g_task_run_in_thread (task, load_keyring_thread);
    }
}

static void
backup_failed_cb (CpBackupScheduler *scheduler,
                  const char        *message,
                  CpApplication     *self)
{
  g_warning ("Automatic backup to %s failed: %s",
             cp_backup_scheduler_get_directory (scheduler), message);
}

/* The staff app backs its database up on the schedule in GSettings; the
 * kiosk does not (one machine keeps the backups). */
static void
start_backups (CpApplication *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *db_dir = NULL;
  g_autofree char *dir = NULL;
  guint hours = g_settings_get_uint (settings, "backup-interval-hours");

  if (!self->services_started || self->backups != NULL || hours == 0 || !CP_IS_SQLITE_STORE (self->store))
    return;
  db_dir = g_path_get_dirname (cp_sqlite_store_get_path (CP_SQLITE_STORE (self->store)));
  dir = g_build_filename (db_dir, "backups", NULL);
  self->backups = cp_backup_scheduler_new (CP_SQLITE_STORE (self->store), dir, hours * 3600,
                                           g_settings_get_uint (settings, "backup-keep"));
  g_signal_connect_object (self->backups, "backup-failed", G_CALLBACK (backup_failed_cb), self, 0);
  cp_backup_scheduler_start (self->backups);
}

/* Sync (polls, webhooks) and backups: at shutdown, and when the store is refused */
static void
stop_services (CpApplication *self)
{
  if (self->sync != NULL)
    cp_sync_stop (self->sync);
  if (self->sync_controller != NULL)
    cp_sync_controller_stop (self->sync_controller);
  if (self->backups != NULL)
    cp_backup_scheduler_stop (self->backups);
}

/* A file found damaged after it opened: what a failed open shows, in every
 * window, and nothing more written (the store refuses writes from now on) */
static void
store_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (cp_sqlite_store_wait_checked_finish (CP_SQLITE_STORE (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_warning ("%s", error->message);
  /* Services not started yet will not start without a store */
  if (self->store == CP_STORE (source))
    g_clear_object (&self->store);
  stop_services (self);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (CP_IS_WINDOW (l->data))
        cp_window_show_store_error (CP_WINDOW (l->data), self->db_path, error);
      else if (CP_IS_KIOSK_WINDOW (l->data))
        cp_kiosk_window_set_unavailable (CP_KIOSK_WINDOW (l->data),
                                         _("This kiosk is not working right now. Please pay at the front desk."));
    }
}

static void
store_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CpApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  GtkWindow *window;

  store = cp_open_store_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  cp_timing_mark ("store-opened");

  g_set_object (&self->store, store);
  if (CP_IS_SQLITE_STORE (store))
    cp_sqlite_store_wait_checked_async (CP_SQLITE_STORE (store), self->cancellable,
                                        store_checked_cb, g_object_ref (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (is_kiosk_window (self, window))
    {
      if (store != NULL)
        {
          cp_kiosk_window_set_store (CP_KIOSK_WINDOW (window), store);
          maybe_set_up_ledger (self);
        }
      else
        {
          g_warning ("The kiosk cannot open the database %s: %s", self->db_path, error->message);
          cp_kiosk_window_set_unavailable (CP_KIOSK_WINDOW (window),
                                           _("This kiosk is not working right now. Please pay at the front desk."));
        }
      return;
    }
  if (!CP_IS_WINDOW (window))
    return;

  if (store != NULL)
    {
      cp_window_set_store (CP_WINDOW (window), store);
      maybe_set_up_ledger (self);
      start_backups (self);
    }
  else
    cp_window_show_store_error (CP_WINDOW (window), self->db_path, error);
}

static void
stop_waiting_for_first_frame (CpApplication *self)
{
  if (self->services_clock != NULL)
    g_clear_signal_handler (&self->services_paint_id, self->services_clock);
  g_clear_object (&self->services_clock);
  g_clear_handle_id (&self->services_timeout_id, g_source_remove);
}

static void
start_services (CpApplication *self)
{
  stop_waiting_for_first_frame (self);
  if (self->services_started)
    return;
  self->services_started = TRUE;
  cp_timing_mark ("services-started");
  set_up_stripe (self);
  maybe_set_up_ledger (self);
  if (self->store != NULL)
    start_backups (self);
  cp_timing_mark ("services-done");
}

static void
first_frame_cb (GdkFrameClock *clock,
                CpApplication *self)
{
  start_services (self);
}

static gboolean
first_frame_timeout_cb (gpointer user_data)
{
  CpApplication *self = user_data;

  self->services_timeout_id = 0;
  start_services (self);
  return G_SOURCE_REMOVE;
}

/* The sign-in page needs none of them: they start once it is on screen. */
static void
start_services_after_first_frame (CpApplication *self,
                                  GtkWindow     *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

  if (self->services_started || self->services_timeout_id != 0)
    return;
  if (clock != NULL)
    {
      self->services_clock = g_object_ref (clock);
      self->services_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (first_frame_cb), self);
    }
  /* And in any case soon, should no frame come (a window never shown). */
  self->services_timeout_id = g_timeout_add (clock != NULL ? 1000 : 0, first_frame_timeout_cb, self);
}

static void
cp_application_activate (GApplication *app)
{
  CpApplication *self = CP_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL && self->kiosk)
    {
      g_auto(GStrv) staff_actions = g_action_group_list_actions (G_ACTION_GROUP (self));

      /* The patients' kiosk: no staff window and no staff action (no
       * Ctrl+Q either: only an administrator leaves kiosk mode). */
      for (guint i = 0; staff_actions[i] != NULL; i++)
        g_action_map_remove_action (G_ACTION_MAP (self), staff_actions[i]);
      window = GTK_WINDOW (cp_kiosk_window_new (GTK_APPLICATION (self)));
      if (self->store != NULL)
        cp_kiosk_window_set_store (CP_KIOSK_WINDOW (window), self->store);
      else
        cp_open_store_async (self->db_path, training_mode (), self->cancellable,
                             store_opened_cb, g_object_ref (self));
      set_up_stripe (self);
      maybe_set_up_ledger (self);
    }
  else if (window == NULL)
    {
      window = GTK_WINDOW (cp_window_new (GTK_APPLICATION (self)));
      cp_timing_mark ("window-built");
      if (self->store != NULL)
        cp_window_set_store (CP_WINDOW (window), self->store);
      else
        {
          cp_open_store_async (self->db_path, training_mode (), self->cancellable,
                               store_opened_cb, g_object_ref (self));
          /* The database is checked as it opens, which takes a while when it
           * is large: people type their name and password meanwhile. */
          cp_window_show_signin (CP_WINDOW (window));
        }
    }

  gtk_window_present (window);
  cp_timing_mark ("window-presented");
  if (CP_IS_WINDOW (window))
    start_services_after_first_frame (self, window);
}

static int
cp_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CpApplication *self = CP_APPLICATION (app);
  g_autofree char *db = NULL;

  if (g_variant_dict_contains (options, "kiosk"))
    {
      self->kiosk = TRUE;
      /* A kiosk is its own instance, never a window of a running staff app. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("carepay %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "db", "^ay", &db))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (db);

      g_free (self->db_path);
      self->db_path = g_file_get_path (file);
      /* Another database is another instance, not a window of the running one. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  return -1;
}

/* Runs in the primary instance. A second plain `carepay` forwards its command
 * line here and exits with our answer: the window already open is presented,
 * no second one is made. (--db and --kiosk are separate instances, see
 * handle_local_options, so they arrive here in their own process.) */
static int
cp_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  g_application_activate (app);
  return 0;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  CpApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close through the windows so each stores its size. */
  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;
      gtk_window_close (GTK_WINDOW (l->data));
      l = next;
    }
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  CpApplication *self = user_data;
  static const char *developers[] = { "The Stingrays", NULL };
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("CarePay"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", "The Stingrays",
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("Hospital billing: invoices, card payments and refunds"),
                        "website", "https://github.com/stingrays/carepay",
                        "issue-url", "https://github.com/stingrays/carepay/issues",
                        "copyright", "© 2026 The Stingrays",
                        NULL);
  gtk_window_present (about);
}

/* Preferences: for the signed-in staff member of the staff window (admins
 * change things, others read them; see cp-preferences-window.h). */
static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  CpApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  CpPreferencesWindow *prefs;

  if (!CP_IS_WINDOW (window) || cp_window_get_staff (CP_WINDOW (window)) == NULL)
    return;
  prefs = cp_preferences_window_new (window, cp_window_get_store (CP_WINDOW (window)),
                                     cp_window_get_staff (CP_WINDOW (window)));
  cp_preferences_window_set_running_config (prefs, self->stripe_config);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* From a payment notification (cp-notifier.c): the staff window, that invoice. */
static void
open_invoice_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  CpApplication *self = user_data;
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CP_IS_WINDOW (l->data))
      {
        window = l->data;
        break;
      }
  if (window == NULL)
    return;
  if (cp_window_get_staff (CP_WINDOW (window)) != NULL)
    cp_window_open_invoice (CP_WINDOW (window), g_variant_get_int64 (param));
  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "open-invoice", open_invoice_action, "x" },
};

static void
load_icon_theme_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  /* Any name: the lookup loads the themes first. */
  gtk_icon_theme_has_icon (task_data, "open-menu-symbolic");
  g_task_return_boolean (task, TRUE);
}

/* GTK starts loading the icon theme in a thread when it is made, but what
 * that loads is dropped when icons are added to the theme after it (the
 * application's and libadwaita's resource paths, during startup): the
 * first icon of the sign-in page then read every index.theme on the main
 * thread (some 8 ms of CPU). Loaded again in a thread here, as GTK's own
 * thread does it, while the window is built. */
static void
load_icon_theme_in_thread (void)
{
  g_autoptr(GTask) task = NULL;
  GdkDisplay *display = gdk_display_get_default ();
  GtkIconTheme *theme;

  if (display == NULL)
    return;
  theme = gtk_icon_theme_get_for_display (display);
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, g_object_ref (theme), g_object_unref);
  g_task_run_in_thread (task, load_icon_theme_thread);
}

static void
cp_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  cp_timing_mark ("startup");
  cp_startup_theme_end ();
  G_APPLICATION_CLASS (cp_application_parent_class)->startup (app);
  cp_timing_mark ("startup-done");
  load_icon_theme_in_thread ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  /* The shortcuts window's usual keys (CpWindow builds it when asked). */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         (const char *[]) { "<Control>question", NULL });
}

static void
stop_simulator (CpApplication *self)
{
  if (self->simulator == NULL)
    return;
  /* SIGTERM lets it save its state file before it exits. */
  g_subprocess_send_signal (self->simulator, SIGTERM);
  g_subprocess_wait (self->simulator, NULL, NULL);
  g_clear_object (&self->simulator);
}

static void
cp_application_shutdown (GApplication *app)
{
  CpApplication *self = CP_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  stop_services (self);
  stop_simulator (self);

  G_APPLICATION_CLASS (cp_application_parent_class)->shutdown (app);
}

static void
cp_application_dispose (GObject *object)
{
  CpApplication *self = CP_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  stop_waiting_for_first_frame (self);
  stop_simulator (self);
  g_clear_object (&self->cancellable);
  if (self->sync != NULL)
    cp_sync_stop (self->sync);
  g_clear_object (&self->notifier);
  g_clear_object (&self->backups);
  g_clear_object (&self->sync_controller);
  g_clear_object (&self->sync);
  g_clear_object (&self->ledger);
  g_clear_object (&self->stripe_client);
  g_clear_object (&self->stripe_config);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_application_parent_class)->dispose (object);
}

static void
cp_application_finalize (GObject *object)
{
  CpApplication *self = CP_APPLICATION (object);

  g_free (self->db_path);
  g_free (self->webhook_secret);

  G_OBJECT_CLASS (cp_application_parent_class)->finalize (object);
}

static void
cp_application_class_init (CpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cp_application_dispose;
  object_class->finalize = cp_application_finalize;
  app_class->activate = cp_application_activate;
  app_class->startup = cp_application_startup;
  app_class->shutdown = cp_application_shutdown;
  app_class->handle_local_options = cp_application_handle_local_options;
  app_class->command_line = cp_application_command_line;
}

static void
cp_application_init (CpApplication *self)
{
  const char *env = g_getenv ("CAREPAY_DB");

  self->cancellable = g_cancellable_new ();
  if (env != NULL && *env != '\0')
    self->db_path = g_strdup (env);
  else
    self->db_path = cp_store_default_path ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Hospital billing for staff"));
}

CpApplication *
cp_application_new (void)
{
  return g_object_new (CP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

const char *
cp_application_get_db_path (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  return self->db_path;
}

CpStore *
cp_application_get_store (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  return self->store;
}

CpLedger *
cp_application_get_ledger (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  return self->ledger;
}

/* NULL until the ledger is ready (and always in the kiosk). */
CpSyncController *
cp_application_get_sync_controller (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  return self->sync_controller;
}

gboolean
cp_application_get_training (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), FALSE);

  return self->training;
}
