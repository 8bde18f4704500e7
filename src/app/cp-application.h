/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_APPLICATION (cp_application_get_type ())
G_DECLARE_FINAL_TYPE (CpApplication, cp_application, CP, APPLICATION, AdwApplication)

CpApplication *cp_application_new       (void);
/* The database in use: --db, else $CAREPAY_DB, else cp_store_default_path(). */
const char    *cp_application_get_db_path (CpApplication *self);
/* NULL until the database is open. */
CpStore       *cp_application_get_store (CpApplication *self);

/* Opens (creating if needed) the database at `path` and, when `seed_demo`,
 * fills an empty one with the demo set. Runs in a worker thread. */
void           cp_open_store_async      (const char          *path,
                                         gboolean             seed_demo,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
CpStore       *cp_open_store_finish     (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
