/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The integrity check of a database that is already open, run in a thread
 * while the file's write lock is held, so that reading can start at once and
 * nothing is written until the file is known to be sound. A damaged file
 * keeps the lock until the check is freed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CpSqliteCheck CpSqliteCheck;

/* Opens a second connection to `path` (a WAL database), takes the write lock
 * and starts PRAGMA quick_check in a thread. NULL when the lock cannot be
 * taken at once (another writer): check in the foreground then. */
CpSqliteCheck *cp_sqlite_check_start   (const char     *path,
                                        GError        **error);
/* Waits for the check: TRUE if the file is sound, else FALSE with the
 * CP_ERROR_NOT_A_DATABASE error that a foreground check would give. */
gboolean       cp_sqlite_check_wait    (CpSqliteCheck  *check,
                                        GError        **error);
/* Without waiting: TRUE while the check runs. */
gboolean       cp_sqlite_check_running (CpSqliteCheck  *check);
/* Waits for the thread, then releases the lock and closes the connection. */
void           cp_sqlite_check_free    (CpSqliteCheck  *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpSqliteCheck, cp_sqlite_check_free)

G_END_DECLS
