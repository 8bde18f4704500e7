/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's timing markers for tests/bench-kiosk, in the app's format
 * (src/app/cp-timing.h): with CAREPAY_TRACE_TIMING set, one line on stderr
 *   carepay-timing <name> <g_get_monotonic_time() in µs>
 * A copy rather than a link: this library is linked by the app library, not
 * the other way round. Markers carry no patient data. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

static inline void
cp_kiosk_timing_mark (const char *name)
{
  static gsize enabled = 0;

  if (g_once_init_enter (&enabled))
    g_once_init_leave (&enabled, g_getenv ("CAREPAY_TRACE_TIMING") != NULL ? 2 : 1);
  if (enabled != 2)
    return;
  fprintf (stderr, "carepay-timing %s %" G_GINT64_FORMAT "\n", name, g_get_monotonic_time ());
  fflush (stderr);
}

G_END_DECLS
