/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One blocking call in a worker thread: the runner behind the core's
 * _async/_finish pairs (store, ledger, export). Each pair gives the call as
 * a thunk, the data it reads (copied, freed with the task) and how its
 * result is freed (none: the call returns a boolean). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Returns the result, or NULL with `error` set; a boolean call returns any
 * non-NULL pointer for TRUE. */
typedef gpointer (*CpThreadFunc) (gpointer       source,
                                  gpointer       data,
                                  GCancellable  *cancellable,
                                  GError       **error);

typedef enum {
  CP_THREAD_CALL_DEFAULT        = 0,
  /* Not called at all when `cancellable` is cancelled before the thread runs */
  CP_THREAD_CALL_SKIP_CANCELLED = 1 << 0,
} CpThreadCallFlags;

/* Runs `func` (source, data) in a worker thread; `callback` gets the result
 * on the calling thread's main context. Takes `data`, freed by `data_free`. */
void     cp_thread_call_run            (gpointer source, gpointer source_tag, CpThreadCallFlags flags,
                                        CpThreadFunc func, GDestroyNotify result_free,
                                        gpointer data, GDestroyNotify data_free, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
/* The result of a call with a `result_free`, the caller's to free. */
gpointer cp_thread_call_finish         (gpointer source, GAsyncResult *result, gpointer source_tag,
                                        GError **error);
/* The result of a call without one. */
gboolean cp_thread_call_finish_boolean (gpointer source, GAsyncResult *result, gpointer source_tag,
                                        GError **error);

/* Puts the calling thread behind the others (`nice`, 1 to 19) for the rest
 * of its life: for a thread of its own doing background work, never a
 * pool's. */
void     cp_thread_lower_priority      (int nice);

G_END_DECLS
