/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports dashboard's figures: periods, bucketing and CSV. The store
 * streams rows into the cp_report_add_*() accumulators; this file decides
 * where each row belongs, so every store groups the same way. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-report.h"
#include "cp-stripe-error.h"

G_DEFINE_BOXED_TYPE (CpReport, cp_report, cp_report_ref, cp_report_unref)

static void
period_free (CpReportPeriod *period)
{
  g_free (period->start);
  g_free (period->end);
  g_free (period);
}

static void
failure_free (CpReportFailure *failure)
{
  g_free (failure->code);
  g_free (failure->label);
  g_free (failure);
}

static void
dispute_free (CpReportDispute *dispute)
{
  g_free (dispute->invoice_number);
  g_free (dispute->payment_intent_id);
  g_free (dispute->created_at);
  g_free (dispute->date);
  g_free (dispute);
}

static void
report_clear (CpReport *report)
{
  g_free (report->from);
  g_free (report->to);
  g_free (report->currency);
  g_clear_pointer (&report->tz, g_time_zone_unref);
  g_clear_pointer (&report->periods, g_ptr_array_unref);
  g_clear_pointer (&report->bounds, g_ptr_array_unref);
  g_clear_pointer (&report->failures, g_ptr_array_unref);
  g_clear_pointer (&report->disputes, g_ptr_array_unref);
  g_clear_pointer (&report->currencies, g_ptr_array_unref);
}

CpReport *
cp_report_ref (CpReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return g_atomic_rc_box_acquire (report);
}

void
cp_report_unref (CpReport *report)
{
  g_return_if_fail (report != NULL);
  g_atomic_rc_box_release_full (report, (GDestroyNotify) report_clear);
}

static GDate *
parse_date (const char *text)
{
  GDate *date;

  if (text == NULL || !cp_date_is_valid (text))
    return NULL;
  date = g_date_new_dmy (atoi (text + 8), atoi (text + 5), atoi (text));
  if (!g_date_valid (date))
    g_clear_pointer (&date, g_date_free);
  return date;
}

static char *
format_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/* The UTC instant of local midnight starting `date`, in the stored format */
static char *
utc_midnight (GTimeZone   *tz,
              const GDate *date)
{
  g_autoptr(GDateTime) local = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                                                g_date_get_day (date), 0, 0, 0);
  g_autoptr(GDateTime) utc = g_date_time_to_utc (local);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The first day after the period that starts on `date` */
static void
next_period (GDate               *date,
             CpReportGranularity  by)
{
  switch (by)
    {
    case CP_REPORT_BY_WEEK:
      g_date_add_days (date, 7 - g_date_get_weekday (date) + G_DATE_MONDAY);
      break;
    case CP_REPORT_BY_MONTH:
      g_date_set_day (date, 1);
      g_date_add_months (date, 1);
      break;
    case CP_REPORT_BY_DAY:
    default:
      g_date_add_days (date, 1);
      break;
    }
}

CpReport *
cp_report_new_full (const char           *from,
                    const char           *to,
                    CpReportGranularity   by,
                    const char           *currency,
                    GTimeZone            *tz,
                    GError              **error)
{
  g_autoptr(CpReport) report = NULL;
  g_autoptr(GDate) start = parse_date (from);
  g_autoptr(GDate) last = parse_date (to);
  g_autoptr(GDate) day = NULL;

  if (start == NULL || last == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("A report needs dates as YYYY-MM-DD, not “%s”"),
                   start == NULL ? (from ? from : "") : (to ? to : ""));
      return NULL;
    }
  if (g_date_compare (start, last) > 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("The report’s start %s is after its end %s"), from, to);
      return NULL;
    }
  if (by > CP_REPORT_BY_MONTH)
    by = CP_REPORT_BY_DAY;

  report = g_atomic_rc_box_new0 (CpReport);
  report->from = g_strdup (from);
  report->to = g_strdup (to);
  report->by = by;
  report->currency = g_ascii_strup (currency != NULL ? currency : "USD", -1);
  report->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  report->periods = g_ptr_array_new_with_free_func ((GDestroyNotify) period_free);
  report->bounds = g_ptr_array_new_with_free_func (g_free);
  report->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) failure_free);
  report->disputes = g_ptr_array_new_with_free_func ((GDestroyNotify) dispute_free);
  report->currencies = g_ptr_array_new_with_free_func (g_free);

  day = g_date_copy (start);
  while (g_date_compare (day, last) <= 0)
    {
      CpReportPeriod *period;
      g_autoptr(GDate) end = g_date_copy (day);

      if (report->periods->len >= CP_REPORT_MAX_PERIODS)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                       _("The range %s to %s has too many periods; choose a longer period or a shorter range"),
                       from, to);
          return NULL;
        }
      period = g_new0 (CpReportPeriod, 1);
      period->start = format_date (day);
      g_ptr_array_add (report->bounds, utc_midnight (report->tz, day));

      next_period (end, by);
      g_date_subtract_days (end, 1);
      if (g_date_compare (end, last) > 0)
        *end = *last;
      period->end = format_date (end);
      g_ptr_array_add (report->periods, period);

      *day = *end;
      g_date_add_days (day, 1);
    }
  g_ptr_array_add (report->bounds, utc_midnight (report->tz, day));

  return g_steal_pointer (&report);
}

