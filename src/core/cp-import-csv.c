/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CSV import (RFC 4180): quoted fields with doubled quotes, commas and line
 * breaks inside quotes, CRLF or LF line ends, an optional UTF-8 BOM. The
 * first row names the columns, in any order; unknown columns are refused
 * (a typo would otherwise drop data without a word). Rows are numbered as
 * a spreadsheet shows them: the header is row 1. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-import-private.h"

typedef struct {
  GPtrArray *fields;   /* char * */
  guint      row;
} CsvRecord;

static void
csv_record_free (CsvRecord *record)
{
  g_ptr_array_unref (record->fields);
  g_free (record);
}

/* Splits the file into records; NULL after an error that stops reading. */
static GPtrArray *
csv_read (CpImportBatch *batch,
          const char    *data,
          gsize          length)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) csv_record_free);
  const char *p = data;
  const char *end = data + length;
  const char *bad = NULL;
  guint row = 0;
  guint line = 1;

  if (!g_utf8_validate_len (data, length, &bad))
    {
      guint bad_line = 1;

      for (const char *q = data; q < bad; q++)
        if (*q == '\n')
          bad_line++;
      cp_import_error (batch, _("line %u: the file is not UTF-8 text"), bad_line);
      return NULL;
    }

  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end)
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
      gboolean end_of_record = FALSE;

      row++;
      while (!end_of_record)
        {
          g_autoptr(GString) field = g_string_new (NULL);

          if (p < end && *p == '"')
            {
              guint opened = line;

              p++;
              for (;;)
                {
                  if (p >= end)
                    {
                      cp_import_error (batch, _("row %u, column %u: a quoted field is not closed "
                                                "(it opens on line %u; is the file truncated?)"),
                                       row, fields->len + 1, opened);
                      return NULL;
                    }
                  if (*p == '"')
                    {
                      if (p + 1 < end && p[1] == '"')
                        {
                          g_string_append_c (field, '"');
                          p += 2;
                          continue;
                        }
                      p++;
                      break;
                    }
                  /* Line breaks inside a field become "\n", whatever the file uses */
                  if (*p == '\r' && p + 1 < end && p[1] == '\n')
                    p++;
                  if (*p == '\n')
                    line++;
                  g_string_append_c (field, *p);
                  p++;
                }
              if (p < end && *p != ',' && *p != '\r' && *p != '\n')
                {
                  cp_import_error (batch, _("row %u, column %u: text after the closing quote "
                                            "(quotes inside a field are written twice: \"\")"),
                                   row, fields->len + 1);
                  return NULL;
                }
            }
          else
            {
              while (p < end && *p != ',' && *p != '\r' && *p != '\n')
                {
                  if (*p == '"')
                    {
                      cp_import_error (batch, _("row %u, column %u: a quote inside a field that is not quoted "
                                                "(quote the whole field and write inner quotes twice)"),
                                       row, fields->len + 1);
                      return NULL;
                    }
                  g_string_append_c (field, *p);
                  p++;
                }
            }

          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));

          if (p >= end)
            end_of_record = TRUE;
          else if (*p == ',')
            p++;
          else
            {
              if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p++;
              p++;
              line++;
              end_of_record = TRUE;
            }
        }

      /* Blank lines are skipped, but keep their row numbers */
      if (fields->len == 1 && *(const char *) g_ptr_array_index (fields, 0) == '\0')
        continue;

      {
        CsvRecord *record = g_new0 (CsvRecord, 1);

        record->fields = g_steal_pointer (&fields);
        record->row = row;
        g_ptr_array_add (records, record);
      }
    }

  return g_steal_pointer (&records);
}

typedef struct {
  const char *name;
  gboolean    required;   /* the column must be in the header */
} CsvColumn;

static char *
column_list (const CsvColumn *columns,
             guint            n_columns)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", columns[i].name);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Fills index[i] with the field index of columns[i], or -1. */
