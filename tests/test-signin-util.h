/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Signing in to a staff window in the app tests, as a person at the sign-in
 * page would (tests/test-app-*.c and others that need the main page). The
 * keyboard and accessibility tests drive the page by keys instead. */
#pragma once

#include "cp-invoice-list.h"
#include "cp-window.h"
#include "test-app-util.h"

/* Types `username` and `password` into the window's sign-in page and signs
 * in (the Sign In button's action: the button itself would wait for its
 * press animation). */
static inline void
test_sign_in_submit (CpWindow   *window,
                     const char *username,
                     const char *password)
{
  GtkWidget *page = GTK_WIDGET (cp_window_get_signin_page (window));
  GtkWidget *user_entry = find_widget (page, GTK_TYPE_ENTRY, NULL, NULL);
  GtkWidget *pass_entry = find_widget (page, GTK_TYPE_PASSWORD_ENTRY, NULL, NULL);
  GtkWidget *button = find_action_button (page, "signin.submit");

  g_assert_nonnull (user_entry);
  g_assert_nonnull (pass_entry);
  g_assert_nonnull (button);
  gtk_editable_set_text (GTK_EDITABLE (user_entry), username);
  gtk_editable_set_text (GTK_EDITABLE (pass_entry), password);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate_action (page, "signin.submit", NULL));
}

/* Waits for the main page, then for the list to be loaded. */
static inline void
test_sign_in_wait (CpWindow *window)
{
  CpInvoiceList *list = cp_window_get_invoice_list (window);

  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_strcmp0 (cp_invoice_list_get_state (list), "loading") != 0, 30);
}

/* Signs in as a demo account (its password is its name) and waits for the
 * main page with its list. */
static inline void
test_sign_in (CpWindow   *window,
              const char *username)
{
  test_sign_in_submit (window, username, username);
  test_sign_in_wait (window);
}
