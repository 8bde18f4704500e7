/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-import.h"

G_BEGIN_DECLS

/* What a parser makes of a file: records to write, and the errors found.
 * Invoices carry a patient with only the MRN set; cp-import.c resolves it. */
typedef struct {
  char      *where;       /* "invoices.csv: row 7 (invoice INV-1)", for errors while writing */
  char      *mrn_where;   /* where the patient reference is: "...row 7, column mrn" */
  CpInvoice *invoice;
} CpImportInvoice;

/* Patient fields a file does not have (a CSV without the column): an
 * update keeps what the database holds for them. */
typedef enum {
  CP_IMPORT_KEEP_DATE_OF_BIRTH = 1 << 0,
  CP_IMPORT_KEEP_EMAIL         = 1 << 1,
  CP_IMPORT_KEEP_PHONE         = 1 << 2,
  CP_IMPORT_KEEP_ADDRESS       = 1 << 3,
  CP_IMPORT_KEEP_LANGUAGE      = 1 << 4,
} CpImportKeep;

typedef struct {
  char            *name;       /* file base name */
  CpImportKeep     patient_keep;
  GPtrArray       *patients;   /* CpPatient */
  GPtrArray       *invoices;   /* CpImportInvoice */
  CpImportResult  *result;
  char            *today;
} CpImportBatch;

/* Adds "<name>: <message>" to the batch's errors. */
void     cp_import_error        (CpImportBatch *batch,
                                 const char    *format,
                                 ...) G_GNUC_PRINTF (2, 3);
gboolean cp_import_has_errors   (CpImportBatch *batch);
/* TRUE once enough errors were found to stop looking. */
gboolean cp_import_error_limit  (CpImportBatch *batch);

void     cp_import_invoice_add  (CpImportBatch *batch,
                                 CpInvoice     *invoice,    /* taken */
                                 const char    *where,
                                 const char    *mrn_where);

/* Shared checks. NULL when fine, else the reason (for people). */
char    *cp_import_check_date   (const char    *text,
                                 gboolean       not_after_today,
                                 const char    *today);
char    *cp_import_check_language (const char  *text,
                                   char       **out_normalized);
char    *cp_import_check_email  (const char    *text);
/* issue + days as YYYY-MM-DD. */
char    *cp_import_add_days     (const char    *date,
                                 int            days);

#define CP_IMPORT_DEFAULT_TERMS_DAYS 30

void     cp_import_parse_csv_patients (CpImportBatch *batch, const char *data, gsize length);
void     cp_import_parse_csv_invoices (CpImportBatch *batch, const char *data, gsize length);
void     cp_import_parse_fhir         (CpImportBatch *batch, const char *data, gsize length);

G_END_DECLS
