/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The benchmarks' timing markers (src/core/cp-timing-mark.h), and one that
 * waits for a widget's next painted frame. */
#pragma once

#include <gtk/gtk.h>

#include "cp-timing-mark.h"

G_BEGIN_DECLS

/* Marks @name once, right after the next frame that paints @widget. */
void     cp_timing_mark_after_paint (GtkWidget  *widget,
                                     const char *name);

G_END_DECLS