static gboolean
csv_header (CpImportBatch   *batch,
            GPtrArray       *records,
            const CsvColumn *columns,
            guint            n_columns,
            int             *index)
{
  g_autofree char *names = column_list (columns, n_columns);
  CsvRecord *header;
  guint known = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < n_columns; i++)
    index[i] = -1;

  if (records->len == 0)
    {
      cp_import_error (batch, _("the file is empty: the first row must name the columns (%s)"), names);
      return FALSE;
    }

  header = g_ptr_array_index (records, 0);
  for (guint f = 0; f < header->fields->len; f++)
    {
      g_autofree char *name = g_ascii_strdown (g_ptr_array_index (header->fields, f), -1);

      g_strstrip (name);
      for (guint i = 0; i < n_columns; i++)
        if (g_str_equal (name, columns[i].name))
          {
            known++;
            break;
          }
    }
  if (known == 0)
    {
      cp_import_error (batch, _("row %u: there is no header row: the first row must name the columns (%s)"),
                       header->row, names);
      return FALSE;
    }

  for (guint f = 0; f < header->fields->len; f++)
    {
      g_autofree char *name = g_ascii_strdown (g_ptr_array_index (header->fields, f), -1);
      gboolean found = FALSE;

      g_strstrip (name);
      for (guint i = 0; i < n_columns; i++)
        if (g_str_equal (name, columns[i].name))
          {
            found = TRUE;
            if (index[i] >= 0)
              {
                cp_import_error (batch, _("row %u, column %u: the column “%s” appears twice"),
                                 header->row, f + 1, name);
                ok = FALSE;
              }
            else
              index[i] = (int) f;
          }
      if (!found)
        {
          cp_import_error (batch, _("row %u, column %u: unknown column “%s” (the columns are: %s)"),
                           header->row, f + 1, name, names);
          ok = FALSE;
        }
    }

  for (guint i = 0; i < n_columns; i++)
    if (columns[i].required && index[i] < 0)
      {
        cp_import_error (batch, _("row %u: the required column “%s” is missing"), header->row, columns[i].name);
        ok = FALSE;
      }
  return ok;
}

/* The value of a column in a row, without surrounding spaces; "" when the
 * column is not in the file. */
static const char *
csv_value (CsvRecord *record,
           int        index)
{
  char *value;

  if (index < 0 || (guint) index >= record->fields->len)
    return "";
  value = g_ptr_array_index (record->fields, index);
  return g_strstrip (value);
}

static char *
nullable (const char *value)
{
  return *value != '\0' ? g_strdup (value) : NULL;
}

static gboolean
csv_check_width (CpImportBatch *batch,
                 GPtrArray     *records,
                 CsvRecord     *record)
{
  CsvRecord *header = g_ptr_array_index (records, 0);

  if (record->fields->len == header->fields->len)
    return TRUE;
  cp_import_error (batch, _("row %u: %u fields, but the header has %u columns "
                            "(a missing or extra comma, or a truncated row)"),
                   record->row, record->fields->len, header->fields->len);
  return FALSE;
}

/* Patients */

enum {
  P_MRN, P_GIVEN, P_FAMILY, P_DOB, P_EMAIL, P_PHONE, P_ADDRESS, P_LANGUAGE, P_N
};

static const CsvColumn patient_columns[P_N] = {
  [P_MRN] = { "mrn", TRUE },
  [P_GIVEN] = { "given_name", TRUE },
  [P_FAMILY] = { "family_name", TRUE },
  [P_DOB] = { "date_of_birth", FALSE },
  [P_EMAIL] = { "email", FALSE },
  [P_PHONE] = { "phone", FALSE },
  [P_ADDRESS] = { "address", FALSE },
  [P_LANGUAGE] = { "preferred_language", FALSE },
};

