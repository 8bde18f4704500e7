/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Backups, restore and the integrity check of the SQLite store. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-backup.h"
#include "cp-sqlite-private.h"

#define BUSY_RETRIES 50

static gboolean
fail_errno (const char  *what,
            const char  *path,
            int          saved_errno,
            GError     **error)
{
  g_set_error (error, CP_ERROR, CP_ERROR_DATABASE, "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static void
sync_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static gboolean
sync_file (const char  *path,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved;

  if (fd < 0)
    return fail_errno (_("Could not open"), path, errno, error);
  if (fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      return fail_errno (_("Could not write"), path, saved, error);
    }
  close (fd);
  return TRUE;
}

static void
unlink_with_journals (const char *path)
{
  const char *suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_unlink (name);
    }
}

/* A new empty file next to `dest_path`, mode 0600 whatever the umask. */
static char *
make_temp_next_to (const char  *dest_path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (dest_path);
  g_autofree char *base = g_path_get_basename (dest_path);
  g_autofree char *name = g_strdup_printf (".%s.tmp-XXXXXX", base);
  g_autofree char *tmpl = g_build_filename (dir, name, NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      fail_errno (_("Could not create"), dir, errno, error);
      return NULL;
    }
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      fail_errno (_("Could not create a file in"), dir, errno, error);
      return NULL;
    }
  if (fchmod (fd, 0600) != 0)
    g_debug ("fchmod %s: %s", tmpl, g_strerror (errno));
  close (fd);
  return g_steal_pointer (&tmpl);
}

/* Copies the "main" database of `src` into a new file at `dest_path`,
 * through a temporary file renamed into place. */
static gboolean
backup_connection (sqlite3     *src,
                   const char  *dest_path,
                   GError     **error)
{
  g_autofree char *tmp = NULL;
  sqlite3 *dst = NULL;
  sqlite3_backup *backup;
  int rc;

  tmp = make_temp_next_to (dest_path, error);
  if (tmp == NULL)
    return FALSE;

  rc = sqlite3_open_v2 (tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (dst, rc, _("Could not make the backup"), error);
      goto fail;
    }
  sqlite3_extended_result_codes (dst, 1);

  backup = sqlite3_backup_init (dst, "main", src, "main");
  if (backup == NULL)
    {
      cp_sqlite_set_error (dst, sqlite3_extended_errcode (dst), _("Could not make the backup"), error);
      goto fail;
    }
  /* The whole database in one step, under one read transaction of the
   * source, so the copy is of one moment; a writer holding the lock only
   * makes it wait */
  for (guint i = 0; ; i++)
    {
      rc = sqlite3_backup_step (backup, -1);
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && i < BUSY_RETRIES)
        {
          sqlite3_sleep (100);
          continue;
        }
      break;
    }
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      cp_sqlite_set_error (NULL, rc, _("Could not make the backup"), error);
      goto fail;
    }
  /* A backup is one self-contained file: a rollback journal, not a WAL, so
   * reading it (even read-only) leaves no -wal or -shm beside it; the store
   * turns WAL back on when it opens a restored copy */
  rc = sqlite3_exec (dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (dst, rc, _("Could not make the backup"), error);
      goto fail;
    }
  rc = sqlite3_close (dst);
  dst = NULL;
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (NULL, rc, _("Could not make the backup"), error);
      goto fail;
    }

  if (!sync_file (tmp, error))
    goto fail;
  /* A stale -wal of an older file at this name must not meet the new one */
  {
    g_autofree char *wal = g_strconcat (dest_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (dest_path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  if (g_rename (tmp, dest_path) != 0)
    {
      fail_errno (_("Could not write"), dest_path, errno, error);
      goto fail;
    }
  sync_dir_of (dest_path);
  return TRUE;

fail:
  if (dst != NULL)
    sqlite3_close (dst);
  unlink_with_journals (tmp);
  return FALSE;
}

gboolean
cp_sqlite_store_backup (CpSqliteStore  *self,
                        const char     *dest_path,
                        GError        **error)
{
  GRecMutex *lock;
  gboolean ok;

  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  if (g_strcmp0 (dest_path, cp_sqlite_store_get_path (self)) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("A backup cannot replace the database it is made from"));
      return FALSE;
    }

  lock = cp_sqlite_store_get_lock (self);
  g_rec_mutex_lock (lock);
  ok = backup_connection (cp_sqlite_store_get_connection (self), dest_path, error);
  g_rec_mutex_unlock (lock);
  return ok;
}

/* Checks */

static gboolean
damaged (const char  *path,
         const char  *detail,
         GError     **error)
{
  g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE,
               _("%s is damaged (%s); restore it from a backup"), path, detail);
  return FALSE;
}