CpReport *
cp_report_new (const char           *from,
               const char           *to,
               CpReportGranularity   by,
               const char           *currency,
               GError              **error)
{
  return cp_report_new_full (from, to, by, currency, NULL, error);
}

double
cp_report_success_rate (const CpReport *report)
{
  gint64 attempts;

  g_return_val_if_fail (report != NULL, 0.0);
  attempts = report->n_succeeded + report->n_failed;
  return attempts > 0 ? (double) report->n_succeeded / (double) attempts : 0.0;
}

gboolean
cp_report_is_empty (const CpReport *report)
{
  g_return_val_if_fail (report != NULL, TRUE);

  for (guint i = 0; i < CP_N_REPORT_AGING; i++)
    if (report->aging[i].count > 0)
      return FALSE;
  return report->n_succeeded == 0 && report->n_failed == 0 && report->refunded == 0 &&
         report->n_disputes == 0;
}

int
cp_report_period_for (const CpReport *report,
                      const char     *created_at)
{
  guint n;
  guint lo = 0, hi;

  g_return_val_if_fail (report != NULL, -1);
  if (created_at == NULL)
    return -1;

  /* Bounds and timestamps are both "YYYY-MM-DDTHH:MM:SSZ": text order is time order */
  n = report->periods->len;
  if (strcmp (created_at, g_ptr_array_index (report->bounds, 0)) < 0 ||
      strcmp (created_at, g_ptr_array_index (report->bounds, n)) >= 0)
    return -1;

  /* The last bound <= created_at */
  hi = n;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (strcmp (g_ptr_array_index (report->bounds, mid), created_at) <= 0)
        lo = mid;
      else
        hi = mid;
    }
  return (int) lo;
}

char *
cp_report_local_date (const CpReport *report,
                      const char     *created_at)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (report != NULL, NULL);
  if (created_at == NULL || (when = g_date_time_new_from_iso8601 (created_at, utc)) == NULL)
    return g_strdup (created_at != NULL ? created_at : "");
  local = g_date_time_to_timezone (when, report->tz);
  return g_date_time_format (local, "%Y-%m-%d");
}

static gboolean
add_to (gint64  *sum,
        gint64   amount,
        GError **error)
{
  return cp_money_add (*sum, amount, sum, error);
}

