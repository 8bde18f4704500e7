/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-money.h"
#include "ctl.h"

/* The JSON shape of an invoice, shared by `invoices --json` and `invoice --json`.
 * Amounts are integers in minor units of `currency`. */
static void
build_invoice (JsonBuilder *builder,
               CpInvoice   *invoice)
{
  g_autofree char *name = cp_patient_display_name (invoice->patient);

  json_builder_begin_object (builder);
  ctl_json_add_string (builder, "number", invoice->number);

  ctl_json_begin_object_member (builder, "patient");
  ctl_json_add_int (builder, "id", invoice->patient->id);
  ctl_json_add_string (builder, "mrn", invoice->patient->mrn);
  ctl_json_add_string (builder, "name", name);
  json_builder_end_object (builder);

  ctl_json_add_string (builder, "status", cp_invoice_status_to_string (invoice->status));
  ctl_json_add_string (builder, "currency", invoice->currency);
  ctl_json_add_string (builder, "issue_date", invoice->issue_date);
  ctl_json_add_string (builder, "due_date", invoice->due_date);
  ctl_json_add_int (builder, "subtotal", invoice->subtotal);
  ctl_json_add_int (builder, "tax", invoice->tax);
  ctl_json_add_int (builder, "total", invoice->total);
  ctl_json_add_int (builder, "amount_paid", invoice->amount_paid);
  ctl_json_add_int (builder, "amount_refunded", invoice->amount_refunded);
  ctl_json_add_int (builder, "balance_due", invoice->balance_due);

  ctl_json_begin_array_member (builder, "line_items");
  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "description", item->description);
      ctl_json_add_int (builder, "quantity", item->quantity);
      ctl_json_add_int (builder, "unit_amount", item->unit_amount);
      ctl_json_add_int (builder, "amount", item->amount);
      ctl_json_add_string (builder, "service_date", item->service_date);
      ctl_json_add_string (builder, "provider", item->provider);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ctl_json_begin_array_member (builder, "payments");
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "stripe_payment_intent_id", payment->stripe_payment_intent_id);
      ctl_json_add_money (builder, payment->amount, payment->currency);
      ctl_json_add_string (builder, "status", payment->status);
      ctl_json_add_string (builder, "channel", cp_payment_channel_to_string (payment->channel));
      ctl_json_add_string (builder, "card_brand", payment->card_brand);
      ctl_json_add_string (builder, "card_last4", payment->card_last4);
      ctl_json_add_string (builder, "created_at", payment->created_at);
      ctl_json_add_bool (builder, "disputed", payment->disputed);
      ctl_json_add_string (builder, "failure_code", payment->failure_code);
      ctl_json_add_bool (builder, "overpaid", payment->overpaid);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ctl_json_begin_array_member (builder, "refunds");
  for (guint i = 0; i < invoice->refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (invoice->refunds, i);
      const char *intent = NULL;

      for (guint j = 0; j < invoice->payments->len; j++)
        {
          CpPayment *payment = g_ptr_array_index (invoice->payments, j);
          if (payment->id == refund->payment_id)
            intent = payment->stripe_payment_intent_id;
        }

      json_builder_begin_object (builder);
      ctl_json_add_string (builder, "stripe_refund_id", refund->stripe_refund_id);
      ctl_json_add_string (builder, "stripe_payment_intent_id", intent);
      ctl_json_add_money (builder, refund->amount, refund->currency);
      ctl_json_add_string (builder, "status", refund->status);
      ctl_json_add_string (builder, "reason", refund->reason);
      ctl_json_add_string (builder, "failure_reason", refund->failure_reason);
      ctl_json_add_string (builder, "created_at", refund->created_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
}

/* Pads by characters, not bytes, so names with accents line up. */
static void
print_cell (const char *text,
            int         width,
            gboolean    right)
{
  glong len = g_utf8_strlen (text, -1);
  int pad = len < width ? width - (int) len : 0;

  if (right)
    printf ("%*s%s", pad, "", text);
  else
    printf ("%s%*s", text, pad, "");
}

static void
print_row (const char *number,
           const char *patient,
           const char *issue,
           const char *due,
           const char *total,
           const char *balance,
           const char *status)
{
  print_cell (number, 16, FALSE);
  printf (" ");
  print_cell (patient, 26, FALSE);
  printf (" ");
  print_cell (issue, 10, FALSE);
  printf ("  ");
  print_cell (due, 10, FALSE);
  printf (" ");
  print_cell (total, 13, TRUE);
  printf (" ");
  print_cell (balance, 13, TRUE);
  printf ("  %s\n", status);
}

/* carepayctl invoices [--status S] [--search Q] [--json] */
int
ctl_cmd_invoices (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  g_autofree char *status_text = NULL;
  g_autofree char *search = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_text,
      N_("Only invoices with this status: pending, overdue, partially_paid, paid, cancelled, refunded"), "S" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_("Only invoices whose number, patient name or MRN contains Q"), "Q" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int status;

  if (!ctl_parse_options ("invoices", NULL, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return ctl_fail (CTL_EXIT_USAGE, _("invoices: unexpected argument “%s”"), argv[1]);

  if (status_text != NULL)
    {
      CpInvoiceStatus wanted;

      if (!cp_invoice_status_from_string (status_text, &wanted))
        return ctl_fail (CTL_EXIT_USAGE,
                         _("invoices: unknown status “%s” (use pending, overdue, partially_paid, paid, cancelled or refunded)"),
                         status_text);
      query.status = (int) wanted;
    }
  query.search = search;

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  rows = cp_store_list_invoices (CP_STORE (store), &query, &error);
  if (rows == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        {
          CpInvoiceSummary *row = g_ptr_array_index (rows, i);
          g_autoptr(CpInvoice) invoice = cp_store_get_invoice (CP_STORE (store), row->id, &error);

          if (invoice == NULL)
            return ctl_fail_error (error);
          build_invoice (builder, invoice);
        }
      json_builder_end_array (builder);
      ctl_print_json (builder);
      return CTL_EXIT_OK;
    }

  print_row (_("Number"), _("Patient"), _("Issued"), _("Due"), _("Total"), _("Balance"), _("Status"));
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (rows, i);
      g_autofree char *total = cp_money_format (row->total, row->currency);
      g_autofree char *balance = cp_money_format (row->balance_due, row->currency);

      print_row (row->number, row->patient_name, row->issue_date, row->due_date,
                 total, balance, cp_invoice_status_label (row->status));
    }
  return CTL_EXIT_OK;
}

/* carepayctl invoice NUMBER [--json] */
int
ctl_cmd_invoice (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autofree char *name = NULL;
  const char *currency;
  int status;

  if (!ctl_parse_options ("invoice", "NUMBER", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, _("invoice: give exactly one invoice number"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);

  invoice = cp_store_get_invoice_by_number (CP_STORE (store), argv[1], &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_invoice (builder, invoice);
      ctl_print_json (builder);
      return CTL_EXIT_OK;
    }

  currency = invoice->currency;
  name = cp_patient_display_name (invoice->patient);
  printf ("%s  %s\n", invoice->number, cp_invoice_status_label (invoice->status));
  printf ("%s: %s (%s)\n", _("Patient"), name, invoice->patient->mrn);
  printf ("%s: %s   %s: %s\n", _("Issued"), invoice->issue_date, _("Due"), invoice->due_date);
  if (invoice->notes != NULL && *invoice->notes != '\0')
    printf ("%s: %s\n", _("Notes"), invoice->notes);
  printf ("\n");

  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);
      g_autofree char *unit = cp_money_format (item->unit_amount, currency);
      g_autofree char *amount = cp_money_format (item->amount, currency);
      g_autofree char *qty = g_strdup_printf ("%" G_GINT64_FORMAT " × %s", item->quantity, unit);

      print_cell (item->service_code ? item->service_code : "", 7, FALSE);
      print_cell (item->description, 54, FALSE);
      printf (" ");
      print_cell (qty, 16, TRUE);
      printf (" ");
      print_cell (amount, 13, TRUE);
      printf ("\n");
      if (item->service_date != NULL || item->provider != NULL)
        printf ("       %s  %s\n", item->service_date ? item->service_date : "",
                item->provider ? item->provider : "");
    }

  {
    struct { const char *label; gint64 amount; } lines[] = {
      { _("Subtotal"), invoice->subtotal },
      { _("Tax"), invoice->tax },
      { _("Total"), invoice->total },
      { _("Paid"), invoice->amount_paid },
      { _("Refunded"), invoice->amount_refunded },
      { _("Balance due"), invoice->balance_due },
    };

    printf ("\n");
    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      {
        g_autofree char *amount = cp_money_format (lines[i].amount, currency);

        print_cell (lines[i].label, 78, TRUE);
        printf (" ");
        print_cell (amount, 13, TRUE);
        printf ("\n");
      }
  }

  if (invoice->payments->len > 0)
    {
      printf ("\n%s\n", _("Payments"));
      for (guint i = 0; i < invoice->payments->len; i++)
        {
          CpPayment *p = g_ptr_array_index (invoice->payments, i);
          g_autofree char *amount = cp_money_format (p->amount, p->currency);

          printf ("  %s  %s  %s  %s %s  %s  %s\n", p->created_at, p->stripe_payment_intent_id, amount,
                  p->card_brand ? p->card_brand : "", p->card_last4 ? p->card_last4 : "",
                  cp_payment_channel_to_string (p->channel), p->status);
        }
    }

  if (invoice->refunds->len > 0)
    {
      printf ("\n%s\n", _("Refunds"));
      for (guint i = 0; i < invoice->refunds->len; i++)
        {
          CpRefund *r = g_ptr_array_index (invoice->refunds, i);
          g_autofree char *amount = cp_money_format (r->amount, r->currency);

          printf ("  %s  %s  %s  %s  %s\n", r->created_at, r->stripe_refund_id, amount, r->status,
                  r->reason ? r->reason : "");
        }
    }

  return CTL_EXIT_OK;
}
