/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Importing: the parsers (cp-import-csv.c, cp-import-fhir.c) turn a file
 * into a batch of patients and invoices and collect every error they find;
 * this file writes a clean batch in one transaction, upserting by MRN and
 * invoice number, and logs the import in the audit log. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-import-private.h"

CpImportResult *
cp_import_result_new (void)
{
  CpImportResult *result = g_new0 (CpImportResult, 1);

  result->errors = g_ptr_array_new_with_free_func (g_free);
  return result;
}

void
cp_import_result_free (CpImportResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->errors);
  g_free (result);
}

static void
result_reset (CpImportResult *result)
{
  g_ptr_array_set_size (result->errors, 0);
  result->n_errors = 0;
  result->patients_created = result->patients_updated = 0;
  result->invoices_created = result->invoices_updated = 0;
  result->line_items = result->skipped = 0;
}

static const char *const format_names[] = {
  [CP_IMPORT_FORMAT_AUTO] = "auto",
  [CP_IMPORT_FORMAT_CSV_PATIENTS] = "csv-patients",
  [CP_IMPORT_FORMAT_CSV_INVOICES] = "csv-invoices",
  [CP_IMPORT_FORMAT_FHIR] = "fhir",
};

const char *
cp_import_format_to_string (CpImportFormat format)
{
  g_return_val_if_fail (format <= CP_IMPORT_FORMAT_FHIR, NULL);
  return format_names[format];
}

gboolean
cp_import_format_from_string (const char     *text,
                              CpImportFormat *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_strcmp0 (text, format_names[i]) == 0)
      {
        *out = (CpImportFormat) i;
        return TRUE;
      }
  return FALSE;
}

/* Batch */

void
cp_import_error (CpImportBatch *batch,
                 const char    *format,
                 ...)
{
  va_list args;

  batch->result->n_errors++;
  if (batch->result->errors->len >= CP_IMPORT_MAX_ERRORS)
    return;

  va_start (args, format);
  {
    g_autofree char *message = g_strdup_vprintf (format, args);
    /* Values quoted from the file are UTF-8 already; this is a safety net */
    g_autofree char *valid = g_utf8_make_valid (message, -1);

    g_ptr_array_add (batch->result->errors, g_strdup_printf ("%s: %s", batch->name, valid));
  }
  va_end (args);
}

gboolean
cp_import_has_errors (CpImportBatch *batch)
{
  return batch->result->n_errors > 0;
}

gboolean
cp_import_error_limit (CpImportBatch *batch)
{
  return batch->result->n_errors >= CP_IMPORT_MAX_ERRORS;
}

static void
import_invoice_free (CpImportInvoice *item)
{
  g_free (item->where);
  g_free (item->mrn_where);
  cp_invoice_free (item->invoice);
  g_free (item);
}

void
cp_import_invoice_add (CpImportBatch *batch,
                       CpInvoice     *invoice,
                       const char    *where,
                       const char    *mrn_where)
{
  CpImportInvoice *item = g_new0 (CpImportInvoice, 1);

  item->invoice = invoice;
  item->where = g_strdup (where);
  item->mrn_where = g_strdup (mrn_where);
  g_ptr_array_add (batch->invoices, item);
}

