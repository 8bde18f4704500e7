/* SPDX-License-Identifier: GPL-3.0-or-later */

/* CpKioskGuard: the kiosk's lookup rate limit, with a fake clock. */

#include "config.h"

#include "cp-kiosk-guard.h"

#define MINUTE ((gint64) 60 * G_USEC_PER_SEC)

static gint64 fake_now;

static gint64
fake_clock (gpointer user_data)
{
  return fake_now;
}

static CpKioskGuard *
guard_new (void)
{
  CpKioskGuard *guard = cp_kiosk_guard_new (5, 5 * MINUTE);

  fake_now = 1000 * MINUTE;
  cp_kiosk_guard_set_clock (guard, fake_clock, NULL);
  return guard;
}

static void
fail (CpKioskGuard *guard,
      guint         n)
{
  for (guint i = 0; i < n; i++)
    cp_kiosk_guard_record_failure (guard);
}

static void
test_lock_after_n (void)
{
  g_autoptr(CpKioskGuard) guard = guard_new ();
  gint64 remaining = -1;

  for (guint i = 1; i < 5; i++)
    {
      g_assert_false (cp_kiosk_guard_record_failure (guard));
      g_assert_cmpuint (cp_kiosk_guard_get_failures (guard), ==, i);
      g_assert_false (cp_kiosk_guard_is_locked (guard, &remaining));
      g_assert_cmpint (remaining, ==, 0);
    }
  g_assert_true (cp_kiosk_guard_record_failure (guard));
  g_assert_true (cp_kiosk_guard_is_locked (guard, &remaining));
  g_assert_cmpint (remaining, ==, 5 * MINUTE);
  g_assert_cmpuint (cp_kiosk_guard_get_lockouts (guard), ==, 1);

  /* Tries while locked count for nothing and do not extend the lock. */
  fake_now += MINUTE;
  g_assert_false (cp_kiosk_guard_record_failure (guard));
  g_assert_true (cp_kiosk_guard_is_locked (guard, &remaining));
  g_assert_cmpint (remaining, ==, 4 * MINUTE);
}

static void
test_unlock_after_time (void)
{
  g_autoptr(CpKioskGuard) guard = guard_new ();

  fail (guard, 5);
  g_assert_true (cp_kiosk_guard_is_locked (guard, NULL));
  fake_now += 5 * MINUTE - 1;
  g_assert_true (cp_kiosk_guard_is_locked (guard, NULL));
  fake_now += 1;
  g_assert_false (cp_kiosk_guard_is_locked (guard, NULL));
  /* A fresh count of tries after the lock. */
  g_assert_cmpuint (cp_kiosk_guard_get_failures (guard), ==, 0);
  fail (guard, 4);
  g_assert_false (cp_kiosk_guard_is_locked (guard, NULL));
}

static void
test_growth (void)
{
  g_autoptr(CpKioskGuard) guard = guard_new ();
  gint64 remaining = 0;
  gint64 expected[] = { 5 * MINUTE, 10 * MINUTE, 20 * MINUTE, 40 * MINUTE, 80 * MINUTE,
                        160 * MINUTE, 160 * MINUTE };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpint (cp_kiosk_guard_get_next_period (guard), ==, expected[i]);
      fail (guard, 4);
      g_assert_false (cp_kiosk_guard_is_locked (guard, NULL));
      g_assert_true (cp_kiosk_guard_record_failure (guard));
      g_assert_true (cp_kiosk_guard_is_locked (guard, &remaining));
      g_assert_cmpint (remaining, ==, expected[i]);
      fake_now += remaining;
      g_assert_false (cp_kiosk_guard_is_locked (guard, NULL));
    }

  /* A quiet day forgets the growth. */
  fake_now += 24 * 60 * MINUTE;
  g_assert_cmpuint (cp_kiosk_guard_get_lockouts (guard), ==, 0);
  fail (guard, 5);
  g_assert_true (cp_kiosk_guard_is_locked (guard, &remaining));
  g_assert_cmpint (remaining, ==, 5 * MINUTE);
}

static void
test_success_resets_count (void)
{
  g_autoptr(CpKioskGuard) guard = guard_new ();

  fail (guard, 4);
  cp_kiosk_guard_record_success (guard);
  g_assert_cmpuint (cp_kiosk_guard_get_failures (guard), ==, 0);
  fail (guard, 4);
  g_assert_false (cp_kiosk_guard_is_locked (guard, NULL));
  fail (guard, 1);
  g_assert_true (cp_kiosk_guard_is_locked (guard, NULL));
  /* A success while locked (it cannot happen through the kiosk) changes nothing. */
  cp_kiosk_guard_record_success (guard);
  g_assert_true (cp_kiosk_guard_is_locked (guard, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/kiosk-guard/lock-after-n", test_lock_after_n);
  g_test_add_func ("/carepay/kiosk-guard/unlock-after-time", test_unlock_after_time);
  g_test_add_func ("/carepay/kiosk-guard/growth", test_growth);
  g_test_add_func ("/carepay/kiosk-guard/success-resets-count", test_success_resets_count);

  return g_test_run ();
}
