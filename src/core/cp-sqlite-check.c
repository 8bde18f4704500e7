/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <malloc.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-check.h"
#include "cp-sqlite-private.h"
#include "cp-thread-call.h"

struct _CpSqliteCheck
{
  sqlite3  *db;       /* the thread's until it is done */
  char     *path;
  GThread  *thread;
  GMutex    mutex;
  GCond     cond;
  gboolean  done;
  GError   *error;    /* why the file is refused, once done */
};

static gpointer
check_thread (gpointer data)
{
  CpSqliteCheck *self = data;
  g_autoptr(GError) error = NULL;
  gboolean sound;

  /* Behind the window being drawn and the list being loaded: nothing waits
   * for the check but writes, and there are none before sign-in */
  cp_thread_lower_priority (10);

  /* A sound file is released at once; a refused one keeps its write lock,
   * so nothing writes to it until it is restored. */
  sound = cp_sqlite_integrity_check (self->db, self->path, TRUE, &error);
  if (sound)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }

  g_mutex_lock (&self->mutex);
  self->error = g_steal_pointer (&error);
  self->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  /* The pages the check read went to this thread's malloc arena */
  if (sound)
    malloc_trim (0);
  return NULL;
}

CpSqliteCheck *
cp_sqlite_check_start (const char  *path,
                       GError     **error)
{
  g_autoptr(CpSqliteCheck) self = g_new0 (CpSqliteCheck, 1);
  int rc;

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (self->db, 1);
      /* No busy timeout: another writer means checking in the foreground */
      rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (self->db, rc, _("Could not check the database"), error);
      return NULL;
    }

  self->thread = g_thread_try_new ("carepay-check", check_thread, self, error);
  if (self->thread == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cp_sqlite_check_wait (CpSqliteCheck  *self,
                      GError        **error)
{
  gboolean sound;

  g_mutex_lock (&self->mutex);
  while (!self->done)
    g_cond_wait (&self->cond, &self->mutex);
  sound = self->error == NULL;
  if (!sound)
    g_propagate_error (error, g_error_copy (self->error));
  g_mutex_unlock (&self->mutex);
  return sound;
}

gboolean
cp_sqlite_check_running (CpSqliteCheck *self)
{
  gboolean running;

  g_mutex_lock (&self->mutex);
  running = !self->done;
  g_mutex_unlock (&self->mutex);
  return running;
}

void
cp_sqlite_check_free (CpSqliteCheck *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    g_thread_join (self->thread);
  /* Closing with the transaction open rolls it back: the lock goes with it */
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_error (&self->error);
  g_free (self->path);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}
