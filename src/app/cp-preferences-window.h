/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"
#include "cp-stripe-config.h"

G_BEGIN_DECLS

#define CP_TYPE_PREFERENCES_WINDOW (cp_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CpPreferencesWindow, cp_preferences_window, CP, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The settings of org.stingrays.CarePay, the Stripe and mail secrets in the
 * keyring, and (for administrators) the staff accounts. Every change is
 * written to `store`'s audit log as `staff`; secrets never are. Only an
 * administrator may change anything: for other roles the pages are read-only
 * and the Staff page is absent. `store` may be NULL (nothing is audited). */
CpPreferencesWindow *cp_preferences_window_new          (GtkWindow           *parent,
                                                         CpStore             *store,
                                                         const CpStaff       *staff);
/* The configuration the running app uses: Test Connection in training mode
 * goes to its simulator. May be NULL. */
void                 cp_preferences_window_set_running_config (CpPreferencesWindow *self,
                                                               CpStripeConfig      *config);

/* Keyring reads and writes, connection tests and checks still running. */
guint                cp_preferences_window_get_busy     (CpPreferencesWindow *self);
/* The inline error under the row with template id `row_id` ("tax_row"), or NULL. */
const char          *cp_preferences_window_get_error    (CpPreferencesWindow *self,
                                                         const char          *row_id);
/* The message dialog on screen (live-mode confirmation or refusal), or NULL. */
AdwMessageDialog    *cp_preferences_window_get_dialog   (CpPreferencesWindow *self);
/* What the file chooser does on accept: an image file, or NULL to remove the logo. */
gboolean             cp_preferences_window_set_logo     (CpPreferencesWindow *self,
                                                         const char          *path,
                                                         GError             **error);

/* Strict parses of what people type (exposed for the tests):
 * "8.25" or "8.25 %" → 825 basis points; 0 to 100 with at most two decimals. */
gboolean             cp_parse_percent_bp                (const char          *text,
                                                         guint               *out_bp);
/* "-7, 0, 30" → a floating-free "ai" variant: whole days from -365 to 3650,
 * ascending, no repeats, one to twenty of them. */
GVariant            *cp_parse_reminder_days             (const char          *text,
                                                         GError             **error);

G_END_DECLS
