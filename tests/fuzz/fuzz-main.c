/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A standalone driver for the fuzz targets in builds without libFuzzer:
 * runs every file of the given directories (the seed corpus and the saved
 * crashes) once through LLVMFuzzerTestOneInput, and prints TAP: a single
 * case for all inputs, each named in a comment first. A crash or failed
 * check aborts the program, which fails the test. */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

static void
collect (const char *dir_path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    {
      g_printerr ("# %s\n", error->message);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_build_filename (dir_path, name, NULL);

      if (name[0] == '.' || g_file_test (path, G_FILE_TEST_IS_DIR))
        g_free (path);
      else
        g_ptr_array_add (files, path);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (int a = 1; a < argc; a++)
    {
      if (g_str_has_prefix (argv[a], "--"))
        continue; /* --tap and friends */
      if (!g_file_test (argv[a], G_FILE_TEST_EXISTS))
        continue; /* a target with no saved crashes has no regressions */
      if (g_file_test (argv[a], G_FILE_TEST_IS_DIR))
        collect (argv[a], files);
      else
        g_ptr_array_add (files, g_strdup (argv[a]));
    }
  g_ptr_array_sort (files, compare_paths);

  LLVMFuzzerInitialize (&argc, &argv);

  /* One test case per target: the inputs are its evidence, not tests of
   * their own. Each is named first, so a crash says which one. */
  printf ("1..1\n");
  for (i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      if (!g_file_get_contents (path, &data, &length, &error))
        {
          printf ("not ok 1 - %s # %s\n", path, error->message);
          return 0;
        }
      printf ("# %s\n", path);
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const guint8 *) data, length);
    }
  printf ("ok 1 - %u inputs (seed corpus and regressions) ran without a crash or failed check\n",
          files->len);
  fflush (stdout);
  return 0;
}
