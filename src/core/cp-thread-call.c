/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* gettid() */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cp-thread-call.h"

typedef struct {
  CpThreadCallFlags  flags;
  CpThreadFunc       func;
  GDestroyNotify     result_free;
  gpointer           data;
  GDestroyNotify     data_free;
} Call;

static void
call_free (Call *call)
{
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_free (call);
}

static void
call_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  gpointer result;

  if ((call->flags & CP_THREAD_CALL_SKIP_CANCELLED) && g_task_return_error_if_cancelled (task))
    return;

  result = call->func (source, call->data, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else if (call->result_free == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, result, call->result_free);
}

void
cp_thread_call_run (gpointer             source,
                    gpointer             source_tag,
                    CpThreadCallFlags    flags,
                    CpThreadFunc         func,
                    GDestroyNotify       result_free,
                    gpointer             data,
                    GDestroyNotify       data_free,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  call->flags = flags;
  call->func = func;
  call->result_free = result_free;
  call->data = data;
  call->data_free = data_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_run_in_thread (task, call_thread);
}

gpointer
cp_thread_call_finish (gpointer       source,
                       GAsyncResult  *result,
                       gpointer       source_tag,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cp_thread_call_finish_boolean (gpointer       source,
                               GAsyncResult  *result,
                               gpointer       source_tag,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cp_thread_lower_priority (int nice)
{
  /* Linux gives each thread its own nice value; it cannot be raised back
   * without privileges, hence a thread of its own. */
  if (setpriority (PRIO_PROCESS, gettid (), nice) != 0)
    g_debug ("Could not lower a background thread's priority: %s", g_strerror (errno));
}
