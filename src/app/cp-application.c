/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "cp-application.h"
#include "cp-error.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "cp-window.h"

struct _CpApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  CpStore        *store;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (CpApplication, cp_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the CarePay database FILE"), N_("FILE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

typedef struct {
  char     *path;
  gboolean  seed_demo;
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

  store = cp_sqlite_store_open (od->path, CP_SQLITE_OPEN_CREATE, &error);
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
          if (!cp_seed_demo (CP_STORE (store), 0, 0, today, &error))
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

  g_set_object (&self->store, store);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (!CP_IS_WINDOW (window))
    return;

  if (store != NULL)
    cp_window_set_store (CP_WINDOW (window), store);
  else
    cp_window_show_store_error (CP_WINDOW (window), self->db_path, error);
}

static void
cp_application_activate (GApplication *app)
{
  CpApplication *self = CP_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (cp_window_new (GTK_APPLICATION (self)));
      if (self->store != NULL)
        cp_window_set_store (CP_WINDOW (window), self->store);
      else
        cp_open_store_async (self->db_path, training_mode (), self->cancellable,
                             store_opened_cb, g_object_ref (self));
    }

  gtk_window_present (window);
}

static int
cp_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CpApplication *self = CP_APPLICATION (app);
  g_autofree char *db = NULL;

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
                        NULL);
  gtk_window_present (about);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
cp_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (cp_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
cp_application_dispose (GObject *object)
{
  CpApplication *self = CP_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_application_parent_class)->dispose (object);
}

static void
cp_application_finalize (GObject *object)
{
  CpApplication *self = CP_APPLICATION (object);

  g_free (self->db_path);

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
  app_class->handle_local_options = cp_application_handle_local_options;
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
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
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
