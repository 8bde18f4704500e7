/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-ledger.h"
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

/* Training mode: GSettings stripe-mode is 'simulator' and no
 * CAREPAY_STRIPE_SECRET_KEY is set. The app then runs carepay-stripe-sim
 * itself (killed on shutdown) with these test keys. */
#define CP_TRAINING_SECRET_KEY      "sk_test_carepay_training"
#define CP_TRAINING_PUBLISHABLE_KEY "pk_test_carepay_training"

/* NULL until the database is open and Stripe is configured. */
CpLedger      *cp_application_get_ledger  (CpApplication *self);
gboolean       cp_application_get_training (CpApplication *self);
/* The staff app's sync (polls, webhooks, notifications, reconcile); NULL
 * until the ledger is ready, and in the kiosk. */
typedef struct _CpSyncController CpSyncController;
CpSyncController *cp_application_get_sync_controller (CpApplication *self);

/* $CAREPAY_STRIPE_SIM, else the build tree's simulator when the app runs
 * from the build tree, else the installed one; NULL if none. */
char          *cp_training_simulator_find (void);
/* Starts the simulator on a free port (with `state_path` for its objects,
 * may be NULL) and waits for it to listen. */
void           cp_training_simulator_start_async  (const char          *sim_path,
                                                   const char          *state_path,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* The same, delivering its events as signed webhooks to `webhook_url` (both
 * may be NULL: no webhooks); finish with cp_training_simulator_start_finish. */
void           cp_training_simulator_start_with_webhook_async (const char          *sim_path,
                                                               const char          *state_path,
                                                               const char          *webhook_url,
                                                               const char          *webhook_secret,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
/* The running process and, in `out_url`, "http://127.0.0.1:PORT". */
GSubprocess   *cp_training_simulator_start_finish (GAsyncResult        *result,
                                                   char               **out_url,
                                                   GError             **error);
/* API base = `sim_url`, Stripe.js = `sim_url`/v3/, the training keys. */
CpStripeConfig *cp_training_stripe_config_new     (const char          *sim_url);

G_END_DECLS
