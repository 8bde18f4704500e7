/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared helpers of the tests that drive the Payment Element in a real
 * window under Xvfb (test-payment-view, test-kiosk, test-app-payments):
 * X pointer and key events with xdotool, and typing a card as a person does. */
#pragma once

#include <gtk/gtk.h>
#include <webkit/webkit.h>

#include "cp-payment-view.h"

G_BEGIN_DECLS

typedef enum {
  TEST_WEB_CARD_DEFAULT      = 0,
  /* Only the number: the other fields are still filled in from before. */
  TEST_WEB_CARD_NUMBER_ONLY  = 1 << 0,
  /* The view is in a second toplevel (a dialog): give it the X focus first. */
  TEST_WEB_CARD_FOCUS_WINDOW = 1 << 1,
  /* xdotool runs while our main loop waits, its events taken afterwards (how
   * the staff app's dialog tests were written; steadier there). */
  TEST_WEB_CARD_BLOCKING_XDO = 1 << 2,
} TestWebCardFlags;

/* Runs the main loop until `cond` holds; the limit only stops a hung test. */
#define WAIT_UNTIL(cond, seconds)                                             \
  G_STMT_START {                                                              \
    gint64 end_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;       \
    guint tick_ = g_timeout_add (20, test_web_tick, NULL);                    \
    while (!(cond) && g_get_monotonic_time () < end_)                         \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (tick_);                                                  \
    if (!(cond))                                                              \
      g_error ("Timed out waiting for %s", #cond);                            \
  } G_STMT_END

/* A timeout that only wakes the main loop up (for WAIT_UNTIL). */
gboolean        test_web_tick       (gpointer       data);
/* Runs the main loop for `ms` milliseconds. */
void            test_web_spin       (guint          ms);
/* Runs xdotool with the arguments (NULL-terminated) while our main loop
 * keeps running, so GTK and WebKit take each event as it comes. */
void            test_web_xdo        (const char    *first,
                                     ...) G_GNUC_NULL_TERMINATED;
/* The X id of the widget's toplevel, as a string for xdotool. */
char           *test_web_window_xid (GtkWidget     *widget);
/* Moves the X pointer to the widget's point (x, y) and clicks `button`. */
void            test_web_click      (GtkWidget     *widget,
                                     double         x,
                                     double         y,
                                     const char    *button);
/* Clicks the view's native Pay button (payment.submit) with the X pointer,
 * the way the patient does, once it is sensitive. */
void            test_web_click_pay  (CpPaymentView *view);
/* With CAREPAY_SCREENSHOT_DIR set, saves the widget's window there as
 * `name`, as the X server shows it (WebKit draws outside GSK's snapshot, so
 * ImageMagick's `import` reads the real pixels). */
void            test_web_import_window (GtkWidget  *widget,
                                        const char *name);
/* Runs a script in the page's main world and returns its value. */
JSCValue       *test_web_run_js     (WebKitWebView *web_view,
                                     const char    *script);
/* The Payment Element's card frame in the page, in CSS pixels. */
graphene_rect_t test_web_card_frame (WebKitWebView *web_view);
/* Whether the card form is complete within `seconds`. */
gboolean        test_web_wait_complete (CpPaymentView *view,
                                        guint          seconds);
/* Types a card as a person does: waits for the element to settle (fonts and
 * tabs move it after it says ready, and keys typed meanwhile land outside the
 * field), clicks into the card number field, empties each field before
 * typing, and types once more if the card was not complete. */
void            test_web_type_card  (CpPaymentView    *view,
                                     const char       *number,
                                     TestWebCardFlags  flags);

G_END_DECLS
