/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cp-timing-mark.h"

#include <stdio.h>

gboolean
cp_timing_enabled (void)
{
  static gsize enabled = 0;

  if (g_once_init_enter (&enabled))
    g_once_init_leave (&enabled, g_getenv ("CAREPAY_TRACE_TIMING") != NULL ? 2 : 1);
  return enabled == 2;
}

void
cp_timing_mark (const char *name)
{
  if (!cp_timing_enabled ())
    return;
  /* One fprintf per line so markers from several threads never interleave. */
  fprintf (stderr, "carepay-timing %s %" G_GINT64_FORMAT "\n", name, g_get_monotonic_time ());
  fflush (stderr);
}
