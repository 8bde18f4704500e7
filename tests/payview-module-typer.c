/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The WebKit half of payview-module-driver.c: opened by the driver inside
 * `carepay` once the app has loaded libcarepay-payview.so (and with it
 * WebKitGTK), it types a card into the Payment Element as the other WebKit
 * tests do (webkit-test-util.c). The module was opened with its symbols
 * kept local, so the payment view functions that the executable does not
 * forward are looked up in it here. */
#include "config.h"

#include <gmodule.h>

#include "webkit-test-util.h"

static gpointer
payview_symbol (const char *name)
{
  static GModule *module;
  gpointer symbol = NULL;

  /* The one the executable opened (same file, so the same handle). */
  if (module == NULL)
    module = g_module_open (CAREPAY_BUILD_PAYVIEW_MODULE, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_error ("Cannot open the payment view module: %s", g_module_error ());
  if (!g_module_symbol (module, name, &symbol) || symbol == NULL)
    g_error ("The payment view module has no %s", name);
  return symbol;
}

WebKitWebView *
cp_payment_view_get_web_view (CpPaymentView *self)
{
  return ((WebKitWebView *(*) (CpPaymentView *)) payview_symbol ("cp_payment_view_get_web_view")) (self);
}

gboolean
cp_payment_view_get_complete (CpPaymentView *self)
{
  return ((gboolean (*) (CpPaymentView *)) payview_symbol ("cp_payment_view_get_complete")) (self);
}

/* The dialog is a second toplevel: the X focus first, as test-app-payments. */
G_MODULE_EXPORT void payview_module_type_card (CpPaymentView *view,
                                               const char    *number);

void
payview_module_type_card (CpPaymentView *view,
                          const char    *number)
{
  test_web_type_card (view, number, TEST_WEB_CARD_FOCUS_WINDOW | TEST_WEB_CARD_BLOCKING_XDO);
  WAIT_UNTIL (cp_payment_view_get_complete (view), 30);
}