static void
batch_clear (CpImportBatch *batch)
{
  g_clear_pointer (&batch->name, g_free);
  g_clear_pointer (&batch->patients, g_ptr_array_unref);
  g_clear_pointer (&batch->invoices, g_ptr_array_unref);
  g_clear_pointer (&batch->today, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CpImportBatch, batch_clear)

/* Shared checks */

char *
cp_import_check_date (const char *text,
                      gboolean    not_after_today,
                      const char *today)
{
  if (!cp_date_is_valid (text))
    return g_strdup_printf (_("“%s” is not a date: dates are written YYYY-MM-DD"), text);
  if (not_after_today && today != NULL && strcmp (text, today) > 0)
    return g_strdup_printf (_("“%s” is in the future"), text);
  return NULL;
}

char *
cp_import_check_language (const char  *text,
                          char       **out_normalized)
{
  const char *p = text;
  gsize primary = 0;

  while (g_ascii_isalpha (p[primary]))
    primary++;
  if (primary < 2 || primary > 3)
    goto bad;
  p += primary;
  while (*p == '-' || *p == '_')
    {
      gsize n = 0;

      p++;
      while (g_ascii_isalnum (p[n]))
        n++;
      if (n == 0 || n > 8)
        goto bad;
      p += n;
    }
  if (*p != '\0')
    goto bad;

  /* The app speaks languages, not regions: "es-MX" is "es". */
  *out_normalized = g_ascii_strdown (text, (gssize) primary);
  return NULL;

bad:
  return g_strdup_printf (_("“%s” is not a language code such as “en” or “es”"), text);
}

char *
cp_import_check_email (const char *text)
{
  const char *at = strchr (text, '@');

  if (at == NULL || at == text || at[1] == '\0' || strchr (at + 1, '@') != NULL ||
      strpbrk (text, " \t\r\n,;<>\"") != NULL)
    return g_strdup_printf (_("“%s” is not an email address"), text);
  return NULL;
}

char *
cp_import_add_days (const char *date,
                    int         days)
{
  int y, m, d;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) later = NULL;

  if (!cp_date_is_valid (date) || sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return NULL;
  day = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (day == NULL)
    return NULL;
  later = g_date_time_add_days (day, days);
  if (later == NULL)  /* past the year 9999 */
    return NULL;
  return g_date_time_format (later, "%Y-%m-%d");
}

/* Sniffing */

CpImportFormat
cp_import_sniff (const char *name,
                 const char *data,
                 gsize       length)
{
  const char *p = data;
  const char *end = data + length;
  g_autofree char *header = NULL;
  g_auto(GStrv) columns = NULL;
  gboolean has_mrn = FALSE;

  if (name != NULL && (g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".JSON") ||
                       g_str_has_suffix (name, ".ndjson") || g_str_has_suffix (name, ".NDJSON")))
    return CP_IMPORT_FORMAT_FHIR;

  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p < end && (*p == '{' || *p == '['))
    return CP_IMPORT_FORMAT_FHIR;

  {
    const char *eol = p;

    while (eol < end && *eol != '\n' && *eol != '\r')
      eol++;
    header = g_ascii_strdown (p, eol - p);
  }
  columns = g_strsplit (header, ",", -1);
  for (guint i = 0; columns[i] != NULL; i++)
    {
      char *column = g_strstrip (g_strdelimit (columns[i], "\"", ' '));

      if (g_str_equal (column, "invoice_number"))
        return CP_IMPORT_FORMAT_CSV_INVOICES;
      if (g_str_equal (column, "mrn"))
        has_mrn = TRUE;
    }
  if (has_mrn)
    return CP_IMPORT_FORMAT_CSV_PATIENTS;

  /* No header we know: the file name may still say (and the parser will
   * then say what is wrong with the header) */
  if (name != NULL)
    {
      g_autofree char *base = g_path_get_basename (name);
      g_autofree char *lower = g_ascii_strdown (base, -1);

      if (strstr (lower, "invoice") != NULL)
        return CP_IMPORT_FORMAT_CSV_INVOICES;
      if (strstr (lower, "patient") != NULL)
        return CP_IMPORT_FORMAT_CSV_PATIENTS;
    }
  return CP_IMPORT_FORMAT_AUTO;
}

/* Writing */

static gboolean
same_patient (const CpPatient *a,
              const CpPatient *b)
{
  return g_strcmp0 (a->given_name, b->given_name) == 0 &&
         g_strcmp0 (a->family_name, b->family_name) == 0 &&
         g_strcmp0 (a->date_of_birth, b->date_of_birth) == 0 &&
         g_strcmp0 (a->email, b->email) == 0 &&
         g_strcmp0 (a->phone, b->phone) == 0 &&
         g_strcmp0 (a->address, b->address) == 0 &&
         g_strcmp0 (a->preferred_language, b->preferred_language) == 0;
}

