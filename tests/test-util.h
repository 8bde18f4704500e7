/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small helpers every kind of test uses (GLib only). */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Removes an SQLite file and the -wal and -shm files beside it. */
static inline void
test_unlink_sqlite (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

/* Removes a test's temporary directory and all below it; a symbolic link is
 * removed, never followed. */
static inline void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* SHA-256 of a file's bytes, to show it was left exactly as it was. */
static inline char *
test_file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}
