/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* Backs the store up every `interval` seconds into `directory` (made 0700)
 * as carepay-YYYYMMDD-HHMMSS-UUUUUU.db (UTC, mode 0600), keeping the newest `keep`
 * backups and deleting older ones of that name pattern (nothing else in the
 * directory is touched). Backups run in a worker thread; ::backup-done
 * (path) or ::backup-failed (message) follow on the thread-default main
 * context of the caller of cp_backup_scheduler_start(). Where the interval
 * comes from (a GSettings key) is the app's business. */

#define CP_TYPE_BACKUP_SCHEDULER (cp_backup_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (CpBackupScheduler, cp_backup_scheduler, CP, BACKUP_SCHEDULER, GObject)

CpBackupScheduler *cp_backup_scheduler_new          (CpSqliteStore     *store,
                                                     const char        *directory,
                                                     guint              interval_seconds,
                                                     guint              keep);
const char        *cp_backup_scheduler_get_directory (CpBackupScheduler *self);
guint              cp_backup_scheduler_get_interval  (CpBackupScheduler *self);
void               cp_backup_scheduler_set_interval  (CpBackupScheduler *self,
                                                      guint              interval_seconds);
guint              cp_backup_scheduler_get_keep      (CpBackupScheduler *self);
void               cp_backup_scheduler_set_keep      (CpBackupScheduler *self,
                                                      guint              keep);
/* Seconds from a start to the first backup: what is left of the interval
 * since the newest backup, or CP_BACKUP_STARTUP_DELAY when one is due. */
#define CP_BACKUP_STARTUP_DELAY 60
guint              cp_backup_scheduler_get_first_delay (CpBackupScheduler *self);
void               cp_backup_scheduler_start         (CpBackupScheduler *self);
void               cp_backup_scheduler_stop          (CpBackupScheduler *self);
/* One backup now, blocking, then the old ones pruned. Returns its path. */
char              *cp_backup_scheduler_run_now       (CpBackupScheduler *self,
                                                      GError           **error);
/* The backups in the directory, newest first (full paths). */
GPtrArray         *cp_backup_scheduler_list          (CpBackupScheduler *self);

G_END_DECLS
