/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl receipt and statement: PDFs from the database. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "ctl-mail.h"

static GSettings *
app_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "hospital-name"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static char *
pick (const char *option,
      const char *env,
      GSettings  *settings,
      const char *key)
{
  const char *value = g_getenv (env);

  if (option != NULL)
    return g_strdup (option);
  if (value != NULL)
    return g_strdup (value);
  if (settings != NULL)
    return g_settings_get_string (settings, key);
  return NULL;
}

void
ctl_hospital_load (CtlHospital *hospital,
                   const char  *name_option,
                   const char  *address_option,
                   const char  *logo_option)
{
  g_autoptr(GSettings) settings = app_settings ();

  hospital->name = pick (name_option, "CAREPAY_HOSPITAL_NAME", settings, "hospital-name");
  hospital->address = pick (address_option, "CAREPAY_HOSPITAL_ADDRESS", settings, "hospital-address");
  hospital->logo = pick (logo_option, "CAREPAY_HOSPITAL_LOGO", settings, "hospital-logo");
  if (hospital->name == NULL || *hospital->name == '\0')
    {
      g_free (hospital->name);
      hospital->name = g_strdup (_("Billing office"));
    }
  /* Addresses typed on one line in the environment: "\n" means a line break */
  if (hospital->address != NULL && strstr (hospital->address, "\\n") != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (hospital->address, "\\n", -1);

      g_free (hospital->address);
      hospital->address = g_strjoinv ("\n", lines);
    }
  if (hospital->logo != NULL && *hospital->logo == '\0')
    g_clear_pointer (&hospital->logo, g_free);
}

void
ctl_hospital_clear (CtlHospital *hospital)
{
  g_clear_pointer (&hospital->name, g_free);
  g_clear_pointer (&hospital->address, g_free);
  g_clear_pointer (&hospital->logo, g_free);
}

void
ctl_hospital_set_header (const CtlHospital *hospital,
                         CpReceiptHeader   *header)
{
  header->name = hospital->name;
  header->address = hospital->address;
  header->logo_path = hospital->logo;
}

static gboolean
parse_paper (const char   *text,
             CpPaperSize  *out)
{
  if (text == NULL || g_ascii_strcasecmp (text, "auto") == 0)
    *out = CP_PAPER_AUTO;
  else if (g_ascii_strcasecmp (text, "a4") == 0)
    *out = CP_PAPER_A4;
  else if (g_ascii_strcasecmp (text, "letter") == 0)
    *out = CP_PAPER_LETTER;
  else
    return FALSE;
  return TRUE;
}

