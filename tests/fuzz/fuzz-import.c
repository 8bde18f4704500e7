/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CSV and FHIR importers on arbitrary files. Input: a first line with
 * the file name, or a format name (auto, csv-patients, csv-invoices, fhir),
 * then the file's bytes. Every input is imported as a dry run into a real
 * SQLite store in a temporary directory (holding three patients, so
 * invoices can refer to them): it must be accepted or refused with
 * CP_ERROR_INVALID_INPUT and readable, counted errors, never crash. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-error.h"
#include "cp-import.h"
#include "cp-sqlite-store.h"
#include "fuzz-common.h"

static CpSqliteStore *store;
static char *tmpdir;
static char *db_path;

static const char patients_csv[] =
  "mrn,given_name,family_name,date_of_birth,email,phone,address,preferred_language\n"
  "MRN-1001,Ana,García,1984-02-29,ana@example.org,+1 555 0100,\"12 Oak St\",es-MX\n"
  "MRN-1002,James,O'Brien,1950-12-01,,,,en\n"
  "MRN-1003,Li,Wei,,li.wei@example.com,555-0199,,\n";

static void
remove_store (void)
{
  g_clear_object (&store);
  if (db_path != NULL)
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (db_path);
      g_rmdir (tmpdir);
    }
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmpdir, g_free);
}

static void
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpImportResult) result = cp_import_result_new ();

  g_setenv ("CAREPAY_TODAY", "2026-06-01", TRUE);
  tmpdir = g_dir_make_tmp ("carepay-fuzz-import-XXXXXX", &error);
  FUZZ_CHECK (tmpdir != NULL, "no temporary directory: %s", error->message);
  db_path = g_build_filename (tmpdir, "carepay.db", NULL);
  store = cp_sqlite_store_open (db_path, CP_SQLITE_OPEN_CREATE, &error);
  FUZZ_CHECK (store != NULL, "cannot open the store: %s", error->message);
  FUZZ_CHECK (cp_import_data (CP_STORE (store), "patients.csv", patients_csv, strlen (patients_csv),
                              CP_IMPORT_FORMAT_CSV_PATIENTS, CP_IMPORT_FLAGS_NONE, 0, result, &error),
              "the seed patients do not import: %s", error->message);
  atexit (remove_store);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize lengths[2];
  g_auto(GStrv) fields = fuzz_split_fields (data, size, 2, lengths);
  const char *name = fields[0];
  CpImportFormat format = CP_IMPORT_FORMAT_AUTO;
  g_autoptr(CpImportResult) result = cp_import_result_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (store == NULL)
    open_store ();

  if (cp_import_format_from_string (name, &format))
    name = "fuzz";
  else if (!g_utf8_validate (name, -1, NULL) || *name == '\0')
    name = "fuzz";
  (void) cp_import_sniff (name, fields[1], lengths[1]);

  ok = cp_import_data (CP_STORE (store), name, fields[1], lengths[1], format,
                       CP_IMPORT_DRY_RUN, 0, result, &error);
  if (g_getenv ("FUZZ_VERBOSE") != NULL)
    {
      g_printerr ("%s: %s, %u errors, %u kept\n", name, ok ? "accepted" : error->message,
                  result->n_errors, result->errors->len);
      for (guint i = 0; i < result->errors->len; i++)
        g_printerr ("  %s\n", (const char *) g_ptr_array_index (result->errors, i));
    }
  FUZZ_CHECK (ok == (error == NULL), "result and error disagree");
  FUZZ_CHECK (result->errors != NULL, "no error list");
  FUZZ_CHECK (result->errors->len <= CP_IMPORT_MAX_ERRORS, "%u errors kept", result->errors->len);
  FUZZ_CHECK (result->n_errors >= result->errors->len, "%u errors counted, %u kept",
              result->n_errors, result->errors->len);
  for (guint i = 0; i < result->errors->len; i++)
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (result->errors, i), -1, NULL),
                "error %u is not UTF-8", i);
  if (ok)
    FUZZ_CHECK (result->n_errors == 0, "accepted with %u errors", result->n_errors);
  else
    {
      FUZZ_CHECK (error->domain == CP_ERROR, "error outside CP_ERROR: %s", error->message);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "message is not UTF-8");
      /* (a file whose format cannot be told is refused with no row errors) */
    }
  return 0;
}
