/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The _async/_finish pairs of the ledger. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"

/* Async wrappers: the blocking calls in a worker thread. The client's
 * blocking requests run on a main context of their own, so the caller's
 * main context stays free. */

typedef struct {
  gint64            invoice_id;
  gint64            amount;
  CpPaymentChannel  channel;
  CpStaff          *staff;
  char             *text;
} Call;

static void
call_free (Call *call)
{
  cp_staff_free (call->staff);
  g_free (call->text);
  g_free (call);
}

static GTask *
call_task (CpLedger            *self,
           gpointer             source_tag,
           gint64               invoice_id,
           gint64               amount,
           CpPaymentChannel     channel,
           const CpStaff       *staff,
           const char          *text,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);
  call->invoice_id = invoice_id;
  call->amount = amount;
  call->channel = channel;
  call->staff = cp_ledger_staff_copy (staff);
  call->text = g_strdup (text);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  return task;
}

static void
begin_payment_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  CpPaymentAttempt *attempt;

  attempt = cp_ledger_begin_payment (source, call->invoice_id, call->amount, call->channel, call->staff,
                                     cancellable, &error);
  if (attempt == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, attempt, (GDestroyNotify) cp_payment_attempt_free);
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
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_begin_payment_async, invoice_id, amount, channel, staff, NULL,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, begin_payment_thread);
}

CpPaymentAttempt *
cp_ledger_begin_payment_finish (CpLedger      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
complete_payment_thread (GTask        *task,
                         gpointer      source,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  CpPayment *payment = cp_ledger_complete_payment (source, call->text, cancellable, &error);

  if (payment == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, payment, (GDestroyNotify) cp_payment_free);
}

void
cp_ledger_complete_payment_async (CpLedger            *self,
                                  const char          *payment_intent_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_complete_payment_async, 0, 0, 0, NULL, payment_intent_id,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, complete_payment_thread);
}

CpPayment *
cp_ledger_complete_payment_finish (CpLedger      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cancel_payment_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;

  if (!cp_ledger_cancel_payment (source, call->text, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cp_ledger_cancel_payment_async (CpLedger            *self,
                                const char          *payment_intent_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_cancel_payment_async, 0, 0, 0, NULL, payment_intent_id,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, cancel_payment_thread);
}

gboolean
cp_ledger_cancel_payment_finish (CpLedger      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
refund_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  GPtrArray *refunds = cp_ledger_refund (source, call->invoice_id, call->amount, call->text, call->staff,
                                         cancellable, &error);

  if (refunds == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, refunds, (GDestroyNotify) g_ptr_array_unref);
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
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_refund_async, invoice_id, amount, 0, staff, reason,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, refund_thread);
}

GPtrArray *
cp_ledger_refund_finish (CpLedger      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
create_link_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  CpPaymentLinkInfo *info = cp_ledger_create_link (source, call->invoice_id, call->staff, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) cp_payment_link_info_free);
}

void
cp_ledger_create_link_async (CpLedger            *self,
                             gint64               invoice_id,
                             const CpStaff       *staff,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_create_link_async, invoice_id, 0, 0, staff, NULL,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, create_link_thread);
}

CpPaymentLinkInfo *
cp_ledger_create_link_finish (CpLedger      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
void_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;

  if (!cp_ledger_void_invoice (source, call->invoice_id, call->staff, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cp_ledger_void_invoice_async (CpLedger            *self,
                              gint64               invoice_id,
                              const CpStaff       *staff,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  task = call_task (self, cp_ledger_void_invoice_async, invoice_id, 0, 0, staff, NULL,
                    cancellable, callback, user_data);
  g_task_run_in_thread (task, void_thread);
}

gboolean
cp_ledger_void_invoice_finish (CpLedger      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
