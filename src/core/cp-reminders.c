/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which invoices are due a payment reminder today, and sending it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-receipt.h"
#include "cp-reminders.h"

#define MAX_OFFSET 3650

struct _CpReminderSchedule
{
  GArray *offsets;  /* int, ascending, unique */
};

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  int x = *(const int *) a;
  int y = *(const int *) b;

  return (x > y) - (x < y);
}

CpReminderSchedule *
cp_reminder_schedule_new (const int *offsets,
                          guint      n_offsets)
{
  CpReminderSchedule *schedule = g_new0 (CpReminderSchedule, 1);

  schedule->offsets = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < n_offsets; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < schedule->offsets->len && !seen; j++)
        seen = g_array_index (schedule->offsets, int, j) == offsets[i];
      if (!seen)
        g_array_append_val (schedule->offsets, offsets[i]);
    }
  g_array_sort (schedule->offsets, compare_int);
  return schedule;
}

void
cp_reminder_schedule_free (CpReminderSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_array_unref (schedule->offsets);
  g_free (schedule);
}

CpReminderSchedule *
cp_reminder_schedule_parse (const char  *text,
                            GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (int));

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The reminder schedule is empty"));
      return NULL;
    }
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);
      gint64 value;

      if (!g_ascii_string_to_signed (*part == '+' ? part + 1 : part, 10, -MAX_OFFSET, MAX_OFFSET,
                                     &value, NULL) || (*part == '+' && part[1] == '-'))
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                       _("“%s” is not a number of days in the reminder schedule “%s”"), part, text);
          return NULL;
        }
      {
        int v = (int) value;

        g_array_append_val (offsets, v);
      }
    }
  return cp_reminder_schedule_new ((const int *) (gpointer) offsets->data, offsets->len);
}

char *
cp_reminder_schedule_to_string (const CpReminderSchedule *schedule)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < schedule->offsets->len; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? "," : "", g_array_index (schedule->offsets, int, i));
  return g_string_free (out, FALSE);
}

gboolean
cp_reminder_schedule_offset_for (const CpReminderSchedule *schedule,
                                 int                       days_from_due,
                                 int                      *out_offset)
{
  gboolean found = FALSE;

  for (guint i = 0; i < schedule->offsets->len; i++)
    {
      int offset = g_array_index (schedule->offsets, int, i);

      if (offset > days_from_due)
        break;
      *out_offset = offset;
      found = TRUE;
    }
  return found;
}

void
cp_reminder_free (CpReminder *reminder)
{
  if (reminder == NULL)
    return;
  g_free (reminder->invoice_number);
  g_free (reminder->mrn);
  g_free (reminder->email);
  g_free (reminder->due_date);
  g_free (reminder->currency);
  g_free (reminder->kind);
  g_free (reminder);
}

char *
cp_reminder_kind (int offset)
{
  return g_strdup_printf ("reminder:%d", offset);
}

/* Sent, or under way (another run may be sending it right now). A failed
 * attempt does not count: the next run tries again. */
static gboolean
already_sent (CpStore     *store,
              gint64       invoice_id,
              const char  *kind,
              gboolean    *out_sent,
              GError     **error)
{
  g_autoptr(GPtrArray) log = cp_store_list_mail_log (store, invoice_id, kind, error);

  if (log == NULL)
    return FALSE;
  *out_sent = FALSE;
  for (guint i = 0; i < log->len; i++)
    {
      CpMailLogEntry *entry = g_ptr_array_index (log, i);

      if (!g_str_equal (entry->status, "failed"))
        *out_sent = TRUE;
    }
  return TRUE;
}