gboolean
cp_sqlite_integrity_check (sqlite3     *db,
                           const char  *path,
                           gboolean     quick,
                           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *first = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, quick ? "PRAGMA quick_check(1)" : "PRAGMA integrity_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        first = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  if (first != NULL && g_str_equal (first, "ok"))
    return TRUE;
  if (first != NULL)
    return damaged (path, first, error);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    {
      cp_sqlite_set_error (db, rc, _("Could not check the database"), error);
      return FALSE;
    }
  return damaged (path, sqlite3_errmsg (db), error);
}

static gboolean
read_int (sqlite3     *db,
          const char  *sql,
          int         *out,
          GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *out = sqlite3_column_int (stmt, 0);
      sqlite3_finalize (stmt);
      return TRUE;
    }
  cp_sqlite_set_error (db, rc, sql, error);
  sqlite3_finalize (stmt);
  return FALSE;
}

gboolean
cp_sqlite_backup_check (const char  *path,
                        int         *out_schema_version,
                        GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16];
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db = NULL;
  int app_id = 0, version = 0;
  gssize n;
  int fd, rc;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("Cannot read %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  n = read (fd, header, sizeof header);
  close (fd);
  if (n != (gssize) sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("%s is not a CarePay database (not an SQLite file)"), path);
      return FALSE;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("%s cannot be opened: %s"), path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return FALSE;
    }

  if (!read_int (db, "PRAGMA application_id", &app_id, &local_error) ||
      !read_int (db, "PRAGMA user_version", &version, &local_error))
    {
      damaged (path, local_error->message, error);
      sqlite3_close (db);
      return FALSE;
    }
  if (app_id != CP_SQLITE_APPLICATION_ID)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("%s is not a CarePay database"), path);
      sqlite3_close (db);
      return FALSE;
    }
  if (version < 1 || version > CP_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE,
                   _("%s has schema %d; this CarePay reads schemas 1 to %d"), path, version, CP_SQLITE_SCHEMA_VERSION);
      sqlite3_close (db);
      return FALSE;
    }
  if (!cp_sqlite_integrity_check (db, path, FALSE, error))
    {
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_close (db);
  if (out_schema_version != NULL)
    *out_schema_version = version;
  return TRUE;
}

/* Restore */

/* Every SQLite connection that has a WAL database open holds a shared lock
 * on byte 128 of its -shm file (the unix VFS's "DMS" byte) for as long as it
 * is open, so a write lock there would conflict: that is someone using it.
 * (POSIX locks: only other processes show up, which is what matters.) */
