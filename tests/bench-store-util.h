/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the benchmarks on a seeded store (bench-report.c, bench-totals.c):
 * this process's CPU time, and the store they measure. */
#pragma once

#include <stdlib.h>
#include <time.h>
#include <glib/gstdio.h>

#include "cp-seed.h"
#include "cp-sqlite-store.h"

/* CPU ms this process has used (the machine may be shared, wall time lies). */
static inline double
bench_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct {
  char          *dir;     /* the temporary folder; NULL for CAREPAY_BENCH_DB */
  char          *path;
  CpSqliteStore *store;
} BenchStore;

/* CAREPAY_BENCH_DB, a seeded file reused as it is; else a new file in a
 * temporary folder "carepay-bench-<name>-XXXXXX", seeded by cp_seed_demo()
 * with CAREPAY_BENCH_INVOICES invoices (100,000 by default) as of `today`. */
static inline void
bench_store_open (BenchStore *bench,
                  const char *name,
                  const char *today)
{
  const char *reuse = g_getenv ("CAREPAY_BENCH_DB");
  const char *size = g_getenv ("CAREPAY_BENCH_INVOICES");
  guint n = size != NULL ? (guint) atoi (size) : 100000;
  g_autoptr(GError) error = NULL;

  if (reuse != NULL)
    bench->path = g_strdup (reuse);
  else
    {
      g_autofree char *template = g_strdup_printf ("carepay-bench-%s-XXXXXX", name);

      bench->dir = g_dir_make_tmp (template, &error);
      g_assert_no_error (error);
      bench->path = g_build_filename (bench->dir, "carepay.db", NULL);
    }
  bench->store = cp_sqlite_store_open (bench->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  if (reuse == NULL && !cp_seed_demo (CP_STORE (bench->store), n, 42, today, &error))
    g_error ("%s", error->message);
}

/* Closes the store; a temporary one goes, with its folder. */
static inline void
bench_store_close (BenchStore *bench)
{
  g_clear_object (&bench->store);
  if (bench->dir != NULL)
    {
      g_autofree char *wal = g_strconcat (bench->path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (bench->path, "-shm", NULL);

      g_unlink (bench->path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (bench->dir);
    }
  g_clear_pointer (&bench->dir, g_free);
  g_clear_pointer (&bench->path, g_free);
}
