/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-store.h"

G_BEGIN_DECLS

/* Importing patients and invoices from CSV files and HL7 FHIR R4 JSON
 * (Patient and Invoice resources, alone or in a Bundle). Each file is all
 * or nothing: it is parsed and checked completely, then written in one
 * transaction; any error leaves the database as it was. Importing again
 * updates (by MRN and by invoice number), never duplicates. The accepted
 * columns and the FHIR mapping are in README.md, "Importing data". */

typedef enum {
  CP_IMPORT_FORMAT_AUTO,          /* sniffed from the name and the contents */
  CP_IMPORT_FORMAT_CSV_PATIENTS,
  CP_IMPORT_FORMAT_CSV_INVOICES,
  CP_IMPORT_FORMAT_FHIR,
} CpImportFormat;

typedef enum {
  CP_IMPORT_FLAGS_NONE = 0,
  CP_IMPORT_DRY_RUN    = 1 << 0,  /* check and count, then roll back */
} CpImportFlags;

/* Errors collected before giving up: result->errors keeps at most this many
 * lines, the last one then saying that the parser stopped. */
#define CP_IMPORT_MAX_ERRORS 50

typedef struct {
  CpImportFormat  format;            /* as used, after sniffing */
  guint           patients_created;
  guint           patients_updated;
  guint           invoices_created;
  guint           invoices_updated;
  guint           line_items;
  guint           skipped;           /* FHIR resources of other types */
  GPtrArray      *errors;            /* char *: "invoices.csv: row 7, column unit_price: ..." */
  guint           n_errors;          /* all errors found, also those not kept */
} CpImportResult;

CpImportResult *cp_import_result_new       (void);
void            cp_import_result_free      (CpImportResult *result);

const char     *cp_import_format_to_string   (CpImportFormat  format);  /* "csv-patients", ... */
gboolean        cp_import_format_from_string (const char     *text,
                                              CpImportFormat *out);

/* The format of `data` named `name`, or CP_IMPORT_FORMAT_AUTO when it cannot tell. */
CpImportFormat  cp_import_sniff            (const char      *name,
                                            const char      *data,
                                            gsize            length);

/* Imports `data`; `name` is the file name used in messages and the audit
 * log. On errors in the data: FALSE, CP_ERROR_INVALID_INPUT and every error
 * in result->errors; nothing is written. staff_id (0 for none) goes into
 * the audit entry (action "import"). */
gboolean        cp_import_data             (CpStore         *store,
                                            const char      *name,
                                            const char      *data,
                                            gsize            length,
                                            CpImportFormat   format,
                                            CpImportFlags    flags,
                                            gint64           staff_id,
                                            CpImportResult  *result,
                                            GError         **error);
gboolean        cp_import_file             (CpStore         *store,
                                            const char      *path,
                                            CpImportFormat   format,
                                            CpImportFlags    flags,
                                            gint64           staff_id,
                                            CpImportResult  *result,
                                            GError         **error);

/* cp_import_file() in a worker thread, for the app. The result (counts, or
 * the errors) is returned in *out_result whether or not it succeeded. */
void            cp_import_file_async       (CpStore             *store,
                                            const char          *path,
                                            CpImportFormat       format,
                                            CpImportFlags        flags,
                                            gint64               staff_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean        cp_import_file_finish      (CpStore             *store,
                                            GAsyncResult        *result,
                                            CpImportResult     **out_result,
                                            GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpImportResult, cp_import_result_free)

G_END_DECLS
