/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Damage on purpose, for the tests of what a damaged database does. */
#pragma once

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>

/* Overwrites the start of the b-tree page that holds `table`, after moving
 * everything from the write-ahead log into the main file. */
static inline void
test_damage_table (const char *path,
                   const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT rootpage FROM sqlite_master WHERE name = '%s'", table);
  int page_size = 0, root = 0;
  FILE *file;
  guchar junk[64];

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  page_size = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  root = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (root, >, 1);

  memset (junk, 0xA5, sizeof junk);
  file = fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, (long) page_size * (root - 1), SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (junk, 1, sizeof junk, file), ==, sizeof junk);
  fclose (file);
}
