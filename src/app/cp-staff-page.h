/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_STAFF_PAGE (cp_staff_page_get_type ())
G_DECLARE_FINAL_TYPE (CpStaffPage, cp_staff_page, CP, STAFF_PAGE, AdwPreferencesPage)

/* Staff accounts, for administrators: list, add with a role and an initial
 * password, change the role, deactivate and reactivate, reset a password. `admin` is the
 * signed-in administrator: every change is audited as them, and they cannot
 * demote or deactivate themselves. Nor can anyone remove the last active
 * administrator. */
CpStaffPage *cp_staff_page_new             (CpStore       *store,
                                            const CpStaff *admin);
/* Re-reads the accounts. */
void         cp_staff_page_reload          (CpStaffPage   *self);
/* Account creations still running (yescrypt runs in a worker). */
guint        cp_staff_page_get_busy        (CpStaffPage   *self);
/* The row of `username`'s account, or NULL. Its role GtkDropDown and active
 * GtkSwitch are its suffixes. */
AdwActionRow *cp_staff_page_get_account_row (CpStaffPage   *self,
                                             const char    *username);
/* The password-reset dialog on screen (its extra child is the entry), or NULL. */
AdwMessageDialog *cp_staff_page_get_dialog (CpStaffPage   *self);
/* The message under the form or the list, or NULL. */
const char  *cp_staff_page_get_error       (CpStaffPage   *self);

G_END_DECLS
