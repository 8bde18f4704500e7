/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a CarePay database: "CPAY" in ASCII. */
#define CP_SQLITE_APPLICATION_ID 0x43504159

/* Fills `error` with CP_ERROR_DATABASE (or a more precise code for
 * constraint and file-format failures) from the connection's last error. */
void     cp_sqlite_set_error  (sqlite3     *db,
                               int          rc,
                               const char  *what,
                               GError     **error);

/* Runs the migration steps from `from_version` + 1 up to `to_version` in one
 * transaction and sets user_version and application_id. */
gboolean cp_sqlite_migrate    (sqlite3     *db,
                               int          from_version,
                               int          to_version,
                               GError     **error);

/* The audit log chain: hash = SHA-256 hex of prev_hash, at, staff_id,
 * action, object and details joined with U+001F; the first entry's
 * prev_hash is 64 zeros. */
char    *cp_sqlite_audit_hash (const char  *prev_hash,
                               const char  *at,
                               gint64       staff_id,
                               const char  *action,
                               const char  *object,
                               const char  *details);
/* Walks the chain; CP_ERROR_SIGNATURE at the first entry that does not verify. */
gboolean cp_sqlite_audit_verify (CpSqliteStore  *self,
                                 gint64         *out_count,
                                 GError        **error);

sqlite3 *cp_sqlite_store_get_connection (CpSqliteStore *self);

G_END_DECLS
