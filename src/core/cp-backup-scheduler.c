/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cp-backup-scheduler.h"
#include "cp-error.h"
#include "cp-sqlite-backup.h"

#define PREFIX "carepay-"
#define SUFFIX ".db"

struct _CpBackupScheduler
{
  GObject        parent_instance;

  CpSqliteStore *store;
  char          *directory;
  guint          interval;
  guint          keep;
  guint          timeout_id;
  gboolean       running;      /* a backup is in its worker thread */
  GCancellable  *cancellable;
  GMutex         mutex;        /* one backup and prune at a time */
};

G_DEFINE_FINAL_TYPE (CpBackupScheduler, cp_backup_scheduler, G_TYPE_OBJECT)

enum {
  BACKUP_DONE,
  BACKUP_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_backup_name (const char *name)
{
  return g_str_has_prefix (name, PREFIX) && g_str_has_suffix (name, SUFFIX) &&
         strlen (name) == strlen (PREFIX "YYYYMMDD-HHMMSS-UUUUUU" SUFFIX);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  return -g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
cp_backup_scheduler_list (CpBackupScheduler *self)
{
  g_autoptr(GDir) dir = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), paths);

  dir = g_dir_open (self->directory, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (is_backup_name (name))
      g_ptr_array_add (paths, g_build_filename (self->directory, name, NULL));
  g_ptr_array_sort (paths, compare_newest_first);
  return paths;
}

static void
prune (CpBackupScheduler *self)
{
  g_autoptr(GPtrArray) paths = cp_backup_scheduler_list (self);

  for (guint i = MAX (self->keep, 1); i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (g_unlink (path) != 0)
        g_warning ("Could not delete the old backup %s: %s", path, g_strerror (errno));
    }
}

char *
cp_backup_scheduler_run_now (CpBackupScheduler  *self,
                             GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S-%f");
  g_autofree char *name = g_strdup_printf (PREFIX "%s" SUFFIX, stamp);
  g_autofree char *path = g_build_filename (self->directory, name, NULL);
  gboolean ok;

  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), NULL);

  g_mutex_lock (&self->mutex);
  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    {
      int saved = errno;
      g_mutex_unlock (&self->mutex);
      g_set_error (error, CP_ERROR, CP_ERROR_DATABASE, _("Could not create %s: %s"),
                   self->directory, g_strerror (saved));
      return NULL;
    }
  ok = cp_sqlite_store_backup (self->store, path, error);
  if (ok)
    prune (self);
  g_mutex_unlock (&self->mutex);
  return ok ? g_steal_pointer (&path) : NULL;
}

static void
backup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpBackupScheduler *self = source_object;
  GError *error = NULL;
  char *path = cp_backup_scheduler_run_now (self, &error);

  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

static void
backup_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CpBackupScheduler *self = CP_BACKUP_SCHEDULER (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);

  self->running = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (path != NULL)
    g_signal_emit (self, signals[BACKUP_DONE], 0, path);
  else
    {
      g_warning ("Scheduled backup failed: %s", error->message);
      g_signal_emit (self, signals[BACKUP_FAILED], 0, error->message);
    }
}

static gboolean
tick (gpointer user_data)
{
  CpBackupScheduler *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (self->running)
    return G_SOURCE_CONTINUE;  /* the last one is still going: skip a turn */
  self->running = TRUE;
  task = g_task_new (self, self->cancellable, backup_done, NULL);
  g_task_set_source_tag (task, tick);
  g_task_run_in_thread (task, backup_thread);
  return G_SOURCE_CONTINUE;
}

/* The first turn after a start waits for what is left of the interval since
 * the newest backup, so an app closed every evening still backs up daily. */
static gboolean
first_tick (gpointer user_data)
{
  CpBackupScheduler *self = user_data;

  tick (self);
  self->timeout_id = g_timeout_add_seconds (self->interval, tick, self);
  return G_SOURCE_REMOVE;
}

guint
cp_backup_scheduler_get_first_delay (CpBackupScheduler *self)
{
  g_autoptr(GPtrArray) paths = NULL;
  GStatBuf st;
  gint64 age;

  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), 0);

  paths = cp_backup_scheduler_list (self);
  if (paths->len == 0 || g_stat (g_ptr_array_index (paths, 0), &st) != 0)
    return MIN (self->interval, CP_BACKUP_STARTUP_DELAY);
  age = g_get_real_time () / G_USEC_PER_SEC - (gint64) st.st_mtime;
  if (age >= (gint64) self->interval)
    return MIN (self->interval, CP_BACKUP_STARTUP_DELAY);
  return self->interval - MAX (age, 0);
}

void
cp_backup_scheduler_start (CpBackupScheduler *self)
{
  g_return_if_fail (CP_IS_BACKUP_SCHEDULER (self));

  cp_backup_scheduler_stop (self);
  if (self->interval == 0)
    return;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->timeout_id = g_timeout_add_seconds (cp_backup_scheduler_get_first_delay (self),
                                            first_tick, self);
}

void
cp_backup_scheduler_stop (CpBackupScheduler *self)
{
  g_return_if_fail (CP_IS_BACKUP_SCHEDULER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
}

const char *
cp_backup_scheduler_get_directory (CpBackupScheduler *self)
{
  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), NULL);
  return self->directory;
}

guint
cp_backup_scheduler_get_interval (CpBackupScheduler *self)
{
  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), 0);
  return self->interval;
}

void
cp_backup_scheduler_set_interval (CpBackupScheduler *self,
                                  guint              interval_seconds)
{
  gboolean was_started;

  g_return_if_fail (CP_IS_BACKUP_SCHEDULER (self));

  was_started = self->timeout_id != 0;
  self->interval = interval_seconds;
  if (was_started)
    cp_backup_scheduler_start (self);
}

guint
cp_backup_scheduler_get_keep (CpBackupScheduler *self)
{
  g_return_val_if_fail (CP_IS_BACKUP_SCHEDULER (self), 0);
  return self->keep;
}

void
cp_backup_scheduler_set_keep (CpBackupScheduler *self,
                              guint              keep)
{
  g_return_if_fail (CP_IS_BACKUP_SCHEDULER (self));
  self->keep = MAX (keep, 1);
}

CpBackupScheduler *
cp_backup_scheduler_new (CpSqliteStore *store,
                         const char    *directory,
                         guint          interval_seconds,
                         guint          keep)
{
  CpBackupScheduler *self;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (store), NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (CP_TYPE_BACKUP_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->directory = g_strdup (directory);
  self->interval = interval_seconds;
  self->keep = MAX (keep, 1);
  return self;
}

static void
cp_backup_scheduler_dispose (GObject *object)
{
  CpBackupScheduler *self = (CpBackupScheduler *) object;

  cp_backup_scheduler_stop (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cp_backup_scheduler_parent_class)->dispose (object);
}

static void
cp_backup_scheduler_finalize (GObject *object)
{
  CpBackupScheduler *self = (CpBackupScheduler *) object;

  g_clear_object (&self->store);
  g_free (self->directory);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (cp_backup_scheduler_parent_class)->finalize (object);
}

static void
cp_backup_scheduler_class_init (CpBackupSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_backup_scheduler_dispose;
  object_class->finalize = cp_backup_scheduler_finalize;

  signals[BACKUP_DONE] = g_signal_new ("backup-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[BACKUP_FAILED] = g_signal_new ("backup-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cp_backup_scheduler_init (CpBackupScheduler *self)
{
  g_mutex_init (&self->mutex);
}