gboolean
cp_report_add_payment (CpReport         *report,
                       const CpPayment  *payment,
                       const char       *invoice_number,
                       GError          **error)
{
  int idx;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);

  if (g_strcmp0 (payment->currency, report->currency) != 0)
    return TRUE;
  idx = cp_report_period_for (report, payment->created_at);
  if (idx < 0)
    return TRUE;

  if (cp_payment_status_counts (payment->status))
    {
      CpReportPeriod *period = g_ptr_array_index (report->periods, idx);
      guint ch = MIN ((guint) payment->channel, CP_N_PAYMENT_CHANNELS - 1);

      if (!add_to (&period->collected, payment->amount, error) ||
          !add_to (&report->channels[ch].amount, payment->amount, error))
        return FALSE;
      period->n_payments++;
      report->n_succeeded++;
      report->channels[ch].count++;
    }
  else if (payment->failure_code != NULL)
    {
      CpReportFailure *failure = NULL;

      report->n_failed++;
      for (guint i = 0; i < report->failures->len && failure == NULL; i++)
        {
          CpReportFailure *f = g_ptr_array_index (report->failures, i);

          if (g_str_equal (f->code, payment->failure_code))
            failure = f;
        }
      if (failure == NULL)
        {
          failure = g_new0 (CpReportFailure, 1);
          failure->code = g_strdup (payment->failure_code);
          failure->label = g_strdup (cp_stripe_decline_staff_message (*failure->code ? failure->code : NULL));
          g_ptr_array_add (report->failures, failure);
        }
      failure->count++;
    }

  if (payment->disputed)
    {
      CpReportDispute *dispute = g_new0 (CpReportDispute, 1);

      dispute->payment_id = payment->id;
      dispute->invoice_number = g_strdup (invoice_number);
      dispute->payment_intent_id = g_strdup (payment->stripe_payment_intent_id);
      dispute->created_at = g_strdup (payment->created_at);
      dispute->date = cp_report_local_date (report, payment->created_at);
      dispute->amount = payment->amount;
      dispute->channel = payment->channel;
      g_ptr_array_add (report->disputes, dispute);
      report->n_disputes++;
      if (!add_to (&report->disputed_amount, payment->amount, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cp_report_add_refund (CpReport        *report,
                      const CpRefund  *refund,
                      GError         **error)
{
  CpReportPeriod *period;
  int idx;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (refund != NULL, FALSE);

  /* As everywhere else: a pending refund is money on its way back */
  if (g_strcmp0 (refund->currency, report->currency) != 0 ||
      (g_strcmp0 (refund->status, "succeeded") != 0 && g_strcmp0 (refund->status, "pending") != 0))
    return TRUE;
  idx = cp_report_period_for (report, refund->created_at);
  if (idx < 0)
    return TRUE;
  period = g_ptr_array_index (report->periods, idx);
  return add_to (&period->refunded, refund->amount, error);
}

int
cp_report_days_past_due (const char *due_date,
                         const char *as_of)
{
  g_autoptr(GDate) due = parse_date (due_date);
  g_autoptr(GDate) day = parse_date (as_of);

  if (due == NULL || day == NULL)
    return 0;
  return g_date_days_between (due, day);
}

CpReportAging
cp_report_aging_for_days (int days)
{
  if (days <= 0)
    return CP_REPORT_AGING_CURRENT;
  if (days <= 30)
    return CP_REPORT_AGING_1_30;
  if (days <= 60)
    return CP_REPORT_AGING_31_60;
  if (days <= 90)
    return CP_REPORT_AGING_61_90;
  return CP_REPORT_AGING_OVER_90;
}

gboolean
cp_report_add_balance (CpReport    *report,
                       const char  *due_date,
                       gint64       balance,
                       GError     **error)
{
  CpReportAgingBucket *bucket;

  g_return_val_if_fail (report != NULL, FALSE);

  if (balance <= 0)
    return TRUE;
  bucket = &report->aging[cp_report_aging_for_days (cp_report_days_past_due (due_date, report->to))];
  bucket->count++;
  return add_to (&bucket->amount, balance, error);
}

void
cp_report_add_currency (CpReport   *report,
                        const char *currency)
{
  g_return_if_fail (report != NULL);

  if (currency == NULL)
    return;
  for (guint i = 0; i < report->currencies->len; i++)
    if (g_str_equal (g_ptr_array_index (report->currencies, i), currency))
      return;
  g_ptr_array_add (report->currencies, g_strdup (currency));
}

static int
compare_failures (gconstpointer a,
                  gconstpointer b)
{
  const CpReportFailure *fa = *(CpReportFailure * const *) a;
  const CpReportFailure *fb = *(CpReportFailure * const *) b;

  if (fa->count != fb->count)
    return fa->count > fb->count ? -1 : 1;
  return strcmp (fa->code, fb->code);
}

static int
compare_disputes (gconstpointer a,
                  gconstpointer b)
{
  const CpReportDispute *da = *(CpReportDispute * const *) a;
  const CpReportDispute *db = *(CpReportDispute * const *) b;
  int cmp = g_strcmp0 (da->created_at, db->created_at);

  if (cmp != 0)
    return cmp;
  return da->payment_id < db->payment_id ? -1 : da->payment_id > db->payment_id;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

gboolean
cp_report_finish (CpReport  *report,
                  GError   **error)
{
  g_return_val_if_fail (report != NULL, FALSE);

  report->collected = report->refunded = report->net = 0;
  for (guint i = 0; i < report->periods->len; i++)
    {
      CpReportPeriod *period = g_ptr_array_index (report->periods, i);

      period->net = period->collected - period->refunded;
      if (!add_to (&report->collected, period->collected, error) ||
          !add_to (&report->refunded, period->refunded, error))
        return FALSE;
    }
  report->net = report->collected - report->refunded;
  /* Rounded half away from zero, like tax; collected is never negative */
  report->average = report->n_succeeded > 0
    ? (report->collected + report->n_succeeded / 2) / report->n_succeeded : 0;

  g_ptr_array_sort (report->failures, compare_failures);
  g_ptr_array_sort (report->disputes, compare_disputes);
  g_ptr_array_sort (report->currencies, compare_strings);
  return TRUE;
}

static const char *const granularity_names[] = { "day", "week", "month" };
static const char *const table_names[] = { "series", "summary", "failures", "channels", "disputes", "aging" };
static const char *const aging_names[] = { "current", "1-30", "31-60", "61-90", "over-90" };

G_STATIC_ASSERT (G_N_ELEMENTS (table_names) == CP_N_REPORT_TABLES);
G_STATIC_ASSERT (G_N_ELEMENTS (aging_names) == CP_N_REPORT_AGING);

const char *
cp_report_granularity_to_string (CpReportGranularity by)
{
  return by <= CP_REPORT_BY_MONTH ? granularity_names[by] : NULL;
}

gboolean
cp_report_granularity_from_string (const char          *text,
                                   CpReportGranularity *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (granularity_names); i++)
    if (g_strcmp0 (text, granularity_names[i]) == 0)
      {
        *out = (CpReportGranularity) i;
        return TRUE;
      }
  return FALSE;
}

const char *
cp_report_table_to_string (CpReportTable table)
{
  return table < CP_N_REPORT_TABLES ? table_names[table] : NULL;
}

gboolean
cp_report_table_from_string (const char    *text,
                             CpReportTable *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (table_names); i++)
    if (g_strcmp0 (text, table_names[i]) == 0)
      {
        *out = (CpReportTable) i;
        return TRUE;
      }
  return FALSE;
}

const char *
cp_report_aging_to_string (CpReportAging bucket)
{
  return bucket < CP_N_REPORT_AGING ? aging_names[bucket] : NULL;
}

const char *
cp_report_aging_label (CpReportAging bucket)
{
  switch (bucket)
    {
    case CP_REPORT_AGING_CURRENT:
      return C_("aging", "Current");
    case CP_REPORT_AGING_1_30:
      return _("1–30 days");
    case CP_REPORT_AGING_31_60:
      return _("31–60 days");
    case CP_REPORT_AGING_61_90:
      return _("61–90 days");
    case CP_REPORT_AGING_OVER_90:
    case CP_N_REPORT_AGING:
    default:
      return _("Over 90 days");
    }
}

/* CSV (RFC 4180) */

static void
csv_field (GString    *out,
           const char *text,
           gboolean    last)
{
  if (text == NULL)
    text = "";
  if (strpbrk (text, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = text; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, text);
  g_string_append (out, last ? "\r\n" : ",");
}

static void
csv_money (GString        *out,
           const CpReport *report,
           gint64          amount,
           gboolean        last)
{
  g_autofree char *text = cp_money_format_plain (amount, report->currency);

  csv_field (out, text, last);
}

static void
csv_int (GString *out,
         gint64   value,
         gboolean last)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  csv_field (out, text, last);
}

static void
csv_row (GString    *out,
         const char *first,
         ...)
{
  va_list args;
  const char *field = first;

  va_start (args, first);
  while (field != NULL)
    {
      const char *next = va_arg (args, const char *);

      csv_field (out, field, next == NULL);
      field = next;
    }
  va_end (args);
}

static void
write_summary (GString        *out,
               const CpReport *report)
{
  char rate[G_ASCII_DTOSTR_BUF_SIZE];

  csv_row (out, "metric", "value", NULL);
  csv_row (out, "from", report->from, NULL);
  csv_row (out, "to", report->to, NULL);
  csv_row (out, "currency", report->currency, NULL);
  csv_field (out, "collected", FALSE);
  csv_money (out, report, report->collected, TRUE);
  csv_field (out, "refunded", FALSE);
  csv_money (out, report, report->refunded, TRUE);
  csv_field (out, "net", FALSE);
  csv_money (out, report, report->net, TRUE);
  csv_field (out, "payments_succeeded", FALSE);
  csv_int (out, report->n_succeeded, TRUE);
  csv_field (out, "payments_failed", FALSE);
  csv_int (out, report->n_failed, TRUE);
  csv_field (out, "success_rate", FALSE);
  csv_field (out, g_ascii_formatd (rate, sizeof rate, "%.4f", cp_report_success_rate (report)), TRUE);
  csv_field (out, "average_payment", FALSE);
  csv_money (out, report, report->average, TRUE);
  csv_field (out, "disputes", FALSE);
  csv_int (out, report->n_disputes, TRUE);
  csv_field (out, "disputed_amount", FALSE);
  csv_money (out, report, report->disputed_amount, TRUE);
}

static void
write_table (GString        *out,
             const CpReport *report,
             CpReportTable   table)
{
  switch (table)
    {
    case CP_REPORT_TABLE_SERIES:
      csv_row (out, "period_start", "period_end", "collected", "refunded", "net", "payments", "currency", NULL);
      for (guint i = 0; i < report->periods->len; i++)
        {
          CpReportPeriod *period = g_ptr_array_index (report->periods, i);

          csv_field (out, period->start, FALSE);
          csv_field (out, period->end, FALSE);
          csv_money (out, report, period->collected, FALSE);
          csv_money (out, report, period->refunded, FALSE);
          csv_money (out, report, period->net, FALSE);
          csv_int (out, period->n_payments, FALSE);
          csv_field (out, report->currency, TRUE);
        }
      break;
    case CP_REPORT_TABLE_SUMMARY:
      write_summary (out, report);
      break;
    case CP_REPORT_TABLE_FAILURES:
      csv_row (out, "code", "reason", "count", NULL);
      for (guint i = 0; i < report->failures->len; i++)
        {
          CpReportFailure *failure = g_ptr_array_index (report->failures, i);

          csv_field (out, failure->code, FALSE);
          csv_field (out, failure->label, FALSE);
          csv_int (out, failure->count, TRUE);
        }
      break;
    case CP_REPORT_TABLE_CHANNELS:
      csv_row (out, "channel", "payments", "amount", "currency", NULL);
      for (guint i = 0; i < CP_N_PAYMENT_CHANNELS; i++)
        {
          csv_field (out, cp_payment_channel_to_string ((CpPaymentChannel) i), FALSE);
          csv_int (out, report->channels[i].count, FALSE);
          csv_money (out, report, report->channels[i].amount, FALSE);
          csv_field (out, report->currency, TRUE);
        }
      break;
    case CP_REPORT_TABLE_DISPUTES:
      csv_row (out, "date", "invoice", "payment_intent", "channel", "amount", "currency", NULL);
      for (guint i = 0; i < report->disputes->len; i++)
        {
          CpReportDispute *dispute = g_ptr_array_index (report->disputes, i);

          csv_field (out, dispute->date, FALSE);
          csv_field (out, dispute->invoice_number, FALSE);
          csv_field (out, dispute->payment_intent_id, FALSE);
          csv_field (out, cp_payment_channel_to_string (dispute->channel), FALSE);
          csv_money (out, report, dispute->amount, FALSE);
          csv_field (out, report->currency, TRUE);
        }
      break;
    case CP_REPORT_TABLE_AGING:
      csv_row (out, "bucket", "invoices", "amount", "currency", NULL);
      for (guint i = 0; i < CP_N_REPORT_AGING; i++)
        {
          csv_field (out, aging_names[i], FALSE);
          csv_int (out, report->aging[i].count, FALSE);
          csv_money (out, report, report->aging[i].amount, FALSE);
          csv_field (out, report->currency, TRUE);
        }
      break;
    case CP_N_REPORT_TABLES:
    default:
      g_assert_not_reached ();
    }
}

gboolean
cp_report_write_csv (const CpReport  *report,
                     CpReportTable    table,
                     GOutputStream   *stream,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (table >= CP_N_REPORT_TABLES)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("No such report table"));
      return FALSE;
    }
  write_table (out, report, table);
  return g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error);
}

gboolean
cp_report_write_csv_to_path (const CpReport  *report,
                             CpReportTable    table,
                             const char      *path,
                             GError         **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!cp_report_write_csv (report, table, G_OUTPUT_STREAM (stream), NULL, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