int
ctl_cmd_receipt (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *payment_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *paper = NULL;
  gboolean refund = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF to FILE"), N_("FILE") },
    { "payment", 0, 0, G_OPTION_ARG_STRING, &payment_id, N_("The payment’s PaymentIntent id (default: the latest payment)"), N_("PI") },
    { "refund", 0, 0, G_OPTION_ARG_NONE, &refund, N_("The latest refund’s receipt instead"), NULL },
    { "hospital-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Hospital name"), N_("NAME") },
    { "hospital-address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Hospital address"), N_("TEXT") },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Hospital logo (PNG)"), N_("FILE") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper, N_("a4, letter or auto (by locale)"), N_("SIZE") },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_auto(CtlHospital) hospital = { NULL };
  CpReceiptHeader header = { NULL };
  const CpPayment *payment = NULL;
  const CpRefund *chosen_refund = NULL;
  int status;

  if (!ctl_parse_options ("receipt", "NUMBER --output FILE.pdf", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, _("receipt: give exactly one invoice number"));
  if (output == NULL)
    return ctl_fail (CTL_EXIT_USAGE, _("receipt: --output FILE.pdf is required"));
  if (!parse_paper (paper, &header.paper))
    return ctl_fail (CTL_EXIT_USAGE, _("receipt: --paper must be a4, letter or auto"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  invoice = cp_store_get_invoice_by_number (CP_STORE (store), argv[1], &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  if (refund)
    {
      for (guint i = 0; i < invoice->refunds->len; i++)
        {
          const CpRefund *r = g_ptr_array_index (invoice->refunds, i);

          if (cp_refund_status_counts (r->status))
            chosen_refund = r;
        }
      if (chosen_refund == NULL)
        return ctl_fail (CTL_EXIT_FAIL, _("%s has no refund"), invoice->number);
    }
  else
    {
      for (guint i = 0; i < invoice->payments->len; i++)
        {
          const CpPayment *p = g_ptr_array_index (invoice->payments, i);

          if (payment_id != NULL ? g_strcmp0 (p->stripe_payment_intent_id, payment_id) == 0
                                 : cp_payment_status_counts (p->status))
            payment = p;
        }
      if (payment == NULL)
        return payment_id != NULL
               ? ctl_fail (CTL_EXIT_FAIL, _("%s has no payment %s"), invoice->number, payment_id)
               : ctl_fail (CTL_EXIT_FAIL, _("%s has no successful payment"), invoice->number);
    }

  ctl_hospital_load (&hospital, name, address, logo);
  ctl_hospital_set_header (&hospital, &header);
  if (chosen_refund != NULL)
    pdf = cp_receipt_render_refund (&header, invoice, chosen_refund, &error);
  else
    pdf = cp_receipt_render_payment (&header, invoice, payment, &error);
  if (pdf == NULL || !cp_receipt_save (pdf, output, &error))
    return ctl_fail_error (error);

  if (chosen_refund != NULL)
    printf (_("Wrote the refund receipt of %s (%s) to %s\n"), invoice->number,
            chosen_refund->stripe_refund_id, output);
  else
    printf (_("Wrote the receipt of %s (%s) to %s\n"), invoice->number,
            payment->stripe_payment_intent_id, output);
  return CTL_EXIT_OK;
}

int
ctl_cmd_statement (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *today = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *paper = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF to FILE"), N_("FILE") },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, N_("Statement date (default: today)"), N_("YYYY-MM-DD") },
    { "hospital-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Hospital name"), N_("NAME") },
    { "hospital-address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Hospital address"), N_("TEXT") },
    { "logo", 0, 0, G_OPTION_ARG_FILENAME, &logo, N_("Hospital logo (PNG)"), N_("FILE") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper, N_("a4, letter or auto (by locale)"), N_("SIZE") },
    { NULL }
  };
  g_autoptr(CpSqliteStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = NULL;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) invoices = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_free);
  g_autoptr(GBytes) pdf = NULL;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_auto(CtlHospital) hospital = { NULL };
  CpReceiptHeader header = { NULL };
  gint64 total = 0;
  int status;

  if (!ctl_parse_options ("statement", "MRN --output FILE.pdf", entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return ctl_fail (CTL_EXIT_USAGE, _("statement: give exactly one MRN"));
  if (output == NULL)
    return ctl_fail (CTL_EXIT_USAGE, _("statement: --output FILE.pdf is required"));
  if (!parse_paper (paper, &header.paper))
    return ctl_fail (CTL_EXIT_USAGE, _("statement: --paper must be a4, letter or auto"));
  if (today == NULL)
    today = cp_today ();
  if (!cp_date_is_valid (today))
    return ctl_fail (CTL_EXIT_USAGE, _("statement: --today must be a date YYYY-MM-DD"));

  store = ctl_open_store (ctx, TRUE, &error);
  if (store == NULL)
    return ctl_fail_error (error);
  patient = cp_store_get_patient_by_mrn (CP_STORE (store), argv[1], &error);
  if (patient == NULL)
    return ctl_fail_error (error);

  query.patient_id = patient->id;
  summaries = cp_store_list_invoices (CP_STORE (store), &query, &error);
  if (summaries == NULL)
    return ctl_fail_error (error);
  for (guint i = 0; i < summaries->len; i++)
    {
      CpInvoiceSummary *summary = g_ptr_array_index (summaries, i);
      CpInvoice *invoice;

      if (summary->voided || summary->balance_due <= 0)
        continue;
      invoice = cp_store_get_invoice (CP_STORE (store), summary->id, &error);
      if (invoice == NULL)
        return ctl_fail_error (error);
      total += invoice->balance_due;
      g_ptr_array_add (invoices, invoice);
    }

  ctl_hospital_load (&hospital, name, address, logo);
  ctl_hospital_set_header (&hospital, &header);
  pdf = cp_receipt_render_statement (&header, patient, invoices, today, &error);
  if (pdf == NULL || !cp_receipt_save (pdf, output, &error))
    return ctl_fail_error (error);

  {
    g_autofree char *amount = cp_money_format (total, invoices->len > 0
                                               ? ((CpInvoice *) invoices->pdata[0])->currency : "USD");

    printf (ngettext ("Wrote the statement of %s (%u open invoice, %s due) to %s\n",
                      "Wrote the statement of %s (%u open invoices, %s due) to %s\n", invoices->len),
            patient->mrn, invoices->len, amount, output);
  }
  return CTL_EXIT_OK;
}