static gboolean
write_patients (CpStore        *store,
                CpImportBatch  *batch,
                GError        **error)
{
  for (guint i = 0; i < batch->patients->len; i++)
    {
      CpPatient *patient = g_ptr_array_index (batch->patients, i);
      g_autoptr(CpPatient) existing = NULL;
      g_autoptr(GError) local_error = NULL;

      existing = cp_store_get_patient_by_mrn (store, patient->mrn, &local_error);
      if (existing == NULL && !g_error_matches (local_error, CP_ERROR, CP_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (existing != NULL)
        {
          patient->id = existing->id;
          g_free (patient->stripe_customer_id);
          patient->stripe_customer_id = g_strdup (existing->stripe_customer_id);
#define KEEP(flag, field) \
          if (batch->patient_keep & (flag)) \
            { \
              g_free (patient->field); \
              patient->field = g_strdup (existing->field); \
            }
          KEEP (CP_IMPORT_KEEP_DATE_OF_BIRTH, date_of_birth)
          KEEP (CP_IMPORT_KEEP_EMAIL, email)
          KEEP (CP_IMPORT_KEEP_PHONE, phone)
          KEEP (CP_IMPORT_KEEP_ADDRESS, address)
          KEEP (CP_IMPORT_KEEP_LANGUAGE, preferred_language)
#undef KEEP
          if (same_patient (existing, patient))
            {
              batch->result->patients_updated++;
              continue;
            }
        }

      if (!cp_store_save_patient (store, patient, &local_error))
        {
          cp_import_error (batch, _("patient %s: %s"), patient->mrn, local_error->message);
          continue;
        }
      if (existing != NULL)
        batch->result->patients_updated++;
      else
        batch->result->patients_created++;
    }
  return TRUE;
}

static gboolean
write_invoices (CpStore        *store,
                CpImportBatch  *batch,
                GError        **error)
{
  for (guint i = 0; i < batch->invoices->len; i++)
    {
      CpImportInvoice *item = g_ptr_array_index (batch->invoices, i);
      CpInvoice *invoice = item->invoice;
      g_autoptr(CpPatient) patient = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean created = FALSE;

      patient = cp_store_get_patient_by_mrn (store, invoice->patient->mrn, &local_error);
      if (patient == NULL)
        {
          if (!g_error_matches (local_error, CP_ERROR, CP_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          cp_import_error (batch, _("%s: no patient with MRN “%s” in this file or in the database"),
                           item->mrn_where, invoice->patient->mrn);
          continue;
        }
      cp_patient_free (invoice->patient);
      invoice->patient = g_steal_pointer (&patient);

      if (!cp_store_import_invoice (store, invoice, &created, &local_error))
        {
          if (local_error->domain == CP_ERROR && local_error->code == CP_ERROR_DATABASE)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          cp_import_error (batch, "%s: %s", item->where, local_error->message);
          continue;
        }
      if (created)
        batch->result->invoices_created++;
      else
        batch->result->invoices_updated++;
      batch->result->line_items += invoice->line_items->len;
    }
  return TRUE;
}

static char *
audit_details (CpImportResult *result)
{
  return g_strdup_printf ("{\"format\":\"%s\",\"patients_created\":%u,\"patients_updated\":%u,"
                          "\"invoices_created\":%u,\"invoices_updated\":%u,\"line_items\":%u,\"skipped\":%u}",
                          cp_import_format_to_string (result->format),
                          result->patients_created, result->patients_updated,
                          result->invoices_created, result->invoices_updated,
                          result->line_items, result->skipped);
}

static gboolean
fail_with_errors (CpImportBatch  *batch,
                  GError        **error)
{
  CpImportResult *result = batch->result;

  /* At most CP_IMPORT_MAX_ERRORS lines, the last one saying there may be more */
  if (result->n_errors >= CP_IMPORT_MAX_ERRORS)
    {
      if (result->errors->len >= CP_IMPORT_MAX_ERRORS)
        g_ptr_array_set_size (result->errors, CP_IMPORT_MAX_ERRORS - 1);
      g_ptr_array_add (result->errors,
                     g_strdup_printf (_("%s: stopped after %u errors; there may be more"),
                                      batch->name, result->n_errors));
    }
  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s: %u error; nothing was imported",
                            "%s: %u errors; nothing was imported", result->n_errors),
               batch->name, result->n_errors);
  return FALSE;
}

gboolean
cp_import_data (CpStore         *store,
                const char      *name,
                const char      *data,
                gsize            length,
                CpImportFormat   format,
                CpImportFlags    flags,
                gint64           staff_id,
                CpImportResult  *result,
                GError         **error)
{
  g_auto(CpImportBatch) batch = { 0, };
  g_autofree char *details = NULL;

  g_return_val_if_fail (CP_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  result_reset (result);
  batch.name = g_path_get_basename (name);
  batch.patients = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_patient_free);
  batch.invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) import_invoice_free);
  batch.result = result;
  batch.today = cp_today ();

  if (format == CP_IMPORT_FORMAT_AUTO)
    format = cp_import_sniff (name, data, length);
  result->format = format;

  switch (format)
    {
    case CP_IMPORT_FORMAT_CSV_PATIENTS:
      cp_import_parse_csv_patients (&batch, data, length);
      break;
    case CP_IMPORT_FORMAT_CSV_INVOICES:
      cp_import_parse_csv_invoices (&batch, data, length);
      break;
    case CP_IMPORT_FORMAT_FHIR:
      cp_import_parse_fhir (&batch, data, length);
      break;
    case CP_IMPORT_FORMAT_AUTO:
    default:
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("%s: cannot tell what this file holds; name the format "
                     "(csv-patients, csv-invoices or fhir)"), batch.name);
      return FALSE;
    }

  if (cp_import_has_errors (&batch))
    return fail_with_errors (&batch, error);

  if (!cp_store_begin (store, error))
    return FALSE;

  if (!write_patients (store, &batch, error) || !write_invoices (store, &batch, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }
  if (cp_import_has_errors (&batch))
    {
      cp_store_rollback (store);
      result->patients_created = result->patients_updated = 0;
      result->invoices_created = result->invoices_updated = result->line_items = 0;
      return fail_with_errors (&batch, error);
    }

  if (flags & CP_IMPORT_DRY_RUN)
    {
      cp_store_rollback (store);
      return TRUE;
    }

  details = audit_details (result);
  if (!cp_store_audit_append (store, staff_id, "import", batch.name, details, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }
  return cp_store_commit (store, error);
}

gboolean
cp_import_file (CpStore         *store,
                const char      *path,
                CpImportFormat   format,
                CpImportFlags    flags,
                gint64           staff_id,
                CpImportResult  *result,
                GError         **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("Could not read %s: %s"), path, local_error->message);
      return FALSE;
    }
  return cp_import_data (store, path, contents, length, format, flags, staff_id, result, error);
}

/* Async */

typedef struct {
  char           *path;
  CpImportFormat  format;
  CpImportFlags   flags;
  gint64          staff_id;
  CpImportResult *result;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_free (data->path);
  cp_import_result_free (data->result);
  g_free (data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (cp_import_file (CP_STORE (source_object), data->path, data->format, data->flags, data->staff_id,
                      data->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cp_import_file_async (CpStore             *store,
                      const char          *path,
                      CpImportFormat       format,
                      CpImportFlags        flags,
                      gint64               staff_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportData *data;

  g_return_if_fail (CP_IS_STORE (store));
  g_return_if_fail (path != NULL);

  data = g_new0 (ImportData, 1);
  data->path = g_strdup (path);
  data->format = format;
  data->flags = flags;
  data->staff_id = staff_id;
  data->result = cp_import_result_new ();

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_import_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (task, import_thread);
}

gboolean
cp_import_file_finish (CpStore         *store,
                       GAsyncResult    *result,
                       CpImportResult **out_result,
                       GError         **error)
{
  ImportData *data;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_import_file_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_result != NULL)
    *out_result = g_steal_pointer (&data->result);
  return g_task_propagate_boolean (G_TASK (result), error);
}