void
cp_import_parse_csv_patients (CpImportBatch *batch,
                              const char    *data,
                              gsize          length)
{
  g_autoptr(GPtrArray) records = csv_read (batch, data, length);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int index[P_N];

  if (records == NULL || !csv_header (batch, records, patient_columns, P_N, index))
    return;

  /* A column left out of the file leaves that field of existing patients alone */
  if (index[P_DOB] < 0)
    batch->patient_keep |= CP_IMPORT_KEEP_DATE_OF_BIRTH;
  if (index[P_EMAIL] < 0)
    batch->patient_keep |= CP_IMPORT_KEEP_EMAIL;
  if (index[P_PHONE] < 0)
    batch->patient_keep |= CP_IMPORT_KEEP_PHONE;
  if (index[P_ADDRESS] < 0)
    batch->patient_keep |= CP_IMPORT_KEEP_ADDRESS;
  if (index[P_LANGUAGE] < 0)
    batch->patient_keep |= CP_IMPORT_KEEP_LANGUAGE;

  for (guint r = 1; r < records->len && !cp_import_error_limit (batch); r++)
    {
      CsvRecord *record = g_ptr_array_index (records, r);
      g_autoptr(CpPatient) patient = cp_patient_new ();
      guint errors = batch->result->n_errors;
      const char *mrn, *dob, *email, *language;
      gpointer first_row;

      if (!csv_check_width (batch, records, record))
        continue;

      mrn = csv_value (record, index[P_MRN]);
      if (*mrn == '\0')
        cp_import_error (batch, _("row %u, column mrn: the medical record number is empty"), record->row);
      else if (g_hash_table_lookup_extended (seen, mrn, NULL, &first_row))
        cp_import_error (batch, _("row %u, column mrn: “%s” is already on row %u"),
                         record->row, mrn, GPOINTER_TO_UINT (first_row));
      else
        g_hash_table_insert (seen, g_strdup (mrn), GUINT_TO_POINTER (record->row));

      patient->mrn = g_strdup (mrn);
      patient->given_name = g_strdup (csv_value (record, index[P_GIVEN]));
      patient->family_name = g_strdup (csv_value (record, index[P_FAMILY]));
      if (*patient->given_name == '\0' && *patient->family_name == '\0')
        cp_import_error (batch, _("row %u, column family_name: the patient has no name"), record->row);

      dob = csv_value (record, index[P_DOB]);
      if (*dob != '\0')
        {
          g_autofree char *why = cp_import_check_date (dob, TRUE, batch->today);

          if (why != NULL)
            cp_import_error (batch, _("row %u, column date_of_birth: %s"), record->row, why);
        }
      patient->date_of_birth = nullable (dob);

      email = csv_value (record, index[P_EMAIL]);
      if (*email != '\0')
        {
          g_autofree char *why = cp_import_check_email (email);

          if (why != NULL)
            cp_import_error (batch, _("row %u, column email: %s"), record->row, why);
        }
      patient->email = nullable (email);
      patient->phone = nullable (csv_value (record, index[P_PHONE]));
      patient->address = nullable (csv_value (record, index[P_ADDRESS]));

      language = csv_value (record, index[P_LANGUAGE]);
      if (*language != '\0')
        {
          g_autofree char *why = NULL;

          g_clear_pointer (&patient->preferred_language, g_free);
          why = cp_import_check_language (language, &patient->preferred_language);
          if (patient->preferred_language == NULL)
            patient->preferred_language = g_strdup ("en");

          if (why != NULL)
            cp_import_error (batch, _("row %u, column preferred_language: %s"), record->row, why);
        }

      if (batch->result->n_errors == errors)
        g_ptr_array_add (batch->patients, g_steal_pointer (&patient));
    }

  if (records->len == 1)
    cp_import_error (batch, _("the file has a header but no rows"));
}

/* Invoices: one row per line item; the invoice columns repeat on each row
 * of the same invoice (or are left empty after its first row). */

