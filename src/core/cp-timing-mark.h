/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timing markers for the benchmarks (tests/bench-*), shared by the app, the
 * kiosk and the payment view. With CAREPAY_TRACE_TIMING set in the
 * environment each marker prints one line to stderr:
 *   carepay-timing <name> <g_get_monotonic_time() in µs>
 * and otherwise costs one cached getenv. Markers carry no patient data. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean cp_timing_enabled (void);
void     cp_timing_mark    (const char *name);

G_END_DECLS
