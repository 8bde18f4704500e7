/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-export.h"
#include "cp-money.h"
#include "cp-thread-call.h"

static const char *const columns[] = {
  "date", "type", "invoice_number", "patient_mrn", "amount", "currency", "stripe_id",
  "status", "channel", "card_brand", "card_last4", "staff", "created_at",
};

void
cp_export_append_field (GString    *line,
                        const char *value,
                        gboolean    guard_formula)
{
  gboolean formula;

  if (value == NULL)
    value = "";
  formula = guard_formula && strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0';

  if (formula || strpbrk (value, ",\"\r\n") != NULL ||
      (value[0] != '\0' && (g_ascii_isspace (value[0]) || g_ascii_isspace (value[strlen (value) - 1]))))
    {
      g_string_append_c (line, '"');
      if (formula)
        g_string_append_c (line, '\'');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, value);
}

typedef struct {
  CpStore    *store;
  GHashTable *invoices;   /* invoice id -> CpInvoice */
  GHashTable *staff;      /* staff id -> username */
} Lookup;

static CpInvoice *
lookup_invoice (Lookup  *lookup,
                gint64   id,
                GError **error)
{
  CpInvoice *invoice = g_hash_table_lookup (lookup->invoices, &id);

  if (invoice == NULL)
    {
      gint64 *key;

      invoice = cp_store_get_invoice (lookup->store, id, error);
      if (invoice == NULL)
        return NULL;
      key = g_new (gint64, 1);
      *key = id;
      g_hash_table_insert (lookup->invoices, key, invoice);
    }
  return invoice;
}

static CpPayment *
find_payment (CpInvoice *invoice,
              gint64     payment_id)
{
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (payment->id == payment_id)
        return payment;
    }
  return NULL;
}

typedef struct {
  const char *created_at;
  gint64      id;
  gboolean    refund;
  gpointer    record;
} Row;

static int
row_compare (gconstpointer a,
             gconstpointer b)
{
  const Row *x = a, *y = b;
  int c = g_strcmp0 (x->created_at, y->created_at);

  if (c != 0)
    return c;
  if (x->refund != y->refund)
    return x->refund ? 1 : -1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static void
append_row (GString     *out,
            const char **values)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      /* The amount is ours and may start with "-": never guard it */
      cp_export_append_field (out, values[i], i != 4);
    }
  g_string_append (out, "\r\n");
}

char *
cp_export_payments_csv (CpStore        *store,
                        const char     *from,
                        const char     *to,
                        CpExportFlags   flags,
                        guint          *out_rows,
                        GError        **error)
{
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  g_autoptr(GString) out = g_string_new (NULL);
  Lookup lookup = { store, NULL, NULL };
  gboolean all = (flags & CP_EXPORT_ALL_STATUSES) != 0;
  guint written = 0;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  payments = cp_store_list_payments_between (store, from, to, error);
  if (payments == NULL)
    return NULL;
  refunds = cp_store_list_refunds_between (store, from, to, error);
  if (refunds == NULL)
    return NULL;
  staff = cp_store_list_staff (store, error);
  if (staff == NULL)
    return NULL;

  lookup.invoices = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) cp_invoice_free);
  lookup.staff = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < staff->len; i++)
    {
      CpStaff *member = g_ptr_array_index (staff, i);

      g_hash_table_insert (lookup.staff, &member->id, member->username);
    }

  for (guint i = 0; i < payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (payments, i);
      Row row = { payment->created_at, payment->id, FALSE, payment };

      if (all || cp_payment_status_counts (payment->status))
        g_array_append_val (rows, row);
    }
  for (guint i = 0; i < refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (refunds, i);
      Row row = { refund->created_at, refund->id, TRUE, refund };

      if (all || cp_refund_status_counts (refund->status))
        g_array_append_val (rows, row);
    }
  g_array_sort (rows, row_compare);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", columns[i]);
  g_string_append (out, "\r\n");

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = &g_array_index (rows, Row, i);
      const char *values[G_N_ELEMENTS (columns)] = { NULL, };
      g_autofree char *date = NULL;
      g_autofree char *amount = NULL;
      CpInvoice *invoice;
      CpPayment *payment;
      gint64 invoice_id, staff_id;

      if (row->refund)
        {
          CpRefund *refund = row->record;

          invoice_id = refund->invoice_id;
          invoice = lookup_invoice (&lookup, invoice_id, error);
          if (invoice == NULL)
            goto fail;
          payment = find_payment (invoice, refund->payment_id);
          amount = cp_money_format_plain (-refund->amount, refund->currency);
          values[1] = "refund";
          values[5] = refund->currency;
          values[6] = refund->stripe_refund_id;
          values[7] = refund->status;
          staff_id = refund->staff_id;
        }
      else
        {
          payment = row->record;
          invoice_id = payment->invoice_id;
          invoice = lookup_invoice (&lookup, invoice_id, error);
          if (invoice == NULL)
            goto fail;
          amount = cp_money_format_plain (payment->amount, payment->currency);
          values[1] = "payment";
          values[5] = payment->currency;
          values[6] = payment->stripe_payment_intent_id;
          values[7] = payment->status;
          staff_id = payment->staff_id;
        }

      date = g_strndup (row->created_at ? row->created_at : "", 10);
      values[0] = date;
      values[2] = invoice->number;
      values[3] = invoice->patient != NULL ? invoice->patient->mrn : NULL;
      values[4] = amount;
      if (payment != NULL)
        {
          values[8] = cp_payment_channel_to_string (payment->channel);
          values[9] = payment->card_brand;
          values[10] = payment->card_last4;
        }
      values[11] = staff_id > 0 ? g_hash_table_lookup (lookup.staff, &staff_id) : NULL;
      values[12] = row->created_at;
      append_row (out, values);
      written++;
    }

  g_hash_table_unref (lookup.invoices);
  g_hash_table_unref (lookup.staff);
  if (out_rows != NULL)
    *out_rows = written;
  return g_string_free (g_steal_pointer (&out), FALSE);

fail:
  g_hash_table_unref (lookup.invoices);
  g_hash_table_unref (lookup.staff);
  return NULL;
}

/* Async */

typedef struct {
  char          *from;
  char          *to;
  CpExportFlags  flags;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->from);
  g_free (data->to);
  g_free (data);
}

static gpointer
export_func (CpStore *store, ExportData *data, GCancellable *cancellable, GError **error)
{
  return cp_export_payments_csv (store, data->from, data->to, data->flags, NULL, error);
}

void
cp_export_payments_csv_async (CpStore             *store,
                              const char          *from,
                              const char          *to,
                              CpExportFlags        flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ExportData *data;

  g_return_if_fail (CP_IS_STORE (store));

  data = g_new0 (ExportData, 1);
  data->from = g_strdup (from);
  data->to = g_strdup (to);
  data->flags = flags;

  cp_thread_call_run (store, cp_export_payments_csv_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) export_func, g_free, data, (GDestroyNotify) export_data_free,
                      cancellable, callback, user_data);
}

char *
cp_export_payments_csv_finish (CpStore       *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  return cp_thread_call_finish (store, result, cp_export_payments_csv_async, error);
}