enum {
  I_NUMBER, I_MRN, I_ISSUE, I_DUE, I_CURRENCY, I_TAX, I_TAX_BP, I_NOTES, I_VOIDED,
  I_N_HEADER,
  I_DESCRIPTION = I_N_HEADER, I_CODE, I_QUANTITY, I_PRICE, I_SERVICE_DATE, I_PROVIDER,
  I_N
};

static const CsvColumn invoice_columns[I_N] = {
  [I_NUMBER] = { "invoice_number", TRUE },
  [I_MRN] = { "mrn", TRUE },
  [I_ISSUE] = { "issue_date", TRUE },
  [I_DUE] = { "due_date", FALSE },
  [I_CURRENCY] = { "currency", TRUE },
  [I_TAX] = { "tax_rate", FALSE },
  [I_TAX_BP] = { "tax_rate_bp", FALSE },
  [I_NOTES] = { "notes", FALSE },
  [I_VOIDED] = { "voided", FALSE },
  [I_DESCRIPTION] = { "description", TRUE },
  [I_CODE] = { "service_code", FALSE },
  [I_QUANTITY] = { "quantity", TRUE },
  [I_PRICE] = { "unit_price", TRUE },
  [I_SERVICE_DATE] = { "service_date", FALSE },
  [I_PROVIDER] = { "provider", FALSE },
};

typedef struct {
  CpInvoice *invoice;
  guint      first_row;
  char      *values[I_N_HEADER];   /* the invoice columns as on its first row */
  gboolean   bad;                  /* an error in its invoice columns */
} CsvInvoice;

static void
csv_invoice_free (CsvInvoice *item)
{
  cp_invoice_free (item->invoice);
  for (guint i = 0; i < I_N_HEADER; i++)
    g_free (item->values[i]);
  g_free (item);
}

/* "8.25" or "8.25%" percent, at most two decimals, 0 to 100. */
static gboolean
parse_percent_bp (const char *text,
                  int        *out_bp)
{
  g_autofree char *copy = g_strdup (text);
  gsize len = strlen (copy);
  gint64 bp;

  if (len > 0 && copy[len - 1] == '%')
    copy[--len] = '\0';
  g_strstrip (copy);
  if (!cp_money_parse_decimal (copy, "USD", CP_MONEY_PARSE_ALLOW_ZERO, &bp, NULL))
    return FALSE;
  if (bp > 10000)
    return FALSE;
  *out_bp = (int) bp;
  return TRUE;
}

static gboolean
parse_whole (const char *text,
             gint64      min,
             gint64      max,
             gint64     *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL) ||
      (gint64) value < min || (gint64) value > max)
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

static gboolean
parse_flag (const char *text,
            gboolean   *out)
{
  static const char *const yes[] = { "1", "yes", "true", "y" };
  static const char *const no[] = { "", "0", "no", "false", "n" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0)
      return (*out = TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *out = FALSE;
        return TRUE;
      }
  return FALSE;
}

