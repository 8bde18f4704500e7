/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `carepay` executable does not link WebKitGTK: loading it and its
 * hundred libraries costs ~100 ms and ~35 MB before main() even runs, and
 * the sign-in page and the invoice list need none of it. The payment view
 * and the kiosk (src/kiosk) are a module, libcarepay-payview.so, opened the
 * first time one of the functions below is called (a payment is taken, or
 * `carepay --kiosk` starts). Each forwards to the module's own definition.
 * The tests link src/kiosk statically and do not use this file. */
#include "config.h"

#include <gmodule.h>

#include "cp-kiosk-window.h"
#include "cp-payment-view.h"

static gpointer
resolve (const char *name)
{
  static GModule *module;
  gpointer symbol = NULL;

  if (module == NULL)
    {
      g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
      const char *path = CAREPAY_PAYVIEW_MODULE;

      /* Running from the build tree: its own module, not an installed one. */
      if (exe != NULL && g_str_has_prefix (exe, CAREPAY_BUILD_ROOT "/"))
        path = CAREPAY_BUILD_PAYVIEW_MODULE;
      module = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (module == NULL)
        g_error ("Cannot load the payment view (%s): %s", path, g_module_error ());
      g_module_make_resident (module);
    }
  if (!g_module_symbol (module, name, &symbol) || symbol == NULL)
    g_error ("The payment view module has no %s: %s", name, g_module_error ());
  return symbol;
}

#define FORWARD(ret, name, params, args)                         \
  ret name params                                                 \
  {                                                               \
    static ret (*real) params;                                    \
    if (real == NULL)                                             \
      real = resolve (#name);                                     \
    return real args;                                             \
  }

FORWARD (GType, cp_payment_view_get_type, (void), ())
FORWARD (GtkWidget *, cp_payment_view_new,
         (const char *stripe_js_url, const char *publishable_key),
         (stripe_js_url, publishable_key))
FORWARD (void, cp_payment_view_start,
         (CpPaymentView *self, const char *client_secret, const char *amount_text,
          const char *invoice_number, const char *patient_name, const char *locale),
         (self, client_secret, amount_text, invoice_number, patient_name, locale))
FORWARD (CpPaymentViewState, cp_payment_view_get_state, (CpPaymentView *self), (self))
FORWARD (const char *, cp_payment_view_get_error_message, (CpPaymentView *self), (self))
FORWARD (GType, cp_kiosk_window_get_type, (void), ())
FORWARD (CpKioskWindow *, cp_kiosk_window_new, (GtkApplication *application), (application))
FORWARD (void, cp_kiosk_window_set_store, (CpKioskWindow *self, CpStore *store), (self, store))
FORWARD (void, cp_kiosk_window_set_ledger, (CpKioskWindow *self, CpLedger *ledger), (self, ledger))
FORWARD (void, cp_kiosk_window_set_unavailable, (CpKioskWindow *self, const char *message), (self, message))
