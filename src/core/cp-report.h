/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-records.h"

G_BEGIN_DECLS

/* The reports dashboard's figures for a range of days [from, to] (both
 * inclusive) in one currency. Days are the hospital's local days: the time
 * zone given to cp_report_new_full(), by default the machine's (TZ), the
 * same clock as cp_today(). Payments and refunds are placed by their
 * created_at (stored as UTC ISO 8601). Money is in minor units of
 * `currency`. A CpReport is filled once by cp_store_fill_report() and read
 * only after that. */

typedef enum {
  CP_REPORT_BY_DAY,
  CP_REPORT_BY_WEEK,    /* ISO weeks, Monday first */
  CP_REPORT_BY_MONTH,
} CpReportGranularity;

typedef enum {
  CP_REPORT_TABLE_SERIES,
  CP_REPORT_TABLE_SUMMARY,
  CP_REPORT_TABLE_FAILURES,
  CP_REPORT_TABLE_CHANNELS,
  CP_REPORT_TABLE_DISPUTES,
  CP_REPORT_TABLE_AGING,
  CP_N_REPORT_TABLES
} CpReportTable;

typedef enum {
  CP_REPORT_AGING_CURRENT,  /* not yet due, or due on `to` */
  CP_REPORT_AGING_1_30,
  CP_REPORT_AGING_31_60,
  CP_REPORT_AGING_61_90,
  CP_REPORT_AGING_OVER_90,
  CP_N_REPORT_AGING
} CpReportAging;

#define CP_N_PAYMENT_CHANNELS 3

typedef struct {
  char   *start;          /* YYYY-MM-DD: first day of the period inside the range */
  char   *end;            /* YYYY-MM-DD: last day, inclusive */
  gint64  collected;      /* succeeded payments */
  gint64  refunded;       /* refunds succeeded or pending */
  gint64  net;            /* collected - refunded */
  gint64  n_payments;     /* succeeded payments */
} CpReportPeriod;

typedef struct {
  char   *code;           /* Stripe's decline or error code; "" when none was given */
  char   *label;          /* cp_stripe_decline_staff_message() */
  gint64  count;
} CpReportFailure;

typedef struct {
  gint64  count;          /* succeeded payments */
  gint64  amount;
} CpReportChannel;

typedef struct {
  gint64            payment_id;
  char             *invoice_number;
  char             *payment_intent_id;
  char             *created_at;     /* UTC ISO 8601, as stored */
  char             *date;           /* local YYYY-MM-DD */
  gint64            amount;
  CpPaymentChannel  channel;
} CpReportDispute;

typedef struct {
  gint64  count;          /* invoices with a balance */
  gint64  amount;         /* their balances */
} CpReportAgingBucket;

typedef struct _CpReport CpReport;

struct _CpReport
{
  /* Inputs */
  char                *from;
  char                *to;
  CpReportGranularity  by;
  char                *currency;
  GTimeZone           *tz;

  /* Periods in order; every period of the range is there, empty ones with zeros */
  GPtrArray           *periods;          /* of CpReportPeriod */
  /* UTC instants "YYYY-MM-DDTHH:MM:SSZ" where periods start; n_periods + 1 of them */
  GPtrArray           *bounds;

  gint64               collected;
  gint64               refunded;
  gint64               net;
  gint64               n_succeeded;      /* payment intents that succeeded */
  gint64               n_failed;         /* not succeeded and carrying a failure code */
  gint64               average;          /* collected / n_succeeded, rounded half away; 0 without */
  GPtrArray           *failures;         /* of CpReportFailure, most frequent first */
  CpReportChannel      channels[CP_N_PAYMENT_CHANNELS]; /* indexed by CpPaymentChannel */
  gint64               n_disputes;
  gint64               disputed_amount;
  GPtrArray           *disputes;         /* of CpReportDispute, oldest first */
  CpReportAgingBucket  aging[CP_N_REPORT_AGING];
  /* Every currency with payments, refunds or invoices in the range, sorted */
  GPtrArray           *currencies;       /* of char * */
};

