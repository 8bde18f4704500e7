/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the benchmarks that measure in a fresh child process of their
 * own (bench-list.c, bench-glframe.c): GTK reads GSK_RENDERER once, and a
 * cold process is what is measured. */
#pragma once

#include <string.h>
#include <glib.h>

/* Runs `argv` with GSK_RENDERER set to `renderer` (unset when NULL) and
 * returns the "key=value" lines it printed; empty (and the reason on
 * stderr) when it failed. */
static inline GHashTable *
bench_run_child (const char *const *argv,
                 const char        *renderer)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  envp = renderer != NULL ? g_environ_setenv (envp, "GSK_RENDERER", renderer, TRUE)
                          : g_environ_unsetenv (envp, "GSK_RENDERER");
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_CHILD_INHERITS_STDERR, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_autofree char *name = g_path_get_basename (argv[0]);
      g_autofree char *args = g_strjoinv (" ", (char **) argv + 1);

      g_printerr ("%s %s: %s\n", name, args, error->message);
      return values;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');

      if (eq != NULL)
        g_hash_table_insert (values, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }
  return values;
}
