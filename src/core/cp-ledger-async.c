/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The _async/_finish pairs of the ledger. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"
#include "cp-thread-call.h"

/* Async wrappers: the blocking calls in a worker thread (cp-thread-call.c).
 * The client's blocking requests run on a main context of their own, so the
 * caller's main context stays free. Every wrapper is one Call, the copied
 * arguments of the blocking call that its thunk makes. */

typedef struct _Call Call;

/* The thunk: the blocking call made with the Call's arguments. */
typedef gpointer (*CallFunc) (CpLedger      *self,
                              const Call    *call,
                              GCancellable  *cancellable,
                              GError       **error);

struct _Call {
  gint64            invoice_id;
  gint64            amount;
  CpPaymentChannel  channel;
  CpStaff          *staff;
  char             *text;
};

static void
call_free (Call *call)
{
  cp_staff_free (call->staff);
  g_free (call->text);
  g_free (call);
}

static void
call_run (CpLedger            *self,
          gpointer             source_tag,
          CallFunc             func,
          GDestroyNotify       result_free,
          gint64               invoice_id,
          gint64               amount,
          CpPaymentChannel     channel,
          const CpStaff       *staff,
          const char          *text,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  Call *call = g_new0 (Call, 1);

  call->invoice_id = invoice_id;
  call->amount = amount;
  call->channel = channel;
  call->staff = cp_staff_copy (staff);
  call->text = g_strdup (text);
  cp_thread_call_run (self, source_tag, CP_THREAD_CALL_DEFAULT, (CpThreadFunc) func, result_free,
                      call, (GDestroyNotify) call_free, cancellable, callback, user_data);
}

/* The thunks: one line each from a Call to the blocking call. */

static gpointer
begin_payment_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_begin_payment (self, call->invoice_id, call->amount, call->channel, call->staff,
                                  cancellable, error);
}

static gpointer
complete_payment_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_complete_payment (self, call->text, cancellable, error);
}

static gpointer
cancel_payment_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_cancel_payment (self, call->text, cancellable, error) ? self : NULL;
}

static gpointer
refund_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_refund (self, call->invoice_id, call->amount, call->text, call->staff, cancellable, error);
}

static gpointer
create_link_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_create_link (self, call->invoice_id, call->staff, cancellable, error);
}

static gpointer
void_invoice_func (CpLedger *self, const Call *call, GCancellable *cancellable, GError **error)
{
  return cp_ledger_void_invoice (self, call->invoice_id, call->staff, cancellable, error) ? self : NULL;
}

void
cp_ledger_begin_payment_async (CpLedger            *self,
                               gint64               invoice_id,
                               gint64               amount,
                               CpPaymentChannel     channel,
                               const CpStaff       *staff,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_begin_payment_async, begin_payment_func, (GDestroyNotify) cp_payment_attempt_free,
            invoice_id, amount, channel, staff, NULL, cancellable, callback, user_data);
}

CpPaymentAttempt *
cp_ledger_begin_payment_finish (CpLedger      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return cp_thread_call_finish (self, result, cp_ledger_begin_payment_async, error);
}

void
cp_ledger_complete_payment_async (CpLedger            *self,
                                  const char          *payment_intent_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_complete_payment_async, complete_payment_func, (GDestroyNotify) cp_payment_free,
            0, 0, 0, NULL, payment_intent_id, cancellable, callback, user_data);
}

CpPayment *
cp_ledger_complete_payment_finish (CpLedger      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return cp_thread_call_finish (self, result, cp_ledger_complete_payment_async, error);
}

void
cp_ledger_cancel_payment_async (CpLedger            *self,
                                const char          *payment_intent_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_cancel_payment_async, cancel_payment_func, NULL,
            0, 0, 0, NULL, payment_intent_id, cancellable, callback, user_data);
}

gboolean
cp_ledger_cancel_payment_finish (CpLedger      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return cp_thread_call_finish_boolean (self, result, cp_ledger_cancel_payment_async, error);
}

void
cp_ledger_refund_async (CpLedger            *self,
                        gint64               invoice_id,
                        gint64               amount,
                        const char          *reason,
                        const CpStaff       *staff,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_refund_async, refund_func, (GDestroyNotify) g_ptr_array_unref,
            invoice_id, amount, 0, staff, reason, cancellable, callback, user_data);
}

GPtrArray *
cp_ledger_refund_finish (CpLedger      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return cp_thread_call_finish (self, result, cp_ledger_refund_async, error);
}

void
cp_ledger_create_link_async (CpLedger            *self,
                             gint64               invoice_id,
                             const CpStaff       *staff,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_create_link_async, create_link_func, (GDestroyNotify) cp_payment_link_info_free,
            invoice_id, 0, 0, staff, NULL, cancellable, callback, user_data);
}

CpPaymentLinkInfo *
cp_ledger_create_link_finish (CpLedger      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return cp_thread_call_finish (self, result, cp_ledger_create_link_async, error);
}

void
cp_ledger_void_invoice_async (CpLedger            *self,
                              gint64               invoice_id,
                              const CpStaff       *staff,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  call_run (self, cp_ledger_void_invoice_async, void_invoice_func, NULL,
            invoice_id, 0, 0, staff, NULL, cancellable, callback, user_data);
}

gboolean
cp_ledger_void_invoice_finish (CpLedger      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return cp_thread_call_finish_boolean (self, result, cp_ledger_void_invoice_async, error);
}
