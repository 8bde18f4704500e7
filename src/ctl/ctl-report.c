/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl report: the reports dashboard's figures as JSON, or one of its
 * tables as CSV. Days are local days (TZ), as in the app. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-report.h"
#include "ctl.h"

static void
add_count_amount (JsonBuilder *builder,
                  const char  *name,
                  gint64       count,
                  gint64       amount)
{
  ctl_json_begin_object_member (builder, name);
  ctl_json_add_int (builder, "count", count);
  ctl_json_add_int (builder, "amount", amount);
  json_builder_end_object (builder);
}

static void
print_report (const CpReport *report)
{
  g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

  ctl_json_add_string (builder, "from", report->from);
  ctl_json_add_string (builder, "to", report->to);
  ctl_json_add_string (builder, "by", cp_report_granularity_to_string (report->by));
  ctl_json_add_string (builder, "currency", report->currency);
  ctl_json_add_string (builder, "time_zone", g_time_zone_get_identifier (report->tz));
  ctl_json_begin_array_member (builder, "currencies");
  for (guint i = 0; i < report->currencies->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (report->currencies, i));
  json_builder_end_array (builder);

  ctl_json_begin_object_member (builder, "summary");
  ctl_json_add_int (builder, "collected", report->collected);
  ctl_json_add_int (builder, "refunded", report->refunded);
  ctl_json_add_int (builder, "net", report->net);
  ctl_json_add_int (builder, "payments_succeeded", report->n_succeeded);
  ctl_json_add_int (builder, "payments_failed", report->n_failed);
  json_builder_set_member_name (builder, "success_rate");
  json_builder_add_double_value (builder, cp_report_success_rate (report));
  ctl_json_add_int (builder, "average_payment", report->average);
  ctl_json_add_int (builder, "disputes", report->n_disputes);
  ctl_json_add_int (builder, "disputed_amount", report->disputed_amount);
  json_builder_end_object (builder);

  ctl_json_begin_array_member (builder, "series");
  for (guint i = 0; i < report->periods->len; i++)
    {
      CpReportPeriod *period = g_ptr_array_index (report->periods, i);

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "start", period->start);
      ctl_json_add_string (builder, "end", period->end);
      ctl_json_add_int (builder, "collected", period->collected);
      ctl_json_add_int (builder, "refunded", period->refunded);
      ctl_json_add_int (builder, "net", period->net);
      ctl_json_add_int (builder, "payments", period->n_payments);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ctl_json_begin_array_member (builder, "failures");
  for (guint i = 0; i < report->failures->len; i++)
    {
      CpReportFailure *failure = g_ptr_array_index (report->failures, i);

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "code", failure->code);
      ctl_json_add_string (builder, "reason", failure->label);
      ctl_json_add_int (builder, "count", failure->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ctl_json_begin_object_member (builder, "channels");
  for (guint i = 0; i < CP_N_PAYMENT_CHANNELS; i++)
    add_count_amount (builder, cp_payment_channel_to_string ((CpPaymentChannel) i),
                      report->channels[i].count, report->channels[i].amount);
  json_builder_end_object (builder);

  ctl_json_begin_array_member (builder, "disputes");
  for (guint i = 0; i < report->disputes->len; i++)
    {
      CpReportDispute *dispute = g_ptr_array_index (report->disputes, i);

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "date", dispute->date);
      ctl_json_add_string (builder, "created_at", dispute->created_at);
      ctl_json_add_string (builder, "invoice", dispute->invoice_number);
      ctl_json_add_string (builder, "payment_intent", dispute->payment_intent_id);
      ctl_json_add_string (builder, "channel", cp_payment_channel_to_string (dispute->channel));
      ctl_json_add_int (builder, "amount", dispute->amount);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ctl_json_begin_object_member (builder, "aging");
  for (guint i = 0; i < CP_N_REPORT_AGING; i++)
    add_count_amount (builder, cp_report_aging_to_string ((CpReportAging) i),
                      report->aging[i].count, report->aging[i].amount);
  json_builder_end_object (builder);

  ctl_print_json_object (builder);
}

/* carepayctl report --from D --to D [--by day|week|month] [--currency C] [--csv TABLE] */
int
ctl_cmd_report (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *by_name = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *csv = NULL;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("First day (YYYY-MM-DD, local time)"), "DATE" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Last day, included (YYYY-MM-DD, local time)"), "DATE" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by_name, N_("Periods: day, week or month (default: day)"), "PERIOD" },
    { "currency", 0, 0, G_OPTION_ARG_STRING, &currency, N_("Currency (default: the store’s)"), "CODE" },
    { "csv", 0, 0, G_OPTION_ARG_STRING, &csv,
      N_("Print one table as CSV: series, summary, failures, channels, disputes or aging"), "TABLE" },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(CpReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CpReportGranularity by = CP_REPORT_BY_DAY;
  CpReportTable table = CP_REPORT_TABLE_SERIES;
  int status;

  if (!ctl_parse_options ("report", "", entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return ctl_fail (CTL_EXIT_USAGE, _("report: unexpected argument “%s”"), argv[1]);
  if (from == NULL || to == NULL)
    return ctl_fail (CTL_EXIT_USAGE, _("report needs --from and --to"));
  if (by_name != NULL && !cp_report_granularity_from_string (by_name, &by))
    return ctl_fail (CTL_EXIT_USAGE, _("report: --by takes day, week or month"));
  if (csv != NULL && !cp_report_table_from_string (csv, &table))
    return ctl_fail (CTL_EXIT_USAGE,
                     _("report: --csv takes series, summary, failures, channels, disputes or aging"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  if (currency == NULL)
    currency = cp_store_get_meta (CP_STORE (store), "currency");

  report = cp_report_new (from, to, by, currency, &error);
  if (report == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "%s", error->message);
  if (!cp_store_fill_report (CP_STORE (store), report, &error))
    return ctl_fail_error (error);

  if (csv != NULL)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (out);

      if (!cp_report_write_csv (report, table, out, NULL, &error))
        return ctl_fail_error (error);
      fwrite (g_memory_output_stream_get_data (memory), 1, g_memory_output_stream_get_data_size (memory), stdout);
      return fflush (stdout) == 0 ? CTL_EXIT_OK : ctl_fail (CTL_EXIT_FAIL, _("report: could not write the CSV"));
    }
  print_report (report);
  return CTL_EXIT_OK;
}