GType        cp_report_get_type           (void) G_GNUC_CONST;
#define CP_TYPE_REPORT (cp_report_get_type ())

/* An empty report for [from, to]: CP_ERROR_INVALID_INPUT when a date is not
 * YYYY-MM-DD, when from is after to, or when the range holds more than
 * CP_REPORT_MAX_PERIODS periods. currency NULL: "USD". tz NULL: local. */
#define CP_REPORT_MAX_PERIODS 1000
CpReport    *cp_report_new                (const char           *from,
                                           const char           *to,
                                           CpReportGranularity   by,
                                           const char           *currency,
                                           GError              **error);
CpReport    *cp_report_new_full           (const char           *from,
                                           const char           *to,
                                           CpReportGranularity   by,
                                           const char           *currency,
                                           GTimeZone            *tz,
                                           GError              **error);
CpReport    *cp_report_ref                (CpReport             *report);
void         cp_report_unref              (CpReport             *report);

/* Success rate in [0, 1] over succeeded + failed; 0 when there were none. */
double       cp_report_success_rate       (const CpReport       *report);
/* TRUE when the range had no payments, refunds, or open balances at all. */
gboolean     cp_report_is_empty           (const CpReport       *report);

/* For stores that fill a report: the period a UTC created_at falls in, or
 * -1 outside the range; and the local date of such a timestamp. */
int          cp_report_period_for         (const CpReport       *report,
                                           const char           *created_at);
char        *cp_report_local_date         (const CpReport       *report,
                                           const char           *created_at);
/* Accumulators, in any order; cp_report_finish() sorts and totals. */
gboolean     cp_report_add_payment        (CpReport             *report,
                                           const CpPayment      *payment,
                                           const char           *invoice_number,
                                           GError              **error);
gboolean     cp_report_add_refund         (CpReport             *report,
                                           const CpRefund       *refund,
                                           GError              **error);
/* An open invoice's balance as of `to`, due on due_date */
gboolean     cp_report_add_balance        (CpReport             *report,
                                           const char           *due_date,
                                           gint64                balance,
                                           GError              **error);
void         cp_report_add_currency       (CpReport             *report,
                                           const char           *currency);
gboolean     cp_report_finish             (CpReport             *report,
                                           GError              **error);

/* Days past due as of `as_of` (negative before the due date), and its bucket. */
int           cp_report_days_past_due     (const char           *due_date,
                                           const char           *as_of);
CpReportAging cp_report_aging_for_days    (int                   days);

/* Names: "day"/"week"/"month"; table names "series", "summary", "failures",
 * "channels", "disputes", "aging"; aging bucket keys "current", "1-30", … */
const char  *cp_report_granularity_to_string   (CpReportGranularity  by);
gboolean     cp_report_granularity_from_string (const char           *text,
                                                CpReportGranularity  *out);
const char  *cp_report_table_to_string    (CpReportTable         table);
gboolean     cp_report_table_from_string  (const char           *text,
                                           CpReportTable        *out);
const char  *cp_report_aging_to_string    (CpReportAging         bucket);
/* Localized: "Current", "1–30 days", … */
const char  *cp_report_aging_label        (CpReportAging         bucket);

/* One table as CSV: a header row, then rows; amounts in major units as
 * plain decimals ("1234.50"), RFC 4180 quoting, CRLF line ends. */
gboolean     cp_report_write_csv          (const CpReport       *report,
                                           CpReportTable         table,
                                           GOutputStream        *stream,
                                           GCancellable         *cancellable,
                                           GError              **error);
gboolean     cp_report_write_csv_to_path  (const CpReport       *report,
                                           CpReportTable         table,
                                           const char           *path,
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReport, cp_report_unref)

G_END_DECLS
