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

G_END_DECLS
