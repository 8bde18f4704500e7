/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-kiosk-guard.h"

#define MAX_GROWTH   32
#define QUIET_PERIOD ((gint64) 24 * 60 * 60 * G_USEC_PER_SEC)

struct _CpKioskGuard
{
  GObject            parent_instance;

  guint              max_failures;
  gint64             lock_period;
  CpKioskGuardClock  clock;
  gpointer           clock_data;

  guint              failures;      /* wrong tries since the last lock or success */
  guint              lockouts;      /* lock-outs since the last quiet spell */
  gint64             locked_until;  /* 0: not locked */
  gint64             last_failure;
};

G_DEFINE_FINAL_TYPE (CpKioskGuard, cp_kiosk_guard, G_TYPE_OBJECT)

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gint64
now (CpKioskGuard *self)
{
  return self->clock (self->clock_data);
}

static void
cp_kiosk_guard_class_init (CpKioskGuardClass *klass)
{
}

static void
cp_kiosk_guard_init (CpKioskGuard *self)
{
  self->max_failures = CP_KIOSK_GUARD_DEFAULT_MAX_FAILURES;
  self->lock_period = CP_KIOSK_GUARD_DEFAULT_LOCK_PERIOD;
  self->clock = default_clock;
}

CpKioskGuard *
cp_kiosk_guard_new (guint  max_failures,
                    gint64 lock_period)
{
  CpKioskGuard *self;

  g_return_val_if_fail (max_failures > 0, NULL);
  g_return_val_if_fail (lock_period > 0, NULL);

  self = g_object_new (CP_TYPE_KIOSK_GUARD, NULL);
  self->max_failures = max_failures;
  self->lock_period = lock_period;
  return self;
}

void
cp_kiosk_guard_set_clock (CpKioskGuard      *self,
                          CpKioskGuardClock  clock,
                          gpointer           user_data)
{
  g_return_if_fail (CP_IS_KIOSK_GUARD (self));

  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
}

/* Ends an expired lock and forgets the growth after a quiet spell. */
static void
update (CpKioskGuard *self,
        gint64        t)
{
  if (self->locked_until != 0 && t >= self->locked_until)
    {
      self->locked_until = 0;
      self->failures = 0;
    }
  if (self->locked_until == 0 && self->last_failure != 0 && t - self->last_failure >= QUIET_PERIOD)
    {
      self->lockouts = 0;
      self->failures = 0;
      self->last_failure = 0;
    }
}

gint64
cp_kiosk_guard_get_next_period (CpKioskGuard *self)
{
  guint growth;

  g_return_val_if_fail (CP_IS_KIOSK_GUARD (self), 0);

  growth = 1u << MIN (self->lockouts, 5u);
  return self->lock_period * MIN (growth, (guint) MAX_GROWTH);
}

gboolean
cp_kiosk_guard_is_locked (CpKioskGuard *self,
                          gint64       *out_remaining)
{
  gint64 t;

  g_return_val_if_fail (CP_IS_KIOSK_GUARD (self), FALSE);

  t = now (self);
  update (self, t);
  if (out_remaining != NULL)
    *out_remaining = self->locked_until != 0 ? self->locked_until - t : 0;
  return self->locked_until != 0;
}

gboolean
cp_kiosk_guard_record_failure (CpKioskGuard *self)
{
  gint64 t;

  g_return_val_if_fail (CP_IS_KIOSK_GUARD (self), FALSE);

  t = now (self);
  update (self, t);
  if (self->locked_until != 0)
    return FALSE;

  self->last_failure = t;
  self->failures++;
  if (self->failures < self->max_failures)
    return FALSE;

  self->locked_until = t + cp_kiosk_guard_get_next_period (self);
  self->lockouts++;
  self->failures = 0;
  return TRUE;
}

void
cp_kiosk_guard_record_success (CpKioskGuard *self)
{
  g_return_if_fail (CP_IS_KIOSK_GUARD (self));

  update (self, now (self));
  if (self->locked_until == 0)
    self->failures = 0;
}

guint
cp_kiosk_guard_get_failures (CpKioskGuard *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_GUARD (self), 0);

  update (self, now (self));
  return self->failures;
}

guint
cp_kiosk_guard_get_lockouts (CpKioskGuard *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_GUARD (self), 0);

  update (self, now (self));
  return self->lockouts;
}
