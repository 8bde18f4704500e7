/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* Data safety for the SQLite store: online backups with SQLite's backup API
 * (consistent while the store is in use, WAL included), a checked restore,
 * and the integrity check run at every open.
 *
 * Every file made here is created with mode 0600 whatever the umask, in a
 * temporary name next to its destination, synced, and renamed into place,
 * so a crash leaves either the old file or the whole new one. */

/* Copies the store's database to `dest_path` (replaced if it exists). */
gboolean cp_sqlite_store_backup      (CpSqliteStore  *self,
                                      const char     *dest_path,
                                      GError        **error);

/* Checks that `path` is a whole, undamaged CarePay database this build can
 * open: an SQLite file, application_id "CPAY", a schema from 1 to
 * CP_SQLITE_SCHEMA_VERSION, and PRAGMA integrity_check "ok". Opens it read
 * only and changes nothing. CP_ERROR_NOT_A_DATABASE otherwise. */
gboolean cp_sqlite_backup_check      (const char     *path,
                                      int            *out_schema_version,
                                      GError        **error);

/* Replaces the database at `db_path` with the backup at `backup_path`,
 * after checking the backup. The current database (if any) is first copied
 * whole to "<db_path>.before-restore"; the restored copy is then renamed
 * over `db_path` in one step, and the old -wal and -shm files removed. No
 * other program may have `db_path` open: the restore is refused with
 * CP_ERROR_DATABASE when another process has it open (its lock on the -shm
 * file) or is reading it. This process must have closed its own stores. */
gboolean cp_sqlite_backup_restore    (const char     *backup_path,
                                      const char     *db_path,
                                      GError        **error);

G_END_DECLS
