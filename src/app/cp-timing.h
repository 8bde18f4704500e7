/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timing markers for the benchmarks (tests/bench-*). With CAREPAY_TRACE_TIMING
 * set in the environment each marker prints one line to stderr:
 *   carepay-timing <name> <g_get_monotonic_time() in µs>
 * and otherwise costs one cached getenv. Markers carry no patient data. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean cp_timing_enabled          (void);
void     cp_timing_mark             (const char *name);
/* Marks @name once, right after the next frame that paints @widget. */
void     cp_timing_mark_after_paint (GtkWidget  *widget,
                                     const char *name);

G_END_DECLS