/* Checks the invoice columns of the first row of an invoice. */
static void
start_invoice (CpImportBatch *batch,
               CsvInvoice    *item,
               CsvRecord     *record,
               const int     *index)
{
  CpInvoice *invoice = item->invoice;
  guint errors = batch->result->n_errors;
  guint row = record->row;
  const char *text;

  /* No default currency: the file must say */
  g_clear_pointer (&invoice->currency, g_free);
  for (guint i = 0; i < I_N_HEADER; i++)
    item->values[i] = g_strdup (csv_value (record, index[i]));

  invoice->number = g_strdup (item->values[I_NUMBER]);
  invoice->patient = cp_patient_new ();
  invoice->patient->mrn = g_strdup (item->values[I_MRN]);
  if (*invoice->patient->mrn == '\0')
    cp_import_error (batch, _("row %u, column mrn: the patient’s medical record number is empty"), row);

  text = item->values[I_ISSUE];
  {
    g_autofree char *why = cp_import_check_date (text, FALSE, NULL);

    if (why != NULL)
      cp_import_error (batch, _("row %u, column issue_date: %s"), row, why);
    else
      invoice->issue_date = g_strdup (text);
  }

  text = item->values[I_DUE];
  if (*text != '\0')
    {
      g_autofree char *why = cp_import_check_date (text, FALSE, NULL);

      if (why != NULL)
        cp_import_error (batch, _("row %u, column due_date: %s"), row, why);
      else if (invoice->issue_date != NULL && strcmp (text, invoice->issue_date) < 0)
        cp_import_error (batch, _("row %u, column due_date: “%s” is before the issue date %s"),
                         row, text, invoice->issue_date);
      else
        invoice->due_date = g_strdup (text);
    }
  else if (invoice->issue_date != NULL)
    {
      invoice->due_date = cp_import_add_days (invoice->issue_date, CP_IMPORT_DEFAULT_TERMS_DAYS);
      if (invoice->due_date == NULL)
        cp_import_error (batch, _("row %u, column due_date: the default due date (issue date + %d days) "
                                  "is past 9999-12-31; give one"), row, CP_IMPORT_DEFAULT_TERMS_DAYS);
    }

  text = item->values[I_CURRENCY];
  {
    g_autofree char *upper = g_ascii_strup (text, -1);

    if (!cp_currency_is_known (upper))
      cp_import_error (batch, _("row %u, column currency: “%s” is not a currency code such as USD"), row, text);
    else
      invoice->currency = g_steal_pointer (&upper);
  }

  if (*item->values[I_TAX] != '\0' && *item->values[I_TAX_BP] != '\0')
    cp_import_error (batch, _("row %u, column tax_rate_bp: give tax_rate or tax_rate_bp, not both"), row);
  else if (*item->values[I_TAX] != '\0')
    {
      if (!parse_percent_bp (item->values[I_TAX], &invoice->tax_rate_bp))
        cp_import_error (batch, _("row %u, column tax_rate: “%s” is not a percentage from 0 to 100 "
                                  "with at most 2 decimals, such as 8.25"), row, item->values[I_TAX]);
    }
  else if (*item->values[I_TAX_BP] != '\0')
    {
      gint64 bp;

      if (!parse_whole (item->values[I_TAX_BP], 0, 10000, &bp))
        cp_import_error (batch, _("row %u, column tax_rate_bp: “%s” is not a whole number of basis points "
                                  "from 0 to 10000"), row, item->values[I_TAX_BP]);
      else
        invoice->tax_rate_bp = (int) bp;
    }

  invoice->notes = nullable (item->values[I_NOTES]);
  if (!parse_flag (item->values[I_VOIDED], &invoice->voided))
    cp_import_error (batch, _("row %u, column voided: “%s” is not yes or no"), row, item->values[I_VOIDED]);

  item->bad = batch->result->n_errors != errors;
}