static gboolean
in_use_by_another_process (const char *db_path,
                           pid_t      *out_pid)
{
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
  struct flock lock = { 0 };
  int fd = g_open (shm, O_RDONLY | O_CLOEXEC, 0);
  gboolean busy = FALSE;

  if (fd < 0)
    return FALSE;
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 128;
  lock.l_len = 1;
  if (fcntl (fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK)
    {
      busy = TRUE;
      *out_pid = lock.l_pid;
    }
  close (fd);
  return busy;
}

/* A byte copy, for a current database too damaged for the backup API */
static gboolean
copy_bytes (const char  *from,
            const char  *to,
            GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *tmp = NULL;
  gsize length = 0;
  int fd;
  gboolean ok;

  if (!g_file_get_contents (from, &contents, &length, error))
    return FALSE;
  tmp = make_temp_next_to (to, error);
  if (tmp == NULL)
    return FALSE;
  fd = g_open (tmp, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
  ok = fd >= 0 && write (fd, contents, length) == (gssize) length && fsync (fd) == 0;
  if (fd >= 0)
    close (fd);
  if (!ok || g_rename (tmp, to) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      return fail_errno (_("Could not write"), to, saved, error);
    }
  return TRUE;
}

gboolean
cp_sqlite_backup_restore (const char  *backup_path,
                          const char  *db_path,
                          GError     **error)
{
  g_autofree char *before = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  sqlite3 *src = NULL;
  int rc;

  g_return_val_if_fail (backup_path != NULL, FALSE);
  g_return_val_if_fail (db_path != NULL, FALSE);

  if (!cp_sqlite_backup_check (backup_path, NULL, error))
    return FALSE;

  {
    pid_t pid = 0;

    if (in_use_by_another_process (db_path, &pid))
      {
        g_set_error (error, CP_ERROR, CP_ERROR_DATABASE,
                     _("%s is in use by another program (process %d); close CarePay before restoring"),
                     db_path, (int) pid);
        return FALSE;
      }
  }

  before = g_strconcat (db_path, ".before-restore", NULL);
  wal = g_strconcat (db_path, "-wal", NULL);
  shm = g_strconcat (db_path, "-shm", NULL);

  /* Keep the current database, whole, WAL included */
  if (g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) copy_error = NULL;
      int busy = 0;

      rc = sqlite3_open_v2 (db_path, &src, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_stmt *stmt = NULL;

          sqlite3_busy_timeout (src, 2000);
          /* Folds the WAL into the file; busy when another program is using it */
          if (sqlite3_prepare_v2 (src, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &stmt, NULL) == SQLITE_OK &&
              sqlite3_step (stmt) == SQLITE_ROW)
            busy = sqlite3_column_int (stmt, 0);
          sqlite3_finalize (stmt);
          if (busy)
            {
              g_set_error (error, CP_ERROR, CP_ERROR_DATABASE,
                           _("%s is in use by another program; close CarePay before restoring"), db_path);
              sqlite3_close (src);
              return FALSE;
            }
          if (!backup_connection (src, before, &copy_error))
            {
              g_debug ("Backup API copy of %s failed (%s); copying its bytes", db_path, copy_error->message);
              g_clear_error (&copy_error);
              if (!copy_bytes (db_path, before, error))
                {
                  sqlite3_close (src);
                  return FALSE;
                }
            }
          sqlite3_close (src);
          src = NULL;
        }
      else
        {
          sqlite3_close (src);
          src = NULL;
          if (!copy_bytes (db_path, before, error))
            return FALSE;
        }
    }

  /* The backup, copied next to the database and renamed over it */
  rc = sqlite3_open_v2 (backup_path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (src, rc, _("Could not read the backup"), error);
      sqlite3_close (src);
      return FALSE;
    }
  {
    g_autofree char *tmp = make_temp_next_to (db_path, error);
    sqlite3 *dst = NULL;
    sqlite3_backup *backup;

    if (tmp == NULL)
      {
        sqlite3_close (src);
        return FALSE;
      }
    rc = sqlite3_open_v2 (tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    backup = rc == SQLITE_OK ? sqlite3_backup_init (dst, "main", src, "main") : NULL;
    if (backup != NULL)
      {
        rc = sqlite3_backup_step (backup, -1);
        sqlite3_backup_finish (backup);
      }
    else if (rc == SQLITE_OK)
      rc = sqlite3_extended_errcode (dst);
    sqlite3_close (src);
    if (dst != NULL && sqlite3_close (dst) != SQLITE_OK && rc == SQLITE_DONE)
      rc = SQLITE_IOERR;
    if (rc != SQLITE_DONE || !sync_file (tmp, error))
      {
        if (rc != SQLITE_DONE)
          cp_sqlite_set_error (NULL, rc, _("Could not copy the backup"), error);
        unlink_with_journals (tmp);
        return FALSE;
      }
    /* Nothing of the old database may be replayed onto the restored one */
    g_unlink (wal);
    g_unlink (shm);
    if (g_rename (tmp, db_path) != 0)
      {
        int saved = errno;
        unlink_with_journals (tmp);
        return fail_errno (_("Could not write"), db_path, saved, error);
      }
    sync_dir_of (db_path);
  }
  return TRUE;
}
