/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Rate limiting for the kiosk's lookups, without GTK: after `max_failures`
 * wrong tries in a row, lookups are locked for `lock_period` microseconds;
 * each further lock-out doubles the period (up to 32 times the first). A
 * quiet spell of 24 hours without a wrong try forgets the growth. The clock
 * is injectable so tests can move time; it returns monotonic microseconds. */

typedef gint64 (*CpKioskGuardClock) (gpointer user_data);

#define CP_KIOSK_GUARD_DEFAULT_MAX_FAILURES 5
#define CP_KIOSK_GUARD_DEFAULT_LOCK_PERIOD  (5 * 60 * G_USEC_PER_SEC)

#define CP_TYPE_KIOSK_GUARD (cp_kiosk_guard_get_type ())
G_DECLARE_FINAL_TYPE (CpKioskGuard, cp_kiosk_guard, CP, KIOSK_GUARD, GObject)

CpKioskGuard *cp_kiosk_guard_new              (guint              max_failures,
                                               gint64             lock_period);
void          cp_kiosk_guard_set_clock        (CpKioskGuard      *self,
                                               CpKioskGuardClock  clock,
                                               gpointer           user_data);
/* TRUE while locked; *out_remaining (may be NULL) is the time left, in microseconds. */
gboolean      cp_kiosk_guard_is_locked        (CpKioskGuard      *self,
                                               gint64            *out_remaining);
/* Counts a wrong try; TRUE when it locked the guard. Ignored while locked. */
gboolean      cp_kiosk_guard_record_failure   (CpKioskGuard      *self);
/* A right try: the count of wrong tries starts again (the growth stays). */
void          cp_kiosk_guard_record_success   (CpKioskGuard      *self);
guint         cp_kiosk_guard_get_failures     (CpKioskGuard      *self);
guint         cp_kiosk_guard_get_lockouts     (CpKioskGuard      *self);
/* The period the next lock-out would last, in microseconds. */
gint64        cp_kiosk_guard_get_next_period  (CpKioskGuard      *self);

G_END_DECLS
