/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_SIGNIN_PAGE (cp_signin_page_get_type ())
G_DECLARE_FINAL_TYPE (CpSigninPage, cp_signin_page, CP, SIGNIN_PAGE, AdwBin)

/* Emits ::signed-in (CpStaff *, owned by the page during the emission) once
 * the store accepted the credentials. */
GtkWidget *cp_signin_page_new          (void);
void       cp_signin_page_set_store    (CpSigninPage *self,
                                        CpStore      *store);
/* Clears the password and error, keeps the username, focuses the right entry. */
void       cp_signin_page_reset        (CpSigninPage *self);
gboolean   cp_signin_page_get_busy     (CpSigninPage *self);
/* The error shown, or NULL. */
const char *cp_signin_page_get_error   (CpSigninPage *self);

G_END_DECLS
