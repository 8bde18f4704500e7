/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_SQLITE_STORE (cp_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (CpSqliteStore, cp_sqlite_store, CP, SQLITE_STORE, GObject)

/* The schema version this build writes (PRAGMA user_version). */
#define CP_SQLITE_SCHEMA_VERSION 6

typedef enum {
  CP_SQLITE_OPEN_DEFAULT        = 0,
  CP_SQLITE_OPEN_CREATE         = 1 << 0, /* create the file (mode 0600) if missing */
  CP_SQLITE_OPEN_READ_ONLY      = 1 << 1,
  /* Check the file's integrity in a thread instead of before returning, when
   * it needs no upgrade: reads start at once, writes wait for the check and
   * fail as the open would have if it finds damage. */
  CP_SQLITE_OPEN_CHECK_IN_BACKGROUND = 1 << 2,
} CpSqliteOpenFlags;

/* Opens (and with CREATE, creates) the database, checks it is a CarePay
 * database, and migrates it to CP_SQLITE_SCHEMA_VERSION in one transaction.
 * A missing file without CREATE, a file that is not SQLite, or a database
 * from a newer CarePay fails with CP_ERROR_NOT_A_DATABASE and changes nothing. */
CpSqliteStore *cp_sqlite_store_open        (const char         *path,
                                            CpSqliteOpenFlags   flags,
                                            GError            **error);
/* For tests of migrations: open and migrate only up to `version`. */
CpSqliteStore *cp_sqlite_store_open_at_version (const char  *path,
                                                int          version,
                                                GError     **error);
/* Waits for the background integrity check (CP_SQLITE_OPEN_CHECK_IN_BACKGROUND;
 * at once without one): FALSE with CP_ERROR_NOT_A_DATABASE when the file is
 * damaged, and every write fails so from then on. */
gboolean       cp_sqlite_store_wait_checked (CpSqliteStore  *self,
                                             GError        **error);
void           cp_sqlite_store_wait_checked_async  (CpSqliteStore       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean       cp_sqlite_store_wait_checked_finish (CpSqliteStore  *self,
                                                    GAsyncResult   *result,
                                                    GError        **error);
int            cp_sqlite_store_get_schema_version (CpSqliteStore *self);
/* Holds reads of every invoice (the list's index, on the store's reading
 * connection) for up to `ms` milliseconds, or until resumed: the CPU they
 * take goes to what a person is waiting for, a sign-in and its first frame. */
void           cp_sqlite_store_pause_reads  (CpSqliteStore *self,
                                             guint          ms);
void           cp_sqlite_store_resume_reads (CpSqliteStore *self);
const char    *cp_sqlite_store_get_path    (CpSqliteStore *self);

G_END_DECLS