static gboolean
add_line_item (CpImportBatch *batch,
               CsvInvoice    *item,
               CsvRecord     *record,
               const int     *index)
{
  g_autoptr(CpLineItem) line = cp_line_item_new ();
  guint errors = batch->result->n_errors;
  guint row = record->row;
  const char *text;

  line->description = g_strdup (csv_value (record, index[I_DESCRIPTION]));
  if (*line->description == '\0')
    cp_import_error (batch, _("row %u, column description: the line item has no description"), row);
  line->service_code = nullable (csv_value (record, index[I_CODE]));
  line->provider = nullable (csv_value (record, index[I_PROVIDER]));

  text = csv_value (record, index[I_QUANTITY]);
  if (!parse_whole (text, 1, 1000000, &line->quantity))
    cp_import_error (batch, _("row %u, column quantity: “%s” is not a whole number from 1 to 1000000"), row, text);

  text = csv_value (record, index[I_PRICE]);
  if (item->invoice->currency != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!cp_money_parse_decimal (text, item->invoice->currency, CP_MONEY_PARSE_ALLOW_ZERO,
                                   &line->unit_amount, &error))
        cp_import_error (batch, _("row %u, column unit_price: %s"), row, error->message);
      else if (line->unit_amount > G_GINT64_CONSTANT (1000000000000))
        cp_import_error (batch, _("row %u, column unit_price: “%s” is too large"), row, text);
    }

  text = csv_value (record, index[I_SERVICE_DATE]);
  if (*text != '\0')
    {
      g_autofree char *why = cp_import_check_date (text, FALSE, NULL);

      if (why != NULL)
        cp_import_error (batch, _("row %u, column service_date: %s"), row, why);
      line->service_date = g_strdup (text);
    }

  if (batch->result->n_errors != errors)
    return FALSE;
  g_ptr_array_add (item->invoice->line_items, g_steal_pointer (&line));
  return TRUE;
}

/* A later row of an invoice: its invoice columns are empty or the same. */
static void
check_repeated (CpImportBatch *batch,
                CsvInvoice    *item,
                CsvRecord     *record,
                const int     *index)
{
  for (guint i = 0; i < I_N_HEADER; i++)
    {
      const char *value = csv_value (record, index[i]);

      if (*value != '\0' && !g_str_equal (value, item->values[i]))
        cp_import_error (batch, _("row %u, column %s: “%s” differs from “%s” on row %u for invoice %s"),
                         record->row, invoice_columns[i].name, value, item->values[i],
                         item->first_row, item->invoice->number);
    }
}

void
cp_import_parse_csv_invoices (CpImportBatch *batch,
                              const char    *data,
                              gsize          length)
{
  g_autoptr(GPtrArray) records = csv_read (batch, data, length);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) csv_invoice_free);
  g_autoptr(GHashTable) by_number = g_hash_table_new (g_str_hash, g_str_equal);
  int index[I_N];

  if (records == NULL || !csv_header (batch, records, invoice_columns, I_N, index))
    return;

  for (guint r = 1; r < records->len && !cp_import_error_limit (batch); r++)
    {
      CsvRecord *record = g_ptr_array_index (records, r);
      const char *number;
      CsvInvoice *item;

      if (!csv_check_width (batch, records, record))
        continue;

      number = csv_value (record, index[I_NUMBER]);
      if (*number == '\0')
        {
          cp_import_error (batch, _("row %u, column invoice_number: the invoice number is empty"), record->row);
          continue;
        }

      item = g_hash_table_lookup (by_number, number);
      if (item == NULL)
        {
          item = g_new0 (CsvInvoice, 1);
          item->invoice = cp_invoice_new ();
          item->first_row = record->row;
          start_invoice (batch, item, record, index);
          g_ptr_array_add (order, item);
          g_hash_table_insert (by_number, item->invoice->number, item);
        }
      else
        check_repeated (batch, item, record, index);

      add_line_item (batch, item, record, index);
    }

  if (records->len == 1)
    cp_import_error (batch, _("the file has a header but no rows"));

  for (guint i = 0; i < order->len; i++)
    {
      CsvInvoice *item = g_ptr_array_index (order, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *where = NULL;
      g_autofree char *mrn_where = NULL;

      if (item->bad || cp_import_has_errors (batch))
        continue;
      if (!cp_invoice_compute (item->invoice, batch->today, &error))
        {
          cp_import_error (batch, _("row %u: invoice %s: %s"), item->first_row, item->invoice->number,
                           error->message);
          continue;
        }
      where = g_strdup_printf (_("row %u (invoice %s)"), item->first_row, item->invoice->number);
      mrn_where = g_strdup_printf (_("row %u, column mrn"), item->first_row);
      cp_import_invoice_add (batch, g_steal_pointer (&item->invoice), where, mrn_where);
    }
}
