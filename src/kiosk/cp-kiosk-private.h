/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-kiosk-view.h"
#include "cp-kiosk-window.h"

G_BEGIN_DECLS

/* For the tests: a template child of the view by its id in cp-kiosk-view.ui. */
GtkWidget   *cp_kiosk_view_get_child            (CpKioskView   *self,
                                                 const char    *id);
CpKioskView *cp_kiosk_window_get_view           (CpKioskWindow *self);
GtkWindow   *cp_kiosk_window_get_countdown      (CpKioskWindow *self);
GtkWindow   *cp_kiosk_window_get_exit_dialog    (CpKioskWindow *self);
/* The exit dialog's parts, NULL while it is closed. */
void         cp_kiosk_window_get_exit_widgets   (CpKioskWindow *self,
                                                 GtkWidget    **username,
                                                 GtkWidget    **password,
                                                 GtkWidget    **leave_button,
                                                 GtkWidget    **error_label);

G_END_DECLS