GPtrArray *
cp_reminders_due (CpStore                   *store,
                  const CpReminderSchedule  *schedule,
                  const char                *today,
                  GError                   **error)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) invoices = NULL;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_reminder_free);
  g_autoptr(GHashTable) emails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (schedule != NULL, NULL);

  if (!cp_date_is_valid (today))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), today);
      return NULL;
    }

  invoices = cp_store_list_invoices (store, &query, error);
  if (invoices == NULL)
    return NULL;

  for (guint i = 0; i < invoices->len; i++)
    {
      CpInvoiceSummary *inv = g_ptr_array_index (invoices, i);
      g_autofree char *kind = NULL;
      g_autoptr(CpReminder) reminder = NULL;
      int days, offset;
      gboolean sent;
      const char *email;

      if (inv->voided || inv->balance_due <= 0 || inv->due_date == NULL)
        continue;
      days = cp_days_between (inv->due_date, today);
      if (days == G_MININT || !cp_reminder_schedule_offset_for (schedule, days, &offset))
        continue;
      kind = cp_reminder_kind (offset);
      if (!already_sent (store, inv->id, kind, &sent, error))
        return NULL;
      if (sent)
        continue;

      if (!g_hash_table_contains (emails, &inv->patient_id))
        {
          g_autoptr(CpPatient) patient = cp_store_get_patient (store, inv->patient_id, error);

          if (patient == NULL)
            return NULL;
          g_hash_table_insert (emails, g_memdup2 (&inv->patient_id, sizeof (gint64)),
                               patient->email != NULL && *patient->email != '\0'
                               ? g_strdup (patient->email) : NULL);
        }
      email = g_hash_table_lookup (emails, &inv->patient_id);

      reminder = g_new0 (CpReminder, 1);
      reminder->invoice_id = inv->id;
      reminder->invoice_number = g_strdup (inv->number);
      reminder->mrn = g_strdup (inv->mrn);
      reminder->email = g_strdup (email);
      reminder->due_date = g_strdup (inv->due_date);
      reminder->balance_due = inv->balance_due;
      reminder->currency = g_strdup (inv->currency);
      reminder->offset = offset;
      reminder->days_from_due = days;
      reminder->kind = g_steal_pointer (&kind);
      g_ptr_array_add (due, g_steal_pointer (&reminder));
    }

  /* Oldest due date first, then invoice number */
  for (guint i = 1; i < due->len; i++)
    for (guint j = i; j > 0; j--)
      {
        CpReminder *a = g_ptr_array_index (due, j - 1);
        CpReminder *b = g_ptr_array_index (due, j);
        int c = strcmp (a->due_date, b->due_date);

        if (c < 0 || (c == 0 && strcmp (a->invoice_number, b->invoice_number) <= 0))
          break;
        due->pdata[j - 1] = b;
        due->pdata[j] = a;
      }
  return g_steal_pointer (&due);
}

gboolean
cp_reminders_send_one (CpStore           *store,
                       CpMailer          *mailer,
                       const CpReminder  *reminder,
                       const char        *hospital_name,
                       const char        *hospital_address,
                       const char        *today,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPaymentLink) link = NULL;
  g_autoptr(CpMailMessage) message = NULL;
  g_autoptr(GError) link_error = NULL;
  CpMailContext context = { 0 };

  g_return_val_if_fail (CP_IS_STORE (store), FALSE);
  g_return_val_if_fail (CP_IS_MAILER (mailer), FALSE);
  g_return_val_if_fail (reminder != NULL, FALSE);

  invoice = cp_store_get_invoice (store, reminder->invoice_id, error);
  if (invoice == NULL)
    return FALSE;
  link = cp_store_get_active_payment_link (store, invoice->id, &link_error);
  if (link_error != NULL)
    g_debug ("No payment link for %s: %s", invoice->number, link_error->message);

  context.hospital_name = hospital_name;
  context.hospital_address = hospital_address;
  context.invoice = invoice;
  context.pay_url = link != NULL ? link->url : NULL;
  context.reminder_offset = reminder->offset;
  context.today = today;
  message = cp_mail_compose (CP_MAIL_KIND_REMINDER, &context, error);
  if (message == NULL)
    return FALSE;
  return cp_mailer_send (mailer, message, NULL, cancellable, error);
}
